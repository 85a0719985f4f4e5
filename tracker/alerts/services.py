"""Alerts: who follows what, what changed, and telling them (email) or their systems (webhooks).

A change worth telling is a ``Notification`` with a unique key (``event:<id>``,
``status:<id>``), so a change is announced once however many times a signal fires. Emails and
webhook deliveries are Celery tasks queued through the outbox, so a broker outage delays them but
never loses them.

Webhook payloads are signed: header ``X-RLT-Signature: sha256=<hex>`` is HMAC-SHA256, keyed with
the hook's secret, over ``<X-RLT-Timestamp>.<raw body>`` (see docs/webhooks.md).
"""

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import urllib3
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import QueryDict
from django.utils import timezone

from tracker.alerts.models import AlertKind
from tracker.errors import DomainError
from tracker.lib import safe_http
from tracker.models import (
    Actor,
    Event,
    Follow,
    Notification,
    RedLine,
    StatusChange,
    Webhook,
    WebhookDelivery,
)
from tracker.selectors.red_lines import RedLineFilter
from tracker.services.outbox import task_enqueue_on_commit

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-RLT-Signature"
TIMESTAMP_HEADER = "X-RLT-Timestamp"
EVENT_HEADER = "X-RLT-Event"
DELIVERY_HEADER = "X-RLT-Delivery"
EXCERPT_CHARS = 2000


# --- follows ------------------------------------------------------------------------------------


def query_normalise(query: str) -> str:
    """A saved list query in one canonical spelling; DomainError when the filters reject it."""
    params = QueryDict(query.lstrip("?"), mutable=True)
    for key in ("page", "page_size", "format", "ordering"):
        params.pop(key, None)
    form = RedLineFilter(params, queryset=RedLine.objects.none()).form
    if not form.is_valid():
        first = next(iter(form.errors.items()))
        raise DomainError(f"{first[0]}: {first[1][0]}", field="query")
    pairs = sorted((k, v) for k in params for v in params.getlist(k) if v.strip() and k in form.fields)
    if not pairs:
        raise DomainError("A saved query needs at least one filter.", field="query")
    return urlencode(pairs)


def follow_create(
    *,
    user: AbstractBaseUser,
    red_line: RedLine | None = None,
    actor: Actor | None = None,
    query: str = "",
) -> Follow:
    """Follow exactly one of a red line, an actor or a saved red-line list query (idempotent)."""
    if sum(bool(x) for x in (red_line, actor, query)) != 1:
        raise DomainError("Follow exactly one red line, actor or saved query.")
    if red_line is not None and not red_line.is_published:
        raise DomainError("Only published red lines can be followed.", field="red_line")
    if query:
        query = query_normalise(query)
    try:
        with transaction.atomic():
            follow, _ = Follow.objects.get_or_create(user=user, red_line=red_line, actor=actor, query=query)
    except IntegrityError:  # a concurrent identical follow won the race
        follow = Follow.objects.get(user=user, red_line=red_line, actor=actor, query=query)
    return follow


def follow_delete(*, user: AbstractBaseUser, follow_id: int) -> bool:
    """Unfollow; only the owner can. True when something was removed."""
    deleted, _ = Follow.objects.filter(pk=follow_id, user=user).delete()
    return bool(deleted)


def followers_of(*, red_line: RedLine, event: Event | None = None) -> list[AbstractBaseUser]:
    """Active users with an email who follow the line, an actor on it, or a query matching it."""
    actor_ids = {red_line.declared_by_id, *red_line.addressees.values_list("id", flat=True)}
    if event is not None:
        actor_ids.update(event.actors.values_list("id", flat=True))
    follows = Follow.objects.filter(
        Q(red_line=red_line) | Q(actor_id__in=actor_ids) | ~Q(query=""),
        user__is_active=True,
    ).select_related("user")
    users: dict[int, AbstractBaseUser] = {}
    one_line = RedLine.objects.filter(pk=red_line.pk, is_published=True)
    for follow in follows:
        if not follow.user.email or follow.user.pk in users:
            continue
        if follow.query and not RedLineFilter(QueryDict(follow.query), queryset=one_line).qs.exists():
            continue
        users[follow.user.pk] = follow.user
    return list(users.values())


# --- notifications ------------------------------------------------------------------------------


def _line_payload(red_line: RedLine) -> dict[str, Any]:
    return {
        "slug": red_line.slug,
        "title": red_line.title,
        "status": red_line.status,
        "declared_by": red_line.declared_by.slug,
        "url": f"{settings.SITE_URL.rstrip('/')}{red_line.get_absolute_url()}",
    }


