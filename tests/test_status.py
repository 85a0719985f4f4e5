"""The status rules, case by case, and replay against the rules from scratch."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.services.status import (
    EventFact,
    derive,
    derive_status,
    replay,
    status_as_of,
)

D0 = date(2024, 1, 1)


def ev(kind: str, day: int, order: int = 0) -> EventFact:
    return EventFact(kind, D0 + timedelta(days=day), datetime(2025, 1, 1) + timedelta(seconds=order), order)


CASES = [
    ("no events", [], "active"),
    ("only restatements", [ev("restatement", 1), ev("restatement", 5, 1)], "active"),
    ("one crossing", [ev("crossing", 3)], "crossed"),
    ("crossing then response", [ev("crossing", 3), ev("response", 4, 1)], "enforced"),
    ("same-day crossing and response", [ev("crossing", 3), ev("response", 3, 1)], "enforced"),
    (
        "same-day response entered before the crossing",
        [ev("response", 3, 0), ev("crossing", 3, 1)],
        "enforced",
    ),
    ("response before any crossing", [ev("response", 2)], "active"),
    ("response before the crossing", [ev("response", 2), ev("crossing", 3, 1)], "crossed"),
    (
        "response to an earlier crossing, then a new crossing",
        [ev("crossing", 1), ev("response", 2, 1), ev("crossing", 5, 2)],
        "crossed",
    ),
    (
        "two crossings, response after the latest",
        [ev("crossing", 1), ev("crossing", 5, 1), ev("response", 6, 2)],
        "enforced",
    ),
    ("withdrawal alone", [ev("withdrawal", 2)], "withdrawn"),
    ("crossing then withdrawal", [ev("crossing", 1), ev("withdrawal", 2, 1)], "withdrawn"),
    (
        "withdrawal then new crossing",
        [ev("withdrawal", 1), ev("crossing", 2, 1)],
        "crossed",
    ),
    (
        "withdrawal, crossing, response",
        [ev("withdrawal", 1), ev("crossing", 2, 1), ev("response", 3, 2)],
        "enforced",
    ),
    (
        "enforced then withdrawn",
        [ev("crossing", 1), ev("response", 2, 1), ev("withdrawal", 3, 2)],
        "withdrawn",
    ),
    (
        "restatement after withdrawal changes nothing",
        [ev("withdrawal", 1), ev("restatement", 2, 1)],
        "withdrawn",
    ),
    (
        "same-day withdrawal and crossing: creation order decides",
        [ev("crossing", 4, 0), ev("withdrawal", 4, 1)],
        "withdrawn",
    ),
    (
        "same-day crossing entered after withdrawal",
        [ev("withdrawal", 4, 0), ev("crossing", 4, 1)],
        "crossed",
    ),
    (
        "events given out of order are ordered by date",
        [ev("response", 9, 0), ev("crossing", 1, 1)],
        "enforced",
    ),
    (
        "restatement between crossing and response",
        [ev("crossing", 1), ev("restatement", 2, 1), ev("response", 3, 2)],
        "enforced",
    ),
]


@pytest.mark.parametrize(("label", "events", "expected"), CASES, ids=[c[0] for c in CASES])
def test_status_rules(label, events, expected):
    assert derive_status(events) == expected
    final = replay(events)
    assert (final[-1].new if final else "active") == expected


def test_restatement_updates_last_reaffirmed_but_not_status():
    result = derive([ev("crossing", 1), ev("restatement", 7, 1), ev("restatement", 3, 2)], declared_on=D0)
    assert result.status == "crossed"
    assert result.last_reaffirmed_on == D0 + timedelta(days=7)
    assert result.status_changed_on == D0 + timedelta(days=1)


def test_status_changed_on_is_declaration_date_without_transitions():
    result = derive([ev("restatement", 2)], declared_on=D0)
    assert (result.status, result.status_changed_on, result.transitions) == ("active", D0, ())


def test_transitions_name_the_event_that_caused_them():
    crossing, response = ev("crossing", 2, 0), ev("response", 5, 1)
    transitions = replay([response, crossing])
    assert [(t.old, t.new, t.event) for t in transitions] == [
        ("active", "crossed", crossing),
        ("crossed", "enforced", response),
    ]


def test_status_as_of_ignores_later_events():
    events = [ev("crossing", 10), ev("response", 20, 1)]
    assert status_as_of(events, D0 + timedelta(days=5)) == "active"
    assert status_as_of(events, D0 + timedelta(days=10)) == "crossed"
    assert status_as_of(events, D0 + timedelta(days=25)) == "enforced"


KINDS = st.sampled_from(["restatement", "crossing", "response", "withdrawal"])
EVENT_LISTS = st.lists(st.tuples(KINDS, st.integers(0, 30)), max_size=12)


@given(EVENT_LISTS)
@settings(max_examples=400, deadline=None)
def test_replay_agrees_with_rules_from_scratch(raw):
    events = [ev(kind, day, i) for i, (kind, day) in enumerate(raw)]
    transitions = replay(events)
    replayed = transitions[-1].new if transitions else "active"
    assert replayed == derive_status(events)
    # Every prefix in date order agrees too, and the chain of transitions is unbroken.
    previous = "active"
    for t in transitions:
        assert t.old == previous
        assert t.old != t.new
        previous = t.new


@given(EVENT_LISTS, st.randoms(use_true_random=False))
@settings(max_examples=200, deadline=None)
def test_order_of_entry_only_matters_within_a_day(raw, rnd):
    events = [ev(kind, day, i) for i, (kind, day) in enumerate(raw)]
    shuffled = events[:]
    rnd.shuffle(shuffled)
    assert derive_status(shuffled) == derive_status(events)
