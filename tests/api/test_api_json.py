"""The API's JSON: orjson's bytes are DRF's bytes, and anything orjson would render differently falls back."""

import datetime
import decimal
import json
import logging
import uuid

import pytest
from django.test import override_settings
from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from api.parsers import MAX_JSON_DEPTH
from api.renderers import FastJSONRenderer
from tests.factories import RedLineFactory
from tracker.models import Actor

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


# --- request bodies: depth and size -------------------------------------------------------------


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [33, 900, 1000, 100_000])
def test_deeply_nested_json_is_a_400_on_the_token_endpoint_without_signing_in(depth, caplog):
    body = '{"username": ' + nested(depth) + ', "password": "x"}'
    client = APIClient(raise_request_exception=False)
    with caplog.at_level(logging.ERROR):
        response = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert f"deeper than {MAX_JSON_DEPTH} levels" in response.json()["detail"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.django_db
def test_json_up_to_the_depth_limit_is_parsed():
    body = '{"username": ' + nested(MAX_JSON_DEPTH - 1) + ', "password": "x"}'
    response = APIClient().post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"username": ["Not a valid string."]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/api/v1/actors/", "/api/v1/red-lines/", "/api/v1/events/", "/api/v1/feeds/", "/api/v1/articles/"],
)
def test_deeply_nested_json_is_a_400_on_the_curator_writes(url, curator):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(curator)
    body = '{"slug": "x", "name": "X", "kind": "state", "aliases": ' + nested(1000) + "}"
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert "deeper than" in response.json()["detail"]
    assert not Actor.objects.exists()


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
def test_an_oversized_body_on_the_token_endpoint_is_a_json_413():
    body = json.dumps({"username": "x" * 20_000, "password": "x"})
    response = APIClient().post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "too large" in response.json()["detail"]
