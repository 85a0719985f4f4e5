"""Records read as rows (tracker.selectors.shape_rows, red_line_detail) rendered as the serializers of
`api.serializers.records` render model instances: the same keys, order and values, from the same
shapes (tracker.shapes), without a field lookup per value."""

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, tzinfo
from functools import cache, lru_cache
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from tracker import shapes
from tracker.selectors.history import TimelineEntry
from tracker.selectors.red_line_detail import LineDetail

_DATE = serializers.DateField(read_only=True)
_DATETIME = serializers.DateTimeField(read_only=True)


def _iso(field: serializers.Field, default: Any) -> bool:
    output = getattr(field, "format", default)
    return isinstance(output, str) and output.lower() == ISO_8601


@lru_cache(maxsize=1)
def _iso_output() -> tuple[bool, bool]:
    """Whether DRF's settings render (dates, datetimes) as ISO 8601; read again when settings change."""
    return _iso(_DATE, api_settings.DATE_FORMAT), _iso(_DATETIME, api_settings.DATETIME_FORMAT)


@receiver(setting_changed)
def _settings_changed(**kwargs: Any) -> None:
    _iso_output.cache_clear()


def _date_text(value: Any, tz: tzinfo | None = None) -> Any:
    """DateField's output (ISO 8601) without a field lookup per value: rows carry many dates."""
    if type(value) is date and _iso_output()[0]:
        return value.isoformat()
    return _DATE.to_representation(value)


def _datetime_text(value: Any, tz: tzinfo | None = None) -> Any:
    """DateTimeField's output (ISO 8601 in the current time zone `tz`, UTC as Z)."""
    if not _iso_output()[1] or not isinstance(value, datetime) or value.tzinfo is None:
        return _DATETIME.to_representation(value)
    text = value.astimezone(tz or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _tags(value: Any, tz: tzinfo | None) -> list[str]:
    return [str(tag) for tag in value]


def _sources(value: Any, tz: tzinfo | None) -> list[dict[str, Any]]:
    return [source_data(x) for x in value]


Convert = Callable[[Any, tzinfo | None], Any]
# None: the value as read (text, numbers, booleans, slugs, ids, {slug, name} refs).
_CONVERT: dict[shapes.Kind, Convert | None] = {
    shapes.Kind.VALUE: None,
    shapes.Kind.SLUG: None,
    shapes.Kind.ID: None,
    shapes.Kind.ACTORS: None,
    shapes.Kind.DATE: _date_text,
    shapes.Kind.DATETIME: _datetime_text,
    shapes.Kind.TAGS: _tags,
    shapes.Kind.SOURCES: _sources,
}


@cache
def _plan(shape: shapes.Shape) -> list[tuple[str, Convert | None]]:
    return [(f.name, _CONVERT[f.kind]) for f in shape]


_SOURCE = _plan(shapes.SOURCE)  # rendered once per source: looked up once, not per call


def _render(
    plan: list[tuple[str, Convert | None]], row: Mapping[str, Any], tz: tzinfo | None
) -> dict[str, Any]:
    return {name: row[name] if convert is None else convert(row[name], tz) for name, convert in plan}


def source_data(source: Mapping[str, Any]) -> dict[str, Any]:
    """What SourceSerializer gives for a source row (dates only: no time zone needed)."""
    return _render(_SOURCE, source, None)


def rows_data(shape: shapes.Shape, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """What the serializer of `shape` gives for each row (tracker.selectors.shape_rows)."""
    plan, tz = _plan(shape), timezone.get_current_timezone()
    return [_render(plan, row, tz) for row in rows]


def red_line_detail_data(detail: LineDetail, *, as_of: date | None) -> dict[str, Any]:
    """What RedLineDetailSerializer gives for the line, from its rows."""
    tz = timezone.get_current_timezone()
    return {
        **_render(_plan(shapes.RED_LINE), detail.line, tz),
        "as_of": _date_text(as_of),
        "events": rows_data(shapes.EVENT_IN_LINE, detail.events),
    }


def history_data(
    *, slug: str, status: str, as_of: date | None, timeline: list[TimelineEntry]
) -> dict[str, Any]:
    """What HistorySerializer gives for a timeline whose sources are rows."""
    return {
        "red_line": slug,
        "status": status,
        "as_of": _date_text(as_of),
        "timeline": [
            {
                "date": _date_text(entry.date),
                "type": entry.type,
                "kind": entry.kind,
                "summary": entry.summary,
                "event_id": entry.event_id,
                "old_status": entry.old_status,
                "new_status": entry.new_status,
                "sources": [source_data(x) for x in entry.sources],
            }
            for entry in timeline
        ],
    }
