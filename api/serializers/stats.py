"""/stats/: counts by status, severity and category, and follow-through by actor and by category."""

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from tracker.models import RedLine


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
