"""The production topology as real processes: gunicorn, a Celery worker and Celery beat on Redis DB 5.

A feed added through the API is polled at once; a feed that falls due is polled by beat. Both
feeds' articles appear through the API.
"""

import json
import sys
import urllib.request

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from tests.ingest_support import (
    Process,
    article_page,
    celery_worker,
    feed_reply,
    flush_redis,
    free_port,
    html,
    process_env,
    redis_url,
    rss,
    story,
    wait_until,
)
from tracker.models import Feed
from tracker.services.tokens import api_token_issue

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def serve(server, prefix: str, n: int) -> str:
    items = []
    for i in range(n):
        link = server.route(
            f"/{prefix}/{i}", html(article_page(f"{prefix} {i}", story(700 + 10 * len(prefix) + i)))
        )
        items.append({"title": f"{prefix} {i}", "link": link})
    return server.route(f"/{prefix}.xml", feed_reply(rss(items, title=f"{prefix} feed")))


def api(port: int, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST" if body is not None else "GET",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def analysed_count(port: int, token: str, feed_id: int) -> int:
    return api(port, f"/api/v1/articles/?feed={feed_id}&state=analysed", token)[1]["count"]


def test_a_feed_added_through_the_api_is_ingested_by_the_real_processes(
    local_server, tmp_path, django_user_model
):
    url = redis_url()
    flush_redis(url)
    curator = django_user_model.objects.create_user("topology-curator")
    curator.groups.add(Group.objects.get_or_create(name="Curator")[0])  # a flushed test database lost it
    token = api_token_issue(user=curator).key
    env = process_env(POLL_DUE_FEEDS_EVERY="2")
    port = free_port()
    processes = [
        Process(
            "gunicorn",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "tracker.wsgi:application",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "2",
            ]
            + ["--no-control-socket", "--access-logfile", "-"],
            env,
            tmp_path,
        ),
        celery_worker("topology", env, tmp_path),
        Process(
            "beat",
            [sys.executable, "-m", "celery", "-A", "tracker", "beat", "-l", "INFO", "--pidfile="],
            env,
            tmp_path,
        ),
    ]
    try:
        processes[0].wait_for("Booting worker", 60)
        processes[1].wait_for("ready.", 60)
        processes[2].wait_for("beat: Starting", 60)
        wait_until(lambda: _up(port), 30, f"gunicorn does not answer:\n{processes[0].output()[-2000:]}")

        status, feed = api(port, "/api/v1/feeds/", token, {"url": serve(local_server, "added", 3)})
        assert status == 201 and feed["active"]
        logs = lambda: "\n---\n".join(p.output()[-2000:] for p in processes)  # noqa: E731
        wait_until(
            lambda: analysed_count(port, token, feed["id"]) == 3, 60, f"articles of the added feed:\n{logs()}"
        )

        due = Feed.objects.create(url=serve(local_server, "scheduled", 2), next_poll_at=timezone.now())
        wait_until(
            lambda: analysed_count(port, token, due.pk) == 2, 60, f"beat did not poll the due feed:\n{logs()}"
        )
        articles = api(port, f"/api/v1/articles/?feed={due.pk}", token)[1]["results"]
        assert {a["title"] for a in articles} == {"scheduled 0", "scheduled 1"}
        assert all(a["text"] and a["language"] == "en" for a in articles)
        assert "poll_due_feeds" in processes[2].output()
    finally:
        for process in processes:
            process.kill()
        flush_redis(url)


def _up(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
        return True
    except OSError:
        return False
