"""Worker-side operations: the heartbeat /readyz looks for, request ids in task logs, the outbox."""

import logging
import socket
import time
from typing import Any

from celery import shared_task
from celery.signals import celeryd_after_setup, heartbeat_sent, task_postrun, task_prerun, worker_ready
from django.conf import settings

from tracker.health import HEARTBEAT_PREFIX, redis_client
from tracker.logging import request_id_var
from tracker.services import outbox

logger = logging.getLogger(__name__)
_node = {"name": f"celery@{socket.gethostname()}"}
_last_write = {"at": 0.0}


def heartbeat_write(*, force: bool = False) -> None:
    """Tell /readyz this worker is alive (at most every 10 s; the key expires on its own)."""
    now = time.time()
    if not settings.REDIS_URL or (not force and now - _last_write["at"] < 10):
        return
    try:
        redis_client().set(
            f"{HEARTBEAT_PREFIX}{_node['name']}", now, ex=settings.WORKER_HEARTBEAT_MAX_AGE * 2
        )
        _last_write["at"] = now
    except Exception as exc:  # Redis away: the worker reconnects on its own, the beat resumes then
        logger.warning("heartbeat not written: %s", exc)


@celeryd_after_setup.connect
def _remember_node(sender: str, **kwargs: Any) -> None:
    _node["name"] = sender


@worker_ready.connect
def _worker_ready(sender: Any = None, **kwargs: Any) -> None:
    heartbeat_write(force=True)


@heartbeat_sent.connect
def _heartbeat(sender: Any = None, **kwargs: Any) -> None:
    heartbeat_write()


@task_prerun.connect
def _task_started(task_id: str | None = None, **kwargs: Any) -> None:
    request_id_var.set(task_id or "-")
    heartbeat_write()


@task_postrun.connect
def _task_done(**kwargs: Any) -> None:
    request_id_var.set("-")


@shared_task(name="tracker.ops_tasks.flush_outbox", ignore_result=True)
def flush_outbox() -> dict[str, int]:
    sent, waiting = outbox.outbox_flush()
    return {"sent": sent, "waiting": waiting}
