"""A record for the tests comparing rows read for the API with what the serializers give."""

from tracker.models import Actor, RedLine
from tracker.services import record
from tracker.services.reference import demo_record_load


def demo_record_with_edge_events() -> RedLine:
    """The demo record, and on its first public line an unsourced event (never shown) and a partial
    crossing by several actors with an article-less source; returns that line."""
    demo_record_load()
    line = RedLine.objects.filter(is_published=True).order_by("id").first()
    record.event_record(red_line=line, kind="crossing", occurred_on=line.declared_on, summary="unsourced")
    record.event_record(
        red_line=line,
        kind="crossing",
        occurred_on=line.declared_on,
        summary="partial",
        partial=True,
        actors=list(Actor.objects.order_by("-name")[:3]),
        sources=[{"url": "https://x.example/1", "publisher": "X", "title": "T", "quote": "q"}],
    )
    return line
