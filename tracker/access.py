"""Who may do what: who is a curator, the Curator group and its permissions, and what other sites'
pages may read."""

import re
from typing import Any

from django.contrib.auth.models import AbstractUser, AnonymousUser, Group, Permission

CURATOR_GROUP = "Curator"

CURATOR_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "actor": ("add", "change", "delete", "view"),
    "redline": ("add", "change", "delete", "view"),
    "event": ("add", "change", "delete", "view"),
    "source": ("add", "change", "delete", "view"),
    "statuschange": ("view",),
    "deletion": ("view",),
    "feed": ("add", "change", "view"),
    "feedpoll": ("view",),
    "article": ("add", "change", "view"),
    "fetchlog": ("view",),
    "candidate": ("change", "view"),
}


def is_curator(user: AbstractUser | AnonymousUser | None) -> bool:
    """Whether a user may change the record and work the review queue, on the web, the API, in
    admin (`tracker.admin_site`) and in the token command: an active user who is a superuser or a
    member of the Curator group. ``is_staff`` does not count anywhere."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=CURATOR_GROUP).exists()


def curator_group_ensure() -> Group:
    """Create the Curator group if it is missing and give it exactly the curator permissions."""
    group, _ = Group.objects.get_or_create(name=CURATOR_GROUP)
    codenames = [f"{action}_{model}" for model, actions in CURATOR_PERMISSIONS.items() for action in actions]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="tracker", codename__in=codenames)
    )
    return group


def curator_group_sync(sender: Any, **kwargs: Any) -> None:
    """post_migrate hook: a flushed or freshly migrated database always has its Curator group."""
    curator_group_ensure()


# What other sites' pages may read from the browser: the public API and the feeds.
CROSS_ORIGIN_READABLE = re.compile(r"^/(api|feeds)/")
READS = ("GET", "HEAD")


def cors_public_read(sender: Any, request: Any, **kwargs: Any) -> bool:
    """Whether django-cors-headers answers a request with CORS headers: reads of the API and feeds,
    and the preflights that ask for them; never a write, which another site's page cannot make."""
    if not CROSS_ORIGIN_READABLE.match(request.path_info):
        return False
    if request.method == "OPTIONS":
        return request.headers.get("Access-Control-Request-Method", "").upper() in READS
    return request.method in READS
