from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Red Line Tracker"

    def ready(self) -> None:
        from tracker import signals  # noqa: F401
        from tracker.alerts import signals as alert_signals  # noqa: F401
