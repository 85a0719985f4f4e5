"""A red line's timeline: its declaration, its events and its recorded status changes, by date."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tracker.models import RedLine
from tracker.selectors.red_lines import red_line_events, red_line_status_history

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


def red_line_timeline(*, red_line: RedLine, as_of: date | None = None) -> list[TimelineEntry]:
    entries = [
        TimelineEntry(
            date=red_line.declared_on,
            type="declaration",
            summary=red_line.statement,
            sources=list(red_line.sources.all()),
        )
    ]
    events = list(red_line_events(red_line=red_line, as_of=as_of))
    entries += [
        TimelineEntry(
            date=e.occurred_on,
            type="event",
            kind=e.kind,
            summary=e.summary,
            event_id=e.pk,
            sources=list(e.sources.all()),
        )
        for e in events
    ]
    changes = red_line_status_history(red_line=red_line)
    if as_of is not None:
        changes = changes.filter(changed_on__lte=as_of)
    entries += [
        TimelineEntry(
            date=c.changed_on,
            type="status_change",
            summary=c.reason,
            event_id=c.event_id,
            old_status=c.old_status,
            new_status=c.new_status,
        )
        for c in changes
        if c.old_status  # the "" → active entry is the declaration itself
    ]
    order = {e.pk: i for i, e in enumerate(events)}
    return sorted(
        entries,
        key=lambda x: (x.date, _ORDER[x.type], order.get(x.event_id, len(order)) if x.event_id else -1),
    )
