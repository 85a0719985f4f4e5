"""Admin for ingestion: feed health with poll/enable/disable actions, articles, polls and fetches."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from tracker.ingest import pipeline
from tracker.ingest.feeds import feed_set_active
from tracker.models import Article, Feed, FeedPoll, FetchLog


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "health",
        "active",
        "last_polled_at",
        "last_status",
        "consecutive_failures",
        "next_poll_at",
        "disabled_reason",
    )
    list_filter = ("active", "last_status")
    search_fields = ("url", "title")
    readonly_fields = (
        "etag",
        "last_modified",
        "last_polled_at",
        "last_status",
        "consecutive_failures",
        "disabled_reason",
        "next_poll_at",
        "recent_polls",
    )
    actions = ("poll_now", "enable", "disable")
    list_per_page = 50

    @admin.display(description="Health")
    def health(self, feed: Feed) -> str:
        if not feed.active:
            return "disabled"
        if feed.consecutive_failures:
            return f"failing ({feed.consecutive_failures})"
        return "ok" if feed.last_polled_at else "not polled yet"

    @admin.display(description="Last 10 polls")
    def recent_polls(self, feed: Feed) -> str:
        polls = feed.polls.order_by("-started_at")[:10]
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} ms</td><td>{}</td></tr>",
            (
                (
                    p.started_at,
                    p.outcome,
                    p.status_code or "",
                    p.entries_found,
                    p.articles_created,
                    p.duration_ms,
                    p.error,
                )
                for p in polls
            ),
        )
        head = "<tr><th>at</th><th>outcome</th><th>status</th><th>entries</th><th>new</th><th>took</th><th>error</th></tr>"
        return format_html("<table>{}{}</table>", mark_safe(head), rows) if polls else "no polls yet"

    @admin.action(description="Poll now")
    def poll_now(self, request, queryset) -> None:
        ids = list(queryset.values_list("id", flat=True))
        for feed_id in ids:
            pipeline.poll_soon(feed_id)
        self.message_user(request, f"Queued a poll of {len(ids)} feed(s).", messages.SUCCESS)

    @admin.action(description="Enable (and clear failures)")
    def enable(self, request, queryset) -> None:
        for feed in queryset:
            feed_set_active(feed=feed, active=True)
        self.message_user(request, f"Enabled {queryset.count()} feed(s).", messages.SUCCESS)

    @admin.action(description="Disable")
    def disable(self, request, queryset) -> None:
        for feed in queryset:
            feed_set_active(feed=feed, active=False)
        self.message_user(request, f"Disabled {queryset.count()} feed(s).", messages.SUCCESS)


@admin.register(FeedPoll)
class FeedPollAdmin(ReadOnlyAdmin):
    list_display = (
        "feed",
        "started_at",
        "outcome",
        "status_code",
        "entries_found",
        "articles_created",
        "bytes_received",
        "duration_ms",
        "error",
    )
    list_filter = ("outcome",)
    search_fields = ("feed__url", "feed__title", "error")
    list_select_related = ("feed",)
    date_hierarchy = "started_at"


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "state",
        "publisher",
        "published_at",
        "language",
        "feed",
        "duplicate_of",
        "created_at",
    )
    list_filter = ("state", "language", "feed")
    search_fields = ("title", "canonical_url", "url", "publisher", "text")
    list_select_related = ("feed", "duplicate_of")
    raw_id_fields = ("duplicate_of", "feed")
    date_hierarchy = "created_at"
    list_per_page = 50
    fields = (
        "url",
        "canonical_url",
        "feed",
        "title",
        "publisher",
        "published_at",
        "language",
        "state",
        "duplicate_of",
        "error",
        "attempts",
        "fetched_at",
        "analysed_at",
        "content_hash",
        "text_as_plain_text",
    )
    readonly_fields = (
        "canonical_url",
        "state",
        "error",
        "attempts",
        "fetched_at",
        "analysed_at",
        "content_hash",
        "text_as_plain_text",
    )

    @admin.display(description="Extracted text")
    def text_as_plain_text(self, article: Article) -> str:
        # Escaped by format_html: scraped text is shown as text, never as markup.
        return format_html(
            '<div style="white-space: pre-wrap; max-width: 60em">{}</div>', article.text or "—"
        )


@admin.register(FetchLog)
class FetchLogAdmin(ReadOnlyAdmin):
    list_display = (
        "article",
        "started_at",
        "outcome",
        "status_code",
        "bytes_received",
        "duration_ms",
        "final_url",
        "error",
    )
    list_filter = ("outcome",)
    search_fields = ("article__canonical_url", "article__title", "error", "final_url")
    list_select_related = ("article",)
    date_hierarchy = "started_at"
