"""Liveness and readiness.

``/healthz`` answers as long as the process serves requests. ``/readyz`` is 200 when this process
can serve: the database answers and every migration is applied. It also reports Redis (when
``REDIS_URL`` is set) and a Celery worker seen recently, which reads do not need (writes wait in the
outbox while the broker is down): an orchestrator must not take every web process out of rotation
because the workers stopped. ``/readyz?full=1`` is 503 unless everything passes, for monitoring.
Workers prove they are alive by writing a heartbeat key to Redis (see ``tracker.ops_tasks``).
Both are answered by a middleware at the top of the stack, so a probe needs neither a valid
``Host`` header nor HTTPS, and a 503 is not logged as an ERROR: the probe's caller reports it.
"""

import time
from collections.abc import Callable
from typing import Any

import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse

HEARTBEAT_PREFIX = "rlt:worker-heartbeat:"
_migrations_applied = False
_redis_clients: dict[str, redis.Redis] = {}


def redis_client(url: str | None = None) -> redis.Redis:
    """A shared client with short timeouts: a probe must answer fast even when Redis is gone."""
    url = url or settings.REDIS_URL
    if url not in _redis_clients:
        _redis_clients[url] = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
    return _redis_clients[url]


def _timed(check: Callable[[], str]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        detail = check()
        ok = True
    except Exception as exc:  # a probe reports every failure instead of raising it
        detail = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        ok = False
    return {"ok": ok, "detail": detail, "ms": round((time.perf_counter() - started) * 1000, 1)}


def check_database() -> str:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        _select_one(connection)
    except DatabaseError:
        if connection.in_atomic_block:
            raise
        connection.close()  # a connection the server dropped (restart, terminated backend): dial again
        _select_one(connection)
    return "postgresql"  # the detail /readyz has always shown; there is no other database


def _select_one(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_redis() -> str:
    if not settings.REDIS_URL:
        return "not configured: tasks run in-process"
    redis_client().ping()
    return "pong"


def check_migrations() -> str:
    global _migrations_applied
    if _migrations_applied:  # once applied they stay applied until the next deploy restarts us
        return "all applied"
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
        raise RuntimeError(f"{len(plan)} unapplied: {names}")
    _migrations_applied = True
    return "all applied"


def check_celery() -> str:
    if not settings.REDIS_URL:
        return "not configured: tasks run in-process"
    client = redis_client()
    max_age = settings.WORKER_HEARTBEAT_MAX_AGE
    now = time.time()
    seen = {}
    for key in client.scan_iter(match=f"{HEARTBEAT_PREFIX}*", count=100):
        value = client.get(key)
        if value is not None:
            seen[key.decode()[len(HEARTBEAT_PREFIX) :]] = now - float(value)
    fresh = {name: age for name, age in seen.items() if age <= max_age}
    if not fresh:
        raise RuntimeError(f"no Celery worker seen in the last {max_age} s")
    name, age = min(fresh.items(), key=lambda item: item[1])
    return f"{len(fresh)} worker(s); {name} seen {age:.0f} s ago"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "redis": check_redis,
    "migrations": check_migrations,
    "celery": check_celery,
}


# What this process needs to serve requests; the other checks are reported, and required by ?full=1.
SERVING_CHECKS = ("database", "migrations")


def readiness(*, full: bool = False) -> dict[str, Any]:
    """Every check with its outcome; ``ok`` when the serving checks pass (all of them when ``full``)."""
    checks = {name: _timed(check) for name, check in CHECKS.items()}
    for name, check in checks.items():
        check["required"] = full or name in SERVING_CHECKS
    return {"ok": all(c["ok"] for c in checks.values() if c["required"]), "full": full, "checks": checks}


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


def readyz(request: HttpRequest) -> JsonResponse:
    report = readiness(full=request.GET.get("full", "").lower() in ("1", "true"))
    response = JsonResponse(report, status=200 if report["ok"] else 503)
    response._has_been_logged = True  # Django would log every 503 probe as an ERROR (log_response)
    return response


ROUTES = {"/healthz": healthz, "/readyz": readyz}


class HealthCheckMiddleware:
    """Answers the probes before host validation, HTTPS redirects and sessions get involved."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = ROUTES.get(request.path_info.rstrip("/"))
        if view is not None and request.method in ("GET", "HEAD"):
            response = view(request)
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)
