"""The clearinghouse in the admin: rows from the selectors; every state change through the services."""

from django.contrib import admin

from clearinghouse import selectors, services
from clearinghouse.models import Advisory, DefensiveTool, Delivery, Directive, ToolRequest, Vulnerability
from eo_portal.admin_base import ReadOnlyPortalAdmin, apply_to_each


@admin.register(Vulnerability)
class VulnerabilityAdmin(ReadOnlyPortalAdmin):
    """Reported and triaged in the portal, where the SSVC inputs and duplicates are shown."""

    visible_to = selectors.vulnerabilities_visible_to
    list_display = ["reference", "cve_id", "title", "ssvc_decision", "known_exploited", "cvss_score", "status",
                    "remediation_due"]
    list_filter = ["status", "ssvc_decision", "known_exploited", "source"]
    search_fields = ["reference", "cve_id", "title"]


@admin.register(Advisory)
class AdvisoryAdmin(ReadOnlyPortalAdmin):
    visible_to = selectors.advisories_visible_to
    list_display = ["reference", "title", "tlp", "status", "revision", "published_at", "release_at"]
    list_filter = ["tlp", "status"]
    search_fields = ["reference", "title"]
    actions = ["submit", "publish"]

    @admin.action(description="Send the selected drafts for review")
    def submit(self, request, queryset):
        apply_to_each(request, queryset, services.submit_advisory, "Sent for review")

    @admin.action(description="Publish the selected advisories (a second coordinator)")
    def publish(self, request, queryset):
        apply_to_each(request, queryset, services.publish_advisory, "Published")


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyPortalAdmin):
    visible_to = selectors.deliveries_visible_to
    list_display = ["advisory", "organisation", "delivered_at", "acknowledged_at", "status", "timeline", "due_date"]
    list_filter = ["status", "timeline"]
    search_fields = ["advisory__reference", "organisation__short_name"]
    list_select_related = ["advisory", "organisation"]


@admin.register(Directive)
class DirectiveAdmin(ReadOnlyPortalAdmin):
    visible_to = selectors.directives_visible_to
    list_display = ["identifier", "kind", "title", "status", "issued_date"]
    list_filter = ["kind", "status"]
    actions = ["issue"]

    @admin.action(description="Issue the selected directives today")
    def issue(self, request, queryset):
        apply_to_each(request, queryset, services.issue_directive, "Issued")


@admin.register(DefensiveTool)
class DefensiveToolAdmin(ReadOnlyPortalAdmin):
    visible_to = selectors.tools_visible_to
    list_display = ["name", "provider", "capability", "delivery_method", "is_available"]
    list_filter = ["delivery_method", "is_available"]


@admin.register(ToolRequest)
class ToolRequestAdmin(ReadOnlyPortalAdmin):
    visible_to = selectors.tool_requests_visible_to
    list_display = ["tool", "organisation", "status", "created_at", "decided_at"]
    list_filter = ["status"]
