"""Red lines over the API: filters, search, detail as of a date, history, drafts hidden, bad input."""

import datetime

import pytest
from django.db.models import Prefetch
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from api.serializers.records import HistorySerializer, RedLineDetailSerializer, RedLineSerializer
from tests.api_support import demo_record_with_edge_events
from tests.factories import ActorFactory, EventFactory, RedLineFactory
from tracker.models import Actor, RedLine, Source
from tracker.rules import status as rules
from tracker.selectors.history import TimelineEntry
from tracker.selectors.red_lines import public_red_lines, red_line_events, red_line_status_history
from tracker.services import record
from tracker.services.reference import demo_record_load

pytestmark = pytest.mark.django_db
D = datetime.date
URL = "/api/v1/red-lines/"


@pytest.fixture
def api():
    return APIClient()


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["slug"] for r in response.json()["results"]]


def test_list_is_paginated_with_count_next_previous_and_newest_declaration_first(api):
    for day in (1, 2, 3):
        RedLineFactory(slug=f"line-{day}", declared_on=D(2024, 1, day))
    body = api.get(URL, {"page_size": 2}).json()
    assert body["count"] == 3
    assert [r["slug"] for r in body["results"]] == ["line-3", "line-2"]
    assert body["previous"] is None and "page=2" in body["next"]
    assert slugs(api.get(body["next"])) == ["line-1"]


def test_draft_lines_and_unsourced_events_are_never_listed_or_shown(api):
    RedLineFactory(slug="draft", sourced=False)
    line = RedLineFactory(slug="public")
    EventFactory(red_line=line, sourced=False, summary="An unsourced claim")
    assert slugs(api.get(URL)) == ["public"]
    assert api.get(URL + "draft/").status_code == 404
    assert api.get(URL + "public/").json()["events"] == []
    assert api.get("/api/v1/events/").json()["count"] == 0


def test_each_filter_narrows_the_list(api):
    putin, nato, kyiv = ActorFactory(slug="putin"), ActorFactory(slug="nato"), ActorFactory(slug="kyiv")
    a = RedLineFactory(
        slug="a",
        declared_by=putin,
        severity="nuclear",
        category="weapons_transfer",
        declared_on=D(2022, 2, 1),
    )
    a.addressees.set([nato])
    b = RedLineFactory(slug="b", declared_by=kyiv, topics=["crimea"], declared_on=D(2024, 5, 1))
    b.addressees.set([nato, putin])
    EventFactory(red_line=b, kind="crossing")
    assert slugs(api.get(URL, {"declared_by": "putin"})) == ["a"]
    assert slugs(api.get(URL, {"addressee": "nato"})) == ["b", "a"]
    assert slugs(api.get(URL, {"severity": "nuclear"})) == ["a"]
    assert slugs(api.get(URL, {"category": "weapons_transfer"})) == ["a"]
    assert slugs(api.get(URL, {"status": "crossed"})) == ["b"]
    assert slugs(api.get(URL, {"status": ["crossed", "active"]})) == ["b", "a"]
    assert slugs(api.get(URL, {"topic": "Crimea"})) == ["b"]
    assert slugs(api.get(URL, {"declared_after": "2023-01-01"})) == ["b"]
    assert slugs(api.get(URL, {"declared_before": "2023-01-01"})) == ["a"]
    assert slugs(api.get(URL, {"ordering": "declared_on"})) == ["a", "b"]


def test_search_finds_words_in_title_statement_and_trigger(api):
    RedLineFactory(slug="missile", title="No missile strikes", statement="We warn.", trigger="A strike")
    RedLineFactory(
        slug="tanks", title="Tanks", statement="Delivering tanks is a provocation.", trigger="Tanks"
    )
    RedLineFactory(slug="ports", title="Ports", statement="We warn.", trigger="A blockade of the ports")
    assert slugs(api.get(URL, {"q": "missile"})) == ["missile"]
    assert slugs(api.get(URL, {"q": "provocation"})) == ["tanks"]
    assert slugs(api.get(URL, {"q": "blockade"})) == ["ports"]
    assert slugs(api.get(URL, {"q": "nothing-like-this"})) == []


def test_search_is_stemmed_and_ranked(api):
    RedLineFactory(slug="weak", title="Border rules", statement="Talks about a missile, once.")
    RedLineFactory(slug="strong", title="Missile deliveries", statement="Any missile delivery is war.")
    assert slugs(api.get(URL, {"q": "missiles"})) == ["strong", "weak"]


def test_search_finds_a_part_of_a_hyphenated_word(api):
    RedLineFactory(slug="m", title="Long-range missiles", statement="s", trigger="t")
    assert slugs(api.get(URL, {"q": "range"})) == ["m"]


