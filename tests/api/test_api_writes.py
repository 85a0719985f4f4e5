"""Writes over the API: curator tokens, the same services as admin, audit, and 4xx for bad input."""

import datetime
import json

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings
from rest_framework.test import APIClient

from tests.factories import ActorFactory, EventFactory, RedLineFactory
from tracker.models import Actor, Deletion, Event, RedLine
from tracker.services.tokens import api_token_issue

pytestmark = pytest.mark.django_db
SOURCE = {"url": "https://news.example.org/warning", "publisher": "Example", "quote": "the words"}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def curator_api(curator):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=curator).key}")
    return client


def line_payload(**over):
    ActorFactory(slug="putin", name="Putin")
    ActorFactory(slug="nato", name="NATO")
    return {
        "slug": "long-range-strikes",
        "title": "Long-range strikes",
        "declared_by": "putin",
        "addressees": ["nato"],
        "declared_on": "2024-09-12",
        "statement": "Strikes deep inside our territory would mean direct participation.",
        "trigger": "Western long-range missiles used against our territory",
        "threatened_response": "appropriate decisions",
        "severity": "military",
        "category": "strikes_on_territory",
        "topics": ["Missiles"],
        "sources": [SOURCE],
        **over,
    }


def test_anonymous_and_non_curator_users_cannot_write(django_user_model):
    assert APIClient().post("/api/v1/actors/", {"slug": "x"}, format="json").status_code == 401
    reader = django_user_model.objects.create_user("reader", password="reader-pass-123")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=reader).key}")
    response = client.post("/api/v1/actors/", {"slug": "x", "name": "X", "kind": "state"}, format="json")
    assert response.status_code == 403
    assert not Actor.objects.filter(slug="x").exists()


def test_staff_without_the_group_may_not_write(django_user_model):
    """``is_staff`` gives no rights; the Curator group (or superuser) does."""
    staff = django_user_model.objects.create_user("staff", password="staff-pass-123", is_staff=True)
    client = APIClient()
    client.force_authenticate(staff)
    response = client.post("/api/v1/actors/", {"slug": "x", "name": "X", "kind": "state"}, format="json")
    assert response.status_code == 403
    assert not Actor.objects.filter(slug="x").exists()


