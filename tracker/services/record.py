"""Writes to the curated record. Admin, API, tasks and commands all go through here."""

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Literal

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone

from tracker.errors import DomainError, ProtectedRecord
from tracker.models import Actor, Deletion, Event, RedLine, Source, StatusChange
from tracker.rules import follow_through
from tracker.rules import status as status_rules
from tracker.rules.publication import event_public_from_scratch, event_sourced
from tracker.selectors.red_line_detail import SOURCE_COLUMNS
from tracker.services.actor_counts import actor_counts_refresh, red_line_actor_ids

SOURCE_FIELDS = SOURCE_COLUMNS
ACTOR_FIELDS = ("name", "kind", "country", "affiliation", "aliases", "wikidata_id", "description")
RED_LINE_FIELDS = (
    "title",
    "declared_by",
    "declared_on",
    "statement",
    "trigger",
    "threatened_response",
    "explicitness",
    "severity",
    "category",
    "theatre",
    "topics",
    "restates",
)
EVENT_FIELDS = ("kind", "occurred_on", "summary", "partial")
# Stored on RedLine, derived from its sourced events by tracker.rules.status.derive ...
STATUS_FIELDS = ("status", "status_changed_on", "last_reaffirmed_on")
# ... and by tracker.rules.follow_through, in SQL.
OUTCOME_FIELDS = ("first_crossed_on", "first_response_on")


def _as_user(instance: Any, user: Any) -> None:
    if user is not None and getattr(user, "is_authenticated", False):
        instance._history_user = user


def _save(instance: Any, user: Any) -> None:
    instance.full_clean()
    _as_user(instance, user)
    try:
        instance.save()
    except IntegrityError as exc:  # a race past full_clean, e.g. two writers with one slug
        raise DomainError(f"Could not save: {exc}".splitlines()[0]) from exc


# --- status ---------------------------------------------------------------------------

# What became of the event that changed a line's status, as the public history tells it.
_WHAT_BECAME = {
    "": "",
    "corrected": " (corrected)",
    "removed": " removed from the record",
    "moved": " moved to another red line",
}


def status_reason(*, event: Event, change: Literal["", "corrected", "removed", "moved"] = "") -> str:
    """Why a line's status changed, written for readers of its history: "Crossing on 2024-11-19".

    `change` says what befell the event when that, not the event itself, is the cause.
    """
    return f"{event.get_kind_display()} on {event.occurred_on.isoformat()}{_WHAT_BECAME[change]}"


def red_line_sync_status(
    *, red_line: RedLine, cause: Event | None = None, reason: str = ""
) -> StatusChange | None:
    """Recompute a line's status and follow-through outcome from its sourced events.

    A change of status is recorded as a StatusChange.
    """
    with transaction.atomic():
        # Lock the row and read the stored status afresh: the caller's copy may be stale.
        stored = (
            RedLine.objects.select_for_update()
            .filter(pk=red_line.pk)
            .annotate(**{f"new_{name}": expression for name, expression in follow_through.outcome().items()})
            .values(
                "declared_on", *STATUS_FIELDS, *OUTCOME_FIELDS, *(f"new_{name}" for name in OUTCOME_FIELDS)
            )
            .first()
        )
        if stored is None:
            return None
        facts = Event.objects.filter(event_sourced(), red_line_id=red_line.pk).values(
            "kind", "occurred_on", "created_at", "id"
        )
        result = status_rules.derive(facts, declared_on=stored["declared_on"])
        fields = {name: getattr(result, name) for name in STATUS_FIELDS}
        fields |= {name: stored[f"new_{name}"] for name in OUTCOME_FIELDS}
        for key, value in fields.items():
            setattr(red_line, key, value)
        if all(stored[k] == v for k, v in fields.items()):
            return None
        RedLine.objects.filter(pk=red_line.pk).update(**fields, updated_at=timezone.now())
        if stored["status"] == result.status:
            return None
        cause_id = cause.pk if cause is not None and Event.objects.filter(pk=cause.pk).exists() else None
        return StatusChange.objects.create(
            red_line_id=red_line.pk,
            changed_on=result.status_changed_on,
            old_status=stored["status"],
            new_status=result.status,
            event_id=cause_id,
            reason=reason or "Record corrected",
        )


