"""Reads of actors for the dashboard: a counted list and what one actor declared, was warned of, did."""

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce

from tracker.models import Actor, Event
from tracker.selectors.actors import actor_name_filter
from tracker.selectors.events import public_events
from tracker.selectors.red_lines import public_red_lines


def actors_with_counts(*, kind: str = "", q: str = "") -> QuerySet[Actor]:
    """Actors by name with the number of published lines they declared, were warned by, and crossed.

    The counts are stored per actor (tracker.services.actor_counts), so a page reads 50 rows
    whatever the size of the record; an actor not yet counted shows zeros.
    """
    qs = Actor.objects.annotate(
        **{
            name: Coalesce(F(f"counts__{name}"), 0)
            for name in ("lines_declared", "lines_addressed", "crossings_made")
        }
    ).order_by("name", "id")
    if kind:
        qs = qs.filter(kind=kind)
    return actor_name_filter(qs, q)


def actor_by_slug(*, slug: str) -> Actor | None:
    return Actor.objects.select_related("affiliation", "counts").filter(slug=slug).first()


@dataclass(frozen=True)
class Slice:
    """The first rows of a longer list and how many there are in all."""

    items: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def _slice(qs: QuerySet, limit: int, *, actor: Actor, counted: str) -> Slice:
    """The first `limit` rows; the total is the actor's stored count (counted here if it has none)."""
    items = list(qs[:limit])
    try:
        total = getattr(actor.counts, counted)
    except ObjectDoesNotExist:
        total = qs.order_by().count()
    return Slice(items, total)


def actor_lines_declared(*, actor: Actor, limit: int = 25) -> Slice:
    qs = public_red_lines().filter(declared_by=actor).order_by("-declared_on", "-id")
    return _slice(qs, limit, actor=actor, counted="lines_declared")


def actor_lines_addressed(*, actor: Actor, limit: int = 25) -> Slice:
    qs = public_red_lines().filter(addressees=actor).order_by("-declared_on", "-id")
    return _slice(qs, limit, actor=actor, counted="lines_addressed")


def actor_crossings(*, actor: Actor, limit: int = 25) -> Slice:
    """Sourced crossings of published lines in which the actor took part, newest first."""
    qs = (
        public_events()
        .filter(kind=Event.Kind.CROSSING, actors=actor)
        .select_related("red_line", "red_line__declared_by")
        .order_by("-occurred_on", "-id")
    )
    return _slice(qs, limit, actor=actor, counted="crossings_made")


def actor_members(*, actor: Actor) -> list[Actor]:
    """Actors affiliated with this one (Putin with Russia)."""
    return list(actor.members.only("id", "slug", "name").order_by("name"))
