"""Reads of actors for the API and exports."""

from django.db.models import Q, QuerySet

from tracker.models import Actor


def actors_listed() -> QuerySet[Actor]:
    return Actor.objects.select_related("affiliation").only(
        *[f.attname for f in Actor._meta.concrete_fields], "affiliation__slug"
    )


def actor_name_filter(qs: QuerySet[Actor], query: str) -> QuerySet[Actor]:
    """Actors whose name, slug or any alias contains every word of `query` (case-insensitive)."""
    for word in (query or "").split():
        qs = qs.filter(Q(name__icontains=word) | Q(slug__icontains=word) | Q(aliases__icontains=word))
    return qs
