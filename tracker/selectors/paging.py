"""Pages of the red-line list that cost the same at page 1 and at page 4,000.

A page number (`?page=N`, what people share) is read in two steps: the ids of the page by
OFFSET over the ordering columns only, then those rows with what the list shows. Next and
previous links also carry a keyset cursor (`after=` / `before=`: the declaration date and id of
the edge row) when the list is in date order, so walking the list never skips rows at all.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page
from django.db.models import Q, QuerySet

from tracker.selectors.read_cache import CachedCountPaginator

# Date orders that the index on published lines (declared_on, id) serves in both directions.
KEYSET_ORDERS = {("-declared_on", "-id"): True, ("declared_on", "id"): False}


def stable_order(qs: QuerySet, default: tuple[str, ...]) -> QuerySet:
    """`qs` ordered as asked (or `default`), ending with the id so equal values keep one order."""
    order = [str(o) for o in (qs.query.order_by or default)]
    if order[-1].lstrip("-") not in ("id", "pk"):
        order.append("-id" if order[-1].startswith("-") else "id")
    return qs.order_by(*order)


@dataclass(frozen=True)
class Cursor:
    """The edge row of a page: the list continues after (or before) it."""

    declared_on: datetime.date
    pk: int

    def __str__(self) -> str:
        return f"{self.declared_on.isoformat()}.{self.pk}"

    @classmethod
    def parse(cls, raw: str) -> "Cursor | None":
        day, _, pk = raw.partition(".")
        try:
            return cls(datetime.date.fromisoformat(day), int(pk))
        except ValueError:
            return None

    @classmethod
    def of(cls, line: Any) -> "Cursor":
        return cls(line.declared_on, line.pk)


class RedLinePaginator(CachedCountPaginator):
    """Page-number pagination that reads the page's ids first, and follows keyset cursors."""

    def keyset_descending(self) -> bool | None:
        """True/False for a date order a cursor can follow, None for any other order."""
        return KEYSET_ORDERS.get(tuple(str(o) for o in self.object_list.query.order_by))

    def _rows(self, qs: QuerySet, ids: list[int]) -> list:
        found = {obj.pk: obj for obj in qs.filter(pk__in=ids)}
        return [found[pk] for pk in ids if pk in found]

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        return self._page(self._rows(self.object_list.order_by(), ids), number)

    def page_at(self, number: int, *, after: Cursor | None = None, before: Cursor | None = None) -> Page:
        """Page `number`, read from the cursor when there is one and the order allows it."""
        descending = self.keyset_descending()
        cursor = after or before
        if cursor is None or descending is None:
            return self.page(number)
        number = self.validate_number(number)
        forward = after is not None
        # Rows past the cursor in reading order; `before` reads backwards and flips the result.
        later = forward == descending
        op = "lt" if later else "gt"
        beyond = Q(**{f"declared_on__{op}": cursor.declared_on}) | Q(
            declared_on=cursor.declared_on, **{f"id__{op}": cursor.pk}
        )
        # The plain bound on the date lets the index start at the cursor (the OR alone is a filter).
        qs = self.object_list.filter(beyond, **{f"declared_on__{op}e": cursor.declared_on})
        if not forward:
            qs = qs.reverse()
        rows = list(qs[: self.per_page])
        if not forward:
            rows.reverse()
        if len(rows) < self.per_page and not (forward and number == self.num_pages):
            return self.page(number)  # the record moved under the cursor: trust the page number
        return self._page(rows, number)

    def _page(self, rows: list, number: int) -> Page:
        page = self._get_page(rows, number, self)
        if self.keyset_descending() is not None and rows:
            page.after = Cursor.of(rows[-1]) if page.has_next() else None
            page.before = Cursor.of(rows[0]) if page.has_previous() else None
        else:
            page.after = page.before = None
        return page
