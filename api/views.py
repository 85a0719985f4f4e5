"""Public read, curator write. Reads come from selectors; writes go through tracker.services.record."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer, ValidationError
from rest_framework.views import APIView

from api.export import EXPORT_FORMATS, ExportMixin
from api.filters import (
    ActorFilter,
    DeletionFilter,
    EventFilter,
    IdLookupMixin,
    StableOrderingBackend,
    StrictFilterBackend,
    refuse_empty,
)
from api.pagination import PagePagination
from api.permissions import IsCuratorOrReadOnly
from api.read_cache import CachedReadMixin
from api.renderers import CSVRenderer, FastJSONRenderer, JSONLinesRenderer
from api.serializers.inputs import ActorInputSerializer, EventInputSerializer, RedLineInputSerializer
from api.serializers.queries import AsOfQuerySerializer, StatsQuerySerializer
from api.serializers.records import (
    ActorDetailSerializer,
    ActorSerializer,
    DeletionSerializer,
    EventSerializer,
    HistorySerializer,
    RedLineDetailSerializer,
    RedLineSerializer,
)
from api.serializers.rows import history_data, red_line_detail_data, rows_data
from api.serializers.stats import StatsSerializer, stats_data
from api.streaming import dump_response
from tracker import shapes
from tracker.models import Actor, Deletion, Event, RedLine, Source
from tracker.selectors.actors import actors_listed
from tracker.selectors.events import public_events, published_events
from tracker.selectors.follow_through import follow_through_for_actor
from tracker.selectors.history import red_line_timeline
from tracker.selectors.red_line_csv import red_line_csv_chunks
from tracker.selectors.red_line_detail import red_line_detail
from tracker.selectors.red_lines import (
    RedLineFilter,
    public_red_lines,
    published_red_lines,
    red_line_events,
)
from tracker.selectors.shape_rows import ShapeRows
from tracker.selectors.stats import record_stats
from tracker.services import record

LIST_RENDERERS = [FastJSONRenderer, BrowsableAPIRenderer, CSVRenderer, JSONLinesRenderer]
# 400/401/403/404/413/429 are added where they can occur by api.schema.RecordAutoSchema.
DELETE_ERRORS = {409: OpenApiResponse(description="Other records still refer to this one.")}


class RecordViewSet(
    CachedReadMixin, ExportMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Shared plumbing: filters then a stable tie-break, pagination, exports, curator-only writes."""

    permission_classes = [IsCuratorOrReadOnly]
    filter_backends = [StrictFilterBackend, StableOrderingBackend]
    pagination_class = PagePagination
    renderer_classes = LIST_RENDERERS
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    input_serializer_class: type[Serializer]
    read_serializer_class: type[Serializer]
    tombstone_model = ""

    # With a shape, a JSON list page is read as rows of it (from `row_queryset()`, bare: the rows
    # select their own columns) and rendered as its serializer would; exports stream on their own path.
    row_shape: shapes.Shape = ()

    def get_serializer_class(self):
        return self.read_serializer_class

    def row_queryset(self) -> QuerySet:
        raise NotImplementedError

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not self.row_shape or getattr(request.accepted_renderer, "format", None) in EXPORT_FORMATS:
            return super().list(request, *args, **kwargs)
        page = self.paginate_queryset(ShapeRows(self.filter_queryset(self.row_queryset()), self.row_shape))
        return self.get_paginated_response(rows_data(self.row_shape, page))

    def get_object(self) -> Any:
        """Detail lookups ignore list filters; writes may reach drafts, reads only public rows."""
        lookup = self.lookup_url_kwarg or self.lookup_field
        obj = get_object_or_404(self.get_queryset(), **{self.lookup_field: self.kwargs[lookup]})
        self.check_object_permissions(self.request, obj)
        return obj

    def _input(self, data: Any, instance: Any = None, partial: bool = False) -> dict[str, Any]:
        serializer = self.input_serializer_class(
            instance=instance, data=data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _output(self, obj: Any, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.read_queryset().get(pk=obj.pk)
        self._decorate(fresh)
        return Response(self.get_serializer(fresh).data, status=code)

    def _decorate(self, obj: Any) -> None:
        """Attach the per-object extras the detail serializer shows."""

    def read_queryset(self) -> QuerySet:
        raise NotImplementedError


@extend_schema_view(
    list=extend_schema(summary="List actors", description="Filters: kind, country, q (name/alias search)."),
    retrieve=extend_schema(summary="An actor and its follow-through figures"),
    create=extend_schema(
        summary="Create an actor",
        request=ActorInputSerializer,
        responses={201: ActorDetailSerializer},
    ),
    partial_update=extend_schema(
        summary="Edit an actor",
        request=ActorInputSerializer,
        responses={200: ActorDetailSerializer},
    ),
    destroy=extend_schema(summary="Delete an actor", responses={204: None, **DELETE_ERRORS}),
)
class ActorViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, RecordViewSet):
    lookup_field = "slug"
    lookup_value_regex = r"[-\w]+"
    filterset_class = ActorFilter
    input_serializer_class = ActorInputSerializer
    export_name = "actors"

    def get_queryset(self) -> QuerySet[Actor]:
        return self.read_queryset()

    def read_queryset(self) -> QuerySet[Actor]:
        return actors_listed()

    @property
    def read_serializer_class(self):
        return ActorSerializer if self.action == "list" else ActorDetailSerializer

    def _decorate(self, actor: Actor) -> None:
        actor.follow_through = follow_through_for_actor(actor=actor)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = self.get_object()
        self._decorate(actor)
        return Response(self.get_serializer(actor).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._input(request.data)
        actor = record.actor_create(user=request.user, **data)
        return self._output(actor, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = self.get_object()
        actor = record.actor_update(actor=actor, user=request.user, **self._input(request.data, actor, True))
        return self._output(actor)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record.actor_delete(actor=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


AS_OF = OpenApiParameter(
    "as_of", OpenApiTypes.DATE, description="YYYY-MM-DD: status and events as they stood on that date."
)


@extend_schema_view(
    list=extend_schema(summary="List and search red lines"),
    retrieve=extend_schema(summary="A red line with its addressees, sources and events", parameters=[AS_OF]),
    create=extend_schema(
        summary="Declare a red line",
        request=RedLineInputSerializer,
        responses={201: RedLineDetailSerializer},
    ),
    partial_update=extend_schema(
        summary="Edit a red line",
        request=RedLineInputSerializer,
        responses={200: RedLineDetailSerializer},
    ),
    destroy=extend_schema(summary="Delete a red line and its events", responses={204: None, **DELETE_ERRORS}),
    history=extend_schema(
        summary="A red line's timeline: declaration, events and status changes in date order",
        parameters=[AS_OF],
        responses=HistorySerializer,
    ),
)
class RedLineViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, RecordViewSet
):
    lookup_field = "slug"
    lookup_value_regex = r"[-\w]+"
    filterset_class = RedLineFilter
    input_serializer_class = RedLineInputSerializer
    row_shape = shapes.RED_LINE
    export_name = "red-lines"
    export_csv_chunks = staticmethod(red_line_csv_chunks)

    @property
    def read_serializer_class(self):
        return RedLineSerializer if self.action == "list" else RedLineDetailSerializer

    def get_queryset(self) -> QuerySet[RedLine]:
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return self.read_queryset(public_red_lines())
        return RedLine.objects.all()

    def read_queryset(self, base: QuerySet[RedLine] | None = None) -> QuerySet[RedLine]:
        base = base if base is not None else RedLine.objects.prefetch_related("addressees")
        return base.select_related("declared_by", "restates").prefetch_related(
            Prefetch("sources", queryset=Source.objects.order_by("published_on", "id"))
        )

    def row_queryset(self) -> QuerySet[RedLine]:
        return published_red_lines()

    def _as_of(self) -> Any:
        if "as_of" not in self.request.query_params:
            return None
        refuse_empty(self.request.query_params, ["as_of"])
        query = AsOfQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data.get("as_of")

    def _decorate(self, line: RedLine) -> None:
        """After a write: the line's events for RedLineDetailSerializer (reads use `_read`)."""
        line.timeline_events = list(red_line_events(red_line=line))
        line.as_of = None

    def _read(self, *, as_of: Any, history: bool = False) -> Any:
        """The public line of this URL as rows (no model objects: the detail is the busiest read)."""
        detail = red_line_detail(
            slug=self.kwargs[self.lookup_field], as_of=as_of, actors=not history, status_changes=history
        )
        if detail is None:
            raise Http404(f"No {RedLine._meta.object_name} matches the given query.")
        declared_on = detail.line["declared_on"]
        if as_of is not None and as_of < declared_on:
            raise ValidationError(
                {"as_of": [f"The line was declared on {declared_on.isoformat()}, after {as_of.isoformat()}."]}
            )
        return detail

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        as_of = self._as_of()
        return Response(red_line_detail_data(self._read(as_of=as_of), as_of=as_of))

    @action(detail=True, methods=["get"], renderer_classes=[FastJSONRenderer, BrowsableAPIRenderer])
    def history(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        as_of = self._as_of()
        detail = self._read(as_of=as_of, history=True)
        data = history_data(
            slug=detail.line["slug"],
            status=detail.line["status"],
            as_of=as_of,
            timeline=red_line_timeline(detail=detail),
        )
        return Response(data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._input(request.data)
        line = record.red_line_create(user=request.user, **data)
        return self._output(line, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        line = self.get_object()
        data = self._input(request.data, line, True)
        line = record.red_line_update(red_line=line, user=request.user, **data)
        return self._output(line)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record.red_line_delete(red_line=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="List events"),
    retrieve=extend_schema(summary="An event with its actors and sources"),
    create=extend_schema(
        summary="Record an event",
        request=EventInputSerializer,
        responses={201: EventSerializer},
    ),
    partial_update=extend_schema(
        summary="Edit an event",
        request=EventInputSerializer,
        responses={200: EventSerializer},
    ),
    destroy=extend_schema(summary="Delete an event", responses={204: None, **DELETE_ERRORS}),
)
class EventViewSet(
    IdLookupMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, RecordViewSet
):
    lookup_value_regex = r"[0-9]+"
    filterset_class = EventFilter
    input_serializer_class = EventInputSerializer
    read_serializer_class = EventSerializer
    row_shape = shapes.EVENT
    export_name = "events"

    def get_queryset(self) -> QuerySet[Event]:
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return published_events()
        return Event.objects.select_related("red_line")

    def read_queryset(self) -> QuerySet[Event]:
        return Event.objects.select_related("red_line").prefetch_related("actors", "sources")

    def row_queryset(self) -> QuerySet[Event]:
        return public_events()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        event = record.event_record(user=request.user, **self._input(request.data))
        return self._output(event, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        event = self.get_object()
        event = record.event_update(event=event, user=request.user, **self._input(request.data, event, True))
        return self._output(event)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record.event_delete(event=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        summary="Tombstones of deleted records",
        description="With `since`, a client keeping a copy learns what to delete. Keys are slugs "
        "(actors, red lines; also a line's or actor's old slug after a rename) or event ids.",
    )
)
class DeletionViewSet(CachedReadMixin, ExportMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Deletion.objects.all()
    serializer_class = DeletionSerializer
    filterset_class = DeletionFilter
    filter_backends = [StrictFilterBackend, StableOrderingBackend]
    pagination_class = PagePagination
    renderer_classes = LIST_RENDERERS
    export_name = "deletions"


class StatsView(CachedReadMixin, APIView):
    renderer_classes = [FastJSONRenderer, BrowsableAPIRenderer]

    @extend_schema(
        summary="Counts by status, severity and category; follow-through by actor and by category",
        parameters=[StatsQuerySerializer],
        responses=StatsSerializer,
    )
    def get(self, request: Request) -> Response:
        refuse_empty(request.query_params, StatsQuerySerializer().fields)
        query = StatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(stats_data(record_stats(**query.validated_data)))


class DumpView(APIView):
    """The whole public record as JSON Lines: actors, then red lines, then events, streamed."""

    renderer_classes = [JSONLinesRenderer]

    def perform_content_negotiation(self, request, force=False):
        """Whatever the Accept header, JSON Lines (the only format); a `?format=` is still checked."""
        if request.query_params.get("format"):
            return super().perform_content_negotiation(request, force)
        return (JSONLinesRenderer(), JSONLinesRenderer.media_type)

    @extend_schema(
        summary="The whole public record as streamed JSON Lines",
        description='One object per line: {"type": "actor"|"red_line"|"event", "data": {...}} with the '
        "same fields as the lists; `generated_at` in a first header line.",
        responses={(200, "application/x-ndjson"): OpenApiTypes.STR},
    )
    def get(self, request: Request):
        return dump_response(request=request, generated_at=timezone.now())
