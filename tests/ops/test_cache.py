"""Caches never make a page fail or go stale."""

import time

import pytest

from tracker.cache import TolerantRedisCache
from tracker.models import Article


def test_an_unreachable_redis_cache_misses_quickly_instead_of_failing():
    cache = TolerantRedisCache(
        "redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}
    )
    started = time.monotonic()
    assert cache.get("k", "default") == "default"
    cache.set("k", 1)
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("k", 2) is False
    assert time.monotonic() - started < 3


@pytest.mark.django_db
def test_the_article_list_count_follows_new_articles(client, curator):
    client.force_login(curator)
    assert client.get("/api/v1/articles/").json()["count"] == 0
    Article.objects.create(canonical_url="https://news.example.org/a", title="A", state="fetched")
    assert client.get("/api/v1/articles/").json()["count"] == 1
