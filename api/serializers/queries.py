"""Query parameters checked by a serializer (the filter sets check the lists' own)."""

from rest_framework import serializers

from tracker.models import RedLine


class StatsQuerySerializer(serializers.Serializer):
    declared_after = serializers.DateField(required=False, help_text="Only lines declared on or after.")
    declared_before = serializers.DateField(required=False, help_text="Only lines declared on or before.")
    severity = serializers.ChoiceField(choices=RedLine.Severity.choices, required=False)
    category = serializers.ChoiceField(choices=RedLine.Category.choices, required=False)


class AsOfQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(
        required=False, help_text="YYYY-MM-DD: the status and events as they stood on that date."
    )
