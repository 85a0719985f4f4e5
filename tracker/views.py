"""Dashboard pages: thin views over the selectors, rendered on the server.

The red-line list answers htmx requests with just its results fragment, so filters update
in place; the same URL without htmx renders the whole page, so every query can be shared.
Anonymous visitors' pages come from the read cache until the record changes (tracker.lib.response_cache).
"""

import re
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from tracker.access import is_curator
from tracker.lib.response_cache import cached_response
from tracker.models import Actor, Event, RedLine, StatusChange
from tracker.rules.status import EXPLANATION
from tracker.selectors import actor_pages as actor_reads
from tracker.selectors import dashboard
from tracker.selectors.follow_through import follow_through_for_actor, follow_through_for_actor_by_category
from tracker.selectors.paging import Cursor, RedLinePaginator, stable_order
from tracker.selectors.read_cache import CachedCountPaginator, query_signature
from tracker.selectors.red_line_detail import red_line_detail as line_detail
from tracker.selectors.red_lines import RedLineFilter, public_red_lines
from tracker.selectors.timeline import red_line_timeline

PAGE_SIZE = 25
PAGING = ("page", "after", "before", "format")
ACTOR_PAGE_SIZE = 50
ACTOR_MENU = 300
API_RED_LINES = "/api/v1/red-lines/"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
SORT_OPTIONS: tuple[tuple[str, str], ...] = (
    ("", "Best match, then newest"),
    ("-declared_on", "Newest declared"),
    ("declared_on", "Oldest declared"),
    ("-status_changed_on", "Latest status change"),
    ("-updated_at", "Recently updated"),
    ("title", "Title A–Z"),
    ("-severity", "Severity"),
)
HTMX_HEADERS = ("HX-Request", "HX-History-Restore-Request")
FILTER_LABELS = {
    "status": "Status",
    "declared_by": "Declared by",
    "addressee": "Addressed to",
    "severity": "Severity",
    "category": "Category",
    "theatre": "Theatre",
    "topic": "Topic",
    "declared_after": "Declared from",
    "declared_before": "Declared until",
    "updated_since": "Updated since",
    "q": "Search",
    "ordering": "Sort",
}


