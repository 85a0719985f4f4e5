"""Full-text search: PostgreSQL tsvector with ranking, substring fallback elsewhere."""

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, Q, QuerySet


def full_text_filter(qs: QuerySet, query: str, *, fields: tuple[str, ...]) -> QuerySet:
    """Filter `qs` to rows matching `query`, best first on PostgreSQL.

    On PostgreSQL the model's `search_vector` (kept by a trigger) is matched with a
    web-search query in English (stemmed: "missiles" finds "missile") and ranked.
    On SQLite every word must appear as a substring of one of `fields`.
    """
    query = (query or "").strip()
    if not query:
        return qs
    if settings.IS_POSTGRES:
        sq = SearchQuery(query, config="english", search_type="websearch")
        return (
            qs.filter(search_vector=sq)
            .annotate(search_rank=SearchRank(F("search_vector"), sq))
            .order_by("-search_rank", *qs.query.order_by or ["-pk"])
        )
    for word in query.split():
        cond = Q()
        for field in fields:
            cond |= Q(**{f"{field}__icontains": word})
        qs = qs.filter(cond)
    return qs
