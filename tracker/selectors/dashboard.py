"""Reads for the overview page: counts, recent activity, follow-through, a 12-month timeline.

Every function issues a fixed number of queries whatever the size of the record.
"""

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TypeVar

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Subquery

from tracker.models import Actor, Candidate, Deletion, Event, RedLine, Source
from tracker.rules.follow_through import FollowThrough
from tracker.selectors.events import public_events
from tracker.selectors.follow_through import follow_through_by
from tracker.selectors.red_lines import public_red_lines, published_red_lines

EVENT_KINDS: tuple[str, ...] = tuple(Event.Kind.values)
RECORD_CACHE_TTL = 15 * 60
T = TypeVar("T")
_pinned_version: ContextVar[str | None] = ContextVar("pinned_record_version", default=None)


@dataclass(frozen=True)
class Segment:
    """One part of a stacked bar, in chart units (0-100) along the bar."""

    kind: str
    n: int
    start: float
    size: float

    @property
    def end(self) -> float:
        return round(100 - self.start - self.size, 2)


def stack(parts: list[tuple[str, int]], *, scale_max: int) -> list[Segment]:
    """Stack non-zero counts end to end, each as a share of `scale_max` (the longest bar)."""
    segments, at = [], 0.0
    for kind, n in parts:
        if n <= 0 or scale_max <= 0:
            continue
        size = n / scale_max * 100
        segments.append(Segment(kind, n, round(at, 2), round(size, 2)))
        at += size
    return segments


def status_counts() -> list[tuple[str, str, int]]:
    """(status, label, number of published lines) for every status, zeros included."""
    found = dict(
        published_red_lines()
        .order_by()
        .values_list("status")
        .annotate(n=Count("*"))  # count(*), not count(id): index-only on redline_public_status
        .values_list("status", "n")
    )
    return [(value, label, found.get(value, 0)) for value, label in RedLine.Status.choices]


def recently_crossed(*, limit: int = 6, scan: int = 60) -> list[Event]:
    """Lines most recently crossed, each once with its latest sourced crossing, newest first.

    One query over the latest `scan` crossings (index on kind, occurred_on); a line crossed
    many times in a row cannot crowd the others out beyond that window.
    """
    latest = (
        public_events()
        .filter(kind=Event.Kind.CROSSING)
        .select_related("red_line", "red_line__declared_by")
        .order_by("-occurred_on", "-id")[:scan]
    )
    seen: set[int] = set()
    picked: list[Event] = []
    for event in latest:
        if event.red_line_id not in seen:
            seen.add(event.red_line_id)
            picked.append(event)
            if len(picked) == limit:
                break
    return picked


def recent_declarations(*, limit: int = 6) -> list[RedLine]:
    return list(public_red_lines().order_by("-declared_on", "-id")[:limit])


@dataclass(frozen=True)
class ActorFollowThrough:
    actor: Actor
    figures: FollowThrough
    segments: list[Segment]

    @property
    def not_crossed(self) -> int:
        return self.figures.lines_declared - self.figures.lines_crossed

    @property
    def crossed_unanswered(self) -> int:
        return self.figures.lines_crossed - self.figures.lines_enforced


def record_version() -> str:
    """A key that changes whenever an actor, line, event or source is saved or a record deleted.

    One query over five indexed `max()` lookups, so derived figures and whole responses can be
    cached safely (the API's stats, counts and read cache use it too). Inside
    `record_version_pinned` it answers the pinned version without a query.
    """
    pinned = _pinned_version.get()
    if pinned is not None:
        return pinned
    sql, params = _record_version_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return "-".join(str(v) for v in row) if row else "empty"


@lru_cache(maxsize=1)
def _record_version_sql() -> tuple[str, tuple]:
    """The version query, compiled once per process: building it cost more than running it."""
    query = (
        RedLine.objects.order_by("-updated_at")
        .values("updated_at")
        .annotate(
            event=Subquery(Event.objects.order_by("-updated_at").values("updated_at")[:1]),
            source=Subquery(Source.objects.order_by("-updated_at").values("updated_at")[:1]),
            actor=Subquery(Actor.objects.order_by("-updated_at").values("updated_at")[:1]),
            deletion=Subquery(Deletion.objects.order_by("-id").values("id")[:1]),
        )[:1]
    )
    return query.query.get_compiler(connection=connection).as_sql()


