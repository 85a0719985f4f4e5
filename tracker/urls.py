from django.contrib import admin
from django.urls import include, path

from tracker import health

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("tracker.alerts.urls")),
    path("", include("tracker.web_urls")),
]
