"""Print what analysis would propose for one text file or URL, without storing anything."""

import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.analysis.detect import analyse_text
from tracker.analysis.service import analysis_snapshot, findings_kept
from tracker.analysis.text import MAX_CHARS, UnusableText

READ_LIMIT = MAX_CHARS * 4


class Command(BaseCommand):
    help = "Analyse a text file or URL and print the candidates it would propose (nothing is stored)."

    def add_arguments(self, parser):
        parser.add_argument("source", help="path of a text/HTML file, or an http(s) URL")
        parser.add_argument("--json", action="store_true", help="print JSON instead of text")
        parser.add_argument("--date", help="publication date YYYY-MM-DD (default: today)")
        parser.add_argument("--title", default="", help="headline, used to learn who is speaking")
        parser.add_argument(
            "--explain",
            action="store_true",
            help="also print the evidence the rules weighed and the rule or score that decided",
        )
        parser.add_argument(
            "--min-score",
            type=float,
            help="hide candidates scored below this (default: ANALYSIS_MIN_SCORE)",
        )

    def handle(self, *args, **opts):
        published_on = None
        if opts["date"]:
            try:
                published_on = datetime.date.fromisoformat(opts["date"])
            except ValueError:
                raise CommandError(f"--date must be YYYY-MM-DD, got {opts['date']!r}") from None
        source = opts["source"]
        title = opts["title"]
        if source.startswith(("http://", "https://")):
            raw, page_title, page_date = _fetch(source)
            title = title or page_title
            published_on = published_on or page_date
        else:
            path = Path(source)
            if not path.is_file():
                raise CommandError(f"no such file: {source}")
            with path.open("rb") as fh:
                raw = fh.read(READ_LIMIT)
        min_score = opts["min_score"]
        if min_score is not None and not 0.0 <= min_score <= 1.0:
            raise CommandError(f"--min-score must be between 0 and 1, got {min_score}")
        matcher, index = analysis_snapshot()
        trace: list[str] | None = [] if opts["explain"] else None
        try:
            analysis = analyse_text(
                raw, title=title, published_on=published_on, matcher=matcher, index=index, trace=trace
            )
        except UnusableText as exc:
            raise CommandError(f"nothing to analyse: {exc}") from None
        kept = findings_kept(analysis, min_score)
        dropped = len(analysis.findings) - len(kept)
        slug = {a.id: a.slug for a in matcher.actors.values()}
        line_slug = {line.id: line.slug for line in index.lines}
        rows = [
            {
                "kind": f.kind,
                "score": f.score,
                "declarer": slug.get(f.declarer),
                "red_line": line_slug.get(f.red_line),
                "addressees": [slug[a] for a in f.addressees if a in slug],
                "actors": [slug[a] for a in f.actors if a in slug],
                "evidence": f.evidence,
                "start": f.start,
                "end": f.end,
                "trigger": f.trigger,
                "threatened_response": f.threatened_response,
                "occurred_on": f.occurred_on.isoformat() if f.occurred_on else None,
                "rule_score": f.rule_score,
                "signals": f.signals,
            }
            for f in kept
        ]
        if opts["json"]:
            payload = {"candidates": rows, "notes": list(analysis.notes), "dropped_below_min_score": dropped}
            if trace is not None:
                payload["explain"] = trace
            self.stdout.write(json.dumps(payload, indent=2))
            return
        for note in analysis.notes:
            self.stdout.write(f"note: {note}")
        if not rows:
            self.stdout.write("No candidates: nothing in this text declares, crosses or answers a red line.")
        for row in rows:
            who = row["declarer"] or ", ".join(row["actors"]) or "?"
            line = row["red_line"] or "(new line)"
            self.stdout.write(f"{row['kind']:<13} {row['score']:.2f}  {who} → {line}")
            self.stdout.write(f"    {row['evidence']}")
        if dropped:
            self.stdout.write(f"({dropped} candidate(s) scored below the minimum score were left out)")
        if trace is not None:
            self.stdout.write("\nWhy (each piece of evidence the rules weighed, and what decided):")
            for entry in trace:
                self.stdout.write(f"  {entry}")


def _fetch(url: str) -> tuple[bytes, str, datetime.date | None]:
    try:
        from tracker.ingest.extract import ExtractionError, article_extract
        from tracker.lib.safe_http import FetchError, fetch
    except ImportError as exc:  # the ingestion package is what fetches safely
        raise CommandError(f"fetching URLs is unavailable: {exc}") from None
    try:
        result = fetch(url)
        page = article_extract(body=result.body, content_type=result.content_type, url=result.url)
    except (FetchError, ExtractionError) as exc:
        raise CommandError(f"could not fetch {url}: {getattr(exc, 'message', exc)}") from None
    return page.text.encode("utf-8"), page.title, page.published_on
