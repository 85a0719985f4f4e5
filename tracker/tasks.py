"""Celery tasks: thin adapters, ids in, a service call, the outcome out. One queue per stage.

Retries back off exponentially with full jitter. With ``acks_late`` a message is acknowledged
only after the task ran, so a worker killed mid-task leaves it to be delivered again; the services
are idempotent (conditional updates, unique constraints), so a second run changes nothing.
Queues are assigned in settings (CELERY_TASK_ROUTES): poll, fetch, analyse.
"""

from __future__ import annotations

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import OperationalError

from tracker.analysis.service import article_analyse
from tracker.ingest.articles import (
    ArticleBusy,
    TransientFetchFailure,
    article_fetch,
    articles_stalled_requeue,
)
from tracker.ingest.feeds import feed_poll, feeds_due_claim
from tracker.ingest.pipeline import Stages, stages_register

_DB_RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}
_FETCH_LIMIT = int(settings.FETCH_DEADLINE) + 60


@shared_task(**_DB_RETRY)
def poll_due_feeds() -> dict:
    """Beat, every minute: claim the due feeds and queue a poll for each; requeue stalled articles."""
    feed_ids = feeds_due_claim()
    for feed_id in feed_ids:
        poll_feed.delay(feed_id)
    stalled = articles_stalled_requeue()
    return {"feeds": len(feed_ids), "stalled_articles": len(stalled)}


@shared_task(soft_time_limit=_FETCH_LIMIT, time_limit=_FETCH_LIMIT + 30, **_DB_RETRY)
def poll_feed(feed_id: int, force: bool = False) -> dict:
    outcome = feed_poll(feed_id=feed_id, force=force)
    return {
        "feed": feed_id,
        "outcome": outcome.outcome,
        "new_articles": len(outcome.new_article_ids),
        "error": outcome.error,
    }


@shared_task(bind=True, soft_time_limit=_FETCH_LIMIT, time_limit=_FETCH_LIMIT + 30, **_DB_RETRY)
def fetch_article(self, article_id: int) -> dict:
    try:
        outcome = article_fetch(article_id=article_id)
    except ArticleBusy as busy:
        if self.request.is_eager:
            # In-process runs cannot wait; the stalled-article sweep picks it up once the lease ends.
            return {"article": article_id, "outcome": "busy", "error": str(busy)}
        raise self.retry(countdown=busy.retry_in, max_retries=None) from None
    except TransientFetchFailure as exc:
        countdown = get_exponential_backoff_interval(10, self.request.retries, 600, full_jitter=True)
        raise self.retry(exc=exc, countdown=countdown, max_retries=None) from None
    return {"article": article_id, "outcome": outcome.outcome, "error": outcome.error}


@shared_task(**_DB_RETRY)
def analyse_article(article_id: int) -> int:
    """Stage 3 entry point: the analysis service decides what an article yields."""
    return article_analyse(article_id=article_id)


# The ingest steps hand work on through these; tracker/apps.py imports this module at start-up.
stages_register(Stages(poll=poll_feed.delay, fetch=fetch_article.delay, analyse=analyse_article.delay))
