"""Full-text search: PostgreSQL tsvector with ranking."""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, QuerySet


def full_text_filter(qs: QuerySet, query: str) -> QuerySet:
    """Filter `qs` to rows matching `query`, best first.

    The model's `search_vector` (kept by a trigger) is matched with a web-search query in
    English (stemmed: "missiles" finds "missile") and ranked.
    """
    query = (query or "").strip()
    if not query:
        return qs
    sq = SearchQuery(query, config="english", search_type="websearch")
    return (
        qs.filter(search_vector=sq)
        .annotate(search_rank=SearchRank(F("search_vector"), sq))
        .order_by("-search_rank", *qs.query.order_by or ["-pk"])
    )
