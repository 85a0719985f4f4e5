"""A red line's timeline: its declaration, its events and its recorded status changes, by date."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tracker.selectors.red_line_detail import LineDetail

# Within one day: the declaration first, then events, then the status changes they caused.
_ORDER = {"declaration": 0, "event": 1, "status_change": 2}


@dataclass(frozen=True)
class TimelineEntry:
    date: date
    type: str
    summary: str
    kind: str = ""
    event_id: int | None = None
    old_status: str = ""
    new_status: str = ""
    sources: list[Any] = field(default_factory=list)


def red_line_timeline(*, detail: LineDetail) -> list[TimelineEntry]:
    """The timeline of a line read by `red_line_detail(..., status_changes=True)` (up to its `as_of`)."""
    line = detail.line
    entries = [
        TimelineEntry(
            date=line["declared_on"], type="declaration", summary=line["statement"], sources=line["sources"]
        )
    ]
    entries += [
        TimelineEntry(
            date=e["occurred_on"],
            type="event",
            kind=e["kind"],
            summary=e["summary"],
            event_id=e["id"],
            sources=e["sources"],
        )
        for e in detail.events
    ]
    entries += [
        TimelineEntry(
            date=c["changed_on"],
            type="status_change",
            summary=c["reason"],
            event_id=c["event_id"],
            old_status=c["old_status"],
            new_status=c["new_status"],
        )
        for c in detail.status_changes
        if c["old_status"]  # the "" → active entry is the declaration itself
    ]
    order = {e["id"]: i for i, e in enumerate(detail.events)}
    return sorted(
        entries,
        key=lambda x: (x.date, _ORDER[x.type], order.get(x.event_id, len(order)) if x.event_id else -1),
    )
