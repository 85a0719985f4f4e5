"""The red-line list: the shared filter set, search, sort, pages, htmx fragments, exports, bad input."""

import datetime
import re

import pytest

from tests.factories import ActorFactory, EventFactory, RedLineFactory
from tests.web_support import build_record, queries_for

pytestmark = pytest.mark.django_db
D = datetime.date
URL = "/red-lines/"


def titles(response) -> list[str]:
    return re.findall(r'<h3 class="line-title"><a href="[^"]+">([^<]+)</a>', response.content.decode())


@pytest.fixture
def lines():
    putin, nato, kyiv = (ActorFactory(name=n) for n in ("Putin", "NATO", "Kyiv"))
    a = RedLineFactory(
        slug="a", title="Alpha missiles", declared_by=putin, declared_on=D(2022, 1, 5), severity="nuclear"
    )
    a.addressees.set([nato])
    b = RedLineFactory(
        slug="b", title="Bravo tanks", declared_by=putin, declared_on=D(2023, 3, 1), topics=["tanks"]
    )
    b.addressees.set([kyiv])
    EventFactory(red_line=b, kind="crossing", occurred_on=D(2023, 6, 1))
    c = RedLineFactory(
        slug="c", title="Charlie airfields", declared_by=nato, declared_on=D(2024, 7, 1), statement="No jets."
    )
    RedLineFactory(slug="draft", title="Delta draft", sourced=False)
    return a, b, c


def test_the_list_shows_published_lines_newest_first_with_status_in_words(client, lines):
    response = client.get(URL)
    assert response.status_code == 200
    assert titles(response) == ["Charlie airfields", "Bravo tanks", "Alpha missiles"]
    html = response.content.decode()
    assert '<span class="visually-hidden">Status: </span>Crossed</span>' in html
    assert "<title>Red lines · Red Line Tracker</title>" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "crossed"}, ["Bravo tanks"]),
        ({"status": ["crossed", "active"]}, ["Charlie airfields", "Bravo tanks", "Alpha missiles"]),
        ({"declared_by": "putin"}, ["Bravo tanks", "Alpha missiles"]),
        ({"addressee": "nato"}, ["Alpha missiles"]),
        ({"severity": "nuclear"}, ["Alpha missiles"]),
        ({"topic": "tanks"}, ["Bravo tanks"]),
        ({"declared_after": "2023-01-01", "declared_before": "2023-12-31"}, ["Bravo tanks"]),
        ({"q": "airfields"}, ["Charlie airfields"]),
        ({"ordering": "title"}, ["Alpha missiles", "Bravo tanks", "Charlie airfields"]),
        ({"ordering": "declared_on"}, ["Alpha missiles", "Bravo tanks", "Charlie airfields"]),
    ],
)
def test_filters_search_and_sort_use_the_shared_filter_set(client, lines, query, expected):
    response = client.get(URL, query)
    assert response.status_code == 200
    assert titles(response) == expected


def test_the_form_keeps_the_chosen_values_so_the_page_can_be_shared(client, lines):
    html = client.get(URL, {"status": "crossed", "q": "tanks", "declared_by": "putin"}).content.decode()
    assert 'name="status" value="crossed" checked' in html
    assert 'id="id_q" name="q" value="tanks"' in html
    assert '<option value="putin" selected>Putin</option>' in html


def test_export_links_carry_the_same_query_without_the_page(client, lines):
    html = client.get(URL, {"status": "crossed", "q": "tanks", "page": "1"}).content.decode()
    assert 'href="/api/v1/red-lines/?status=crossed&amp;q=tanks&amp;format=csv"' in html
    assert 'href="/api/v1/red-lines/?status=crossed&amp;q=tanks&amp;format=json"' in html
    plain = client.get(URL).content.decode()
    assert 'href="/api/v1/red-lines/?format=csv"' in plain


def test_pages_of_25_with_links_that_keep_the_query(client):
    nato = ActorFactory(name="NATO")
    for i in range(27):
        RedLineFactory(slug=f"l{i}", title=f"Line {i:02d}", declared_by=nato, declared_on=D(2024, 1, 1))
    first = client.get(URL, {"declared_by": "nato", "ordering": "title"})
    assert len(titles(first)) == 25
    html = first.content.decode()
    assert "page 1 of 2" in html
    assert 'href="/red-lines/?declared_by=nato&amp;ordering=title&amp;page=2"' in html
    second = client.get(URL, {"declared_by": "nato", "ordering": "title", "page": "2"})
    assert titles(second) == ["Line 25", "Line 26"]


