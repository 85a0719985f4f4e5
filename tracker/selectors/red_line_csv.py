"""The red lines' CSV rendered by PostgreSQL (`COPY ... TO STDOUT WITH (FORMAT csv)`), batch by batch.

The bytes are those of the serializers through `api.renderers.csv_lines` (the path every other
export takes): same header, cells, quoting, "\\r\\n" line ends and escaped formulas
(`tracker.csv_cells`). The columns, and each cell's SQL, follow the red line's public shape
(`tracker.shapes.RED_LINE`), by the kind of each field. Each batch costs two queries: the next
`BATCH` ids of the filtered, ordered queryset after the last row read (keyset), then one COPY of
those ids' lines in that order. Memory holds one batch's bytes.

COPY writes timestamps in UTC with "Z", as the API does: TIME_ZONE is UTC and no request activates
another zone. Should one ever be active, the export falls back to the serializers, which write
timestamps in the active zone, so the bytes stay right (slower, never wrong).
"""

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.models import F, FloatField, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from tracker import shapes
from tracker.csv_cells import formula_escape_sql
from tracker.models import Actor, RedLine, Source

BATCH = 2000


def copy_csv_supported() -> bool:
    """COPY renders timestamps in UTC ("Z"); under another active zone the serializers write the CSV."""
    return timezone.get_current_timezone_name() == "UTC"


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _iso_timestamp(column: str) -> str:
    """`datetime.isoformat()` in UTC with "Z": microseconds only when there are any."""
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
        f"CASE WHEN to_char({utc}, 'US') = '000000' THEN '' ELSE to_char({utc}, '.US') END || 'Z'"
    )


# `tracker.record_rules.source_citation` in SQL: URL (or title), “quote” (language) [translation] — note.
_CITATION = (
    "COALESCE(NULLIF(s.url, ''), s.title)"
    " || CASE WHEN s.quote = '' THEN '' ELSE ' “' || s.quote || '”'"
    " || CASE WHEN s.language = '' THEN '' ELSE ' (' || s.language || ')' END"
    " || CASE WHEN s.quote_translation = '' THEN '' ELSE ' [' || s.quote_translation || ']' END END"
    " || CASE WHEN s.note = '' THEN '' ELSE ' — ' || s.note END"
)


def _column(path: str, joins: dict[str, str]) -> tuple[str, Any]:
    """The SQL of a column of the line ("declared_on") or of a row it refers to ("declared_by__name"),
    with the join that reaches it, and its model field."""
    field = RedLine._meta.get_field(path.split("__")[0])
    if "__" not in path:
        return f"r.{_q(field.column)}", field
    relation, target = path.split("__")
    if relation not in joins:
        join = "LEFT JOIN" if field.null else "JOIN"
        joins[relation] = (
            f"{join} {_q(field.related_model._meta.db_table)} {_q(relation)} "
            f"ON {_q(relation)}.id = r.{_q(field.column)}"
        )
    related = field.related_model._meta.get_field(target)
    return f"{_q(relation)}.{_q(related.column)}", related


def _cell(field: shapes.Field, joins: dict[str, str]) -> tuple[str, bool]:
    """A field's CSV cell as SQL, as `api.renderers.flat` writes it, and whether it is text (numbers
    are never escaped as formulas)."""
    if field.kind is shapes.Kind.ACTORS:
        m2m = RedLine._meta.get_field(field.name)
        through = m2m.remote_field.through._meta
        return (
            f"(SELECT string_agg(a.slug, '; ' ORDER BY a.name, a.id) FROM {_q(through.db_table)} t "
            f"JOIN {_q(Actor._meta.db_table)} a ON a.id = t.{_q(m2m.m2m_reverse_name())} "
            f"WHERE t.{_q(m2m.m2m_column_name())} = r.id)"
        ), True
    if field.kind is shapes.Kind.SOURCES:
        owner = RedLine._meta.get_field(field.name).field.column
        return (
            f"(SELECT string_agg({_CITATION}, '; ' ORDER BY s.published_on, s.id) "
            f"FROM {_q(Source._meta.db_table)} s WHERE s.{_q(owner)} = r.id)"
        ), True
    column, model_field = _column(field.column or field.name, joins)
    if field.kind is shapes.Kind.DATE:
        return f"to_char({column}, 'YYYY-MM-DD')", True
    if field.kind is shapes.Kind.DATETIME:
        return _iso_timestamp(column), True
    if field.kind is shapes.Kind.TAGS:
        return (
            f"CASE jsonb_typeof({column}) WHEN 'array' THEN (SELECT string_agg(e.v, '; ' ORDER BY e.n) "
            f"FROM jsonb_array_elements_text({column}) WITH ORDINALITY AS e(v, n)) "
            f"ELSE {column} #>> '{{}}' END"
        ), True
    kind = model_field.get_internal_type()
    if kind == "BooleanField":
        return f"CASE {column} WHEN TRUE THEN 'true' WHEN FALSE THEN 'false' END", True
    if field.kind is shapes.Kind.ID or kind.endswith(("IntegerField", "AutoField", "ForeignKey")):
        return f"{column}::text", False
    return column, True


def _select(*, escape_formulas: bool) -> tuple[str, str]:
    """One SQL expression per CSV column (shapes.RED_LINE), and the joins they need; empty cells are
    NULL, which COPY writes unquoted."""
    joins: dict[str, str] = {}
    cells = []
    for field in shapes.RED_LINE:
        sql, text = _cell(field, joins)
        cells.append(f"NULLIF({formula_escape_sql(sql) if text and escape_formulas else sql}, '')")
    return ", ".join(cells), " ".join(joins.values())


