"""The demo record: the seed story can be followed, every claim is sourced, loading twice changes nothing."""

import pytest
from django.core.management import call_command

from tracker.models import Actor, Event, RedLine, Source, StatusChange
from tracker.services.reference import demo_record_load

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    models = (Actor, RedLine, Event, Source, StatusChange, Actor.history.model, RedLine.history.model)
    return tuple(m.objects.count() for m in models)


def test_loading_twice_changes_nothing(capsys):
    call_command("load_demo")
    first = counts()
    call_command("load_demo")
    assert counts() == first
    assert "nothing changed" in capsys.readouterr().out


def test_the_seed_story_can_be_followed():
    demo_record_load()
    line = RedLine.objects.get(slug="putin-long-range-strikes-2024")
    assert line.declared_by.slug == "vladimir-putin"
    assert line.declared_on.isoformat() == "2024-09-12"
    assert "direct participation" in line.statement
    assert line.status == "enforced"
    kinds = list(line.events.order_by("occurred_on").values_list("occurred_on", "kind"))
    assert ("2024-11-19", "crossing") in [(d.isoformat(), k) for d, k in kinds]
    assert ("2024-11-21", "response") in [(d.isoformat(), k) for d, k in kinds]

    february = RedLine.objects.get(slug="putin-unprecedented-consequences-2022")
    assert february.status == "crossed"
    assert february.events.filter(kind="crossing").count() >= 3
    assert not february.events.filter(kind="response").exists()

    assert RedLine.objects.filter(slug="russia-nuclear-doctrine-2024", severity="nuclear").exists()
    assert Event.objects.filter(partial=True, summary__icontains="Crimea").exists()
    for slug in ("sergei-ryabkov", "keir-starmer", "joe-biden", "ukraine", "nato"):
        assert Actor.objects.filter(slug=slug).exists(), slug
    assert "the Kremlin" in Actor.objects.get(slug="russia").aliases


def test_every_line_and_event_is_sourced_and_published():
    demo_record_load()
    assert RedLine.objects.count() >= 15
    assert not RedLine.objects.filter(is_published=False).exists()
    assert not RedLine.objects.filter(sources__isnull=True).exists()
    assert not Event.objects.filter(sources__isnull=True).exists()
    assert not Source.objects.exclude(url__startswith="https://").exists()


def test_the_demo_covers_every_status_but_withdrawn_and_other_theatres():
    demo_record_load()
    statuses = set(RedLine.objects.values_list("status", flat=True))
    assert {"active", "crossed", "enforced"} <= statuses
    declarers = set(RedLine.objects.values_list("declared_by__slug", flat=True))
    assert {"barack-obama", "china", "ali-khamenei", "joe-biden"} <= declarers
