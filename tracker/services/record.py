"""Writes to the curated record. API, tasks and commands all go through here.

Each write runs its change service (`tracker.services.changes`) once, after its rows are saved, so
status, publication, counts, tombstones and alerts follow in their order.
"""

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from tracker import shapes
from tracker.errors import DomainError, ProtectedRecord
from tracker.models import Actor, Event, RedLine, Source
from tracker.services import changes
from tracker.services.changes import derived_by_caller

SOURCE_FIELDS = tuple(shapes.names(shapes.SOURCE))
# What a write may set on each record, from its public shape; slugs, parents and nested lists are set apart.
_APART = ("slug", "red_line", "addressees", "actors", "sources")
ACTOR_FIELDS = tuple(f for f in shapes.written(shapes.ACTOR, Actor) if f not in _APART)
RED_LINE_FIELDS = tuple(f for f in shapes.written(shapes.RED_LINE, RedLine) if f not in _APART)
EVENT_FIELDS = tuple(f for f in shapes.written(shapes.EVENT, Event) if f not in _APART)


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


# --- sources ---------------------------------------------------------------------------


def source_add(*, parent: RedLine | Event, data: Mapping[str, Any], user: Any = None) -> Source:
    with transaction.atomic():
        with derived_by_caller():
            source = _source_save(parent, data, user)
        changes.source_changed(source=source, created=True)
    return source


def _source_save(parent: RedLine | Event, data: Mapping[str, Any], user: Any) -> Source:
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
        _source_save(parent, data, user)


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
        with derived_by_caller():
            _save(actor, user)
        changes.actor_changed(actor=actor, before=None)
    return actor


def actor_update(*, actor: Actor, user: Any = None, **fields: Any) -> Actor:
    for key, value in _only(fields, ACTOR_FIELDS + ("slug",)).items():
        setattr(actor, key, value)
    with transaction.atomic():
        before = changes.actor_before(pk=actor.pk)
        with derived_by_caller():
            _save(actor, user)
        changes.actor_changed(actor=actor, before=before)
    return actor


def actor_delete(*, actor: Actor, user: Any = None) -> None:
    declared = actor.red_lines_declared.count()
    if declared:
        raise ProtectedRecord(f"{actor.name} declared {declared} red line(s); reassign or delete them first.")
    _as_user(actor, user)
    try:
        with transaction.atomic():
            with derived_by_caller():
                actor.delete()
            changes.actor_removed(actor=actor)
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
        with derived_by_caller():
            _save(red_line, user)
            red_line.addressees.set(list(addressees))
            _add_sources(red_line, sources, user)
        changes.red_line_changed(red_line=red_line, before=None)
        changes.red_line_sources_changed(red_line=red_line)
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
        before = changes.red_line_before(pk=red_line.pk)
        relinked = _save_corrected(
            red_line, user, links=red_line.addressees, actors=addressees, sources=sources
        )
        changes.red_line_changed(red_line=red_line, before=before)
        changes.actor_links_changed(actor_ids=relinked)
        changes.red_line_sources_changed(red_line=red_line)
    return red_line


def red_line_delete(*, red_line: RedLine, user: Any = None) -> None:
    _as_user(red_line, user)
    with transaction.atomic():
        removal = changes.red_line_removal(red_line=red_line)
        with derived_by_caller():
            red_line.delete()
        changes.red_line_removed(red_line=red_line, removal=removal)


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
    sources = list(sources)
    with transaction.atomic():
        with derived_by_caller():
            _save(event, user)
            event.actors.set(list(actors))
            _add_sources(event, sources, user)
        changes.event_changed(event=event, before=None, sources_changed=bool(sources))
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
        before = changes.event_before(pk=event.pk)
        relinked = _save_corrected(event, user, links=event.actors, actors=actors, sources=sources)
        changes.event_changed(event=event, before=before, sources_changed=sources is not None)
        changes.actor_links_changed(actor_ids=relinked)
    return event


def event_delete(*, event: Event, user: Any = None) -> None:
    _as_user(event, user)
    with transaction.atomic():
        removal = changes.event_removal(event=event)
        with derived_by_caller():
            event.delete()
        changes.event_removed(event=event, removal=removal)


def _save_corrected(
    parent: RedLine | Event,
    user: Any,
    *,
    links: Any,
    actors: Iterable[Actor] | None,
    sources: Iterable[Mapping[str, Any]] | None,
) -> set[int]:
    """Save a corrected line or event with its actors (`links`) and sources, when given, leaving
    derived state to the caller; returns the actors added or removed."""
    with derived_by_caller():
        _save(parent, user)
        relinked = _relink(links, actors) if actors is not None else set()
        if sources is not None:
            _replace_sources(parent, sources, user)
    return relinked


def _relink(links: Any, actors: Iterable[Actor]) -> set[int]:
    """Set a line's addressees or an event's actors; returns the actors added or removed."""
    linked = set(links.values_list("pk", flat=True))
    actors = list(actors)
    links.set(actors)
    return linked ^ {actor.pk for actor in actors}


def _only(fields: Mapping[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}")
    return dict(fields)
