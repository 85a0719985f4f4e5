"""Writes to the record: derived status through every path, integrity, drafts and audit."""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from tests.factories import ActorFactory, EventFactory, RedLineFactory, SourceFactory
from tracker.errors import ProtectedRecord
from tracker.models import Actor, Deletion, Event, RedLine, Source, StatusChange
from tracker.rules import follow_through
from tracker.rules.status import derive_status
from tracker.services import changes, derived, record
from tracker.services.changes import derived_by_caller

pytestmark = pytest.mark.django_db

SRC = [{"url": "https://news.example.org/a", "publisher": "Example", "title": "T", "quote": "q"}]
D = datetime.date


def statuses(line: RedLine) -> list[tuple[str, str]]:
    return list(line.status_changes.order_by("id").values_list("old_status", "new_status"))


def test_a_new_line_starts_active_with_its_declaration_in_history():
    line = RedLineFactory()
    assert line.status == "active"
    assert line.is_published
    assert statuses(line) == [("", "active")]
    assert line.status_changes.get().changed_on == line.declared_on


def test_recording_a_crossing_then_response_records_each_change_with_its_event():
    line = RedLineFactory()
    crossing = record.event_record(
        red_line=line, kind="crossing", occurred_on=D(2024, 3, 1), summary="Strikes", sources=SRC
    )
    assert line.status == "crossed"
    response = record.event_record(
        red_line=line, kind="response", occurred_on=D(2024, 3, 2), summary="Reply", sources=SRC
    )
    line.refresh_from_db()
    assert line.status == "enforced"
    assert line.status_changed_on == D(2024, 3, 2)
    changes = list(line.status_changes.order_by("id"))
    assert [(c.old_status, c.new_status, c.event_id) for c in changes] == [
        ("", "active", None),
        ("active", "crossed", crossing.pk),
        ("crossed", "enforced", response.pk),
    ]


def test_redating_a_response_before_the_crossing_reopens_the_line():
    line = RedLineFactory()
    EventFactory(red_line=line, kind="crossing", occurred_on=D(2024, 5, 1))
    response = EventFactory(red_line=line, kind="response", occurred_on=D(2024, 5, 3))
    line.refresh_from_db()
    assert line.status == "enforced"
    record.event_update(event=response, occurred_on=D(2024, 4, 1))
    line.refresh_from_db()
    assert line.status == "crossed"
    assert statuses(line)[-1] == ("enforced", "crossed")


def test_deleting_the_only_crossing_returns_the_line_to_active():
    line = RedLineFactory()
    crossing = EventFactory(red_line=line, kind="crossing")
    line.refresh_from_db()
    assert line.status == "crossed"
    crossing_id = crossing.pk
    record.event_delete(event=crossing)
    line.refresh_from_db()
    assert line.status == "active"
    last = line.status_changes.order_by("id").last()
    assert (last.old_status, last.new_status, last.event_id) == ("crossed", "active", None)
    assert last.reason == "Crossing on 2024-06-01 removed from the record"
    assert Deletion.objects.filter(model="event", key=str(crossing_id)).exists()


def test_plain_orm_writes_from_a_shell_also_update_status():
    line = RedLineFactory()
    event = Event.objects.create(red_line=line, kind="withdrawal", occurred_on=D(2024, 2, 1), summary="x")
    line.refresh_from_db()
    assert line.status == "active", "an unsourced event is a draft and does not count"
    SourceFactory(event=event, red_line=None)
    line.refresh_from_db()
    assert line.status == "withdrawn"
    event.delete()
    line.refresh_from_db()
    assert line.status == "active"