def cache_anonymous_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve a dashboard view's anonymous GETs from the read cache; htmx fragments apart from pages.

    Pages draw their timelines up to today, so the day is part of the key too.
    """

    @wraps(view)
    def cached_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        variant = [f"{name}={request.headers.get(name, '')}" for name in HTMX_HEADERS]
        variant.append(f"day={timezone.localdate().isoformat()}")
        response = cached_response(
            request, lambda: view(request, *args, **kwargs), prefix="page", variant=variant
        )
        patch_vary_headers(response, ("HX-Request",))
        return response

    return cached_view


def _review_url() -> str:
    try:
        return reverse("admin:tracker_candidate_changelist") + "?status__exact=pending"
    except NoReverseMatch:
        return reverse("admin:index")


@cache_anonymous_page
def overview(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    version = dashboard.record_version()
    counts = dashboard.cached_for_record("status-counts", dashboard.status_counts, version=version)
    context = {
        "status_counts": counts,
        "total_lines": sum(n for _, _, n in counts),
        "recently_crossed": dashboard.recently_crossed(),
        "recent_declarations": dashboard.recent_declarations(),
        "follow_through": dashboard.follow_through_by_declarer(version=version),
        "timeline": dashboard.cached_for_record(
            f"events-by-month-{today.isoformat()}",
            lambda: dashboard.events_by_month(today=today),
            version=version,
        ),
        "event_kinds": Event.Kind.choices,
    }
    if is_curator(request.user):
        context["pending_review"] = dashboard.pending_review_count()
        context["review_url"] = _review_url()
    return render(request, "tracker/overview.html", context)


def _page_number(paginator: Paginator, raw: str | None, problems: list[str]) -> int:
    """The page asked for, or the nearest page there is, with a message when they differ."""
    number = 1
    if raw not in (None, ""):
        try:
            number = int(raw)
            if number < 1:
                raise ValueError
        except ValueError:
            problems.append(f"Page “{raw}” is not a page number; showing page 1.")
            number = 1
    last = paginator.num_pages
    if number > last:
        problems.append(f"There is no page {number}; showing the last page ({last}).")
        number = last
    return number


def _paginate(
    qs: QuerySet, raw: str | None, problems: list[str], *, per_page: int = PAGE_SIZE, count_key: str = ""
) -> Page:
    """A page of `qs`; `count_key` names the query so its count is cached per record version."""
    paginator = CachedCountPaginator(qs, per_page, count_key=count_key)
    return paginator.page(_page_number(paginator, raw, problems))


def _cursor(params: QueryDict, name: str, problems: list[str]) -> Cursor | None:
    raw = params.get(name)
    if raw is None:
        return None
    cursor = Cursor.parse(raw)
    if cursor is None:
        problems.append(f"The position “{raw[:40]}” in this address is not valid; the page number was used.")
    return cursor


def _filter_problems(filterset: RedLineFilter, params: QueryDict) -> list[str]:
    problems = []
    for name, errors in filterset.form.errors.items():
        label = FILTER_LABELS.get(name, name)
        problems.append(f"{label}: {' '.join(errors)} This filter was ignored.")
    asked = {name: params.get(name, "").strip() for name in ("declared_by", "addressee")}
    asked = {name: slug for name, slug in asked.items() if slug and name not in filterset.form.errors}
    known = (
        set(Actor.objects.filter(slug__in=asked.values()).values_list("slug", flat=True)) if asked else set()
    )
    for name, slug in asked.items():
        if slug not in known:
            problems.append(f"{FILTER_LABELS[name]}: no actor is called “{slug}”, so nothing matches.")
    return problems


def _query_without(params: QueryDict, *drop: str) -> str:
    pairs = [(k, v) for k, values in params.lists() if k not in drop for v in values if v != ""]
    return urlencode(pairs)


def _api_list_url(query: str, fmt: str) -> str:
    """The API list answering the same query, as CSV or JSON."""
    return f"{API_RED_LINES}?{query}&format={fmt}" if query else f"{API_RED_LINES}?format={fmt}"


def _without_blanks(params: QueryDict) -> QueryDict:
    """The query minus empty values: a plain GET form sends every field, filled or not."""
    kept = QueryDict(mutable=True)
    for key, values in params.lists():
        for value in values:
            if value != "":
                kept.appendlist(key, value)
    return kept


@cache_anonymous_page
def red_line_list(request: HttpRequest) -> HttpResponse:
    params = _without_blanks(request.GET)
    # Up to ACTOR_MENU actors are offered as menus; a bigger record gets text boxes for a slug.
    actors = list(Actor.objects.only("id", "slug", "name").order_by("name", "id")[: ACTOR_MENU + 1])
    if len(actors) > ACTOR_MENU:
        actors = []
    filterset = RedLineFilter(params, queryset=public_red_lines(), request=request)
    problems = _filter_problems(filterset, params)
    count_key = "web-red-lines?" + query_signature(
        [(k, v) for k, values in params.lists() for v in values], drop=(*PAGING, "ordering")
    )
    paginator = RedLinePaginator(
        stable_order(filterset.qs, tuple(RedLine._meta.ordering)), PAGE_SIZE, count_key=count_key
    )
    number = _page_number(paginator, params.get("page"), problems)
    after, before = _cursor(params, "after", problems), _cursor(params, "before", problems)
    page = paginator.page_at(number, after=after, before=before)
    query = _query_without(params, *PAGING)
    active = _query_without(params, *PAGING, "ordering")
    context = {
        "page": page,
        "actors": actors,
        "problems": problems,
        "query": query,
        "filters_active": bool(active),
        "chosen": {
            "q": params.get("q", ""),
            "status": params.getlist("status"),
            "severity": params.getlist("severity"),
            "category": params.getlist("category"),
            "theatre": params.getlist("theatre"),
            "declared_by": params.get("declared_by", ""),
            "addressee": params.get("addressee", ""),
            "topic": params.get("topic", ""),
            "declared_after": params.get("declared_after", ""),
            "declared_before": params.get("declared_before", ""),
            "ordering": params.get("ordering", ""),
        },
        "statuses": RedLine.Status.choices,
        "severities": RedLine.Severity.choices,
        "categories": RedLine.Category.choices,
        "theatres": RedLine.Theatre.choices,
        "sort_options": SORT_OPTIONS,
        "csv_url": _api_list_url(query, "csv"),
        "json_url": _api_list_url(query, "json"),
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = "partials/red_line_results.html" if partial else "tracker/red_line_list.html"
    return render(request, template, context, status=400 if problems else 200)


def _as_of(raw: str | None, problems: list[str]) -> tuple[date | None, bool]:
    """The date of `?as_of=` (a future date is today), or None; and whether the input was malformed."""
    if raw in (None, ""):
        return None, False
    try:
        if not ISO_DATE.fullmatch(raw.strip()):
            raise ValueError
        as_of = date.fromisoformat(raw.strip())
    except ValueError:
        problems.append(f"“{raw[:40]}” is not a date (YYYY-MM-DD); showing the current record.")
        return None, True
    return as_of, False


def _declared_after(as_of: date, declared_on: date, problems: list[str]) -> bool:
    """Whether the line was declared after `as_of` (then the page shows the current record)."""
    if as_of >= declared_on:
        return False
    problems.append(
        f"On {as_of.strftime('%-d %B %Y')} this line had not yet been declared (it was declared on "
        f"{declared_on.strftime('%-d %B %Y')}); showing the current record."
    )
    return True


def _label(model: type, name: str, value: Any) -> Any:
    """What `get_<name>_display()` gives for `value`: its choice's label, or the value itself."""
    return dict(model._meta.get_field(name).flatchoices).get(value, value)


