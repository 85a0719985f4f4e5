"""The stats endpoint: counts by status, severity and category; follow-through by actor and category."""

import datetime

import pytest
from rest_framework.test import APIClient

from bench.synthetic import synthetic_record_generate
from tests.factories import ActorFactory, EventFactory, RedLineFactory
from tracker.models import Actor, RedLine
from tracker.selectors.follow_through import (
    follow_through_by,
    follow_through_for_actor,
    follow_through_grouped,
)
from tracker.services.derived import red_line_outcomes_refresh
from tracker.services.reference import demo_record_load

pytestmark = pytest.mark.django_db
D = datetime.date


def test_stats_count_public_lines_and_show_follow_through_with_its_counts():
    putin, biden = ActorFactory(slug="putin", name="Putin"), ActorFactory(slug="biden", name="Biden")
    crossed = RedLineFactory(declared_by=putin, severity="nuclear", category="weapons_transfer")
    EventFactory(red_line=crossed, kind="crossing", occurred_on=D(2024, 3, 1))
    enforced = RedLineFactory(declared_by=biden, severity="economic")
    EventFactory(red_line=enforced, kind="crossing", occurred_on=D(2024, 3, 1))
    EventFactory(red_line=enforced, kind="response", occurred_on=D(2024, 3, 3))
    RedLineFactory(declared_by=putin, severity="nuclear")
    RedLineFactory(declared_by=putin, sourced=False)  # a draft: never counted
    body = APIClient().get("/api/v1/stats/").json()
    assert body["total"] == 3
    assert body["by_status"] == {"active": 1, "crossed": 1, "enforced": 1, "withdrawn": 0}
    assert body["by_severity"] == {"diplomatic": 0, "economic": 1, "military": 0, "nuclear": 2}
    assert body["by_category"]["weapons_transfer"] == 1 and body["by_category"]["strikes_on_territory"] == 2
    by_actor = {r["actor"]: r for r in body["follow_through_by_actor"]}
    assert by_actor["putin"]["name"] == "Putin"
    assert (by_actor["putin"]["lines_declared"], by_actor["putin"]["lines_crossed"]) == (2, 1)
    assert by_actor["putin"]["follow_through_rate"] == 0.0
    assert by_actor["biden"]["follow_through_rate"] == 1.0
    assert by_actor["biden"]["median_days_to_response"] == 2.0
    by_category = {r["category"]: r for r in body["follow_through_by_category"]}
    assert by_category["strikes_on_territory"]["lines_enforced"] == 1


def test_stats_narrow_to_a_severity_and_window():
    RedLineFactory(severity="nuclear", declared_on=D(2023, 1, 1))
    RedLineFactory(severity="economic", declared_on=D(2024, 1, 1))
    api = APIClient()
    assert api.get("/api/v1/stats/", {"severity": "nuclear"}).json()["total"] == 1
    assert api.get("/api/v1/stats/", {"declared_after": "2023-06-01"}).json()["total"] == 1


def test_bad_stats_parameters_are_400():
    api = APIClient()
    assert api.get("/api/v1/stats/", {"severity": "extreme"}).json().keys() == {"severity"}
    assert api.get("/api/v1/stats/", {"declared_after": "2024-02-31"}).status_code == 400


def test_cached_stats_change_as_soon_as_the_record_does():
    line = RedLineFactory()
    api = APIClient()
    assert api.get("/api/v1/stats/").json()["by_status"]["active"] == 1
    EventFactory(red_line=line, kind="crossing")
    assert api.get("/api/v1/stats/").json()["by_status"]["crossed"] == 1
    line.delete()
    assert api.get("/api/v1/stats/").json()["total"] == 0


WINDOWS = ({}, {"severity": "military"}, {"since": D(2022, 1, 1), "category": "weapons_transfer"})


def figures_from_the_events(keys: tuple[str, ...]) -> list[dict]:
    """The figures once every line's outcome is recomputed from its events (the stored ones forgotten)."""
    RedLine.objects.update(first_crossed_on=None, first_response_on=None)
    red_line_outcomes_refresh()
    return [follow_through_grouped(keys=keys, **window) for window in WINDOWS]


def test_stored_outcomes_give_the_figures_computed_from_the_events_on_the_demo_record():
    demo_record_load()
    keys = ("declared_by_id", "category")
    stored = [follow_through_grouped(keys=keys, **window) for window in WINDOWS]
    by_actor = {a.pk: follow_through_for_actor(actor=a) for a in Actor.objects.all()}
    assert all(found["declared_by_id"] for found in stored)
    assert stored == figures_from_the_events(keys)
    computed = follow_through_grouped(keys=("declared_by_id",))["declared_by_id"]
    for actor in Actor.objects.filter(pk__in=computed):
        assert by_actor[actor.pk] == computed[actor.pk]
    body = APIClient().get("/api/v1/stats/").json()
    assert sum(r["lines_crossed"] for r in body["follow_through_by_actor"]) > 0


@pytest.mark.usefixtures("fixed_day")
def test_the_synthetic_record_stores_the_outcomes_its_events_give():
    synthetic_record_generate(actors=5, red_lines=60, events=400, seed=7)
    keys = ("declared_by_id", "category")
    stored = [follow_through_grouped(keys=keys, **window) for window in WINDOWS]
    assert stored == figures_from_the_events(keys)


def test_stats_built_directly_are_byte_for_byte_what_the_stats_serializer_gives():
    from dataclasses import asdict

    from rest_framework.renderers import JSONRenderer

    from api.serializers.stats import StatsSerializer, stats_data
    from tracker.selectors.stats import record_stats_compute

    demo_record_load()
    windows = [
        {},
        {"declared_after": datetime.date(2015, 1, 1)},
        {"severity": "military"},
        {"category": "weapons_transfer", "declared_before": datetime.date(2023, 1, 1)},
    ]
    compared = 0
    for window in windows:
        stats = record_stats_compute(**window)
        expected = JSONRenderer().render(StatsSerializer(stats).data)
        assert JSONRenderer().render(stats_data(stats)) == expected, window
        compared += len(stats["follow_through_by_actor"])
        body = APIClient().get("/api/v1/stats/", {k: str(v) for k, v in window.items()}).content
        assert body == expected, window
    assert compared > 10
    figures = next(iter(follow_through_by(key="declared_by_id").values()))
    assert figures.as_dict() == asdict(figures)
