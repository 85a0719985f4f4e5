from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.errors import DomainError
from tracker.ingest.articles import article_fetch, article_submit_url
from tracker.ingest.progress import progress
from tracker.models import Article


class Command(BaseCommand):
    help = "Fetch and extract article URLs now, in this process; ready articles are queued for analysis."

    def add_arguments(self, parser) -> None:
        parser.add_argument("urls", nargs="*")
        parser.add_argument("--file", help="a file with one URL a line")

    def handle(self, *args, urls: list[str], file: str | None, **options) -> None:
        if file:
            try:
                urls = urls + [u.strip() for u in Path(file).read_text().splitlines() if u.strip()]
            except OSError as exc:
                raise CommandError(f"cannot read {file}: {exc.strerror or exc}") from exc
        if not urls:
            raise CommandError("give at least one URL (or --file)")
        states = Counter()
        for url in progress(urls, total=len(urls), label="Fetching"):
            try:
                article, created = article_submit_url(url=url, queue=False)
            except DomainError as exc:
                states["refused"] += 1
                self.stderr.write(f"{url}: {exc.message}")
                continue
            if article.state == Article.State.DISCOVERED:
                article_fetch(article_id=article.pk, max_attempts=1)
            article.refresh_from_db()
            states[article.state] += 1
            detail = f" ({article.error})" if article.error else ""
            self.stdout.write(
                f"#{article.pk} {article.state}: {article.title or article.canonical_url}{detail}"
            )
        summary = ", ".join(f"{n} {state}" for state, n in sorted(states.items()))
        self.stdout.write(f"{len(urls)} URLs: {summary}.")
        if len(urls) == 1 and states.get("refused"):
            raise CommandError("the URL was refused")
