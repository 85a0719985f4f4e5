from django.contrib import admin
from django.urls import include, path

from tracker import health, views
from tracker.feeds import EventsFeed, RedLineFeed

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("readyz", health.readyz, name="readyz"),
    path("feeds/events/", EventsFeed(), name="feed-events"),
    path("feeds/red-lines/<slug:slug>/", RedLineFeed(), name="feed-red-line"),
    path("", include("tracker.alerts.urls")),
    path("", include("tracker.web_urls")),
]
