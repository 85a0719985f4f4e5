"""Follows, alert emails and signed webhooks delivered to a local HTTP server."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from tests.factories import ActorFactory, RedLineFactory
from tracker.alerts import services as alerts
from tracker.models import Follow, Notification, Webhook, WebhookDelivery
from tracker.services import record

SOURCE = {"url": "https://news.example.org/a", "publisher": "Example News", "title": "Report"}


class Receiver:
    """A local webhook receiver that answers with a chosen status and keeps what it got."""

    def __init__(self) -> None:
        self.status = 200
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((dict(self.headers.items()), body))
                self.send_response(receiver.status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(f"receiver says {receiver.status}".encode())

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(autouse=True)
def alert_settings(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.FETCH_ALLOW_LOOPBACK = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    settings.WEBHOOK_PAUSE_AFTER = 5
    return settings


@pytest.fixture
def reader(django_user_model):
    return django_user_model.objects.create_user(
        "reader", email="reader@example.org", password="reader-pass-123"
    )


def crossing(red_line, *, sources=(SOURCE,), on=datetime.date(2024, 6, 1), actors=()):
    return record.event_record(
        red_line=red_line,
        kind="crossing",
        occurred_on=on,
        summary="Missiles struck a depot inside the declarer's territory.",
        sources=list(sources),
        actors=list(actors),
    )


# --- follows -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_signed_in_user_follows_and_unfollows_a_red_line(client, reader):
    line = RedLineFactory()
    client.force_login(reader)
    response = client.post(f"/follows/red-lines/{line.slug}/", HTTP_ACCEPT="application/json")
    assert response.status_code == 201
    follow_id = response.json()["id"]
    assert Follow.objects.get(pk=follow_id).red_line == line
    again = client.post(f"/follows/red-lines/{line.slug}/", HTTP_ACCEPT="application/json")
    assert again.json()["id"] == follow_id  # following twice is one follow
    assert client.post(f"/follows/{follow_id}/delete/", HTTP_ACCEPT="application/json").json() == {
        "following": False,
        "id": None,
    }
    assert not Follow.objects.exists()


@pytest.mark.django_db
def test_following_needs_a_signed_in_user_and_a_post(client, reader):
    line = RedLineFactory()
    response = client.post(f"/follows/red-lines/{line.slug}/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    client.force_login(reader)
    assert client.get(f"/follows/red-lines/{line.slug}/").status_code == 405
    assert not Follow.objects.exists()


@pytest.mark.django_db
def test_a_draft_line_cannot_be_followed(client, reader):
    draft = RedLineFactory(sourced=False)
    client.force_login(reader)
    assert client.post(f"/follows/red-lines/{draft.slug}/").status_code == 404


@pytest.mark.django_db
def test_nobody_removes_someone_elses_follow(client, reader, django_user_model):
    other = django_user_model.objects.create_user("other", password="other-pass-123")
    follow = alerts.follow_create(user=other, actor=ActorFactory())
    client.force_login(reader)
    assert client.post(f"/follows/{follow.pk}/delete/").status_code == 404
    assert Follow.objects.filter(pk=follow.pk).exists()


@pytest.mark.django_db
def test_a_saved_query_is_validated_and_normalised(client, reader):
    client.force_login(reader)
    bad = client.post("/follows/queries/", {"query": "severity=apocalyptic"})
    assert bad.status_code == 400
    assert "severity" in bad.json()["query"][0]
    empty = client.post("/follows/queries/", {"query": "page=2"})
    assert empty.status_code == 400
    ok = client.post(
        "/follows/queries/",
        {"query": "?status=crossed&severity=nuclear&page=3"},
        HTTP_ACCEPT="application/json",
    )
    assert ok.status_code == 201
    assert Follow.objects.get(pk=ok.json()["id"]).query == "severity=nuclear&status=crossed"


# --- emails ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_followers_of_a_line_get_mail_when_it_gains_an_event_and_changes_status(
    reader, django_capture_on_commit_callbacks
):
    line = RedLineFactory()
    alerts.follow_create(user=reader, red_line=line)
    with django_capture_on_commit_callbacks(execute=True):
        crossing(line)
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == [f"New crossing on red line: {line.title}", f"Red line now crossed: {line.title}"]
    assert all(m.to == ["reader@example.org"] for m in mail.outbox)
    assert line.get_absolute_url() in mail.outbox[0].body
    assert set(Notification.objects.values_list("kind", flat=True)) == {"event.recorded", "status.changed"}


@pytest.mark.django_db
def test_followers_of_an_actor_and_of_a_matching_query_get_mail_others_do_not(
    django_user_model, django_capture_on_commit_callbacks
):
    striker = ActorFactory(name="Striker")
    line = RedLineFactory(severity="military")
    by_actor = django_user_model.objects.create_user("a", email="a@example.org")
    by_query = django_user_model.objects.create_user("q", email="q@example.org")
    by_other_query = django_user_model.objects.create_user("n", email="n@example.org")
    alerts.follow_create(user=by_actor, actor=striker)
    alerts.follow_create(user=by_query, query="severity=military")
    alerts.follow_create(user=by_other_query, query="severity=nuclear")
    with django_capture_on_commit_callbacks(execute=True):
        crossing(line, actors=[striker])
    recipients = {m.to[0] for m in mail.outbox}
    assert recipients == {"a@example.org", "q@example.org"}


@pytest.mark.django_db
def test_a_draft_event_alerts_nobody_until_it_gets_its_source(reader, django_capture_on_commit_callbacks):
    line = RedLineFactory()
    alerts.follow_create(user=reader, red_line=line)
    with django_capture_on_commit_callbacks(execute=True):
        event = crossing(line, sources=())
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        record.source_add(parent=event, data=SOURCE)
    assert len([m for m in mail.outbox if m.subject.startswith("New crossing")]) == 1
    with django_capture_on_commit_callbacks(execute=True):
        record.source_add(parent=event, data={**SOURCE, "url": "https://news.example.org/b"})
    assert len([m for m in mail.outbox if m.subject.startswith("New crossing")]) == 1  # announced once


# --- webhooks ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_webhook_receives_a_signed_payload_it_can_verify(receiver, django_capture_on_commit_callbacks):
    hook = Webhook.objects.create(name="Desk", url=receiver.url, events=["event.recorded"])
    line = RedLineFactory()
    with django_capture_on_commit_callbacks(execute=True):
        event = crossing(line)
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    assert headers["X-RLT-Event"] == "event.recorded"
    assert alerts.signature_verify(
        secret=hook.secret, timestamp=headers["X-RLT-Timestamp"], body=body, header=headers["X-RLT-Signature"]
    )
    assert not alerts.signature_verify(
        secret="wrong", timestamp=headers["X-RLT-Timestamp"], body=body, header=headers["X-RLT-Signature"]
    )
    assert not alerts.signature_verify(
        secret=hook.secret,
        timestamp=headers["X-RLT-Timestamp"],
        body=body + b" ",
        header=headers["X-RLT-Signature"],
    )
    payload = json.loads(body)
    assert payload["type"] == "event.recorded"
    assert payload["red_line"]["slug"] == line.slug
    assert payload["event"]["id"] == event.pk
    assert payload["event"]["sources"][0]["url"] == SOURCE["url"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "delivered"
    assert delivery.status_code == 200
    assert delivery.attempts == 1
    assert delivery.response_excerpt == "receiver says 200"
    assert delivery.duration_ms is not None
    assert headers["X-RLT-Delivery"] == str(delivery.pk)


@pytest.mark.django_db
def test_a_failing_receiver_is_retried_then_given_up_with_the_error_recorded(
    receiver, django_capture_on_commit_callbacks
):
    receiver.status = 500
    hook = Webhook.objects.create(name="Flaky", url=receiver.url, events=["status.changed"])
    with django_capture_on_commit_callbacks(execute=True):
        crossing(RedLineFactory())
    assert len(receiver.requests) == 3  # WEBHOOK_MAX_ATTEMPTS
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed"
    assert delivery.attempts == 3
    assert delivery.status_code == 500
    assert delivery.error == "HTTP 500"
    assert delivery.response_excerpt == "receiver says 500"
    hook.refresh_from_db()
    assert hook.consecutive_failures == 3
    assert hook.active


@pytest.mark.django_db
def test_a_recovering_receiver_gets_the_delivery_and_the_failure_count_resets(
    receiver, django_capture_on_commit_callbacks
):
    receiver.status = 503
    hook = Webhook.objects.create(name="Recovering", url=receiver.url, events=["event.recorded"])
    with django_capture_on_commit_callbacks(execute=True):
        crossing(RedLineFactory())
    delivery = WebhookDelivery.objects.get()
    receiver.status = 200
    WebhookDelivery.objects.filter(pk=delivery.pk).update(state="pending")
    assert alerts.webhook_deliver(delivery_id=delivery.pk).delivered
    hook.refresh_from_db()
    assert hook.consecutive_failures == 0


@pytest.mark.django_db
def test_a_hook_failing_repeatedly_is_paused_with_the_reason_shown_in_admin(
    receiver, django_capture_on_commit_callbacks, superuser, client
):
    receiver.status = 500
    hook = Webhook.objects.create(name="Broken", url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        crossing(RedLineFactory())  # event.recorded + status.changed: 3 + 2 attempts, then paused
    hook.refresh_from_db()
    assert not hook.active
    assert hook.paused_reason.startswith("paused after 5 failed deliveries in a row; last: HTTP 500")
    assert len(receiver.requests) == 5
    states = sorted(WebhookDelivery.objects.values_list("state", flat=True))
    assert states == ["failed", "skipped"]
    with django_capture_on_commit_callbacks(execute=True):
        crossing(RedLineFactory())
    assert len(receiver.requests) == 5  # a paused hook gets nothing more
    client.force_login(superuser)
    page = client.get("/admin/tracker/webhook/").content.decode()
    assert "paused after 5 failed deliveries" in page
    deliveries = client.get("/admin/tracker/webhookdelivery/").content.decode()
    assert "HTTP 500" in deliveries
    alerts.webhook_resume(webhook=hook)
    hook.refresh_from_db()
    assert hook.active and hook.consecutive_failures == 0 and hook.paused_reason == ""


@pytest.mark.django_db
def test_an_unreachable_receiver_is_recorded_as_a_connection_error(django_capture_on_commit_callbacks):
    closed = Receiver()
    url = closed.url
    closed.close()
    Webhook.objects.create(name="Gone", url=url, events=["event.recorded"])
    with django_capture_on_commit_callbacks(execute=True):
        crossing(RedLineFactory())
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed"
    assert delivery.status_code is None
    assert "connection" in delivery.error.lower() or "refused" in delivery.error.lower()


@pytest.mark.django_db
def test_webhooks_to_private_addresses_are_refused_unless_allowed(
    settings, django_capture_on_commit_callbacks
):
    settings.FETCH_ALLOW_LOOPBACK = False
    settings.FETCH_ALLOW_PRIVATE = False
    Webhook.objects.create(name="Inside", url="http://127.0.0.1:9/hook", events=["event.recorded"])
    with django_capture_on_commit_callbacks(execute=True):
        crossing(RedLineFactory())
    delivery = WebhookDelivery.objects.get()
    assert delivery.status_code is None
    assert delivery.error


def test_retries_back_off_exponentially(settings):
    settings.WEBHOOK_BACKOFF_BASE = 30
    assert [alerts.retry_countdown(attempts=n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/hook",
        "http://10.0.0.5/hook",
        "http://[::ffff:169.254.169.254]/x",
        "ftp://x.org/",
    ],
)
def test_a_webhook_to_an_address_delivery_would_refuse_is_refused_when_saved(settings, url):
    settings.FETCH_ALLOW_LOOPBACK = False
    hook = Webhook(name="Metadata", url=url)
    with pytest.raises(ValidationError) as refused:
        hook.full_clean()
    assert "refused" in " ".join(refused.value.message_dict["url"])


@pytest.mark.django_db
def test_admin_refuses_a_webhook_to_the_cloud_metadata_address(client, superuser):
    client.force_login(superuser)
    form = {
        "name": "Metadata",
        "secret": "s3cret",
        "events": '["event.recorded"]',
        "active": "on",
        "deliveries-TOTAL_FORMS": "0",
        "deliveries-INITIAL_FORMS": "0",
    }
    refused = client.post("/admin/tracker/webhook/add/", {**form, "url": "http://169.254.169.254/hook"})
    assert refused.status_code == 200
    assert "resolves to non-public address 169.254.169.254" in refused.content.decode()
    assert not Webhook.objects.exists()
    saved = client.post("/admin/tracker/webhook/add/", {**form, "url": "http://127.0.0.1:9/hook"})
    assert saved.status_code == 302  # loopback is allowed here (FETCH_ALLOW_LOOPBACK, as in tests)
    assert Webhook.objects.get().url == "http://127.0.0.1:9/hook"
