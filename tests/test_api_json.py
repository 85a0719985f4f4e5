"""The API's JSON: orjson's bytes are DRF's bytes, and anything orjson would render differently falls back."""

import datetime
import decimal
import json
import uuid

import pytest
from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer

from api.renderers import FastJSONRenderer
from tests.factories import RedLineFactory

plain_text = st.text(st.characters(exclude_categories=["Cs"]))  # lone surrogates are not text
plain = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | plain_text,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(plain_text, inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(plain)
def test_plain_data_renders_to_the_same_bytes_as_drf(data):
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


@pytest.mark.parametrize(
    "value",
    [
        "line\u2028separator\u2029and\x00control\x1f\x7f chars",
        {"rate": 0.3333, "median": 12.5, "none": None},
        [2**63 - 1, -(2**63), True, False],
    ],
)
def test_escapes_and_numbers_match_drf(value):
    assert FastJSONRenderer().render(value) == JSONRenderer().render(value)


@pytest.mark.parametrize(
    "value",
    [
        {"at": datetime.datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=datetime.UTC)},
        {"on": datetime.date(2024, 5, 1)},
        {"amount": decimal.Decimal("1.50")},
        {"label": gettext_lazy("Crossed")},
        {"big": 2**70},
        {1: "an int key"},
        {"id": uuid.UUID("12345678-1234-5678-1234-567812345678")},
    ],
)
def test_values_orjson_would_write_otherwise_fall_back_to_drf(value):
    assert FastJSONRenderer().render(value) == JSONRenderer().render(value)


def test_indented_output_for_the_browsable_api_is_drfs():
    data = {"a": [1, {"b": "c"}]}
    context = {"indent": 4}
    assert FastJSONRenderer().render(data, "application/json", context) == JSONRenderer().render(
        data, "application/json", context
    )
    assert b"\n    " in FastJSONRenderer().render(data, "application/json; indent=4")


@pytest.mark.django_db
def test_api_pages_are_rendered_as_drf_would(client):
    RedLineFactory(title='A "quoted" line\u2028with a separator', statement="Ünïcödé \x1f text")
    for url in ("/api/v1/red-lines/", "/api/v1/stats/"):
        response = client.get(url, HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        assert response.content == JSONRenderer().render(json.loads(response.content))
