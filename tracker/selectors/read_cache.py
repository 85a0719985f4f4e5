"""Caches for public reads, keyed by the record's version so any write invalidates them.

`record_version()` (tracker.selectors.dashboard) changes whenever an actor, line, event or source
is saved or a record is deleted; every key below includes it, so nothing is ever served stale
after a write, whichever process made it. Entries also expire after READ_CACHE_SECONDS.
"""

import hashlib
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from django.core.cache import cache
from django.core.paginator import Paginator

from tracker.selectors.dashboard import record_version

READ_CACHE_SECONDS = 600


def read_cache_key(prefix: str, *parts: Any, version: str | None = None) -> str:
    """A cache key for `parts` at the record's current (or given) version."""
    version = record_version() if version is None else version
    raw = "\x1f".join(str(p) for p in (version, *parts))
    return f"{prefix}:{hashlib.sha256(raw.encode()).hexdigest()}"


def query_signature(pairs: Iterable[tuple[str, str]], *, drop: Iterable[str] = ()) -> str:
    """The query string's pairs in a stable order, minus `drop` (page numbers, for counts)."""
    dropped = set(drop)
    return "&".join(f"{k}={v}" for k, v in sorted(p for p in pairs if p[0] not in dropped))


class CachedCountPaginator(Paginator):
    """A paginator whose `count` (a full scan of the filtered rows) is cached per query and version.

    `count_key` names the query (view and filters, without the page); without one it counts as usual.
    """

    def __init__(self, object_list: Any, per_page: int, *args: Any, count_key: str = "", **kwargs: Any):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self) -> int:
        if not self.count_key:
            return super().count
        key = read_cache_key("count", self.count_key)
        found = cache.get(key)
        if found is None:
            found = super().count
            cache.set(key, found, READ_CACHE_SECONDS)
        return found
