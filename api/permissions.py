from rest_framework.permissions import SAFE_METHODS, BasePermission

from tracker.access import is_curator


class IsCuratorOrReadOnly(BasePermission):
    """Anyone reads; writes need a curator (``tracker.access.is_curator``)."""

    message = "Writing to the record needs a token of a curator (Curator group) or superuser."

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or is_curator(request.user)


class IsCurator(BasePermission):
    """Curators only (``tracker.access.is_curator``)."""

    message = "This needs a token of a curator (Curator group) or superuser."

    def has_permission(self, request, view) -> bool:
        return is_curator(request.user)
