"""Output serializers (reads) and input serializers (writes, validated here, saved by services).

Actors, lines and addressees are referred to by slug in both directions; `sources` is a nested
list of sources whose fields are `SOURCE_COLUMNS` (tracker.selectors.red_line_detail).
"""

from collections.abc import Callable, Mapping
from datetime import date, datetime, tzinfo
from functools import lru_cache
from typing import Any

from django.core.signals import setting_changed
from django.db.models import Manager
from django.dispatch import receiver
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from tracker.models import Actor, Deletion, Event, RedLine, Source
from tracker.record_rules import ISO_639_1, NOTE_RULE, QUOTE_RULE, quote_problem
from tracker.selectors.history import TimelineEntry
from tracker.selectors.red_line_detail import SOURCE_COLUMNS, LineDetail

# --- reads ------------------------------------------------------------------------------


def _iso(value: Any) -> str:
    return value.isoformat()


def _same(value: Any) -> Any:
    return value


def _iso_dates(field: serializers.DateField) -> bool:
    output = getattr(field, "format", api_settings.DATE_FORMAT)
    return isinstance(output, str) and output.lower() == ISO_8601


class LeanReadMixin:
    """A fast `to_representation` for read serializers over model instances: the same output.

    DRF resolves every field of every row through `get_attribute`, `SkipField` checks and the
    field's own conversion. Here each field is planned once per serializer instance (attribute path
    and converter); plain values (text, choices, numbers, booleans, dates) are read directly, and
    everything else (nested serializers, related slugs, lists, method fields) still goes through the
    field's own `to_representation`, so the JSON is byte for byte what DRF would produce.
    """

    _PLAIN = (
        serializers.CharField,
        serializers.ChoiceField,
        serializers.IntegerField,
        serializers.BooleanField,
    )

    def _lean_plan(self) -> list[tuple[str, list[str], Callable[[Any], Any] | None, Any]]:
        plan = getattr(self, "_lean_plan_cache", None)
        if plan is None:
            plan = []
            for name, field in self.fields.items():  # type: ignore[attr-defined]
                if field.write_only:
                    continue
                attrs = list(field.source_attrs)
                if field.source == "*":  # method fields and whole-object fields
                    plan.append((name, [], None, field))
                    continue
                convert: Callable[[Any], Any] | None = None
                if type(field) in self._PLAIN and not isinstance(field, serializers.ListField):
                    convert = _same
                elif type(field) is serializers.DateField and _iso_dates(field):
                    convert = _iso
                plan.append((name, attrs, convert, field))
            self._lean_plan_cache = plan
        return plan

    def to_representation(self, instance: Any) -> dict[str, Any]:
        if isinstance(instance, dict):
            return super().to_representation(instance)  # type: ignore[misc]
        try:
            return self._lean(instance)
        except AttributeError:  # a missing attribute: let DRF decide (it may skip the field)
            return super().to_representation(instance)  # type: ignore[misc]

    def _lean(self, instance: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, attrs, convert, field in self._lean_plan():
            if not attrs:
                out[name] = field.to_representation(instance)
                continue
            value = instance
            for attr in attrs:
                value = getattr(value, attr)
                if value is None:
                    break
            if value is None:
                out[name] = None
            elif convert is not None and not callable(value):
                out[name] = convert(value)
            elif isinstance(value, Manager) or not callable(value):
                out[name] = field.to_representation(value)
            else:
                out[name] = field.to_representation(field.get_attribute(instance))
        return out


# What the schema says of the fields whose rule a reader needs (the model's help text is for curators).
_SOURCE_HELP = {
    "language": "ISO 639-1 code of the source's language, e.g. en, ru; the quote is in it.",
    "quote": QUOTE_RULE,
    "quote_translation": "An English translation of the quote, when the quote is in another language.",
    "note": NOTE_RULE,
}


class SourceSerializer(LeanReadMixin, serializers.ModelSerializer):
    article = serializers.IntegerField(source="article_id", read_only=True, allow_null=True)

    class Meta:
        model = Source
        fields = list(SOURCE_COLUMNS)
        extra_kwargs = {name: {"help_text": text} for name, text in _SOURCE_HELP.items()}


class ActorRefSerializer(LeanReadMixin, serializers.ModelSerializer):
    class Meta:
        model = Actor
        fields = ["slug", "name"]


class ActorSerializer(serializers.ModelSerializer):
    affiliation = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    aliases = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Actor
        fields = [
            "slug",
            "name",
            "kind",
            "country",
            "affiliation",
            "aliases",
            "wikidata_id",
            "description",
            "created_at",
            "updated_at",
        ]


class FollowThroughSerializer(serializers.Serializer):
    lines_declared = serializers.IntegerField()
    lines_crossed = serializers.IntegerField(help_text="Lines with at least one sourced crossing.")
    lines_enforced = serializers.IntegerField(
        help_text="Crossed lines with a response on or after their first crossing."
    )
    follow_through_rate = serializers.FloatField(
        allow_null=True, help_text="lines_enforced / lines_crossed; null when nothing was crossed."
    )
    median_days_to_response = serializers.FloatField(allow_null=True)
    median_days_to_first_crossing = serializers.FloatField(allow_null=True)


class ActorDetailSerializer(ActorSerializer):
    follow_through = serializers.SerializerMethodField()

    class Meta(ActorSerializer.Meta):
        fields = [*ActorSerializer.Meta.fields, "follow_through"]

    @extend_schema_field(FollowThroughSerializer)
    def get_follow_through(self, actor: Actor) -> dict:
        return actor.follow_through.as_dict()


class EventInLineSerializer(LeanReadMixin, serializers.ModelSerializer):
    actors = ActorRefSerializer(many=True, read_only=True)
    sources = SourceSerializer(many=True, read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "kind",
            "occurred_on",
            "actors",
            "summary",
            "partial",
            "sources",
            "created_at",
            "updated_at",
        ]


class EventSerializer(EventInLineSerializer):
    red_line = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta(EventInLineSerializer.Meta):
        fields = ["id", "red_line", *EventInLineSerializer.Meta.fields[1:]]


class RedLineSerializer(LeanReadMixin, serializers.ModelSerializer):
    declared_by = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    declared_by_name = serializers.CharField(source="declared_by.name", read_only=True)
    addressees = ActorRefSerializer(many=True, read_only=True)
    restates = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    topics = serializers.ListField(child=serializers.CharField(), read_only=True)
    sources = SourceSerializer(many=True, read_only=True)

    class Meta:
        model = RedLine
        fields = [
            "slug",
            "title",
            "declared_by",
            "declared_by_name",
            "addressees",
            "declared_on",
            "statement",
            "trigger",
            "threatened_response",
            "explicitness",
            "severity",
            "category",
            "theatre",
            "topics",
            "restates",
            "status",
            "status_changed_on",
            "last_reaffirmed_on",
            "sources",
            "created_at",
            "updated_at",
        ]


class RedLineDetailSerializer(RedLineSerializer):
    as_of = serializers.DateField(
        read_only=True, allow_null=True, help_text="The date asked for with ?as_of=, or null for today."
    )
    events = EventInLineSerializer(many=True, read_only=True, source="timeline_events")

    class Meta(RedLineSerializer.Meta):
        fields = [*RedLineSerializer.Meta.fields, "as_of", "events"]


class TimelineEntrySerializer(serializers.Serializer):
    date = serializers.DateField()
    type = serializers.ChoiceField(choices=["declaration", "event", "status_change"])
    kind = serializers.CharField(help_text="The event kind, for events.")
    summary = serializers.CharField()
    event_id = serializers.IntegerField(allow_null=True)
    old_status = serializers.CharField(help_text="For status changes.")
    new_status = serializers.CharField(help_text="For status changes.")
    sources = SourceSerializer(many=True)


class HistorySerializer(serializers.Serializer):
    red_line = serializers.CharField(help_text="The line's slug.")
    status = serializers.ChoiceField(choices=RedLine.Status.choices)
    as_of = serializers.DateField(allow_null=True)
    timeline = TimelineEntrySerializer(many=True)


# Plain renderings of lines read as rows (tracker.selectors.red_line_detail): the same keys, order and
# values as RedLineSerializer, RedLineDetailSerializer and HistorySerializer give.
_DATE = serializers.DateField(read_only=True)
_DATETIME = serializers.DateTimeField(read_only=True)


@lru_cache(maxsize=1)
def _iso_output() -> tuple[bool, bool]:
    """Whether DRF's settings render (dates, datetimes) as ISO 8601; read again when settings change."""
    datetimes = getattr(_DATETIME, "format", api_settings.DATETIME_FORMAT)
    return _iso_dates(_DATE), isinstance(datetimes, str) and datetimes.lower() == ISO_8601


@receiver(setting_changed)
def _settings_changed(**kwargs: Any) -> None:
    _iso_output.cache_clear()


def _date_text(value: Any) -> Any:
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


def source_data(source: Mapping[str, Any]) -> dict[str, Any]:
    data = {name: source[name] for name in SOURCE_COLUMNS}
    data["published_on"] = _date_text(data["published_on"])
    return data


def _event_data(event: Mapping[str, Any], tz: tzinfo) -> dict[str, Any]:
    return {
        "id": event["id"],
        "kind": event["kind"],
        "occurred_on": _date_text(event["occurred_on"]),
        "actors": event["actors"],
        "summary": event["summary"],
        "partial": event["partial"],
        "sources": [source_data(x) for x in event["sources"]],
        "created_at": _datetime_text(event["created_at"], tz),
        "updated_at": _datetime_text(event["updated_at"], tz),
    }


def red_line_data(detail: LineDetail, tz: tzinfo | None = None) -> dict[str, Any]:
    """What RedLineSerializer gives for the line, from its rows (`tz`: the current time zone)."""
    line = detail.line
    tz = tz or timezone.get_current_timezone()
    return {
        "slug": line["slug"],
        "title": line["title"],
        "declared_by": line["declared_by"],
        "declared_by_name": line["declared_by_name"],
        "addressees": detail.addressees,
        "declared_on": _date_text(line["declared_on"]),
        "statement": line["statement"],
        "trigger": line["trigger"],
        "threatened_response": line["threatened_response"],
        "explicitness": line["explicitness"],
        "severity": line["severity"],
        "category": line["category"],
        "theatre": line["theatre"],
        "topics": [str(topic) for topic in line["topics"]],
        "restates": line["restates"],
        "status": line["status"],
        "status_changed_on": _date_text(line["status_changed_on"]),
        "last_reaffirmed_on": _date_text(line["last_reaffirmed_on"]),
        "sources": [source_data(x) for x in detail.sources],
        "created_at": _datetime_text(line["created_at"], tz),
        "updated_at": _datetime_text(line["updated_at"], tz),
    }


def red_line_detail_data(detail: LineDetail, *, as_of: date | None) -> dict[str, Any]:
    """What RedLineDetailSerializer gives for the line, from its rows."""
    tz = timezone.get_current_timezone()
    return {
        **red_line_data(detail, tz),
        "as_of": _date_text(as_of),
        "events": [_event_data(e, tz) for e in detail.events],
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


class ActorFollowThroughSerializer(FollowThroughSerializer):
    actor = serializers.CharField(help_text="The declaring actor's slug.")
    name = serializers.CharField()


class CategoryFollowThroughSerializer(FollowThroughSerializer):
    category = serializers.ChoiceField(choices=RedLine.Category.choices)


class StatusCountsSerializer(serializers.Serializer):
    active = serializers.IntegerField()
    crossed = serializers.IntegerField()
    enforced = serializers.IntegerField()
    withdrawn = serializers.IntegerField()


class SeverityCountsSerializer(serializers.Serializer):
    diplomatic = serializers.IntegerField()
    economic = serializers.IntegerField()
    military = serializers.IntegerField()
    nuclear = serializers.IntegerField()


class CategoryCountsSerializer(serializers.Serializer):
    weapons_transfer = serializers.IntegerField()
    strikes_on_territory = serializers.IntegerField()
    alliance_enlargement = serializers.IntegerField()
    foreign_deployment = serializers.IntegerField()
    wmd_use = serializers.IntegerField()
    territorial_change = serializers.IntegerField()
    diplomatic_contact = serializers.IntegerField()
    economic_measure = serializers.IntegerField()
    other = serializers.IntegerField()


class StatsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Published red lines counted.")
    by_status = StatusCountsSerializer()
    by_severity = SeverityCountsSerializer()
    by_category = CategoryCountsSerializer()
    follow_through_by_actor = ActorFollowThroughSerializer(many=True)
    follow_through_by_category = CategoryFollowThroughSerializer(many=True)


_FOLLOW_THROUGH_INTS = ("lines_declared", "lines_crossed", "lines_enforced")
_FOLLOW_THROUGH_FLOATS = ("follow_through_rate", "median_days_to_response", "median_days_to_first_crossing")


def _follow_through_row(row: Mapping[str, Any], serializer: type[serializers.Serializer]) -> dict[str, Any]:
    """One row as `serializer` (a FollowThroughSerializer) gives it: its fields, in its order."""
    out: dict[str, Any] = {}
    for name in serializer._declared_fields:
        value = row[name]
        if name in _FOLLOW_THROUGH_INTS:
            out[name] = int(value)
        elif name in _FOLLOW_THROUGH_FLOATS:
            out[name] = None if value is None else float(value)
        else:
            out[name] = str(value)
    return out


def _counts_row(counts: Mapping[str, Any], serializer: type[serializers.Serializer]) -> dict[str, int]:
    return {name: int(counts[name]) for name in serializer._declared_fields}


def stats_data(stats: Mapping[str, Any]) -> dict[str, Any]:
    """What StatsSerializer gives for `record_stats()`, built directly: it has a row per declaring actor."""
    return {
        "total": int(stats["total"]),
        "by_status": _counts_row(stats["by_status"], StatusCountsSerializer),
        "by_severity": _counts_row(stats["by_severity"], SeverityCountsSerializer),
        "by_category": _counts_row(stats["by_category"], CategoryCountsSerializer),
        "follow_through_by_actor": [
            _follow_through_row(row, ActorFollowThroughSerializer) for row in stats["follow_through_by_actor"]
        ],
        "follow_through_by_category": [
            _follow_through_row(row, CategoryFollowThroughSerializer)
            for row in stats["follow_through_by_category"]
        ],
    }


class StatsQuerySerializer(serializers.Serializer):
    declared_after = serializers.DateField(required=False, help_text="Only lines declared on or after.")
    declared_before = serializers.DateField(required=False, help_text="Only lines declared on or before.")
    severity = serializers.ChoiceField(choices=RedLine.Severity.choices, required=False)
    category = serializers.ChoiceField(choices=RedLine.Category.choices, required=False)


class AsOfQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(
        required=False, help_text="YYYY-MM-DD: the status and events as they stood on that date."
    )


class DeletionSerializer(serializers.ModelSerializer):
    model = serializers.ChoiceField(choices=["actor", "red_line", "event"])

    class Meta:
        model = Deletion
        fields = ["model", "key", "deleted_at"]


# --- writes -----------------------------------------------------------------------------


class SourceInputSerializer(serializers.ModelSerializer):
    # The codes as an enum, so the schema says exactly which values the server takes.
    language = serializers.ChoiceField(
        choices=sorted(ISO_639_1),
        required=False,
        allow_blank=True,
        help_text=_SOURCE_HELP["language"],
    )

    class Meta:
        model = Source
        # The article a source came from is set by accepting a candidate, never written directly.
        fields = [name for name in SOURCE_COLUMNS if name != "article"]
        extra_kwargs = {
            # Only a source from an article pasted as text has no URL, and that is made by accepting it.
            "url": {"required": True, "allow_blank": False},
            **{name: {"help_text": text} for name, text in _SOURCE_HELP.items()},
        }

    def validate_quote(self, value: str) -> str:
        if problem := quote_problem(value):
            raise serializers.ValidationError(problem)
        return value


def _slugs(queryset, **kw) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="slug", queryset=queryset, **kw)


def _strings(**kw) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(max_length=200), max_length=100, **kw)


