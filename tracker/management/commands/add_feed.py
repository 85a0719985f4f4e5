from django.core.management.base import BaseCommand, CommandError

from tracker.errors import DomainError
from tracker.ingest.feeds import feed_add
from tracker.models import Feed


class Command(BaseCommand):
    help = "Add an RSS/Atom feed; it is polled at once (queued, or in-process without a broker)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("url")
        parser.add_argument("--title", default="")
        parser.add_argument("--interval", type=int, default=1800, help="seconds between polls (>= 60)")
        parser.add_argument("--inactive", action="store_true", help="add it disabled, do not poll")

    def handle(self, *args, url: str, title: str, interval: int, inactive: bool, **options) -> None:
        try:
            feed = feed_add(url=url, title=title, poll_interval=interval, active=not inactive)
        except DomainError as exc:
            raise CommandError(f"{exc.field or 'feed'}: {exc.message}") from exc
        feed = Feed.objects.get(pk=feed.pk)
        status = feed.last_status or ("inactive" if inactive else "poll queued")
        self.stdout.write(f"Added feed #{feed.pk} {feed.url} ({feed.title or 'untitled'}): {status}.")
