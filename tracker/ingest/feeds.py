"""Feeds: adding them, deciding which are due, polling them, backing off when they fail."""

from __future__ import annotations

import calendar
import datetime
import io
import random
import re
import time
from dataclasses import dataclass, field

import feedparser
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tracker.errors import DomainError
from tracker.lib.safe_http import BlockedAddress, FetchError, fetch, url_check
from tracker.models import Article, Feed, FeedPoll

from . import pipeline
from .canonical_urls import InvalidURL, url_canonicalise

MAX_ENTRIES_PER_POLL = 500
MAX_BACKOFF_SECONDS = 24 * 3600
# Entity declarations are how billion-laughs and external-entity attacks start; no real feed needs them.
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.I)


@dataclass
class PollOutcome:
    feed_id: int
    outcome: str
    status_code: int | None = None
    entries_found: int = 0
    new_article_ids: list[int] = field(default_factory=list)
    skipped: int = 0
    error: str = ""


def feed_url_validate(url: str, *, resolve: bool = True) -> str:
    """Normalise a feed URL (scheme/host case); refuse non-http(s) and non-public hosts."""
    try:
        normalised = url_canonicalise(url)
    except InvalidURL as exc:
        raise DomainError(str(exc), field="url") from exc
    if resolve:
        try:
            url_check(normalised)
        except BlockedAddress as exc:
            raise DomainError(exc.message, field="url") from exc
        except FetchError as exc:
            raise DomainError(exc.message, field="url") from exc
    return normalised


def feed_add(*, url: str, title: str = "", poll_interval: int = 1800, active: bool = True) -> Feed:
    """Create a feed and poll it as soon as the transaction commits."""
    url = feed_url_validate(url, resolve=False)
    if Feed.objects.filter(url=url).exists():
        raise DomainError("a feed with this URL already exists", field="url")
    feed_url_validate(url)
    if poll_interval < 60:
        raise DomainError("poll_interval must be at least 60 seconds", field="poll_interval")
    feed = Feed(url=url, title=title.strip()[:300], poll_interval=poll_interval, active=active)
    try:
        feed.full_clean()
    except ValidationError as exc:
        field_name, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=field_name) from exc
    feed.save()
    if active:
        pipeline.poll_soon(feed.pk)
    return feed


def feed_set_active(*, feed: Feed, active: bool) -> Feed:
    """Enable (clearing failures, due now) or disable a feed by hand."""
    if active:
        feed.active, feed.consecutive_failures, feed.disabled_reason = True, 0, ""
        feed.next_poll_at = timezone.now()
    else:
        feed.active, feed.disabled_reason = False, "disabled by a curator"
    feed.save(
        update_fields=["active", "consecutive_failures", "disabled_reason", "next_poll_at", "updated_at"]
    )
    return feed


def feeds_due_claim(*, now: datetime.datetime | None = None, limit: int = 500) -> list[int]:
    """Claim the active feeds whose poll is due; a claimed feed is not handed out again for its interval.

    Each claim is a conditional UPDATE on the ``next_poll_at`` that was read, so two schedulers
    running at once never hand out the same feed twice.
    """
    now = now or timezone.now()
    due = Feed.objects.filter(active=True, next_poll_at__lte=now).order_by("next_poll_at")
    claimed = []
    for feed_id, next_poll_at, interval in due.values_list("id", "next_poll_at", "poll_interval")[:limit]:
        lease = now + datetime.timedelta(seconds=max(interval, 60))
        if Feed.objects.filter(pk=feed_id, next_poll_at=next_poll_at).update(next_poll_at=lease):
            claimed.append(feed_id)
    return claimed


def _entry_time(entry: dict) -> datetime.datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed") or entry.get("created_parsed")
    if not parsed:
        return None
    try:
        return datetime.datetime.fromtimestamp(calendar.timegm(parsed), tz=datetime.UTC)
    except (OverflowError, ValueError, TypeError):
        return None


def _entry_link(entry: dict) -> str:
    link = entry.get("link") or ""
    if not link:
        for candidate in entry.get("links") or []:
            if candidate.get("href") and candidate.get("rel", "alternate") == "alternate":
                return candidate["href"]
    return link


def _parse(body: bytes, content_type: str) -> feedparser.FeedParserDict:
    if _ENTITY_DECLARATION.search(body[:65536]):
        raise FetchError("refused: the feed declares XML entities (entity expansion attack?)")
    parsed = feedparser.parse(
        io.BytesIO(body), response_headers={"content-type": content_type or "application/xml"}
    )
    if not parsed.entries:
        if not parsed.get("version"):
            looks_html = b"<html" in body[:2048].lower()
            kind = "an HTML page, not an RSS/Atom feed" if looks_html else "not an RSS/Atom feed"
            detail = f" ({parsed.bozo_exception})" if parsed.get("bozo") else ""
            raise FetchError(f"{kind}{detail}"[:500])
        if parsed.get("bozo"):
            raise FetchError(f"malformed feed: {parsed.bozo_exception}"[:500])
    return parsed