def test_htmx_requests_get_only_the_results_fragment(client, lines):
    response = client.get(URL, {"status": "crossed"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<form" not in html
    assert titles(response) == ["Bravo tanks"]
    assert "HX-Request" in response["Vary"]
    # a history restore (back button after the cache is gone) needs the whole page
    restore = client.get(URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode()


def test_the_form_works_with_and_without_javascript(client, lines):
    html = client.get(URL).content.decode()
    form = re.search(r"<form[^>]*>", html).group(0)
    assert 'method="get"' in form and 'action="/red-lines/"' in form
    assert 'hx-get="/red-lines/"' in form and 'hx-target="#results"' in form and 'hx-push-url="true"' in form
    assert '<button type="submit">Apply filters</button>' in html
    assert re.search(r'<script src="/static/vendor/htmx-2\.\d+\.\d+\.min\.js"', html)


def test_an_empty_result_says_what_to_do(client, lines):
    html = client.get(URL, {"q": "zeppelins"}).content.decode()
    assert "No red line matches this query." in html
    assert 'href="/red-lines/">clear all filters</a>' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"status": "exploded"},
            "Status: Select a valid choice. exploded is not one of the available choices.",
        ),
        ({"declared_after": "2024-13-45"}, "Declared from: Enter a valid date."),
        ({"declared_before": "yesterday"}, "Declared until: Enter a valid date."),
        ({"ordering": "password"}, "Sort: Select a valid choice."),
        (
            {"page": "999999999999999999999"},
            "There is no page 999999999999999999999; showing the last page (1).",
        ),
        ({"page": "-3"}, "Page “-3” is not a page number; showing page 1."),
        ({"page": "two"}, "Page “two” is not a page number; showing page 1."),
        (
            {"declared_by": "nobody-at-all"},
            "Declared by: no actor is called “nobody-at-all”, so nothing matches.",
        ),
        ({"severity": "apocalyptic"}, "Severity: Select a valid choice."),
        ({"q": "nul\x00byte"}, "Search: Null characters are not allowed."),
    ],
)
def test_bad_query_strings_render_the_page_with_a_clear_message(client, lines, query, message):
    response = client.get(URL, query)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert '<div class="problems" role="alert">' in html
    assert "<h1>Red lines</h1>" in html


def test_script_in_the_search_box_is_escaped_everywhere(client, lines):
    evil = '<script>alert("x")</script>'
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(
            URL, {"q": evil, "topic": evil, "declared_by": evil, "status": evil}, headers=headers
        )
        html = response.content.decode()
        assert response.status_code == 400
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_the_list_costs_the_same_queries_at_two_sizes(client, django_assert_max_num_queries):
    build_record(lines=3, prefix="a")
    url = URL + "?status=active&status=crossed&status=enforced&status=withdrawn&q=missiles"
    with django_assert_max_num_queries(6):
        small = queries_for(client, url)
    build_record(lines=9, prefix="b")
    with django_assert_max_num_queries(6):
        large = queries_for(client, url)
    assert small == large


def next_link(response, rel: str = "next") -> str | None:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', response.content.decode())
    return found.group(1).replace("&amp;", "&") if found else None


@pytest.fixture
def sixty_lines():
    nato = ActorFactory(name="NATO")
    kyiv = ActorFactory(name="Kyiv")
    for i in range(60):
        line = RedLineFactory(
            slug=f"l{i}", title=f"Same title {i % 2}", declared_by=nato, declared_on=D(2024, 1, 1 + i % 5)
        )
        line.addressees.set([kyiv])
    return nato


@pytest.mark.parametrize("query", ["", "ordering=declared_on&", "ordering=title&", "addressee=kyiv&"])
def test_walking_the_pages_shows_every_line_once_in_order(client, sixty_lines, query):
    by_number = [titles(client.get(f"{URL}?{query}page={n}")) for n in (1, 2, 3)]
    url, walked, pages = f"{URL}?{query}", [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(titles(response))
        walked.append(url)
        url = next_link(response)
    assert pages == by_number and sum(len(p) for p in pages) == 60
    slugs = []
    for url in walked:
        slugs += re.findall(
            r'<h3 class="line-title"><a href="/red-lines/([^/]+)/', client.get(url).content.decode()
        )
    assert len(set(slugs)) == 60
    back = client.get(walked[-1])
    assert titles(client.get(next_link(back, "prev"))) == by_number[1]


def test_date_ordered_links_carry_a_cursor_that_survives_a_new_line(client, sixty_lines):
    first = client.get(URL)
    link = next_link(first)
    assert re.search(r"page=2&after=2024-01-\d\d\.\d+$", link)
    second = titles(client.get(link))
    RedLineFactory(slug="newest", title="Brand new", declared_by=sixty_lines, declared_on=D(2025, 1, 1))
    # the cursor continues after the row it names; the bare page number shifts by one
    assert titles(client.get(link)) == second
    assert titles(client.get(f"{URL}?page=2")) != second


def test_a_bad_cursor_falls_back_to_the_page_number_with_a_message(client, sixty_lines):
    evil = "<script>x</script>"
    response = client.get(URL, {"page": "2", "after": evil})
    html = response.content.decode()
    assert response.status_code == 400
    assert "The position “&lt;script&gt;x&lt;/script&gt;” in this address is not valid" in html
    assert "<script>x" not in html
    assert titles(response) == titles(client.get(URL, {"page": "2"}))


def test_filter_sets_built_together_keep_their_own_filters_and_values(lines):
    """Filters are copied shallowly per filter set: each copy answers to its own set and data."""
    from django.http import QueryDict

    from tracker.selectors.red_lines import RedLineFilter, public_red_lines

    searched = RedLineFilter(QueryDict("q=airfields"), queryset=public_red_lines())
    tagged = RedLineFilter(QueryDict("topic=tanks&severity=nuclear"), queryset=public_red_lines())
    for name in ("q", "topic", "severity"):
        assert searched.filters[name] is not tagged.filters[name]
        assert searched.filters[name].parent is searched and tagged.filters[name].parent is tagged
    assert searched.filters["q"].filter.f is searched.filters["q"]  # the method filter calls its own set
    assert [line.slug for line in searched.qs] == ["c"]
    assert [line.slug for line in tagged.qs] == []
    assert [
        line.slug for line in RedLineFilter(QueryDict("topic=tanks"), queryset=public_red_lines()).qs
    ] == ["b"]
    assert not RedLineFilter(QueryDict("severity=bogus"), queryset=public_red_lines()).is_valid()
    assert type(searched.form) is type(tagged.form) and searched.form is not tagged.form