def test_pages_in_any_ordering_never_repeat_or_skip_rows(api):
    for i in range(7):
        RedLineFactory(slug=f"same-day-{i}", declared_on=D(2024, 3, 3), severity="military")
    for ordering in ("declared_on", "-declared_on", "severity", "-updated_at", "title"):
        seen = []
        url, params = URL, {"ordering": ordering, "page_size": 3}
        while url:
            body = api.get(url, params).json()
            seen += [r["slug"] for r in body["results"]]
            url, params = body["next"], None
        assert sorted(seen) == sorted(f"same-day-{i}" for i in range(7)) and len(seen) == 7


def test_detail_nests_addressees_sources_and_events_by_slug(api):
    nato = ActorFactory(slug="nato", name="NATO")
    line = RedLineFactory(slug="long-range", declared_by=ActorFactory(slug="putin", name="Putin"))
    line.addressees.set([nato])
    EventFactory(red_line=line, kind="crossing", occurred_on=D(2024, 6, 1))
    body = api.get(URL + "long-range/").json()
    assert body["declared_by"] == "putin" and body["declared_by_name"] == "Putin"
    assert body["addressees"] == [{"slug": "nato", "name": "NATO"}]
    assert body["sources"][0]["url"].startswith("https://news.example.org/")
    assert [e["kind"] for e in body["events"]] == ["crossing"]
    assert body["events"][0]["sources"]
    assert body["status"] == "crossed" and body["as_of"] is None


def test_detail_as_of_a_date_gives_the_status_and_events_of_that_day(api):
    line = RedLineFactory(slug="l", declared_on=D(2024, 1, 1))
    EventFactory(red_line=line, kind="crossing", occurred_on=D(2024, 3, 1))
    EventFactory(red_line=line, kind="response", occurred_on=D(2024, 4, 1))
    assert api.get(URL + "l/").json()["status"] == "enforced"
    then = api.get(URL + "l/", {"as_of": "2024-03-15"}).json()
    assert then["status"] == "crossed" and then["as_of"] == "2024-03-15"
    assert [e["kind"] for e in then["events"]] == ["crossing"]
    assert then["status_changed_on"] == "2024-03-01"
    before = api.get(URL + "l/", {"as_of": "2024-02-01"}).json()
    assert before["status"] == "active" and before["events"] == []


def test_history_lists_declaration_events_and_status_changes_in_date_order(api):
    line = RedLineFactory(slug="h", declared_on=D(2024, 1, 1))
    EventFactory(red_line=line, kind="restatement", occurred_on=D(2024, 2, 1))
    EventFactory(red_line=line, kind="crossing", occurred_on=D(2024, 3, 1))
    body = api.get(URL + "h/history/").json()
    assert body["status"] == "crossed"
    assert [(t["date"], t["type"], t["kind"] or t["new_status"]) for t in body["timeline"]] == [
        ("2024-01-01", "declaration", ""),
        ("2024-02-01", "event", "restatement"),
        ("2024-03-01", "event", "crossing"),
        ("2024-03-01", "status_change", "crossed"),
    ]
    earlier = api.get(URL + "h/history/", {"as_of": "2024-02-15"}).json()
    assert earlier["status"] == "active" and len(earlier["timeline"]) == 2


def test_dates_are_iso_8601(api):
    RedLineFactory(slug="d")
    row = api.get(URL).json()["results"][0]
    assert row["declared_on"] == "2024-01-01"
    assert datetime.datetime.fromisoformat(row["updated_at"])