def red_line_outcomes_refresh() -> int:
    """Recompute every line's follow-through outcome from its events (bulk loads); returns lines updated.

    Per-line writes keep it through `red_line_sync_status`; this is for data written around it.
    """
    return RedLine.objects.update(**follow_through.outcome())


def red_line_refresh_publication(*, red_line: RedLine) -> None:
    """Publish a line once it has a source; a line that loses its last one goes back to draft."""
    published = Source.objects.filter(red_line=red_line).exists()
    stored = RedLine.objects.filter(pk=red_line.pk).values_list("is_published", flat=True).first()
    # Any change of sources changes what the line shows: bump it for mirrors and read caches.
    RedLine.objects.filter(pk=red_line.pk).update(is_published=published, updated_at=timezone.now())
    if stored is not None and stored != published:
        event_publication_refresh(red_line_id=red_line.pk)
        actor_counts_refresh(actor_ids=red_line_actor_ids(red_line_id=red_line.pk))
    if red_line.is_published != published:
        red_line.is_published = published
        if not published:
            # Mirrors of the public record must drop it, as if it were deleted.
            tombstone(model="red_line", key=red_line.slug)


def event_publication_refresh(
    *, event_ids: Iterable[int] | None = None, red_line_id: int | None = None
) -> int:
    """Store `is_public` afresh for the given events, a line's events, or (neither given) all; returns rows changed.

    Only rows whose flag changes are written, so republishing a line with many events stays cheap.
    """
    events = Event.objects.all()
    if event_ids is not None:
        events = events.filter(pk__in=list(event_ids))
    if red_line_id is not None:
        events = events.filter(red_line_id=red_line_id)
    public = event_public_from_scratch()
    return events.filter(public, is_public=False).update(is_public=True) + events.filter(
        ~public, is_public=True
    ).update(is_public=False)


def event_refresh_publication(*, event: Event) -> None:
    """An event that lost its last source leaves the public record: tell mirrors."""
    Event.objects.filter(pk=event.pk).update(updated_at=timezone.now())
    event_publication_refresh(event_ids=[event.pk])
    if not Source.objects.filter(event=event).exists():
        tombstone(model="event", key=str(event.pk))


def actor_touch_references(*, actor: Actor) -> None:
    """A renamed actor changes how lines and events read: mark them updated for syncing clients."""
    now = timezone.now()
    line_ids = RedLine.objects.filter(Q(declared_by=actor) | Q(addressees=actor)).values("pk")
    RedLine.objects.filter(pk__in=line_ids).update(updated_at=now)
    Event.objects.filter(pk__in=Event.objects.filter(actors=actor).values("pk")).update(updated_at=now)


def record_declaration(*, red_line: RedLine) -> StatusChange:
    """The first entry of a line's status history: declared, hence active."""
    return StatusChange.objects.create(
        red_line=red_line,
        changed_on=red_line.declared_on,
        old_status="",
        new_status=red_line.status,
        reason="declared",
    )


# --- sources ---------------------------------------------------------------------------


def source_add(*, parent: RedLine | Event, data: Mapping[str, Any], user: Any = None) -> Source:
    unknown = set(data) - set(SOURCE_FIELDS)
    if unknown:
        raise DomainError(f"Unknown source fields: {', '.join(sorted(unknown))}", field="sources")
    source = Source(**data)
    if isinstance(parent, RedLine):
        source.red_line = parent
    else:
        source.event = parent
    _save(source, user)
    return source


def _add_sources(parent: RedLine | Event, sources: Iterable[Mapping[str, Any]], user: Any) -> None:
    for data in sources:
        source_add(parent=parent, data=data, user=user)


def _replace_sources(parent: RedLine | Event, sources: Iterable[Mapping[str, Any]], user: Any) -> None:
    wanted = [dict(s) for s in sources]
    existing = list(parent.sources.all())
    # Add before removing, so the parent never passes through "no source" (a draft).
    _add_sources(parent, wanted, user)
    for source in existing:
        _as_user(source, user)
        source.delete()


