from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class CuratorAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the curators' door (`tracker.admin_site.CuratorAdminSite`)."""

    default = False  # named in INSTALLED_APPS; the tracker app itself is TrackerConfig
    default_site = "tracker.admin_site.CuratorAdminSite"


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Red Line Tracker"

    def ready(self) -> None:
        from corsheaders.signals import check_request_enabled

        # Importing tasks registers the Celery tasks the ingest stages hand work to.
        from tracker import signals, tasks  # noqa: F401
        from tracker.access import cors_public_read, curator_group_sync

        post_migrate.connect(curator_group_sync, sender=self, dispatch_uid="curator_group_sync")
        check_request_enabled.connect(cors_public_read, dispatch_uid="cors_public_read")
