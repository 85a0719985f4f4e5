import os
import signal
import time

from django.core.management.base import BaseCommand

from tracker.tasks import poll_due_feeds


class Command(BaseCommand):
    help = (
        "Without a broker (plain `make run`): every --every seconds, poll the due feeds in this process. "
        "With Redis, run `celery -A tracker beat` instead. Exits when its parent process does."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--every", type=float, default=60.0, help="seconds between rounds (default 60)")
        parser.add_argument("--once", action="store_true", help="one round, then exit")

    def handle(self, *args, every: float, once: bool, **options) -> None:
        stop = False

        def _stop(*_):
            nonlocal stop
            stop = True

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        parent = os.getppid()
        self.stdout.write(f"Scheduler: polling due feeds every {every:g}s.")
        while not stop:
            result = poll_due_feeds.apply().get(propagate=False)
            if isinstance(result, dict) and (result["feeds"] or result["stalled_articles"]):
                self.stdout.write(
                    f"Scheduler: {result['feeds']} feeds polled, {result['stalled_articles']} stalled articles requeued."
                )
            if once:
                break
            deadline = time.monotonic() + every
            while not stop and time.monotonic() < deadline:
                if os.getppid() != parent:
                    return
                time.sleep(0.5)
