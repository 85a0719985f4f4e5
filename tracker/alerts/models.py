"""Alerts for people who watch the record: follows, webhooks, and what was sent."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tracker.lib.safe_http import public_url_validator
from tracker.models.record import Actor, RedLine


class Follow(models.Model):
    """A signed-in user watching one red line, one actor, or a saved red-line list query."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    red_line = models.ForeignKey(
        RedLine, null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    actor = models.ForeignKey(Actor, null=True, blank=True, on_delete=models.CASCADE, related_name="follows")
    query = models.CharField(
        max_length=1000,
        blank=True,
        help_text="A red-line list query string, e.g. status=crossed&severity=nuclear.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(red_line__isnull=False) & Q(actor__isnull=True) & Q(query=""))
                | (Q(red_line__isnull=True) & Q(actor__isnull=False) & Q(query=""))
                | (Q(red_line__isnull=True) & Q(actor__isnull=True) & ~Q(query="")),
                name="follow_exactly_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "red_line"], condition=Q(red_line__isnull=False), name="follow_unique_line"
            ),
            models.UniqueConstraint(
                fields=["user", "actor"], condition=Q(actor__isnull=False), name="follow_unique_actor"
            ),
            models.UniqueConstraint(
                fields=["user", "query"], condition=~Q(query=""), name="follow_unique_query"
            ),
        ]

    def __str__(self) -> str:
        target = self.red_line or self.actor or f"lines matching “{self.query}”"
        return f"{self.user} follows {target}"


class AlertKind(models.TextChoices):
    EVENT_RECORDED = "event.recorded", "Event recorded"
    STATUS_CHANGED = "status.changed", "Status changed"


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


def _all_kinds() -> list[str]:
    return list(AlertKind.values)


class Webhook(models.Model):
    """An organisation's endpoint that receives signed JSON on changes to public red lines."""

    name = models.CharField(max_length=200, help_text="Who receives it, e.g. the newsroom's desk.")
    url = models.URLField(
        max_length=1000,
        validators=[public_url_validator],
        help_text="http or https, resolving to a public address (like every URL the app reaches).",
    )
    secret = models.CharField(
        max_length=200, default=_new_secret, help_text="Key of the HMAC-SHA256 signature."
    )
    events = models.JSONField(default=_all_kinds, help_text=f"Any of: {', '.join(AlertKind.values)}")
    active = models.BooleanField(default=True)
    paused_reason = models.CharField(max_length=500, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """One change worth telling watchers about; emails and webhook deliveries hang off it."""

    key = models.CharField(max_length=100, unique=True, help_text="Makes sending twice impossible.")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    red_line = models.ForeignKey(RedLine, null=True, on_delete=models.SET_NULL, related_name="notifications")
    payload = models.JSONField()
    emails_sent = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.key


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (gave up)"
    SKIPPED = "skipped", "Skipped (hook paused)"


class WebhookDelivery(models.Model):
    """One notification sent (or being sent) to one hook, with the last response."""

    State = DeliveryState

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    event_type = models.CharField(max_length=20, choices=AlertKind.choices)
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["webhook", "notification"], name="delivery_once_per_hook"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.webhook} ({self.state})"
