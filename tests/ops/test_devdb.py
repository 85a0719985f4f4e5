"""The embedded PostgreSQL of `make run` and `make test` (tracker/devdb.py)."""

import json
import os
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import psycopg2

from tests.paths import ROOT
from tracker import devdb


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))}
    full_env.update(env)
    return subprocess.run(args, cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120)


def test_with_a_database_url_the_command_runs_alone_on_it():
    url = "postgres://someone@db.example.org:5432/elsewhere"
    result = run(
        [
            sys.executable,
            "-m",
            "tracker.devdb",
            sys.executable,
            "-c",
            "import os; print(os.environ['DATABASE_URL'])",
        ],
        DATABASE_URL=url,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == url
    assert "Embedded PostgreSQL" not in result.stderr


def test_a_socket_directory_in_the_url_is_the_connections_host():
    url = devdb.database_url(Path("/srv/a checkout/.pgdata"))
    code = "from django.conf import settings; d = settings.DATABASES['default']; print(d['HOST'], d['NAME'], d['OPTIONS'])"
    result = run([sys.executable, "manage.py", "shell", "-c", code], DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "/srv/a checkout/.pgdata redline {}"


def test_the_server_starts_in_its_folder_keeps_its_data_and_stops_when_let_go(tmp_path, monkeypatch):
    monkeypatch.setattr(devdb, "PGDATA", tmp_path / "pgdata")
    server = devdb.start()
    try:
        with closing(psycopg2.connect(devdb.server_url(server))) as conn, conn, conn.cursor() as cursor:
            cursor.execute("CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)")
            cursor.execute(
                "SELECT count(*) FROM pg_available_extensions WHERE name IN ('pg_trgm', 'unaccent')"
            )
            assert cursor.fetchone() == (2,)
    finally:
        assert devdb.stop(server)
    assert not (tmp_path / "pgdata" / "postmaster.pid").exists()
    # A process killed outright never let go: its id must not keep the server up forever.
    (tmp_path / "pgdata" / ".handle_pids.json").write_text(json.dumps([2**22 + 12345]))
    again = devdb.start()
    try:
        with closing(psycopg2.connect(devdb.server_url(again))) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT n FROM kept")
            assert cursor.fetchone() == (7,)
    finally:
        assert devdb.stop(again)