@pytest.mark.parametrize(
    "params",
    [
        {"status": "smouldering"},
        {"severity": "catastrophic"},
        {"category": "x"},
        {"declared_after": "2024-13-45"},
        {"declared_before": "yesterday"},
        {"updated_since": "not-a-time"},
        {"ordering": "password"},
        {"page_size": str(10**9)},
        {"page_size": "0"},
        {"page_size": "ten"},
        {"page": "-1"},
        {"page": "abc"},
    ],
)
def test_bad_list_parameters_are_400_with_a_message_per_field(api, params):
    RedLineFactory()
    response = api.get(URL, params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_a_page_past_the_end_is_404_and_unknown_slugs_are_404(api):
    RedLineFactory()
    assert api.get(URL, {"page": 99}).status_code == 404
    assert api.get(URL + "no-such-line/").status_code == 404
    assert api.get(URL + "no-such-line/history/").status_code == 404


def test_malformed_or_too_early_as_of_is_400(api):
    RedLineFactory(slug="x", declared_on=D(2024, 1, 1))
    assert api.get(URL + "x/", {"as_of": "2024-02-30"}).json().keys() == {"as_of"}
    assert api.get(URL + "x/", {"as_of": "2023-12-31"}).status_code == 400
    assert api.get(URL + "x/history/", {"as_of": "soon"}).status_code == 400


def test_a_status_change_through_the_services_shows_at_once(api):
    line = RedLineFactory(slug="s")
    record.event_record(
        red_line=line,
        kind="withdrawal",
        occurred_on=D(2024, 2, 1),
        summary="The warning was dropped.",
        sources=[{"url": "https://news.example.org/w"}],
    )
    assert api.get(URL + "s/").json()["status"] == "withdrawn"


@pytest.mark.parametrize(
    "stamp", ["2024-01-01T00:00:00-19:59", "0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00"]
)
def test_updated_since_takes_any_valid_iso_offset_even_ones_postgresql_cannot_store(api, stamp):
    RedLineFactory(slug="r")
    for path in ("red-lines", "actors", "events"):
        assert api.get(f"/api/v1/{path}/", {"updated_since": stamp}).status_code == 200
    assert api.get("/api/v1/deletions/", {"since": stamp}).status_code == 200


# --- the detail and history read as rows give what the serializers gave over model objects ----


def _detail_as_serialized(slug: str, as_of: datetime.date | None) -> dict:
    line = (
        public_red_lines()
        .select_related("declared_by", "restates")
        .prefetch_related(Prefetch("sources", queryset=Source.objects.order_by("published_on", "id")))
        .get(slug=slug)
    )
    line.timeline_events = list(red_line_events(red_line=line, as_of=as_of))
    line.as_of = as_of
    if as_of is not None:
        result = rules.derive(line.timeline_events, declared_on=line.declared_on)
        line.status, line.status_changed_on = result.status, result.status_changed_on
        line.last_reaffirmed_on = result.last_reaffirmed_on
    return RedLineDetailSerializer(line).data


def _history_as_serialized(slug: str, as_of: datetime.date | None) -> dict:
    line = public_red_lines().get(slug=slug)
    events = list(red_line_events(red_line=line, as_of=as_of))
    entries = [
        TimelineEntry(line.declared_on, "declaration", line.statement, sources=list(line.sources.all()))
    ]
    entries += [
        TimelineEntry(
            e.occurred_on, "event", e.summary, kind=e.kind, event_id=e.pk, sources=list(e.sources.all())
        )
        for e in events
    ]
    changes = red_line_status_history(red_line=line)
    if as_of is not None:
        changes = changes.filter(changed_on__lte=as_of)
    entries += [
        TimelineEntry(c.changed_on, "status_change", c.reason, "", c.event_id, c.old_status, c.new_status)
        for c in changes
        if c.old_status
    ]
    order = {e.pk: i for i, e in enumerate(events)}
    rank = {"declaration": 0, "event": 1, "status_change": 2}
    entries.sort(
        key=lambda x: (x.date, rank[x.type], order.get(x.event_id, len(order)) if x.event_id else -1)
    )
    status = line.status if as_of is None else rules.status_as_of(events, as_of)
    return HistorySerializer({"red_line": slug, "status": status, "as_of": as_of, "timeline": entries}).data


def test_detail_and_history_read_as_rows_are_byte_for_byte_what_the_serializers_give(api):
    demo_record_with_edge_events()
    checked = 0
    for slug, declared_on in RedLine.objects.filter(is_published=True).values_list("slug", "declared_on"):
        for as_of in (None, declared_on, declared_on + datetime.timedelta(days=400)):
            params = {"as_of": as_of.isoformat()} if as_of else {}
            for path, expected in (
                (f"{URL}{slug}/", _detail_as_serialized),
                (f"{URL}{slug}/history/", _history_as_serialized),
            ):
                response = api.get(path, params)
                assert response.status_code == 200, response.content
                assert response.content == JSONRenderer().render(expected(slug, as_of)), path
                checked += 1
    assert checked >= 60


def test_list_pages_read_as_rows_are_what_the_list_serializer_gives(api):
    demo_record_load()
    actor = Actor.objects.filter(red_lines_addressed__isnull=False).order_by("id").first()
    pages = [
        {},
        {"page_size": 3, "page": 2},
        {"ordering": "title"},
        {"addressee": actor.slug},
        {"q": "missiles"},
        {"status": ["crossed", "enforced"], "ordering": "-updated_at"},
    ]
    lines = (
        public_red_lines()
        .select_related("restates")
        .prefetch_related(Prefetch("sources", queryset=Source.objects.order_by("published_on", "id")))
    )
    for params in pages:
        body = api.get(URL, params).json()
        assert body["results"], params
        by_slug = lines.in_bulk([r["slug"] for r in body["results"]], field_name="slug")
        expected = RedLineSerializer([by_slug[r["slug"]] for r in body["results"]], many=True).data
        assert JSONRenderer().render(body["results"]) == JSONRenderer().render(expected), params
