"""Input serializers of writes: validated here, saved by tracker.services.record.

Actors, lines and addressees are referred to by slug, as in the reads.
"""

from rest_framework import serializers

from api.serializers.records import SOURCE_HELP
from tracker import shapes
from tracker.models import Actor, Event, RedLine, Source
from tracker.record_rules import ISO_639_1, quote_problem


class SourceInputSerializer(serializers.ModelSerializer):
    # The codes as an enum, so the schema says exactly which values the server takes.
    language = serializers.ChoiceField(
        choices=sorted(ISO_639_1),
        required=False,
        allow_blank=True,
        help_text=SOURCE_HELP["language"],
    )

    class Meta:
        model = Source
        # The article a source came from is set by accepting a candidate, never written directly.
        fields = [name for name in shapes.names(shapes.SOURCE) if name != "article"]
        extra_kwargs = {
            # Only a source from an article pasted as text has no URL, and that is made by accepting it.
            "url": {"required": True, "allow_blank": False},
            **{name: {"help_text": text} for name, text in SOURCE_HELP.items()},
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
        fields = shapes.written(shapes.ACTOR, Actor)


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
        fields = shapes.written(shapes.RED_LINE, RedLine)

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
        fields = shapes.written(shapes.EVENT, Event)
