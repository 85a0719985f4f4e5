"""The steps of derived state: each recomputes one kind of stored fact from the record.

`tracker.services.changes` runs them in order for each kind of change; bulk loads call the bulk
refreshes once.
"""

from collections.abc import Iterable
from typing import Literal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tracker.models import Actor, Deletion, Event, RedLine, Source, StatusChange
from tracker.rules import follow_through
from tracker.rules import status as status_rules
from tracker.rules.publication import event_public_from_scratch, event_sourced

# Stored on RedLine, derived from its sourced events by tracker.rules.status.derive ...
STATUS_FIELDS = ("status", "status_changed_on", "last_reaffirmed_on")
# ... and by tracker.rules.follow_through, in SQL.
OUTCOME_FIELDS = ("first_crossed_on", "first_response_on")


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


def red_line_refresh_publication(*, red_line: RedLine) -> tuple[bool, bool]:
    """Publish a line once it has a source, and its events with it; a line that loses its last one
    goes back to draft. Returns whether it was published before, and whether it is now."""
    published = Source.objects.filter(red_line=red_line).exists()
    stored = RedLine.objects.filter(pk=red_line.pk).values_list("is_published", flat=True).first()
    was_published = published if stored is None else stored
    # Any change of sources changes what the line shows: bump it for mirrors and read caches.
    RedLine.objects.filter(pk=red_line.pk).update(is_published=published, updated_at=timezone.now())
    if was_published != published:
        event_publication_refresh(red_line_id=red_line.pk)
    red_line.is_published = published
    return was_published, published


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
    """An event's sources changed: store whether it is public, and bump it for mirrors."""
    Event.objects.filter(pk=event.pk).update(updated_at=timezone.now())
    event_publication_refresh(event_ids=[event.pk])


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


# --- tombstones ------------------------------------------------------------------------


def tombstone(*, model: str, key: str) -> Deletion:
    return Deletion.objects.create(model=model, key=key)