def test_a_curator_creates_a_line_through_the_services_with_audit(curator_api, curator):
    response = curator_api.post("/api/v1/red-lines/", line_payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "long-range-strikes" and body["status"] == "active"
    assert body["addressees"] == [{"slug": "nato", "name": "NATO"}]
    assert body["topics"] == ["missiles"] and body["sources"][0]["url"] == SOURCE["url"]
    line = RedLine.objects.get(slug="long-range-strikes")
    assert line.is_published
    assert line.status_changes.get().reason == "declared"
    assert line.history.first().history_user == curator


def test_recording_a_crossing_recomputes_status_and_records_the_change(curator_api, curator):
    line = RedLineFactory(slug="l", declared_on=datetime.date(2024, 1, 1))
    payload = {
        "red_line": "l",
        "kind": "crossing",
        "occurred_on": "2024-05-01",
        "summary": "Missiles hit targets across the border.",
        "actors": [ActorFactory(slug="kyiv").slug],
        "sources": [SOURCE],
    }
    response = curator_api.post("/api/v1/events/", payload, format="json")
    assert response.status_code == 201, response.json()
    line.refresh_from_db()
    assert line.status == "crossed"
    change = line.status_changes.order_by("id").last()
    assert (change.old_status, change.new_status, change.event_id) == (
        "active",
        "crossed",
        response.json()["id"],
    )
    assert Event.objects.get(pk=response.json()["id"]).history.first().history_user == curator


def test_patch_edits_only_the_given_fields_and_a_rename_leaves_a_tombstone(curator_api):
    RedLineFactory(slug="old-slug", title="Old title")
    response = curator_api.patch(
        "/api/v1/red-lines/old-slug/", {"title": "New title", "slug": "new-slug"}, format="json"
    )
    assert response.status_code == 200, response.json()
    line = RedLine.objects.get(slug="new-slug")
    assert line.title == "New title" and line.sources.count() == 1
    assert Deletion.objects.filter(model="red_line", key="old-slug").exists()


def test_redating_an_event_through_patch_reopens_the_line(curator_api):
    line = RedLineFactory(slug="l")
    EventFactory(red_line=line, kind="crossing", occurred_on=datetime.date(2024, 5, 1))
    response = EventFactory(red_line=line, kind="response", occurred_on=datetime.date(2024, 5, 3))
    result = curator_api.patch(f"/api/v1/events/{response.pk}/", {"occurred_on": "2024-04-01"}, format="json")
    assert result.status_code == 200
    line.refresh_from_db()
    assert line.status == "crossed"


def test_deletes_leave_tombstones_and_protected_actors_answer_409(curator_api):
    line = RedLineFactory(slug="gone", declared_by=ActorFactory(slug="declarer"))
    event = EventFactory(red_line=line)
    assert curator_api.delete("/api/v1/actors/declarer/").status_code == 409
    assert curator_api.delete(f"/api/v1/events/{event.pk}/").status_code == 204
    assert curator_api.delete("/api/v1/red-lines/gone/").status_code == 204
    assert curator_api.delete("/api/v1/actors/declarer/").status_code == 204
    assert set(Deletion.objects.values_list("model", "key")) == {
        ("event", str(event.pk)),
        ("red_line", "gone"),
        ("actor", "declarer"),
    }


def test_a_crossing_dated_before_the_declaration_is_400_and_nothing_is_stored(curator_api):
    RedLineFactory(slug="l", declared_on=datetime.date(2024, 1, 1))
    payload = {
        "red_line": "l",
        "kind": "crossing",
        "occurred_on": "2023-12-31",
        "summary": "x",
        "sources": [SOURCE],
    }
    response = curator_api.post("/api/v1/events/", payload, format="json")
    assert response.status_code == 400
    assert (
        "occurred_on" in response.json()
        and "before the line was declared" in response.json()["occurred_on"][0]
    )
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "over, field",
    [
        ({"declared_by": "nobody"}, "declared_by"),
        ({"addressees": ["nobody"]}, "addressees"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"declared_on": "2024-02-30"}, "declared_on"),
        ({"declared_on": "2999-01-01"}, "declared_on"),
        ({"sources": []}, "sources"),
        ({"sources": [{"url": "not a url"}]}, "sources"),
        ({"title": ""}, "title"),
        ({"slug": "has spaces"}, "slug"),
        ({"topics": "missiles"}, "topics"),
    ],
)
def test_bad_line_fields_are_400_with_that_field_named(curator_api, over, field):
    response = curator_api.post("/api/v1/red-lines/", line_payload(**over), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not RedLine.objects.exists()


def test_a_duplicate_slug_is_400(curator_api):
    RedLineFactory(slug="long-range-strikes")
    response = curator_api.post("/api/v1/red-lines/", line_payload(), format="json")
    assert response.status_code == 400 and "slug" in response.json()


def test_non_json_bodies_are_400_with_a_message(curator_api):
    broken = curator_api.post("/api/v1/actors/", "{not json", content_type="application/json")
    assert broken.status_code == 400 and "JSON" in broken.json()["detail"]
    form = curator_api.post(
        "/api/v1/actors/", "slug=x&name=X", content_type="application/x-www-form-urlencoded"
    )
    assert form.status_code == 400 and "application/json" in form.json()["detail"]
    listing = curator_api.post("/api/v1/actors/", "[1, 2]", content_type="application/json")
    assert listing.status_code == 400


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
def test_oversized_bodies_are_413(curator_api):
    body = json.dumps({"slug": "x", "name": "X", "kind": "state", "description": "y" * 20_000})
    response = curator_api.post("/api/v1/actors/", body, content_type="application/json")
    assert response.status_code == 413
    assert not Actor.objects.exists()


def test_put_is_not_offered(curator_api):
    ActorFactory(slug="a")
    assert curator_api.put("/api/v1/actors/a/", {}, format="json").status_code == 405


def test_the_curator_group_exists_for_tokens(curator):
    assert curator.groups.filter(name=Group.objects.get(name="Curator").name).exists()


def test_slugs_differing_only_in_case_are_refused_with_a_field_message(curator_api):
    payload = line_payload()
    assert curator_api.post("/api/v1/red-lines/", payload, format="json").status_code == 201
    again = curator_api.post("/api/v1/red-lines/", {**payload, "slug": "LONG-Range-Strikes"}, format="json")
    assert again.status_code == 400
    assert again.json() == {
        "slug": ["Another red line already has this slug (slugs are compared without regard to letter case)."]
    }
    actor = curator_api.post(
        "/api/v1/actors/", {"slug": "PUTIN", "name": "P", "kind": "person"}, format="json"
    )
    assert actor.status_code == 400 and list(actor.json()) == ["slug"]
    renamed = curator_api.patch("/api/v1/actors/nato/", {"slug": "Putin"}, format="json")
    assert renamed.status_code == 400 and "without regard to letter case" in renamed.json()["slug"][0]
    assert sorted(Actor.objects.values_list("slug", flat=True)) == ["nato", "putin"]
    assert RedLine.objects.get().slug == "long-range-strikes"
    exact = curator_api.post(
        "/api/v1/actors/", {"slug": "nato", "name": "N", "kind": "alliance"}, format="json"
    )
    assert exact.status_code == 400 and list(exact.json()) == ["slug"]