def notify_event_recorded(*, event_id: int) -> Notification | None:
    """Announce a newly recorded event once it is public (`tracker.rules.publication`)."""
    event = Event.objects.select_related("red_line__declared_by").filter(pk=event_id).first()
    if event is None or not event.is_public:
        return None
    payload = {
        "type": AlertKind.EVENT_RECORDED,
        "red_line": _line_payload(event.red_line),
        "event": {
            "id": event.pk,
            "kind": event.kind,
            "occurred_on": event.occurred_on.isoformat(),
            "summary": event.summary,
            "partial": event.partial,
            "actors": list(event.actors.values_list("slug", flat=True)),
            "sources": [
                {
                    "url": s.url,
                    "publisher": s.publisher,
                    "title": s.title,
                    "published_on": _iso(s.published_on),
                }
                for s in event.sources.all()
            ],
        },
    }
    return _notify(
        key=f"event:{event.pk}", kind=AlertKind.EVENT_RECORDED, red_line=event.red_line, payload=payload
    )


def notify_status_changed(*, status_change_id: int) -> Notification | None:
    """Announce a change of a published line's status (not its first, 'declared' entry)."""
    change = StatusChange.objects.select_related("red_line__declared_by").filter(pk=status_change_id).first()
    if change is None or not change.old_status or not change.red_line.is_published:
        return None
    payload = {
        "type": AlertKind.STATUS_CHANGED,
        "red_line": _line_payload(change.red_line),
        "status_change": {
            "old_status": change.old_status,
            "new_status": change.new_status,
            "changed_on": change.changed_on.isoformat(),
            "reason": change.reason,
            "event_id": change.event_id,
        },
    }
    return _notify(
        key=f"status:{change.pk}", kind=AlertKind.STATUS_CHANGED, red_line=change.red_line, payload=payload
    )


def _notify(*, key: str, kind: str, red_line: RedLine, payload: dict[str, Any]) -> Notification | None:
    payload = {"id": key, "created_at": timezone.now().isoformat(), **payload}
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            key=key, defaults={"kind": kind, "red_line": red_line, "payload": payload}
        )
        if not created:
            return None
        for hook in Webhook.objects.filter(active=True):
            if kind in (hook.events or []):
                delivery = WebhookDelivery.objects.create(
                    webhook=hook, notification=notification, event_type=kind, payload=notification.payload
                )
                task_enqueue_on_commit(task="tracker.alerts.tasks.deliver_webhook", args=[delivery.pk])
        task_enqueue_on_commit(task="tracker.alerts.tasks.send_alert_emails", args=[notification.pk])
    return notification


def alert_emails_send(*, notification_id: int) -> int:
    """Email every follower of the notification's line once; returns how many were sent."""
    claimed = (
        Notification.objects.filter(pk=notification_id, emails_sent=0).select_related("red_line").first()
    )
    if claimed is None or claimed.red_line is None:
        return 0
    payload = claimed.payload
    event = (
        Event.objects.filter(pk=payload.get("event", {}).get("id")).first() if "event" in payload else None
    )
    recipients = followers_of(red_line=claimed.red_line, event=event)
    if not recipients:
        return 0
    subject, body = _email_text(payload)
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]) for user in recipients]
    # Mark after sending: a mail server outage makes the task retry rather than lose the alert.
    send_mass_mail(messages, fail_silently=False)
    Notification.objects.filter(pk=notification_id).update(emails_sent=len(messages))
    return len(messages)


def _email_text(payload: dict[str, Any]) -> tuple[str, str]:
    line = payload["red_line"]
    if payload["type"] == AlertKind.STATUS_CHANGED:
        change = payload["status_change"]
        subject = f"Red line now {change['new_status']}: {line['title']}"
        what = f"Its status changed from {change['old_status']} to {change['new_status']} on {change['changed_on']} ({change['reason']})."
    else:
        event = payload["event"]
        subject = f"New {event['kind']} on red line: {line['title']}"
        what = f"A {event['kind']} dated {event['occurred_on']} was recorded: {event['summary']}"
    body = f"{line['title']}\n\n{what}\n\nCurrent status: {line['status']}\n{line['url']}\n\nYou receive this because you follow this line, an actor on it, or a saved query it matches.\n"
    return subject[:200], body


# --- webhooks -------------------------------------------------------------------------------------


def signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` + hex HMAC-SHA256 of ``<timestamp>.<body>`` keyed with the hook's secret."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signature_verify(*, secret: str, timestamp: str, body: bytes, header: str, tolerance: int = 300) -> bool:
    """What a receiver does: recompute, compare in constant time, refuse stale timestamps."""
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(signature(secret=secret, timestamp=timestamp, body=body), header)


@dataclass
class DeliveryOutcome:
    delivered: bool
    retry: bool
    attempts: int


def webhook_deliver(*, delivery_id: int) -> DeliveryOutcome:
    """POST one delivery; record status, excerpt, timing, error; pause the hook after repeated failures."""
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.state != WebhookDelivery.State.PENDING:
        return DeliveryOutcome(delivered=False, retry=False, attempts=getattr(delivery, "attempts", 0))
    hook = delivery.webhook
    if not hook.active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=WebhookDelivery.State.SKIPPED, error=f"hook paused: {hook.paused_reason}"[:500]
        )
        return DeliveryOutcome(delivered=False, retry=False, attempts=delivery.attempts)
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "RedLineTracker-Webhooks/1.0",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret=hook.secret, timestamp=timestamp, body=body),
        EVENT_HEADER: delivery.event_type,
        DELIVERY_HEADER: str(delivery.pk),
    }
    started = time.monotonic()
    status_code, excerpt, error = None, "", ""
    try:
        safe_http.url_check(hook.url)
        response = safe_http.checked_pool_manager().request(
            "POST",
            hook.url,
            body=body,
            headers=headers,
            redirect=False,
            retries=False,
            timeout=urllib3.Timeout(connect=settings.WEBHOOK_TIMEOUT, read=settings.WEBHOOK_TIMEOUT),
            preload_content=False,
        )
        try:
            status_code = response.status
            excerpt = response.read(EXCERPT_CHARS, decode_content=True).decode("utf-8", "replace")
        finally:
            response.release_conn()
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except safe_http.FetchError as exc:
        error = exc.message
    except Exception as exc:  # network failures of any kind are the receiver's outage, recorded
        error = f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
    duration_ms = int((time.monotonic() - started) * 1000)
    attempts = delivery.attempts + 1
    delivered = not error
    gave_up = not delivered and attempts >= settings.WEBHOOK_MAX_ATTEMPTS
    state = (
        WebhookDelivery.State.DELIVERED
        if delivered
        else WebhookDelivery.State.FAILED
        if gave_up
        else WebhookDelivery.State.PENDING
    )
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=state,
            attempts=attempts,
            status_code=status_code,
            response_excerpt=excerpt,
            duration_ms=duration_ms,
            error=error,
            last_attempt_at=timezone.now(),
        )
        if delivered:
            Webhook.objects.filter(pk=hook.pk).update(consecutive_failures=0)
            return DeliveryOutcome(delivered=True, retry=False, attempts=attempts)
        Webhook.objects.filter(pk=hook.pk).update(consecutive_failures=F("consecutive_failures") + 1)
        hook.refresh_from_db(fields=["consecutive_failures", "active"])
        if hook.active and hook.consecutive_failures >= settings.WEBHOOK_PAUSE_AFTER:
            webhook_pause(
                webhook=hook,
                reason=f"paused after {hook.consecutive_failures} failed deliveries in a row; last: {error}",
            )
            return DeliveryOutcome(delivered=False, retry=False, attempts=attempts)
    return DeliveryOutcome(delivered=False, retry=not gave_up, attempts=attempts)


def webhook_pause(*, webhook: Webhook, reason: str) -> None:
    """Stop delivering to a hook; its pending deliveries are skipped with the reason."""
    Webhook.objects.filter(pk=webhook.pk).update(
        active=False, paused_reason=reason[:500], paused_at=timezone.now()
    )
    WebhookDelivery.objects.filter(webhook=webhook, state=WebhookDelivery.State.PENDING).update(
        state=WebhookDelivery.State.SKIPPED, error=f"hook paused: {reason}"[:500]
    )
    logger.warning("webhook %s paused: %s", webhook.pk, reason)


def webhook_resume(*, webhook: Webhook) -> None:
    Webhook.objects.filter(pk=webhook.pk).update(
        active=True, paused_reason="", paused_at=None, consecutive_failures=0
    )


def retry_countdown(*, attempts: int) -> float:
    """Exponential backoff: base, 2×base, 4×base, ... after the 1st, 2nd, 3rd failure."""
    return settings.WEBHOOK_BACKOFF_BASE * (2 ** max(attempts - 1, 0))


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None
