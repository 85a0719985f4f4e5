"""Who may do what: the Curator group and its permissions, kept in step with the models."""

from typing import Any

from django.contrib.auth.models import Group, Permission

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
