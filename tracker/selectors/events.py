"""Reads of events for the API lists, feeds and exports."""

from django.db.models import Prefetch, QuerySet

from tracker.models import Actor, Event, Source


def public_events() -> QuerySet[Event]:
    """Events that count publicly: sourced, on a published line (the flag each event keeps,
    maintained by tracker.services.record.event_publication_refresh)."""
    return Event.objects.filter(is_public=True)


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
