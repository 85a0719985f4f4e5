from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api import views

router = DefaultRouter()
router.include_format_suffixes = False
router.register("actors", views.ActorViewSet, basename="api-actor")
router.register("red-lines", views.RedLineViewSet, basename="api-red-line")
router.register("events", views.EventViewSet, basename="api-event")
router.register("deletions", views.DeletionViewSet, basename="api-deletion")

record_urls = [
    path("stats/", views.StatsView.as_view(), name="api-stats"),
    path("dump/", views.DumpView.as_view(), name="api-dump"),
    *router.urls,
]


@csrf_exempt
def not_found(request: HttpRequest) -> JsonResponse:
    """Any other URL under /api/ (an id that is not a number, a typo): a JSON 404 like the API's own."""
    return JsonResponse({"detail": "Not found."}, status=404)


urlpatterns = [
    path("v1/", include("api.ingest")),
    path("v1/", include(record_urls)),
    path("v1/", include("api.review")),
    path("v1/", include("api.auth")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    re_path(r"^(?s:.*)/$", not_found),  # (?s: a path may hold an encoded newline
]