@contextmanager
def record_version_pinned(version: str) -> Iterator[None]:
    """Within the block, `record_version()` is `version`: one request reads the version once.

    The version is read before the data, so what is cached under it is never older than it; a
    write during the block makes a newer version, and later requests never ask for the pinned one.
    """
    token = _pinned_version.set(version)
    try:
        yield
    finally:
        _pinned_version.reset(token)


def cached_for_record(name: str, compute: Callable[[], T], *, version: str) -> T:
    """`compute()` once per version of the record (and at most RECORD_CACHE_TTL seconds).

    Whole-record figures read every public line or a year of events (seconds on a million
    events), so the overview keeps them until a line, event or source changes.
    """
    key = "dashboard:" + hashlib.sha256(f"{name}|{version}".encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, RECORD_CACHE_TTL)
    return value


def follow_through_by_declarer(*, version: str, limit: int = 10) -> list[ActorFollowThrough]:
    """Declarers with the most crossed (then declared) lines first, with the counts behind the rate."""
    by_actor = cached_for_record(
        "follow-through-by-declarer", lambda: follow_through_by(key="declared_by_id"), version=version
    )
    top = sorted(by_actor.items(), key=lambda kv: (-kv[1].lines_crossed, -kv[1].lines_declared, kv[0]))[
        :limit
    ]
    actors = Actor.objects.only("id", "slug", "name").in_bulk([actor_id for actor_id, _ in top])
    longest = max((f.lines_declared for _, f in top), default=0)
    return [
        ActorFollowThrough(
            actor=actors[actor_id],
            figures=f,
            segments=stack(
                [
                    ("enforced", f.lines_enforced),
                    ("crossed", f.lines_crossed - f.lines_enforced),
                    ("active", f.lines_declared - f.lines_crossed),
                ],
                scale_max=longest,
            ),
        )
        for actor_id, f in top
        if actor_id in actors
    ]


@dataclass(frozen=True)
class MonthCounts:
    month: date
    counts: dict[str, int]
    segments: list[Segment]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class EventTimeline:
    months: list[MonthCounts]
    latest_event_on: date | None

    @property
    def peak(self) -> int:
        return max((m.total for m in self.months), default=0)

    @property
    def total(self) -> int:
        return sum(m.total for m in self.months)


def _month_start(d: date, back: int = 0) -> date:
    index = d.year * 12 + d.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def events_by_month(*, today: date, months: int = 12) -> EventTimeline:
    """Public events per month and kind over the `months` months ending with today's month.

    Always the real last months, even when they are empty: a chart of older months would pass
    an old record off as current. The latest event's date is kept for the empty case.
    """
    events = public_events()
    latest = events.order_by("-occurred_on").values_list("occurred_on", flat=True).first()
    end = today
    first = _month_start(end, months - 1)
    # Counted per day and kind, straight from the partial index event_public_month (index-only,
    # in index order: no per-row date_trunc, no heap), then summed per month here.
    rows = (
        events.filter(occurred_on__gte=first, occurred_on__lte=end)
        .order_by()
        .values_list("occurred_on", "kind")
        .annotate(n=Count("*"))
        .values_list("occurred_on", "kind", "n")
    )
    counts: dict[date, dict[str, int]] = {}
    for day, kind, n in rows:
        by_kind = counts.setdefault(_month_start(day), {})
        by_kind[kind] = by_kind.get(kind, 0) + n
    firsts = [_month_start(end, back) for back in range(months - 1, -1, -1)]
    peak = max((sum(counts.get(m, {}).values()) for m in firsts), default=0)
    timeline = []
    for m in firsts:
        by_kind = {k: counts.get(m, {}).get(k, 0) for k in EVENT_KINDS}
        timeline.append(MonthCounts(m, by_kind, stack(list(by_kind.items()), scale_max=peak)))
    return EventTimeline(months=timeline, latest_event_on=latest)


def pending_review_count() -> int:
    return Candidate.objects.filter(status=Candidate.Status.PENDING).count()
