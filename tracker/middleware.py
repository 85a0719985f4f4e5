"""Request ids: every request gets one (or keeps a sane one sent by the proxy), echoed back and logged."""

import logging
import math
import re
import time
import uuid
from collections.abc import Callable

from axes.helpers import get_cool_off
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from tracker.logging import request_id_var

logger = logging.getLogger("tracker.request")
HEADER = "X-Request-ID"
_SAFE = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


class RequestIdMiddleware:
    """Sets ``request.id`` and the ``X-Request-ID`` header; logs one line per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(HEADER, "")
        request_id = incoming if _SAFE.match(incoming) else uuid.uuid4().hex
        request.id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


DATABASE_UNAVAILABLE = "The database is unavailable for a moment; please try again shortly."
RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    """A database that cannot be reached (restart, failover) is a 503 with Retry-After, not a 500.

    Django reconnects by itself on the next request (``CONN_HEALTH_CHECKS``), so the answer says to
    retry; the API gets JSON, pages a short static page that needs no database to render.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error(
            "database unavailable: %s", str(exception).splitlines()[0] if str(exception) else exception
        )
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"detail": DATABASE_UNAVAILABLE}, status=503)
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response


LOCKED_OUT = "Too many failed sign-ins for this account from this address; try again later."


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: object = None
) -> HttpResponse:
    """django-axes lockout answer: JSON for the API, a short page elsewhere, always 429, with
    `Retry-After` the cool-off (it runs from the latest failure, so this is when a retry may pass)."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": LOCKED_OUT}, status=429)
    else:
        response = HttpResponse(LOCKED_OUT, status=429, content_type="text/plain; charset=utf-8")
    cool_off = get_cool_off(request)
    if cool_off is not None:
        response["Retry-After"] = str(math.ceil(cool_off.total_seconds()))
    return response
