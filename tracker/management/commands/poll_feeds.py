from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from tracker.ingest.feeds import feed_poll
from tracker.ingest.progress import progress
from tracker.models import Feed


class Command(BaseCommand):
    help = "Poll feeds now, in this process (new articles are queued for fetching)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("feed_ids", nargs="*", type=int, help="feed ids (default: every active feed)")
        parser.add_argument("--due", action="store_true", help="only the feeds whose poll is due")

    def handle(self, *args, feed_ids: list[int], due: bool, **options) -> None:
        from django.utils import timezone

        feeds = Feed.objects.filter(pk__in=feed_ids) if feed_ids else Feed.objects.filter(active=True)
        if due:
            feeds = feeds.filter(next_poll_at__lte=timezone.now())
        ids = list(feeds.order_by("id").values_list("id", flat=True))
        missing = set(feed_ids) - set(ids)
        if missing and not due:
            raise CommandError(f"no feed with id {', '.join(map(str, sorted(missing)))}")
        outcomes, new_articles = Counter(), 0
        for feed_id in progress(ids, total=len(ids), label="Polling feeds"):
            outcome = feed_poll(feed_id=feed_id, force=bool(feed_ids))
            outcomes[outcome.outcome] += 1
            new_articles += len(outcome.new_article_ids)
            if outcome.error:
                self.stderr.write(f"feed #{feed_id}: {outcome.error}")
        summary = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in sorted(outcomes.items()))
        self.stdout.write(f"Polled {len(ids)} feeds ({summary or 'none'}); {new_articles} new articles.")
