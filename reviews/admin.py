"""Review cases in the admin: rows from the selectors; every state change through the services."""

from django.contrib import admin

from eo_portal.admin_base import ReadOnlyPortalAdmin, apply_to_each
from reviews import selectors, services
from reviews.models import CaseDocument, CaseMessage, Finding, PartnerAccess, ReviewCase


@admin.register(ReviewCase)
class ReviewCaseAdmin(ReadOnlyPortalAdmin):
    """Cases are filed and edited by labs in the portal; agency staff move them along here.
    Every field shows here, so only who sees a case in full finds it (not a reviews coordinator)."""

    visible_to = selectors.cases_seen_in_full_by
    list_display = ["reference", "lab", "model_name", "model_version", "status", "government_access_date",
                    "earliest_release_date"]
    list_filter = ["status", "access_method"]
    search_fields = ["reference", "model_name", "lab__name", "lab__short_name"]
    actions = ["start_screening", "start_review", "close"]

    @admin.action(description="Start screening")
    def start_screening(self, request, queryset):
        apply_to_each(request, queryset, services.start_screening, "Screening started")

    @admin.action(description="Start the review")
    def start_review(self, request, queryset):
        apply_to_each(request, queryset, services.start_review, "Review started")

    @admin.action(description="Close the case")
    def close(self, request, queryset):
        apply_to_each(request, queryset, services.close_case, "Closed")


@admin.register(Finding)
class FindingAdmin(ReadOnlyPortalAdmin):
    visible_to = selectors.findings_reviewable_by
    list_display = ["case", "number", "title", "severity", "status", "agency"]
    list_filter = ["severity", "status", "category"]


@admin.register(PartnerAccess)
class PartnerAccessAdmin(ReadOnlyPortalAdmin):
    visible_to = selectors.partners_reviewable_by
    list_display = ["case", "partner", "status", "terms_accepted_by", "terms_accepted_at"]
    list_filter = ["status"]


@admin.register(CaseMessage)
class CaseMessageAdmin(ReadOnlyPortalAdmin):
    visible_to = selectors.messages_reviewable_by
    list_display = ["case", "audience", "author", "created_at"]


@admin.register(CaseDocument)
class CaseDocumentAdmin(ReadOnlyPortalAdmin):
    visible_to = selectors.documents_reviewable_by
    list_display = ["case", "kind", "title", "content_type", "size", "sha256", "shareable"]
    exclude = ["file"]