def test_moving_an_event_to_another_line_updates_both():
    first, second = RedLineFactory(), RedLineFactory()
    event = EventFactory(red_line=first, kind="crossing")
    record.event_update(event=event, red_line=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("active", "crossed")
    assert (first.first_crossed_on, second.first_crossed_on) == (None, event.occurred_on)


def test_bulk_refresh_of_outcomes_matches_what_writes_stored():
    line = RedLineFactory(declared_on=D(2024, 1, 1))
    EventFactory(red_line=line, kind="response", occurred_on=D(2024, 1, 5))
    EventFactory(red_line=line, kind="crossing", occurred_on=D(2024, 2, 1))
    EventFactory(red_line=line, kind="crossing", occurred_on=D(2024, 1, 10))
    EventFactory(red_line=line, kind="response", occurred_on=D(2024, 3, 1), sourced=False)
    EventFactory(red_line=line, kind="response", occurred_on=D(2024, 1, 20))
    untouched = RedLineFactory()
    line.refresh_from_db()
    stored = (line.first_crossed_on, line.first_response_on)
    assert stored == (D(2024, 1, 10), D(2024, 1, 20))
    RedLine.objects.update(first_crossed_on=D(2024, 1, 2), first_response_on=None)
    derived.red_line_outcomes_refresh()
    line.refresh_from_db()
    untouched.refresh_from_db()
    assert (line.first_crossed_on, line.first_response_on) == stored
    assert (untouched.first_crossed_on, untouched.first_response_on) == (None, None)


def test_deleting_a_line_leaves_tombstones_and_no_orphans():
    line = RedLineFactory()
    EventFactory(red_line=line)
    slug = line.slug
    record.red_line_delete(red_line=line)
    assert not RedLine.objects.filter(slug=slug).exists()
    assert not StatusChange.objects.filter(red_line_id=line.pk).exists()
    assert Deletion.objects.filter(model="red_line", key=slug).exists()


def test_a_line_without_sources_is_a_draft_until_one_is_added():
    actor = ActorFactory()
    line = record.red_line_create(
        slug="draft-line",
        title="Draft",
        declared_by=actor,
        declared_on=D(2024, 1, 1),
        statement="s",
        trigger="t",
        severity="military",
        category="other",
    )
    assert not line.is_published
    record.source_add(parent=line, data=SRC[0])
    line.refresh_from_db()
    assert line.is_published


# --- bad input ------------------------------------------------------------------------------


def test_an_event_before_the_declaration_is_rejected_with_a_clear_message():
    line = RedLineFactory(declared_on=D(2024, 9, 12))
    with pytest.raises(ValidationError) as err:
        record.event_record(red_line=line, kind="crossing", occurred_on=D(2024, 9, 1), summary="x")
    assert "before the line was declared on 2024-09-12" in str(err.value.message_dict["occurred_on"])
    assert not Event.objects.exists()


@pytest.mark.time_machine(datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC))
def test_a_future_event_is_rejected():
    line = RedLineFactory()
    with pytest.raises(ValidationError) as err:
        record.event_record(red_line=line, kind="crossing", occurred_on=D(2025, 6, 2), summary="x")
    assert "future" in str(err.value.message_dict["occurred_on"])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kind", "empire", "not a valid choice"),
        ("wikidata_id", "159", "Wikidata id"),
        ("country", "russia", "alpha-2"),
        ("aliases", "Kremlin", "list of non-empty strings"),
    ],
)
def test_bad_actor_fields_give_field_errors(field, value, message):
    with pytest.raises(ValidationError) as err:
        record.actor_create(slug="x", name="X", **{"kind": "state", field: value})
    assert message in str(err.value.message_dict[field])
    assert not Actor.objects.filter(slug="x").exists()


def test_duplicate_slug_is_a_field_error():
    ActorFactory(slug="russia", name="Russia")
    with pytest.raises(ValidationError) as err:
        record.actor_create(slug="russia", name="Russia again", kind="state")
    assert "slug" in err.value.message_dict


@pytest.mark.parametrize(
    ("field", "value"),
    [("statement", ""), ("statement", "   "), ("severity", "apocalyptic"), ("category", "vibes")],
)
def test_bad_red_line_fields_give_field_errors_and_nothing_half_saved(field, value):
    actor = ActorFactory()
    data = dict(
        slug="l",
        title="T",
        declared_by=actor,
        declared_on=D(2024, 1, 1),
        statement="s",
        trigger="t",
        severity="military",
        category="other",
    )
    data[field] = value
    with pytest.raises(ValidationError) as err:
        record.red_line_create(sources=SRC, **data)
    assert field in err.value.message_dict
    assert not RedLine.objects.exists()


