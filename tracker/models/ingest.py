"""Ingestion: feeds, the articles they bring, and the candidates analysis proposes."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .record import Actor, Event, RedLine, TimeStamped, _in


class Feed(TimeStamped):
    url = models.URLField(max_length=1000, unique=True)
    title = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True)
    poll_interval = models.PositiveIntegerField(default=1800, help_text="Seconds between polls.")
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(max_length=40, blank=True)
    next_poll_at = models.DateTimeField(default=timezone.now, db_index=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title or self.url


class FeedPoll(models.Model):
    """One poll of a feed: what came back and what it cost."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="polls")
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20)
    bytes_received = models.PositiveIntegerField(default=0)
    entries_found = models.PositiveIntegerField(default=0)
    articles_created = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.feed} at {self.started_at:%Y-%m-%d %H:%M}: {self.outcome}"


class ArticleState(models.TextChoices):
    DISCOVERED = "discovered", "Discovered"
    FETCHED = "fetched", "Fetched (ready for analysis)"
    ANALYSED = "analysed", "Analysed"
    DUPLICATE = "duplicate", "Duplicate"
    FAILED = "failed", "Failed"


class Article(TimeStamped):
    State = ArticleState

    url = models.URLField(max_length=2000, blank=True)
    canonical_url = models.CharField(max_length=2000, unique=True)
    feed = models.ForeignKey(Feed, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles")
    title = models.CharField(max_length=1000, blank=True)
    publisher = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=20, blank=True)
    text = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64, blank=True, db_index=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    state = models.CharField(max_length=12, choices=State.choices, default=ArticleState.DISCOVERED)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    claimed_until = models.DateTimeField(
        null=True, blank=True, help_text="A worker holds the fetch until then (a lease, not a lock)."
    )
    fetched_at = models.DateTimeField(null=True, blank=True)
    analysed_at = models.DateTimeField(null=True, blank=True)
    # Full-text document kept by a PostgreSQL trigger (migration 0003).
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "created_at"]),
            GinIndex(fields=["search_vector"], name="article_search_gin"),
        ]
        constraints = [
            models.CheckConstraint(condition=_in("state", ArticleState), name="article_state_valid"),
            # One original per exact text: a second writer of the same text fails here and becomes a duplicate.
            models.UniqueConstraint(
                fields=["content_hash"],
                condition=Q(state__in=[ArticleState.FETCHED, ArticleState.ANALYSED]) & ~Q(content_hash=""),
                name="article_unique_original_text",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.canonical_url


class ArticleBand(models.Model):
    """One MinHash LSH band value of an original article's text, for near-duplicate lookup."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bands")
    value = models.BigIntegerField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "value"], name="article_band_unique")]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.value}"


class FetchLog(models.Model):
    """One fetch of an article page."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="fetches")
    started_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    final_url = models.CharField(max_length=2000, blank=True)
    bytes_received = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=20)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.article_id} at {self.started_at:%Y-%m-%d %H:%M}: {self.outcome}"


class CandidateKind(models.TextChoices):
    NEW_RED_LINE = "new_red_line", "New red line"
    RESTATEMENT = "restatement", "Restatement"
    CROSSING = "crossing", "Crossing"
    RESPONSE = "response", "Response"


class CandidateStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class Candidate(models.Model):
    """A finding proposed by analysis; nothing reaches the public record until accepted."""

    Kind = CandidateKind

    Status = CandidateStatus

    kind = models.CharField(max_length=14, choices=Kind.choices)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="candidates")
    red_line = models.ForeignKey(
        RedLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="candidates"
    )
    declarer = models.ForeignKey(Actor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    addressees = models.ManyToManyField(Actor, blank=True, related_name="+")
    actors = models.ManyToManyField(Actor, blank=True, related_name="+")
    evidence = models.TextField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    trigger = models.TextField(blank=True)
    threatened_response = models.TextField(blank=True)
    occurred_on = models.DateField(null=True, blank=True)
    score = models.FloatField(default=0.0)
    status = models.CharField(max_length=10, choices=Status.choices, default=CandidateStatus.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_red_line = models.ForeignKey(
        RedLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-score", "id"]
        indexes = [models.Index(fields=["status", "-score"])]
        constraints = [
            models.CheckConstraint(condition=_in("kind", CandidateKind), name="candidate_kind_valid"),
            models.CheckConstraint(condition=_in("status", CandidateStatus), name="candidate_status_valid"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1), name="candidate_score_0_1"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="candidate_span_ordered"),
            models.UniqueConstraint(
                fields=["article", "kind", "start", "end"], name="candidate_unique_finding"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.evidence[:80]}"
