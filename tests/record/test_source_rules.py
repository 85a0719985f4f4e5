"""Quote and note: a quote is the speaker's own short phrase with its language; a note is a summary."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import ActorFactory, EventFactory, RedLineFactory, SourceFactory
from tracker.models import Source
from tracker.record_rules import quoted, source_citation
from tracker.services.derived import event_publication_refresh, red_line_refresh_publication
from tracker.services.tokens import api_token_issue

long_quotes_to_notes = importlib.import_module(
    "tracker.migrations.0020_long_quotes_become_notes"
).long_quotes_to_notes

pytestmark = pytest.mark.django_db
THIRTEEN = "one two three four five six seven eight nine ten eleven twelve thirteen"


def streamed(path: str) -> str:
    return b"".join(Client().get(path).streaming_content).decode()


def test_a_quote_of_more_than_twelve_words_is_refused_with_a_message_on_quote():
    line = RedLineFactory()
    with pytest.raises(ValidationError) as caught:
        Source(red_line=line, url="https://x.example/1", title="T", quote=THIRTEEN).full_clean()
    assert "at most 12 words" in caught.value.message_dict["quote"][0]
    Source(
        red_line=line, url="https://x.example/1", title="T", quote=" ".join(THIRTEEN.split()[:12])
    ).full_clean()


def test_a_language_must_be_an_iso_639_1_code():
    line = RedLineFactory()
    with pytest.raises(ValidationError) as caught:
        Source(red_line=line, url="https://x.example/1", title="T", language="xx").full_clean()
    assert "ISO 639-1" in caught.value.message_dict["language"][0]
    Source(red_line=line, url="https://x.example/1", title="T", language="ru").full_clean()


def test_the_api_refuses_a_long_quote_with_a_message_under_sources(curator):
    ActorFactory(slug="putin", name="Putin")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=curator).key}")
    source = {"url": "https://news.example.org/w", "publisher": "E", "title": "T", "quote": THIRTEEN}
    payload = {
        "slug": "l",
        "title": "Long-range strikes",
        "declared_by": "putin",
        "declared_on": "2024-09-12",
        "statement": "Strikes would mean direct participation.",
        "trigger": "Strikes on our territory",
        "severity": "military",
        "theatre": "russia-ukraine",
        "sources": [source],
    }
    response = client.post("/api/v1/red-lines/", payload, format="json")
    assert response.status_code == 400
    assert "at most 12 words" in response.json()["sources"]["0"]["quote"][0]
    short = {**source, "quote": "direct participation", "language": "en", "note": "Putin warns the West."}
    response = client.post("/api/v1/red-lines/", {**payload, "sources": [short]}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["theatre"] == "russia-ukraine"
    assert body["sources"][0] | {"published_on": None} == {
        **short,
        "published_on": None,
        "quote_translation": "",
        "article": None,
    }


def test_the_schema_states_the_quote_rule():
    schema = Client().get("/api/schema/?format=json").json()
    source = schema["components"]["schemas"]["Source"]["properties"]
    assert "at most 12 words" in source["quote"]["description"]
    assert "never shown in quotation marks" in source["note"]["description"]


def test_pages_feeds_and_csv_show_a_quote_in_marks_with_its_language_and_a_note_without():
    line = RedLineFactory(slug="l", sourced=False, declared_on=datetime.date(2024, 9, 12))
    SourceFactory(
        red_line=line,
        url="https://rt.example/a",
        language="ru",
        quote="прямое участие",
        quote_translation="direct participation",
        note="Putin warns the West against strikes.",
    )
    event = EventFactory(red_line=line, sourced=False, occurred_on=datetime.date(2024, 11, 19))
    SourceFactory(
        event=event, red_line=None, url="https://news.example.org/e", quote="", note="Missiles hit."
    )
    red_line_refresh_publication(red_line=line)
    event_publication_refresh()

    html = Client().get("/red-lines/l/").content.decode()
    assert '<q lang="ru">прямое участие</q> (ru) [direct participation]' in html
    assert '<span class="note">Putin warns the West against strikes.</span>' in html
    assert "<q>Missiles hit.</q>" not in html and '<span class="note">Missiles hit.</span>' in html

    cited = "https://rt.example/a “прямое участие” (ru) [direct participation] — Putin warns the West against strikes."
    assert quoted(quote="прямое участие", language="ru") == "“прямое участие” (ru)"
    assert cited in streamed("/api/v1/red-lines/?format=csv")
    assert "https://news.example.org/e — Missiles hit." in streamed("/api/v1/events/?format=csv")

    feed = Client().get("/feeds/red-lines/l/").content.decode()
    assert "Source: https://news.example.org/e — Missiles hit." in feed


def test_a_citation_without_quote_or_note_is_the_url_or_the_title():
    assert source_citation(url="https://x.example/1", title="T") == "https://x.example/1"
    assert source_citation(url="", title="Pasted article", note="n") == "Pasted article — n"


def test_the_migration_moves_quotes_over_twelve_words_to_the_note():
    line = RedLineFactory()
    long, short = SourceFactory(red_line=line), SourceFactory(red_line=line, quote="direct participation")
    Source.objects.filter(pk=long.pk).update(quote=THIRTEEN)
    long_quotes_to_notes(apps, None)
    long.refresh_from_db()
    short.refresh_from_db()
    assert (long.quote, long.note) == ("", THIRTEEN)
    assert (short.quote, short.note) == ("direct participation", "")


def test_the_demo_keeps_only_the_speakers_short_words_as_quotes():
    call_command("load_demo")
    assert Source.objects.exclude(quote="").exists()
    assert all(len(q.split()) <= 12 for q in Source.objects.values_list("quote", flat=True))
    assert Source.objects.filter(note__icontains="ATACMS").exists()
    assert not Source.objects.filter(quote__icontains="ATACMS").exists()
