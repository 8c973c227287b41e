from django.apps import AppConfig
from django.utils import timezone


class EoPortalConfig(AppConfig):
    name = "eo_portal"
    verbose_name = "EO Portal core"

    def ready(self) -> None:
        from eo_portal import mandates, registry, selectors

        registry.register_visibility("eo_portal.Organisation", selectors.organisations_visible_to)
        registry.register_open_work("mandates", mandates.open_work_for)

        from django.contrib.auth import user_logged_in
        from django.contrib.auth.models import update_last_login

        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(record_sign_in_time, dispatch_uid="update_last_login")

        from eo_portal.session_limits import record_sign_in

        user_logged_in.connect(record_sign_in, dispatch_uid="eo_portal_session_sign_in_time")

        from eo_portal import mfa, sign_in_audit

        user_logged_in.connect(mfa.note_requirement_at_sign_in, dispatch_uid="eo_portal_mfa_requirement")
        sign_in_audit.connect()

        from django.db.models.signals import post_migrate, pre_delete, pre_save

        from eo_portal import append_only

        post_migrate.connect(append_only.install_after_migrate, sender=self, dispatch_uid="eo_portal_append_only")

        from eo_portal import permissions

        # Migrations, and a test database's flush, may make the permissions again with new ids.
        post_migrate.connect(permissions.forget_permission_ids, dispatch_uid="eo_portal_forget_permission_ids")
        pre_save.connect(append_only.refuse_change, dispatch_uid="eo_portal_history_no_change")
        pre_delete.connect(append_only.refuse_delete, dispatch_uid="eo_portal_history_no_delete")


def record_sign_in_time(sender, user, **kwargs) -> None:
    """Django's own receiver, without a history row at every sign-in, which would bury the
    account's real changes under its sign-in times."""
    user.last_login = timezone.now()
    user.skip_history_when_saving = True
    try:
        user.save(update_fields=["last_login"])
    finally:
        del user.skip_history_when_saving
