from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import Count, Model, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from tracker import shapes
from tracker.models import Actor, Deletion, Event, RedLine, Source, StatusChange
from tracker.record_rules import quoted
from tracker.rules.status import EXPLANATION
from tracker.services import changes
from tracker.services.changes import derived_by_caller


class RecordAdmin(SimpleHistoryAdmin):
    """Saving or deleting a row runs the record's change service for it once, after the write
    (`tracker.services.changes`); inline rows and relations saved with it go through the signal
    adapters, as any other write does."""

    def before(self, obj: Any) -> Any:
        """What the change service needs of the stored row, read before it is written."""
        return None

    def changed(self, obj: Any, before: Any, *, created: bool) -> None:
        raise NotImplementedError

    def removal(self, obj: Any) -> Any:
        """What the removal service needs of the row's relations, read before they are deleted."""
        return None

    def removed(self, obj: Any, removal: Any) -> None:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        before = self.before(obj) if change else None
        with derived_by_caller():
            super().save_model(request, obj, form, change)
        self.changed(obj, before, created=not change)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        removal = self.removal(obj)
        with derived_by_caller():
            super().delete_model(request, obj)
        self.removed(obj, removal)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        """The delete action: each row through `delete_model`, so each runs its removal service."""
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


class SourceInline(admin.StackedInline):
    model = Source
    fk_name = "red_line"
    extra = 0
    # The article a source came from is set by accepting a candidate, not typed in here.
    fields = tuple(name for name in shapes.names(shapes.SOURCE) if name != "article")


class EventSourceInline(SourceInline):
    fk_name = "event"


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    fields = ("kind", "occurred_on", "summary", "partial", "actors", "edit_link")
    readonly_fields = ("edit_link",)
    autocomplete_fields = ("actors",)
    show_change_link = True

    @admin.display(description="Sources")
    def edit_link(self, obj: Event) -> str:
        if not obj.pk:
            return "Save, then add sources on the event page."
        return format_html('<a href="{}">sources…</a>', f"../../../event/{obj.pk}/change/")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("actors")


@admin.register(Actor)
class ActorAdmin(RecordAdmin):
    list_display = ("name", "slug", "kind", "country", "affiliation", "lines_declared")
    list_filter = ("kind", "country")
    search_fields = ("name", "slug", "aliases", "wikidata_id")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("affiliation",)
    list_select_related = ("affiliation",)
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_lines=Count("red_lines_declared"))

    @admin.display(description="Lines declared", ordering="_lines")
    def lines_declared(self, obj: Actor) -> int:
        return obj._lines

    def before(self, obj: Actor) -> changes.ActorBefore | None:
        return changes.actor_before(pk=obj.pk)

    def changed(self, obj: Actor, before: changes.ActorBefore | None, *, created: bool) -> None:
        changes.actor_changed(actor=obj, before=before)

    def removed(self, obj: Actor, removal: None) -> None:
        changes.actor_removed(actor=obj)


@admin.register(RedLine)
class RedLineAdmin(RecordAdmin):
    list_display = (
        "title",
        "declared_by",
        "declared_on",
        "status_badge",
        "severity",
        "category",
        "theatre",
        "is_published",
    )
    list_filter = ("status", "severity", "category", "theatre", "explicitness", "is_published")
    search_fields = ("title", "slug", "statement", "trigger", "declared_by__name")
    date_hierarchy = "declared_on"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("declared_by", "addressees", "restates")
    list_select_related = ("declared_by",)
    readonly_fields = ("status_explained", "status_changed_on", "last_reaffirmed_on", "is_published")
    inlines = [SourceInline, EventInline]
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("title", "slug", "declared_by", "addressees", "declared_on")}),
        ("What was said", {"fields": ("statement", "trigger", "threatened_response", "explicitness")}),
        ("Classification", {"fields": ("severity", "category", "theatre", "topics", "restates")}),
        (
            "Derived (read-only)",
            {
                "fields": ("status_explained", "status_changed_on", "last_reaffirmed_on", "is_published"),
                "description": "Status is derived from the events below and cannot be typed in. "
                "A line is published once it has at least one source.",
            },
        ),
    )

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj: RedLine) -> str:
        return obj.get_status_display()

    @admin.display(description="Status")
    def status_explained(self, obj: RedLine) -> str:
        if not obj.pk:
            return "Active once saved (no events yet)."
        return f"{obj.get_status_display()}: {EXPLANATION[obj.status]}"

    def before(self, obj: RedLine) -> changes.RedLineBefore | None:
        return changes.red_line_before(pk=obj.pk)

    def changed(self, obj: RedLine, before: changes.RedLineBefore | None, *, created: bool) -> None:
        changes.red_line_changed(red_line=obj, before=before)

    def removal(self, obj: RedLine) -> changes.Removal:
        return changes.red_line_removal(red_line=obj)

    def removed(self, obj: RedLine, removal: changes.Removal) -> None:
        changes.red_line_removed(red_line=obj, removal=removal)


@admin.register(Event)
class EventAdmin(RecordAdmin):
    list_display = ("__str__", "red_line", "kind", "occurred_on", "partial")
    list_filter = ("kind", "partial")
    search_fields = ("summary", "red_line__title", "red_line__slug")
    date_hierarchy = "occurred_on"
    autocomplete_fields = ("red_line", "actors")
    list_select_related = ("red_line",)
    inlines = [EventSourceInline]
    list_per_page = 50

    def before(self, obj: Event) -> changes.EventBefore | None:
        return changes.event_before(pk=obj.pk)

    def changed(self, obj: Event, before: changes.EventBefore | None, *, created: bool) -> None:
        changes.event_changed(event=obj, before=before)

    def removal(self, obj: Event) -> changes.Removal:
        return changes.event_removal(event=obj)

    def removed(self, obj: Event, removal: changes.Removal) -> None:
        changes.event_removed(event=obj, removal=removal)


@admin.register(Source)
class SourceAdmin(RecordAdmin):
    list_display = ("__str__", "publisher", "published_on", "quotation", "note", "red_line", "event")
    search_fields = ("url", "title", "publisher", "quote", "note")
    list_filter = ("language", "publisher")
    date_hierarchy = "published_on"
    autocomplete_fields = ("red_line", "event")
    list_select_related = ("red_line", "event")
    raw_id_fields = ("article",)
    list_per_page = 50

    @admin.display(description="Quote", ordering="quote")
    def quotation(self, obj: Source) -> str:
        return quoted(quote=obj.quote, language=obj.language, translation=obj.quote_translation)

    def changed(self, obj: Source, before: None, *, created: bool) -> None:
        changes.source_changed(source=obj, created=created)

    def removed(self, obj: Source, removal: None) -> None:
        changes.source_changed(source=obj)


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ("red_line", "changed_on", "old_status", "new_status", "reason", "recorded_at")
    list_filter = ("new_status",)
    search_fields = ("red_line__title", "reason")
    date_hierarchy = "changed_on"
    list_select_related = ("red_line",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Deletion)
class DeletionAdmin(admin.ModelAdmin):
    list_display = ("model", "key", "deleted_at")
    list_filter = ("model",)
    search_fields = ("key",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


from tracker.alerts import admin as alerts_admin  # noqa: E402, F401  (webhooks, deliveries, follows, tokens)
from tracker.analysis import admin as analysis_admin  # noqa: E402,F401  (registers the review queue)
from tracker.ingest import admin as ingest_admin  # noqa: E402, F401  (Feed, FeedPoll, Article, FetchLog)