def test_a_bad_source_rolls_back_the_whole_line():
    actor = ActorFactory()
    with pytest.raises(ValidationError):
        record.red_line_create(
            slug="l",
            title="T",
            declared_by=actor,
            declared_on=D(2024, 1, 1),
            statement="s",
            trigger="t",
            severity="military",
            category="other",
            sources=[{"url": "not a url"}],
        )
    assert not RedLine.objects.exists()


def test_deleting_an_actor_who_declared_lines_is_refused():
    line = RedLineFactory()
    with pytest.raises(ProtectedRecord) as err:
        record.actor_delete(actor=line.declared_by)
    assert "declared 1 red line" in err.value.message
    assert Actor.objects.filter(pk=line.declared_by_id).exists()


def test_moving_the_declaration_after_existing_events_is_refused():
    line = RedLineFactory(declared_on=D(2024, 1, 1))
    EventFactory(red_line=line, occurred_on=D(2024, 2, 1))
    with pytest.raises(ValidationError) as err:
        record.red_line_update(red_line=line, declared_on=D(2024, 3, 1))
    assert "event dated 2024-02-01" in str(err.value.message_dict["declared_on"])
    line.refresh_from_db()
    assert line.declared_on == D(2024, 1, 1)


@pytest.mark.parametrize(
    "sql_field",
    [
        {"severity": "apocalyptic"},
        {"category": "vibes"},
        {"explicitness": "loud"},
        {"statement": ""},
        {"status": "forgotten"},
    ],
)
def test_the_database_itself_refuses_invalid_values(sql_field):
    line = RedLineFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RedLine.objects.filter(pk=line.pk).update(**sql_field)


def test_the_database_refuses_a_source_attached_to_nothing():
    from tracker.models import Source

    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(url="https://example.org/x")


# --- audit -----------------------------------------------------------------------------------


