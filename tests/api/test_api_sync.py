"""Keeping a copy: `updated_since` + tombstones give a client exactly the server's record; dump and exports."""

import json

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from bench.synthetic import synthetic_record_generate
from tests.factories import ActorFactory, EventFactory, RedLineFactory
from tracker.services.tokens import api_token_issue

pytestmark = pytest.mark.django_db
SOURCE = {"url": "https://news.example.org/s", "publisher": "Example"}
RESOURCES = {"actors": ("actor", "slug"), "red-lines": ("red_line", "slug"), "events": ("event", "id")}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pages(api, url, params):
    while url:
        response = api.get(url, params)
        assert response.status_code == 200, response.content
        body = response.json()
        yield from body["results"]
        url, params = body["next"], None


class Mirror:
    """A client's copy: tombstones first (a slug may be reused), then upserts of what changed."""

    def __init__(self, api):
        self.api = api
        self.since = None
        self.copy = {name: {} for name in RESOURCES}

    def sync(self):
        started = timezone.now()
        if self.since:
            deleted = pages(self.api, "/api/v1/deletions/", {"since": self.since, "page_size": 200})
            for tomb in deleted:
                for name, (model, key) in RESOURCES.items():
                    if tomb["model"] == model:
                        self.copy[name].pop(int(tomb["key"]) if key == "id" else tomb["key"], None)
        for name, (_, key) in RESOURCES.items():
            params = {"ordering": "updated_at", "page_size": 2}
            if self.since:
                params["updated_since"] = self.since
            for row in pages(self.api, f"/api/v1/{name}/", params):
                self.copy[name][row[key]] = row
        self.since = started.isoformat()


def server_record(api):
    return {
        name: {row[key]: row for row in pages(api, f"/api/v1/{name}/", {"page_size": 200})}
        for name, (_, key) in RESOURCES.items()
    }


def test_a_client_syncing_with_updated_since_and_deletions_ends_with_the_servers_record(curator):
    writer = APIClient()
    writer.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=curator).key}")
    reader = APIClient()
    putin = ActorFactory(slug="putin")
    ActorFactory(slug="nato")
    for i in range(4):
        line = RedLineFactory(slug=f"line-{i}", declared_by=putin)
        EventFactory(red_line=line, kind="restatement")
    mirror = Mirror(reader)
    mirror.sync()
    assert mirror.copy == server_record(reader)

    def ok(response, code=200):
        assert response.status_code == code, response.content

    ok(writer.patch("/api/v1/red-lines/line-0/", {"title": "Edited title"}, format="json"))
    ok(writer.patch("/api/v1/red-lines/line-1/", {"addressees": ["nato"]}, format="json"))
    crossing = {"red_line": "line-2", "kind": "crossing", "occurred_on": "2024-07-01", "summary": "Crossed."}
    ok(writer.post("/api/v1/events/", {**crossing, "sources": [SOURCE]}, format="json"), 201)
    ok(writer.delete("/api/v1/red-lines/line-3/"), 204)
    mirror.sync()
    assert mirror.copy == server_record(reader)

    event_id = next(iter(mirror.copy["events"]))
    ok(writer.delete(f"/api/v1/events/{event_id}/"), 204)
    ok(writer.patch("/api/v1/red-lines/line-0/", {"slug": "line-zero"}, format="json"))
    ok(writer.post("/api/v1/actors/", {"slug": "kyiv", "name": "Kyiv", "kind": "state"}, format="json"), 201)
    ok(writer.patch("/api/v1/actors/nato/", {"aliases": ["the Alliance"]}, format="json"))
    new_line = {
        "slug": "line-3",
        "title": "Same slug, new line",
        "declared_by": "kyiv",
        "declared_on": "2024-02-02",
        "statement": "A fresh warning.",
        "trigger": "Something else",
        "severity": "economic",
        "sources": [SOURCE],
    }
    ok(writer.post("/api/v1/red-lines/", new_line, format="json"), 201)
    mirror.sync()
    final = server_record(reader)
    assert mirror.copy == final
    assert "line-zero" in final["red-lines"] and "line-0" not in final["red-lines"]
    assert final["red-lines"]["line-3"]["title"] == "Same slug, new line"
    assert final["red-lines"]["line-2"]["status"] == "crossed"


def test_deletions_list_filters_by_time():
    line = RedLineFactory(slug="x")
    line.delete()
    later = timezone.now()
    RedLineFactory(slug="y").delete()
    body = APIClient().get("/api/v1/deletions/", {"since": later.isoformat()}).json()
    assert [(d["model"], d["key"]) for d in body["results"]] == [("red_line", "y")]
    assert APIClient().get("/api/v1/deletions/", {"since": "yesterday"}).status_code == 400


@pytest.mark.usefixtures("fixed_day")
def test_csv_export_streams_every_filtered_row_with_a_header_and_utf8():
    synthetic_record_generate(actors=6, red_lines=230, events=300, seed=3)
    RedLineFactory(slug="ümlaut", title="Überflug — a line with non-ASCII text", severity="diplomatic")
    api = APIClient()
    response = api.get("/api/v1/red-lines/", {"format": "csv"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = b"".join(response.streaming_content).decode("utf-8").splitlines()
    assert lines[0].startswith("slug,title,declared_by,declared_by_name,addressees,declared_on")
    assert len(lines) == 1 + 231  # more than a page: exports are never capped
    filtered = b"".join(
        api.get("/api/v1/red-lines/", {"format": "csv", "severity": "diplomatic"}).streaming_content
    )
    expected = api.get("/api/v1/red-lines/", {"severity": "diplomatic"}).json()["count"]
    assert len(filtered.decode().splitlines()) == 1 + expected
    assert "Überflug" in filtered.decode()


@pytest.mark.usefixtures("fixed_day")
@pytest.mark.parametrize("path", ["actors", "red-lines", "events", "deletions"])
def test_every_list_answers_csv_and_json_lines(path):
    synthetic_record_generate(actors=3, red_lines=5, events=12, seed=4)
    api = APIClient()
    count = api.get(f"/api/v1/{path}/").json()["count"]
    csv_rows = (
        b"".join(api.get(f"/api/v1/{path}/", {"format": "csv"}).streaming_content).decode().splitlines()
    )
    assert len(csv_rows) == 1 + count
    jsonl = b"".join(api.get(f"/api/v1/{path}/", {"format": "jsonl"}).streaming_content).decode().splitlines()
    assert len(jsonl) == count and all(isinstance(json.loads(x), dict) for x in jsonl)


def test_an_export_with_a_bad_filter_is_400_not_a_broken_file():
    response = APIClient().get("/api/v1/red-lines/", {"format": "csv", "status": "nope"})
    assert response.status_code == 400


@pytest.mark.usefixtures("fixed_day")
def test_dump_streams_the_whole_public_record_as_json_lines():
    synthetic_record_generate(actors=4, red_lines=10, events=30, seed=5)
    RedLineFactory(slug="draft", sourced=False)
    response = APIClient().get("/api/v1/dump/")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("application/x-ndjson")
    rows = [json.loads(x) for x in b"".join(response.streaming_content).decode().splitlines()]
    assert rows[0]["type"] == "header"
    kinds = [r["type"] for r in rows[1:]]
    assert kinds.count("red_line") == 10 and kinds.count("event") == 30
    assert kinds.count("actor") == 5  # four synthetic actors and the draft's declarer
    assert "draft" not in {r["data"].get("slug") for r in rows if r["type"] == "red_line"}
