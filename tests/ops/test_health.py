"""Probes, request ids and JSON logs."""

import json
import logging
import os
import secrets
import subprocess
import sys
import time

import pytest
import redis
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from tests.paths import ROOT
from tracker import health
from tracker.logging import JsonLogFormatter, RequestIdFilter, request_id_var
from tracker.ops_tasks import heartbeat_write

REDIS_TEST_URL = "redis://127.0.0.1:6379/7"


@pytest.fixture
def redis_db7(settings):
    """Our own Redis database (7) on the shared server, emptied before and after."""
    client = redis.Redis.from_url(REDIS_TEST_URL)
    client.flushdb()
    settings.REDIS_URL = REDIS_TEST_URL
    yield client
    client.flushdb()


def test_healthz_answers_without_a_valid_host_or_https(client):
    response = client.get("/healthz", HTTP_HOST="probe.invalid")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_is_ready_without_a_broker_configured(client, settings):
    settings.REDIS_URL = ""
    body = client.get("/readyz").json()
    assert body["ok"] is True, body
    assert set(body["checks"]) == {"database", "redis", "migrations", "celery"}
    assert body["checks"]["migrations"]["detail"] == "all applied"
    assert "not configured" in body["checks"]["redis"]["detail"]


@pytest.mark.django_db
def test_readyz_reports_an_unapplied_migration(client, monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)
    leaf = max(name for app, name in MigrationLoader(connection).graph.leaf_nodes() if app == "tracker")
    MigrationRecorder.Migration.objects.filter(app="tracker", name=leaf).delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    check = response.json()["checks"]["migrations"]
    assert check["ok"] is False
    assert f"tracker.{leaf}" in check["detail"]


@pytest.mark.django_db
def test_readyz_is_ready_without_a_worker_and_full_needs_its_heartbeat(client, redis_db7, caplog):
    with caplog.at_level(logging.WARNING):
        response = client.get("/readyz")
        assert response.status_code == 200, response.json()  # reads need no worker
        checks = response.json()["checks"]
        assert checks["celery"]["ok"] is False and checks["celery"]["required"] is False
        assert "no Celery worker seen" in checks["celery"]["detail"]
        assert checks["database"]["required"] is True

        response = client.get("/readyz?full=1")
        assert response.status_code == 503
        assert response.json()["full"] is True
        assert response.json()["checks"]["redis"]["ok"] is True
        assert response.json()["checks"]["celery"]["required"] is True
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "a probe is not an error"

    heartbeat_write(force=True)
    response = client.get("/readyz?full=1")
    assert response.status_code == 200, response.json()
    assert "seen 0 s ago" in response.json()["checks"]["celery"]["detail"]


@pytest.mark.django_db
def test_readyz_full_ignores_a_stale_heartbeat(client, redis_db7, settings):
    redis_db7.set(
        f"{health.HEARTBEAT_PREFIX}celery@gone", time.time() - settings.WORKER_HEARTBEAT_MAX_AGE - 5
    )
    assert client.get("/readyz?full=1").status_code == 503
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_fails_fast_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    started = time.monotonic()
    response = client.get("/readyz?full=1")
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["redis"]["ok"] is False
    assert "ConnectionError" in checks["redis"]["detail"]
    assert checks["database"]["ok"] is True
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    response = client.get("/api/schema/")
    generated = response["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/api/schema/")["X-Request-ID"] != generated


@pytest.mark.django_db
def test_a_sane_incoming_request_id_is_kept_and_a_bad_one_replaced(client):
    assert client.get("/api/schema/", HTTP_X_REQUEST_ID="proxy-id-12345")["X-Request-ID"] == "proxy-id-12345"
    replaced = client.get("/api/schema/", HTTP_X_REQUEST_ID="bad id\nwith newline")["X-Request-ID"]
    assert replaced != "bad id\nwith newline"
    assert len(replaced) == 32


def test_json_formatter_writes_one_object_with_the_request_id():
    record = logging.LogRecord("tracker.x", logging.WARNING, __file__, 1, "hello %s", ("world",), None)
    token = request_id_var.set("req-abc-123")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = JsonLogFormatter().format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "hello world"
    assert data["level"] == "WARNING"
    assert data["logger"] == "tracker.x"
    assert data["request_id"] == "req-abc-123"


def test_production_logs_are_json_lines_with_request_ids():
    script = (
        "import django, logging; django.setup();"
        "from django.test import Client;"
        "Client(HTTP_HOST='redlines.example.org').get('/nowhere/', secure=True, HTTP_X_REQUEST_ID='trace-0001-abcd')"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "LOG_FORMAT")}
    env.update(
        DEBUG="false",
        TESTING="true",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="redlines.example.org",
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    request_lines = [line for line in lines if line["logger"] == "tracker.request"]
    assert request_lines, result.stderr
    assert request_lines[-1]["request_id"] == "trace-0001-abcd"
    assert request_lines[-1]["status"] == 404
    assert request_lines[-1]["path"] == "/nowhere/"
