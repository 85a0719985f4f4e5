"""Handing work to the next stage: always after the surrounding transaction commits."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.db import transaction


def poll_soon(feed_id: int) -> None:
    from tracker import tasks

    transaction.on_commit(partial(tasks.poll_feed.delay, feed_id))


def fetch_soon(article_ids: Iterable[int]) -> None:
    from tracker import tasks

    for article_id in article_ids:
        transaction.on_commit(partial(tasks.fetch_article.delay, article_id))


def analyse_soon(article_id: int) -> None:
    from tracker import tasks

    transaction.on_commit(partial(tasks.analyse_article.delay, article_id))
