"""Reads of red lines shared by the API and the dashboard: one filter set, one search."""

import copy
from datetime import UTC, date, datetime

import django_filters
from django.db.models import Prefetch, QuerySet

from tracker.models import Actor, Event, RedLine, StatusChange
from tracker.rules.publication import public_event, published_line
from tracker.selectors.search import full_text_filter

ORDERING_FIELDS = (
    ("declared_on", "declared_on"),
    ("title", "title"),
    ("status_changed_on", "status_changed_on"),
    ("updated_at", "updated_at"),
    ("severity", "severity"),
)


def published_red_lines() -> QuerySet[RedLine]:
    """The lines the public may see, bare (for reads that select their own columns)."""
    return RedLine.objects.filter(published_line())


def public_red_lines() -> QuerySet[RedLine]:
    """Published lines with what every listing shows, without per-row queries.

    The search document (`search_vector`) is left in the database: no listing shows it.
    """
    return (
        published_red_lines()
        .defer("search_vector")
        .select_related("declared_by")
        .prefetch_related(Prefetch("addressees", queryset=Actor.objects.only("id", "slug", "name")))
    )


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 timestamp, compared in UTC; offsets PostgreSQL cannot store (beyond ±15:59) are fine."""

    def filter(self, qs: QuerySet, value: datetime | None) -> QuerySet:
        if value is not None:
            try:
                value = value.astimezone(UTC)
            except (OverflowError, ValueError):  # within hours of year 1 or 9999: clamp to that end
                value = (datetime.min if value.year < 5000 else datetime.max).replace(tzinfo=UTC)
        return super().filter(qs, value)


class _ShallowFilters(dict):
    """A filter set's class filters; each instance gets shallow copies instead of deep ones.

    django-filter deep-copies every filter (and its choices) for each request; the copies only
    need their own `model` and `parent`, which the filter set sets on them.
    """

    def __deepcopy__(self, memo: dict) -> dict:
        copies = {}
        for name, base in self.items():
            copied = copy.copy(base)
            if base.method is not None:
                copied.method = base.method  # a FilterMethod bound to the copy, not to the class's filter
            copies[name] = copied
        return copies


class _SharedFields(dict):
    """A static form's fields, shared by its instances: they are read, never changed per request."""

    def __deepcopy__(self, memo: dict) -> dict:
        return dict(self)


class StaticFilterSet(django_filters.FilterSet):
    """A filter set whose filters never depend on the request: its form class is built once.

    django-filter builds a new form class, and a form field for every filter, on each request, and
    deep-copies the filters and the form's fields; here the form class is built once and both are
    copied shallowly.
    """

    @classmethod
    def get_filters(cls) -> dict:
        return _ShallowFilters(super().get_filters())

    def get_form_class(self) -> type:
        cls = type(self)
        form_class = cls.__dict__.get("_static_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            form_class.base_fields = _SharedFields(form_class.base_fields)
            cls._static_form_class = form_class
        return form_class


class RedLineFilter(StaticFilterSet):
    # distinct=False: plain columns, no join; DISTINCT over every column is slow on a big record.
    status = django_filters.MultipleChoiceFilter(choices=RedLine.Status.choices, distinct=False)
    declared_by = django_filters.CharFilter(field_name="declared_by__slug", help_text="Actor slug")
    addressee = django_filters.CharFilter(field_name="addressees__slug", help_text="Actor slug")
    severity = django_filters.MultipleChoiceFilter(choices=RedLine.Severity.choices, distinct=False)
    category = django_filters.MultipleChoiceFilter(choices=RedLine.Category.choices, distinct=False)
    theatre = django_filters.MultipleChoiceFilter(
        choices=RedLine.Theatre.choices, distinct=False, help_text="The region or dispute (repeatable)"
    )
    topic = django_filters.CharFilter(method="filter_topic", help_text="A topic tag, e.g. missiles")
    declared_after = django_filters.DateFilter(field_name="declared_on", lookup_expr="gte")
    declared_before = django_filters.DateFilter(field_name="declared_on", lookup_expr="lte")
    updated_since = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    q = django_filters.CharFilter(method="filter_q", help_text="Full text over title, statement, trigger")
    ordering = django_filters.OrderingFilter(fields=ORDERING_FIELDS)

    class Meta:
        model = RedLine
        fields: list[str] = []

    def filter_topic(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        topic = value.strip().lower()
        if not topic:
            return qs
        return qs.filter(topics__contains=[topic])

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return full_text_filter(qs, value)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        qs = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("addressee"):
            qs = qs.distinct()
        return qs


def red_line_events(*, red_line: RedLine, as_of: date | None = None) -> QuerySet[Event]:
    qs = (
        Event.objects.filter(public_event(), red_line=red_line)
        .prefetch_related("sources", Prefetch("actors", queryset=Actor.objects.only("id", "slug", "name")))
        .order_by("occurred_on", "created_at", "id")
    )
    if as_of is not None:
        qs = qs.filter(occurred_on__lte=as_of)
    return qs


def red_line_status_history(*, red_line: RedLine, as_of: date | None = None) -> QuerySet[StatusChange]:
    qs = red_line.status_changes.order_by("changed_on", "recorded_at", "id")
    if as_of is not None:
        qs = qs.filter(changed_on__lte=as_of)
    return qs
