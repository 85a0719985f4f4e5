"""Score the analyser on the labelled development set, next to the naive "red line" baseline."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.analysis.evaluation import EVAL_DIR, evaluate


class Command(BaseCommand):
    help = (
        "Load the labelled record into a transaction that is rolled back, analyse the labelled "
        "articles, and print precision, recall and F1 per kind for the analyser and the baseline."
    )

    def add_arguments(self, parser):
        parser.add_argument("--record", default=str(EVAL_DIR / "record.json"))
        parser.add_argument("--articles", default=str(EVAL_DIR / "articles.jsonl"))
        parser.add_argument("--errors", action="store_true", help="also list every miss and false alarm")

    def handle(self, *args, **opts):
        record, articles = Path(opts["record"]), Path(opts["articles"])
        for path in (record, articles):
            if not path.is_file():
                raise CommandError(f"no such file: {path}")
        try:
            report = evaluate(record_path=record, articles_path=articles)
        except (ValueError, KeyError) as exc:
            raise CommandError(f"the labelled set could not be read: {exc}") from None
        self.stdout.write(f"{report.articles} articles scored (micro-averaged; database left unchanged)\n")
        self.stdout.write(report.table())
        if opts["errors"]:
            self.stdout.write("")
            for error in report.errors:
                self.stdout.write(error)
