"""Whole filtered results as streamed CSV or JSON Lines, in constant memory and without a row cap."""

from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from rest_framework.exceptions import NotAcceptable
from rest_framework.request import Request
from rest_framework.serializers import BaseSerializer

from api.renderers import csv_lines, csv_raw_asked, json_line

CHUNK = 1000
EXPORT_FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


def serialized_rows(
    qs: QuerySet, serializer_class: type[BaseSerializer], context: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    """Rows one by one; prefetches run per chunk of CHUNK rows, so memory stays flat."""
    chunk: list[Any] = []
    for obj in qs.iterator(chunk_size=CHUNK):
        chunk.append(obj)
        if len(chunk) == CHUNK:
            yield from serializer_class(chunk, many=True, context=context).data
            chunk = []
    if chunk:
        yield from serializer_class(chunk, many=True, context=context).data


def export_response(
    *,
    qs: QuerySet,
    serializer_class: type[BaseSerializer],
    request: Request,
    fmt: str,
    name: str,
    view: Any = None,
    csv_chunks: Callable[..., Iterator[bytes] | None] | None = None,
) -> StreamingHttpResponse:
    """`csv_chunks`, when given, returns the CSV's bytes rendered by the database (or None where it
    cannot): the serializers' bytes, faster."""
    context = {"request": request, "view": view, "format": fmt}
    escape_formulas = not csv_raw_asked(request)
    body: Iterator[str] | Iterator[bytes] | None = None
    if fmt == "csv" and csv_chunks is not None:
        body = csv_chunks(qs, escape_formulas=escape_formulas)
    if body is None:
        rows = serialized_rows(qs, serializer_class, context)
        if fmt == "csv":
            columns = list(serializer_class(context=context).fields)
            body = csv_lines(columns, rows, escape_formulas=escape_formulas)
        else:
            body = (json_line(r) for r in rows)
    response = StreamingHttpResponse(body, content_type=EXPORT_FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


class ExportMixin:
    """`?format=csv` / `?format=jsonl` on a list: the same filters, every row, streamed."""

    export_name = "export"
    export_serializer_class: type[BaseSerializer] | None = None
    # The CSV's bytes rendered by the database, or None where it cannot (see red_line_csv_chunks).
    export_csv_chunks: Callable[..., Iterator[bytes] | None] | None = None

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # `?format=` with no value is an unknown format (406, as any other), not a silent "the default".
        if not force and request.query_params.get("format") == "":
            raise NotAcceptable("Unknown format: give csv, json or jsonl, or leave `format` out.")
        return super().perform_content_negotiation(request, force)  # type: ignore[misc]

    def list(self, request: Request, *args: Any, **kwargs: Any):
        fmt = getattr(request.accepted_renderer, "format", None)
        if fmt in EXPORT_FORMATS:
            if self.paginator is not None:
                self.paginator.check_query(request)
            qs = self.filter_queryset(self.get_queryset())
            return export_response(
                qs=qs,
                serializer_class=self.export_serializer_class or self.get_serializer_class(),
                request=request,
                fmt=fmt,
                name=self.export_name,
                view=self,
                csv_chunks=type(self).export_csv_chunks,
            )
        return super().list(request, *args, **kwargs)
