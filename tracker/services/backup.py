"""Backup and restore of the curated record as a JSON Lines file.

Line 1 is a header (format, ``schema_version``, counts); every other line is one row
``{"model": "tracker.actor", "pk": 1, "fields": {...}}`` in Django's serialisation shape. The file
carries everything curators made: actors, red lines and their addressees, events and their actors,
sources, status history, tombstones, the audit history (django-simple-history tables), feeds, and
the articles sources cite. The review queue and uncited articles are pipeline output that
re-ingestion rebuilds; they are not part of the record.

Import restores ids, slugs and timestamps exactly, into an empty record, in one transaction:
any problem (incompatible version, unknown field, broken reference) rolls everything back.
Audit rows name their users by username; users missing on the target are created without a
usable password (reset it to let them sign in).
"""

import datetime
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchVectorField
from django.core import serializers
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from tracker.errors import DomainError
from tracker.models import Actor, Article, Deletion, Event, Feed, RedLine, Source, StatusChange
from tracker.services.actor_counts import actor_counts_refresh
from tracker.services.derived import event_publication_refresh, red_line_outcomes_refresh

FORMAT = "red-line-tracker/record"
# Bump when a field is renamed or removed, or its meaning changes; a new field with a default is
# compatible (old files simply lack it).
SCHEMA_VERSION = 1
BATCH = 2000


class IncompatibleBackup(DomainError):
    """The file is not a record backup this version of the app can restore."""


