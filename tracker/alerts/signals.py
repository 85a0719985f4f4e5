"""Spot the changes watchers care about; the services decide whether they are public and new."""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from tracker.alerts import services as alerts
from tracker.models import Event, Source, StatusChange


@receiver(post_save, sender=Event, dispatch_uid="alerts_event_saved")
def event_saved(sender: type, instance: Event, created: bool, raw: bool = False, **kw: Any) -> None:
    if created and not raw:
        transaction.on_commit(lambda: alerts.notify_event_recorded(event_id=instance.pk))


@receiver(post_save, sender=Source, dispatch_uid="alerts_source_saved")
def source_saved(sender: type, instance: Source, created: bool, raw: bool = False, **kw: Any) -> None:
    # An event saved as a draft becomes news when it gets its first source.
    if created and not raw and instance.event_id:
        event_id = instance.event_id
        transaction.on_commit(lambda: alerts.notify_event_recorded(event_id=event_id))


@receiver(post_save, sender=StatusChange, dispatch_uid="alerts_status_changed")
def status_changed(sender: type, instance: StatusChange, created: bool, raw: bool = False, **kw: Any) -> None:
    if created and not raw:
        transaction.on_commit(lambda: alerts.notify_status_changed(status_change_id=instance.pk))
