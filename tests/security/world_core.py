"""The core's objects for the permission matrix: lab A's profile and a membership, a notification
and an API token of lab A's manager, a mandate, an account awaiting e-mail verification, and a
failed sign-in through the sign-in page (so the sign-in lockout's admin list has a row), and a
queued and a failed task as the task cluster leaves them (so the queue's admin pages have rows)."""

from __future__ import annotations

from uuid import uuid4

from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_q.models import OrmQ, Task
from django_q.signing import SignedPackage

from eo_portal import services
from eo_portal.access_expectations import marker
from eo_portal.audit import system_user
from eo_portal.models import Membership
from tests.security.builders import MISSING_ID, World


def _failed_sign_in() -> None:
    Client().post(reverse("login"), {"username": "lab-b-manager", "password": "not the password"})


def _queue_rows() -> None:
    """What the ORM broker holds for a task not yet taken, and what a worker records of one that failed."""
    now = timezone.now()
    task = {
        "id": uuid4().hex,
        "name": "queued-task",
        "func": "eo_portal.tasks.send_mandate_reminders",
        "args": (),
        "kwargs": {},
        "started": now,
    }
    OrmQ.objects.create(key="eo_portal", payload=SignedPackage.dumps(task))
    Task.objects.create(
        id=uuid4().hex,
        name="failed-task",
        func=task["func"],
        started=now,
        stopped=now,
        success=False,
        result="Traceback: the mail server refused the connection",
    )


def build(world: World) -> None:
    by = system_user()
    lab = services.update_organisation(world.organisations["lab-a"], by=by, description=marker("organisation-profile"))
    world.add_target("organisation", {"slug": lab.slug}, {"slug": "no-such-organisation"})

    viewer = Membership.objects.get(organisation=lab, user=world.people["lab_viewer"])
    world.add_numbered("membership", viewer.pk, "membership_id", within={"slug": lab.slug})

    owner = world.people["lab_manager"]
    (notification,) = services.notify([owner], by=by, subject=marker("notification"), link="/reviews/")
    world.add_numbered("notification", notification.pk, "notification_id", "pk")
    token, _ = services.create_api_token(owner, by=owner, name=marker("api-token"), days=30)
    world.add_numbered("api_token", token.pk, "token_id", "pk")

    world.add_target("mandate", {"code": "review-framework"}, {"code": "no-such-mandate"})

    waiting = services.register_account(
        username="awaiting-verification",
        email="awaiting@example.test",
        first_name="Avery",
        last_name="Waiting",
        password="a long enough passphrase 42",
    )
    world.add_target(
        "verification_link",
        {
            "uidb64": urlsafe_base64_encode(force_bytes(waiting.pk)),
            "token": default_token_generator.make_token(waiting),
        },
        {"uidb64": urlsafe_base64_encode(force_bytes(MISSING_ID))},
    )
    _failed_sign_in()
    _queue_rows()
