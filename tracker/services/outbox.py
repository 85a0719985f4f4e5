"""Hand tasks to the broker without ever losing one: what cannot be queued now waits in the outbox.

With Redis away a web request must still answer, so ``task_enqueue`` never raises on a broker
error: it stores the task as an ``OutboxTask`` row, and ``outbox_flush`` (run by Celery beat, or by
``manage.py flush_outbox``) sends the rows again once the broker is back.
"""

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tracker.models import OutboxTask

logger = logging.getLogger(__name__)


def _send(*, task: str, args: Sequence[Any], kwargs: Mapping[str, Any], queue: str) -> None:
    options: dict[str, Any] = {"retry": False}
    if queue:
        options["queue"] = queue
    current_app.send_task(task, args=list(args), kwargs=dict(kwargs), **options)


def task_enqueue(
    *, task: str, args: Sequence[Any] = (), kwargs: Mapping[str, Any] | None = None, queue: str = ""
) -> bool:
    """Queue ``task`` by name; on a broker error keep it in the outbox. True when it reached the broker.

    In eager mode (no broker configured) the task runs here and now.
    """
    kwargs = dict(kwargs or {})
    if settings.CELERY_TASK_ALWAYS_EAGER:
        current_app.loader.import_default_modules()
        current_app.tasks[task].apply(args=list(args), kwargs=kwargs)
        return True
    try:
        _send(task=task, args=args, kwargs=kwargs, queue=queue)
        return True
    except Exception as exc:  # any broker failure: kombu, redis, socket errors
        OutboxTask.objects.create(
            task=task, args=list(args), kwargs=kwargs, queue=queue, attempts=1, error=_reason(exc)
        )
        logger.warning("broker unavailable, %s kept in the outbox: %s", task, _reason(exc))
        return False


def task_enqueue_on_commit(
    *, task: str, args: Sequence[Any] = (), kwargs: Mapping[str, Any] | None = None, queue: str = ""
) -> None:
    """``task_enqueue`` once the surrounding transaction commits (workers must see the rows)."""
    transaction.on_commit(lambda: task_enqueue(task=task, args=args, kwargs=kwargs, queue=queue))


def outbox_flush(*, limit: int = 500) -> tuple[int, int]:
    """Send waiting tasks in order; stop at the first broker error. Returns (sent, still waiting)."""
    sent = 0
    for item in OutboxTask.objects.order_by("id")[:limit]:
        with transaction.atomic():
            row = OutboxTask.objects.select_for_update(skip_locked=True).filter(pk=item.pk).first()
            if row is None:  # another flusher has it
                continue
            try:
                _send(task=row.task, args=row.args, kwargs=row.kwargs, queue=row.queue)
            except Exception as exc:
                OutboxTask.objects.filter(pk=row.pk).update(
                    attempts=row.attempts + 1, error=_reason(exc), last_attempt_at=timezone.now()
                )
                break
            row.delete()
            sent += 1
    return sent, OutboxTask.objects.count()


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
