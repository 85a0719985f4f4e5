"""Keep derived state right whatever path wrote the row (services, admin, shell).

Status and publication are recomputed after events and sources change; deletions of public
records leave tombstones. Cascades started by deleting a parent are skipped: the parent is
going away with its derived state.
"""

from typing import Any

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from tracker.models import Actor, Event, RedLine, Source
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
    instance._previous_red_line_id = (
        Event.objects.filter(pk=instance.pk).values_list("red_line_id", flat=True).first()
        if instance.pk
        else None
    )


@receiver(post_save, sender=Event)
def event_saved(sender: type, instance: Event, created: bool, raw: bool = False, **kw: Any) -> None:
    if raw:
        return
    verb = "recorded" if created else "edited"
    reason = f"{instance.get_kind_display().lower()} of {instance.occurred_on.isoformat()} {verb}"
    record.red_line_sync_status(red_line=instance.red_line, cause=instance, reason=reason)
    previous = getattr(instance, "_previous_red_line_id", None)
    if previous and previous != instance.red_line_id:
        moved_from = RedLine.objects.filter(pk=previous).first()
        if moved_from:
            record.red_line_sync_status(red_line=moved_from, reason=f"event moved to {instance.red_line}")


@receiver(post_delete, sender=Event)
def event_deleted(sender: type, instance: Event, origin: Any = None, **kw: Any) -> None:
    record.tombstone(model="event", key=str(instance.pk))
    if not _origin_is(origin, Event):
        return
    red_line = RedLine.objects.filter(pk=instance.red_line_id).first()
    if red_line:
        reason = f"{instance.get_kind_display().lower()} of {instance.occurred_on.isoformat()} deleted"
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
            record.red_line_sync_status(
                red_line=event.red_line, cause=event, reason=f"sources of {event} changed"
            )


@receiver(post_delete, sender=RedLine)
def red_line_deleted(sender: type, instance: RedLine, **kw: Any) -> None:
    record.tombstone(model="red_line", key=instance.slug)


@receiver(post_delete, sender=Actor)
def actor_deleted(sender: type, instance: Actor, **kw: Any) -> None:
    record.tombstone(model="actor", key=instance.slug)
