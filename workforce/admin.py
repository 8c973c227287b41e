"""Tech Force hiring in the admin: rows from the selectors; state changes through the services."""

from django.contrib import admin

from eo_portal.admin_base import ReadOnlyPortalAdmin, apply_to_each
from workforce import selectors, services
from workforce.models import Application, Opening, Pathway, WorkRole


@admin.register(Pathway)
class PathwayAdmin(ReadOnlyPortalAdmin):
    visible_to = staticmethod(lambda user: selectors.pathways())
    list_display = ["name", "hiring_authority", "typical_length"]


@admin.register(WorkRole)
class WorkRoleAdmin(ReadOnlyPortalAdmin):
    visible_to = staticmethod(lambda user: selectors.work_roles())
    list_display = ["code", "name", "category"]


@admin.register(Opening)
class OpeningAdmin(ReadOnlyPortalAdmin):
    visible_to = selectors.openings_visible_to
    list_display = ["control_number", "title", "agency", "series", "grade_display", "status", "close_date"]
    list_filter = ["status", "series", "clearance", "pay_plan"]
    search_fields = ["control_number", "title"]
    actions = ["post", "close", "cancel"]

    @admin.action(description="Post the selected openings")
    def post(self, request, queryset):
        apply_to_each(request, queryset, services.post_opening, "Posted")

    @admin.action(description="Close the selected openings")
    def close(self, request, queryset):
        apply_to_each(request, queryset, services.close_opening, "Closed")

    @admin.action(description="Cancel the selected openings")
    def cancel(self, request, queryset):
        apply_to_each(request, queryset, services.cancel_opening, "Cancelled")


@admin.register(Application)
class ApplicationAdmin(ReadOnlyPortalAdmin):
    visible_to = selectors.applications_for_admin
    list_display = ["opening", "applicant", "status", "submitted_at"]
    list_filter = ["status"]
