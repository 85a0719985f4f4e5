"""Management commands: add_feed, import_opml, poll_feeds, fetch_url, run_scheduler."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.ingest_support import Reply, article_page, feed_reply, html, rss, story
from tracker.models import Article, Feed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fetch_settings", "eager_tasks")]


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def serve(server, n=2) -> str:
    items = [
        {"title": f"S{i}", "link": server.route(f"/s{i}", html(article_page(f"S{i}", story(40 + i))))}
        for i in range(n)
    ]
    return server.route("/feed.xml", feed_reply(rss(items)))


def test_add_feed_adds_and_polls(local_server, django_capture_on_commit_callbacks):
    url = serve(local_server)
    with django_capture_on_commit_callbacks(execute=True):
        output = run("add_feed", url, "--title", "Wire", "--interval", "600")
    feed = Feed.objects.get()
    assert f"Added feed #{feed.pk}" in output and feed.poll_interval == 600 and feed.title == "Wire"
    assert local_server.hits["/feed.xml"] == 1


def test_add_feed_refuses_bad_input_with_a_one_line_reason():
    with pytest.raises(CommandError, match="url: .*absolute http"):
        run("add_feed", "nonsense")
    with pytest.raises(CommandError, match="poll_interval"):
        run("add_feed", "http://127.0.0.1:1/f", "--interval", "5")
    assert Feed.objects.count() == 0


def test_import_opml_prints_a_summary(tmp_path):
    path = tmp_path / "feeds.opml"
    path.write_text(
        '<opml version="2.0"><body><outline xmlUrl="http://127.0.0.1:1/a.xml" text="A"/>'
        '<outline xmlUrl="http://10.0.0.1/b.xml" text="B"/></body></opml>'
    )
    output = run("import_opml", str(path))
    assert output.strip() == "2 feeds in file: 1 added, 0 already there, 1 invalid."
    with pytest.raises(CommandError, match="cannot read"):
        run("import_opml", str(tmp_path / "missing.opml"))
    path.write_text("<html>")
    with pytest.raises(CommandError, match="well-formed"):
        run("import_opml", str(path))


def test_poll_feeds_polls_every_active_feed_and_sums_up(local_server, django_capture_on_commit_callbacks):
    Feed.objects.create(url=serve(local_server))
    Feed.objects.create(url=local_server.route("/broken.xml", Reply(500, b"no")))
    with django_capture_on_commit_callbacks(execute=True):
        output = run("poll_feeds")
    assert "Polled 2 feeds (1 error, 1 ok); 2 new articles." in output
    assert set(Article.objects.values_list("state", flat=True)) == {"analysed"}
    with pytest.raises(CommandError, match="no feed with id 999"):
        run("poll_feeds", "999")


def test_fetch_url_fetches_in_process_and_reports_each_state(local_server, tmp_path):
    good = local_server.route("/good", html(article_page("Good", story(50))))
    bad = local_server.route("/bad", Reply(404, b"no"))
    listing = tmp_path / "urls.txt"
    listing.write_text(f"{bad}\n\nhttp://10.0.0.1/x\n")
    output = run("fetch_url", good, "--file", str(listing))
    assert "3 URLs: 1 failed, 1 fetched, 1 refused." in output
    assert "HTTP 404" in output
    with pytest.raises(CommandError, match="refused"):
        run("fetch_url", "http://169.254.169.254/")


def test_run_scheduler_once_polls_the_due_feeds(local_server, django_capture_on_commit_callbacks):
    feed = Feed.objects.create(url=serve(local_server, 1), next_poll_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        run("run_scheduler", "--once")
    feed.refresh_from_db()
    assert feed.last_status == "200 ok" and Article.objects.filter(feed=feed, state="analysed").count() == 1
