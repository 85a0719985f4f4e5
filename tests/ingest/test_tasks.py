"""Celery tasks run in-process: the chain poll -> fetch -> analyse, retries, idempotency, routing."""

import ast
import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from tests.ingest_support import Reply, article_page, feed_reply, html, rss, story
from tracker import tasks
from tracker.ingest import pipeline
from tracker.models import Article, Feed, FeedPoll, FetchLog

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fetch_settings", "eager_tasks"),
]


def serve_feed(server, n: int, prefix: str = "/p") -> str:
    items = []
    for i in range(n):
        link = server.route(f"{prefix}/{i}", html(article_page(f"Story {i}", story(100 + i))))
        items.append({"title": f"Story {i}", "link": link})
    return server.route(f"{prefix}/feed.xml", feed_reply(rss(items)))


def test_beat_task_polls_due_feeds_and_the_chain_runs_to_analysis(local_server):
    feed = Feed.objects.create(url=serve_feed(local_server, 3), next_poll_at=timezone.now())
    result = tasks.poll_due_feeds.delay().get()
    assert result == {"feeds": 1, "stalled_articles": 0}
    assert set(Article.objects.filter(feed=feed).values_list("state", flat=True)) == {Article.State.ANALYSED}
    assert Article.objects.count() == 3 and FeedPoll.objects.count() == 1
    assert tasks.poll_due_feeds.delay().get()["feeds"] == 0  # not due again before its interval


def test_running_every_task_twice_creates_nothing_twice(local_server):
    feed = Feed.objects.create(url=serve_feed(local_server, 2))
    tasks.poll_feed.delay(feed.pk).get()
    tasks.poll_feed.delay(feed.pk).get()
    for article_id in Article.objects.values_list("id", flat=True):
        assert tasks.fetch_article.delay(article_id).get()["outcome"] == "skipped"
        tasks.analyse_article.delay(article_id).get()
    assert Article.objects.count() == 2 and FetchLog.objects.count() == 2
    assert set(Article.objects.values_list("state", flat=True)) == {Article.State.ANALYSED}


def test_a_transient_fetch_error_is_retried_and_then_succeeds(local_server):
    url = local_server.route("/flaky", [Reply(503, b"busy"), html(article_page("Back again", story(7)))])
    article = Article.objects.create(url=url, canonical_url=url)
    result = tasks.fetch_article.delay(article.pk).get()
    article.refresh_from_db()
    assert result["outcome"] == "fetched" and article.attempts == 2
    assert local_server.hits["/flaky"] == 2


def test_a_fetch_that_keeps_failing_ends_failed_after_its_attempts(local_server):
    url = local_server.route("/down", Reply(500, b"down"))
    article = Article.objects.create(url=url, canonical_url=url)
    assert tasks.fetch_article.delay(article.pk).get()["outcome"] == "failed"
    article.refresh_from_db()
    assert article.state == Article.State.FAILED and article.attempts == 4 and "HTTP 500" in article.error


def test_a_busy_article_in_process_is_left_for_the_stalled_sweep(local_server):
    url = local_server.route("/held", html(article_page("Held", story(8))))
    article = Article.objects.create(
        url=url, canonical_url=url, claimed_until=timezone.now() + datetime.timedelta(minutes=5)
    )
    assert tasks.fetch_article.delay(article.pk).get()["outcome"] == "busy"
    assert Article.objects.get(pk=article.pk).state == Article.State.DISCOVERED


def test_each_stage_has_its_own_queue_and_beat_polls_every_minute():
    routes = settings.CELERY_TASK_ROUTES
    assert (
        routes["tracker.tasks.poll_due_feeds"]["queue"]
        == routes["tracker.tasks.poll_feed"]["queue"]
        == "poll"
    )
    assert routes["tracker.tasks.fetch_article"]["queue"] == "fetch"
    assert routes["tracker.tasks.analyse_article"]["queue"] == "analyse"
    entry = settings.CELERY_BEAT_SCHEDULE["poll-due-feeds"]
    assert entry["task"] == "tracker.tasks.poll_due_feeds" and entry["schedule"] == 60.0
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST


def test_the_ingest_stages_hand_work_to_the_celery_tasks():
    stages = pipeline._stages()
    assert stages.poll == tasks.poll_feed.delay
    assert stages.fetch == tasks.fetch_article.delay
    assert stages.analyse == tasks.analyse_article.delay


def test_no_ingest_module_imports_the_task_module():
    ingest = Path(pipeline.__file__).parent
    imported = set()
    for module in ingest.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom):
                imported |= {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
            elif isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
    assert "tracker.tasks" not in imported
