"""Actor pages: the counted list, and one actor's lines, warnings received, crossings and follow-through."""

import datetime
import re

import pytest

from tests.factories import ActorFactory, EventFactory, RedLineFactory
from tests.web_support import build_record, queries_for
from tracker.models import RedLine

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def cast():
    russia = ActorFactory(
        name="Russia", slug="russia", wikidata_id="Q159", country="RU", aliases=["the Kremlin"]
    )
    putin = ActorFactory(name="Putin", slug="putin", kind="person", affiliation=russia)
    ukraine = ActorFactory(name="Ukraine", slug="ukraine")
    lines = []
    for i in range(3):
        line = RedLineFactory(
            slug=f"r{i}", title=f"Russian line {i}", declared_by=russia, declared_on=D(2022, 1, 1 + i)
        )
        line.addressees.set([ukraine])
        lines.append(line)
    crossing = EventFactory(red_line=lines[0], kind="crossing", occurred_on=D(2022, 1, 11))
    crossing.actors.set([ukraine])
    EventFactory(red_line=lines[0], kind="response", occurred_on=D(2022, 1, 31))
    EventFactory(red_line=lines[1], kind="crossing", occurred_on=D(2022, 3, 2)).actors.set([ukraine])
    EventFactory(red_line=lines[2], kind="crossing", occurred_on=D(2022, 4, 2), sourced=False).actors.set(
        [ukraine]
    )
    RedLineFactory(slug="draft", declared_by=russia, sourced=False)
    return {"russia": russia, "putin": putin, "ukraine": ukraine, "lines": lines}


def test_actor_list_counts_lines_declared_addressed_and_crossings_made(client, cast):
    html = client.get("/actors/").content.decode()
    assert "<title>Actors · Red Line Tracker</title>" in html
    russia = re.search(r'href="/actors/russia/">Russia</a>.*?</tr>', html, re.S).group(0)
    assert re.findall(r'class="num">(?:<a[^>]*>)?(\d+)', russia) == ["3", "0", "0"]
    assert 'href="/red-lines/?declared_by=russia"' in russia
    ukraine = re.search(r'href="/actors/ukraine/">Ukraine</a>.*?</tr>', html, re.S).group(0)
    assert re.findall(r'class="num">(?:<a[^>]*>)?(\d+)', ukraine) == ["0", "3", "2"]


def test_actor_list_finds_by_alias_and_kind(client, cast):
    html = client.get("/actors/", {"q": "kremlin"}).content.decode()
    assert 'href="/actors/russia/"' in html and 'href="/actors/ukraine/"' not in html
    html = client.get("/actors/", {"kind": "person"}).content.decode()
    assert 'href="/actors/putin/"' in html and 'href="/actors/russia/"' not in html
    assert "No actor matches." in client.get("/actors/", {"q": "atlantis"}).content.decode()


def test_actor_list_bad_input_gets_a_message_not_an_error(client, cast):
    response = client.get("/actors/", {"kind": "<b>dragon</b>", "page": "x", "q": "a\x00b"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Kind: “&lt;b&gt;dragon&lt;/b&gt;” is not a kind of actor. This filter was ignored." in html
    assert "Page “x” is not a page number; showing page 1." in html
    assert "<b>dragon" not in html


def test_actor_page_shows_follow_through_with_its_counts(client, cast):
    html = client.get("/actors/russia/").content.decode()
    assert "<h1>Russia</h1>" in html
    figures = html.split('class="figures"')[1].split("</dl>")[0]
    assert "<dt>Lines declared</dt><dd>3</dd>" in figures
    assert "<dt>Crossed</dt><dd>2</dd>" in figures
    assert "<dt>Responded to after a crossing</dt><dd>1</dd>" in figures
    assert "1 of 2 crossed lines (50%)" in figures
    assert "<dt>Median days from crossing to response</dt><dd>20</dd>" in figures
    assert 'href="https://www.wikidata.org/wiki/Q159"' in html
    assert 'href="/actors/putin/">Putin</a>' in html  # affiliated members


def test_actor_page_shows_follow_through_by_kind_of_trigger(client, cast):
    RedLine.objects.filter(slug="r1").update(category="weapons_transfer")
    html = client.get("/actors/russia/").content.decode()
    table = html.split("<caption>By kind of trigger</caption>")[1].split("</table>")[0]
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", table)
    assert [(label, re.sub(r"<[^>]+>", "|", cells).strip("|")) for label, cells in rows] == [
        ("Weapons transfer", "1||1||0||0 of 1"),
        ("Strikes on territory", "2||1||1||1 of 1"),
    ]


def test_actor_page_lists_lines_declared_addressed_and_crossings_made(client, cast):
    russia = client.get("/actors/russia/").content.decode()
    declared = russia.split('id="declared-heading"')[1].split("</section>")[0]
    assert "(3)" in declared and declared.count('class="line-item"') == 3
    ukraine = client.get("/actors/ukraine/").content.decode()
    addressed = ukraine.split('id="addressed-heading"')[1].split("</section>")[0]
    assert addressed.count('class="line-item"') == 3
    crossings = ukraine.split('id="crossings-heading"')[1].split("</section>")[0]
    assert "(2)" in crossings and crossings.count("<li>") == 2
    assert "has declared no published red line" in ukraine


def test_long_lists_link_to_the_filtered_red_line_list(client):
    nato = ActorFactory(name="NATO", slug="nato")
    for i in range(27):
        RedLineFactory(slug=f"n{i}", declared_by=nato)
    html = client.get("/actors/nato/").content.decode()
    assert html.split('id="declared-heading"')[1].count('class="line-item"') == 25
    assert '<a href="/red-lines/?declared_by=nato">All 27 lines declared by NATO</a>' in html


def test_unknown_actor_is_a_404_page(client):
    response = client.get("/actors/nobody/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_actor_pages_cost_the_same_queries_at_two_sizes(client, django_assert_max_num_queries):
    small = build_record(lines=2, prefix="a")
    with django_assert_max_num_queries(13):
        list_small = queries_for(client, "/actors/")
        page_small = queries_for(client, small["targets"][0].get_absolute_url())
    large = build_record(lines=8, prefix="b")
    with django_assert_max_num_queries(13):
        list_large = queries_for(client, "/actors/")
        page_large = queries_for(client, large["targets"][0].get_absolute_url())
    assert (list_small, page_small) == (list_large, page_large)
    assert queries_for(client, small["declarers"][0].get_absolute_url()) <= 13
