"""The number of SQL queries per request does not grow with the page or the database."""

import pytest
from django.core.cache import cache
from django.db.models import Count
from rest_framework.test import APIClient

from bench.synthetic import synthetic_record_generate
from tracker.models import Actor, Event, RedLine

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fixed_day")]  # synthetic records


def busiest_line() -> RedLine:
    return RedLine.objects.annotate(n=Count("events")).order_by("-n", "id").first()


def busiest_event_actor() -> Actor:
    return Actor.objects.annotate(n=Count("events")).order_by("-n", "id").first()


def busiest_actor() -> Actor:
    return Actor.objects.annotate(n=Count("red_lines_declared")).order_by("-n", "id").first()


# Path and most queries with nothing cached: the record version (the read cache's key), then the view's.
ENDPOINTS = {
    "actors": (lambda: "/api/v1/actors/?page_size=200", 3),
    "actors filtered": (lambda: "/api/v1/actors/?q=a&kind=state&kind=person&page_size=200", 3),
    "actor detail": (lambda: f"/api/v1/actors/{busiest_actor().slug}/", 3),
    "red lines": (lambda: "/api/v1/red-lines/?page_size=200", 5),
    "red lines filtered": (
        lambda: (
            "/api/v1/red-lines/?status=crossed&status=active&severity=military&ordering=-updated_at&page_size=200"
        ),
        5,
    ),
    "red lines search": (lambda: "/api/v1/red-lines/?q=missiles&page_size=200", 5),
    "red lines by addressee": (
        lambda: f"/api/v1/red-lines/?addressee={busiest_actor().slug}&page_size=200",
        5,
    ),
    "red line detail": (lambda: f"/api/v1/red-lines/{busiest_line().slug}/", 6),
    "red line as of": (
        lambda: f"/api/v1/red-lines/{busiest_line().slug}/?as_of={busiest_line().declared_on.isoformat()}",
        6,
    ),
    "red line history": (lambda: f"/api/v1/red-lines/{busiest_line().slug}/history/", 5),
    "events": (lambda: "/api/v1/events/?page_size=200", 5),
    "events filtered": (
        lambda: f"/api/v1/events/?kind=crossing&actor={busiest_event_actor().slug}&page_size=200",
        5,
    ),
    "event detail": (lambda: f"/api/v1/events/{Event.objects.order_by('id').first().pk}/", 4),
    "deletions": (lambda: "/api/v1/deletions/?page_size=200", 3),
    "stats": (lambda: "/api/v1/stats/", 5),
}


def test_exports_query_per_chunk_of_rows_not_per_row(django_assert_max_num_queries):
    synthetic_record_generate(actors=4, red_lines=30, events=1200, seed=13)
    with django_assert_max_num_queries(1 + 2 * 2):  # the rows, then actors and sources per 1000 rows
        fetch("/api/v1/events/?format=csv")
    with django_assert_max_num_queries(1 + 2):
        fetch("/api/v1/red-lines/?format=jsonl")


def fetch(url: str) -> None:
    response = APIClient().get(url)
    assert response.status_code == 200, response.content
    if response.streaming:
        b"".join(response.streaming_content)


CACHED_LIMIT = 1  # the record version; the stored answer itself is in the (in-process) cache


def counts(assert_max) -> dict[str, tuple[int, int]]:
    """Queries per endpoint with nothing cached (the view's real work), then answered by the read cache."""
    found = {}
    for name, (path, limit) in ENDPOINTS.items():
        url = path()
        assert b'"count":0,' not in APIClient().get(url.replace("format=csv", "format=json")).content, name
        cache.clear()  # tests' own in-process cache: cached answers, stats and the record version go
        with assert_max(limit, info=f"{name}, uncached") as uncached:
            fetch(url)
        with assert_max(CACHED_LIMIT, info=f"{name}, from the read cache") as cached:
            fetch(url)
        found[name] = (len(uncached.captured_queries), len(cached.captured_queries))
    return found


def test_queries_per_request_are_constant_in_page_and_database_size(django_assert_max_num_queries):
    synthetic_record_generate(actors=4, red_lines=16, events=60, seed=11)
    RedLine.objects.filter(pk=RedLine.objects.order_by("id").last().pk).delete()  # one tombstone
    small = counts(django_assert_max_num_queries)
    synthetic_record_generate(actors=10, red_lines=150, events=1200, seed=12)
    RedLine.objects.filter(pk=RedLine.objects.order_by("id").last().pk).delete()
    large = counts(django_assert_max_num_queries)
    assert small == large
