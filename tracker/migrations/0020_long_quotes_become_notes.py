"""A quote is now at most 12 words of the speaker's own; anything longer was a curator's summary.

Each longer quote moves to the source's note (the quote is cleared), and the source and the line or
event it supports are marked updated so clients that keep a copy fetch them again. The word limit is
written here, not imported: a migration must keep doing what it did when the rule was set.
"""

from django.db import migrations
from django.utils import timezone

QUOTE_MAX_WORDS = 12
BATCH = 1000


def long_quotes_to_notes(apps, schema_editor):
    Source = apps.get_model("tracker", "Source")
    RedLine = apps.get_model("tracker", "RedLine")
    Event = apps.get_model("tracker", "Event")
    now = timezone.now()
    moved, line_ids, event_ids = [], set(), set()
    for source in (
        Source.objects.exclude(quote="").only("id", "quote", "note", "red_line_id", "event_id").iterator()
    ):
        if len(source.quote.split()) <= QUOTE_MAX_WORDS:
            continue
        source.note = f"{source.note}\n{source.quote}".strip() if source.note else source.quote
        source.quote = ""
        source.updated_at = now
        moved.append(source)
        line_ids.add(source.red_line_id)
        event_ids.add(source.event_id)
        if len(moved) == BATCH:
            Source.objects.bulk_update(moved, ["quote", "note", "updated_at"])
            moved = []
    Source.objects.bulk_update(moved, ["quote", "note", "updated_at"])
    RedLine.objects.filter(pk__in=line_ids - {None}).update(updated_at=now)
    Event.objects.filter(pk__in=event_ids - {None}).update(updated_at=now)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0019_source_note_language_redline_theatre")]

    operations = [migrations.RunPython(long_quotes_to_notes, migrations.RunPython.noop)]
