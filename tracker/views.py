"""Dashboard pages (placeholder until the dashboard lands): plain read-only views."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from tracker.models import Actor, RedLine


def overview(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Red Line Tracker")


def red_line_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("\n".join(r.title for r in RedLine.objects.filter(is_published=True)[:50]))


def red_line_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse(get_object_or_404(RedLine, slug=slug, is_published=True).title)


def actor_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("\n".join(a.name for a in Actor.objects.all()[:50]))


def actor_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse(get_object_or_404(Actor, slug=slug).name)
