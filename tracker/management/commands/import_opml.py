from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.errors import DomainError
from tracker.ingest.opml import ImportResult, opml_import_entry, opml_parse
from tracker.ingest.progress import progress


class Command(BaseCommand):
    help = "Import the feeds of an OPML file (the list every feed reader exports); new feeds are polled."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="an OPML file, or - for standard input")

    def handle(self, *args, path: str, **options) -> None:
        try:
            data = self.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from exc
        try:
            entries = opml_parse(data)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        result = ImportResult()
        for entry in progress(entries, total=len(entries), label="Importing feeds"):
            opml_import_entry(entry=entry, result=result)
        for url, reason in result.invalid:
            self.stderr.write(f"skipped {url}: {reason}")
        self.stdout.write(
            f"{len(entries)} feeds in file: {len(result.created)} added, "
            f"{len(result.existing)} already there, {len(result.invalid)} invalid."
        )
