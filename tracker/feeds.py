"""Atom feeds for people who watch: all new events, and one line's events and status changes."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from tracker.models import Event, RedLine
from tracker.selectors.events import published_events
from tracker.selectors.red_lines import public_red_lines, red_line_events, red_line_status_history

ITEMS = 50


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class EventsFeed(Feed):
    feed_type = Atom1Feed
    title = "Red Line Tracker: new events"
    link = "/red-lines/"
    subtitle = "Restatements, crossings, responses and withdrawals as they are recorded, with sources."

    def items(self) -> QuerySet[Event]:
        return published_events().order_by("-created_at", "-id")[:ITEMS]

    def item_title(self, event: Event) -> str:
        return f"{event.get_kind_display()}: {event.red_line.title}"

    def item_description(self, event: Event) -> str:
        return f"{event.occurred_on.isoformat()}: {event.summary}"

    def item_link(self, event: Event) -> str:
        return f"{event.red_line.get_absolute_url()}#event-{event.pk}"

    def item_guid(self, event: Event) -> str:
        return f"red-line-tracker:event:{event.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, event: Event) -> datetime:
        return event.created_at

    def item_updateddate(self, event: Event) -> datetime:
        return event.updated_at


@dataclass(frozen=True)
class LineItem:
    key: str
    line_url: str
    title: str
    description: str
    on: date
    recorded: datetime


class RedLineFeed(Feed):
    """One line: its events and each change of its status."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, slug: str) -> RedLine:
        return get_object_or_404(public_red_lines(), slug=slug)

    def title(self, line: RedLine) -> str:
        return f"Red line: {line.title}"

    def link(self, line: RedLine) -> str:
        return line.get_absolute_url()

    def subtitle(self, line: RedLine) -> str:
        return f"Declared by {line.declared_by.name} on {line.declared_on.isoformat()}; now {line.status}."

    def items(self, line: RedLine) -> list[LineItem]:
        items = [
            LineItem(
                key=f"event-{e.pk}",
                line_url=line.get_absolute_url(),
                title=f"{e.get_kind_display()} on {e.occurred_on.isoformat()}",
                description=e.summary,
                on=e.occurred_on,
                recorded=e.created_at,
            )
            for e in red_line_events(red_line=line)
        ]
        items += [
            LineItem(
                key=f"status-{c.pk}",
                line_url=line.get_absolute_url(),
                title=f"Status: {c.old_status or 'declared'} → {c.new_status}",
                description=f"{c.changed_on.isoformat()}: {c.reason}",
                on=c.changed_on,
                recorded=c.recorded_at,
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
        return f"red-line-tracker:{item.line_url}#{item.key}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: LineItem) -> datetime:
        return _at(item.on)

    def item_updateddate(self, item: LineItem) -> datetime:
        return item.recorded
