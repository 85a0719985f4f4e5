"""The red-line timeline layout: a date axis, one lane per kind, marks in date order."""

import datetime

import pytest

from tests.factories import EventFactory, RedLineFactory
from tracker.selectors.red_line_detail import red_line_detail
from tracker.selectors.timeline import red_line_timeline

pytestmark = pytest.mark.django_db
D = datetime.date


def layout(line, today, width=900):
    detail = red_line_detail(slug=line.slug)
    return red_line_timeline(line=detail.line, events=detail.events, today=today, width=width)


def test_a_recent_line_runs_to_today_with_marks_in_date_order():
    line = RedLineFactory(declared_on=D(2024, 1, 1))
    EventFactory(red_line=line, kind="crossing", occurred_on=D(2024, 3, 1))
    EventFactory(red_line=line, kind="response", occurred_on=D(2024, 2, 1))
    t = layout(line, today=D(2024, 3, 20))
    assert [m.kind for m in t.marks] == ["declaration", "response", "crossing"]
    assert t.marks[0].x < t.marks[1].x < t.marks[2].x < t.today_x <= t.plot_right
    assert [lane.kind for lane in t.lanes] == ["declaration", "restatement", "crossing", "response"]
    assert {m.y for m in t.marks if m.kind == "crossing"} == {t.lanes[2].y}
    assert [tick.label for tick in t.ticks] == ["Jan 2024", "Feb 2024", "Mar 2024"]
    assert t.marks[2].source is not None and t.marks[2].anchor.startswith("event-")


def test_an_axis_stops_after_the_last_event_when_today_is_long_after():
    line = RedLineFactory(declared_on=D(2012, 8, 20))
    EventFactory(red_line=line, kind="crossing", occurred_on=D(2013, 8, 21))
    t = layout(line, today=D(2026, 11, 27))
    assert t.today_x is None
    assert t.end < D(2014, 1, 1)
    assert t.marks[-1].x > t.plot_left + 0.9 * (t.plot_right - t.plot_left)


def test_long_spans_use_year_ticks_and_the_narrow_drawing_fewer_of_them():
    line = RedLineFactory(declared_on=D(2005, 3, 14))
    wide = layout(line, today=D(2026, 11, 27))
    narrow = layout(line, today=D(2026, 11, 27), width=360)
    assert 3 <= len(wide.ticks) <= 8 and all(t.label.isdigit() for t in wide.ticks)
    assert len(narrow.ticks) <= 4
    assert narrow.plot_right == 344


def test_close_marks_in_one_lane_are_nudged_apart_and_withdrawal_gets_a_lane():
    line = RedLineFactory(declared_on=D(2020, 1, 1))
    EventFactory(red_line=line, kind="crossing", occurred_on=D(2024, 11, 19))
    EventFactory(red_line=line, kind="crossing", occurred_on=D(2024, 11, 20))
    EventFactory(red_line=line, kind="withdrawal", occurred_on=D(2024, 12, 1))
    t = layout(line, today=D(2024, 12, 2))
    crossings = [m for m in t.marks if m.kind == "crossing"]
    assert crossings[0].y != crossings[1].y
    assert t.lanes[-1].kind == "withdrawal"


def test_a_short_span_without_a_month_boundary_labels_its_ends():
    line = RedLineFactory(declared_on=D(2024, 5, 2))
    t = layout(line, today=D(2024, 5, 20))
    assert [tick.label for tick in t.ticks][0].endswith("May 2024")
    assert len(t.ticks) >= 2
