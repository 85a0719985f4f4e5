"""One red line's page: badge, parties, statement and source, SVG timeline, events, history, links."""

import datetime
import re

import pytest

from tests.factories import ActorFactory, EventFactory, RedLineFactory, SourceFactory
from tests.web_support import queries_for
from tracker.services.reference import demo_record_load

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def line():
    putin = ActorFactory(name="Putin", slug="putin")
    nato, kyiv = ActorFactory(name="NATO"), ActorFactory(name="Kyiv")
    earlier = RedLineFactory(slug="earlier", title="Earlier warning", declared_on=D(2022, 9, 1))
    line = RedLineFactory(
        slug="strikes",
        title="Strikes with Western missiles",
        declared_by=putin,
        declared_on=D(2024, 9, 12),
        statement="Strikes with these missiles would mean direct participation.",
        trigger="Long-range strikes on Russian territory",
        threatened_response="Appropriate decisions",
        restates=earlier,
    )
    line.addressees.set([nato, kyiv])
    line.sources.update(url="https://news.example.org/statement", publisher="Example Wire")
    restate = EventFactory(
        red_line=line, kind="restatement", occurred_on=D(2024, 11, 18), summary="Said again."
    )
    crossing = EventFactory(
        red_line=line,
        kind="crossing",
        occurred_on=D(2024, 11, 19),
        summary="Missiles hit a depot.",
        partial=True,
    )
    crossing.actors.set([kyiv])
    crossing.sources.update(
        url="https://news.example.org/depot", publisher="Depot Daily", quote="missiles hit"
    )
    response = EventFactory(
        red_line=line, kind="response", occurred_on=D(2024, 11, 21), summary="A new missile."
    )
    EventFactory(
        red_line=line, kind="crossing", occurred_on=D(2024, 11, 25), summary="Hidden claim", sourced=False
    )
    RedLineFactory(slug="later", title="Later warning", restates=line, declared_on=D(2025, 1, 1))
    RedLineFactory(slug="later-draft", title="Draft restating it", restates=line, sourced=False)
    line.refresh_from_db()
    return {"line": line, "restate": restate, "crossing": crossing, "response": response}


def page(client, slug="strikes") -> str:
    response = client.get(f"/red-lines/{slug}/")
    assert response.status_code == 200
    return response.content.decode()


def test_header_shows_status_in_words_and_colour_and_who_warned_whom(client, line):
    html = page(client)
    assert "<title>Strikes with Western missiles — red line (enforced) · Red Line Tracker</title>" in html
    assert "<h1>Strikes with Western missiles</h1>" in html
    assert 'class="badge badge-enforced"' in html and "Enforced</span>" in html
    assert "The declarer responded on or after the latest crossing." in html
    parties = html.split('class="parties"')[1].split("</p>")[0]
    assert parties.index("Putin") < parties.index("→") < parties.index("Kyiv") < parties.index("NATO")


def test_statement_trigger_and_response_with_the_statement_source(client, line):
    html = page(client)
    assert '<blockquote cite="https://news.example.org/statement">' in html
    assert "Strikes with these missiles would mean direct participation." in html
    assert (
        'Source: <a href="https://news.example.org/statement" rel="noopener noreferrer">Example Wire' in html
    )
    assert "Long-range strikes on Russian territory" in html
    assert "Appropriate decisions" in html


def test_timeline_is_an_svg_on_a_date_axis_with_focusable_marks(client, line):
    html = page(client)
    svg = re.search(r'<svg class="timeline-svg".*?</svg>', html, re.S).group(0)
    marks = re.findall(r'<a class="mark mark-(\w+)" href="#([\w-]+)"', svg)
    assert marks == [
        ("declaration", "statement"),
        ("restatement", f"event-{line['restate'].pk}"),
        ("crossing", f"event-{line['crossing'].pk}"),
        ("response", f"event-{line['response'].pk}"),
    ]
    assert (
        "<title>19 Nov 2024 — Crossing (partial): Missiles hit a depot. (source: Depot Daily)</title>" in svg
    )
    assert 'data-source-url="https://news.example.org/depot"' in svg
    assert "Hidden claim" not in html
    ticks = re.findall(
        r'<g class="tick" transform="translate\(([\d.]+) [\d.]+\)">.*?<text[^>]*>([^<]+)</text>', svg
    )
    assert len(ticks) >= 2
    xs = [float(x) for x, _ in ticks]
    assert xs == sorted(xs)
    mark_x = [float(x) for x in re.findall(r'<g transform="translate\(([\d.]+) [\d.]+\)">', svg)]
    assert mark_x == sorted(mark_x), "marks sit in date order along the axis"
    assert 'id="timeline-detail"' in html and "/static/js/timeline.js" in html


def test_events_are_listed_with_their_sources_and_actors(client, line):
    html = page(client)
    item = html.split(f'id="event-{line["crossing"].pk}"')[1].split("</li>\n      \n")[0]
    assert "partial crossing" in item
    assert 'href="/actors/kyiv/">Kyiv</a>' in item
    assert 'href="https://news.example.org/depot"' in item and "<q>missiles hit</q>" in item


