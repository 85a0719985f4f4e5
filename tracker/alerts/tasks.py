"""Thin Celery adapters for alerts: ids in, a service call, retries with exponential backoff."""

from typing import Any

from celery import shared_task

from tracker.alerts import services as alerts


@shared_task(bind=True, name="tracker.alerts.tasks.deliver_webhook", max_retries=None, ignore_result=True)
def deliver_webhook(self: Any, delivery_id: int) -> dict[str, Any]:
    outcome = alerts.webhook_deliver(delivery_id=delivery_id)
    if outcome.retry:
        raise self.retry(countdown=alerts.retry_countdown(attempts=outcome.attempts))
    return {"delivered": outcome.delivered, "attempts": outcome.attempts}


@shared_task(
    name="tracker.alerts.tasks.send_alert_emails",
    autoretry_for=(OSError,),
    retry_backoff=30,
    max_retries=5,
    ignore_result=True,
)
def send_alert_emails(notification_id: int) -> int:
    return alerts.alert_emails_send(notification_id=notification_id)
