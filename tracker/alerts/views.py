"""Follow and unfollow (POST, signed in). The dashboard links to these; they answer JSON or redirect back.

- ``POST /follows/red-lines/<slug>/``, ``POST /follows/actors/<slug>/``, ``POST /follows/queries/``
  (form field ``query``: a red-line list query string) create a follow;
- ``POST /follows/<id>/delete/`` removes it.

With ``Accept: application/json`` (or an htmx request) they answer JSON; otherwise they redirect to
``next`` (same-site only) or the followed page.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tracker.alerts import services as alerts
from tracker.errors import DomainError
from tracker.models import Actor, Follow, RedLine


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "") or bool(getattr(request, "htmx", False))


def _answer(request: HttpRequest, *, follow: Follow | None, fallback: str, status: int = 200) -> HttpResponse:
    if _wants_json(request):
        body = {"following": follow is not None, "id": follow.pk if follow else None}
        return JsonResponse(body, status=status)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = fallback
    return redirect(target)


@login_required
@require_POST
def follow_red_line(request: HttpRequest, slug: str) -> HttpResponse:
    red_line = get_object_or_404(RedLine, slug=slug, is_published=True)
    follow = alerts.follow_create(user=request.user, red_line=red_line)
    return _answer(request, follow=follow, fallback=red_line.get_absolute_url(), status=201)


@login_required
@require_POST
def follow_actor(request: HttpRequest, slug: str) -> HttpResponse:
    actor = get_object_or_404(Actor, slug=slug)
    follow = alerts.follow_create(user=request.user, actor=actor)
    return _answer(request, follow=follow, fallback=actor.get_absolute_url(), status=201)


@login_required
@require_POST
def follow_query(request: HttpRequest) -> HttpResponse:
    try:
        follow = alerts.follow_create(user=request.user, query=request.POST.get("query", ""))
    except DomainError as exc:
        return JsonResponse({"query": [str(exc)]}, status=400)
    return _answer(request, follow=follow, fallback=f"/red-lines/?{follow.query}", status=201)


@login_required
@require_POST
def unfollow(request: HttpRequest, follow_id: int) -> HttpResponse:
    if not alerts.follow_delete(user=request.user, follow_id=follow_id):
        return JsonResponse({"detail": "Not found."}, status=404)
    return _answer(request, follow=None, fallback="/")
