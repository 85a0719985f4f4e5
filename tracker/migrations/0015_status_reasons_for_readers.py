"""Status history reasons written for readers: "Crossing on 2024-11-19", not "sources of ... changed".

Rewrites the reasons stored by earlier versions; reasons it does not recognise are left alone.
"""

import re

from django.db import migrations
from django.db.models import Q

KINDS = {
    "restatement": "Restatement",
    "crossing": "Crossing",
    "response": "Response",
    "withdrawal": "Withdrawal",
}
EVENT = r"(?P<kind>Restatement|Crossing|Response|Withdrawal) on (?P<on>\d{4}-\d{2}-\d{2})"
OLD_EVENT = r"(?P<kind>restatement|crossing|response|withdrawal) of (?P<on>\d{4}-\d{2}-\d{2})"
FIXED = {"line edited": "Red line corrected", "events changed": "Record corrected"}


def _added(kind: str, old: str, new: str) -> bool:
    """Whether a change caused by one event's sources is the change that event makes when it starts to count.

    Sources changed either way (first source added, last one removed); the transition tells which.
    """
    if kind == "crossing":
        return new == "crossed" or (new == "enforced" and old in ("active", "withdrawn"))
    if kind == "response":
        return new == "enforced" or (new == "active" and old == "withdrawn")
    return kind == "withdrawal" and new == "withdrawn"


def reader_reason(reason: str, old: str, new: str) -> str:
    """The reader's wording of a reason stored by an earlier version (unchanged if not one of those)."""
    if reason in FIXED:
        return FIXED[reason]
    if match := re.fullmatch(f"sources of {EVENT} changed", reason):
        event = f"{match['kind']} on {match['on']}"
        return event if _added(match["kind"].lower(), old, new) else f"{event} removed from the record"
    if match := re.fullmatch(f"{OLD_EVENT} (?P<verb>recorded|edited|deleted)", reason):
        event = f"{KINDS[match['kind']]} on {match['on']}"
        return (
            event
            + {"recorded": "", "edited": " (corrected)", "deleted": " removed from the record"}[match["verb"]]
        )
    if reason.startswith("event moved to "):
        return "An event moved to another red line"
    return reason


def forwards(apps, schema_editor):
    StatusChange = apps.get_model("tracker", "StatusChange")
    old_wording = (
        Q(reason__in=list(FIXED))
        | Q(reason__startswith="sources of ")
        | Q(reason__startswith="event moved to ")
        | Q(reason__regex=r"^(restatement|crossing|response|withdrawal) of ")
    )
    changes = StatusChange.objects.filter(old_wording).only("reason", "old_status", "new_status")
    for change in changes.iterator():
        reason = reader_reason(change.reason, change.old_status, change.new_status)
        if reason != change.reason:
            StatusChange.objects.filter(pk=change.pk).update(reason=reason)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0014_deletion_model_id"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
