"""Figures for the whole public record: counts and follow-through with the counts behind it."""

import hashlib
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import Count

from tracker.models import Actor, RedLine
from tracker.selectors.dashboard import record_version
from tracker.selectors.follow_through import follow_through_grouped
from tracker.selectors.red_lines import public_red_lines


def _counts(field: str, choices: list[tuple[str, str]], qs) -> dict[str, int]:
    found = dict(qs.order_by().values_list(field).annotate(n=Count("id")))
    return {value: found.get(value, 0) for value, _ in choices}


STATS_CACHE_SECONDS = 3600


def record_stats(
    *,
    declared_after: date | None = None,
    declared_before: date | None = None,
    severity: str | None = None,
    category: str | None = None,
) -> dict[str, Any]:
    """`record_stats_compute`, cached until the record changes (follow-through reads every line)."""
    window = (declared_after, declared_before, severity, category)
    key = "record-stats:" + hashlib.sha256(f"{record_version()}:{window}".encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = record_stats_compute(
            declared_after=declared_after,
            declared_before=declared_before,
            severity=severity,
            category=category,
        )
        cache.set(key, found, STATS_CACHE_SECONDS)
    return found


def record_stats_compute(
    *,
    declared_after: date | None = None,
    declared_before: date | None = None,
    severity: str | None = None,
    category: str | None = None,
) -> dict[str, Any]:
    """Counts by status, severity and category; follow-through per declaring actor and per category.

    The optional window and severity/category narrow every figure alike.
    """
    lines = public_red_lines()
    if declared_after:
        lines = lines.filter(declared_on__gte=declared_after)
    if declared_before:
        lines = lines.filter(declared_on__lte=declared_before)
    if severity:
        lines = lines.filter(severity=severity)
    if category:
        lines = lines.filter(category=category)
    window = {"since": declared_after, "until": declared_before, "severity": severity, "category": category}
    grouped = follow_through_grouped(keys=("declared_by_id", "category"), **window)
    by_actor = grouped["declared_by_id"]
    actors = Actor.objects.in_bulk(list(by_actor), field_name="id")
    actor_rows = [
        {"actor": actors[pk].slug, "name": actors[pk].name, **figures.as_dict()}
        for pk, figures in by_actor.items()
        if pk in actors
    ]
    actor_rows.sort(key=lambda r: (-r["lines_crossed"], -r["lines_declared"], r["actor"]))
    by_category = grouped["category"]
    category_rows = [
        {"category": value, **by_category[value].as_dict()}
        for value, _ in RedLine.Category.choices
        if value in by_category
    ]
    by_status = _counts("status", RedLine.Status.choices, lines)
    return {
        "total": sum(by_status.values()),
        "by_status": by_status,
        "by_severity": _counts("severity", RedLine.Severity.choices, lines),
        "by_category": _counts("category", RedLine.Category.choices, lines),
        "follow_through_by_actor": actor_rows,
        "follow_through_by_category": category_rows,
    }
