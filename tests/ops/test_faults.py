"""Degrades, never breaks: real outages of Redis and PostgreSQL connections under a running stack.

The stack is real and private to this file: our own redis-server on port 6390, our own PostgreSQL
database ``rl_ops_fault`` on the test database's server, gunicorn (1 worker), a Celery worker and
Celery beat. We never stop the shared Redis (6379) or the PostgreSQL server: Redis is stopped by shutting down our
own server; PostgreSQL's outage is caused at the connection level, by terminating every backend
connected to our database (what a PostgreSQL restart does to clients), with pg_terminate_backend.
"""

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg2
import pytest
import requests

from tests.ingest_support import PrivateRedis, database_url, free_port
from tests.paths import ROOT

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent
REDIS_PORT = 6390
FAULT_DB = "rl_ops_fault"


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except Exception:  # the thing we wait for is still coming up
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Receiver:
    def __init__(self) -> None:
        self.bodies: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[int]:
        return [b["event"]["id"] for b in self.bodies if b["type"] == "event.recorded"]


SETUP = """
import json, uuid
from django.contrib.auth.models import Group, User
from tracker.services.tokens import api_token_issue
from tracker.models import OutboxTask, Webhook
from tracker.services import record
OutboxTask.objects.all().delete()
Webhook.objects.all().delete()
user, _ = User.objects.get_or_create(username="fault-curator", defaults={"is_staff": True})
user.groups.add(Group.objects.get_or_create(name="Curator")[0])
token = api_token_issue(user=user)
suffix = uuid.uuid4().hex[:8]
actor = record.actor_create(slug=f"fault-actor-{suffix}", name=f"Fault actor {suffix}", kind="state")
line = record.red_line_create(slug=f"fault-line-{suffix}", title="A warning used by the fault tests",
    declared_by=actor, declared_on="2024-01-01", statement="Words of warning.", trigger="An action",
    severity="military", sources=[{"url": "https://news.example.org/fault"}])
Webhook.objects.create(name="fault receiver", url=RECEIVER_URL, events=["event.recorded"])
print(json.dumps({"token": token.key, "line": line.slug}))
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[dict]:
    workdir = tmp_path_factory.mktemp("faults")
    redis_server = PrivateRedis(workdir, REDIS_PORT)
    redis_server.start()
    admin = psycopg2.connect(database_url("postgres"))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [FAULT_DB])
        if not cur.fetchone():
            cur.execute(f"CREATE DATABASE {FAULT_DB}")
    receiver = Receiver()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tracker.settings",
        DEBUG="true",
        DATABASE_URL=database_url(FAULT_DB),
        REDIS_URL=f"redis://127.0.0.1:{REDIS_PORT}/0",
        CELERY_TASK_ALWAYS_EAGER="false",
        FETCH_ALLOW_LOOPBACK="true",
        OUTBOX_FLUSH_EVERY="1",
        WEBHOOK_BACKOFF_BASE="1",
        WORKER_HEARTBEAT_MAX_AGE="60",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )

    def manage(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    manage("migrate", "--noinput")
    made = json.loads(
        manage("shell", "-c", SETUP.replace("RECEIVER_URL", repr(receiver.url))).strip().splitlines()[-1]
    )
    port = free_port()
    logs = {name: open(workdir / f"{name}.log", "w") for name in ("web", "worker", "beat")}  # noqa: SIM115 (closed below)
    procs = {
        "web": subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "tracker.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=logs["web"],
            stderr=subprocess.STDOUT,
        ),
        "worker": subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "tracker",
                "worker",
                "-P",
                "solo",
                "-Q",
                "celery,poll,fetch,analyse",
                "--without-mingle",
                "--without-gossip",
                "-n",
                "fault@%h",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=logs["worker"],
            stderr=subprocess.STDOUT,
        ),
        "beat": subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "tracker",
                "beat",
                "--loglevel",
                "WARNING",
                "-s",
                str(workdir / "beat-schedule"),
            ],
            cwd=ROOT,
            env=env,
            stdout=logs["beat"],
            stderr=subprocess.STDOUT,
        ),
    }
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(
            lambda: requests.get(f"{base}/readyz?full=1", timeout=3).status_code == 200,
            60,
            "/readyz to report ready (worker heartbeat)",
        )
        yield {
            "base": base,
            "redis": redis_server,
            "receiver": receiver,
            "procs": procs,
            "logs": workdir,
            "token": made["token"],
            "line": made["line"],
        }
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        for log in logs.values():
            log.close()
        redis_server.stop()
        receiver.server.shutdown()
        admin.close()
        shutil.rmtree(workdir, ignore_errors=True)


def record_event(stack: dict, summary: str) -> requests.Response:
    return requests.post(
        f"{stack['base']}/api/v1/events/",
        json={
            "red_line": stack["line"],
            "kind": "restatement",
            "occurred_on": "2024-02-01",
            "summary": summary,
            "sources": [{"url": f"https://news.example.org/{uuid.uuid4().hex}"}],
        },
        headers={"Authorization": f"Token {stack['token']}"},
        timeout=30,
    )


def outbox_size() -> int:
    with psycopg2.connect(database_url(FAULT_DB)) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM tracker_outboxtask")
        return cur.fetchone()[0]


READ_PAGES = (
    "/",
    "/red-lines/",
    "/actors/",
    "/api/v1/red-lines/?status=active",
    "/api/v1/events/",
    "/api/v1/stats/",
)


def test_with_redis_stopped_reads_keep_serving_and_tasks_wait_then_flow_when_it_is_back(stack):
    base = stack["base"]
    stack["redis"].stop()
    try:
        for page in READ_PAGES:
            assert requests.get(base + page, timeout=10).status_code == 200, page
        assert requests.get(f"{base}/healthz", timeout=5).status_code == 200
        assert requests.get(f"{base}/readyz", timeout=10).status_code == 200  # reads need no broker
        ready = requests.get(f"{base}/readyz?full=1", timeout=10)
        assert ready.status_code == 503
        assert ready.json()["checks"]["redis"]["ok"] is False
        assert ready.json()["checks"]["database"]["ok"] is True
        written = record_event(stack, "Restated while the broker was down.")
        assert written.status_code == 201, written.text
        assert outbox_size() >= 1  # the webhook delivery and the alert emails are waiting, not lost
    finally:
        stack["redis"].start()
    event_id = written.json()["id"]
    # Beat flushes the outbox, the worker (which reconnected on its own) delivers the webhook.
    wait_for(lambda: event_id in stack["receiver"].events(), 60, "the delayed webhook delivery")
    wait_for(lambda: outbox_size() == 0, 30, "an empty outbox")
    wait_for(lambda: requests.get(f"{base}/readyz?full=1", timeout=5).status_code == 200, 60, "ready again")
    # The web process talks to the broker again directly.
    after = record_event(stack, "Restated after the broker came back.")
    assert after.status_code == 201
    wait_for(lambda: after.json()["id"] in stack["receiver"].events(), 30, "the direct webhook delivery")
    assert all(proc.poll() is None for proc in stack["procs"].values()), "a process died"


def test_after_postgres_drops_every_connection_app_and_worker_recover(stack):
    base = stack["base"]
    assert requests.get(f"{base}/api/v1/red-lines/", timeout=10).status_code == 200  # hold a connection
    admin = psycopg2.connect(database_url("postgres"))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [FAULT_DB],
        )
        terminated = cur.fetchone()[0]
    admin.close()
    assert terminated >= 2  # at least gunicorn's and the worker's (or beat's) connections
    for page in READ_PAGES:
        assert requests.get(base + page, timeout=10).status_code == 200, page
    assert requests.get(f"{base}/readyz", timeout=10).json()["checks"]["database"]["ok"] is True
    written = record_event(stack, "Restated after the database dropped its connections.")
    assert written.status_code == 201, written.text
    wait_for(lambda: written.json()["id"] in stack["receiver"].events(), 60, "a delivery by the worker")
    assert all(proc.poll() is None for proc in stack["procs"].values()), "a process died"
