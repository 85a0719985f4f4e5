"""Events over the API: filters by line, kind, actor and dates; only sourced events on public lines."""

import datetime

import pytest
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from api.serializers.records import EventSerializer
from tests.api_support import demo_record_with_edge_events
from tests.factories import ActorFactory, EventFactory, RedLineFactory
from tracker.models import Actor
from tracker.selectors.events import published_events

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def api():
    return APIClient()


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [r["id"] for r in response.json()["results"]]


def test_events_filter_by_line_kind_actor_and_dates(api):
    a, b = RedLineFactory(slug="a"), RedLineFactory(slug="b")
    ukraine = ActorFactory(slug="ukraine")
    e1 = EventFactory(red_line=a, kind="crossing", occurred_on=D(2024, 2, 1))
    e1.actors.set([ukraine])
    e2 = EventFactory(red_line=a, kind="response", occurred_on=D(2024, 3, 1))
    e3 = EventFactory(red_line=b, kind="restatement", occurred_on=D(2024, 4, 1))
    url = "/api/v1/events/"
    assert ids(api.get(url)) == [e1.pk, e2.pk, e3.pk]
    assert ids(api.get(url, {"red_line": "a"})) == [e1.pk, e2.pk]
    assert ids(api.get(url, {"kind": "restatement"})) == [e3.pk]
    assert ids(api.get(url, {"actor": "ukraine"})) == [e1.pk]
    assert ids(api.get(url, {"after": "2024-02-15"})) == [e2.pk, e3.pk]
    assert ids(api.get(url, {"before": "2024-02-15"})) == [e1.pk]
    assert ids(api.get(url, {"ordering": "-occurred_on"})) == [e3.pk, e2.pk, e1.pk]


def test_an_event_lists_its_line_actors_and_sources(api):
    event = EventFactory(red_line=RedLineFactory(slug="line"), kind="crossing")
    event.actors.set([ActorFactory(slug="kyiv", name="Kyiv")])
    body = api.get(f"/api/v1/events/{event.pk}/").json()
    assert body["red_line"] == "line"
    assert body["actors"] == [{"slug": "kyiv", "name": "Kyiv"}]
    assert len(body["sources"]) == 1 and body["partial"] is False


def test_events_of_draft_lines_are_hidden(api):
    draft = RedLineFactory(sourced=False)
    event = EventFactory(red_line=draft)
    assert api.get("/api/v1/events/").json()["count"] == 0
    assert api.get(f"/api/v1/events/{event.pk}/").status_code == 404


def test_bad_event_filters_are_400_and_bad_ids_404(api):
    assert api.get("/api/v1/events/", {"kind": "rumour"}).status_code == 400
    assert api.get("/api/v1/events/", {"after": "31/12/2024"}).status_code == 400
    assert api.get("/api/v1/events/abc/").status_code == 404
    assert api.get("/api/v1/events/999999/").status_code == 404
    assert api.get("/api/v1/events/9223372036854775807/").status_code == 404
    too_big = api.get("/api/v1/events/99999999999999999999/")
    assert too_big.status_code == 400
    assert list(too_big.json()) == ["id"]


def test_list_pages_read_as_rows_are_what_the_event_serializer_gives(api):
    demo_record_with_edge_events()
    actor = Actor.objects.filter(events__is_public=True).order_by("id").first()
    pages = [
        {},
        {"page_size": 3, "page": 2},
        {"ordering": "-updated_at"},
        {"actor": actor.slug},
        {"kind": "crossing"},
    ]
    for params in pages:
        body = api.get("/api/v1/events/", params).json()
        assert body["results"], params
        by_id = published_events().in_bulk([r["id"] for r in body["results"]])
        expected = EventSerializer([by_id[r["id"]] for r in body["results"]], many=True).data
        assert JSONRenderer().render(body["results"]) == JSONRenderer().render(expected), params
