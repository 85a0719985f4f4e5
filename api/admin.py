"""API tokens in admin: listed by prefix, issued with the key shown once, revoked by deleting."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from tracker.models import ApiToken
from tracker.services.tokens import api_token_issue


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("shown_prefix", "user", "name", "created_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "prefix", "name")
    list_filter = ("created_at", "last_used_at")
    autocomplete_fields = ("user",)
    fields = ("user", "name")

    @admin.display(description="Key", ordering="prefix")
    def shown_prefix(self, obj: ApiToken) -> str:
        return f"{obj.prefix}…"

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False  # a key cannot be edited or read back; revoke it and issue a new one

    def save_model(self, request: HttpRequest, obj: ApiToken, form, change: bool) -> None:
        issued = api_token_issue(user=obj.user, name=obj.name or f"admin, by {request.user.get_username()}")
        obj.pk, obj.prefix, obj.digest = issued.token.pk, issued.token.prefix, issued.token.digest
        obj.created_at = issued.token.created_at
        obj.issued_key = issued.key

    def response_add(
        self, request: HttpRequest, obj: ApiToken, post_url_continue: str | None = None
    ) -> HttpResponse:
        """Show the new key on this one page instead of a message (messages are stored, pages are not)."""
        return TemplateResponse(  # admin views are never_cache: no-store
            request,
            "admin/tracker/apitoken/issued.html",
            {**self.admin_site.each_context(request), "token": obj, "key": obj.issued_key},
        )
