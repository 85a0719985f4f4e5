import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

# The generator lives with the benchmarks it serves, so this command runs from a checkout.
from bench.synthetic import synthetic_record_generate


class Command(BaseCommand):
    help = "Add a synthetic record at scale for benchmarks (written with COPY)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--actors", type=int, default=2_000)
        parser.add_argument("--lines", type=int, default=100_000, help="Red lines to add.")
        parser.add_argument("--events", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options) -> None:
        actors, lines, events = options["actors"], options["lines"], options["events"]
        if min(actors, lines, events) < 0:
            raise CommandError("--actors, --lines and --events must be zero or more.")
        if lines and actors < 2:
            raise CommandError(
                "Lines need at least two actors (a declarer and an addressee): use --actors 2+."
            )
        if events and not lines:
            raise CommandError("Events need red lines: use --lines 1 or more.")
        started = time.monotonic()
        report = synthetic_record_generate(
            actors=actors,
            red_lines=lines,
            events=events,
            seed=options["seed"],
            progress=(lambda msg: self.stdout.write(f"  {msg}")) if options["verbosity"] > 1 else None,
        )
        self.stdout.write(
            f"Added {report.actors} actors, {report.red_lines} red lines, {report.events} events, "
            f"{report.sources} sources, {report.status_changes} status changes "
            f"in {time.monotonic() - started:.1f} s."
        )
