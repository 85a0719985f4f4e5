"""Admin: feed health and actions, articles with the extracted text shown as plain text."""

import pytest
from django.urls import reverse

from tests.ingest_support import feed_reply, rss
from tracker.models import Article, Feed, FeedPoll, FetchLog

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fetch_settings", "eager_tasks")]


@pytest.fixture
def admin_client(django_user_model, client):
    user = django_user_model.objects.create_superuser("root", "root@example.org", None)
    client.force_login(user)
    return client


def test_feed_list_shows_health(admin_client):
    Feed.objects.create(
        url="https://a.example.org/f",
        title="Failing feed",
        consecutive_failures=3,
        last_status="error: HTTP 500",
    )
    Feed.objects.create(
        url="https://b.example.org/f",
        title="Off",
        active=False,
        disabled_reason="disabled after 8 consecutive failures; last: HTTP 500",
    )
    page = admin_client.get(reverse("admin:tracker_feed_changelist")).content.decode()
    assert "failing (3)" in page and "error: HTTP 500" in page
    assert "disabled after 8 consecutive failures" in page and "Next poll at" in page


def test_poll_now_action_polls_the_selected_feeds(
    admin_client, local_server, django_capture_on_commit_callbacks
):
    feed = Feed.objects.create(url=local_server.route("/f.xml", feed_reply(rss([]))))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:tracker_feed_changelist"), {"action": "poll_now", "_selected_action": [feed.pk]}
        )
    assert response.status_code == 302
    assert local_server.hits["/f.xml"] == 1 and FeedPoll.objects.filter(feed=feed).count() == 1
    detail = admin_client.get(reverse("admin:tracker_feed_change", args=[feed.pk])).content.decode()
    assert "Last 10 polls" in detail and "200" in detail


def test_enable_and_disable_actions(admin_client):
    feed = Feed.objects.create(
        url="https://a.example.org/f", active=False, consecutive_failures=8, disabled_reason="x"
    )
    url = reverse("admin:tracker_feed_changelist")
    admin_client.post(url, {"action": "enable", "_selected_action": [feed.pk]})
    feed.refresh_from_db()
    assert feed.active and feed.consecutive_failures == 0 and feed.disabled_reason == ""
    admin_client.post(url, {"action": "disable", "_selected_action": [feed.pk]})
    feed.refresh_from_db()
    assert not feed.active and feed.disabled_reason == "disabled by a curator"


def test_articles_are_searchable_filterable_and_text_is_plain(admin_client):
    article = Article.objects.create(
        canonical_url="https://a.example.org/1",
        title="Missile warning",
        state="fetched",
        text='<script>alert("x")</script> The minister warned.',
    )
    Article.objects.create(canonical_url="https://a.example.org/2", title="Weather", state="failed")
    listing = admin_client.get(
        reverse("admin:tracker_article_changelist"), {"q": "missile", "state__exact": "fetched"}
    )
    assert "Missile warning" in listing.content.decode() and "Weather" not in listing.content.decode()
    detail = admin_client.get(reverse("admin:tracker_article_change", args=[article.pk])).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; The minister warned." in detail
    assert '<script>alert("x")</script>' not in detail


def test_polls_and_fetches_are_listed_read_only(admin_client):
    feed = Feed.objects.create(url="https://a.example.org/f")
    FeedPoll.objects.create(feed=feed, outcome="error", error="HTTP 500", status_code=500)
    article = Article.objects.create(canonical_url="https://a.example.org/1")
    FetchLog.objects.create(article=article, outcome="error", error="too large", status_code=200)
    assert "HTTP 500" in admin_client.get(reverse("admin:tracker_feedpoll_changelist")).content.decode()
    assert "too large" in admin_client.get(reverse("admin:tracker_fetchlog_changelist")).content.decode()
    assert admin_client.get(reverse("admin:tracker_fetchlog_add")).status_code == 403
