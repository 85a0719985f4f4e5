"""Follow-through: how often a declarer responded once its lines were crossed.

Each line stores its outcome (`first_crossed_on`, `first_response_on`), kept with its status by
`tracker.services.record.red_line_sync_status`, so the figures are aggregates over lines alone.
`line_outcomes` computes the same outcome from the events, for checks and bulk refreshes.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from statistics import median
from typing import Any

from django.db.models import (
    Aggregate,
    Count,
    DateField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
)

from tracker.models import Actor, Event, RedLine, Source

# (declared_on, first crossing, first response on or after it) for one line.
Outcome = tuple[date, date | None, date | None]


@dataclass(frozen=True)
class FollowThrough:
    lines_declared: int
    lines_crossed: int
    lines_enforced: int
    follow_through_rate: float | None
    median_days_to_response: float | None
    median_days_to_first_crossing: float | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)  # flat fields: what dataclasses.asdict gives, without its deep copy


def public_red_lines() -> QuerySet[RedLine]:
    return RedLine.objects.filter(is_published=True)


def _window(
    qs: QuerySet[RedLine],
    *,
    since: date | None = None,
    until: date | None = None,
    severity: str | None = None,
    category: str | None = None,
) -> QuerySet[RedLine]:
    if since:
        qs = qs.filter(declared_on__gte=since)
    if until:
        qs = qs.filter(declared_on__lte=until)
    if severity:
        qs = qs.filter(severity=severity)
    if category:
        qs = qs.filter(category=category)
    return qs


def first_crossing_subquery(line: Any = None) -> Subquery:
    """The date of a line's first sourced crossing (`line` refers to the line, OuterRef("pk") by default)."""
    sourced = Exists(Source.objects.filter(event=OuterRef("pk")))
    return Subquery(
        Event.objects.filter(red_line=line if line is not None else OuterRef("pk"), kind=Event.Kind.CROSSING)
        .filter(sourced)
        .order_by("occurred_on")
        .values("occurred_on")[:1],
        output_field=DateField(),
    )


def first_response_subquery(crossed_on: Any) -> Subquery:
    """The date of a line's first sourced response on or after `crossed_on` (an expression)."""
    sourced = Exists(Source.objects.filter(event=OuterRef("pk")))
    return Subquery(
        Event.objects.filter(red_line=OuterRef("pk"), kind=Event.Kind.RESPONSE, occurred_on__gte=crossed_on)
        .filter(sourced)
        .order_by("occurred_on")
        .values("occurred_on")[:1],
        output_field=DateField(),
    )


def line_outcomes(qs: QuerySet[RedLine]) -> QuerySet:
    """Per line, computed from its events: declarer, category, declared_on, first crossing, first response.

    Both dates are correlated subqueries over sourced events, so there is one row per line
    (no GROUP BY over joined events).
    """
    return (
        qs.order_by()
        .annotate(first_crossing=first_crossing_subquery())
        .annotate(first_response=first_response_subquery(OuterRef("first_crossing")))
        .values("pk", "declared_by_id", "category", "declared_on", "first_crossing", "first_response")
    )


def summarise(outcomes: Iterable[Outcome]) -> FollowThrough:
    """The figures for a group of lines from their outcomes."""
    rows = list(outcomes)
    crossed = [r for r in rows if r[1]]
    enforced = [r for r in crossed if r[2]]
    to_response = [(responded - crossed_on).days for _, crossed_on, responded in enforced]
    to_crossing = [(crossed_on - declared_on).days for declared_on, crossed_on, _ in crossed]
    return FollowThrough(
        lines_declared=len(rows),
        lines_crossed=len(crossed),
        lines_enforced=len(enforced),
        follow_through_rate=round(len(enforced) / len(crossed), 4) if crossed else None,
        median_days_to_response=float(median(to_response)) if to_response else None,
        median_days_to_first_crossing=float(median(to_crossing)) if to_crossing else None,
    )


