"""The red lines' CSV rendered by PostgreSQL (`COPY ... TO STDOUT WITH (FORMAT csv)`), batch by batch.

The bytes are those of the serializers through `api.renderers.csv_lines` (the path every other
export takes): same header, cells, quoting, "\\r\\n" line ends and escaped formulas
(`tracker.csv_cells`). Each batch costs two queries: the next `BATCH` ids of the filtered, ordered
queryset after the last row read (keyset), then one COPY of those ids' lines in that order. Memory
holds one batch's bytes.

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

from tracker.csv_cells import formula_escape_sql
from tracker.models import Actor, RedLine, Source
from tracker.selectors.red_lines import FLAT_COLUMNS

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


def _select_list(*, escape_formulas: bool) -> str:
    """One SQL expression per CSV column; empty cells are NULL, which COPY writes unquoted."""
    actor, source = Actor._meta.db_table, Source._meta.db_table
    through = RedLine.addressees.through._meta.db_table
    cells = {
        "declared_by": "d.slug",
        "declared_by_name": "d.name",
        "restates": "rs.slug",
        "declared_on": "to_char(r.declared_on, 'YYYY-MM-DD')",
        "status_changed_on": "to_char(r.status_changed_on, 'YYYY-MM-DD')",
        "last_reaffirmed_on": "to_char(r.last_reaffirmed_on, 'YYYY-MM-DD')",
        "created_at": _iso_timestamp("r.created_at"),
        "updated_at": _iso_timestamp("r.updated_at"),
        "addressees": (
            f"(SELECT string_agg(a.slug, '; ' ORDER BY a.name, a.id) FROM {_q(through)} t "
            f"JOIN {_q(actor)} a ON a.id = t.actor_id WHERE t.redline_id = r.id)"
        ),
        "sources": (
            f"(SELECT string_agg({_CITATION}, '; ' ORDER BY s.published_on, s.id) "
            f"FROM {_q(source)} s "
            f"WHERE s.red_line_id = r.id)"
        ),
        "topics": (
            "CASE jsonb_typeof(r.topics) WHEN 'array' THEN (SELECT string_agg(e.v, '; ' ORDER BY e.n) "
            "FROM jsonb_array_elements_text(r.topics) WITH ORDINALITY AS e(v, n)) "
            "ELSE r.topics #>> '{}' END"
        ),
    }
    escape = formula_escape_sql if escape_formulas else str
    return ", ".join(f"NULLIF({escape(cells.get(name, f'r.{_q(name)}'))}, '')" for name in FLAT_COLUMNS)


def _copy_sql(*, escape_formulas: bool) -> str:
    line, actor = _q(RedLine._meta.db_table), _q(Actor._meta.db_table)
    return (
        f"COPY (SELECT {_select_list(escape_formulas=escape_formulas)} FROM unnest(%s::bigint[]) WITH ORDINALITY AS b(id, n) "
        f"JOIN {line} r ON r.id = b.id JOIN {actor} d ON d.id = r.declared_by_id "
        f"LEFT JOIN {line} rs ON rs.id = r.restates_id ORDER BY b.n) TO STDOUT WITH (FORMAT csv)"
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
    csv.writer(text).writerow(list(FLAT_COLUMNS))
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
