"""Adapters for writes made outside the record's services (a shell, a factory, a data fix).

Each receiver hands the write to the change service of `tracker.services.changes`, which keeps
derived state in its order. Services and admin run those services themselves and tell these
adapters to stand aside (`derived_by_caller`), so no change runs twice. Rows deleted with their
parent are left to the parent's service.
"""

from typing import Any

from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from tracker.models import Actor, Event, RedLine, Source
from tracker.services import changes
from tracker.services.changes import Removal, left_to_signals


def _origin_is(origin: Any, model: type) -> bool:
    if isinstance(origin, QuerySet):
        return origin.model is model
    return isinstance(origin, model)


@receiver(pre_save, sender=Actor)
def actor_remember(sender: type, instance: Actor, raw: bool = False, **kw: Any) -> None:
    if left_to_signals(raw=raw):
        instance._before = changes.actor_before(pk=instance.pk)


@receiver(post_save, sender=Actor)
def actor_saved(sender: type, instance: Actor, raw: bool = False, **kw: Any) -> None:
    if left_to_signals(raw=raw):
        changes.actor_changed(actor=instance, before=getattr(instance, "_before", None))


@receiver(post_delete, sender=Actor)
def actor_deleted(sender: type, instance: Actor, **kw: Any) -> None:
    if left_to_signals():
        changes.actor_removed(actor=instance)


@receiver(pre_save, sender=RedLine)
def red_line_remember(sender: type, instance: RedLine, raw: bool = False, **kw: Any) -> None:
    if left_to_signals(raw=raw):
        instance._before = changes.red_line_before(pk=instance.pk)


@receiver(post_save, sender=RedLine)
def red_line_saved(sender: type, instance: RedLine, raw: bool = False, **kw: Any) -> None:
    if left_to_signals(raw=raw):
        changes.red_line_changed(red_line=instance, before=getattr(instance, "_before", None))


@receiver(pre_delete, sender=RedLine)
def red_line_remember_removal(sender: type, instance: RedLine, **kw: Any) -> None:
    if left_to_signals():
        instance._removal = changes.red_line_removal(red_line=instance)


@receiver(post_delete, sender=RedLine)
def red_line_deleted(sender: type, instance: RedLine, **kw: Any) -> None:
    if left_to_signals():
        changes.red_line_removed(red_line=instance, removal=getattr(instance, "_removal", Removal()))


@receiver(pre_save, sender=Event)
def event_remember(sender: type, instance: Event, raw: bool = False, **kw: Any) -> None:
    if left_to_signals(raw=raw):
        instance._before = changes.event_before(pk=instance.pk)


@receiver(post_save, sender=Event)
def event_saved(sender: type, instance: Event, raw: bool = False, **kw: Any) -> None:
    if left_to_signals(raw=raw):
        changes.event_changed(event=instance, before=getattr(instance, "_before", None))


@receiver(pre_delete, sender=Event)
def event_remember_removal(sender: type, instance: Event, origin: Any = None, **kw: Any) -> None:
    if left_to_signals() and _origin_is(origin, Event):
        instance._removal = changes.event_removal(event=instance)


@receiver(post_delete, sender=Event)
def event_deleted(sender: type, instance: Event, origin: Any = None, **kw: Any) -> None:
    if left_to_signals() and _origin_is(origin, Event):
        changes.event_removed(event=instance, removal=getattr(instance, "_removal", Removal()))


@receiver(post_save, sender=Source)
def source_saved(sender: type, instance: Source, created: bool, raw: bool = False, **kw: Any) -> None:
    if left_to_signals(raw=raw):
        changes.source_changed(source=instance, created=created)


@receiver(post_delete, sender=Source)
def source_deleted(sender: type, instance: Source, origin: Any = None, **kw: Any) -> None:
    if left_to_signals() and _origin_is(origin, Source):
        changes.source_changed(source=instance)


def _links_changed(through: type, own: str, instance: Any, action: str, reverse: bool, pk_set: Any) -> None:
    """The actors added to or removed from a line's addressees or an event's actors."""
    if not left_to_signals():
        return
    if action == "pre_clear":
        instance._relinked = (
            {instance.pk}
            if reverse
            else set(through.objects.filter(**{own: instance.pk}).values_list("actor_id", flat=True))
        )
    elif action == "post_clear":
        changes.actor_links_changed(actor_ids=getattr(instance, "_relinked", ()))
    elif action in ("post_add", "post_remove"):
        changes.actor_links_changed(actor_ids={instance.pk} if reverse else pk_set or ())


@receiver(m2m_changed, sender=RedLine.addressees.through)
def addressees_changed(
    sender: type, instance: Any, action: str, reverse: bool, pk_set: Any, **kw: Any
) -> None:
    _links_changed(sender, "redline_id", instance, action, reverse, pk_set)


@receiver(m2m_changed, sender=Event.actors.through)
def event_actors_changed(
    sender: type, instance: Any, action: str, reverse: bool, pk_set: Any, **kw: Any
) -> None:
    _links_changed(sender, "event_id", instance, action, reverse, pk_set)