class _Median(Aggregate):
    """PostgreSQL's exact median (the mean of the two middle values for an even count, as `median`)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class _DaysBetween(Func):
    """`later - earlier` in days (date minus date is an integer on PostgreSQL)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()


def _figures(row: dict[str, Any]) -> FollowThrough:
    crossed, enforced = row["lines_crossed"], row["lines_enforced"]
    to_response, to_crossing = row["median_days_to_response"], row["median_days_to_first_crossing"]
    return FollowThrough(
        lines_declared=row["lines_declared"],
        lines_crossed=crossed,
        lines_enforced=enforced,
        follow_through_rate=round(enforced / crossed, 4) if crossed else None,
        median_days_to_response=float(to_response) if to_response is not None else None,
        median_days_to_first_crossing=float(to_crossing) if to_crossing is not None else None,
    )


AGGREGATES = {
    "lines_declared": Count("*"),  # not the id: the outcomes index answers without the table
    "lines_crossed": Count("first_crossed_on"),
    "lines_enforced": Count("first_response_on"),
    "median_days_to_response": _Median(_DaysBetween(F("first_response_on"), F("first_crossed_on"))),
    "median_days_to_first_crossing": _Median(_DaysBetween(F("first_crossed_on"), F("declared_on"))),
}


def _grouped_stored(qs: QuerySet[RedLine], key: str) -> dict[Any, FollowThrough]:
    """Figures per value of `key` from the stored outcomes, aggregated in SQL."""
    rows = qs.order_by().values(key).annotate(**AGGREGATES)
    return {row[key]: _figures(row) for row in rows}


def follow_through_for_actor(
    *,
    actor: Actor,
    since: date | None = None,
    until: date | None = None,
    severity: str | None = None,
    category: str | None = None,
) -> FollowThrough:
    qs = _window(
        public_red_lines().filter(declared_by=actor),
        since=since,
        until=until,
        severity=severity,
        category=category,
    )
    return _figures(qs.order_by().aggregate(**AGGREGATES))


def follow_through_for_actor_by_category(*, actor: Actor) -> list[tuple[str, FollowThrough]]:
    """The actor's follow-through per kind of trigger (label, figures), in the categories' order."""
    figures = _grouped_stored(public_red_lines().filter(declared_by=actor), "category")
    return [(label, figures[value]) for value, label in RedLine.Category.choices if value in figures]


def follow_through_by(
    *,
    key: str,
    since: date | None = None,
    until: date | None = None,
    severity: str | None = None,
    category: str | None = None,
) -> dict[Any, FollowThrough]:
    """Follow-through grouped by `declared_by_id` or `category`."""
    return follow_through_grouped(
        keys=(key,), since=since, until=until, severity=severity, category=category
    )[key]


def follow_through_grouped(
    *,
    keys: tuple[str, ...],
    since: date | None = None,
    until: date | None = None,
    severity: str | None = None,
    category: str | None = None,
) -> dict[str, dict[Any, FollowThrough]]:
    """Follow-through grouped by each of `keys` (`declared_by_id`, `category`), from the stored outcomes."""
    qs = _window(public_red_lines(), since=since, until=until, severity=severity, category=category)
    return {key: _grouped_stored(qs, key) for key in keys}


def follow_through_grouped_computed(
    *, keys: tuple[str, ...], **window: Any
) -> dict[str, dict[Any, FollowThrough]]:
    """`follow_through_grouped` computed from the events (seconds on a million events): the reference for checks.

    `window` takes the same `since`, `until`, `severity` and `category`.
    """
    qs = _window(
        public_red_lines(), **{"since": None, "until": None, "severity": None, "category": None, **window}
    )
    groups: dict[str, dict[Any, list[Outcome]]] = {key: defaultdict(list) for key in keys}
    for row in line_outcomes(qs).iterator(chunk_size=5000):
        for key in keys:
            groups[key][row[key]].append((row["declared_on"], row["first_crossing"], row["first_response"]))
    return {key: {k: summarise(v) for k, v in found.items()} for key, found in groups.items()}
