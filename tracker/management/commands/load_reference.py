from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker.errors import DomainError
from tracker.services.reference import REFERENCE_FILE, record_file_load


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())
    if isinstance(exc, KeyError):
        return f"a record in the file lacks the field {exc.args[0]!r}"
    return str(exc).splitlines()[0]


class Command(BaseCommand):
    help = (
        "Load the reference record (tracker/reference/record.json) through the record services: "
        "what is missing is created and what differs from the file is updated; a second run changes nothing."
    )
    default_file = REFERENCE_FILE
    name = "Reference record"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file", type=Path, default=self.default_file, help="A record file to load instead."
        )

    def handle(self, *args, **options) -> None:
        try:
            report = record_file_load(path=options["file"])
        except (DomainError, ValidationError, KeyError, ValueError, TypeError, OSError) as exc:
            # json.JSONDecodeError is a ValueError; OSError covers a missing or unreadable file.
            raise CommandError(f"{options['file']}: {_reason(exc)}") from None
        if report.changed:
            self.stdout.write(f"{self.name}: {report}.")
        else:
            self.stdout.write(f"{self.name} already loaded; nothing changed.")
