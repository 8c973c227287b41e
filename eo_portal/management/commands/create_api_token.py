from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from eo_portal import services
from eo_portal.audit import system_user


class Command(BaseCommand):
    help = "Issue a personal API token for USERNAME and print it (it is shown only once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="Issued by an administrator")
        parser.add_argument("--days", type=int, default=None, help="Days until it expires (default: the maximum).")

    def handle(self, *args, username: str, name: str, days: int | None, **options) -> None:
        user = get_user_model()._default_manager.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active account named {username!r}.")
        try:
            token, secret = services.create_api_token(user, by=system_user(), name=name, days=days)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stderr.write(f"Token {token.prefix}… for {username}, expires {token.expires_at:%Y-%m-%d %H:%M %Z}.")
        self.stdout.write(secret)
