"""Pages of a public shape's records read as rows: dicts of the shape's fields (tracker.shapes).

A list page costs one `values()` query for its columns, then one per nested list (a many-to-many
of actors, the sources), whatever the page's length; no model instances, prefetches or nested
serializers. `api.serializers.rows` renders the rows as the serializers render model instances.
"""

from collections.abc import Callable
from functools import cache
from typing import Any

from django.db.models import Model, QuerySet

from tracker import shapes
from tracker.models import Source
from tracker.selectors.prepared import prepared_rows

SOURCE_COLUMNS = shapes.columns(shapes.SOURCE)


@cache
def actor_refs(model: type[Model], name: str) -> Callable[[list[int]], QuerySet]:
    """The query of (owner id, actor slug, actor name) of the many-to-many `name` for `ids`, by name."""
    m2m = model._meta.get_field(name)
    through, owner = m2m.remote_field.through, m2m.m2m_field_name()

    def build(ids: list[int]) -> QuerySet:
        return (
            through.objects.filter(**{f"{owner}_id__any": ids})
            .order_by("actor__name", "actor_id")
            .values_list(f"{owner}_id", "actor__slug", "actor__name")
        )

    return build


@cache
def sources_of(model: type[Model], name: str) -> Callable[[list[int]], QuerySet]:
    """The query of (owner id, *SOURCE_COLUMNS) of the sources `name` of `ids`, in their order."""
    owner = model._meta.get_field(name).field.attname

    def build(ids: list[int]) -> QuerySet[Source]:
        return (
            Source.objects.filter(**{f"{owner}__any": ids})
            .order_by("published_on", "id")
            .values_list(owner, *SOURCE_COLUMNS.values())
        )

    return build


def rows_completed(
    model: type[Model], shape: shapes.Shape, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """`rows` (with their id) given the shape's nested lists: one query per list for all of them."""
    by_id = {row["id"]: row for row in rows}
    for field in shape:
        if field.column is not None:
            continue
        for row in rows:
            row[field.name] = []
        if not by_id:
            continue
        if field.kind is shapes.Kind.ACTORS:
            found = prepared_rows(
                ("actors", model, field.name), actor_refs(model, field.name), ids=list(by_id)
            )
            for owner, slug, name in found:
                by_id[owner][field.name].append({"slug": slug, "name": name})
        else:
            found = prepared_rows(
                ("sources", model, field.name), sources_of(model, field.name), ids=list(by_id)
            )
            for owner, *values in found:
                by_id[owner][field.name].append(dict(zip(SOURCE_COLUMNS, values, strict=True)))
    return rows


class ShapeRows:
    """The records of `qs` for a paginator: counted on `qs` itself (no joins), a slice read as rows
    of `shape` (its columns, the id, then its nested lists)."""

    def __init__(self, qs: QuerySet, shape: shapes.Shape) -> None:
        self.qs, self.shape = qs, shape
        self.model = qs.model  # the paginator caches counts per model
        self.columns = {"id": "id", **shapes.columns(shape)}

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        found = self.qs.prefetch_related(None).values_list(*self.columns.values())[index]
        rows = [dict(zip(self.columns, row, strict=True)) for row in found]
        return rows_completed(self.model, self.shape, rows)
