"""Per-actor counts for the actors list, stored in ActorCounts instead of counted on every view.

`lines_declared` and `lines_addressed` count published lines; `crossings_made` counts the actor's
part in public crossings (`tracker.rules.publication`, kept before the counts). The record's
change services call `actor_counts_refresh` with the actors a write can affect; bulk loads (synthetic record, restore)
call it once for everyone. A refresh recounts from the record, so it is right whatever the order
of the writes: it locks the actors' rows first, so two writers never store a count that misses
the other's change.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, QuerySet

from tracker.models import Actor, Event, RedLine
from tracker.models.record import ActorCounts
from tracker.rules.publication import public_event, published_line

FIELDS = ("lines_declared", "lines_addressed", "crossings_made")
BATCH = 1000


def _grouped(qs: QuerySet, key: str) -> dict[int, int]:
    return dict(qs.order_by().values_list(key).annotate(n=Count("pk")).values_list(key, "n"))


def actor_counts_computed(*, actor_ids: Iterable[int] | None = None) -> dict[int, tuple[int, int, int]]:
    """(lines declared, lines addressed, crossings made) counted from the record, for actors with any."""
    declared = RedLine.objects.filter(published_line())
    addressed = RedLine.addressees.through.objects.filter(published_line("redline__"))
    crossings = Event.actors.through.objects.filter(public_event("event__"), event__kind=Event.Kind.CROSSING)
    if actor_ids is not None:
        ids = list(actor_ids)
        declared = declared.filter(declared_by_id__in=ids)
        addressed = addressed.filter(actor_id__in=ids)
        crossings = crossings.filter(actor_id__in=ids)
    by_field = (
        _grouped(declared, "declared_by_id"),
        _grouped(addressed, "actor_id"),
        _grouped(crossings, "actor_id"),
    )
    found = set().union(*by_field)
    return {pk: tuple(counts.get(pk, 0) for counts in by_field) for pk in found}


def actor_counts_refresh(*, actor_ids: Iterable[int] | None = None) -> None:
    """Recount the given actors (every actor when None) and store the figures."""
    if actor_ids is None:
        _refresh_all()
        return
    ids = sorted(set(actor_ids) - {None})
    if not ids:
        return
    with transaction.atomic():
        ids = list(Actor.objects.filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
        ActorCounts.objects.bulk_create([ActorCounts(actor_id=pk) for pk in ids], ignore_conflicts=True)
        # Lock before counting: a concurrent writer waits here and then counts our committed change.
        list(ActorCounts.objects.select_for_update().filter(actor_id__in=ids).order_by("pk").values("pk"))
        computed = actor_counts_computed(actor_ids=ids)
        rows = [
            ActorCounts(actor_id=pk, **dict(zip(FIELDS, computed.get(pk, (0, 0, 0)), strict=True)))
            for pk in ids
        ]
        ActorCounts.objects.bulk_update(rows, FIELDS, batch_size=BATCH)


def _refresh_all() -> None:
    with transaction.atomic():
        computed = actor_counts_computed()
        ActorCounts.objects.all().delete()
        rows = (
            ActorCounts(actor_id=pk, **dict(zip(FIELDS, computed.get(pk, (0, 0, 0)), strict=True)))
            for pk in Actor.objects.order_by("pk").values_list("pk", flat=True).iterator()
        )
        ActorCounts.objects.bulk_create(rows, batch_size=BATCH)


def red_line_actor_ids(*, red_line_id: int) -> set[int]:
    """Actors whose counts depend on this line: its declarer, its addressees, actors of its events."""
    declarer = RedLine.objects.filter(pk=red_line_id).order_by().values_list("declared_by_id")
    addressees = (
        RedLine.addressees.through.objects.filter(redline_id=red_line_id).order_by().values_list("actor_id")
    )
    event_actors = (
        Event.actors.through.objects.filter(event__red_line_id=red_line_id).order_by().values_list("actor_id")
    )
    return {pk for (pk,) in declarer.union(addressees, event_actors)}


def event_actor_ids(*, event_id: int) -> set[int]:
    """Actors who took part in this event."""
    return set(Event.actors.through.objects.filter(event_id=event_id).values_list("actor_id", flat=True))
