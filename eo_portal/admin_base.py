"""What every admin page of the portal shares: history, object permissions, selector-based querysets."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from guardian.admin import GuardedModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from eo_portal.errors import Conflict


class PortalAdmin(SimpleHistoryAdmin, GuardedModelAdmin):
    """An admin whose rows start from the model's `visible_to` selector.

    A staff user of one agency does not see another agency's objects here either.
    Subclasses set `visible_to` to the selector; state changes go through services.
    """

    visible_to = None

    def get_queryset(self, request):
        return type(self).visible_to(request.user)

    # Staff may open every admin list: what each list holds is decided by its selector.
    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff


class ReadOnlyPortalAdmin(PortalAdmin):
    """For records that only services write (notifications, tokens, permission grants)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def apply_to_each(request, queryset, step, label: str) -> None:
    """An admin action that calls a service on each selected row, reporting each refusal."""
    done = 0
    for obj in queryset:
        try:
            step(obj, by=request.user)
        except (Conflict, PermissionDenied, ValidationError) as exc:
            messages.error(request, f"{obj}: {exc}" if str(exc) else f"{obj}: not allowed.")
        else:
            done += 1
    if done:
        messages.success(request, f"{label}: {done}.")