def test_every_edit_is_audited_with_its_user(curator):
    actor = record.actor_create(slug="kremlin", name="Kremlin", kind="state", user=curator)
    record.actor_update(actor=actor, name="Russia", aliases=["the Kremlin"], user=curator)
    history = list(actor.history.order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert all(h.history_user == curator for h in history)
    delta = history[1].diff_against(history[0])
    assert {c.field for c in delta.changes} == {"name", "aliases"}


# --- replay property over the database --------------------------------------------------------

OPS = st.lists(
    st.tuples(
        st.sampled_from(
            ["add", "add", "add", "redate", "delete", "rekind", "unsource", "resource"]
            + ["unpublish", "republish", "move", "unpublish-other", "republish-other"]
        ),
        st.sampled_from(["restatement", "crossing", "response", "withdrawal"]),
        st.integers(0, 20),
        st.integers(0, 50),
    ),
    max_size=10,
)


def outcome_the_obvious_way(events) -> tuple[datetime.date | None, datetime.date | None]:
    """The first crossing and the first response on or after it, straight from the events."""
    crossings = [e.occurred_on for e in events if e.kind == "crossing"]
    if not crossings:
        return None, None
    responses = [e.occurred_on for e in events if e.kind == "response" and e.occurred_on >= min(crossings)]
    return min(crossings), min(responses, default=None)


class TestReplayOverTheDatabase(HypothesisTestCase):
    @given(OPS)
    @settings(max_examples=40, deadline=None)
    def test_any_sequence_of_writes_leaves_the_status_the_rules_give(self, ops):
        line = RedLineFactory(declared_on=D(2024, 1, 1))
        other = RedLineFactory(declared_on=D(2024, 1, 1))
        for op, kind, day, pick in ops:
            events = list(line.events.order_by("id"))
            when = D(2024, 1, 1) + datetime.timedelta(days=day)
            if op in ("unpublish", "unpublish-other"):  # a plain queryset delete, as from a shell
                Source.objects.filter(red_line=line if op == "unpublish" else other).delete()
            elif op in ("republish", "republish-other"):
                record.source_add(parent=line if op == "republish" else other, data=SRC[0])
            elif op == "add" or not events:
                record.event_record(red_line=line, kind=kind, occurred_on=when, summary="e", sources=SRC)
            elif op == "redate":
                record.event_update(event=events[pick % len(events)], occurred_on=when)
            elif op == "rekind":
                record.event_update(event=events[pick % len(events)], kind=kind)
            elif op == "unsource":  # a plain queryset delete, as from a shell
                Source.objects.filter(event=events[pick % len(events)]).delete()
            elif op == "resource":
                record.source_add(parent=events[pick % len(events)], data=SRC[0])
            elif op == "move":
                record.event_update(event=events[pick % len(events)], red_line=other)
            else:
                record.event_delete(event=events[pick % len(events)])
        stored_public = dict(Event.objects.values_list("pk", "is_public"))
        from_scratch = {
            e.pk: e.red_line.is_published and e.sources.exists()
            for e in Event.objects.select_related("red_line")
        }
        assert stored_public == from_scratch
        line.refresh_from_db()
        sourced = line.events.filter(sources__isnull=False).distinct()
        expected = derive_status(sourced)
        assert line.status == expected
        outcome = {f"computed_{name}": value for name, value in follow_through.outcome().items()}
        computed = RedLine.objects.filter(pk=line.pk).values(**outcome).get()
        stored = (line.first_crossed_on, line.first_response_on)
        assert stored == (computed["computed_first_crossed_on"], computed["computed_first_response_on"])
        assert stored == outcome_the_obvious_way(sourced)
        chain = statuses(line)
        assert chain[-1][1] == expected
        for (_, prev_new), (old, _) in zip(chain, chain[1:], strict=False):
            assert old == prev_new


# --- what mirrors of the public record must learn -------------------------------------------


def test_renaming_an_actor_tombstones_the_old_slug_and_marks_its_lines_updated():
    line = RedLineFactory()
    before = RedLine.objects.get(pk=line.pk).updated_at
    old_slug = line.declared_by.slug
    record.actor_update(actor=line.declared_by, slug="renamed-actor", name="Renamed")
    assert Deletion.objects.filter(model="actor", key=old_slug).exists()
    assert RedLine.objects.get(pk=line.pk).updated_at > before


def test_changing_an_actor_slug_leaves_a_tombstone_for_the_old_one():
    actor = ActorFactory(slug="old-name", name="Old")
    record.actor_update(actor=actor, slug="new-name")
    assert Deletion.objects.filter(model="actor", key="old-name").exists()


def test_changing_a_line_slug_leaves_a_tombstone_for_the_old_one():
    line = RedLineFactory(slug="first-slug")
    record.red_line_update(red_line=line, slug="second-slug")
    assert Deletion.objects.filter(model="red_line", key="first-slug").exists()


def test_a_line_that_loses_its_last_source_becomes_a_draft_and_is_tombstoned():
    line = RedLineFactory(slug="sourced")
    line.sources.get().delete()
    line.refresh_from_db()
    assert not line.is_published
    assert Deletion.objects.filter(model="red_line", key="sourced").exists()


def test_replacing_a_lines_sources_never_makes_it_a_draft():
    line = RedLineFactory(slug="kept")
    record.red_line_update(red_line=line, sources=SRC)
    line.refresh_from_db()
    assert line.is_published
    assert list(line.sources.values_list("url", flat=True)) == [SRC[0]["url"]]
    assert not Deletion.objects.filter(model="red_line", key="kept").exists()


def test_an_event_that_loses_its_only_source_leaves_the_public_record():
    line = RedLineFactory()
    event = EventFactory(red_line=line, kind="crossing")
    event.sources.get().delete()
    line.refresh_from_db()
    assert line.status == "active"
    assert Deletion.objects.filter(model="event", key=str(event.pk)).exists()


def test_removing_one_of_several_sources_marks_the_line_updated():
    line = RedLineFactory()
    record.source_add(parent=line, data=SRC[0])
    before = RedLine.objects.get(pk=line.pk).updated_at
    line.sources.first().delete()
    after = RedLine.objects.get(pk=line.pk)
    assert after.is_published and after.updated_at > before


# --- the public flag stored on each event ---------------------------------------------------


def public_flags(*events: Event) -> list[bool]:
    return [Event.objects.get(pk=e.pk).is_public for e in events]


def test_an_event_is_public_once_sourced_and_only_while_its_line_is_published():
    line = RedLineFactory()
    sourced = EventFactory(red_line=line)
    unsourced = EventFactory(red_line=line, sourced=False)
    assert public_flags(sourced, unsourced) == [True, False]
    record.source_add(parent=unsourced, data=SRC[0])
    assert public_flags(sourced, unsourced) == [True, True]
    line.sources.all().delete()  # the line becomes a draft: none of its events is public
    assert public_flags(sourced, unsourced) == [False, False]
    record.source_add(parent=line, data=SRC[0])
    assert public_flags(sourced, unsourced) == [True, True]
    sourced.sources.get().delete()
    assert public_flags(sourced, unsourced) == [False, True]


def test_an_event_moved_to_a_draft_line_is_no_longer_public():
    published, draft = RedLineFactory(), RedLineFactory()
    draft.sources.all().delete()
    event = EventFactory(red_line=published)
    assert public_flags(event) == [True]
    record.event_update(event=event, red_line=draft)
    assert public_flags(event) == [False]
    record.event_update(event=event, red_line=published)
    assert public_flags(event) == [True]


def test_the_bulk_refresh_of_public_flags_restores_the_definition():
    line = RedLineFactory()
    sourced, unsourced = EventFactory(red_line=line), EventFactory(red_line=line, sourced=False)
    Event.objects.update(is_public=False)
    Event.objects.filter(pk=unsourced.pk).update(is_public=True)
    assert derived.event_publication_refresh() == 2
    assert public_flags(sourced, unsourced) == [True, False]
    assert derived.event_publication_refresh() == 0


def test_editing_a_stale_copy_of_an_event_keeps_its_public_flag():
    event = record.event_record(
        red_line=RedLineFactory(), kind="crossing", occurred_on=D(2024, 11, 19), summary="e", sources=SRC
    )
    assert public_flags(event) == [True]
    record.event_update(event=event, summary="edited")  # this copy was read before its source
    assert public_flags(event) == [True]


@pytest.mark.django_db
def test_the_slug_migration_stops_with_the_slugs_that_differ_only_in_case():
    migration = importlib.import_module("tracker.migrations.0017_slug_unique_in_any_case")
    first = ActorFactory(slug="russia")
    with transaction.atomic(), pytest.raises(IntegrityError):  # the database refuses it too
        Actor.objects.create(slug="RUSSIA", name="Russia", kind="state")
    with connection.cursor() as cursor:  # the data as it could be before the migration
        cursor.execute("DROP INDEX actor_slug_unique_any_case")
    clash = ActorFactory(slug="RUSSIA")
    ActorFactory(slug="Ukraine")
    with pytest.raises(RuntimeError) as stopped:
        migration.refuse_collisions(django_apps, None)
    message = str(stopped.value)
    assert f"Actor: russia (id {first.pk}), RUSSIA (id {clash.pk})" in message
    assert "Ukraine" not in message and "Rename all but one of each group" in message
    clash.delete()
    migration.refuse_collisions(django_apps, None)


# --- derived state runs once, whichever path wrote ---------------------------------------------


def test_a_service_write_runs_its_change_service_once():
    line = RedLineFactory(slug="old-address")
    record.red_line_update(red_line=line, slug="new-address")
    assert list(Deletion.objects.values_list("model", "key")) == [("red_line", "old-address")]
    record.event_record(red_line=line, kind="crossing", occurred_on=D(2024, 11, 19), summary="e", sources=SRC)
    changes = list(line.status_changes.values_list("old_status", "new_status", "reason"))
    assert changes[1:] == [("active", "crossed", "Crossing on 2024-11-19")]


def test_writes_made_for_a_caller_leave_derived_state_to_it():
    line = RedLineFactory()
    with derived_by_caller():
        EventFactory(red_line=line, kind="crossing")
    line.refresh_from_db()
    assert line.status == "active"  # the caller has not run the change service yet
    event = Event.objects.get()
    changes.event_changed(event=event, before=None, sources_changed=True)
    line.refresh_from_db()
    assert (line.status, Event.objects.get().is_public) == ("crossed", True)
