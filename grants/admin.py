"""Grants in the admin: rows from the selectors; every state change through the services."""

from django.contrib import admin

from eo_portal.admin_base import ReadOnlyPortalAdmin, apply_to_each
from grants import selectors, services
from grants.models import Application, Award, Opportunity, ReviewerAssignment, Subaward


@admin.register(Opportunity)
class OpportunityAdmin(ReadOnlyPortalAdmin):
    """Opportunities are public; grant staff post and close them here or in the portal."""

    visible_to = staticmethod(lambda user: selectors.opportunities())
    list_display = ["opportunity_number", "title", "awarding_agency", "status", "close_at", "award_ceiling"]
    list_filter = ["status", "funding_instrument"]
    search_fields = ["opportunity_number", "title", "assistance_listing"]
    actions = ["post", "close"]

    @admin.action(description="Post the selected opportunities")
    def post(self, request, queryset):
        apply_to_each(request, queryset, services.post_opportunity, "Posted")

    @admin.action(description="Close the selected opportunities")
    def close(self, request, queryset):
        apply_to_each(request, queryset, services.close_opportunity, "Closed")


@admin.register(Application)
class ApplicationAdmin(ReadOnlyPortalAdmin):
    visible_to = selectors.applications_visible_to
    list_display = ["tracking_number", "opportunity", "applicant", "status", "requested_amount", "submitted_at"]
    list_filter = ["status"]
    search_fields = ["tracking_number", "project_title", "applicant__name"]


@admin.register(ReviewerAssignment)
class ReviewerAssignmentAdmin(ReadOnlyPortalAdmin):
    visible_to = selectors.review_queue
    list_display = ["application", "reviewer", "attested_at", "scored_at"]


@admin.register(Award)
class AwardAdmin(ReadOnlyPortalAdmin):
    visible_to = selectors.awards_visible_to
    list_display = ["award_number", "application", "amount", "award_date"]


@admin.register(Subaward)
class SubawardAdmin(ReadOnlyPortalAdmin):
    visible_to = selectors.subawards_visible_to
    list_display = ["award", "recipient", "amount", "subaward_date"]
