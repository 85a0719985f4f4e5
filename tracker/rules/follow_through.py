"""Follow-through: how often a declarer responded once its lines were crossed, computed in SQL only.

A line's outcome is its first sourced crossing and the first sourced response on or after it
(`first_crossed_on`, `first_response_on`: stored on the line with its status). The figures for a
group of lines are aggregates over those stored outcomes.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Aggregate,
    Count,
    DateField,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Subquery,
)

from tracker.models import Event
from tracker.rules.publication import event_sourced


def first_crossed_on(line: Any = None) -> Subquery:
    """The date of a line's first sourced crossing (`line` refers to the line, OuterRef("pk") by default)."""
    return Subquery(
        Event.objects.filter(red_line=line if line is not None else OuterRef("pk"), kind=Event.Kind.CROSSING)
        .filter(event_sourced())
        .order_by("occurred_on")
        .values("occurred_on")[:1],
        output_field=DateField(),
    )


def first_response_on(crossed_on: Any) -> Subquery:
    """The date of a line's first sourced response on or after `crossed_on` (an expression)."""
    return Subquery(
        Event.objects.filter(red_line=OuterRef("pk"), kind=Event.Kind.RESPONSE, occurred_on__gte=crossed_on)
        .filter(event_sourced())
        .order_by("occurred_on")
        .values("occurred_on")[:1],
        output_field=DateField(),
    )


def outcome() -> dict[str, Subquery]:
    """A line's outcome from its events, as `update()` or `annotate()` keywords for a RedLine queryset."""
    return {
        "first_crossed_on": first_crossed_on(),
        "first_response_on": first_response_on(first_crossed_on(OuterRef(OuterRef("pk")))),
    }


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


class _Median(Aggregate):
    """PostgreSQL's exact median (the mean of the two middle values for an even count)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class _DaysBetween(Func):
    """`later - earlier` in days (date minus date is an integer on PostgreSQL)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()


# The figures over a group of lines, from their stored outcomes.
AGGREGATES = {
    "lines_declared": Count("*"),  # not the id: the outcomes index answers without the table
    "lines_crossed": Count("first_crossed_on"),
    "lines_enforced": Count("first_response_on"),
    "median_days_to_response": _Median(_DaysBetween(F("first_response_on"), F("first_crossed_on"))),
    "median_days_to_first_crossing": _Median(_DaysBetween(F("first_crossed_on"), F("declared_on"))),
}


def figures(row: dict[str, Any]) -> FollowThrough:
    """The figures from a row of `AGGREGATES`."""
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
