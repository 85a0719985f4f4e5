"""Atom feeds: all new events, and one line's events and status changes; drafts never appear.

Both feeds are checked against RFC 4287 as a feed reader would read them (feedparser) and as XML.
"""

import datetime
import re
from xml.etree import ElementTree

import feedparser
import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import EventFactory, RedLineFactory
from tracker.models import Article, Candidate, Event
from tracker.services import review

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
# RFC 4151: tag:<DNS name or email>,<YYYY[-MM[-DD]]>:<specific>
TAG_URI = re.compile(r"tag:[a-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?:[\w./-]+")
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


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
    assert found[1]["id"] == f"tag:127.0.0.1,2024:event/{first.pk}"


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


# --- RFC 4287, item by item ----------------------------------------------------------------------


def rfc3339(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


def checked_atom(response, path: str) -> list[ElementTree.Element]:
    """Assert what RFC 4287 requires of a feed and its entries; return the entries."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert TAG_URI.fullmatch(root.findtext(f"{ATOM}id"))
    assert root.findtext(f"{ATOM}title")
    rfc3339(root.findtext(f"{ATOM}updated"))
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "Red Line Tracker"
    assert [link.get("href") for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"] == [
        f"http://testserver{path}"
    ]
    entries = root.findall(f"{ATOM}entry")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert all(TAG_URI.fullmatch(i) for i in ids) and len(set(ids)) == len(ids)
    for entry in entries:
        assert entry.findtext(f"{ATOM}title")
        rfc3339(entry.findtext(f"{ATOM}updated"))
        rfc3339(entry.findtext(f"{ATOM}published"))
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href")
        summary = entry.find(f"{ATOM}summary")
        assert summary.get("type") == "text" and len(summary) == 0, "a summary is words, never markup"
        assert entry.find(f"{ATOM}content") is None

    parsed = feedparser.parse(response.content)
    assert not parsed.bozo and parsed.version == "atom10"
    assert parsed.feed.author == "Red Line Tracker"
    assert [e.id for e in parsed.entries] == ids
    assert {e.summary_detail.type for e in parsed.entries} <= {"text/plain"}
    return entries


def by_id(entries: list[ElementTree.Element]) -> dict[str, ElementTree.Element]:
    return {e.findtext(f"{ATOM}id"): e for e in entries}


def test_the_events_feed_is_valid_atom_and_published_is_when_the_event_was_recorded():
    line = RedLineFactory(slug="strikes", declared_on=datetime.date(2024, 1, 1))
    crossing = EventFactory(red_line=line, kind="crossing", occurred_on=datetime.date(2024, 3, 1))
    Event.objects.filter(pk=crossing.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2024, 3, 4, 8, 30)),
        updated_at=timezone.make_aware(datetime.datetime(2024, 3, 9, 12, 0)),
    )
    entries = checked_atom(Client().get("/feeds/events/"), "/feeds/events/")
    entry = by_id(entries)[f"tag:127.0.0.1,2024:event/{crossing.pk}"]
    assert rfc3339(entry.findtext(f"{ATOM}published")) == datetime.datetime(
        2024, 3, 4, 8, 30, tzinfo=datetime.UTC
    )
    assert rfc3339(entry.findtext(f"{ATOM}updated")) == datetime.datetime(
        2024, 3, 9, 12, 0, tzinfo=datetime.UTC
    )
    assert entry.findtext(f"{ATOM}summary").startswith("2024-03-01: ")


def test_a_line_feed_is_valid_atom_with_the_same_meaning_of_published():
    line = RedLineFactory(slug="l", declared_on=datetime.date(2024, 1, 1))
    crossing = EventFactory(red_line=line, kind="crossing", occurred_on=datetime.date(2024, 3, 1))
    recorded = timezone.make_aware(datetime.datetime(2024, 3, 4, 8, 30))
    Event.objects.filter(pk=crossing.pk).update(created_at=recorded)
    change = line.status_changes.get(new_status="crossed")
    entries = by_id(checked_atom(Client().get("/feeds/red-lines/l/"), "/feeds/red-lines/l/"))
    event_entry = entries[f"tag:127.0.0.1,2024:event/{crossing.pk}"]
    assert rfc3339(event_entry.findtext(f"{ATOM}published")) == recorded, "recorded, not the day it happened"
    change_entry = entries[f"tag:127.0.0.1,2024:status-change/{change.pk}"]
    assert rfc3339(change_entry.findtext(f"{ATOM}published")) == change.recorded_at
    assert change_entry.findtext(f"{ATOM}summary") == "2024-03-01: Crossing on 2024-03-01"


def test_ids_stay_the_same_whatever_host_the_feed_is_fetched_through(settings):
    settings.SITE_URL = "https://redlines.example.org"
    EventFactory(red_line=RedLineFactory(slug="l"))
    for path in ("/feeds/events/", "/feeds/red-lines/l/"):
        fetched = [
            [e.id for e in feedparser.parse(Client().get(path, HTTP_HOST=host).content).entries]
            for host in ("localhost", "127.0.0.1", "localhost")
        ]
        assert fetched[0] == fetched[1] == fetched[2]
        assert all(i.startswith("tag:redlines.example.org,2024:") for i in fetched[0])


def test_markup_in_a_summary_reaches_readers_as_text_through_both_feeds():
    line = RedLineFactory(slug="l", title=f"Strikes {HOSTILE}")
    EventFactory(red_line=line, kind="crossing", occurred_on=datetime.date(2024, 3, 1), summary=HOSTILE)
    for path in ("/feeds/events/", "/feeds/red-lines/l/"):
        response = Client().get(path)
        checked_atom(response, path)
        assert b"<script" not in response.content and b"<img" not in response.content
        event = next(e for e in feedparser.parse(response.content).entries if "Crossing" in e.title)
        assert event.summary.splitlines()[0].endswith(HOSTILE) and event.summary_detail.type == "text/plain"


def test_text_from_an_accepted_candidate_reaches_feed_readers_as_text(curator):
    line = RedLineFactory(slug="l")
    article = Article.objects.create(
        url="https://news.example.org/a",
        canonical_url="https://news.example.org/a",
        title=f"Strikes {HOSTILE}",
        publisher="Example News",
        text=f"Missiles hit the depot {HOSTILE}.",
        state="analysed",
        published_at=timezone.make_aware(datetime.datetime(2024, 5, 1, 9)),
    )
    evidence = article.text
    candidate = Candidate.objects.create(
        kind="crossing",
        article=article,
        red_line=line,
        evidence=evidence,
        start=0,
        end=len(evidence),
        score=0.9,
    )
    review.candidate_accept(candidate=candidate, user=curator)
    for path in ("/feeds/events/", "/feeds/red-lines/l/"):
        response = Client().get(path)
        entries = checked_atom(response, path)
        assert b"<script" not in response.content
        assert any(e.findtext(f"{ATOM}summary").endswith(evidence) for e in entries)
