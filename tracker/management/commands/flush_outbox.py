from django.core.management.base import BaseCommand

from tracker.services import outbox


class Command(BaseCommand):
    help = "Send the tasks that waited in the outbox while the broker was unavailable."

    def handle(self, *args, **options) -> None:
        sent, waiting = outbox.outbox_flush()
        self.stdout.write(f"sent {sent}, still waiting {waiting}")
