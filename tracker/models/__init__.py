# The alert models live with the rest of alerts; importing them here registers them with the app.
from tracker.alerts.models import Follow, Notification, Webhook, WebhookDelivery

from .ingest import Article, ArticleBand, Candidate, Feed, FeedPoll, FetchLog
from .ops import OutboxTask
from .record import Actor, Deletion, Event, RedLine, Source, StatusChange
from .tokens import ApiToken

__all__ = [
    "Actor",
    "ApiToken",
    "Article",
    "ArticleBand",
    "Candidate",
    "Deletion",
    "Event",
    "Feed",
    "FeedPoll",
    "FetchLog",
    "Follow",
    "Notification",
    "OutboxTask",
    "RedLine",
    "Source",
    "StatusChange",
    "Webhook",
    "WebhookDelivery",
]
