"""A real Celery worker against the real Redis (DB 5) and the test database.

Needs Redis on 127.0.0.1:6379 (or the host of REDIS_URL); fails with a clear message if it is not there.
"""

import time
import warnings

import pytest
from celery.exceptions import AlwaysEagerIgnored

from tests.ingest_support import (
    article_page,
    celery_worker,
    feed_reply,
    flush_redis,
    html,
    process_env,
    redis_url,
    rss,
    story,
    wait_until,
)
from tracker.models import Article, Feed, FeedPoll, FetchLog

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
VISIBILITY = 2


@pytest.fixture
def start_worker(tmp_path):
    url = redis_url()
    flush_redis(url)
    started = []

    def start(name: str):
        worker = celery_worker(name, process_env(CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY)), tmp_path)
        started.append(worker)
        worker.wait_for("ready.", timeout=60)
        return worker

    yield start
    for worker in started:
        worker.kill()
    flush_redis(url)


def send(task: str, *args) -> None:
    from tracker.celery import app

    with warnings.catch_warnings(), app.connection_for_write(redis_url()) as connection:
        warnings.simplefilter("ignore", AlwaysEagerIgnored)  # this process may be eager; the worker is not
        app.send_task(task, args=list(args), connection=connection)


def serve_feed(server, n: int, delay: float = 0.0, path: str = "/feed.xml") -> Feed:
    items = []
    for i in range(n):
        link = server.route(f"/story/{i}", html(article_page(f"Story {i}", story(500 + i)), delay=delay))
        items.append({"title": f"Story {i}", "link": link})
    return Feed.objects.create(url=server.route(path, feed_reply(rss(items))))


def settled() -> int:
    return Article.objects.filter(state__in=["analysed", "duplicate", "failed"]).count()


def test_a_worker_polls_fetches_extracts_and_hands_over_to_analysis(local_server, start_worker):
    feed = serve_feed(local_server, 5)
    wire = "BRUSSELS (Example Wire) - " + story(500) + " Distributed by the wire desk."
    local_server.route("/syndicated", html(article_page("Another headline for the same story", wire)))
    local_server.routes["/feed.xml"].body = local_server.routes["/feed.xml"].body.replace(
        b"</channel>",
        f"<item><title>Copy</title><link>{local_server.url('/syndicated')}</link></item></channel>".encode(),
    )
    worker = start_worker("pipeline")
    send("tracker.tasks.poll_feed", feed.pk)
    wait_until(lambda: settled() == 6, 45, f"articles did not settle:\n{worker.output()[-3000:]}")
    assert FeedPoll.objects.get(feed=feed).articles_created == 6
    assert Article.objects.filter(state="analysed").count() == 5
    copy = Article.objects.get(state="duplicate")
    pair = {local_server.url("/story/0"), local_server.url("/syndicated")}
    assert {
        copy.canonical_url,
        copy.duplicate_of.canonical_url,
    } == pair  # whichever settled first is the original
    assert "observers number 50000" in copy.duplicate_of.text and copy.duplicate_of.language == "en"
    assert worker.popen.poll() is None


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_nothing(local_server, start_worker):
    feed = serve_feed(local_server, 10, delay=0.3)
    first = start_worker("doomed")
    send("tracker.tasks.poll_feed", feed.pk)
    wait_until(
        lambda: Article.objects.filter(state="analysed").count() >= 3, 45, "the first worker made no progress"
    )
    first.kill()  # SIGKILL to the whole worker: main process and pool children
    assert Article.objects.count() == 10
    assert settled() < 10, "the batch finished before the kill; slow the pages down"
    time.sleep(VISIBILITY + 1)  # the unacknowledged messages become visible again
    second = start_worker("rescuer")
    wait_until(
        lambda: settled() == 10,
        90,
        f"articles lost after the kill:\n{first.output()[-2000:]}\n---\n{second.output()[-4000:]}",
    )
    assert Article.objects.filter(state="analysed").count() == 10
    for article in Article.objects.all():
        assert FetchLog.objects.filter(article=article, outcome="ok").count() == 1, article.canonical_url
    assert Article.objects.filter(feed=feed).count() == 10


def test_the_worker_paces_fetches_and_analyses_at_the_ingestion_rate_limits(local_server, tmp_path):
    """INGEST_FETCH_RATE and INGEST_ANALYSE_RATE hold a batch to a pace that leaves the readers room."""
    url = redis_url()
    flush_redis(url)
    env = process_env(INGEST_FETCH_RATE="4/s", INGEST_ANALYSE_RATE="4/s")
    worker = celery_worker("paced", env, tmp_path)
    try:
        worker.wait_for("ready.", timeout=60)
        feed = serve_feed(local_server, 8)
        send("tracker.tasks.poll_feed", feed.pk)
        wait_until(lambda: settled() == 8, 45, f"articles did not settle:\n{worker.output()[-3000:]}")
    finally:
        worker.kill()
        flush_redis(url)
    fetched = sorted(Article.objects.values_list("fetched_at", flat=True))
    analysed = sorted(Article.objects.values_list("analysed_at", flat=True))
    # Eight tasks at four a second: the first at once, then one every quarter second at the most.
    assert (fetched[-1] - fetched[0]).total_seconds() >= 1.5
    assert (analysed[-1] - analysed[0]).total_seconds() >= 1.5
    assert Article.objects.filter(state="analysed").count() == 8
