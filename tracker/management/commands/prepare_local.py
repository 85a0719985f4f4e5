from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "What `make run` does before it serves, in one process (each start of Django costs seconds): "
        "migrate, load the reference record, print the admin login."
    )

    def handle(self, *args, **options) -> None:
        call_command("migrate", interactive=False, verbosity=options["verbosity"])
        call_command("load_reference")
        call_command("ensure_admin")
