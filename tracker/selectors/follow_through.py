"""Follow-through figures for an actor, a category or the whole record, read from the lines' stored
outcomes (`tracker.rules.follow_through` says what they are)."""

from datetime import date
from typing import Any

from django.db.models import QuerySet

from tracker.models import Actor, RedLine
from tracker.rules.follow_through import AGGREGATES, FollowThrough, figures
from tracker.selectors.red_lines import published_red_lines


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


def _grouped(qs: QuerySet[RedLine], key: str) -> dict[Any, FollowThrough]:
    """Figures per value of `key`, aggregated in SQL."""
    rows = qs.order_by().values(key).annotate(**AGGREGATES)
    return {row[key]: figures(row) for row in rows}


def follow_through_for_actor(
    *,
    actor: Actor,
    since: date | None = None,
    until: date | None = None,
    severity: str | None = None,
    category: str | None = None,
) -> FollowThrough:
    qs = _window(
        published_red_lines().filter(declared_by=actor),
        since=since,
        until=until,
        severity=severity,
        category=category,
    )
    return figures(qs.order_by().aggregate(**AGGREGATES))


def follow_through_for_actor_by_category(*, actor: Actor) -> list[tuple[str, FollowThrough]]:
    """The actor's follow-through per kind of trigger (label, figures), in the categories' order."""
    found = _grouped(published_red_lines().filter(declared_by=actor), "category")
    return [(label, found[value]) for value, label in RedLine.Category.choices if value in found]


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
    """Follow-through grouped by each of `keys` (`declared_by_id`, `category`)."""
    qs = _window(published_red_lines(), since=since, until=until, severity=severity, category=category)
    return {key: _grouped(qs, key) for key in keys}
