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

# Under /api/ these answer JSON; elsewhere Django's pages (templates 404.html, 500.html...).
handler400 = "api.exceptions.bad_request"
handler403 = "api.exceptions.permission_denied"
handler404 = "api.exceptions.page_not_found"
handler500 = "api.exceptions.server_error"
