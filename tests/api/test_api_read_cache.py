"""Anonymous reads are served from the cache until any write changes the record's version."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.factories import EventFactory, RedLineFactory, SourceFactory
from tracker.models import Actor
from tracker.services import record
from tracker.services.tokens import api_token_issue

pytestmark = pytest.mark.django_db

PATHS = ["/api/v1/red-lines/", "/api/v1/stats/", "/api/v1/actors/", "/api/v1/deletions/"]


def queries(client: APIClient, path: str, **extra) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, **extra)
    assert response.status_code == 200
    return len(ctx), response.content


@pytest.mark.parametrize("path", PATHS)
def test_a_repeated_anonymous_read_costs_one_version_query_and_answers_the_same(path):
    RedLineFactory.create_batch(3)
    client = APIClient()
    cold, first = queries(client, path)
    warm, second = queries(client, path)
    assert warm == 1 < cold
    assert second == first


def test_a_line_detail_and_history_are_cached_too():
    line = EventFactory().red_line
    client = APIClient()
    for path in (f"/api/v1/red-lines/{line.slug}/", f"/api/v1/red-lines/{line.slug}/history/"):
        cold, first = queries(client, path)
        warm, second = queries(client, path)
        assert (warm, second) == (1, first) and cold > 1


def test_any_write_is_seen_by_the_next_read():
    line = RedLineFactory(title="Before the edit")
    client = APIClient()
    path = f"/api/v1/red-lines/{line.slug}/"
    assert client.get(path).json()["title"] == "Before the edit"
    record.red_line_update(red_line=line, user=None, title="After the edit")
    assert client.get(path).json()["title"] == "After the edit"
    SourceFactory(red_line=line, url="https://news.example.org/another-report")
    assert len(client.get(path).json()["sources"]) == 2
    assert client.get("/api/v1/red-lines/").json()["count"] == 1
    RedLineFactory()
    assert client.get("/api/v1/red-lines/").json()["count"] == 2


def test_formats_are_cached_apart_and_exports_stream_fresh():
    RedLineFactory()
    client = APIClient()
    as_json = client.get("/api/v1/red-lines/", HTTP_ACCEPT="application/json")
    browsable = client.get("/api/v1/red-lines/", HTTP_ACCEPT="text/html")
    assert as_json["Content-Type"].startswith("application/json")
    assert browsable["Content-Type"].startswith("text/html")
    csv = client.get("/api/v1/red-lines/?format=csv")
    assert csv.streaming and b"".join(csv.streaming_content).startswith(b"slug,")


def test_signed_in_users_always_read_through(curator):
    RedLineFactory()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=curator).key}")
    client.get("/api/v1/actors/")
    warm, _ = queries(client, "/api/v1/actors/")
    assert warm > 1
    assert Actor.objects.exists()
