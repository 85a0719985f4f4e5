from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.errors import DomainError
from tracker.services import backup


class Command(BaseCommand):
    help = "Restore a record backup made by export_record into an empty database (all or nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")

    def handle(self, *args, file: str, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            with path.open(encoding="utf-8") as lines:
                counts = backup.record_import(lines=lines)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"not a record backup: {exc}") from exc
        self.stdout.write(f"imported {sum(counts.values())} rows into {len(counts)} tables from {path}")
