"""Error pages and the whole-site promises: 404/500 pages, titles, no external assets, focus styles."""

import re
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from tests.factories import EventFactory, RedLineFactory

pytestmark = pytest.mark.django_db


def test_unknown_address_gets_the_404_page_with_ways_on(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<title>Page not found · Red Line Tracker</title>" in html
    assert 'href="/red-lines/">Search the red lines</a>' in html


def test_server_error_page_renders_without_a_request_context():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert 'href="/static/css/site.css"' in html


@pytest.mark.parametrize(
    ("url", "title", "h1"),
    [
        ("/", "Overview", "Overview"),
        ("/red-lines/", "Red lines", "Red lines"),
        ("/red-lines/seen/", "Seen line — red line (crossed)", "Seen line"),
        ("/actors/", "Actors", "Actors"),
        ("/actors/declarer/", "Declarer — actor", "Declarer"),
    ],
)
def test_every_page_says_where_you_are_and_loads_nothing_from_elsewhere(client, url, title, h1):
    from tests.factories import ActorFactory

    line = RedLineFactory(slug="seen", title="Seen line", declared_by=ActorFactory(name="Declarer"))
    EventFactory(red_line=line, kind="crossing")
    html = client.get(url).content.decode()
    assert f"<title>{title} · Red Line Tracker</title>" in html
    assert f"<h1>{h1}</h1>" in html
    assert 'class="skip-link" href="#main"' in html
    assert re.search(r'<a href="[^"]+" aria-current="page">', html) or url.startswith("/actors/d")
    loaded = re.findall(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="([^"]+)"', html)
    assert loaded and all(u.startswith("/static/") for u in loaded), loaded
    assert "style=" not in html, "no inline styles, so a strict Content-Security-Policy can apply"
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "no inline scripts"


def test_focus_is_always_visible_in_the_stylesheet(client):
    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/site.css")).read_text(encoding="utf-8")
    assert re.search(r":focus-visible\s*{\s*outline: 3px solid", css)
    assert "outline: none" not in css.replace("main:focus { outline: none; }", "").replace(
        ".mark { cursor: pointer; outline: none; }", ""
    )


def test_an_unknown_api_path_is_a_json_404_and_pages_keep_theirs(client):
    response = client.get("/api/v1/nope/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "No API endpoint at /api/v1/nope/; see /api/schema/."}
    assert client.get("/api/v1/events/abc/").json()["detail"].startswith("No API endpoint")
    assert "Page not found" in client.get("/no/such/page/").content.decode()


def test_a_server_error_under_the_api_is_json_and_the_pages_keep_their_html(client, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("a fault we cannot cause from outside")

    monkeypatch.setattr("api.views.record_stats", broken)
    client.raise_request_exception = False
    response = client.get("/api/v1/stats/", HTTP_X_REQUEST_ID="trace-500-abcd")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "A server error occurred; quote request id trace-500-abcd when reporting it."
    }
    assert "Something went wrong" in server_error(RequestFactory().get("/red-lines/")).content.decode()
