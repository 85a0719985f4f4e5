"""Derived state after a change to the record: one service per kind of change, each in one order.

Status → publication → counts → tombstones → alerts: a line's status comes from its sourced
events; publication from its sources; the actors list's counts from publication; tombstones
tell mirrors what left the public record; alerts announce what is public and new.

Admin calls these services after its writes (`derived_by_caller`); the signal adapters of
`tracker.signals` call the same services for writes made anywhere else (a shell, a factory), so a
change runs them once whichever path made it. Every step recomputes from the record, except the
tombstones and the declaration, which are written once for the change that caused them.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import transaction

from tracker.alerts import services as alerts
from tracker.models import Actor, Event, RedLine, Source, StatusChange
from tracker.rules.publication import event_sourced
from tracker.services import actor_counts, derived

_by_caller: ContextVar[bool] = ContextVar("derived_by_caller", default=False)


@contextmanager
def derived_by_caller() -> Iterator[None]:
    """Writes inside leave derived state to the caller, who runs the change service once after."""
    token = _by_caller.set(True)
    try:
        yield
    finally:
        _by_caller.reset(token)


def left_to_signals(*, raw: bool = False) -> bool:
    """Whether a signal adapter runs the change service: not for fixtures (`raw`) nor when the
    writer runs it itself."""
    return not raw and not _by_caller.get()


# --- what a change needs to know of the row before it ----------------------------------------


@dataclass(frozen=True)
class EventBefore:
    red_line_id: int
    kind: str
    sourced: bool


@dataclass(frozen=True)
class RedLineBefore:
    slug: str
    declared_by_id: int
    is_published: bool


@dataclass(frozen=True)
class ActorBefore:
    slug: str
    name: str


def event_before(*, pk: int | None) -> EventBefore | None:
    if not pk:
        return None
    row = Event.objects.filter(pk=pk).values_list("red_line_id", "kind", event_sourced()).first()
    return EventBefore(*row) if row else None


def red_line_before(*, pk: int | None) -> RedLineBefore | None:
    fields = ("slug", "declared_by_id", "is_published")
    row = RedLine.objects.filter(pk=pk).values_list(*fields).first() if pk else None
    return RedLineBefore(*row) if row else None


def actor_before(*, pk: int | None) -> ActorBefore | None:
    row = Actor.objects.filter(pk=pk).values_list("slug", "name").first() if pk else None
    return ActorBefore(*row) if row else None


@dataclass(frozen=True)
class Removal:
    """What a deletion must still reach once the row is gone: actors to recount, events to tombstone."""

    actor_ids: frozenset[int] = frozenset()
    event_ids: tuple[int, ...] = ()


def event_removal(*, event: Event) -> Removal:
    counted = event.kind == Event.Kind.CROSSING
    actor_ids = actor_counts.event_actor_ids(event_id=event.pk) if counted else set()
    return Removal(actor_ids=frozenset(actor_ids), event_ids=(event.pk,))


def red_line_removal(*, red_line: RedLine) -> Removal:
    return Removal(
        actor_ids=frozenset(actor_counts.red_line_actor_ids(red_line_id=red_line.pk)),
        event_ids=tuple(
            Event.objects.filter(red_line_id=red_line.pk).order_by("pk").values_list("pk", flat=True)
        ),
    )


# --- the services ------------------------------------------------------------------------------


def event_changed(*, event: Event, before: EventBefore | None, sources_changed: bool = False) -> None:
    """An event was recorded (`before` None) or corrected, perhaps moved to another line; a writer
    that saved its sources too says so (`sources_changed`)."""
    moved_from = before.red_line_id if before and before.red_line_id != event.red_line_id else None
    counted = (
        Source.objects.filter(event=event).exists() if sources_changed else bool(before and before.sourced)
    )
    unsourced = before is not None and before.sourced and not counted
    # status: its line's, and the line it left
    change = "" if before is None else "removed" if unsourced else "corrected"
    status_changes = [
        derived.red_line_sync_status(
            red_line=event.red_line, cause=event, reason=derived.status_reason(event=event, change=change)
        )
    ]
    left = RedLine.objects.filter(pk=moved_from).first() if moved_from else None
    if left is not None:
        reason = derived.status_reason(event=event, change="moved")
        status_changes.append(derived.red_line_sync_status(red_line=left, reason=reason))
    # publication: with its sources, or on a line that may differ
    if sources_changed:
        derived.event_refresh_publication(event=event)
    elif moved_from:
        derived.event_publication_refresh(event_ids=[event.pk])
    # counts: a crossing whose sources, kind or line changed
    kinds = {event.kind} | ({before.kind} if before else set())
    moved_or_rekinded = before is not None and (before.red_line_id, before.kind) != (
        event.red_line_id,
        event.kind,
    )
    if Event.Kind.CROSSING in kinds and (sources_changed or moved_or_rekinded):
        actor_counts.actor_counts_refresh(actor_ids=actor_counts.event_actor_ids(event_id=event.pk))
    # tombstones: an event that lost its sources left the public record
    if unsourced:
        derived.tombstone(model="event", key=str(event.pk))
    # alerts: a new or newly sourced event is news once public (checked at commit)
    if before is None or sources_changed:
        _alert_event_recorded(event_id=event.pk)
    _alert_status_changed(status_changes)


def event_removed(*, event: Event, removal: Removal) -> None:
    """An event was deleted on its own (not with its line)."""
    # status
    red_line = RedLine.objects.filter(pk=event.red_line_id).first()
    change = None
    if red_line is not None:
        reason = derived.status_reason(event=event, change="removed")
        change = derived.red_line_sync_status(red_line=red_line, reason=reason)
    # counts
    actor_counts.actor_counts_refresh(actor_ids=removal.actor_ids)
    # tombstones (a deleted row has lost its pk: the removal kept it)
    for event_id in removal.event_ids:
        derived.tombstone(model="event", key=str(event_id))
    # alerts
    _alert_status_changed([change])


def source_changed(*, source: Source, created: bool = False) -> None:
    """A source was added, corrected or deleted (on its own, not with what it supports)."""
    if source.red_line_id:
        red_line = RedLine.objects.filter(pk=source.red_line_id).first()
        if red_line is not None:
            red_line_sources_changed(red_line=red_line)
        return
    event = Event.objects.filter(pk=source.event_id).select_related("red_line").first()
    if event is None:
        return
    # An event counts once it has a source: gaining its first adds it to its line's history, losing
    # its last takes it out (and out of the public record).
    counted = Source.objects.filter(event=event).exists()
    # status
    reason = derived.status_reason(event=event, change="" if counted else "removed")
    change = derived.red_line_sync_status(red_line=event.red_line, cause=event, reason=reason)
    # publication
    derived.event_refresh_publication(event=event)
    # counts
    if event.kind == Event.Kind.CROSSING:
        actor_counts.actor_counts_refresh(actor_ids=actor_counts.event_actor_ids(event_id=event.pk))
    # tombstones
    if not counted:
        derived.tombstone(model="event", key=str(event.pk))
    # alerts: a draft event becomes news with its first source
    _alert_status_changed([change])
    if created:
        _alert_event_recorded(event_id=event.pk)


def red_line_sources_changed(*, red_line: RedLine) -> None:
    """A line's sources were added, corrected or deleted: it is published while it has one."""
    # publication
    was_published, published = derived.red_line_refresh_publication(red_line=red_line)
    if was_published == published:
        return
    # counts
    actor_counts.actor_counts_refresh(actor_ids=actor_counts.red_line_actor_ids(red_line_id=red_line.pk))
    # tombstones: mirrors of the public record must drop a line gone back to draft, as if deleted
    if not published:
        derived.tombstone(model="red_line", key=red_line.slug)