def record_models() -> list[type[models.Model]]:
    """The tables of the record in a restore order (references are deferred to commit anyway)."""
    base = [Feed, Article, Actor, RedLine, RedLine.addressees.through, Event, Event.actors.through, Source]
    base += [StatusChange, Deletion]
    historical = [Actor.history.model, RedLine.history.model, Event.history.model, Source.history.model]
    m2m_history = [
        m
        for m in apps.get_app_config("tracker").get_models()
        if m.__name__.startswith(("HistoricalRedLine_", "HistoricalEvent_"))
    ]
    return base + historical + m2m_history


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _field_names(model: type[models.Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if not f.primary_key and not isinstance(f, SearchVectorField)
    ]


def _exported_rows(model: type[models.Model]) -> models.QuerySet:
    if model is Article:
        cited = set(Source.objects.exclude(article=None).values_list("article_id", flat=True))
        originals = set(
            Article.objects.filter(pk__in=cited)
            .exclude(duplicate_of=None)
            .values_list("duplicate_of_id", flat=True)
        )
        return Article.objects.filter(pk__in=cited | originals)
    return model._default_manager.all()


class _Encoder(json.JSONEncoder):
    """ISO 8601 with full microseconds (Django's encoder cuts them to milliseconds)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.date | datetime.time):
            return o.isoformat()
        return super().default(o)


def record_export(*, out: IO[str]) -> dict[str, int]:
    """Write the whole record to ``out``; returns rows per table."""
    tables = record_models()
    counts = {_label(m): _exported_rows(m).count() for m in tables}
    user_ids: set[int] = set()
    for model in tables:
        if any(f.name == "history_user" for f in model._meta.concrete_fields):
            user_ids.update(
                model._default_manager.exclude(history_user=None).values_list("history_user_id", flat=True)
            )
    users = list(
        get_user_model()
        .objects.filter(pk__in=user_ids)
        .values("id", "username", "email", "first_name", "last_name", "is_staff", "is_superuser")
    )
    header = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "exported_at": timezone.now().isoformat(),
        "counts": counts,
        "users": users,
    }
    out.write(json.dumps(header, cls=_Encoder) + "\n")
    article_ids = set(_exported_rows(Article).values_list("pk", flat=True))
    for model in tables:
        fields = _field_names(model)
        rows = _exported_rows(model).order_by("pk").iterator(chunk_size=BATCH)
        for row in serializers.serialize("python", rows, fields=fields):
            if model is Article and row["fields"].get("duplicate_of") not in article_ids:
                row["fields"]["duplicate_of"] = None  # the original is not part of the record
            out.write(json.dumps(row, cls=_Encoder, ensure_ascii=False) + "\n")
    return counts


def _read_header(lines: Iterator[str]) -> dict[str, Any]:
    try:
        header = json.loads(next(lines))
    except (StopIteration, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IncompatibleBackup("not a record backup: the first line is not a JSON header") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise IncompatibleBackup(
            f"not a record backup: format is {header.get('format')!r}, expected {FORMAT!r}"
        )
    version = header.get("schema_version")
    if version != SCHEMA_VERSION:
        raise IncompatibleBackup(
            f"incompatible backup: schema version {version}, this app restores version {SCHEMA_VERSION}"
        )
    return header


@contextmanager
def _keep_timestamps(tables: Iterable[type[models.Model]]) -> Iterator[None]:
    """Let bulk inserts keep the stored ``updated_at`` instead of stamping now."""
    switched = [f for m in tables for f in m._meta.concrete_fields if getattr(f, "auto_now", False)]
    for field in switched:
        field.auto_now = False
    try:
        yield
    finally:
        for field in switched:
            field.auto_now = True


def record_is_empty() -> bool:
    return not any(m._default_manager.exists() for m in record_models() if m not in (Feed, Article))


def record_import(*, lines: Iterable[str]) -> dict[str, int]:
    """Restore a backup into an empty record; all or nothing. Returns rows per table."""
    stream = iter(lines)
    header = _read_header(stream)
    tables = {_label(m): m for m in record_models()}
    known_fields = {label: set(_field_names(m)) for label, m in tables.items()}
    counts = dict.fromkeys(tables, 0)
    try:
        with transaction.atomic(), _keep_timestamps(tables.values()):
            if not record_is_empty():
                raise DomainError("the record is not empty: restore only into a fresh database")
            user_map = _users_restore(header.get("users") or [])
            batch: list[models.Model] = []
            batch_model: type[models.Model] | None = None
            for number, line in enumerate(stream, start=2):
                if not line.strip():
                    continue
                row = json.loads(line)
                label = row.get("model")
                if label not in tables:
                    raise IncompatibleBackup(f"line {number}: unknown table {label!r}")
                unknown = set(row.get("fields", {})) - known_fields[label]
                if unknown:
                    raise IncompatibleBackup(
                        f"line {number}: {label} has unknown fields {', '.join(sorted(unknown))}"
                    )
                if "history_user" in row["fields"] and row["fields"]["history_user"] is not None:
                    row["fields"]["history_user"] = user_map[row["fields"]["history_user"]]
                model = tables[label]
                if batch and model is not batch_model:
                    _insert(batch_model, batch, counts)
                    batch = []
                batch_model = model
                batch.extend(obj.object for obj in serializers.deserialize("python", [row]))
                if len(batch) >= BATCH:
                    _insert(batch_model, batch, counts)
                    batch = []
            if batch:
                _insert(batch_model, batch, counts)
            expected = header.get("counts") or {}
            short = {k: (counts.get(k, 0), v) for k, v in expected.items() if counts.get(k, 0) != v}
            if short:
                raise DomainError(f"the file is truncated: rows imported vs announced {short}")
            connection.check_constraints(table_names=[m._meta.db_table for m in tables.values()])
            _reset_sequences(list(tables.values()))
            actor_counts_refresh()
            red_line_outcomes_refresh()  # backups written before the outcome was stored lack it
            event_publication_refresh()  # nor the events' public flag
    except (DatabaseError, ValueError, KeyError, TypeError, serializers.base.DeserializationError) as exc:
        raise DomainError(f"restore failed, nothing was imported: {str(exc).splitlines()[0][:300]}") from exc
    return counts


def _insert(model: type[models.Model], objects: list[models.Model], counts: dict[str, int]) -> None:
    model._default_manager.bulk_create(objects, batch_size=BATCH)
    counts[_label(model)] += len(objects)


def _users_restore(users: list[dict[str, Any]]) -> dict[int, int]:
    """Map the file's user ids to this database's users by username, creating the missing ones."""
    User = get_user_model()
    mapping = {}
    for data in users:
        user = User.objects.filter(username=data["username"]).first()
        if user is None:
            user = User(
                username=data["username"],
                email=data.get("email", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                is_staff=data.get("is_staff", False),
                is_superuser=data.get("is_superuser", False),
            )
            user.set_unusable_password()
            user.save()
        mapping[data["id"]] = user.pk
    return mapping


def _reset_sequences(tables: list[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), tables)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
