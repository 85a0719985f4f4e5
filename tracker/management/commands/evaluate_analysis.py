"""Score the analyser on a labelled set, next to the naive "red line" baseline."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.analysis.calibration import MODEL_PATH, model_save
from tracker.analysis.evaluation import SETS, calibration_fit, evaluate, set_paths


class Command(BaseCommand):
    help = (
        "Load a labelled record into a transaction that is rolled back, analyse the labelled "
        "articles, and print precision, recall and F1 per kind for the analyser and the baseline, "
        "with the calibration table of the analyser's scores."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--set",
            dest="set_name",
            choices=SETS,
            default="check",
            help="check: the frozen third of the news corpus (the figure to report); tune: the part "
            "the rules are fitted on; dev: the original 80-article development set",
        )
        parser.add_argument("--record", help="a record JSON file instead of the set's")
        parser.add_argument("--articles", nargs="+", help="article JSONL files instead of the set's")
        parser.add_argument("--min-score", type=float, help="drop candidates below this score")
        parser.add_argument("--errors", action="store_true", help="also list every miss and false alarm")
        parser.add_argument(
            "--fit",
            action="store_true",
            help="first fit the calibration model on this set (only --set tune) and save it",
        )
        parser.add_argument(
            "--without-record-dates",
            action="store_true",
            help="read every article as a first report: the record's crossing, response and "
            "restatement dates are hidden from the analyser (what the rules alone find)",
        )
        parser.add_argument(
            "--explain",
            action="store_true",
            help="per article with a miss or false alarm: the evidence considered and the rule or score "
            "that decided",
        )

    def handle(self, *args, **opts):
        record, articles = set_paths(opts["set_name"])
        if opts["record"]:
            record = Path(opts["record"])
        if opts["articles"]:
            articles = [Path(p) for p in opts["articles"]]
        for path in (record, *articles):
            if not path.is_file():
                raise CommandError(f"no such file: {path}")
        if not articles:
            raise CommandError(f"the set {opts['set_name']!r} has no article files")
        min_score = opts["min_score"]
        if min_score is not None and not 0.0 <= min_score <= 1.0:
            raise CommandError(f"--min-score must be between 0 and 1, got {min_score}")
        if opts["fit"]:
            if opts["set_name"] != "tune":
                raise CommandError("the calibration model is fitted on the tune set only (--set tune --fit)")
            model = calibration_fit(record, articles)
            model_save(model)
            self.stdout.write(
                f"calibration model fitted on {opts['set_name']} and saved to {MODEL_PATH.name}"
            )
        try:
            report = evaluate(
                record_path=record,
                articles_path=articles,
                min_score=min_score,
                explain=opts["explain"],
                record_dates=not opts["without_record_dates"],
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise CommandError(f"the labelled set could not be read: {exc}") from None
        self.stdout.write(
            f"set {opts['set_name']}: {report.articles} articles scored "
            "(micro-averaged; database left unchanged)\n"
        )
        self.stdout.write(report.table())
        self.stdout.write("\ncalibration (analyser's candidates, all kinds):")
        self.stdout.write(report.calibration())
        if opts["errors"]:
            self.stdout.write("")
            for error in report.errors:
                self.stdout.write(error)
        if opts["explain"]:
            for explanation in report.explanations:
                self.stdout.write("")
                self.stdout.write(explanation)
