from django.urls import include, path
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
]
