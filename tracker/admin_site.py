"""Admin's door, by the one rule of `tracker.access.is_curator`: curators sign in and use admin,
nobody else (Django's own door is ``is_staff``, which gives no rights here). Inside, the Curator
group's permissions (or superuser) say what each page allows."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from tracker.access import is_curator


class CuratorAuthenticationForm(AdminAuthenticationForm):
    def confirm_login_allowed(self, user: Any) -> None:
        AuthenticationForm.confirm_login_allowed(self, user)  # active users only; no staff check
        if not is_curator(user):
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class CuratorAdminSite(admin.AdminSite):
    login_form = CuratorAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        return is_curator(request.user)