# --- actors ------------------------------------------------------------------------------


def actor_create(*, slug: str, user: Any = None, **fields: Any) -> Actor:
    actor = Actor(slug=slug, **_only(fields, ACTOR_FIELDS))
    with transaction.atomic():
        _save(actor, user)
    return actor


def actor_update(*, actor: Actor, user: Any = None, **fields: Any) -> Actor:
    for key, value in _only(fields, ACTOR_FIELDS + ("slug",)).items():
        setattr(actor, key, value)
    with transaction.atomic():
        _save(actor, user)
    return actor


def actor_delete(*, actor: Actor, user: Any = None) -> None:
    declared = actor.red_lines_declared.count()
    if declared:
        raise ProtectedRecord(f"{actor.name} declared {declared} red line(s); reassign or delete them first.")
    _as_user(actor, user)
    try:
        with transaction.atomic():
            actor.delete()
    except ProtectedError as exc:
        raise ProtectedRecord(f"{actor.name} is still referenced by the record.") from exc


# --- red lines --------------------------------------------------------------------------


def red_line_create(
    *,
    slug: str,
    addressees: Iterable[Actor] = (),
    sources: Iterable[Mapping[str, Any]] = (),
    user: Any = None,
    **fields: Any,
) -> RedLine:
    red_line = RedLine(slug=slug, **_only(fields, RED_LINE_FIELDS))
    with transaction.atomic():
        _save(red_line, user)
        red_line.addressees.set(list(addressees))
        _add_sources(red_line, sources, user)
        red_line_refresh_publication(red_line=red_line)
    return red_line


def red_line_update(
    *,
    red_line: RedLine,
    addressees: Iterable[Actor] | None = None,
    sources: Iterable[Mapping[str, Any]] | None = None,
    user: Any = None,
    **fields: Any,
) -> RedLine:
    for key, value in _only(fields, RED_LINE_FIELDS + ("slug",)).items():
        setattr(red_line, key, value)
    with transaction.atomic():
        _save(red_line, user)
        if addressees is not None:
            red_line.addressees.set(list(addressees))
        if sources is not None:
            _replace_sources(red_line, sources, user)
        red_line_refresh_publication(red_line=red_line)
        red_line_sync_status(red_line=red_line, reason="Red line corrected")
    return red_line


def red_line_delete(*, red_line: RedLine, user: Any = None) -> None:
    _as_user(red_line, user)
    with transaction.atomic():
        red_line.delete()


# --- events ------------------------------------------------------------------------------


def event_record(
    *,
    red_line: RedLine,
    kind: str,
    occurred_on: date,
    summary: str,
    actors: Iterable[Actor] = (),
    partial: bool = False,
    sources: Iterable[Mapping[str, Any]] = (),
    user: Any = None,
) -> Event:
    """Add an event to a line; its status is recomputed and any change recorded."""
    event = Event(red_line=red_line, kind=kind, occurred_on=occurred_on, summary=summary, partial=partial)
    with transaction.atomic():
        _save(event, user)
        event.actors.set(list(actors))
        _add_sources(event, sources, user)
    red_line.refresh_from_db()
    return event


def event_update(
    *,
    event: Event,
    actors: Iterable[Actor] | None = None,
    sources: Iterable[Mapping[str, Any]] | None = None,
    user: Any = None,
    **fields: Any,
) -> Event:
    for key, value in _only(fields, EVENT_FIELDS + ("red_line",)).items():
        setattr(event, key, value)
    with transaction.atomic():
        _save(event, user)
        if actors is not None:
            event.actors.set(list(actors))
        if sources is not None:
            _replace_sources(event, sources, user)
    return event


def event_delete(*, event: Event, user: Any = None) -> None:
    _as_user(event, user)
    with transaction.atomic():
        event.delete()


def tombstone(*, model: str, key: str) -> Deletion:
    return Deletion.objects.create(model=model, key=key)


def _only(fields: Mapping[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}")
    return dict(fields)
