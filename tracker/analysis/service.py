"""Entry point the pipeline calls once an article is ready for analysis.

Placeholder until the analyser lands: it only marks the article analysed.
"""

from django.utils import timezone

from tracker.models import Article


def article_analyse(*, article_id: int) -> int:
    """Analyse one fetched article; return how many candidates it now has. Idempotent."""
    updated = Article.objects.filter(pk=article_id, state=Article.State.FETCHED).update(
        state=Article.State.ANALYSED, analysed_at=timezone.now()
    )
    return 0 if not updated else Article.objects.get(pk=article_id).candidates.count()
