"""Reads of actors for the dashboard: a counted list and what one actor declared, was warned of, did."""

from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from tracker.models import Actor, Event, RedLine, Source
from tracker.selectors.actors import actor_name_filter
from tracker.selectors.dashboard import sourced_public_events
from tracker.selectors.red_lines import public_red_lines


def _count(qs: QuerySet, key: str) -> Coalesce:
    counted = qs.order_by().values(key).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def actors_with_counts(*, kind: str = "", q: str = "") -> QuerySet[Actor]:
    """Actors by name with the number of published lines they declared, were warned by, and crossed."""
    event_sourced = Exists(Source.objects.filter(event=OuterRef("event_id")))
    qs = Actor.objects.annotate(
        lines_declared=_count(
            RedLine.objects.filter(declared_by=OuterRef("pk"), is_published=True), "declared_by"
        ),
        lines_addressed=_count(
            RedLine.addressees.through.objects.filter(actor=OuterRef("pk"), redline__is_published=True),
            "actor",
        ),
        crossings_made=_count(
            Event.actors.through.objects.filter(
                actor=OuterRef("pk"),
                event__kind=Event.Kind.CROSSING,
                event__red_line__is_published=True,
            ).filter(event_sourced),
            "actor",
        ),
    ).order_by("name", "id")
    if kind:
        qs = qs.filter(kind=kind)
    return actor_name_filter(qs, q)


def actor_by_slug(*, slug: str) -> Actor | None:
    return Actor.objects.select_related("affiliation").filter(slug=slug).first()


@dataclass(frozen=True)
class Slice:
    """The first rows of a longer list and how many there are in all."""

    items: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def _slice(qs: QuerySet, limit: int) -> Slice:
    return Slice(list(qs[:limit]), qs.order_by().count())


def actor_lines_declared(*, actor: Actor, limit: int = 25) -> Slice:
    return _slice(public_red_lines().filter(declared_by=actor).order_by("-declared_on", "-id"), limit)


def actor_lines_addressed(*, actor: Actor, limit: int = 25) -> Slice:
    return _slice(public_red_lines().filter(addressees=actor).order_by("-declared_on", "-id"), limit)


def actor_crossings(*, actor: Actor, limit: int = 25) -> Slice:
    """Sourced crossings of published lines in which the actor took part, newest first."""
    qs = (
        sourced_public_events()
        .filter(kind=Event.Kind.CROSSING, actors=actor)
        .select_related("red_line", "red_line__declared_by")
        .order_by("-occurred_on", "-id")
    )
    return _slice(qs, limit)


def actor_members(*, actor: Actor) -> list[Actor]:
    """Actors affiliated with this one (Putin with Russia)."""
    return list(actor.members.only("id", "slug", "name").order_by("name"))
