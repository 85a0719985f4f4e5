"""Reads of events for the API lists, feeds and exports."""

from django.db.models import Prefetch, QuerySet

from tracker.models import Actor, Event, Source
from tracker.rules.publication import public_event


def public_events() -> QuerySet[Event]:
    """Events the public sees (`tracker.rules.publication`)."""
    return Event.objects.filter(public_event())


def published_events() -> QuerySet[Event]:
    """Public events with what a listing shows, in a constant number of queries."""
    return (
        public_events()
        .select_related("red_line")
        .prefetch_related(
            Prefetch("actors", queryset=Actor.objects.only("id", "slug", "name")),
            Prefetch("sources", queryset=Source.objects.order_by("published_on", "id")),
        )
    )
