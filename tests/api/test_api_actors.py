"""Actors over the API: kind/country/q filters, follow-through with the counts behind it."""

import datetime

import pytest
from rest_framework.test import APIClient

from tests.factories import ActorFactory, EventFactory, RedLineFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def api():
    return APIClient()


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["slug"] for r in response.json()["results"]]


def test_actors_filter_by_kind_country_and_name_or_alias(api):
    ActorFactory(slug="russia", name="Russia", kind="state", country="RU", aliases=["Kremlin", "Moscow"])
    ActorFactory(slug="putin", name="Vladimir Putin", kind="person", country="RU")
    ActorFactory(slug="nato", name="NATO", kind="alliance", aliases=["North Atlantic Alliance"])
    assert slugs(api.get("/api/v1/actors/", {"kind": "alliance"})) == ["nato"]
    assert slugs(api.get("/api/v1/actors/", {"country": "ru"})) == ["russia", "putin"]
    assert slugs(api.get("/api/v1/actors/", {"q": "kremlin"})) == ["russia"]
    assert slugs(api.get("/api/v1/actors/", {"q": "atlantic"})) == ["nato"]
    assert slugs(api.get("/api/v1/actors/", {"q": "putin"})) == ["putin"]


def test_actor_detail_shows_follow_through_with_counts(api):
    putin = ActorFactory(slug="putin", name="Putin", affiliation=ActorFactory(slug="russia"))
    crossed = RedLineFactory(declared_by=putin, declared_on=D(2024, 1, 1))
    EventFactory(red_line=crossed, kind="crossing", occurred_on=D(2024, 1, 11))
    enforced = RedLineFactory(declared_by=putin, declared_on=D(2024, 1, 1))
    EventFactory(red_line=enforced, kind="crossing", occurred_on=D(2024, 2, 1))
    EventFactory(red_line=enforced, kind="response", occurred_on=D(2024, 2, 5))
    RedLineFactory(declared_by=putin)
    body = api.get("/api/v1/actors/putin/").json()
    assert body["affiliation"] == "russia"
    assert body["follow_through"] == {
        "lines_declared": 3,
        "lines_crossed": 2,
        "lines_enforced": 1,
        "follow_through_rate": 0.5,
        "median_days_to_response": 4.0,
        "median_days_to_first_crossing": 20.5,
    }


def test_an_actor_without_crossed_lines_has_a_null_rate_not_zero(api):
    ActorFactory(slug="calm")
    assert api.get("/api/v1/actors/calm/").json()["follow_through"]["follow_through_rate"] is None


def test_bad_actor_filters_are_400_and_unknown_slugs_404(api):
    assert api.get("/api/v1/actors/", {"kind": "planet"}).status_code == 400
    assert api.get("/api/v1/actors/", {"updated_since": "2024-99-01"}).status_code == 400
    assert api.get("/api/v1/actors/nobody/").status_code == 404
