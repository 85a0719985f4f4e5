"""Anonymous dashboard pages come from the read cache until the record changes, and only theirs do."""

import time
from collections.abc import Iterator

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import ActorFactory, EventFactory, RedLineFactory
from tests.ingest_support import PrivateRedis
from tests.web_support import queries_for
from tracker.models import Candidate
from tracker.models.ingest import Article
from tracker.services import record

pytestmark = pytest.mark.django_db

PAGES = (
    "/",
    "/red-lines/",
    "/red-lines/?status=crossed",
    "/red-lines/strikes/",
    "/actors/",
    "/actors/putin/",
)
SECURITY = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options")


@pytest.fixture
def world() -> dict:
    putin, nato = ActorFactory(name="Putin", slug="putin"), ActorFactory(name="NATO", slug="nato")
    line = RedLineFactory(slug="strikes", title="No strikes deep inside", declared_by=putin)
    line.addressees.set([nato])
    EventFactory(red_line=line, kind="crossing")
    return {"line": line, "actor": putin}


def visit(client: Client, url: str, **extra: object) -> tuple[int, HttpResponse]:
    """The SQL queries one GET runs, and its response."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    return len(ctx), response


@pytest.mark.parametrize("url", PAGES)
def test_a_second_anonymous_visit_costs_one_version_query_and_shows_the_same_page(client, world, url):
    cold_queries, cold = visit(client, url)
    warm_queries, warm = visit(client, url)
    assert cold.status_code == warm.status_code == 200
    assert warm_queries == 1 < cold_queries
    assert warm.content == cold.content


def test_the_query_string_in_another_order_is_the_same_page(client, world):
    client.get("/red-lines/?status=crossed&q=strikes")
    assert queries_for(client, "/red-lines/?q=strikes&status=crossed") == 1


def test_an_edit_through_the_services_retires_every_cached_page_at_once(client, world):
    for url in PAGES:
        client.get(url)
    record.red_line_update(red_line=world["line"], user=None, title="No strikes on the capital")
    for url in ("/", "/red-lines/", "/red-lines/?status=crossed", "/red-lines/strikes/", "/actors/putin/"):
        html = client.get(url).content.decode()
        assert "No strikes on the capital" in html and "No strikes deep inside" not in html, url
    record.actor_update(actor=world["actor"], user=None, name="Vladimir Putin")
    assert "Vladimir Putin" in client.get("/actors/").content.decode()
    assert "Vladimir Putin" in client.get("/red-lines/strikes/").content.decode()


def test_cached_pages_carry_fresh_request_ids_and_the_same_security_headers(client, world):
    cold = client.get("/red-lines/strikes/", HTTP_X_REQUEST_ID="first-request-0001")
    warm = client.get("/red-lines/strikes/", HTTP_X_REQUEST_ID="second-request-0002")
    assert warm["X-Request-ID"] == "second-request-0002" and cold["X-Request-ID"] == "first-request-0001"
    assert client.get("/red-lines/strikes/")["X-Request-ID"] not in (
        "first-request-0001",
        "second-request-0002",
    )
    for name in SECURITY:
        assert warm[name] == cold[name], name
    assert "'unsafe" not in warm["Content-Security-Policy"]
    assert not warm.cookies and not cold.cookies
    assert warm["Content-Type"] == cold["Content-Type"] == "text/html; charset=utf-8"


def test_a_revalidating_visitor_gets_304_until_the_record_changes(client, world):
    first = client.get("/red-lines/strikes/")
    etag = first["ETag"]
    assert etag.startswith('W/"')
    again = client.get("/red-lines/strikes/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and not again.content
    record.red_line_update(red_line=world["line"], user=None, title="Edited since")
    changed = client.get("/red-lines/strikes/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and "Edited since" in changed.content.decode()
    assert changed["ETag"] != etag


def test_a_signed_in_curator_is_never_served_the_anonymous_page_nor_pollutes_it(client, world, curator):
    article = Article.objects.create(canonical_url="https://news.example.org/a", title="A")
    Candidate.objects.create(kind="crossing", article=article, evidence="e", start=0, end=1)
    anonymous = client.get("/")
    assert "pending review" not in anonymous.content.decode()
    signed_in = Client()
    signed_in.force_login(curator)
    for _ in range(2):
        page = signed_in.get("/")
        assert "candidate pending review" in page.content.decode()
        assert "ETag" not in page
    # The curator's visit to an uncached page is not stored for anonymous visitors either.
    signed_in.get("/actors/")
    assert queries_for(Client(), "/actors/") > 1
    assert "pending review" not in client.get("/").content.decode()
    assert queries_for(client, "/") == 1


def test_a_visitor_with_a_session_cookie_reads_through(client, world):
    client.get("/red-lines/")
    visitor = Client()
    visitor.cookies["sessionid"] = "an-expired-session"
    assert queries_for(visitor, "/red-lines/") > 1


def test_the_htmx_fragment_and_the_full_page_are_cached_apart(client, world):
    full = client.get("/red-lines/?status=crossed")
    fragment = client.get("/red-lines/?status=crossed", headers={"HX-Request": "true"})
    assert "<html" in full.content.decode() and "<html" not in fragment.content.decode()
    assert "HX-Request" in full["Vary"] and "HX-Request" in fragment["Vary"]
    assert (
        "<html"
        not in client.get("/red-lines/?status=crossed", headers={"HX-Request": "true"}).content.decode()
    )
    assert "<html" in client.get("/red-lines/?status=crossed").content.decode()
    restore = client.get(
        "/red-lines/?status=crossed", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.content.decode()
    assert full["ETag"] != fragment["ETag"] != restore["ETag"]


def test_pages_with_a_message_and_missing_pages_are_never_cached(client, world):
    bad = "/red-lines/?declared_after=not-a-date"
    assert client.get(bad).status_code == 400
    queries, again = visit(client, bad)
    assert again.status_code == 400 and "ETag" not in again and queries > 1
    assert client.get("/red-lines/nowhere/").status_code == 404
    assert "ETag" not in client.get("/red-lines/nowhere/")


# --- with the cache on a Redis that goes away -------------------------------------------------------


@pytest.fixture
def redis_cache(settings, tmp_path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "tracker.cache.TolerantRedisCache",
            "LOCATION": server.url(),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.integration
def test_with_redis_stopped_pages_still_serve_and_are_cached_again_once_it_is_back(
    client, world, redis_cache
):
    for url in PAGES:
        client.get(url)
        assert queries_for(client, url) == 1, url  # from Redis
    redis_cache.stop()
    for url in PAGES:
        started = time.monotonic()
        response = client.get(url)
        assert response.status_code == 200, url
        assert "No strikes deep inside" in response.content.decode() or url == "/actors/"
        assert time.monotonic() - started < 5, url
    record.red_line_update(red_line=world["line"], user=None, title="Edited while Redis was down")
    assert "Edited while Redis was down" in client.get("/red-lines/strikes/").content.decode()
    redis_cache.start()
    for url in PAGES:
        client.get(url)
        assert queries_for(client, url) == 1, url
    assert "Edited while Redis was down" in client.get("/red-lines/strikes/").content.decode()
