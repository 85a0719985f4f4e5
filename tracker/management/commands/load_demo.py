from django.core.management.base import BaseCommand

from tracker.services.demo import demo_record_load


class Command(BaseCommand):
    help = "Load the demo record built from the seed story; running it again changes nothing."

    def handle(self, *args, **options) -> None:
        report = demo_record_load()
        if report.changed:
            self.stdout.write(
                f"Demo record: {report.actors_created} actors, {report.red_lines_created} red lines, "
                f"{report.events_created} events created."
            )
        else:
            self.stdout.write("Demo record already loaded; nothing changed.")
