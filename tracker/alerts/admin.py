"""Admin for alerts: hooks with their pause reason, every delivery with its response, follows."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from tracker.alerts import services as alerts
from tracker.models import Follow, Notification, OutboxTask, Webhook, WebhookDelivery


class DeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    extra = 0
    can_delete = False
    max_num = 0
    ordering = ["-created_at"]
    fields = ("created_at", "event_type", "state", "attempts", "status_code", "duration_ms", "error")
    readonly_fields = fields
    show_change_link = True


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "active", "consecutive_failures", "paused_reason", "created_at")
    list_filter = ("active",)
    search_fields = ("name", "url")
    readonly_fields = ("consecutive_failures", "paused_reason", "paused_at", "created_at")
    inlines = [DeliveryInline]
    actions = ["resume", "pause"]

    @admin.action(description="Resume selected hooks (reset failures)")
    def resume(self, request: HttpRequest, queryset: QuerySet[Webhook]) -> None:
        for hook in queryset:
            alerts.webhook_resume(webhook=hook)
        self.message_user(request, f"Resumed {queryset.count()} hook(s).", messages.SUCCESS)

    @admin.action(description="Pause selected hooks")
    def pause(self, request: HttpRequest, queryset: QuerySet[Webhook]) -> None:
        for hook in queryset:
            alerts.webhook_pause(webhook=hook, reason=f"paused by {request.user}")
        self.message_user(request, f"Paused {queryset.count()} hook(s).", messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "webhook",
        "event_type",
        "state",
        "attempts",
        "status_code",
        "duration_ms",
        "error",
    )
    list_filter = ("state", "event_type", "webhook")
    list_select_related = ("webhook",)
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "key", "kind", "red_line", "emails_sent")
    list_filter = ("kind",)
    list_select_related = ("red_line",)
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("user", "red_line", "actor", "query", "created_at")
    list_select_related = ("user", "red_line", "actor")
    autocomplete_fields = ("red_line", "actor")
    raw_id_fields = ("user",)


@admin.register(OutboxTask)
class OutboxTaskAdmin(admin.ModelAdmin):
    """Tasks waiting for the broker; beat sends them again every OUTBOX_FLUSH_EVERY seconds."""

    list_display = ("created_at", "task", "args", "queue", "attempts", "last_attempt_at", "error")
    readonly_fields = [f.name for f in OutboxTask._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
