"""Read serializers of the public record over model instances, each built from its shape.

Actors, lines and addressees are referred to by slug; `sources` is a nested list of shapes.SOURCE.
"""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.stats import FollowThroughSerializer
from tracker import shapes
from tracker.models import Actor, Deletion, Event, RedLine, Source
from tracker.record_rules import NOTE_RULE, QUOTE_RULE

Kind = shapes.Kind


def _built(field: shapes.Field, model: Any) -> serializers.Field | None:
    """The DRF field of a shape's field, or None where ModelSerializer builds it from the model column
    of the same name (with its choices, lengths and help text for the schema)."""
    if field.kind is Kind.SLUG:
        nullable = model._meta.get_field(field.name).null
        return serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=nullable)
    if field.kind is Kind.ID:
        nullable = model._meta.get_field(field.name).null
        return serializers.IntegerField(source=field.column, read_only=True, allow_null=nullable)
    if field.kind is Kind.TAGS:
        return serializers.ListField(child=serializers.CharField(), read_only=True)
    if field.kind is Kind.ACTORS:
        return ActorRefSerializer(many=True, read_only=True)
    if field.kind is Kind.SOURCES:
        return SourceSerializer(many=True, read_only=True)
    if field.path:  # a text column of a related row
        return serializers.CharField(source=field.path.replace("__", "."), read_only=True)
    return None


# The fields of `shape`, in its order, then any declared on the class. (No docstring: the schema would
# show it as every subclass's description.)
class ShapeSerializer(serializers.ModelSerializer):
    shape: shapes.Shape = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        built = {f.name: drf for f in cls.shape if (drf := _built(f, cls.Meta.model)) is not None}
        cls._declared_fields = {**cls._declared_fields, **built}

    def get_field_names(self, declared_fields: dict[str, Any], info: Any) -> list[str]:
        own = shapes.names(self.shape)
        return own + [name for name in declared_fields if name not in own]


# What the schema says of the fields whose rule a reader needs (the model's help text is for curators).
SOURCE_HELP = {
    "language": "ISO 639-1 code of the source's language, e.g. en, ru; the quote is in it.",
    "quote": QUOTE_RULE,
    "quote_translation": "An English translation of the quote, when the quote is in another language.",
    "note": NOTE_RULE,
}


class SourceSerializer(ShapeSerializer):
    shape = shapes.SOURCE

    class Meta:
        model = Source
        extra_kwargs = {name: {"help_text": text} for name, text in SOURCE_HELP.items()}


class ActorRefSerializer(ShapeSerializer):
    shape = shapes.ACTOR_REF

    class Meta:
        model = Actor


class ActorSerializer(ShapeSerializer):
    shape = shapes.ACTOR

    class Meta:
        model = Actor


class ActorDetailSerializer(ActorSerializer):
    follow_through = serializers.SerializerMethodField()

    @extend_schema_field(FollowThroughSerializer)
    def get_follow_through(self, actor: Actor) -> dict:
        return actor.follow_through.as_dict()


class EventInLineSerializer(ShapeSerializer):
    shape = shapes.EVENT_IN_LINE

    class Meta:
        model = Event


class EventSerializer(EventInLineSerializer):
    shape = shapes.EVENT


class RedLineSerializer(ShapeSerializer):
    shape = shapes.RED_LINE

    class Meta:
        model = RedLine


class RedLineDetailSerializer(RedLineSerializer):
    as_of = serializers.DateField(
        read_only=True, allow_null=True, help_text="The date asked for with ?as_of=, or null for today."
    )
    events = EventInLineSerializer(many=True, read_only=True, source="timeline_events")


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


class DeletionSerializer(serializers.ModelSerializer):
    model = serializers.ChoiceField(choices=["actor", "red_line", "event"])

    class Meta:
        model = Deletion
        fields = ["model", "key", "deleted_at"]
