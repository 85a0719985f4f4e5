from .ingest import Article, ArticleBand, Candidate, Feed, FeedPoll, FetchLog
from .record import Actor, Deletion, Event, RedLine, Source, StatusChange

__all__ = [
    "Actor",
    "Article",
    "ArticleBand",
    "Candidate",
    "Deletion",
    "Event",
    "Feed",
    "FeedPoll",
    "FetchLog",
    "RedLine",
    "Source",
    "StatusChange",
]
