"""The bulk dump: every public actor, red line and event as JSON Lines, in constant memory."""

from collections.abc import Iterator
from datetime import datetime

from django.http import StreamingHttpResponse
from rest_framework.request import Request

from api.export import serialized_rows
from api.renderers import json_line
from api.serializers.records import ActorSerializer, EventSerializer, RedLineSerializer
from tracker.selectors.actors import actors_listed
from tracker.selectors.events import published_events
from tracker.selectors.red_lines import public_red_lines


def dump_lines(*, request: Request, generated_at: datetime) -> Iterator[str]:
    context = {"request": request}
    yield json_line(
        {"type": "header", "data": {"generated_at": generated_at, "format": "red-line-tracker/1"}}
    )
    parts = [
        ("actor", actors_listed().order_by("id"), ActorSerializer),
        (
            "red_line",
            public_red_lines().select_related("restates").prefetch_related("sources").order_by("id"),
            RedLineSerializer,
        ),
        ("event", published_events().order_by("id"), EventSerializer),
    ]
    for kind, qs, serializer_class in parts:
        for row in serialized_rows(qs, serializer_class, context):
            yield json_line({"type": kind, "data": row})


def dump_response(*, request: Request, generated_at: datetime) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        dump_lines(request=request, generated_at=generated_at),
        content_type="application/x-ndjson; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="red-line-tracker.jsonl"'
    return response
