"""Reads compiled once: the same rows as the ORM, for any parameters, after the first call."""

import datetime

import pytest

from tests.factories import EventFactory, RedLineFactory
from tracker.models import Event, RedLine
from tracker.selectors import prepared
from tracker.selectors.prepared import prepared_rows

pytestmark = pytest.mark.django_db


def _lines(ids: list[int], declared_after: datetime.date, title: str):
    return (
        RedLine.objects.filter(id__any=ids, declared_on__gt=declared_after)
        .exclude(title=title)
        .order_by("id")
        .values_list("id", "slug", "topics", "declared_on")
    )


def _orm(ids, declared_after, title):
    return [tuple(row) for row in _lines(ids, declared_after, title)]


def test_rows_match_the_orm_for_every_set_of_parameters_and_the_query_is_built_once():
    lines = [
        RedLineFactory(declared_on=datetime.date(2020 + i, 1, 1), topics=[f"topic {i}", "shared"])
        for i in range(5)
    ]
    ids = [line.id for line in lines]
    builds = []

    def build(**params):
        builds.append(params)
        return _lines(**params)

    key = ("test-lines", id(build))
    cases = [
        {"ids": ids, "declared_after": datetime.date(2019, 1, 1), "title": "none"},
        {"ids": ids[:2], "declared_after": datetime.date(2019, 1, 1), "title": lines[0].title},
        {"ids": ids, "declared_after": datetime.date(2022, 6, 1), "title": "none"},
        {"ids": [], "declared_after": datetime.date(2019, 1, 1), "title": "none"},
        {"ids": [ids[3], ids[3], ids[1]], "declared_after": datetime.date(2000, 1, 1), "title": "x"},
    ]
    for params in cases:
        assert prepared_rows(key, build, **params) == _orm(**params), params
    # Field converters apply as the ORM applies them: topics come back as a list, dates as dates.
    first = prepared_rows(key, build, **cases[0])[0]
    assert first[2] == ["topic 0", "shared"] and isinstance(first[3], datetime.date)
    assert len(builds) == 1  # compiled on the first call, executed after
    assert "= ANY(" in prepared._compiled[(key, frozenset(cases[0]))].sql


def test_a_list_param_through_a_foreign_key_and_an_or():
    event = EventFactory()
    other = EventFactory()

    def build(pk, ids):
        from django.db.models import Q

        return Event.objects.filter(Q(red_line_id=pk) | Q(id__any=ids)).order_by("id").values_list("id")

    key = ("test-events", id(build))
    assert prepared_rows(key, build, pk=event.red_line_id, ids=[]) == [(event.id,)]
    assert prepared_rows(key, build, pk=event.red_line_id, ids=[other.id]) == [(event.id,), (other.id,)]
    assert prepared_rows(key, build, pk=-1, ids=[other.id]) == [(other.id,)]


def test_a_parameter_the_query_does_not_use_is_refused_at_compile_time():
    def build(slug):
        return RedLine.objects.filter(is_published=True).values_list("id")

    with pytest.raises(ValueError, match="slug"):
        prepared_rows(("test-unused", id(build)), build, slug="anything")


def test_unsupported_parameter_types_are_refused():
    with pytest.raises(TypeError, match="bool"):
        prepared_rows(("test-bool",), lambda flag: RedLine.objects.filter(is_published=flag), flag=True)
