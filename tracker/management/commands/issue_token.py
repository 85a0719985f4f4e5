from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tracker.access import is_curator
from tracker.services.tokens import api_token_issue


class Command(BaseCommand):
    help = (
        "Print a new API token for USERNAME, replacing any earlier one. The key is shown only here "
        "(the database keeps its digest); revoke tokens in admin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args, **options) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        if not user.is_active:
            raise CommandError(f"User {user.username!r} is inactive.")
        issued = api_token_issue(user=user, name="manage.py issue_token")
        if not is_curator(user):
            self.stderr.write(
                f"Note: {user.username} is not a curator (Curator group or superuser); the token can only read."
            )
        self.stderr.write("Copy the key now: it is not stored and cannot be shown again.")
        self.stdout.write(issued.key)
