"""Feed polling against a local server: storing entries once, conditional GET, hostile feeds, backoff."""

import datetime

import pytest
from django.utils import timezone

from tests.ingest_support import Reply, article_page, feed_reply, html, rss, story
from tracker.errors import DomainError
from tracker.ingest.feeds import feed_add, feed_poll, feeds_due_claim
from tracker.models import Article, Feed, FeedPoll

pytestmark = pytest.mark.usefixtures("fetch_settings")

ITEMS = [
    {
        "title": "First story",
        "link": "https://news.example.org/a/1?utm_source=rss",
        "date": "Thu, 12 Sep 2024 10:00:00 GMT",
    },
    {
        "title": "Second story",
        "link": "https://news.example.org/a/2#top",
        "date": "Fri, 13 Sep 2024 10:00:00 GMT",
    },
    {"title": "Third story", "link": "https://NEWS.example.org/a/3"},
]


def make_feed(server, path="/feed.xml", reply=None, **fields) -> Feed:
    url = server.route(
        path, reply or feed_reply(rss(ITEMS), headers={"ETag": '"v1"', "Content-Type": "application/rss+xml"})
    )
    return Feed.objects.create(url=url, **fields)


@pytest.mark.django_db
def test_a_poll_stores_each_new_entry_once_with_canonical_urls_and_dates(
    local_server, django_capture_on_commit_callbacks
):
    feed = make_feed(local_server)
    with django_capture_on_commit_callbacks() as callbacks:
        outcome = feed_poll(feed_id=feed.pk)
    assert outcome.outcome == "ok" and outcome.entries_found == 3
    assert sorted(Article.objects.values_list("canonical_url", flat=True)) == [
        "https://news.example.org/a/1",
        "https://news.example.org/a/2",
        "https://news.example.org/a/3",
    ]
    first = Article.objects.get(canonical_url="https://news.example.org/a/1")
    assert first.url == "https://news.example.org/a/1?utm_source=rss"
    assert first.published_at == datetime.datetime(2024, 9, 12, 10, tzinfo=datetime.UTC)
    assert first.state == Article.State.DISCOVERED and first.feed == feed
    assert Article.objects.get(canonical_url="https://news.example.org/a/3").published_at is None
    assert len(callbacks) == 3  # one fetch queued per new article, after commit
    poll = FeedPoll.objects.get(feed=feed)
    assert (poll.outcome, poll.status_code, poll.entries_found, poll.articles_created) == ("ok", 200, 3, 3)
    feed.refresh_from_db()
    assert feed.title == "Example feed" and feed.etag == '"v1"' and feed.last_status == "200 ok"
    assert feed.next_poll_at > timezone.now() + datetime.timedelta(seconds=1700)


@pytest.mark.django_db
def test_polling_again_stores_nothing_twice(local_server):
    feed = make_feed(local_server)
    feed_poll(feed_id=feed.pk)
    again = feed_poll(feed_id=feed.pk)
    assert again.new_article_ids == [] and Article.objects.count() == 3


@pytest.mark.django_db
def test_duplicate_entries_within_one_feed_and_across_feeds_are_stored_once(local_server):
    items = ITEMS + [{"title": "First again", "link": "https://news.example.org/a/1?fbclid=x"}]
    one = make_feed(local_server, "/one.xml", feed_reply(rss(items)))
    two = make_feed(
        local_server, "/two.xml", feed_reply(rss(ITEMS[:2] + [{"link": "https://other.example.org/z"}]))
    )
    assert len(feed_poll(feed_id=one.pk).new_article_ids) == 3
    assert len(feed_poll(feed_id=two.pk).new_article_ids) == 1
    assert Article.objects.count() == 4
    assert Article.objects.get(canonical_url="https://news.example.org/a/1").feed == one


@pytest.mark.django_db
def test_entries_without_links_are_skipped_and_entries_without_dates_kept(local_server):
    items = [
        {"title": "No link at all"},
        {"title": "Bad link", "link": "javascript:void(0)"},
        {"title": "Fine", "link": "https://x.example.org/1"},
    ]
    feed = make_feed(local_server, reply=feed_reply(rss(items)))
    outcome = feed_poll(feed_id=feed.pk)
    assert (outcome.outcome, outcome.entries_found, outcome.skipped) == ("ok", 3, 2)
    assert list(Article.objects.values_list("title", "published_at")) == [("Fine", None)]


