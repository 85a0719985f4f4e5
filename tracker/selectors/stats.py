"""Figures for the whole public record: counts and follow-through with the counts behind it."""

import hashlib
from collections import Counter
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import Count, QuerySet

from tracker.models import Actor, RedLine
from tracker.selectors.dashboard import record_version
from tracker.selectors.follow_through import follow_through_grouped
from tracker.selectors.red_lines import public_red_lines

FACETS = {
    "status": RedLine.Status.choices,
    "severity": RedLine.Severity.choices,
    "category": RedLine.Category.choices,
}


def _counts(qs: QuerySet[RedLine]) -> dict[str, dict[str, int]]:
    """Lines by status, by severity and by category, from one index-only count of their combinations."""
    totals: dict[str, Counter] = {field: Counter() for field in FACETS}
    for *values, n in qs.order_by().values_list(*FACETS).annotate(n=Count("*")):
        for field, value in zip(FACETS, values, strict=True):
            totals[field][value] += n
    return {field: {value: totals[field][value] for value, _ in choices} for field, choices in FACETS.items()}


STATS_CACHE_SECONDS = 3600


def record_stats(
    *,
    declared_after: date | None = None,
    declared_before: date | None = None,
    severity: str | None = None,
    category: str | None = None,
) -> dict[str, Any]:
    """`record_stats_compute`, cached until the record changes."""
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
    actors = {pk: (slug, name) for pk, slug, name in Actor.objects.values_list("pk", "slug", "name")}
    actor_rows = [
        {"actor": actors[pk][0], "name": actors[pk][1], **figures.as_dict()}
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
    counts = _counts(lines)
    return {
        "total": sum(counts["status"].values()),
        "by_status": counts["status"],
        "by_severity": counts["severity"],
        "by_category": counts["category"],
        "follow_through_by_actor": actor_rows,
        "follow_through_by_category": category_rows,
    }
