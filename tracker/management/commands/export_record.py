from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.services import backup


class Command(BaseCommand):
    help = "Write the whole curated record (with audit history) to FILE as JSON Lines."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Where to write the backup; '-' for standard output.")

    def handle(self, *args, file: str, **options) -> None:
        if file == "-":
            counts = backup.record_export(out=self.stdout)
            return
        path = Path(file)
        if not path.parent.is_dir():
            raise CommandError(f"no such directory: {path.parent}")
        partial = path.with_name(path.name + ".partial")
        with partial.open("w", encoding="utf-8") as out:
            counts = backup.record_export(out=out)
        partial.replace(path)  # a crash never leaves a half-written file under the real name
        total = sum(counts.values())
        self.stderr.write(f"exported {total} rows from {len(counts)} tables to {path}")