def _failure(feed: Feed, error: str, now: datetime.datetime) -> None:
    failures = feed.consecutive_failures + 1
    delay = min(feed.poll_interval * 2 ** (failures - 1), MAX_BACKOFF_SECONDS)
    delay *= random.uniform(1.0, 1.2)
    feed.consecutive_failures = failures
    feed.next_poll_at = now + datetime.timedelta(seconds=delay)
    feed.last_status = f"error: {error}"[:40]
    if failures >= settings.FEED_MAX_FAILURES:
        feed.active = False
        feed.disabled_reason = f"disabled after {failures} consecutive failures; last: {error}"[:500]


def feed_poll(*, feed_id: int, force: bool = False) -> PollOutcome:
    """Poll one feed: conditional GET, parse, store new articles once, schedule their fetch.

    Every poll leaves a FeedPoll row. A 304 costs one request and no parsing. Errors never raise:
    they are recorded on the poll and the feed, which backs off and is disabled after
    FEED_MAX_FAILURES consecutive failures.
    """
    feed = Feed.objects.filter(pk=feed_id).first()
    if feed is None:
        return PollOutcome(feed_id=feed_id, outcome="missing")
    if not feed.active and not force:
        return PollOutcome(feed_id=feed_id, outcome="inactive")
    started, clock = timezone.now(), time.monotonic()
    poll = FeedPoll(feed=feed, started_at=started)
    outcome = PollOutcome(feed_id=feed_id, outcome="ok")
    headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    try:
        result = fetch(feed.url, headers=headers)
        outcome.status_code = poll.status_code = result.status_code
        poll.bytes_received = len(result.body)
        if result.not_modified:
            outcome.outcome = "not_modified"
        else:
            parsed = _parse(result.body, result.content_type)
            outcome.entries_found, candidates, outcome.skipped = _entries(parsed)
            if parsed.get("bozo") and not candidates:
                raise FetchError(f"malformed feed, no usable entry: {parsed.get('bozo_exception')}"[:500])
            if not feed.title and parsed.feed.get("title"):
                feed.title = str(parsed.feed.get("title")).strip()[:300]
            feed.etag = result.headers.get("etag", "")[:500]
            feed.last_modified = result.headers.get("last-modified", "")[:100]
            outcome.new_article_ids = _store(feed, candidates)
    except FetchError as exc:
        outcome.outcome, outcome.error = "error", exc.message
        outcome.status_code = poll.status_code = exc.status_code
    now = timezone.now()
    feed.last_polled_at = now
    if outcome.outcome == "error":
        _failure(feed, outcome.error, now)
    else:
        feed.consecutive_failures, feed.disabled_reason = 0, ""
        feed.next_poll_at = now + datetime.timedelta(seconds=feed.poll_interval)
        feed.last_status = f"{outcome.status_code} {outcome.outcome.replace('_', ' ')}"[:40]
        if force:
            feed.active = True
    poll.outcome = outcome.outcome
    poll.error = outcome.error
    poll.entries_found = outcome.entries_found
    poll.articles_created = len(outcome.new_article_ids)
    poll.duration_ms = int((time.monotonic() - clock) * 1000)
    with transaction.atomic():
        feed.save()
        poll.save()
        pipeline.fetch_soon(outcome.new_article_ids)
    return outcome


def _entries(parsed: feedparser.FeedParserDict) -> tuple[int, dict[str, dict], int]:
    """Entries keyed by canonical URL (first wins), and how many were skipped (no usable link)."""
    found, skipped, candidates = 0, 0, {}
    for entry in parsed.entries[:MAX_ENTRIES_PER_POLL]:
        found += 1
        link = _entry_link(entry)
        try:
            canonical = url_canonicalise(link)
        except InvalidURL:
            skipped += 1
            continue
        candidates.setdefault(
            canonical,
            {
                "url": link.strip()[:2000],
                "title": str(entry.get("title") or "").strip()[:1000],
                "published_at": _entry_time(entry),
            },
        )
    return found, candidates, skipped


def _store(feed: Feed, candidates: dict[str, dict]) -> list[int]:
    """Insert the articles not stored yet; a unique canonical URL makes concurrent polls safe."""
    if not candidates:
        return []
    known = set(
        Article.objects.filter(canonical_url__in=list(candidates)).values_list("canonical_url", flat=True)
    )
    new = [
        Article(canonical_url=canonical, feed=feed, publisher=feed.title[:300], **fields)
        for canonical, fields in candidates.items()
        if canonical not in known and len(canonical) <= 2000
    ]
    Article.objects.bulk_create(new, ignore_conflicts=True, batch_size=200)
    return list(
        Article.objects.filter(
            canonical_url__in=[a.canonical_url for a in new], feed=feed, state=Article.State.DISCOVERED
        ).values_list("id", flat=True)
    )
