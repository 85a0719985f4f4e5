"""Page-number pagination: `count/next/previous/results`, `page_size` 1–200, bad values answered 400."""

from functools import partial

from django.utils.encoding import force_str
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from tracker.models import Actor, Deletion, Event, RedLine
from tracker.selectors.read_cache import CachedCountPaginator, query_signature

MAX_PAGE_SIZE = 200


def _digits(raw: str) -> bool:
    """Plain ASCII digits only: `int()` would also take signs, spaces, `1_000` and other scripts' digits."""
    return raw.isascii() and raw.isdigit()


class PagePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_size_query_description = f"Results per page, 1 to {MAX_PAGE_SIZE} (default 50); more is a 400."
    page_query_description = "A page number, from 1, or `last`. A page past the last one is a 404."
    count_key = ""

    @property
    def django_paginator_class(self):
        """Counts are cached per filtered query and record version (see tracker.selectors.read_cache)."""
        return partial(CachedCountPaginator, count_key=self.count_key)

    def paginate_queryset(self, queryset, request, view=None):
        pairs = [(k, v) for k, values in request.query_params.lists() for v in values]
        signature = query_signature(pairs, drop=(self.page_query_param, self.page_size_query_param, "format"))
        # Only counts of the curated record follow record_version(); ingestion and review move on their own.
        cached = queryset.model in (Actor, RedLine, Event, Deletion)
        self.count_key = (
            f"{type(view).__name__ if view else queryset.model.__name__}?{signature}" if cached else ""
        )
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not _digits(raw):
            raise ValidationError({"page_size": ["Enter a whole number."]})
        size = int(raw)
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({"page_size": [f"Must be between 1 and {self.max_page_size}."]})
        return size

    def get_page_number(self, request, paginator):
        number = self.page_number(request)
        return paginator.num_pages if number is None else number

    def page_number(self, request) -> int | None:
        """The page asked for, from 1 (None for 'last'); anything else is a 400."""
        raw = request.query_params.get(self.page_query_param, "1")
        if raw in self.last_page_strings:
            return None
        if not _digits(raw):
            raise ValidationError({"page": ["Enter a whole number, or 'last'."]})
        number = int(raw)
        if number < 1:
            raise ValidationError({"page": ["Pages start at 1."]})
        return number

    def check_query(self, request) -> None:
        """Refuse bad `page`/`page_size` even where the answer is not paged (CSV and JSON Lines exports)."""
        self.get_page_size(request)
        self.page_number(request)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": force_str(self.page_query_description),
                "schema": {
                    "anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": ["last"]}]
                },
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": force_str(self.page_size_query_description),
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
