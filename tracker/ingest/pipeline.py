"""Handing work to the next stage: always after the surrounding transaction commits.

The steps only say which stage comes next. What carries the work there is registered by the task
module (`tracker/tasks.py` registers its Celery tasks when imported), so ingest never imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from django.db import transaction

Enqueue = Callable[[int], object]


@dataclass(frozen=True)
class Stages:
    """How to queue each stage for one feed or article id."""

    poll: Enqueue
    fetch: Enqueue
    analyse: Enqueue


_registered: Stages | None = None


def stages_register(stages: Stages) -> None:
    """Install what queues the stages (the task module calls this once, at import)."""
    global _registered
    _registered = stages


def _stages() -> Stages:
    if _registered is None:
        raise RuntimeError("no ingest stages registered: import tracker.tasks first")
    return _registered


def poll_soon(feed_id: int) -> None:
    transaction.on_commit(partial(_stages().poll, feed_id))


def fetch_soon(article_ids: Iterable[int]) -> None:
    fetch = _stages().fetch
    for article_id in article_ids:
        transaction.on_commit(partial(fetch, article_id))


def analyse_soon(article_id: int) -> None:
    transaction.on_commit(partial(_stages().analyse, article_id))
