"""What the public sees: published lines and public events.

A line is published once it has a source; an event counts towards its line's status once it has a
source, and is public once it counts and its line is published. Reads filter on the stored flags
(`RedLine.is_published`, `Event.is_public`); only the services that keep those flags compute them
from scratch.
"""

from typing import Any

from django.db.models import Exists, OuterRef, Q

from tracker.models import RedLine, Source


def published_line(via: str = "") -> Q:
    """A published line; `via` reaches it across a relation (`"red_line__"`)."""
    return Q(**{f"{via}is_published": True})


def public_event(via: str = "") -> Q:
    """A public event; `via` reaches it across a relation (`"event__"`)."""
    return Q(**{f"{via}is_public": True})


def event_sourced(event: Any = None) -> Exists:
    """Whether an event has a source (`event` refers to the event, OuterRef("pk") by default)."""
    return Exists(Source.objects.filter(event=event if event is not None else OuterRef("pk")))


def event_public_from_scratch() -> Q:
    """What `Event.is_public` stores: sourced, on a published line."""
    return Q(event_sourced()) & Q(
        Exists(RedLine.objects.filter(published_line(), pk=OuterRef("red_line_id")))
    )
