"""The curators' review queue: accept (creating or linking the record) or reject candidates.

Every write to the record goes through tracker.services.record, so status, publication and audit
follow exactly as for a hand-made edit.
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from tracker.errors import DomainError
from tracker.models import Actor, Candidate, RedLine
from tracker.record_rules import page_language
from tracker.services import record

EDITABLE = (
    "kind",
    "declarer",
    "red_line",
    "addressees",
    "actors",
    "trigger",
    "threatened_response",
    "occurred_on",
    "title",
    "severity",
    "category",
    "summary",
)
EVENT_KINDS = {
    Candidate.Kind.RESTATEMENT: "restatement",
    Candidate.Kind.CROSSING: "crossing",
    Candidate.Kind.RESPONSE: "response",
}


class AlreadyReviewed(DomainError):
    status_code = 409


def _locked_pending(candidate: Candidate) -> Candidate:
    fresh = Candidate.objects.select_for_update().select_related("article").get(pk=candidate.pk)
    if fresh.status != Candidate.Status.PENDING:
        raise AlreadyReviewed(f"This candidate was already {fresh.status}.", field="status")
    return fresh


def _source_of(candidate: Candidate) -> dict[str, Any]:
    article = candidate.article
    published = article.published_at.date() if article.published_at else None
    if published and published > timezone.localdate():
        published = None
    # An article pasted as text has no URL (its canonical "text:<hash>" is not one): the source
    # cites it by title, publisher and date, and links to it through `article`.
    fetched = article.canonical_url.startswith(("http://", "https://"))
    return {
        "url": article.url or (article.canonical_url if fetched else ""),
        "publisher": article.publisher[:200],
        "title": article.title[:500],
        "published_on": published,
        "language": page_language(article.language),
        # The evidence is the article's sentence, not the speaker's short phrase: a note, not a quote.
        "note": candidate.evidence,
        "article": article,
    }


def _unique_slug(base: str) -> str:
    base = (slugify(base)[:150] or "red-line").strip("-")
    slug, n = base, 2
    while RedLine.objects.filter(slug__iexact=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _date_of(candidate: Candidate, edits: Mapping[str, Any]) -> datetime.date:
    day = edits.get("occurred_on") or candidate.occurred_on
    if day is None and candidate.article.published_at:
        day = candidate.article.published_at.date()
    return day or timezone.localdate()


def candidate_accept(
    *, candidate: Candidate, user: Any = None, edits: Mapping[str, Any] | None = None
) -> Candidate:
    """Accept a candidate, optionally corrected first ("accept as edited").

    A new red line is created with the article as its source; a restatement, crossing or response
    becomes an Event on its line, with the article as the event's source.
    """
    edits = dict(edits or {})
    unknown = set(edits) - set(EDITABLE)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}")
    try:
        with transaction.atomic():
            candidate = _locked_pending(candidate)
            _apply_edits(candidate, edits)
            source = _source_of(candidate)
            day = _date_of(candidate, edits)
            actors = list(candidate.actors.all())
            if candidate.kind == Candidate.Kind.NEW_RED_LINE:
                if candidate.declarer is None:
                    raise DomainError("Choose who declared the line before accepting.", field="declarer")
                title = (edits.get("title") or candidate.trigger or candidate.evidence).strip()[:300]
                line = record.red_line_create(
                    slug=_unique_slug(f"{candidate.declarer.slug} {title[:60]} {day.year}"),
                    title=title,
                    declared_by=candidate.declarer,
                    declared_on=day,
                    statement=candidate.evidence,
                    trigger=candidate.trigger or candidate.evidence,
                    threatened_response=candidate.threatened_response,
                    severity=edits.get("severity") or "diplomatic",
                    category=edits.get("category") or "other",
                    addressees=list(candidate.addressees.all()),
                    sources=[source],
                    user=user,
                )
                candidate.created_red_line = line
                candidate.red_line = line
            else:
                if candidate.red_line is None:
                    raise DomainError("Choose the tracked line this finding belongs to.", field="red_line")
                if candidate.kind == Candidate.Kind.RESTATEMENT and candidate.declarer and not actors:
                    actors = [candidate.declarer]
                event = record.event_record(
                    red_line=candidate.red_line,
                    kind=EVENT_KINDS[candidate.kind],
                    occurred_on=day,
                    summary=(edits.get("summary") or candidate.evidence)[:2000],
                    actors=actors,
                    sources=[source],
                    user=user,
                )
                candidate.created_event = event
            candidate.status = Candidate.Status.ACCEPTED
            candidate.reviewed_by = user if getattr(user, "is_authenticated", False) else None
            candidate.reviewed_at = timezone.now()
            candidate.occurred_on = day
            candidate.save()
    except ValidationError as exc:
        field, messages = (
            next(iter(exc.message_dict.items())) if hasattr(exc, "error_dict") else (None, exc.messages)
        )
        raise DomainError("; ".join(messages), field=None if field == "__all__" else field) from exc
    return candidate


def _apply_edits(candidate: Candidate, edits: Mapping[str, Any]) -> None:
    if "kind" in edits:
        if edits["kind"] not in Candidate.Kind.values:
            raise DomainError(f"Unknown kind {edits['kind']!r}.", field="kind")
        candidate.kind = edits["kind"]
    for key in ("declarer", "red_line"):
        if key in edits:
            setattr(candidate, key, edits[key])
    for key in ("trigger", "threatened_response"):
        if key in edits:
            setattr(candidate, key, edits[key] or "")
    if edits.get("occurred_on"):
        candidate.occurred_on = edits["occurred_on"]
    candidate.save()
    if "addressees" in edits:
        candidate.addressees.set(list(edits["addressees"]))
    if "actors" in edits:
        candidate.actors.set(list(edits["actors"]))


def candidate_reject(*, candidate: Candidate, user: Any = None) -> Candidate:
    with transaction.atomic():
        candidate = _locked_pending(candidate)
        candidate.status = Candidate.Status.REJECTED
        candidate.reviewed_by = user if getattr(user, "is_authenticated", False) else None
        candidate.reviewed_at = timezone.now()
        candidate.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    return candidate


def candidates_accept(*, candidates: Iterable[Candidate], user: Any = None) -> tuple[int, list[str]]:
    """Accept many; each succeeds or fails on its own. Returns (accepted, one message per failure)."""
    done, errors = 0, []
    for candidate in candidates:
        try:
            candidate_accept(candidate=candidate, user=user)
            done += 1
        except DomainError as exc:
            errors.append(f"#{candidate.pk}: {exc.message}")
    return done, errors


def candidates_reject(*, candidates: Iterable[Candidate], user: Any = None) -> tuple[int, list[str]]:
    done, errors = 0, []
    for candidate in candidates:
        try:
            candidate_reject(candidate=candidate, user=user)
            done += 1
        except DomainError as exc:
            errors.append(f"#{candidate.pk}: {exc.message}")
    return done, errors


def actor_by_slug(slug: str) -> Actor:
    actor = Actor.objects.filter(slug=slug).first()
    if actor is None:
        raise DomainError(f"No actor {slug!r}.")
    return actor
