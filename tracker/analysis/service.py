"""Entry points of the analysis stage: analyse a stored article, or a loose text without storing."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tracker.models import Actor, Article, Candidate, RedLine

from .actors import ActorMatcher, actor_matcher_current, actor_stamp
from .detect import Analysis, Finding, analyse_text
from .lines import LineIndex, line_index_current
from .text import UnusableText

logger = logging.getLogger(__name__)

ANALYSABLE = (Article.State.FETCHED,)


def analysis_snapshot() -> tuple[ActorMatcher, LineIndex]:
    """The actor matcher and line index for the record as it is now (cached, rebuilt on change)."""
    stamp = actor_stamp()
    matcher = actor_matcher_current(stamp)
    return matcher, line_index_current(matcher, stamp)


def text_analyse(
    *, text: str | bytes, title: str = "", published_on: datetime.date | None = None
) -> Analysis:
    """What the analyser would propose for a text; stores nothing. Raises UnusableText."""
    matcher, index = analysis_snapshot()
    return analyse_text(text, title=title, published_on=published_on, matcher=matcher, index=index)


def article_analyse(*, article_id: int, force: bool = False) -> int:
    """Analyse one fetched article; return how many candidates it now has. Idempotent.

    Only an article in state `fetched` is analysed (or any analysed one with `force`); findings
    become pending Candidates keyed by (kind, span), so running it again never duplicates one and
    never touches a candidate a curator already reviewed. The article ends in state `analysed`.
    """
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(pk=article_id).first()
        if article is None:
            return 0
        allowed = (*ANALYSABLE, Article.State.ANALYSED) if force else ANALYSABLE
        if article.state not in allowed:
            return article.candidates.count()
        published_on = article.published_at.date() if article.published_at else timezone.localdate()
        error = ""
        try:
            analysis = text_analyse(text=article.text, title=article.title, published_on=published_on)
        except UnusableText as exc:
            analysis, error = None, f"analysis: {exc}"
        if analysis is not None:
            for finding in findings_kept(analysis):
                candidate_store(article=article, finding=finding)
            if analysis.notes:
                error = "analysis: " + "; ".join(analysis.notes)
        Article.objects.filter(pk=article.pk).update(
            state=Article.State.ANALYSED,
            analysed_at=timezone.now(),
            error=error or article.error,
            updated_at=timezone.now(),
        )
        return article.candidates.count()


def findings_kept(analysis: Analysis, min_score: float | None = None) -> list[Finding]:
    """The findings that reach the review queue: scored at least ANALYSIS_MIN_SCORE."""
    threshold = settings.ANALYSIS_MIN_SCORE if min_score is None else min_score
    return [f for f in analysis.findings if f.score >= threshold]


def candidate_store(*, article: Article, finding: Finding) -> Candidate:
    """Create the candidate for a finding once; an existing one with the same span is left as it is."""
    candidate, created = Candidate.objects.get_or_create(
        article=article,
        kind=finding.kind,
        start=finding.start,
        end=finding.end,
        defaults={
            "evidence": finding.evidence,
            "red_line": RedLine.objects.filter(pk=finding.red_line).first() if finding.red_line else None,
            "declarer": Actor.objects.filter(pk=finding.declarer).first() if finding.declarer else None,
            "trigger": finding.trigger,
            "threatened_response": finding.threatened_response,
            "occurred_on": finding.occurred_on,
            "score": max(0.0, min(1.0, finding.score)),
        },
    )
    if created:
        candidate.addressees.set(Actor.objects.filter(pk__in=finding.addressees))
        candidate.actors.set(Actor.objects.filter(pk__in=[a for a in finding.actors if a]))
    return candidate
