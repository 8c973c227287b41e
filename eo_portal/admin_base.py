"""What every admin page of the portal shares: history, object permissions, selector-based querysets."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
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

    # simple-history's history pages do not stop at the queryset: the list falls back to the
    # historical rows of an object the queryset does not hold, and a version's page never asks
    # it. Without this, any staff member would read another agency's objects through their
    # history. Invisible is missing here too (administrators keep deleted objects' history).
    def _require_visible(self, request, object_id) -> None:
        if not request.user.is_superuser and self.get_object(request, unquote(object_id)) is None:
            raise Http404("No such object")

    def history_view(self, request, object_id, extra_context=None):
        self._require_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_visible(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


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
