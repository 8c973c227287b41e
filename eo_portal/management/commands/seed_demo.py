from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from eo_portal import mandates, mfa, registry, services
from eo_portal.audit import system_user
from eo_portal.demo import ACCOUNTS, ADMIN_USERNAME, MANDATE_PROGRESS, ORGANISATIONS
from eo_portal.models import Membership, Organisation, OrganisationKind


class Command(BaseCommand):
    help = (
        "Create the demo organisations and accounts (password from EO_DEMO_PASSWORD, authenticator secret from "
        "EO_DEMO_TOTP_SECRET). Safe to run again."
    )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        by = system_user()
        created = 0
        organisations = {o.slug: o for o in Organisation.objects.all()}
        for slug, name, short_name, kind, sectors, uei in ORGANISATIONS:
            if slug not in organisations:
                organisations[slug] = services.create_organisation(
                    by=by, slug=slug, name=name, short_name=short_name, kind=kind, sectors=sectors, uei=uei
                )
                created += 1

        users = get_user_model()._default_manager
        password = settings.DEMO_PASSWORD
        for username, full_name, slug, role in [*ACCOUNTS, (ADMIN_USERNAME, "Portal Administrator", None, None)]:
            account = users.filter(username=username).first()
            if account is None:
                first, _, last = full_name.partition(" ")
                organisation = organisations.get(slug) if slug else None
                account = services.create_account(
                    by=by,
                    username=username,
                    email=f"{username}@demo.example",
                    first_name=first,
                    last_name=last,
                    password=password,
                    is_staff=bool(organisation and organisation.kind == OrganisationKind.AGENCY),
                    is_superuser=username == ADMIN_USERNAME,
                )
                created += 1
            if slug and not Membership.objects.filter(user=account, organisation=organisations[slug]).exists():
                services.add_member(organisations[slug], account, by=by, role=role)
                created += 1
            # Whoever must use MFA gets the demo authenticator, so people trying the demo can sign
            # in with the secret in the README (or `manage.py demo_totp USERNAME`).
            if mfa.required_by_role(account) and mfa.confirmed_device(account) is None:
                mfa.ensure_device(account, secret=settings.DEMO_TOTP_SECRET)
                created += 1
        created += registry.seed_demo_content(by)
        for code, username, status, path, label in MANDATE_PROGRESS:
            mandate = mandates.get_mandate(code)
            if mandate.status == "not_started":
                mandates.update_mandate(
                    mandate, by=users.get(username=username), status=status, evidence_path=path, evidence_label=label
                )
                created += 1
        self.stdout.write(f"Demo data ready ({created} rows created).")