class ActorInputSerializer(serializers.ModelSerializer):
    affiliation = _slugs(Actor.objects.all(), required=False, allow_null=True)
    aliases = _strings(required=False)

    class Meta:
        model = Actor
        fields = ["slug", "name", "kind", "country", "affiliation", "aliases", "wikidata_id", "description"]


class RedLineInputSerializer(serializers.ModelSerializer):
    declared_by = _slugs(Actor.objects.all())
    addressees = _slugs(Actor.objects.all(), many=True, required=False)
    restates = _slugs(RedLine.objects.all(), required=False, allow_null=True)
    topics = _strings(required=False)
    sources = SourceInputSerializer(
        many=True, min_length=1, help_text="At least one source: lines written through the API are public."
    )

    class Meta:
        model = RedLine
        fields = [
            "slug",
            "title",
            "declared_by",
            "addressees",
            "declared_on",
            "statement",
            "trigger",
            "threatened_response",
            "explicitness",
            "severity",
            "category",
            "theatre",
            "topics",
            "restates",
            "sources",
        ]

    def validate_topics(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(v.strip().lower() for v in value))


class EventInputSerializer(serializers.ModelSerializer):
    red_line = _slugs(RedLine.objects.all())
    actors = _slugs(Actor.objects.all(), many=True, required=False)
    sources = SourceInputSerializer(
        many=True, min_length=1, help_text="At least one source: events written through the API are public."
    )

    class Meta:
        model = Event
        fields = ["red_line", "kind", "occurred_on", "actors", "summary", "partial", "sources"]
