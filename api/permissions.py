from rest_framework.permissions import SAFE_METHODS, BasePermission

CURATOR_GROUP = "Curator"


def is_curator(user) -> bool:
    """Staff, or a member of the Curator group."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_staff or user.groups.filter(name=CURATOR_GROUP).exists()


class IsCuratorOrReadOnly(BasePermission):
    """Anyone reads; writes need a curator (Curator group or staff)."""

    message = "Writing to the record needs a token of a curator (Curator group) or staff user."

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or is_curator(request.user)


class IsCurator(BasePermission):
    message = "This needs a token of a curator (Curator group) or staff user."

    def has_permission(self, request, view) -> bool:
        return is_curator(request.user)
