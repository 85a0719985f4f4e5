from django.core.management.base import BaseCommand, CommandError

from tracker.record_rules import QUOTE_MAX_WORDS, SOURCE_WINDOW_DAYS
from tracker.selectors.record_check import record_problems


class Command(BaseCommand):
    help = (
        "Check that the public record is honest: every source cited in full (URL or title, publisher, "
        f"title, date), no quote over {QUOTE_MAX_WORDS} words, no source more than {SOURCE_WINDOW_DAYS} "
        "days after what it supports, no duplicate lines, a Wikidata id for every state, person, alliance "
        "and organization. Prints one line per problem and exits non-zero if there is any."
    )

    def handle(self, *args, **options) -> None:
        problems = record_problems()
        for problem in problems:
            self.stdout.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in the record.")
        self.stdout.write("The record passes every check.")
