"""Atom feeds for people who watch: all new events, and one line's events and status changes.

Entries are plain text (curators and ingested articles write the summaries, so nothing is markup),
ids are tag: URIs (RFC 4151) that do not depend on how the site was reached, and `published` is
when an entry entered the record, in both feeds.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from tracker.models import Event, RedLine
from tracker.record_rules import CITATION_FIELDS, source_citation
from tracker.selectors.events import published_events
from tracker.selectors.red_lines import public_red_lines, red_line_events, red_line_status_history

ITEMS = 50
AUTHOR = "Red Line Tracker"
# The date part of every id: RFC 4151 asks for a day on which the site's host named this site.
TAG_DATE = "2024"


def tag_uri(specific: str) -> str:
    """A stable Atom id, `tag:<SITE_URL's host>,2024:<specific>`, the same whatever host a request used."""
    return f"tag:{urlsplit(settings.SITE_URL).hostname},{TAG_DATE}:{specific}"


def with_sources(text: str, sources: Iterable[Any]) -> str:
    """A summary followed by its sources, one a line: quotes in quotation marks, notes without."""
    cited = [source_citation(**{f: getattr(s, f) for f in CITATION_FIELDS}) for s in sources]
    return "\n".join([text, *(f"Source: {c}" for c in cited)])


class TextAtomFeed(Atom1Feed):
    """Atom whose summaries are `type="text"`: a reader shows them as words and never runs them."""

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


class RecordFeed(Feed):
    """What both feeds share: text summaries, tag: ids, and the site as the feed's author."""

    feed_type = TextAtomFeed
    author_name = AUTHOR
    item_guid_is_permalink = False

    def author_link(self) -> str:
        return settings.SITE_URL


class EventsFeed(RecordFeed):
    title = "Red Line Tracker: new events"
    link = "/red-lines/"
    subtitle = "Restatements, crossings, responses and withdrawals as they are recorded, with sources."

    def feed_guid(self) -> str:
        return tag_uri("feeds/events")

    def items(self) -> QuerySet[Event]:
        return published_events().order_by("-created_at", "-id")[:ITEMS]

    def item_title(self, event: Event) -> str:
        return f"{event.get_kind_display()}: {event.red_line.title}"

    def item_description(self, event: Event) -> str:
        return with_sources(f"{event.occurred_on.isoformat()}: {event.summary}", event.sources.all())

    def item_link(self, event: Event) -> str:
        return f"{event.red_line.get_absolute_url()}#event-{event.pk}"

    def item_guid(self, event: Event) -> str:
        return tag_uri(f"event/{event.pk}")

    def item_pubdate(self, event: Event) -> datetime:
        return event.created_at

    def item_updateddate(self, event: Event) -> datetime:
        return event.updated_at


@dataclass(frozen=True)
class LineItem:
    key: str
    guid: str
    line_url: str
    title: str
    description: str
    on: date
    recorded: datetime
    updated: datetime


class RedLineFeed(RecordFeed):
    """One line: its events and each change of its status."""

    def get_object(self, request: HttpRequest, slug: str) -> RedLine:
        return get_object_or_404(public_red_lines(), slug=slug)

    def title(self, line: RedLine) -> str:
        return f"Red line: {line.title}"

    def link(self, line: RedLine) -> str:
        return line.get_absolute_url()

    def feed_guid(self, line: RedLine) -> str:
        return tag_uri(f"feeds/red-line/{line.pk}")

    def subtitle(self, line: RedLine) -> str:
        return f"Declared by {line.declared_by.name} on {line.declared_on.isoformat()}; now {line.status}."

    def items(self, line: RedLine) -> list[LineItem]:
        items = [
            LineItem(
                key=f"event-{e.pk}",
                guid=tag_uri(f"event/{e.pk}"),
                line_url=line.get_absolute_url(),
                title=f"{e.get_kind_display()} on {e.occurred_on.isoformat()}",
                description=with_sources(e.summary, e.sources.all()),
                on=e.occurred_on,
                recorded=e.created_at,
                updated=e.updated_at,
            )
            for e in red_line_events(red_line=line)
        ]
        items += [
            LineItem(
                key=f"status-{c.pk}",
                guid=tag_uri(f"status-change/{c.pk}"),
                line_url=line.get_absolute_url(),
                title=f"Status: {c.old_status or 'declared'} → {c.new_status}",
                description=f"{c.changed_on.isoformat()}: {c.reason}",
                on=c.changed_on,
                recorded=c.recorded_at,
                updated=c.recorded_at,
            )
            for c in red_line_status_history(red_line=line)
        ]
        return sorted(items, key=lambda i: (i.on, i.recorded, i.key), reverse=True)[:ITEMS]

    def item_title(self, item: LineItem) -> str:
        return item.title

    def item_description(self, item: LineItem) -> str:
        return item.description

    def item_link(self, item: LineItem) -> str:
        return f"{item.line_url}#{item.key}"

    def item_guid(self, item: LineItem) -> str:
        return item.guid

    def item_pubdate(self, item: LineItem) -> datetime:
        return item.recorded

    def item_updateddate(self, item: LineItem) -> datetime:
        return item.updated