def _copy_sql(*, escape_formulas: bool) -> str:
    select, joins = _select(escape_formulas=escape_formulas)
    return (
        f"COPY (SELECT {select} FROM unnest(%s::bigint[]) WITH ORDINALITY AS b(id, n) "
        f"JOIN {_q(RedLine._meta.db_table)} r ON r.id = b.id {joins} ORDER BY b.n) TO STDOUT WITH (FORMAT csv)"
    )


def _ordering(qs: QuerySet) -> list[tuple[str, bool]]:
    """(name, descending) for each term of the queryset's ordering, which ends with the id."""
    order = list(qs.query.order_by) or list(qs.model._meta.ordering)
    terms = [(str(o).lstrip("-"), str(o).startswith("-")) for o in order]
    if not any(name in ("id", "pk") for name, _ in terms):
        terms.append(("id", bool(terms) and terms[-1][1]))
    return terms


def _nullable(qs: QuerySet, name: str) -> bool:
    if name in ("id", "pk"):
        return False
    if name in qs.query.annotations:
        return True
    return qs.model._meta.get_field(name).null


def _keyset_sql(qs: QuerySet) -> tuple[str, list[Any], list[tuple[str, bool]], bool]:
    """The filtered query as (id, ordering values...) in its order; floats read as float8."""
    terms = _ordering(qs)
    keys: dict[str, Any] = {}
    for i, (name, _) in enumerate(terms):
        expr = F(name)
        if name in qs.query.annotations and isinstance(qs.query.annotations[name].output_field, FloatField):
            expr = Cast(expr, FloatField())
        keys[f"_csv_k{i}"] = expr
    inner = qs.prefetch_related(None).annotate(**keys).values_list("pk", *keys)
    sql, params = inner.query.sql_with_params()
    rowwise = len({desc for _, desc in terms}) == 1 and not any(_nullable(qs, n) for n, _ in terms)
    return sql, list(params), terms, rowwise


def _after(terms: list[tuple[str, bool]], last: tuple[Any, ...], rowwise: bool) -> tuple[str, list[Any]]:
    """WHERE clause for the rows after `last` in the order (NULLs last ascending, first descending)."""
    cols = [f"s.k{i}" for i in range(len(terms))]
    if rowwise:
        op = "<" if terms[0][1] else ">"
        return f"({', '.join(cols)}) {op} ({', '.join(['%s'] * len(cols))})", list(last)
    ors: list[str] = []
    params: list[Any] = []
    equal: list[str] = []
    equal_params: list[Any] = []
    for col, (_, desc), value in zip(cols, terms, last, strict=True):
        if value is None:
            after = f"{col} IS NOT NULL" if desc else "FALSE"
            this: list[Any] = []
            eq, eq_params = f"{col} IS NULL", []
        else:
            after = f"{col} < %s" if desc else f"({col} > %s OR {col} IS NULL)"
            this = [value]
            eq, eq_params = f"{col} = %s", [value]
        ors.append("(" + " AND ".join([*equal, after]) + ")")
        params += [*equal_params, *this]
        equal.append(eq)
        equal_params += eq_params
    return "(" + " OR ".join(ors) + ")", params


def _copy(cursor: Any, sql: str) -> bytes:
    """One COPY's bytes. Django's PostgreSQL cursor logs copy_expert like any query (counts, captures)."""
    out = io.BytesIO()
    cursor.copy_expert(sql, out)
    return out.getvalue()


def crlf(data: bytes) -> bytes:
    """COPY's "\\n" row ends as "\\r\\n" (Python's csv); newlines inside quoted cells stay as they are."""
    if b'"' not in data:
        return data.replace(b"\n", b"\r\n")
    out = bytearray()
    inside = False
    pieces = data.split(b"\n")
    for piece in pieces[:-1]:
        out += piece
        if piece.count(b'"') % 2:
            inside = not inside
        out += b"\n" if inside else b"\r\n"
    out += pieces[-1]
    return bytes(out)


def header_line() -> bytes:
    text = io.StringIO()
    csv.writer(text).writerow(shapes.names(shapes.RED_LINE))
    return text.getvalue().encode("utf-8")


def red_line_csv_chunks(
    qs: QuerySet[RedLine], *, batch: int | None = None, escape_formulas: bool = True
) -> Iterator[bytes] | None:
    """The CSV of `qs` rendered by PostgreSQL, or None where it cannot be (see copy_csv_supported)."""
    if not copy_csv_supported():
        return None
    return _chunks(qs, batch=batch or BATCH, escape_formulas=escape_formulas)


def _chunks(qs: QuerySet[RedLine], *, batch: int, escape_formulas: bool) -> Iterator[bytes]:
    """A header, then one chunk per batch of `qs` (filtered and ordered, ending with the id)."""
    yield header_line()
    inner_sql, inner_params, terms, rowwise = _keyset_sql(qs)
    columns = ", ".join(["id", *(f"k{i}" for i in range(len(terms)))])
    order = ", ".join(f"s.k{i} {'DESC' if desc else 'ASC'}" for i, (_, desc) in enumerate(terms))
    copy_sql = _copy_sql(escape_formulas=escape_formulas)
    last: tuple[Any, ...] | None = None
    with connection.cursor() as cursor:
        while True:
            where, where_params = ("TRUE", []) if last is None else _after(terms, last, rowwise)
            cursor.execute(
                f"SELECT * FROM ({inner_sql}) AS s({columns}) WHERE {where} ORDER BY {order} LIMIT %s",
                [*inner_params, *where_params, batch],
            )
            rows = cursor.fetchall()
            if not rows:
                return
            ids = [row[0] for row in rows]
            yield crlf(_copy(cursor, cursor.mogrify(copy_sql, [ids]).decode()))
            if len(rows) < batch:
                return
            last = rows[-1][1:]
