import pytest

from tracker.errors import DomainError
from tracker.ingest.opml import opml_import, opml_parse
from tracker.models import Feed

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>My feeds</title></head><body>
  <outline text="World">
    <outline type="rss" text="Wire world" title="Wire world" xmlUrl="http://127.0.0.1:1/world.xml" htmlUrl="http://127.0.0.1:1/"/>
    <outline type="rss" text="Defence desk" xmlUrl="http://127.0.0.1:1/defence.xml"/>
  </outline>
  <outline type="rss" text="Again" xmlUrl="http://127.0.0.1:1/world.xml"/>
  <outline type="rss" text="Intranet" xmlUrl="http://10.9.9.9/feed.xml"/>
  <outline type="rss" text="Broken" xmlUrl="not-a-url"/>
  <outline text="A folder without a feed"/>
</body></opml>"""


def test_it_reads_feeds_at_any_depth_once():
    entries = opml_parse(OPML)
    assert [(e.url, e.title) for e in entries] == [
        ("http://127.0.0.1:1/world.xml", "Wire world"),
        ("http://127.0.0.1:1/defence.xml", "Defence desk"),
        ("http://10.9.9.9/feed.xml", "Intranet"),
        ("not-a-url", "Broken"),
    ]


@pytest.mark.django_db
def test_import_adds_new_feeds_and_reports_existing_and_invalid_ones(
    fetch_settings, django_capture_on_commit_callbacks
):
    Feed.objects.create(url="http://127.0.0.1:1/defence.xml")
    with django_capture_on_commit_callbacks() as callbacks:
        result = opml_import(data=OPML)
    assert result.created == ["http://127.0.0.1:1/world.xml"]
    assert result.existing == ["http://127.0.0.1:1/defence.xml"]
    assert [url for url, _ in result.invalid] == ["http://10.9.9.9/feed.xml", "not-a-url"]
    assert Feed.objects.get(url="http://127.0.0.1:1/world.xml").title == "Wire world"
    assert len(callbacks) == 1  # the new feed is polled at once


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<opml><body><outline", "well-formed"),
        (b"<rss version='2.0'><channel/></rss>", "not an OPML document"),
        (b"", "well-formed"),
    ],
)
def test_bad_opml_is_refused_with_a_reason(data, message):
    with pytest.raises(DomainError, match=message):
        opml_parse(data)


def test_an_external_entity_in_opml_is_refused():
    data = b"""<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>
    <opml version="2.0"><body><outline text="&xxe;" xmlUrl="http://127.0.0.1:1/x.xml"/></body></opml>"""
    with pytest.raises(DomainError, match="external entity"):
        opml_parse(data)


def test_internal_entities_in_opml_are_not_expanded():
    data = b"""<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">
    <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
    <opml version="2.0"><body><outline text="x" xmlUrl="http://127.0.0.1:1/x.xml"><outline text="y">&c;</outline>
    </outline></body></opml>"""
    entries = opml_parse(data)
    assert [e.url for e in entries] == ["http://127.0.0.1:1/x.xml"]
