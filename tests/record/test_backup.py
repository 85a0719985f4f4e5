"""Backup and restore: export, wipe, import, and the whole record comes back field by field."""

import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from tracker.models import Article, Feed
from tracker.models.record import ActorCounts
from tracker.services import backup, record

SRC = {"url": "https://news.example.org/1", "publisher": "Example News", "title": "Report", "quote": "words"}


def snapshot() -> dict[str, list[dict]]:
    """Every row of every record table, every field, in primary-key order."""
    data = {}
    for model in backup.record_models():
        fields = [f.attname for f in model._meta.concrete_fields if f.name != "search_vector"]
        data[model._meta.label_lower] = list(model._default_manager.order_by("pk").values(*fields))
    return data


def wipe() -> None:
    ActorCounts.objects.all().delete()  # derived, not backed up: a fresh database has none
    for model in reversed(backup.record_models()):
        model._default_manager.all()._raw_delete(model._default_manager.db)
    Article.objects.all().delete()
    Feed.objects.all().delete()


@pytest.fixture
def rich_record(curator):
    russia = record.actor_create(
        slug="russia", name="Russia", kind="state", country="RU", aliases=["the Kremlin"], user=curator
    )
    putin = record.actor_create(
        slug="putin", name="Vladimir Putin", kind="person", affiliation=russia, user=curator
    )
    ukraine = record.actor_create(slug="ukraine", name="Ukraine", kind="state", country="UA", user=curator)
    gone = record.actor_create(slug="gone", name="Removed actor", kind="group", user=curator)
    feed = Feed.objects.create(url="https://feeds.example.org/world.xml", title="World")
    original = Article.objects.create(
        url="https://news.example.org/o",
        canonical_url="https://news.example.org/o",
        feed=feed,
        title="Original",
        text="A report in our own words.",
    )
    copy = Article.objects.create(
        url="https://news.example.org/c",
        canonical_url="https://news.example.org/c",
        title="Copy",
        duplicate_of=original,
        state="duplicate",
    )
    first = record.red_line_create(
        slug="no-long-range-strikes",
        title="No long-range strikes",
        declared_by=putin,
        declared_on=datetime.date(2024, 9, 12),
        statement="Strikes deep inside would mean direct participation.",
        trigger="Long-range strikes with Western missiles",
        severity="military",
        category="strikes_on_territory",
        topics=["missiles"],
        addressees=[ukraine],
        sources=[{**SRC, "article": copy}],
        user=curator,
    )
    second = record.red_line_create(
        slug="sharpened",
        title="Sharpened warning",
        declared_by=russia,
        declared_on=datetime.date(2024, 10, 1),
        statement="A sharper version of the earlier warning.",
        trigger="The same strikes",
        severity="nuclear",
        category="strikes_on_territory",
        restates=first,
        sources=[SRC],
        user=curator,
    )
    record.red_line_create(
        slug="a-draft",
        title="Draft line",
        declared_by=russia,
        declared_on=datetime.date(2024, 1, 1),
        statement="Unsourced so far.",
        trigger="Something",
        severity="diplomatic",
        user=curator,
    )
    crossing = record.event_record(
        red_line=first,
        kind="crossing",
        occurred_on=datetime.date(2024, 11, 19),
        summary="Missiles fired.",
        actors=[ukraine],
        partial=True,
        sources=[{**SRC, "url": "https://news.example.org/2"}],
        user=curator,
    )
    record.event_record(
        red_line=first,
        kind="response",
        occurred_on=datetime.date(2024, 11, 21),
        summary="A new missile used.",
        actors=[russia],
        sources=[{**SRC, "url": "https://news.example.org/3"}],
        user=curator,
    )
    record.event_update(event=crossing, summary="Missiles fired at a depot.", user=curator)
    record.red_line_update(red_line=second, topics=["missiles", "nuclear"], user=curator)
    record.actor_delete(actor=gone, user=curator)
    return first