def red_line_changed(*, red_line: RedLine, before: RedLineBefore | None) -> None:
    """A line was declared (`before` None) or corrected."""
    # status: a new line's history starts with its declaration; a corrected date of declaration
    # is when a line without events took its status
    change = None
    if before is None:
        derived.record_declaration(red_line=red_line)
    else:
        change = derived.red_line_sync_status(red_line=red_line, reason="Red line corrected")
    # counts: its declarer's and, when its publication changed, everyone on it
    if before is None:
        if red_line.is_published:
            actor_counts.actor_counts_refresh(
                actor_ids=actor_counts.red_line_actor_ids(red_line_id=red_line.pk)
            )
    elif before.is_published != red_line.is_published:
        affected = actor_counts.red_line_actor_ids(red_line_id=red_line.pk) | {before.declared_by_id}
        actor_counts.actor_counts_refresh(actor_ids=affected)
    elif before.declared_by_id != red_line.declared_by_id:
        actor_counts.actor_counts_refresh(actor_ids={before.declared_by_id, red_line.declared_by_id})
    # tombstones: the old address
    if before is not None and before.slug != red_line.slug:
        derived.tombstone(model="red_line", key=before.slug)
    # alerts
    _alert_status_changed([change])


def red_line_removed(*, red_line: RedLine, removal: Removal) -> None:
    """A line was deleted, with its events and sources."""
    # counts
    actor_counts.actor_counts_refresh(actor_ids=removal.actor_ids)
    # tombstones: its events, then the line
    for event_id in removal.event_ids:
        derived.tombstone(model="event", key=str(event_id))
    derived.tombstone(model="red_line", key=red_line.slug)


def actor_changed(*, actor: Actor, before: ActorBefore | None) -> None:
    """An actor was added (`before` None) or corrected."""
    if before is None:
        return
    # publication: a renamed actor changes how lines and events read
    if (before.slug, before.name) != (actor.slug, actor.name):
        derived.actor_touch_references(actor=actor)
    # tombstones: the old address
    if before.slug != actor.slug:
        derived.tombstone(model="actor", key=before.slug)


def actor_removed(*, actor: Actor) -> None:
    """An actor was deleted (its counts go with it)."""
    derived.tombstone(model="actor", key=actor.slug)


def actor_links_changed(*, actor_ids: Iterable[int]) -> None:
    """Actors were added to or removed from a line's addressees or an event's actors."""
    actor_counts.actor_counts_refresh(actor_ids=actor_ids)


# --- alerts, once the change is committed ------------------------------------------------------


def _alert_event_recorded(*, event_id: int) -> None:
    transaction.on_commit(lambda: alerts.notify_event_recorded(event_id=event_id))


def _alert_status_changed(changes: Iterable[StatusChange | None]) -> None:
    for change in changes:
        if change is not None:
            change_id = change.pk
            transaction.on_commit(lambda pk=change_id: alerts.notify_status_changed(status_change_id=pk))
