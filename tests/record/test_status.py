"""The status rules, case by case, and replay against the rules from scratch."""

import importlib
from datetime import date, datetime, timedelta

import pytest
from django.apps import apps
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import EventFactory, RedLineFactory, SourceFactory
from tracker.models import StatusChange
from tracker.rules.status import (
    EventFact,
    derive,
    derive_status,
    replay,
    status_as_of,
)
from tracker.services import record

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


# --- the reasons the status history gives its readers -------------------------------------------

SOURCE = {"url": "https://news.example.org/atacms", "publisher": "Example News", "title": "Strikes"}


def reasons(line) -> list[tuple[str, str, str]]:
    return list(line.status_changes.order_by("id").values_list("old_status", "new_status", "reason"))


@pytest.mark.django_db
def test_the_history_names_the_event_that_changed_the_status_in_the_readers_words(client):
    line = RedLineFactory(slug="strikes", declared_on=date(2024, 9, 12))
    crossing = record.event_record(
        red_line=line, kind="crossing", occurred_on=date(2024, 11, 19), summary="ATACMS", sources=[SOURCE]
    )
    assert reasons(line)[-1] == ("active", "crossed", "Crossing on 2024-11-19")
    history = client.get("/api/v1/red-lines/strikes/history/").json()["timeline"]
    assert [e["summary"] for e in history if e["type"] == "status_change"] == ["Crossing on 2024-11-19"]

    record.event_update(event=crossing, occurred_on=date(2024, 11, 20))
    record.event_record(
        red_line=line, kind="response", occurred_on=date(2024, 11, 21), summary="Oreshnik", sources=[SOURCE]
    )
    assert reasons(line)[-1] == ("crossed", "enforced", "Response on 2024-11-21")
    record.event_update(event=crossing, kind="restatement")
    assert reasons(line)[-1] == ("enforced", "active", "Restatement on 2024-11-20 (corrected)")


@pytest.mark.django_db
def test_an_event_leaving_a_line_is_named_with_what_became_of_it():
    line, other = RedLineFactory(), RedLineFactory()
    unsourced = EventFactory(red_line=line, kind="withdrawal", occurred_on=date(2024, 3, 1))
    unsourced.sources.get().delete()
    assert reasons(line)[-1] == ("withdrawn", "active", "Withdrawal on 2024-03-01 removed from the record")
    SourceFactory(event=unsourced, red_line=None)
    assert reasons(line)[-1] == ("active", "withdrawn", "Withdrawal on 2024-03-01")
    record.event_update(event=unsourced, red_line=other)
    assert reasons(line)[-1] == ("withdrawn", "active", "Withdrawal on 2024-03-01 moved to another red line")
    record.event_delete(event=unsourced)
    assert reasons(other)[-1] == ("withdrawn", "active", "Withdrawal on 2024-03-01 removed from the record")
    assert not any("sources of" in r or " of 2024" in r for *_, r in reasons(line) + reasons(other))


REWORDING = importlib.import_module("tracker.migrations.0015_status_reasons_for_readers")


@pytest.mark.django_db
def test_reasons_stored_in_the_old_wording_are_rewritten_for_readers():
    stored = [  # old status, new status, stored reason, what readers see after the migration
        ("active", "crossed", "sources of Crossing on 2024-11-19 changed", "Crossing on 2024-11-19"),
        (
            "crossed",
            "active",
            "sources of Crossing on 2024-11-19 changed",
            "Crossing on 2024-11-19 removed from the record",
        ),
        ("crossed", "enforced", "sources of Response on 2024-11-21 changed", "Response on 2024-11-21"),
        (
            "enforced",
            "crossed",
            "sources of Response on 2024-11-21 changed",
            "Response on 2024-11-21 removed from the record",
        ),
        ("withdrawn", "active", "sources of Response on 2024-12-01 changed", "Response on 2024-12-01"),
        ("active", "withdrawn", "withdrawal of 2024-03-01 recorded", "Withdrawal on 2024-03-01"),
        ("crossed", "enforced", "response of 2024-04-01 edited", "Response on 2024-04-01 (corrected)"),
        (
            "crossed",
            "active",
            "crossing of 2024-03-01 deleted",
            "Crossing on 2024-03-01 removed from the record",
        ),
        ("crossed", "active", "event moved to Strikes on Crimea", "An event moved to another red line"),
        ("crossed", "active", "line edited", "Red line corrected"),
        ("", "active", "declared", "declared"),
        ("active", "crossed", "Crossing on 2024-11-19", "Crossing on 2024-11-19"),
    ]
    line = RedLineFactory(sourced=False)
    line.status_changes.all().delete()
    StatusChange.objects.bulk_create(
        StatusChange(
            red_line=line, changed_on=date(2024, 11, 19), old_status=old, new_status=new, reason=reason
        )
        for old, new, reason, _ in stored
    )
    REWORDING.forwards(apps, None)
    assert [r for *_, r in reasons(line)] == [expected for *_, expected in stored]
