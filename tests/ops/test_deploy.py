"""The production shape: compose file, deploy checks, settings that refuse to start unsafely."""

import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from tests.ingest_support import database_url
from tests.paths import ROOT

BIN = Path(sys.executable).parent


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    full_env.update(env)
    return subprocess.run(args, cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120)


def test_compose_file_follows_the_compose_specification():
    result = run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", "docker-compose.yml"]
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = (ROOT / "docker-compose.yml").read_text()
    for service in ("db:", "redis:", "web:", "worker:", "beat:", "healthcheck:", "pgdata:"):
        assert service in text


def test_deploy_checks_are_clean_under_production_settings():
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="redlines.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run([sys.executable, "manage.py", "check"], DEBUG="false", ALLOWED_HOSTS="x.example.org")
    assert result.returncode != 0
    assert result.stderr.strip() == "Configuration error: SECRET_KEY must be set when DEBUG is false"


def test_production_refuses_to_start_without_allowed_hosts():
    result = run([sys.executable, "manage.py", "check"], DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_database_url_that_is_not_postgresql_is_refused():
    result = run([sys.executable, "manage.py", "check"], DATABASE_URL="mysql://user@localhost/redline")
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "Configuration error: DATABASE_URL must name a PostgreSQL database (postgres://...)"
    )


@pytest.fixture
def bare_database() -> Iterator[str]:
    """The URL of an empty database (never migrated) on the test database's server."""
    name = f"rl_bare_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(database_url("postgres"))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {name}")
        yield database_url(name)
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE {name} WITH (FORCE)")
    finally:
        admin.close()


def test_a_database_not_migrated_is_one_line_and_a_closed_pipe_is_quiet(bare_database):
    result = run([sys.executable, "manage.py", "check_record"], DATABASE_URL=bare_database)
    assert result.returncode != 0
    assert result.stderr.startswith("Database error: ") and "manage.py migrate" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    # The reader of the output goes away after one line (like `| head -1`): no BrokenPipeError.
    reader = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", "for i in range(50_000): print('line', i)"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert reader.stdout.readline()
    reader.stdout.close()
    assert "Traceback" not in reader.stderr.read().decode()
    reader.wait(timeout=60)
