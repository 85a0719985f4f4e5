"""Curators' admin: pages load in constant queries, bad input gives field errors, audit is visible."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ActorFactory, EventFactory, RedLineFactory
from tracker.models import Actor, Deletion, Event, RedLine, Source
from tracker.models.record import ActorCounts

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "admin:tracker_actor_changelist",
    "admin:tracker_redline_changelist",
    "admin:tracker_event_changelist",
    "admin:tracker_source_changelist",
    "admin:tracker_statuschange_changelist",
    "admin:tracker_deletion_changelist",
]


def make_record(n: int) -> RedLine:
    line = None
    for i in range(n):
        line = RedLineFactory()
        line.addressees.add(ActorFactory(), ActorFactory())
        EventFactory(red_line=line, occurred_on=datetime.date(2024, 2, 1 + i % 20))
    return line


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_changelists_use_the_same_number_of_queries_at_any_size(client, superuser, name):
    client.force_login(superuser)
    url = reverse(name)
    make_record(3)
    small = count_queries(client, url)
    make_record(25)
    large = count_queries(client, url)
    assert large == small


def test_red_line_change_page_queries_do_not_grow_with_events(
    client, superuser, django_assert_max_num_queries
):
    client.force_login(superuser)
    line = RedLineFactory()
    EventFactory(red_line=line)
    url = reverse("admin:tracker_redline_change", args=[line.pk])
    small = count_queries(client, url)
    for day in range(2, 22):
        EventFactory(red_line=line, kind="restatement", occurred_on=datetime.date(2024, 3, day))
    with django_assert_max_num_queries(small):
        client.get(url)


def test_status_is_read_only_and_explained_on_the_line_page(client, superuser):
    client.force_login(superuser)
    line = RedLineFactory()
    EventFactory(red_line=line, kind="crossing")
    page = client.get(reverse("admin:tracker_redline_change", args=[line.pk])).content.decode()
    assert "Crossed: The line was crossed and no response is recorded" in page
    assert 'name="status"' not in page


def _line_form(actor: Actor, **overrides) -> dict:
    data = {
        "title": "Strikes deep inside the country",
        "slug": "strikes-deep",
        "declared_by": actor.pk,
        "declared_on": "2024-09-12",
        "statement": "Such strikes would mean direct participation in the war.",
        "trigger": "Long-range strikes on our territory",
        "threatened_response": "Corresponding decisions",
        "explicitness": "explicit",
        "severity": "military",
        "category": "strikes_on_territory",
        "topics": '["missiles"]',
    }
    for prefix in ("sources", "events"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("severity", "apocalyptic", "Select a valid choice"),
        ("statement", "", "This field is required"),
        ("declared_on", "2999-01-01", "cannot be declared in the future"),
        ("declared_on", "2024-13-45", "Enter a valid date"),
        ("topics", '"missiles"', "list of non-empty strings"),
    ],
)
def test_bad_red_line_input_in_admin_gives_a_field_error(client, superuser, field, value, message):
    client.force_login(superuser)
    actor = ActorFactory()
    response = client.post(reverse("admin:tracker_redline_add"), _line_form(actor, **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RedLine.objects.exists()


def test_duplicate_slug_in_admin_gives_a_field_error(client, superuser):
    client.force_login(superuser)
    existing = RedLineFactory(slug="strikes-deep")
    response = client.post(reverse("admin:tracker_redline_add"), _line_form(existing.declared_by))
    assert "Another red line already has this slug" in response.content.decode()
    assert RedLine.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("wikidata_id", "159", "Wikidata id is Q"),
        ("country", "ru", "alpha-2"),
        ("kind", "empire", "valid choice"),
    ],
)
def test_bad_actor_input_in_admin_gives_a_field_error(client, superuser, field, value, message):
    client.force_login(superuser)
    data = {"name": "Russia", "slug": "russia", "kind": "state", "aliases": "[]", field: value}
    response = client.post(reverse("admin:tracker_actor_add"), data)
    assert message in response.content.decode()
    assert not Actor.objects.exists()


def test_an_event_before_the_declaration_is_refused_in_admin(client, superuser):
    client.force_login(superuser)
    line = RedLineFactory(declared_on=datetime.date(2024, 9, 12))
    data = {
        "red_line": line.pk,
        "kind": "crossing",
        "occurred_on": "2024-09-01",
        "summary": "Strikes",
        "sources-TOTAL_FORMS": "0",
        "sources-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:tracker_event_add"), data)
    assert "before the line was declared on 2024-09-12" in response.content.decode()
    assert not Event.objects.exists()


def test_deleting_an_actor_who_declared_lines_is_refused_in_admin(client, superuser):
    client.force_login(superuser)
    line = RedLineFactory()
    url = reverse("admin:tracker_actor_delete", args=[line.declared_by_id])
    response = client.post(url, {"post": "yes"})
    assert "would require deleting the following protected related objects" in response.content.decode()
    assert Actor.objects.filter(pk=line.declared_by_id).exists()


def test_an_edit_in_admin_is_audited_and_shown_in_the_history_view(client, curator):
    client.force_login(curator)
    actor = ActorFactory(name="Kremlin", slug="kremlin")
    data = {"name": "Russia", "slug": "kremlin", "kind": "state", "aliases": '["the Kremlin"]'}
    response = client.post(reverse("admin:tracker_actor_change", args=[actor.pk]), data)
    assert response.status_code == 302
    latest = actor.history.latest()
    assert (latest.history_user, latest.name) == (curator, "Russia")
    page = client.get(reverse("admin:tracker_actor_history", args=[actor.pk])).content.decode()
    assert "curator" in page and "Russia" in page


def test_the_curator_group_has_exactly_the_record_and_review_permissions():
    codenames = set(Group.objects.get(name="Curator").permissions.values_list("codename", flat=True))
    for model in ("actor", "redline", "event", "source"):
        assert {f"add_{model}", f"change_{model}", f"delete_{model}", f"view_{model}"} <= codenames
    assert {"view_statuschange", "change_candidate", "add_feed"} <= codenames
    assert "change_statuschange" not in codenames
    assert "delete_candidate" not in codenames
    others = Permission.objects.exclude(content_type__app_label="tracker")
    assert not set(others.values_list("codename", flat=True)) & codenames


def test_a_curator_can_edit_lines_but_not_users(client, curator):
    client.force_login(curator)
    assert client.get(reverse("admin:tracker_redline_add")).status_code == 200
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_an_event_added_in_admin_with_a_source_updates_status_and_is_audited(client, curator):
    client.force_login(curator)
    line = RedLineFactory(declared_on=datetime.date(2024, 9, 12))
    data = {
        "red_line": line.pk,
        "kind": "crossing",
        "occurred_on": "2024-11-19",
        "summary": "Missiles struck a region inside the declarer's borders.",
        "sources-TOTAL_FORMS": "1",
        "sources-INITIAL_FORMS": "0",
        "sources-0-url": "https://news.example.org/strike",
        "sources-0-publisher": "Example News",
    }
    response = client.post(reverse("admin:tracker_event_add"), data)
    assert response.status_code == 302, [
        f.errors for f in response.context["inline_admin_formsets"][0].formset
    ] + [response.context["adminform"].form.errors]
    line.refresh_from_db()
    assert line.status == "crossed"
    change = line.status_changes.order_by("id").last()
    assert (change.new_status, change.event) == ("crossed", Event.objects.get())
    assert Event.objects.get().history.latest().history_user == curator


@pytest.mark.django_db(transaction=True)
def test_the_curator_group_is_restored_after_the_database_is_flushed():
    from django.core.management import call_command

    Group.objects.filter(name="Curator").delete()
    call_command("flush", "--noinput", verbosity=0)
    assert Group.objects.get(name="Curator").permissions.filter(codename="change_redline").exists()


def test_a_slug_differing_only_in_case_is_a_field_error_in_admin(client, superuser):
    client.force_login(superuser)
    ActorFactory(slug="russia", name="Russia")
    data = {"name": "Russia again", "slug": "RUSSIA", "kind": "state", "aliases": "[]"}
    response = client.post(reverse("admin:tracker_actor_add"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(
        r'errorlist[^>]*id="id_slug_error"[^>]*><li>Another actor already has this slug', html
    ), html
    assert Actor.objects.count() == 1
    line = RedLineFactory(slug="strikes-deep")
    other = RedLineFactory(slug="other-line")
    form = _line_form(line.declared_by, slug="Strikes-Deep")
    response = client.post(reverse("admin:tracker_redline_change", args=[other.pk]), form)
    assert "Another red line already has this slug" in response.content.decode()
    other.refresh_from_db()
    assert other.slug == "other-line"


# --- derived state: admin runs the change services once -------------------------------------


def test_renaming_a_line_in_admin_leaves_one_tombstone_for_its_old_address(client, curator):
    client.force_login(curator)
    line = RedLineFactory(slug="strikes-deep")
    form = _line_form(line.declared_by, slug="strikes-deeper", theatre=line.theatre)
    response = client.post(reverse("admin:tracker_redline_change", args=[line.pk]), form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(Deletion.objects.values_list("model", "key")) == [("red_line", "strikes-deep")]


def test_deleting_a_line_in_admin_tombstones_its_events_then_the_line_once(client, superuser):
    client.force_login(superuser)  # its status history goes with it, which curators may not delete
    line = RedLineFactory(slug="gone")
    first, second = EventFactory(red_line=line), EventFactory(red_line=line, kind="crossing")
    second.actors.set([ActorFactory(slug="striker")])
    response = client.post(reverse("admin:tracker_redline_delete", args=[line.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert list(Deletion.objects.order_by("id").values_list("model", "key")) == [
        ("event", str(first.pk)),
        ("event", str(second.pk)),
        ("red_line", "gone"),
    ]
    assert ActorCounts.objects.get(actor__slug="striker").crossings_made == 0


def test_the_delete_action_on_events_recomputes_each_line_and_tombstones_each_event_once(client, curator):
    client.force_login(curator)
    lines = [RedLineFactory(), RedLineFactory()]
    events = [EventFactory(red_line=line, kind="crossing") for line in lines]
    data = {"action": "delete_selected", "_selected_action": [e.pk for e in events], "post": "yes"}
    response = client.post(reverse("admin:tracker_event_changelist"), data)
    assert response.status_code == 302
    assert sorted(Deletion.objects.values_list("key", flat=True)) == sorted(str(e.pk) for e in events)
    for line in lines:
        line.refresh_from_db()
        assert line.status == "active"
        assert line.status_changes.filter(reason__endswith="removed from the record").count() == 1


def test_deleting_a_line_s_last_source_in_admin_unpublishes_it_once(client, curator):
    client.force_login(curator)
    line = RedLineFactory(slug="drafted")
    source = Source.objects.get(red_line=line)
    response = client.post(reverse("admin:tracker_source_delete", args=[source.pk]), {"post": "yes"})
    assert response.status_code == 302
    line.refresh_from_db()
    assert not line.is_published
    assert list(Deletion.objects.values_list("model", "key")) == [("red_line", "drafted")]


def test_moving_an_event_in_admin_recomputes_both_lines_once(client, curator):
    client.force_login(curator)
    first, second = (
        RedLineFactory(declared_on=datetime.date(2024, 1, 1)),
        RedLineFactory(declared_on=datetime.date(2024, 1, 1)),
    )
    event = EventFactory(red_line=first, kind="crossing", occurred_on=datetime.date(2024, 6, 1))
    data = {
        "red_line": second.pk,
        "kind": "crossing",
        "occurred_on": "2024-06-01",
        "summary": event.summary,
        "sources-TOTAL_FORMS": "1",
        "sources-INITIAL_FORMS": "1",
        "sources-0-id": Source.objects.get(event=event).pk,
        "sources-0-event": event.pk,
        "sources-0-url": "https://news.example.org/strike",
    }
    response = client.post(reverse("admin:tracker_event_change", args=[event.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("active", "crossed")
    assert first.status_changes.filter(reason="Crossing on 2024-06-01 moved to another red line").count() == 1
    assert second.status_changes.filter(new_status="crossed").count() == 1
