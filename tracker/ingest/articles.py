"""Articles: submitting them, fetching and extracting them, marking duplicates.

An article moves discovered -> fetched ("ready for analysis") | duplicate | failed. Every move is a
conditional UPDATE on the state it leaves, so a task run twice, or by two workers at once, changes
nothing the second time.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.utils import timezone

from tracker.errors import DomainError
from tracker.lib.safe_http import FetchError, fetch, url_check
from tracker.models import Article, ArticleBand, FetchLog

from . import pipeline
from .canonical_urls import InvalidURL, url_canonicalise
from .dedup import (
    NEAR_DUPLICATE_JACCARD,
    Fingerprint,
    content_hash,
    fingerprint,
    jaccard,
    shingles,
    text_normalise,
)
from .extract import ExtractionError, article_extract

MAX_NEAR_CANDIDATES = 20
MAX_FETCH_ATTEMPTS = 4
STALLED_AFTER = datetime.timedelta(minutes=15)
READY = (Article.State.FETCHED, Article.State.ANALYSED)


class ArticleBusy(Exception):
    """Another worker holds the fetch lease; try again after ``retry_in`` seconds."""

    def __init__(self, retry_in: float):
        super().__init__(f"article is being fetched elsewhere; retry in {retry_in:.0f}s")
        self.retry_in = retry_in


class TransientFetchFailure(Exception):
    """A fetch failed in a way worth retrying (timeout, connection error, 5xx, 429)."""


@dataclass
class FetchOutcome:
    article_id: int
    outcome: str  # fetched | duplicate | failed | skipped
    error: str = ""


def _lease_seconds() -> float:
    """Longer than a live worker can hold an article (fetch deadline, then extraction); a dead worker's
    lease runs out after it and the redelivered task takes over."""
    return 2 * float(settings.FETCH_DEADLINE) + 5.0


def duplicate_find(
    *,
    text: str = "",
    hash_: str = "",
    exclude_id: int | None = None,
    print_: Fingerprint | None = None,
) -> Article | None:
    """The original this text duplicates: same content hash, else a near copy by MinHash LSH bands.

    Give the text (and its hash), or its ``print_`` computed once by the caller. One round trip of
    two indexed lookups for a new text, whatever the size of the store: the exact hash and the band
    values, as a UNION ALL; the texts of the few band candidates are read (a second query) only when
    there are any and no exact copy was found. The original comes back with its id only (its text
    too for a near copy).
    """
    if print_ is None:
        print_ = fingerprint(text)
        if hash_:
            print_ = Fingerprint(hash=hash_, shingles=print_.shingles, bands=print_.bands)
    originals = Article.objects.filter(state__in=READY)
    if exclude_id is not None:
        originals = originals.exclude(pk=exclude_id)
    # No ORDER BY: at most one original per hash (a partial unique index), and an ordered LIMIT 1
    # can tempt the planner into walking the primary key.
    exact = (
        originals.filter(content_hash=print_.hash)
        .order_by()
        .annotate(exact=Value(True))
        .values_list("id", "exact")[:1]
    )
    # Two plain index scans rather than a join: planning a join estimates the id ranges by probing
    # the ends of both indexes, which turns slow after a mass delete has left dead entries there.
    near = (
        ArticleBand.objects.filter(value__in=print_.bands)
        .order_by()
        .annotate(exact=Value(False))
        .values_list("article_id", "exact")
        .distinct()[:MAX_NEAR_CANDIDATES]
    )
    rows = list(exact.union(near, all=True)) if print_.bands else list(exact)
    for article_id, is_exact in rows:
        if is_exact:
            return Article.from_db(exact.db, ["id"], [article_id])
    candidate_ids = [article_id for article_id, _ in rows]
    if not candidate_ids:
        return None
    best, best_score = None, NEAR_DUPLICATE_JACCARD
    for candidate in originals.filter(pk__in=candidate_ids).only("id", "text").order_by("id"):
        score = jaccard(print_.shingles, shingles(candidate.text))
        if score >= best_score:
            best, best_score = candidate, score
    return best


def article_settle(*, article_id: int, fields: dict, text: str, log: FetchLog | None = None) -> str:
    """Store the extracted text and move a discovered article to fetched or duplicate, exactly once.

    Returns "fetched", "duplicate", or "skipped" when another run already settled it. A fetched
    article is handed to analysis after commit.
    """
    text = text_normalise(text)
    print_ = fingerprint(text)
    for _attempt in range(2):
        original = duplicate_find(print_=print_, exclude_id=article_id)
        state = Article.State.DUPLICATE if original else Article.State.FETCHED
        try:
            with transaction.atomic():
                updated = Article.objects.filter(pk=article_id, state=Article.State.DISCOVERED).update(
                    **fields,
                    text=text,
                    content_hash=print_.hash,
                    state=state,
                    duplicate_of=original,
                    error="",
                    claimed_until=None,
                    fetched_at=timezone.now(),
                )
                if not updated:
                    return "skipped"
                if log is not None:
                    log.outcome = "ok"
                    log.save()
                if state == Article.State.FETCHED:
                    ArticleBand.objects.bulk_create(
                        [ArticleBand(article_id=article_id, value=v) for v in set(print_.bands)],
                        ignore_conflicts=True,
                    )
                    pipeline.analyse_soon(article_id)
            return state
        except IntegrityError:
            # Another worker stored the same text as an original a moment ago: look again, find it.
            continue
    raise IntegrityError(f"article {article_id}: could not settle its duplicate state")


def _claim(article_id: int) -> bool:
    now = timezone.now()
    return bool(
        Article.objects.filter(pk=article_id, state=Article.State.DISCOVERED)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + datetime.timedelta(seconds=_lease_seconds()), attempts=F("attempts") + 1)
    )


def article_fail(*, article_id: int, error: str) -> bool:
    """Give up on an article: state failed with the reason. False if it had already moved on."""
    return bool(
        Article.objects.filter(pk=article_id, state=Article.State.DISCOVERED).update(
            state=Article.State.FAILED, error=error[:2000], claimed_until=None
        )
    )


def article_fetch(*, article_id: int, max_attempts: int = MAX_FETCH_ATTEMPTS) -> FetchOutcome:
    """Fetch, extract and settle one discovered article; log the fetch.

    Raises ArticleBusy when another worker holds the lease, and TransientFetchFailure for a
    retryable error until the article has had ``max_attempts`` fetches (counted in the database,
    so redelivered messages count too); then the article is marked failed.
    """
    if not _claim(article_id):
        article = Article.objects.filter(pk=article_id).only("state", "claimed_until").first()
        if article is None or article.state != Article.State.DISCOVERED:
            if article is not None and article.state == Article.State.FETCHED:
                # A redelivered fetch: the worker that settled it may have died before queueing analysis.
                pipeline.analyse_soon(article_id)
            return FetchOutcome(article_id, "skipped")
        raise ArticleBusy(max(1.0, (article.claimed_until - timezone.now()).total_seconds()))
    article = Article.objects.get(pk=article_id)
    final_attempt = article.attempts >= max_attempts
    log = FetchLog(article=article, started_at=timezone.now())
    clock = time.monotonic()
    try:
        result = fetch(article.url or article.canonical_url)
        log.status_code, log.final_url, log.bytes_received = (
            result.status_code,
            result.url[:2000],
            len(result.body),
        )
        extracted = article_extract(body=result.body, content_type=result.content_type, url=result.url)
    except (FetchError, ExtractionError) as exc:
        message = exc.message if isinstance(exc, FetchError) else str(exc)
        transient = isinstance(exc, FetchError) and exc.transient
        log.status_code = log.status_code or getattr(exc, "status_code", None)
        log.outcome, log.error = ("retry" if transient and not final_attempt else "error"), message
        log.duration_ms = int((time.monotonic() - clock) * 1000)
        log.save()
        if transient and not final_attempt:
            Article.objects.filter(pk=article_id).update(claimed_until=None, error=message[:2000])
            raise TransientFetchFailure(message) from exc
        article_fail(article_id=article_id, error=message)
        return FetchOutcome(article_id, "failed", message)
    fields = {
        "title": article.title or extracted.title,
        "publisher": extracted.publisher or article.publisher,
        "language": extracted.language[:20],
    }
    if article.published_at is None and extracted.published_on:
        fields["published_at"] = datetime.datetime.combine(
            extracted.published_on, datetime.time(), tzinfo=datetime.UTC
        )
    log.duration_ms = int((time.monotonic() - clock) * 1000)
    # The log is written with the state change, so a worker killed in between leaves neither.
    state = article_settle(article_id=article_id, fields=fields, text=extracted.text, log=log)
    if state == "skipped":
        log.outcome = "superseded"
        log.save()
    return FetchOutcome(article_id, state)


def articles_stalled_requeue(*, now: datetime.datetime | None = None, limit: int = 1000) -> list[int]:
    """Queue again the articles no stage has touched for a while: discovered ones for fetching, fetched
    ones for analysis. A lost message never loses an article."""
    now = now or timezone.now()
    stalled = (
        Article.objects.filter(state=Article.State.DISCOVERED, updated_at__lt=now - STALLED_AFTER)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .values_list("id", flat=True)[:limit]
    )
    ids = list(stalled)
    unanalysed = list(
        Article.objects.filter(state=Article.State.FETCHED, updated_at__lt=now - STALLED_AFTER).values_list(
            "id", flat=True
        )[:limit]
    )
    Article.objects.filter(pk__in=ids + unanalysed).update(updated_at=now)
    pipeline.fetch_soon(ids)
    for article_id in unanalysed:
        pipeline.analyse_soon(article_id)
    return ids + unanalysed


def article_submit_url(*, url: str, queue: bool = True) -> tuple[Article, bool]:
    """Store an article to fetch by URL (once per canonical URL); the fetch is queued after commit
    unless ``queue`` is false (the caller fetches it itself)."""
    try:
        canonical = url_canonicalise(url)
        url_check(canonical)
    except InvalidURL as exc:
        raise DomainError(str(exc), field="url") from exc
    except FetchError as exc:
        raise DomainError(exc.message, field="url") from exc
    with transaction.atomic():
        article, created = Article.objects.get_or_create(
            canonical_url=canonical, defaults={"url": url.strip()}
        )
        if created and queue:
            pipeline.fetch_soon([article.pk])
    return article, created


def article_submit_text(
    *, title: str, text: str, url: str = "", published_on: datetime.date | None = None, publisher: str = ""
) -> tuple[Article, bool]:
    """Store an article given as text; it skips fetching and goes straight to duplicate check and analysis."""
    text = text_normalise(text or "")
    if not text:
        raise DomainError("text must not be empty", field="text")
    if url:
        try:
            canonical = url_canonicalise(url)
        except InvalidURL as exc:
            raise DomainError(str(exc), field="url") from exc
    else:
        canonical = f"text:{content_hash(text)}"
    published_at = (
        datetime.datetime.combine(published_on, datetime.time(), tzinfo=datetime.UTC)
        if published_on
        else None
    )
    with transaction.atomic():
        article, created = Article.objects.get_or_create(
            canonical_url=canonical, defaults={"url": url.strip(), "title": title.strip()[:1000]}
        )
    if created:
        fields = {
            "title": title.strip()[:1000],
            "published_at": published_at,
            "publisher": publisher.strip()[:300],
        }
        article_settle(article_id=article.pk, fields=fields, text=text)
        article.refresh_from_db()
    return article, created
