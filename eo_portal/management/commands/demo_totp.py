"""`manage.py demo_totp USERNAME`: the code a demo account's authenticator shows now.

For trying the demo without an authenticator app. It reads only the demo authenticator that
`seed_demo` gives (secret EO_DEMO_TOTP_SECRET), never a device a person added themselves.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from eo_portal import mfa


class Command(BaseCommand):
    help = "Print the current authenticator code of a demo account (one seeded by seed_demo)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        user = get_user_model()._default_manager.filter(username=username).first()
        device = mfa.confirmed_device(user) if user is not None else None
        if device is None or device.name != mfa.DEMO_DEVICE_NAME or mfa.secret_base32(device) != settings.DEMO_TOTP_SECRET:
            raise CommandError(f"{username!r} has no demo authenticator (run `manage.py seed_demo` first).")
        code, wait = mfa.usable_code(device)
        self.stdout.write(code)
        if wait:
            self.stderr.write(f"This account used its last code moments ago: this one works in {int(wait) + 1} seconds.")
