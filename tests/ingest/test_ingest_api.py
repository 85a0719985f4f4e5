"""GET/POST /api/v1/feeds/ and /api/v1/articles/: curators only."""

import pytest
from rest_framework.test import APIClient

from tests.ingest_support import article_page, feed_reply, html, rss, story
from tracker.models import Article, Feed
from tracker.services.tokens import api_token_issue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fetch_settings")]

FEED_FIELDS = {
    "id",
    "url",
    "title",
    "active",
    "poll_interval",
    "last_polled_at",
    "last_status",
    "consecutive_failures",
    "disabled_reason",
}
ARTICLE_FIELDS = {
    "id",
    "url",
    "canonical_url",
    "feed",
    "title",
    "publisher",
    "published_on",
    "language",
    "text",
    "state",
    "duplicate_of",
    "error",
}


@pytest.fixture
def curator_client(django_user_model):
    from django.contrib.auth.models import Group

    curator = django_user_model.objects.create_user("feed-curator")  # no password: hashing is slow
    curator.groups.add(Group.objects.get_or_create(name="Curator")[0])  # a flushed test database lost it
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=curator).key}")
    return client


def test_feeds_are_for_curators_only(client, curator_client, django_user_model):
    assert client.get("/api/v1/feeds/").status_code in (401, 403)
    reader = django_user_model.objects.create_user("reader")
    other = APIClient()
    other.force_authenticate(reader)
    assert other.get("/api/v1/feeds/").status_code == 403
    assert other.post("/api/v1/feeds/", {"url": "https://x.example.org/f"}, format="json").status_code == 403
    assert curator_client.get("/api/v1/feeds/").status_code == 200


def test_a_curator_adds_a_feed_and_it_is_polled_at_once(
    curator_client, local_server, eager_tasks, django_capture_on_commit_callbacks
):
    page = local_server.route("/s", html(article_page("A story", story(1))))
    url = local_server.route("/feed.xml", feed_reply(rss([{"title": "A story", "link": page}])))
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post("/api/v1/feeds/", {"url": url, "poll_interval": 600}, format="json")
    assert response.status_code == 201, response.json()
    assert set(response.json()) == FEED_FIELDS and response.json()["poll_interval"] == 600
    feed = Feed.objects.get()
    assert feed.last_status == "200 ok" and Article.objects.filter(feed=feed).count() == 1
    listed = curator_client.get("/api/v1/feeds/").json()
    assert listed["count"] == 1 and listed["results"][0]["title"] == "Example feed"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": "ftp://x.example.org/feed"}, "url"),
        ({"url": "http://10.0.0.1/feed"}, "url"),
        ({"url": "http://127.0.0.1:1/feed", "poll_interval": 5}, "poll_interval"),
    ],
)
def test_bad_feeds_are_a_400_with_the_field(curator_client, body, field, settings):
    response = curator_client.post("/api/v1/feeds/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert Feed.objects.count() == 0


def test_a_duplicate_feed_is_a_400(curator_client):
    Feed.objects.create(url="http://127.0.0.1:1/feed")
    response = curator_client.post("/api/v1/feeds/", {"url": "HTTP://127.0.0.1:1/feed"}, format="json")
    assert response.status_code == 400 and "already exists" in response.json()["url"][0]


def test_posting_a_url_answers_201_with_the_article_and_its_state_moves_on(
    curator_client, local_server, eager_tasks, django_capture_on_commit_callbacks
):
    url = local_server.route("/story", html(article_page("Posted story", story(2))))
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post("/api/v1/articles/", {"url": url}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == ARTICLE_FIELDS and body["canonical_url"] == url and body["state"] == "discovered"
    article = curator_client.get(f"/api/v1/articles/{body['id']}/").json()
    assert article["state"] == "analysed" and "observers number 200" in article["text"]
    assert article["published_on"] == "2024-09-12" and article["language"] == "en"
    again = curator_client.post("/api/v1/articles/", {"url": url + "#x"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]


def test_posting_text_answers_201_and_goes_straight_to_analysis(curator_client):
    response = curator_client.post(
        "/api/v1/articles/",
        {"title": "Statement", "text": story(3), "published_on": "2024-05-01"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "fetched" and body["published_on"] == "2024-05-01" and body["url"] == ""


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "http://169.254.169.254/latest/"}, "url"),
        ({"text": "Words without a title"}, "title"),
        ({"title": "T", "text": "   "}, "url"),
        ({"title": "T", "text": "Some words here", "published_on": "yesterday"}, "published_on"),
        ({"url": "https://x.example.org/a", "title": "Only a title"}, "text"),
    ],
)
def test_bad_articles_are_a_400_with_the_field(curator_client, body, field):
    response = curator_client.post("/api/v1/articles/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert Article.objects.count() == 0


def test_articles_are_listed_read_and_submitted_by_curators_only(client, curator_client, django_user_model):
    plain = APIClient()
    plain.force_authenticate(django_user_model.objects.create_user("article-reader"))
    Article.objects.create(canonical_url="https://x.example.org/1", title="Red line warning", state="fetched")
    weather = Article.objects.create(canonical_url="https://x.example.org/2", title="Weather", state="failed")
    for url in ("/api/v1/articles/", f"/api/v1/articles/{weather.pk}/"):
        assert client.get(url).status_code == 401, url  # anonymous: sign in first
        assert plain.get(url).status_code == 403, url  # signed in, not a curator
    assert client.post("/api/v1/articles/", {"url": "https://x.example.org/a"}).status_code == 401
    assert plain.post("/api/v1/articles/", {"url": "https://x.example.org/a"}).status_code == 403
    listed = curator_client.get("/api/v1/articles/?state=fetched").json()
    assert listed["count"] == 1 and listed["results"][0]["title"] == "Red line warning"
    assert curator_client.get("/api/v1/articles/?q=weather").json()["count"] == 1
    assert curator_client.get(f"/api/v1/articles/{weather.pk}/").json()["state"] == "failed"
    assert curator_client.get("/api/v1/articles/?state=bogus").status_code == 400
    assert curator_client.get("/api/v1/articles/?feed=x").status_code == 400
    assert curator_client.get("/api/v1/articles/?updated_since=notadate").status_code == 400


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/articles/?feed=99999999999999999999", "feed"),
        ("/api/v1/articles/?feed=abc", "feed"),
        ("/api/v1/articles/99999999999999999999/", "id"),
        ("/api/v1/feeds/99999999999999999999/", "id"),
    ],
)
def test_ids_past_the_columns_range_are_a_400_naming_the_parameter(curator_client, url, field):
    response = curator_client.get(url)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert "9223372036854775807" in response.json()[field][0] or field == "feed"
    assert curator_client.get("/api/v1/articles/9223372036854775807/").status_code == 404
