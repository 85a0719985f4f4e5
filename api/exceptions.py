"""One place where errors become answers: domain and validation errors are 4xx with field messages.

Every error under ``/api/`` is JSON, whatever format was asked for: DRF's errors through
``api_exception_handler``, and Django's own 400/403/404/500 (an unknown path, an uncaught
exception) through the URLconf handlers below, which leave the pages' HTML answers as they are.
"""

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from api.renderers import FastJSONRenderer
from tracker.errors import DomainError

# Formats in which an error reads as JSON: JSON itself and the browsable API, which shows it.
JSON_ERROR_FORMATS = {"json", "api"}


def _django_messages(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {("detail" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
    return {"detail": exc.messages}


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    response = _response_for(exc, context)
    if response is not None:
        _errors_in_json(context.get("request"))
    return response


def _errors_in_json(request) -> None:
    """A CSV, JSON Lines or YAML request that fails gets its error as JSON, and so does one whose
    format could not be negotiated (DRF would fall back to the view's first renderer)."""
    renderer = getattr(request, "accepted_renderer", None)
    if request is not None and getattr(renderer, "format", None) not in JSON_ERROR_FORMATS:
        request.accepted_renderer = FastJSONRenderer()
        request.accepted_media_type = FastJSONRenderer.media_type


def _response_for(exc: Exception, context: dict) -> Response | None:
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


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "You do not have permission to perform this action."}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": f"No API endpoint at {request.path}; see /api/schema/."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        request_id = getattr(request, "id", "")
        return JsonResponse(
            {"detail": f"A server error occurred; quote request id {request_id} when reporting it."},
            status=500,
        )
    return defaults.server_error(request)
