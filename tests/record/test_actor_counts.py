"""The actors list's stored counts match the record after every kind of write, whatever the path."""

import datetime

import pytest

from tests.factories import ActorFactory, EventFactory, RedLineFactory, SourceFactory
from tracker.models import Actor, Event, RedLine, Source
from tracker.models.record import ActorCounts
from tracker.selectors.actor_pages import actors_with_counts
from tracker.services import record
from tracker.services.actor_counts import actor_counts_refresh

pytestmark = pytest.mark.django_db
D = datetime.date
SOURCE = {"url": "https://news.example.org/a", "publisher": "Example", "title": "t", "quote": "q"}


def counted_from_scratch() -> dict[str, tuple[int, int, int]]:
    """Each actor's figures counted the slow, obvious way, straight from the record."""
    figures = {}
    for actor in Actor.objects.all():
        declared = RedLine.objects.filter(declared_by=actor, is_published=True).count()
        addressed = actor.red_lines_addressed.filter(is_published=True).count()
        crossings = sum(
            1
            for event in actor.events.filter(kind="crossing", red_line__is_published=True)
            if event.sources.exists()
        )
        figures[actor.slug] = (declared, addressed, crossings)
    return figures


def shown() -> dict[str, tuple[int, int, int]]:
    return {a.slug: (a.lines_declared, a.lines_addressed, a.crossings_made) for a in actors_with_counts()}


def assert_counts_match() -> None:
    assert shown() == counted_from_scratch()


@pytest.fixture
def cast():
    names = ("russia", "nato", "ukraine", "belarus")
    return {n: ActorFactory(name=n.title(), slug=n) for n in names}


def test_counts_follow_lines_addressees_events_and_sources(cast):
    russia, nato, ukraine, belarus = cast.values()
    line = RedLineFactory(slug="l1", declared_by=russia, declared_on=D(2022, 1, 1))
    line.addressees.set([nato])
    assert shown()["russia"] == (1, 0, 0) and shown()["nato"] == (0, 1, 0)
    crossing = EventFactory(red_line=line, kind="crossing", occurred_on=D(2022, 2, 1))
    crossing.actors.set([ukraine, belarus])
    unsourced = EventFactory(red_line=line, kind="crossing", occurred_on=D(2022, 3, 1), sourced=False)
    unsourced.actors.set([ukraine])
    assert shown()["ukraine"] == (0, 0, 1)
    assert_counts_match()

    added = SourceFactory(event=unsourced, red_line=None)
    assert shown()["ukraine"] == (0, 0, 2)
    added.delete()
    assert shown()["ukraine"] == (0, 0, 1)

    crossing.kind = "response"
    crossing.save()
    assert shown()["belarus"] == (0, 0, 0)
    record.event_update(event=crossing, kind="crossing")
    assert_counts_match()

    crossing.actors.remove(belarus)
    ukraine.events.add(unsourced)  # reverse side, already there: no change
    belarus.events.add(crossing)  # reverse add
    assert shown()["belarus"] == (0, 0, 1)
    crossing.actors.clear()
    assert shown()["belarus"] == (0, 0, 0) and shown()["ukraine"] == (0, 0, 0)
    ukraine.events.set([crossing, unsourced])
    assert_counts_match()

    line.addressees.add(ukraine)
    nato.red_lines_addressed.clear()  # reverse clear
    assert shown()["nato"] == (0, 0, 0) and shown()["ukraine"] == (0, 1, 1)
    assert_counts_match()


def test_counts_follow_publication_declarer_moves_and_deletions(cast):
    russia, nato, ukraine, belarus = cast.values()
    line = RedLineFactory(slug="l1", declared_by=russia, declared_on=D(2022, 1, 1))
    line.addressees.set([nato])
    crossing = EventFactory(red_line=line, kind="crossing", occurred_on=D(2022, 2, 1))
    crossing.actors.set([ukraine])
    draft = RedLineFactory(slug="draft", declared_by=belarus, declared_on=D(2022, 1, 1), sourced=False)
    draft.addressees.set([nato])
    assert_counts_match()

    Source.objects.get(red_line=line).delete()  # the line's last source: back to draft
    assert shown()["russia"] == (0, 0, 0) and shown()["ukraine"] == (0, 0, 0)
    record.source_add(parent=line, data=SOURCE)
    assert shown()["russia"] == (1, 0, 0) and shown()["ukraine"] == (0, 0, 1)

    line.refresh_from_db()
    record.red_line_update(red_line=line, declared_by=belarus)
    assert shown()["russia"] == (0, 0, 0) and shown()["belarus"] == (1, 0, 0)
    assert_counts_match()

    record.event_update(event=crossing, red_line=draft)  # moved onto an unpublished line
    assert shown()["ukraine"] == (0, 0, 0)
    record.source_add(parent=draft, data=SOURCE)
    assert shown()["ukraine"] == (0, 0, 1) and shown()["nato"] == (0, 2, 0)
    assert_counts_match()

    record.event_delete(event=crossing)
    assert shown()["ukraine"] == (0, 0, 0)
    for kind in ("crossing", "crossing"):
        EventFactory(red_line=line, kind=kind, occurred_on=D(2022, 3, 1)).actors.set([ukraine])
    Event.objects.filter(red_line=line).delete()  # a queryset of events
    assert_counts_match()

    EventFactory(red_line=line, kind="crossing", occurred_on=D(2022, 3, 1)).actors.set([ukraine])
    record.red_line_delete(red_line=line)
    assert_counts_match()
    RedLine.objects.filter(pk=draft.pk).delete()
    assert_counts_match()
    assert shown()["nato"] == (0, 0, 0)

    record.actor_delete(actor=ukraine)
    assert not ActorCounts.objects.filter(actor_id=ukraine.pk).exists()
    assert_counts_match()


def test_a_full_recount_agrees_with_the_kept_counts(cast):
    russia, nato, ukraine, _ = cast.values()
    for i in range(3):
        line = RedLineFactory(slug=f"l{i}", declared_by=russia, declared_on=D(2022, 1, 1))
        line.addressees.set([nato, ukraine])
        EventFactory(red_line=line, kind="crossing", occurred_on=D(2022, 2, 1)).actors.set([ukraine])
    kept = shown()
    ActorCounts.objects.all().delete()
    assert shown()["russia"] == (0, 0, 0)  # not counted yet reads as zeros, never fails
    actor_counts_refresh()
    assert shown() == kept == counted_from_scratch()
    assert kept["russia"] == (3, 0, 0) and kept["ukraine"] == (0, 3, 3)
