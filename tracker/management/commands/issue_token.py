from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rest_framework.authtoken.models import Token

from api.permissions import is_curator


class Command(BaseCommand):
    help = "Print a new API token for USERNAME, replacing any earlier one (revoke tokens in admin)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args, **options) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        if not user.is_active:
            raise CommandError(f"User {user.username!r} is inactive.")
        Token.objects.filter(user=user).delete()
        token = Token.objects.create(user=user)
        if not is_curator(user):
            self.stderr.write(f"Note: {user.username} is not a curator or staff; the token can only read.")
        self.stdout.write(token.key)
