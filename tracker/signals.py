"""Keep derived state right whatever path wrote the row (services, admin, shell).

Status and publication are recomputed after events and sources change; the actors list's
counts are recounted for the actors a write can affect; deletions of public records leave tombstones. Cascades started by deleting a parent are skipped: the parent is
going away with its derived state.
"""

from typing import Any

from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from tracker.models import Actor, Event, RedLine, Source
from tracker.services import actor_counts as counts
from tracker.services import record


def _origin_is(origin: Any, model: type) -> bool:
    if isinstance(origin, QuerySet):
        return origin.model is model
    return isinstance(origin, model)


@receiver(pre_save, sender=Actor)
@receiver(pre_save, sender=RedLine)
def remember_published_name(sender: type, instance: Actor | RedLine, raw: bool = False, **kw: Any) -> None:
    instance._previous_names = (
        sender.objects.filter(pk=instance.pk)
        .values_list("slug", "name" if sender is Actor else "title")
        .first()
        if instance.pk and not raw
        else None
    )


@receiver(post_save, sender=Actor)
def actor_saved(sender: type, instance: Actor, created: bool, raw: bool = False, **kw: Any) -> None:
    previous = getattr(instance, "_previous_names", None)
    if raw or previous is None:
        return
    old_slug, old_name = previous
    if old_slug != instance.slug:
        record.tombstone(model="actor", key=old_slug)
    if (old_slug, old_name) != (instance.slug, instance.name):
        record.actor_touch_references(actor=instance)


@receiver(post_save, sender=RedLine)
def red_line_saved(sender: type, instance: RedLine, created: bool, raw: bool = False, **kw: Any) -> None:
    if created and not raw:
        record.record_declaration(red_line=instance)
    previous = getattr(instance, "_previous_names", None)
    if not raw and previous is not None and previous[0] != instance.slug:
        record.tombstone(model="red_line", key=previous[0])


@receiver(pre_save, sender=Event)
def event_remember_line(sender: type, instance: Event, raw: bool = False, **kw: Any) -> None:
    previous = (
        Event.objects.filter(pk=instance.pk).values_list("red_line_id", "kind").first()
        if instance.pk
        else None
    )
    instance._previous_red_line_id, instance._previous_kind = previous or (None, None)


@receiver(post_save, sender=Event)
def event_saved(sender: type, instance: Event, created: bool, raw: bool = False, **kw: Any) -> None:
    if raw:
        return
    reason = record.status_reason(event=instance, change="" if created else "corrected")
    record.red_line_sync_status(red_line=instance.red_line, cause=instance, reason=reason)
    previous = getattr(instance, "_previous_red_line_id", None)
    if previous and previous != instance.red_line_id:
        record.event_publication_refresh(event_ids=[instance.pk])  # the new line may differ in publication
        moved_from = RedLine.objects.filter(pk=previous).first()
        if moved_from:
            reason = record.status_reason(event=instance, change="moved")
            record.red_line_sync_status(red_line=moved_from, reason=reason)


@receiver(post_delete, sender=Event)
def event_deleted(sender: type, instance: Event, origin: Any = None, **kw: Any) -> None:
    record.tombstone(model="event", key=str(instance.pk))
    if not _origin_is(origin, Event):
        return
    red_line = RedLine.objects.filter(pk=instance.red_line_id).first()
    if red_line:
        reason = record.status_reason(event=instance, change="removed")
        record.red_line_sync_status(red_line=red_line, reason=reason)


@receiver(post_save, sender=Source)
@receiver(post_delete, sender=Source)
def source_changed(sender: type, instance: Source, origin: Any = None, raw: bool = False, **kw: Any) -> None:
    if raw or (origin is not None and not _origin_is(origin, Source)):
        return
    if instance.red_line_id:
        red_line = RedLine.objects.filter(pk=instance.red_line_id).first()
        if red_line:
            record.red_line_refresh_publication(red_line=red_line)
    elif instance.event_id:
        event = Event.objects.filter(pk=instance.event_id).select_related("red_line").first()
        if event:
            record.event_refresh_publication(event=event)
            # An event counts once it has a source: gaining its first adds it to the line's history,
            # losing its last takes it out.
            counted = Source.objects.filter(event=event).exists()
            reason = record.status_reason(event=event, change="" if counted else "removed")
            record.red_line_sync_status(red_line=event.red_line, cause=event, reason=reason)
            if event.kind == Event.Kind.CROSSING:  # a crossing counts once sourced
                counts.actor_counts_refresh(actor_ids=counts.event_actor_ids(event_id=event.pk))


