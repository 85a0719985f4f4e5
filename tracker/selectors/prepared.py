"""Fixed-shape reads whose SQL is compiled once per process.

Building a `values_list()` queryset into SQL costs Django more than PostgreSQL takes to run the
small indexed reads behind a red line's detail, history and a list page. `prepared_rows(key, build,
**params)` compiles `build(**placeholders)` once, records where each placeholder landed among the
SQL parameters, and afterwards only executes that SQL with the real values (and applies the same
field converters the ORM would).

Parameters are `int`, `str`, `date` or a list of ints; a list goes through the `any` lookup
(`field__any=[...]`), which is one array parameter (`= ANY(%s)`), so the SQL does not depend on
the list's length.
"""

from collections.abc import Callable, Hashable
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Field, ForeignObject, QuerySet
from django.db.models.lookups import In


class AnyOf(In):
    """`field__any=[...]`: `= ANY(%s)`, one array parameter whatever the list's length."""

    lookup_name = "any"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, [v for v in self.rhs if v is not None]]


Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)


class _Compiled:
    def __init__(self, sql: str, params: list[Any], slots: dict[int, str], converters: list) -> None:
        self.sql, self.params, self.slots, self.converters = sql, params, slots, converters


_compiled: dict[Hashable, _Compiled] = {}


def _placeholder(name: str, value: Any, index: int) -> Any:
    """A value of `value`'s type that no real read uses, to find where `name` lands in the SQL."""
    if isinstance(value, bool):
        raise TypeError(f"prepared_rows: {name} is a bool; compile booleans into the query")
    if isinstance(value, int):
        return -(2**62) - index
    if isinstance(value, str):
        return f"\x01prepared-{name}-{index}"
    if isinstance(value, date):
        return date(1, 1, 1 + index)
    if isinstance(value, list):
        return [-(2**62) - 1000 - index]
    raise TypeError(f"prepared_rows: {name} has unsupported type {type(value).__name__}")


def _compile(build: Callable[..., QuerySet], params: dict[str, Any]) -> _Compiled:
    placeholders = {name: _placeholder(name, value, i) for i, (name, value) in enumerate(params.items())}
    compiler = build(**placeholders).query.get_compiler(connection=connection)
    sql, sql_params = compiler.as_sql()
    slots: dict[int, str] = {}
    for position, value in enumerate(sql_params):
        for name, placeholder in placeholders.items():
            if value == placeholder:
                slots[position] = name
    missing = set(placeholders) - set(slots.values())
    if missing:
        raise ValueError(f"prepared_rows: {sorted(missing)} not found among the SQL's parameters")
    fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
    converters = list(compiler.get_converters(fields).items())
    return _Compiled(sql, list(sql_params), slots, converters)


def prepared_rows(key: Hashable, build: Callable[..., QuerySet], **params: Any) -> list[tuple[Any, ...]]:
    """The rows of `build(**params)` (a `values_list()` queryset of tuples).

    `key` names the query: calls with the same key and the same parameters given must build the
    same SQL from them. A parameter given as None is left out, so `build` takes its default: an
    optional filter is a second shape of the query, compiled on its own.
    """
    params = {name: value for name, value in params.items() if value is not None}
    shape = (key, frozenset(params))
    compiled = _compiled.get(shape)
    if compiled is None:
        compiled = _compiled[shape] = _compile(build, params)
    values = list(compiled.params)
    for position, name in compiled.slots.items():
        values[position] = params[name]
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, values)
        rows = cursor.fetchall()
    if not compiled.converters:
        return rows
    converted = []
    for row in rows:
        row = list(row)
        for position, (functions, expression) in compiled.converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
        converted.append(tuple(row))
    return converted
