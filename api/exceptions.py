"""One place where errors become answers: domain and validation errors are 4xx with field messages."""

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from api.renderers import FastJSONRenderer
from tracker.errors import DomainError


def _answer_in_json(context: dict) -> None:
    """An error asked for as CSV or JSON Lines is still a JSON object (the schema's `Error`)."""
    request = context.get("request")
    renderer = getattr(request, "accepted_renderer", None)
    if getattr(renderer, "format", None) in ("csv", "jsonl"):
        request.accepted_renderer = FastJSONRenderer()
        request.accepted_media_type = FastJSONRenderer.media_type


def _django_messages(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {("detail" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
    return {"detail": exc.messages}


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    _answer_in_json(context)
    if isinstance(exc, DomainError):
        set_rollback()
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return Response(_django_messages(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ProtectedError | RestrictedError):
        set_rollback()
        return Response({"detail": ["Other records still refer to this one."]}, status=409)
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": "The request body is too large."}, status=413)
    return exception_handler(exc, context)
