"""The Celery app, configured from Django settings (``CELERY_*``), and the worker's process hygiene.

- Before the prefork pool forks, the worker's main process loads what every task of the ingestion
  needs (trafilatura, lxml, the language model, datasketch) and freezes its heap, so the pool processes share
  those pages instead of each loading and copying them.
- Around every task Django's own per-request rules apply, as in a web request: the query log is
  emptied (it grows without end under DEBUG otherwise) and a connection is closed only when it is
  broken or older than ``CONN_MAX_AGE`` (health-checked before reuse). Celery's own fixup would
  close it around every task, a new PostgreSQL session per task; ``CELERY_DB_REUSE_MAX`` stops that.
"""

import gc
import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _preload_before_fork(**kwargs: Any) -> None:
    from tracker.ingest.dedup import dedup_warm_up
    from tracker.ingest.extract import extraction_warm_up

    extraction_warm_up()
    dedup_warm_up()
    gc.collect()
    gc.freeze()


@task_prerun.connect
@task_postrun.connect
def _database_hygiene(sender: Any = None, **kwargs: Any) -> None:
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    from django.db import close_old_connections, reset_queries

    reset_queries()
    close_old_connections()
