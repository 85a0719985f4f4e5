"""Fetching articles: extraction, duplicates, failures, idempotency; submitting by URL or text."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from tests.ingest_support import Reply, article_page, html, story
from tracker.errors import DomainError
from tracker.ingest.articles import (
    ArticleBusy,
    TransientFetchFailure,
    article_fetch,
    article_submit_text,
    article_submit_url,
    articles_stalled_requeue,
    duplicate_find,
)
from tracker.ingest.dedup import content_hash
from tracker.models import Article, ArticleBand, FetchLog

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fetch_settings")]


def article_at(server, path, reply) -> Article:
    url = server.route(path, reply)
    return Article.objects.create(url=url, canonical_url=url)


def test_a_fetched_article_has_text_metadata_and_goes_to_analysis(
    local_server, django_capture_on_commit_callbacks
):
    article = article_at(local_server, "/story/1", html(article_page("Minister warns", story(1))))
    with django_capture_on_commit_callbacks() as callbacks:
        outcome = article_fetch(article_id=article.pk)
    article.refresh_from_db()
    assert outcome.outcome == "fetched" and article.state == Article.State.FETCHED
    assert "observers number 100 noted the change" in article.text
    assert (article.title, article.publisher, article.language) == ("Minister warns", "Example Daily", "en")
    assert article.published_at == datetime.datetime(2024, 9, 12, tzinfo=datetime.UTC)
    assert article.content_hash == content_hash(article.text) and article.attempts == 1
    assert ArticleBand.objects.filter(article=article).count() == 8
    assert len(callbacks) == 1  # analysis queued after commit
    log = FetchLog.objects.get(article=article)
    assert (log.outcome, log.status_code) == ("ok", 200) and log.bytes_received > 1000


def test_running_the_fetch_twice_changes_nothing(local_server):
    article = article_at(local_server, "/story/2", html(article_page("Twice", story(2))))
    article_fetch(article_id=article.pk)
    assert article_fetch(article_id=article.pk).outcome == "skipped"
    assert local_server.hits["/story/2"] == 1 and FetchLog.objects.count() == 1


def test_a_fetch_held_by_another_worker_is_busy_not_lost(local_server):
    article = article_at(local_server, "/story/3", html(article_page("Busy", story(3))))
    Article.objects.filter(pk=article.pk).update(
        claimed_until=datetime.datetime(2999, 1, 1, tzinfo=datetime.UTC)
    )
    with pytest.raises(ArticleBusy):
        article_fetch(article_id=article.pk)
    assert Article.objects.get(pk=article.pk).state == Article.State.DISCOVERED


def test_an_exact_copy_is_marked_duplicate_of_the_original_and_not_analysed(
    local_server, django_capture_on_commit_callbacks
):
    original = article_at(local_server, "/a", html(article_page("Original", story(4))))
    copy = article_at(local_server, "/b", html(article_page("Original", story(4))))
    article_fetch(article_id=original.pk)
    with django_capture_on_commit_callbacks() as callbacks:
        assert article_fetch(article_id=copy.pk).outcome == "duplicate"
    copy.refresh_from_db()
    assert copy.state == Article.State.DUPLICATE and copy.duplicate_of_id == original.pk
    assert callbacks == []


def test_syndicated_wire_copy_with_another_headline_and_boilerplate_is_a_near_duplicate(local_server):
    body = story(5, sentences=20)
    wire = "LONDON (Example Wire) - " + body + " Reporting by the wire desk; editing by a night editor."
    original = article_at(local_server, "/wire", html(article_page("Minister warns of response", body)))
    syndicated = article_at(local_server, "/syn", html(article_page("Capital threatens retaliation", wire)))
    different = article_at(
        local_server, "/other", html(article_page("Minister warns of response", story(6, 20)))
    )
    for article in (original, syndicated, different):
        article_fetch(article_id=article.pk)
    states = dict(Article.objects.values_list("pk", "state"))
    assert states[original.pk] == states[different.pk] == Article.State.FETCHED
    assert states[syndicated.pk] == Article.State.DUPLICATE
    assert Article.objects.get(pk=syndicated.pk).duplicate_of_id == original.pk


def test_two_originals_with_the_same_text_are_refused_by_the_database():
    text_hash = content_hash("same words")
    Article.objects.create(canonical_url="https://e.example.org/1", content_hash=text_hash, state="fetched")
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(
            canonical_url="https://e.example.org/2", content_hash=text_hash, state="analysed"
        )
    Article.objects.create(canonical_url="https://e.example.org/3", content_hash=text_hash, state="duplicate")


def test_duplicate_lookup_finds_nothing_for_a_new_text():
    assert duplicate_find(text=story(7), hash_=content_hash(story(7))) is None


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply(404, b"gone"), "HTTP 404"),
        (html("<html><body><nav>Home</nav></body></html>"), "no main text"),
        (Reply(302, headers={"Location": "http://169.254.169.254/latest/"}), "non-public address"),
        (Reply(body=b"x" * (6 * 1024 * 1024)), "too large"),
    ],
    ids=["404", "no-text", "ssrf-redirect", "too-big"],
)
def test_permanent_failures_mark_the_article_failed_with_the_reason(local_server, reply, error):
    article = article_at(local_server, "/bad", reply)
    outcome = article_fetch(article_id=article.pk)
    article.refresh_from_db()
    assert outcome.outcome == "failed" and article.state == Article.State.FAILED and error in article.error
    assert error in FetchLog.objects.get(article=article).error


def test_transient_failures_are_retried_until_the_last_attempt(local_server):
    article = article_at(local_server, "/flaky", Reply(503, b"busy"))
    with pytest.raises(TransientFetchFailure):
        article_fetch(article_id=article.pk, max_attempts=2)
    assert Article.objects.get(pk=article.pk).state == Article.State.DISCOVERED
    assert article_fetch(article_id=article.pk, max_attempts=2).outcome == "failed"
    assert list(FetchLog.objects.order_by("id").values_list("outcome", flat=True)) == ["retry", "error"]


def test_a_500_then_a_200_ends_fetched(local_server):
    article = article_at(
        local_server, "/recover", [Reply(500, b"oops"), html(article_page("Back", story(8)))]
    )
    with pytest.raises(TransientFetchFailure):
        article_fetch(article_id=article.pk)
    assert article_fetch(article_id=article.pk).outcome == "fetched"


def test_submitting_a_url_stores_it_once_and_queues_its_fetch(
    local_server, django_capture_on_commit_callbacks
):
    url = local_server.route("/sub", html(article_page("Submitted", story(9))))
    with django_capture_on_commit_callbacks() as callbacks:
        article, created = article_submit_url(url=url + "?utm_source=x")
    again, created_again = article_submit_url(url=url)
    assert created and not created_again and again.pk == article.pk
    assert article.canonical_url == url and len(callbacks) == 1


def test_submitting_a_private_url_is_refused(settings):
    with pytest.raises(DomainError, match="non-public"):
        article_submit_url(url="http://10.1.1.1/x")
    with pytest.raises(DomainError, match="absolute http"):
        article_submit_url(url="file:///etc/passwd")
    assert Article.objects.count() == 0


def test_submitting_text_skips_fetching_and_goes_to_analysis(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        article, created = article_submit_text(
            title="A statement", text=story(10), published_on=datetime.date(2024, 3, 1)
        )
    assert created and article.state == Article.State.FETCHED and article.canonical_url.startswith("text:")
    assert article.published_at.date() == datetime.date(2024, 3, 1) and len(callbacks) == 1
    copy, _ = article_submit_text(title="Same words", text=story(10) + " ", url="https://x.example.org/copy")
    assert copy.state == Article.State.DUPLICATE and copy.duplicate_of_id == article.pk
    with pytest.raises(DomainError, match="empty"):
        article_submit_text(title="Nothing", text="   ")


def test_stalled_articles_are_queued_again(django_capture_on_commit_callbacks):
    old = Article.objects.create(canonical_url="https://s.example.org/1")
    Article.objects.create(canonical_url="https://s.example.org/2")
    Article.objects.filter(pk=old.pk).update(updated_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    with django_capture_on_commit_callbacks() as callbacks:
        assert articles_stalled_requeue() == [old.pk]
    assert len(callbacks) == 1
    assert articles_stalled_requeue() == []