@pytest.mark.django_db
def test_a_304_costs_one_request_and_no_parsing(local_server):
    feed = make_feed(local_server)
    feed_poll(feed_id=feed.pk)
    local_server.routes["/feed.xml"] = Reply(304)
    outcome = feed_poll(feed_id=feed.pk)
    assert outcome.outcome == "not_modified" and outcome.entries_found == 0
    assert local_server.hits["/feed.xml"] == 2
    assert local_server.requests["/feed.xml"][1]["If-None-Match"] == '"v1"'
    assert FeedPoll.objects.filter(outcome="not_modified", status_code=304, entries_found=0).count() == 1
    feed.refresh_from_db()
    assert feed.last_status == "304 not modified" and feed.consecutive_failures == 0


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<rss version="2.0"><channel><title>&lol4;</title><item><title>&lol4;</title><link>https://x.example.org/1</link></item></channel></rss>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>t</title><item><title>&xxe;</title><link>https://x.example.org/2</link></item></channel></rss>"""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<rss><channel><item><title>unclosed", "feed"),
        (
            b"<!doctype html><html><head><title>Welcome</title></head><body><p>Hello</p></body></html>",
            "HTML page",
        ),
        (BILLION_LAUGHS, "declares XML entities"),
        (EXTERNAL_ENTITY, "declares XML entities"),
        (b"\x00\x01\x02 binary junk \xff\xfe", "not an RSS/Atom feed"),
    ],
    ids=["malformed-xml", "html-not-feed", "billion-laughs", "external-entity", "binary"],
)
@pytest.mark.django_db
def test_hostile_feeds_end_as_a_recorded_error(local_server, body, message):
    feed = make_feed(local_server, reply=feed_reply(body))
    outcome = feed_poll(feed_id=feed.pk)
    assert outcome.outcome == "error" and message in outcome.error
    assert Article.objects.count() == 0
    poll = FeedPoll.objects.get(feed=feed)
    assert poll.outcome == "error" and message in poll.error
    feed.refresh_from_db()
    assert feed.consecutive_failures == 1 and feed.last_status.startswith("error")


@pytest.mark.django_db
def test_a_malformed_feed_with_readable_entries_still_yields_them(local_server):
    body = rss(ITEMS[:1]).replace(b"</channel>", b"<junk>&nbsp; unclosed</channel>")
    feed = make_feed(local_server, reply=feed_reply(body))
    outcome = feed_poll(feed_id=feed.pk)
    assert outcome.outcome == "ok" and Article.objects.count() == 1


@pytest.mark.django_db
def test_a_failing_feed_backs_off_exponentially_then_is_disabled_with_the_reason(local_server, settings):
    settings.FEED_MAX_FAILURES = 3
    feed = make_feed(local_server, reply=Reply(500, b"down"), poll_interval=600)
    delays = []
    for _ in range(3):
        before = timezone.now()
        feed_poll(feed_id=feed.pk)
        feed.refresh_from_db()
        delays.append((feed.next_poll_at - before).total_seconds())
    assert 600 <= delays[0] < 800 and 1200 <= delays[1] < 1500 and 2400 <= delays[2] < 2900
    assert not feed.active and feed.consecutive_failures == 3
    assert feed.disabled_reason == "disabled after 3 consecutive failures; last: HTTP 500"
    assert feed_poll(feed_id=feed.pk).outcome == "inactive"


@pytest.mark.django_db
def test_a_500_then_a_200_recovers_and_clears_failures(local_server):
    feed = make_feed(local_server, reply=[Reply(500, b"down"), feed_reply(rss(ITEMS))])
    assert feed_poll(feed_id=feed.pk).outcome == "error"
    assert feed_poll(feed_id=feed.pk, force=True).outcome == "ok"
    feed.refresh_from_db()
    assert feed.consecutive_failures == 0 and Article.objects.count() == 3
    assert list(FeedPoll.objects.order_by("id").values_list("outcome", flat=True)) == ["error", "ok"]


@pytest.mark.django_db
def test_a_feed_that_redirects_to_a_private_address_is_an_error_not_a_request(local_server):
    feed = make_feed(local_server, reply=Reply(302, headers={"Location": "http://10.0.0.5/feed"}))
    outcome = feed_poll(feed_id=feed.pk)
    assert outcome.outcome == "error" and "non-public address 10.0.0.5" in outcome.error


@pytest.mark.django_db
def test_due_feeds_are_claimed_once_even_by_two_schedulers():
    due = Feed.objects.create(
        url="https://a.example.org/feed", next_poll_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    Feed.objects.create(
        url="https://b.example.org/feed", next_poll_at=timezone.now() + datetime.timedelta(hours=1)
    )
    Feed.objects.create(url="https://c.example.org/feed", active=False, next_poll_at=timezone.now())
    assert feeds_due_claim() == [due.pk]
    assert feeds_due_claim() == []


@pytest.mark.django_db
def test_adding_a_feed_polls_it_at_once(local_server, eager_tasks, django_capture_on_commit_callbacks):
    page = local_server.route("/story", html(article_page("A new story", story(3))))
    url = local_server.route("/new.xml", feed_reply(rss([{"title": "A new story", "link": page}])))
    with django_capture_on_commit_callbacks(execute=True):
        feed = feed_add(url=url, title="New")
    assert local_server.hits["/new.xml"] == 1 and local_server.hits["/story"] == 1
    article = Article.objects.get(feed=feed)
    assert article.state == Article.State.ANALYSED and "observers number 300" in article.text


@pytest.mark.django_db
def test_adding_a_feed_refuses_bad_urls_and_duplicates(local_server, settings):
    with pytest.raises(DomainError, match="absolute http"):
        feed_add(url="not a url")
    with pytest.raises(DomainError, match="non-public"):
        feed_add(url="http://192.168.1.1/feed")
    Feed.objects.create(url="https://a.example.org/feed")
    with pytest.raises(DomainError, match="already exists"):
        feed_add(url="https://A.example.org/feed")
    assert Feed.objects.count() == 1
