"""The public shape of each record, declared once: its fields, in the order the API gives them.

Everything that writes a record for the public is built from these tuples: the API's serializers
(and so the schema and the writes' echo), the row readers and renderers behind the busiest reads
(`tracker.selectors.red_line_detail`, `api.serializers.rows`), the red lines' CSV columns and the
SQL of their COPY export (`tracker.selectors.red_line_csv`). A new public field is one line here,
plus its migration.
"""

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """How a field is read and written out."""

    VALUE = "value"  # text, a choice, a number or a boolean, as stored
    DATE = "date"  # ISO 8601
    DATETIME = "datetime"  # ISO 8601 in the current time zone, UTC as "Z"
    TAGS = "tags"  # a JSON list of text
    SLUG = "slug"  # a foreign key, given as the related row's slug
    ID = "id"  # a foreign key, given as the related row's id
    ACTORS = "actors"  # a many-to-many of actors, as [{slug, name}] by name (ACTOR_REF)
    SOURCES = "sources"  # the record's sources (SOURCE), by publication date then id


@dataclass(frozen=True)
class Field:
    """One public field. `path` is the ORM path it is read from when that is not its own name
    (`declared_by__name`); ACTORS and SOURCES are read by a query of their own."""

    name: str
    kind: Kind = Kind.VALUE
    path: str = ""

    @property
    def column(self) -> str | None:
        """The ORM path of the field's column in a `values()` read, or None for a nested list."""
        if self.kind in (Kind.ACTORS, Kind.SOURCES):
            return None
        if self.path:
            return self.path
        if self.kind is Kind.SLUG:
            return f"{self.name}__slug"
        if self.kind is Kind.ID:
            return f"{self.name}_id"
        return self.name


Shape = tuple[Field, ...]


def names(shape: Shape) -> list[str]:
    return [f.name for f in shape]


def written(shape: Shape, model: type) -> list[str]:
    """The fields a write sets: the model's own editable columns (not the id, not a related row's
    column) and the nested lists, in the shape's order."""
    out = []
    for f in shape:
        if f.kind in (Kind.ACTORS, Kind.SOURCES):
            out.append(f.name)
        elif not f.path:
            column = model._meta.get_field(f.name)
            if column.editable and not column.primary_key:
                out.append(f.name)
    return out


def columns(shape: Shape) -> dict[str, str]:
    """Field name → ORM path, for the fields read as columns of the record's own query."""
    return {f.name: f.column for f in shape if f.column is not None}


V, DATE, DATETIME = Kind.VALUE, Kind.DATE, Kind.DATETIME

SOURCE: Shape = (
    Field("url"),
    Field("publisher"),
    Field("title"),
    Field("published_on", DATE),
    Field("language"),
    Field("quote"),
    Field("quote_translation"),
    Field("note"),
    Field("article", Kind.ID),
)

ACTOR_REF: Shape = (Field("slug"), Field("name"))

ACTOR: Shape = (
    Field("slug"),
    Field("name"),
    Field("kind"),
    Field("country"),
    Field("affiliation", Kind.SLUG),
    Field("aliases", Kind.TAGS),
    Field("wikidata_id"),
    Field("description"),
    Field("created_at", DATETIME),
    Field("updated_at", DATETIME),
)

# An event as a line's detail nests it; EVENT adds the line it belongs to.
EVENT_IN_LINE: Shape = (
    Field("id"),
    Field("kind"),
    Field("occurred_on", DATE),
    Field("actors", Kind.ACTORS),
    Field("summary"),
    Field("partial"),
    Field("sources", Kind.SOURCES),
    Field("created_at", DATETIME),
    Field("updated_at", DATETIME),
)

EVENT: Shape = (EVENT_IN_LINE[0], Field("red_line", Kind.SLUG), *EVENT_IN_LINE[1:])

RED_LINE: Shape = (
    Field("slug"),
    Field("title"),
    Field("declared_by", Kind.SLUG),
    Field("declared_by_name", V, path="declared_by__name"),
    Field("addressees", Kind.ACTORS),
    Field("declared_on", DATE),
    Field("statement"),
    Field("trigger"),
    Field("threatened_response"),
    Field("explicitness"),
    Field("severity"),
    Field("category"),
    Field("theatre"),
    Field("topics", Kind.TAGS),
    Field("restates", Kind.SLUG),
    Field("status"),
    Field("status_changed_on", DATE),
    Field("last_reaffirmed_on", DATE),
    Field("sources", Kind.SOURCES),
    Field("created_at", DATETIME),
    Field("updated_at", DATETIME),
)