def test_status_history_and_related_lines(client, line):
    html = page(client)
    history = html.split('class="history"')[1].split("</table>")[0]
    assert history.count("<tr>") == 4  # header + declared active, crossed, enforced
    assert "Active → <strong>Crossed</strong>" in history
    assert f'href="#event-{line["response"].pk}"' in history
    related = html.split('id="related-heading"')[1].split("</section>")[0]
    assert 'Restates an earlier line: <a href="/red-lines/earlier/">Earlier warning</a>' in related
    assert 'Restated by a later line: <a href="/red-lines/later/">Later warning</a>' in related
    assert "Draft restating it" not in related


def test_permalink_and_json_links(client, line):
    html = page(client)
    assert '<a href="/red-lines/strikes/" rel="bookmark">Permalink</a>' in html
    assert '<code class="permalink">http://testserver/red-lines/strikes/</code>' in html
    assert 'href="/api/v1/red-lines/strikes/" type="application/json">JSON</a>' in html


def test_a_line_without_events_says_so(client):
    RedLineFactory(slug="quiet")
    html = page(client, "quiet")
    assert "No crossing, response, restatement or withdrawal has been recorded" in html
    assert html.count('<a class="mark ') == 2  # the wide and the narrow drawing


def test_drafts_and_unknown_lines_are_404_pages(client):
    RedLineFactory(slug="draft", sourced=False)
    for slug in ("draft", "no-such-line"):
        response = client.get(f"/red-lines/{slug}/")
        assert response.status_code == 404
        assert "<h1>Page not found</h1>" in response.content.decode()


def test_the_page_costs_the_same_queries_with_few_or_many_events(client, line, django_assert_max_num_queries):
    # At most 9 for the page, plus the record version that keys the page cache.
    with django_assert_max_num_queries(9 + 1):
        few = queries_for(client, "/red-lines/strikes/")
    target = line["line"]
    actors = [ActorFactory(name=f"Extra {i}") for i in range(3)]
    for i in range(12):
        event = EventFactory(
            red_line=target,
            kind=("restatement", "crossing", "response")[i % 3],
            occurred_on=D(2025, 1 + i % 12, 1),
        )
        event.actors.set(actors)
        SourceFactory(event=event, red_line=None)
    SourceFactory(red_line=target)
    with django_assert_max_num_queries(9 + 1):
        many = queries_for(client, "/red-lines/strikes/")
    assert few == many


@pytest.fixture
def demo():
    demo_record_load()


DEMO = "/red-lines/putin-long-range-strikes-2024/"


def line_header(html: str) -> str:
    return html.split('<header class="line-header">')[1].split("</header>")[0]


def test_as_of_a_date_before_the_crossing_shows_the_earlier_status_and_hides_later_events(client, demo):
    current = page(client, "putin-long-range-strikes-2024")
    assert "Oreshnik" in current and "Shown as of" not in current
    response = client.get(DEMO, {"as_of": "2024-11-18"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="badge badge-active"' in line_header(html)
    assert "Zakharova" in html  # the restatement of 18 November
    assert "Bryansk" not in html and "Oreshnik" not in html and "Storm Shadow" not in html


def test_as_of_banner_links_to_the_current_record_and_the_form_sets_it(client, demo):
    html = client.get(DEMO, {"as_of": "2024-11-20"}).content.decode()
    assert "Shown as of" in html and "20 November 2024" in html
    assert f'<a href="{DEMO}">see the current record</a>' in html
    assert '<label for="as-of-date">Show as of</label>' in html
    assert re.search(r'<form class="as-of" method="get" action="' + re.escape(DEMO), html)
    assert 'name="as_of" value="2024-11-20"' in html
    assert 'class="badge badge-crossed"' in line_header(html)


def test_as_of_malformed_is_a_400_page_with_an_escaped_message(client, demo):
    response = client.get(DEMO, {"as_of": "<script>alert(1)</script>"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "is not a date (YYYY-MM-DD)" in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert "Oreshnik" in html  # the current record is shown
    for bad in ("garbage", "2024-13-01", "20241118", "2024-W47-1"):
        assert client.get(DEMO, {"as_of": bad}).status_code == 400


@pytest.mark.time_machine(datetime.datetime(2026, 1, 15, 12, tzinfo=datetime.UTC))
def test_as_of_before_the_declaration_or_in_the_future(client, demo):
    response = client.get(DEMO, {"as_of": "2024-01-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "this line had not yet been declared" in html and "Shown as of" not in html
    future = client.get(DEMO, {"as_of": "2999-01-01"}).content.decode()
    assert 'value="2026-01-15"' in future and "Oreshnik" in future  # a future date is today's


def test_as_of_costs_the_same_queries(client, line, django_assert_max_num_queries):
    with django_assert_max_num_queries(9 + 1):
        plain = queries_for(client, "/red-lines/strikes/")
    with django_assert_max_num_queries(9 + 1):
        dated = queries_for(client, "/red-lines/strikes/?as_of=2024-11-19")
    assert plain == dated