@cache_anonymous_page
def red_line_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The line as the API reads it (tracker.selectors.red_line_detail), with its related lines."""
    problems: list[str] = []
    asked, malformed = _as_of(request.GET.get("as_of"), problems)
    as_of = None if asked is None else min(asked, timezone.localdate())
    detail = line_detail(slug=slug, as_of=as_of, status_changes=True)
    if detail is None:
        raise Http404("No published red line has this address.")
    if asked is not None and _declared_after(asked, detail.line["declared_on"], problems):
        as_of = None
        detail = line_detail(slug=slug, status_changes=True)
    line, events = detail.line, detail.events
    for event in events:
        event["kind_label"] = _label(Event, "kind", event["kind"])
    by_id = {event["id"]: event for event in events}
    history = [
        {
            **change,
            "old_label": _label(StatusChange, "old_status", change["old_status"]),
            "new_label": _label(StatusChange, "new_status", change["new_status"]),
            "event": by_id.get(change["event_id"]),
        }
        for change in detail.status_changes
    ]
    labels = {
        name: _label(RedLine, name, line[name])
        for name in ("status", "severity", "category", "theatre", "explicitness")
    }
    related = public_red_lines().prefetch_related(None).select_related(None)
    restates = related.filter(slug=line["restates"]).first() if line["restates"] else None
    restated_by = list(related.filter(restates_id=line["id"]).order_by("declared_on", "id"))
    url = reverse("red-line-detail", kwargs={"slug": line["slug"]})
    drawn = {"line": line, "events": events, "today": as_of or timezone.localdate()}
    context = {
        "line": line,
        "labels": labels,
        "url": url,
        "events": events,
        "history": history,
        "as_of": as_of,
        "as_of_input": request.GET.get("as_of", "")[:40]
        if malformed
        else (as_of.isoformat() if as_of else ""),
        "problems": problems,
        "restated_by": restated_by,
        "restates": restates,
        "line_sources": line["sources"],
        "explanation": EXPLANATION.get(line["status"], ""),
        "timeline": red_line_timeline(width=900, **drawn),
        "timeline_narrow": red_line_timeline(width=360, **drawn),
        "permalink": request.build_absolute_uri(url),
        "json_url": f"{API_RED_LINES}{line['slug']}/",
    }
    return render(request, "tracker/red_line_detail.html", context, status=400 if malformed else 200)


@cache_anonymous_page
def actor_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    problems: list[str] = []
    kind = params.get("kind", "")
    if kind and kind not in Actor.Kind.values:
        problems.append(f"Kind: “{kind}” is not a kind of actor. This filter was ignored.")
        kind = ""
    q = params.get("q", "").replace("\x00", "").strip()[:200]
    page = _paginate(
        actor_reads.actors_with_counts(kind=kind, q=q),
        params.get("page"),
        problems,
        per_page=ACTOR_PAGE_SIZE,
        count_key=f"web-actors?{kind}&{q}",
    )
    context = {
        "page": page,
        "problems": problems,
        "kinds": Actor.Kind.choices,
        "chosen": {"kind": kind, "q": q},
        "query": _query_without(params, "page"),
    }
    return render(request, "tracker/actor_list.html", context, status=400 if problems else 200)


@cache_anonymous_page
def actor_detail(request: HttpRequest, slug: str) -> HttpResponse:
    actor = actor_reads.actor_by_slug(slug=slug)
    if actor is None:
        raise Http404("No actor has this address.")
    context = {
        "actor": actor,
        "members": actor_reads.actor_members(actor=actor),
        "declared": actor_reads.actor_lines_declared(actor=actor),
        "addressed": actor_reads.actor_lines_addressed(actor=actor),
        "crossings": actor_reads.actor_crossings(actor=actor),
        "follow_through": follow_through_for_actor(actor=actor),
        "follow_through_by_category": follow_through_for_actor_by_category(actor=actor),
        "declared_query": urlencode({"declared_by": actor.slug}),
        "addressed_query": urlencode({"addressee": actor.slug}),
    }
    return render(request, "tracker/actor_detail.html", context)


def favicon(request: HttpRequest) -> HttpResponse:
    """Pages without an icon link (admin, the browsable API) make browsers ask for /favicon.ico."""
    return HttpResponseRedirect(static("favicon.svg"))
