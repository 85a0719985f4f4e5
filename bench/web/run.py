"""Server time, SQL queries and size of each dashboard page against a large record.

Usage (PostgreSQL database with the synthetic record from `manage.py generate_synthetic`):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rl_bench .venv/bin/python bench/web/run.py [--repeat 15]

Each page is requested through Django's test client (full middleware, templates, ORM) after
one warm-up; the figures are the median and worst of the timed runs. Anonymous pages are cached
per record version (tracker/lib/response_cache.py): the cache is emptied before every timed request,
so "median/max ms" and "queries" are the page's real work; "cached ms" is the median of the
request right after it, answered from the cache. Nothing is written.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ["REDIS_URL"] = ""  # an in-process cache: the bench empties it, never a shared Redis

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tracker.models import Actor, Event, RedLine  # noqa: E402


def pages() -> list[tuple[str, str]]:
    busiest = (
        Event.objects.values("red_line__slug")
        .order_by()
        .annotate(n=django.db.models.Count("id"))
        .order_by("-n")
        .values_list("red_line__slug", flat=True)
        .first()
    )
    line = RedLine.objects.filter(is_published=True).order_by("id").values_list("slug", flat=True)[5000]
    declarer = Actor.objects.filter(red_lines_declared__isnull=False).order_by("id").first()
    return [
        ("overview", "/"),
        ("red-line list", "/red-lines/"),
        ("red-line list, crossed", "/red-lines/?status=crossed"),
        ("red-line list, search", "/red-lines/?q=missiles"),
        (
            "red-line list, filters + sort",
            f"/red-lines/?status=crossed&severity=military&declared_by={declarer.slug}&ordering=title",
        ),
        ("red-line list, page 2000", "/red-lines/?page=2000"),
        ("red-line list, htmx fragment", "/red-lines/?status=active"),
        ("red line (typical)", f"/red-lines/{line}/"),
        ("red line (most events)", f"/red-lines/{busiest}/"),
        ("actors", "/actors/"),
        ("actor (declarer)", f"/actors/{declarer.slug}/"),
    ]


def measure(client: Client, url: str, repeat: int, htmx: bool) -> dict:
    headers = {"HX-Request": "true"} if htmx else {}
    client.get(url, headers=headers)  # warm-up: connection, templates, caches
    times, cached = [], []
    for _ in range(repeat):
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
        queries = len(ctx)  # now: the next request empties the query log ctx reads from
        started = time.perf_counter()
        client.get(url, headers=headers)
        cached.append((time.perf_counter() - started) * 1000)
    return {
        "cached_ms": statistics.median(cached),
        "status": response.status_code,
        "queries": queries,
        "median_ms": statistics.median(times),
        "max_ms": max(times),
        "bytes": len(response.content),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    counts = (Actor.objects.count(), RedLine.objects.count(), Event.objects.count())
    print(f"database: {connection.settings_dict['NAME']}")
    print(f"record: {counts[0]:,} actors, {counts[1]:,} red lines, {counts[2]:,} events")
    client = Client()
    print(
        f"{'page':34} {'status':>6} {'queries':>7} {'median ms':>10} {'max ms':>8} {'cached ms':>9} {'KB':>7}"
    )
    for name, url in pages():
        r = measure(client, url, args.repeat, htmx="htmx" in name)
        print(
            f"{name:34} {r['status']:>6} {r['queries']:>7} {r['median_ms']:>10.1f} {r['max_ms']:>8.1f}"
            f" {r['cached_ms']:>9.1f} {r['bytes'] / 1024:>7.1f}"
        )


if __name__ == "__main__":
    main()
