from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Red Line Tracker"

    def ready(self) -> None:
        from tracker import signals  # noqa: F401
        from tracker.access import curator_group_sync
        from tracker.alerts import signals as alert_signals  # noqa: F401

        post_migrate.connect(curator_group_sync, sender=self, dispatch_uid="curator_group_sync")
