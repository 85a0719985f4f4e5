"""Follow-through: how often a declarer responded once its lines were crossed."""

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from statistics import median
from typing import Any

from django.db.models import DateField, Exists, OuterRef, QuerySet, Subquery

from tracker.models import Actor, Event, RedLine, Source


@dataclass(frozen=True)
class FollowThrough:
    lines_declared: int
    lines_crossed: int
    lines_enforced: int
    follow_through_rate: float | None
    median_days_to_response: float | None
    median_days_to_first_crossing: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def public_red_lines() -> QuerySet[RedLine]:
    return RedLine.objects.filter(is_published=True)


def public_events() -> QuerySet[Event]:
    return Event.objects.filter(red_line__is_published=True, sources__isnull=False).distinct()


def _window(
    qs: QuerySet[RedLine],
    *,
    since: date | None,
    until: date | None,
    severity: str | None,
    category: str | None,
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


def line_outcomes(qs: QuerySet[RedLine]) -> QuerySet:
    """Per line: declarer, category, declared_on, first crossing, first response on/after it.

    Both dates are correlated subqueries over sourced events, so there is one row per line
    (no GROUP BY over joined events) and it runs the same on PostgreSQL and SQLite.
    """
    sourced = Exists(Source.objects.filter(event=OuterRef("pk")))
    first_crossing = (
        Event.objects.filter(red_line=OuterRef("pk"), kind=Event.Kind.CROSSING)
        .filter(sourced)
        .order_by("occurred_on")
        .values("occurred_on")[:1]
    )
    first_response = (
        Event.objects.filter(
            red_line=OuterRef("pk"),
            kind=Event.Kind.RESPONSE,
            occurred_on__gte=OuterRef("first_crossing"),
        )
        .filter(sourced)
        .order_by("occurred_on")
        .values("occurred_on")[:1]
    )
    return (
        qs.order_by()
        .annotate(first_crossing=Subquery(first_crossing, output_field=DateField()))
        .annotate(first_response=Subquery(first_response, output_field=DateField()))
        .values("pk", "declared_by_id", "category", "declared_on", "first_crossing", "first_response")
    )


def summarise(rows: list[dict[str, Any]]) -> FollowThrough:
    crossed = [r for r in rows if r["first_crossing"]]
    enforced = [r for r in crossed if r["first_response"]]
    to_response = [(r["first_response"] - r["first_crossing"]).days for r in enforced]
    to_crossing = [(r["first_crossing"] - r["declared_on"]).days for r in crossed]
    return FollowThrough(
        lines_declared=len(rows),
        lines_crossed=len(crossed),
        lines_enforced=len(enforced),
        follow_through_rate=round(len(enforced) / len(crossed), 4) if crossed else None,
        median_days_to_response=float(median(to_response)) if to_response else None,
        median_days_to_first_crossing=float(median(to_crossing)) if to_crossing else None,
    )


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
    return summarise(list(line_outcomes(qs)))


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
    """Follow-through grouped by each of `keys` (`declared_by_id`, `category`) from one pass.

    The outcomes query reads every public line and its events (seconds on a million events),
    so several groupings share it rather than running it once each.
    """
    qs = _window(public_red_lines(), since=since, until=until, severity=severity, category=category)
    groups: dict[str, dict[Any, list[dict[str, Any]]]] = {key: defaultdict(list) for key in keys}
    for row in line_outcomes(qs).iterator(chunk_size=5000):
        for key in keys:
            groups[key][row[key]].append(row)
    return {key: {k: summarise(v) for k, v in found.items()} for key, found in groups.items()}