@pytest.mark.django_db
def test_export_wipe_import_gives_back_the_whole_record_field_by_field(rich_record, tmp_path):
    before = snapshot()
    assert before["tracker.statuschange"] and before["tracker.deletion"] and before["tracker.historicalactor"]
    assert before["tracker.historicalredline_addressees"] and before["tracker.historicalevent_actors"]
    assert len(before["tracker.article"]) == 2  # the cited copy and its original
    path = tmp_path / "record.jsonl"
    call_command("export_record", str(path))
    wipe()
    assert backup.record_is_empty()
    call_command("import_record", str(path))
    after = snapshot()
    for table, rows in before.items():
        assert after[table] == rows, table
    # Sequences follow the restored ids: the next write gets a fresh one.
    actor = record.actor_create(slug="new-after-restore", name="New", kind="state")
    assert actor.pk > max(row["id"] for row in before["tracker.actor"])


@pytest.mark.django_db
def test_import_creates_missing_audit_users_without_a_usable_password(rich_record, tmp_path, curator):
    path = tmp_path / "record.jsonl"
    call_command("export_record", str(path))
    wipe()
    get_user_model().objects.filter(username="curator").delete()
    call_command("import_record", str(path))
    restored = get_user_model().objects.get(username="curator")
    assert not restored.has_usable_password()
    assert rich_record.history.model.objects.filter(history_user=restored).exists()


@pytest.mark.django_db
def test_import_refuses_an_incompatible_schema_version_and_changes_nothing(rich_record, tmp_path):
    path = tmp_path / "record.jsonl"
    call_command("export_record", str(path))
    wipe()
    lines = path.read_text().splitlines()
    header = json.loads(lines[0])
    header["schema_version"] = backup.SCHEMA_VERSION + 1
    path.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n")
    with pytest.raises(
        CommandError, match=r"^incompatible backup: schema version 2, this app restores version 1$"
    ):
        call_command("import_record", str(path))
    assert backup.record_is_empty()


@pytest.mark.django_db
def test_a_broken_row_rolls_the_whole_import_back(rich_record, tmp_path):
    path = tmp_path / "record.jsonl"
    call_command("export_record", str(path))
    wipe()
    lines = path.read_text().splitlines()
    broken = json.loads(lines[-1])
    broken["fields"]["no_such_field"] = 1
    path.write_text("\n".join([*lines[:-1], json.dumps(broken)]) + "\n")
    with pytest.raises(CommandError, match="unknown fields no_such_field"):
        call_command("import_record", str(path))
    assert backup.record_is_empty()
    path.write_text("\n".join([*lines[:-1], "{not json"]) + "\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_record", str(path))
    assert backup.record_is_empty()


@pytest.mark.django_db
def test_a_truncated_file_is_refused(rich_record, tmp_path):
    path = tmp_path / "record.jsonl"
    call_command("export_record", str(path))
    wipe()
    path.write_text("\n".join(path.read_text().splitlines()[:-3]) + "\n")
    with pytest.raises(CommandError, match="truncated"):
        call_command("import_record", str(path))
    assert backup.record_is_empty()


@pytest.mark.django_db
def test_import_refuses_a_record_that_is_not_empty(rich_record, tmp_path):
    path = tmp_path / "record.jsonl"
    call_command("export_record", str(path))
    before = snapshot()
    with pytest.raises(CommandError, match="not empty"):
        call_command("import_record", str(path))
    assert snapshot() == before


@pytest.mark.django_db
def test_import_refuses_files_that_are_not_backups(tmp_path):
    other = tmp_path / "other.json"
    other.write_text('{"hello": "world"}\n')
    with pytest.raises(CommandError, match="^not a record backup"):
        call_command("import_record", str(other))
    with pytest.raises(CommandError, match="^no such file"):
        call_command("import_record", str(tmp_path / "missing.jsonl"))
