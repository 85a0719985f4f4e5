"""The overview page: counts by status, recent activity, follow-through chart, 12 months of events."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from tests.factories import ActorFactory, EventFactory, RedLineFactory
from tests.web_support import build_record, queries_for
from tracker.models import Candidate
from tracker.models.ingest import Article

pytestmark = pytest.mark.django_db
D = datetime.date


def test_overview_counts_lines_by_status_each_linking_to_the_filtered_list(client):
    RedLineFactory(slug="live")
    crossed = RedLineFactory(slug="crossed")
    EventFactory(red_line=crossed, kind="crossing")
    RedLineFactory(slug="draft", sourced=False)
    html = client.get("/").content.decode()
    assert re.search(r'href="/red-lines/\?status=active">\s*<span class="status-card-n">1</span>', html)
    assert re.search(r'href="/red-lines/\?status=crossed">\s*<span class="status-card-n">1</span>', html)
    assert re.search(r'href="/red-lines/\?status=enforced">\s*<span class="status-card-n">0</span>', html)
    assert "2 published red lines" in html


def test_overview_lists_each_recently_crossed_line_once_and_recent_declarations_never_drafts(client):
    line = RedLineFactory(slug="strikes", title="Strikes deep inside the country", declared_on=D(2024, 2, 1))
    EventFactory(red_line=line, kind="crossing", occurred_on=D(2024, 6, 3))
    crossing = EventFactory(red_line=line, kind="crossing", occurred_on=D(2024, 6, 9))
    EventFactory(red_line=line, kind="crossing", occurred_on=D(2024, 7, 3), sourced=False)
    RedLineFactory(slug="secret", title="Unsourced draft line", sourced=False)
    html = client.get("/").content.decode()
    crossed_section = html.split('id="crossed-heading"')[1].split("</section>")[0]
    assert f'href="/red-lines/strikes/#event-{crossing.pk}"' in crossed_section
    assert crossed_section.count("<li>") == 1
    assert "Strikes deep inside the country" in html.split('id="declared-heading"')[1]
    assert "Unsourced draft line" not in html


def test_follow_through_chart_shows_the_counts_behind_each_bar(client):
    putin = ActorFactory(name="Putin")
    for i in range(3):
        RedLineFactory(slug=f"p{i}", declared_by=putin)
    EventFactory(red_line=putin.red_lines_declared.get(slug="p0"), kind="crossing")
    p1 = putin.red_lines_declared.get(slug="p1")
    EventFactory(red_line=p1, kind="crossing", occurred_on=D(2024, 6, 1))
    EventFactory(red_line=p1, kind="response", occurred_on=D(2024, 6, 5))
    html = client.get("/").content.decode()
    chart = html.split('class="ft-chart"')[1].split("</ol>")[0]
    assert 'href="/actors/putin/"' in chart
    assert "responded to <strong>1 of 2</strong> crossed" in chart
    assert "3 declared" in chart
    assert 'aria-label="3 declared, 2 crossed, 1 responded to"' in chart
    # the bar is drawn on the server: one rect per non-empty part, sized by its count
    assert chart.count('class="seg-enforced"') == chart.count('class="seg-crossed"') == 1
    assert 'class="seg-active" x="66.67" width="33.33"' in chart


@pytest.mark.time_machine(datetime.datetime(2025, 3, 10, 12, tzinfo=datetime.UTC))
def test_twelve_month_timeline_counts_events_per_month_and_kind(client):
    line = RedLineFactory(declared_on=D(2024, 8, 22))
    EventFactory(red_line=line, kind="crossing", occurred_on=D(2025, 3, 10))
    EventFactory(red_line=line, kind="response", occurred_on=D(2025, 3, 10))
    EventFactory(red_line=line, kind="restatement", occurred_on=D(2024, 11, 30))
    html = client.get("/").content.decode()
    assert 'aria-label="March 2025: 2 events"' in html
    assert html.count('class="month"') == 12
    assert "No event was recorded in the last 12 months" not in html
    assert 'aria-label="February 2025: 0 events"' in html


@pytest.mark.time_machine(datetime.datetime(2025, 3, 10, 12, tzinfo=datetime.UTC))
def test_the_timeline_covers_the_real_last_twelve_months_even_when_the_record_is_older(client):
    line = RedLineFactory(declared_on=D(2019, 1, 1))
    EventFactory(red_line=line, kind="crossing", occurred_on=D(2020, 5, 17))
    html = client.get("/").content.decode()
    assert "No event was recorded in the last 12 months; the latest recorded event is of 17 May 2020." in html
    assert 'class="month-chart"' not in html  # nothing in the window: no chart of older months


def test_pending_review_count_is_shown_to_curators_only(client, curator):
    article = Article.objects.create(canonical_url="https://news.example.org/a", title="A")
    for i in range(3):
        Candidate.objects.create(kind="crossing", article=article, evidence="e", start=i, end=i + 1)
    Candidate.objects.create(
        kind="crossing", article=article, evidence="e", start=9, end=10, status="rejected"
    )
    assert "pending review" not in client.get("/").content.decode()
    client.force_login(curator)
    html = client.get("/").content.decode()
    assert "<strong>3</strong> candidates pending review" in html


def test_an_empty_record_says_what_to_do(client):
    html = client.get("/").content.decode()
    assert "No red line is published yet" in html
    assert "No crossing has been recorded yet" in html
    assert "No sourced event has been recorded yet" in html


def test_overview_costs_the_same_queries_at_two_sizes(client, django_assert_max_num_queries):
    build_record(lines=2, prefix="a")
    with django_assert_max_num_queries(10):
        small = queries_for(client, "/")
    build_record(lines=8, prefix="b")
    with django_assert_max_num_queries(10):
        large = queries_for(client, "/")
    assert small == large


def test_overview_weighs_under_300_kb_with_its_assets(client):
    build_record(lines=8)
    response = client.get("/")
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any(a.endswith(".css") for a in assets)
    total = len(response.content)
    for url in assets:
        path = finders.find(url.removeprefix(settings.STATIC_URL))
        assert path, url
        total += Path(path).stat().st_size
    assert total < 300 * 1024, total
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html.split("<main")[0]), "no external assets"
