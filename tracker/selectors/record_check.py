"""Everything in the public record that breaks a rule of `tracker.record_rules`, one sentence each.

Read by `manage.py check_record`, which a test runs on the shipped reference record.
"""

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from tracker.models import Actor, RedLine, Source
from tracker.record_rules import (
    SOURCE_WINDOW_DAYS,
    WIKIDATA_KINDS,
    quote_problem,
    source_lateness,
    source_missing,
    trigger_key,
)
from tracker.rules.publication import public_event, published_line


def _source_problems(source: Source, *, owner: str, supported_on: date, what: str) -> Iterator[str]:
    cited = source.url or source.title or f"#{source.pk}"
    missing = source_missing(
        url=source.url, title=source.title, publisher=source.publisher, published_on=source.published_on
    )
    if missing:
        yield f"{owner}: source {cited} has no {', no '.join(missing)}"
    if problem := quote_problem(source.quote):
        yield f"{owner}: source {cited}: {problem}"
    if late := source_lateness(published_on=source.published_on, supported_on=supported_on):
        yield (
            f"{owner}: source {cited} is dated {source.published_on}, {late} days after {what} "
            f"{supported_on} (at most {SOURCE_WINDOW_DAYS})"
        )


def record_problems() -> list[str]:
    """Every problem in the published lines and public events, sorted by the record they concern."""
    problems: list[str] = []
    lines = list(RedLine.objects.filter(published_line()).select_related("declared_by").order_by("slug"))
    for source in Source.objects.filter(published_line("red_line__")).select_related("red_line"):
        line = source.red_line
        problems += _source_problems(
            source, owner=f"red line {line.slug}", supported_on=line.declared_on, what="its declaration on"
        )
    for source in Source.objects.filter(public_event("event__")).select_related("event__red_line"):
        event = source.event
        owner = f"red line {event.red_line.slug}, {event.kind} of {event.occurred_on}"
        problems += _source_problems(source, owner=owner, supported_on=event.occurred_on, what="the event on")

    same: dict[tuple, list[str]] = defaultdict(list)
    for line in lines:
        same[(line.declared_by_id, trigger_key(line.trigger), line.declared_on)].append(line.slug)
    for slugs in same.values():
        if len(slugs) > 1:
            problems.append(f"red lines {', '.join(slugs)}: the same declarer, trigger and date (duplicates)")

    on_record = published_line("red_lines_declared__") | published_line("red_lines_addressed__")
    unidentified = (
        Actor.objects.filter(on_record | public_event("events__"), kind__in=WIKIDATA_KINDS, wikidata_id="")
        .distinct()
        .order_by("slug")
    )
    problems += [f"actor {a.slug} ({a.kind}): no Wikidata id" for a in unidentified]
    return sorted(problems)
