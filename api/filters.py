"""Filter sets for the lists that do not share the dashboard's (RedLineFilter lives in selectors)."""

from collections.abc import Iterable
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend

from tracker.models import Actor, Deletion, Event
from tracker.selectors.actors import actor_name_filter
from tracker.selectors.red_lines import StaticFilterSet, UtcDateTimeFilter

# Ids are bigint columns (DEFAULT_AUTO_FIELD): a number past them is refused before any query, as
# PostgreSQL would find nothing.
ID_RANGE = {"min_value": 0, "max_value": 2**63 - 1}  # ids are never negative


def id_param(value: Any, *, name: str) -> int:
    """A query or path parameter that is an id, or a 400 with a message under `name`."""
    try:
        return forms.IntegerField(**ID_RANGE).clean(value)
    except DjangoValidationError as exc:
        raise ValidationError({name: exc.messages}) from None


class IdFilter(django_filters.NumberFilter):
    """An id filter: a whole number within the id columns' range, else a 400 naming the filter."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **{**ID_RANGE, **kwargs})


class IdLookupMixin:
    """Detail views addressed by id: an id past the columns' range is a 400, not a 404 or a 500."""

    def get_object(self) -> Any:
        lookup = self.lookup_url_kwarg or self.lookup_field
        self.kwargs[lookup] = id_param(self.kwargs[lookup], name="id")
        return super().get_object()


UPDATED_SINCE_HELP = "Only records changed at or after this ISO 8601 timestamp (for keeping a copy in sync)."


EMPTY_PARAMETER = "Empty: give a value, or leave the parameter out."


def refuse_empty(params: Any, names: Iterable[str]) -> None:
    """`name=` with nothing after it is a 400 with the parameter's name, never a filter silently dropped."""
    errors = {name: [EMPTY_PARAMETER] for name in names if "" in params.getlist(name)}
    if errors:
        raise ValidationError(errors)


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, except that an empty filter value is refused instead of ignored."""

    def get_filterset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            refuse_empty(request.query_params, filterset_class.base_filters)
        return super().get_filterset(request, queryset, view)


def stable_order(qs: QuerySet) -> QuerySet:
    """The query's ordering with the primary key appended, so pages never repeat or skip rows.

    The id runs the same way as the last ordering: `-updated_at, -id` reads an index on
    (updated_at, id) backwards instead of sorting every matching row.
    """
    order = list(qs.query.order_by) or (list(qs.model._meta.ordering) if qs.query.default_ordering else [])
    names = [o.lstrip("-") for o in order if isinstance(o, str)]
    if "id" in names or "pk" in names:
        return qs
    descending = bool(order) and isinstance(order[-1], str) and order[-1].startswith("-")
    return qs.order_by(*order, "-id" if descending else "id")


class StableOrderingBackend(BaseFilterBackend):
    """Runs after the filter sets: ties in any ordering are broken by id."""

    def filter_queryset(self, request, queryset, view):
        return stable_order(queryset)


class ActorFilter(StaticFilterSet):
    kind = django_filters.MultipleChoiceFilter(
        choices=Actor.Kind.choices, help_text="Actor kind (repeatable)"
    )
    country = django_filters.CharFilter(
        field_name="country", lookup_expr="iexact", help_text="ISO 3166-1 alpha-2 code, e.g. RU"
    )
    q = django_filters.CharFilter(method="filter_q", help_text="Words found in the name, slug or aliases")
    updated_since = UtcDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text=UPDATED_SINCE_HELP
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("slug", "slug"),
            ("updated_at", "updated_at"),
            ("created_at", "created_at"),
        ),
        help_text="Sort by a field; prefix with - for descending. Ties are broken by id, in the same direction.",
    )

    class Meta:
        model = Actor
        fields: list[str] = []

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return actor_name_filter(qs, value)


class EventFilter(StaticFilterSet):
    red_line = django_filters.CharFilter(field_name="red_line__slug", help_text="Red line slug")
    # distinct=False: a plain column, no join; DISTINCT over every column of a page read as rows
    # sorts every matching event (tracker.selectors.shape_rows).
    kind = django_filters.MultipleChoiceFilter(
        choices=Event.Kind.choices, distinct=False, help_text="Event kind (repeatable)"
    )
    actor = django_filters.CharFilter(
        method="filter_actor", help_text="Slug of an actor involved in the event"
    )
    after = django_filters.DateFilter(
        field_name="occurred_on", lookup_expr="gte", help_text="Occurred on or after (YYYY-MM-DD)"
    )
    before = django_filters.DateFilter(
        field_name="occurred_on", lookup_expr="lte", help_text="Occurred on or before (YYYY-MM-DD)"
    )
    updated_since = UtcDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text=UPDATED_SINCE_HELP
    )
    ordering = django_filters.OrderingFilter(
        fields=(("occurred_on", "occurred_on"), ("updated_at", "updated_at"), ("created_at", "created_at")),
        help_text="Sort by a field; prefix with - for descending. Ties are broken by id, in the same direction.",
    )

    class Meta:
        model = Event
        fields: list[str] = []

    def filter_actor(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        # A subquery rather than a join, so an event is never listed twice.
        return qs.filter(pk__in=Event.actors.through.objects.filter(actor__slug=value).values("event_id"))


class DeletionFilter(StaticFilterSet):
    since = UtcDateTimeFilter(
        field_name="deleted_at", lookup_expr="gte", help_text="Tombstones recorded at or after (ISO 8601)"
    )
    model = django_filters.ChoiceFilter(
        choices=[("actor", "actor"), ("red_line", "red_line"), ("event", "event")],
        help_text="Which kind of record was deleted",
    )

    class Meta:
        model = Deletion
        fields: list[str] = []
