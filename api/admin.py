"""Tokens in admin: revocable (delete), never displayed after they were issued."""

from django.contrib import admin
from rest_framework.authtoken.admin import TokenAdmin as DRFTokenAdmin
from rest_framework.authtoken.models import TokenProxy

admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class TokenAdmin(DRFTokenAdmin):
    """DRF's token admin (rows addressed by user id), with the key masked and no way to mint one."""

    list_display = ("masked_key", "user", "created")
    fields = ("user", "masked_key", "created")
    readonly_fields = ("user", "masked_key", "created")

    @admin.display(description="Key")
    def masked_key(self, obj: TokenProxy) -> str:
        return f"{obj.key[:4]}…"

    def has_add_permission(self, request) -> bool:
        return False  # keys are issued by POST /api/v1/auth/token/ (or issue_token), shown once

    def has_change_permission(self, request, obj=None) -> bool:
        return False