@receiver(post_delete, sender=RedLine)
def red_line_deleted(sender: type, instance: RedLine, **kw: Any) -> None:
    record.tombstone(model="red_line", key=instance.slug)


@receiver(post_delete, sender=Actor)
def actor_deleted(sender: type, instance: Actor, **kw: Any) -> None:
    record.tombstone(model="actor", key=instance.slug)


# --- counts on the actors list -----------------------------------------------------------


@receiver(pre_save, sender=RedLine)
def red_line_remember_counted(sender: type, instance: RedLine, raw: bool = False, **kw: Any) -> None:
    instance._counted = (
        RedLine.objects.filter(pk=instance.pk).values_list("declared_by_id", "is_published").first()
        if instance.pk and not raw
        else None
    )


@receiver(post_save, sender=RedLine)
def red_line_recount(sender: type, instance: RedLine, created: bool, raw: bool = False, **kw: Any) -> None:
    if raw:
        return
    before = getattr(instance, "_counted", None)
    if before is None:
        if instance.is_published:
            counts.actor_counts_refresh(actor_ids=counts.red_line_actor_ids(red_line_id=instance.pk))
        return
    old_declarer, was_published = before
    if was_published != instance.is_published:
        affected = counts.red_line_actor_ids(red_line_id=instance.pk) | {old_declarer}
        counts.actor_counts_refresh(actor_ids=affected)
    elif old_declarer != instance.declared_by_id:
        counts.actor_counts_refresh(actor_ids={old_declarer, instance.declared_by_id})


@receiver(pre_delete, sender=RedLine)
def red_line_remember_actors(sender: type, instance: RedLine, **kw: Any) -> None:
    instance._counted_actor_ids = counts.red_line_actor_ids(red_line_id=instance.pk)


@receiver(post_delete, sender=RedLine)
def red_line_deleted_recount(sender: type, instance: RedLine, **kw: Any) -> None:
    counts.actor_counts_refresh(actor_ids=getattr(instance, "_counted_actor_ids", ()))


@receiver(post_save, sender=Event)
def event_recount(sender: type, instance: Event, created: bool, raw: bool = False, **kw: Any) -> None:
    """A crossing that changes kind or line changes its actors' counts (a new one has no actors yet)."""
    if raw or created:
        return
    before = (getattr(instance, "_previous_red_line_id", None), getattr(instance, "_previous_kind", None))
    if before != (instance.red_line_id, instance.kind) and Event.Kind.CROSSING in (before[1], instance.kind):
        counts.actor_counts_refresh(actor_ids=counts.event_actor_ids(event_id=instance.pk))


@receiver(pre_delete, sender=Event)
def event_remember_actors(sender: type, instance: Event, origin: Any = None, **kw: Any) -> None:
    # A line's deletion recounts everyone on the line once; its events need not each do it.
    if instance.kind == Event.Kind.CROSSING and _origin_is(origin, Event):
        instance._counted_actor_ids = counts.event_actor_ids(event_id=instance.pk)


@receiver(post_delete, sender=Event)
def event_deleted_recount(sender: type, instance: Event, **kw: Any) -> None:
    counts.actor_counts_refresh(actor_ids=getattr(instance, "_counted_actor_ids", ()))


def _m2m_recount(through: type, own: str, instance: Any, action: str, reverse: bool, pk_set: Any) -> None:
    """Recount actors added to or removed from a line's addressees or an event's actors."""
    if action == "pre_clear":
        instance._counted_actor_ids = (
            {instance.pk}
            if reverse
            else set(through.objects.filter(**{own: instance.pk}).values_list("actor_id", flat=True))
        )
    elif action == "post_clear":
        counts.actor_counts_refresh(actor_ids=getattr(instance, "_counted_actor_ids", ()))
    elif action in ("post_add", "post_remove"):
        counts.actor_counts_refresh(actor_ids={instance.pk} if reverse else pk_set or ())


@receiver(m2m_changed, sender=RedLine.addressees.through)
def addressees_changed(
    sender: type, instance: Any, action: str, reverse: bool, pk_set: Any, **kw: Any
) -> None:
    _m2m_recount(sender, "redline_id", instance, action, reverse, pk_set)


@receiver(m2m_changed, sender=Event.actors.through)
def event_actors_changed(
    sender: type, instance: Any, action: str, reverse: bool, pk_set: Any, **kw: Any
) -> None:
    _m2m_recount(sender, "event_id", instance, action, reverse, pk_set)
