"""One public red line with what its detail and history show, read as plain rows (no model objects).

A detail is read on every cache miss of the API's busiest page: a handful of `values()` queries
(line, addressees, sources, events, their sources and actors, status changes) and dicts, instead of
model instances, prefetch machinery and nested serializers. The rows and their order are those of
`red_line_events`, `red_line_status_history` and the detail serializers; the columns are those of
the public shapes (tracker.shapes).
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from tracker import shapes
from tracker.models import Event, RedLine, Source, StatusChange
from tracker.rules import status as status_rules
from tracker.rules.publication import public_event, published_line
from tracker.selectors.prepared import prepared_rows
from tracker.selectors.shape_rows import SOURCE_COLUMNS, actor_refs

# The columns of the public shapes (tracker.shapes); a line's id ties its addressees, sources and events.
LINE_COLUMNS = {"id": "id", **shapes.columns(shapes.RED_LINE)}
EVENT_COLUMNS = shapes.columns(shapes.EVENT_IN_LINE)
STATUS_CHANGE_COLUMNS = ("changed_on", "reason", "event_id", "old_status", "new_status")


@dataclass
class LineDetail:
    """A line (the fields of shapes.RED_LINE and its id), its events (shapes.EVENT_IN_LINE) and its
    status changes, as dicts; addressees and actors are {slug, name}, sources shapes.SOURCE."""

    line: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    status_changes: list[dict[str, Any]] = field(default_factory=list)


# (red_line_id, event_id, *SOURCE_COLUMNS), in the sources' order.
_SOURCE_ROW = ("red_line_id", "event_id", *SOURCE_COLUMNS.values())


def _line_and_event_sources(pk: int, event_ids: list[int]) -> QuerySet[Source]:
    return (
        Source.objects.filter(Q(red_line_id=pk) | Q(event_id__any=event_ids))
        .order_by("published_on", "id")
        .values_list(*_SOURCE_ROW)
    )


_addressees = actor_refs(RedLine, "addressees")
_event_actors = actor_refs(Event, "actors")


def _published_line(slug: str) -> QuerySet[RedLine]:
    return (
        RedLine.objects.filter(published_line(), slug=slug).order_by().values_list(*LINE_COLUMNS.values())[:1]
    )


def _public_events(pk: int, as_of: date | None = None) -> QuerySet[Event]:
    events = Event.objects.filter(public_event(), red_line_id=pk)
    if as_of is not None:
        events = events.filter(occurred_on__lte=as_of)
    return events.order_by("occurred_on", "created_at", "id").values_list(*EVENT_COLUMNS.values())


def _status_changes(pk: int, as_of: date | None = None) -> QuerySet[StatusChange]:
    changes = StatusChange.objects.filter(red_line_id=pk)
    if as_of is not None:
        changes = changes.filter(changed_on__lte=as_of)
    return changes.order_by("changed_on", "recorded_at", "id").values_list(*STATUS_CHANGE_COLUMNS)


def _line(row: tuple[Any, ...]) -> dict[str, Any]:
    """A line's columns as a dict, with its addressees and sources to fill in."""
    line = dict(zip(LINE_COLUMNS, row, strict=True))
    line["addressees"], line["sources"] = [], []
    return line


def red_line_detail(
    *, slug: str, as_of: date | None = None, actors: bool = True, status_changes: bool = False
) -> LineDetail | None:
    """The published line `slug` with its public events (up to `as_of`, with the status then), or None.

    `actors` reads addressees and events' actors (the detail); `status_changes` reads the recorded
    changes (the history).
    """
    found = prepared_rows("line", _published_line, slug=slug)
    if not found:
        return None
    line = _line(found[0])
    pk = line["id"]
    detail = LineDetail(line=line)
    if actors:
        line["addressees"] = [
            {"slug": slug, "name": name}
            for _, slug, name in prepared_rows(("actors", RedLine, "addressees"), _addressees, ids=[pk])
        ]
    detail.events = [
        dict(zip(EVENT_COLUMNS, row, strict=True))
        for row in prepared_rows("events", _public_events, pk=pk, as_of=as_of)
    ]
    by_id = {e["id"]: e for e in detail.events}
    for event in detail.events:
        event["sources"], event["actors"] = [], []
    # The line's sources and its events' in one query.
    for line_id, event_id, *values in prepared_rows(
        "line-and-event-sources", _line_and_event_sources, pk=pk, event_ids=list(by_id)
    ):
        source = dict(zip(SOURCE_COLUMNS, values, strict=True))
        (line if line_id == pk else by_id[event_id])["sources"].append(source)
    if by_id and actors:
        for event_id, slug, name in prepared_rows(
            ("actors", Event, "actors"), _event_actors, ids=list(by_id)
        ):
            by_id[event_id]["actors"].append({"slug": slug, "name": name})
    if status_changes:
        detail.status_changes = [
            dict(zip(STATUS_CHANGE_COLUMNS, row, strict=True))
            for row in prepared_rows("status-changes", _status_changes, pk=pk, as_of=as_of)
        ]
    if as_of is not None:  # the status as the events up to that day give it
        result = status_rules.derive(detail.events, declared_on=line["declared_on"])
        line["status"] = result.status
        line["status_changed_on"] = result.status_changed_on
        line["last_reaffirmed_on"] = result.last_reaffirmed_on
    return detail
