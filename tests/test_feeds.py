"""Atom feeds: all new events, and one line's events and status changes; drafts never appear."""

import datetime
from xml.etree import ElementTree

import pytest
from django.test import Client

from tests.factories import EventFactory, RedLineFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    return [
        {
            "title": e.findtext(f"{ATOM}title"),
            "id": e.findtext(f"{ATOM}id"),
            "link": e.find(f"{ATOM}link").get("href"),
        }
        for e in root.iter(f"{ATOM}entry")
    ]


def test_events_feed_lists_new_public_events_newest_first():
    line = RedLineFactory(slug="strikes", title="Strikes on the homeland")
    first = EventFactory(red_line=line, kind="crossing")
    second = EventFactory(red_line=line, kind="response", occurred_on=datetime.date(2024, 6, 3))
    EventFactory(red_line=line, sourced=False, kind="restatement")  # a draft event
    EventFactory(red_line=RedLineFactory(sourced=False))  # an event on a draft line
    found = entries(Client().get("/feeds/events/"))
    assert [e["title"] for e in found] == [
        "Response: Strikes on the homeland",
        "Crossing: Strikes on the homeland",
    ]
    assert found[0]["link"].endswith(f"/red-lines/strikes/#event-{second.pk}")
    assert found[1]["id"] == f"red-line-tracker:event:{first.pk}"


def test_a_line_feed_has_its_events_and_status_changes():
    line = RedLineFactory(slug="l", declared_on=datetime.date(2024, 1, 1))
    EventFactory(red_line=line, kind="crossing", occurred_on=datetime.date(2024, 3, 1))
    titles = [e["title"] for e in entries(Client().get("/feeds/red-lines/l/"))]
    assert "Crossing on 2024-03-01" in titles
    assert "Status: active → crossed" in titles
    assert titles[-1] == "Status: declared → active"


def test_a_feed_for_an_unknown_or_draft_line_is_404():
    RedLineFactory(slug="draft", sourced=False)
    assert Client().get("/feeds/red-lines/draft/").status_code == 404
    assert Client().get("/feeds/red-lines/nothing/").status_code == 404
