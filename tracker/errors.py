"""Domain errors raised by services; the API and admin map them to 4xx answers."""

from django.core.exceptions import ValidationError


class DomainError(Exception):
    """A request that breaks a rule of the record. `status_code` is the HTTP answer."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, list[str]]:
        return {self.field or "detail": [self.message]}


class ProtectedRecord(DomainError):
    """Deleting this would orphan other parts of the record."""

    status_code = 409


class NotFound(DomainError):
    status_code = 404


__all__ = ["DomainError", "NotFound", "ProtectedRecord", "ValidationError"]
