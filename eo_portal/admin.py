"""The core in the Django admin. Edits and deletions call the services, so they are checked and audited."""

from axes.models import AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages

from eo_portal import mandates, selectors, services
from eo_portal.admin_base import PortalAdmin, ReadOnlyPortalAdmin
from eo_portal.models import (
    ApiToken,
    Mandate,
    Membership,
    Notification,
    Organisation,
    OrganisationGroupObjectPermission,
    Sector,
    SignInEvent,
)


class OrganisationAdminForm(forms.ModelForm):
    sectors = forms.MultipleChoiceField(
        choices=Sector.choices, required=False, help_text="Critical-infrastructure operators only."
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "short_name",
            "slug",
            "kind",
            "uei",
            "description",
            "website",
            "security_contact_email",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["sectors"].initial = [row.sector for row in self.instance.sectors.all()]
            # The address and the kind shape every grant already given; they are fixed after creation.
            # (A staff member who may only view gets a read-only page without these fields.)
            for name in ("slug", "kind"):
                if name in self.fields:
                    self.fields[name].disabled = True

    def clean(self):
        cleaned = super().clean()
        if "kind" in cleaned:
            cleaned["sectors"] = services.clean_sectors(cleaned["kind"], cleaned.get("sectors", []))
        return cleaned


@admin.register(Organisation)
class OrganisationAdmin(PortalAdmin):
    visible_to = selectors.organisations_visible_to
    form = OrganisationAdminForm
    list_display = ["name", "short_name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "uei"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = services.create_organisation(
                by=request.user,
                **{name: data[name] for name in OrganisationAdminForm.Meta.fields if name != "is_active"},
                sectors=data["sectors"],
            )
            obj.pk = created.pk
            return
        stored = selectors.get_organisation_for(request.user, obj.slug)
        changes = {name: data[name] for name in services.EDITABLE_ORGANISATION_FIELDS if name in form.changed_data}
        if changes:
            stored = services.update_organisation(stored, by=request.user, **changes)
        if "sectors" in form.changed_data:
            services.set_organisation_sectors(stored, data["sectors"], by=request.user)
        if "is_active" in form.changed_data:
            toggle = services.reactivate_organisation if data["is_active"] else services.deactivate_organisation
            toggle(stored, by=request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Organisations are deactivated, never deleted: their history and grants must survive.
        return False

    # A staff member who may only view gets every form field read-only; "sectors" is the form's
    # own field, so the read-only page shows it from here.
    @admin.display(description="Sectors")
    def sectors(self, obj) -> str:
        return ", ".join(row.get_sector_display() for row in obj.sectors.all())


@admin.register(Membership)
class MembershipAdmin(PortalAdmin):
    visible_to = selectors.memberships_visible_to
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["user__username", "organisation__name", "organisation__short_name"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["user"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "organisation"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            services.change_member_role(obj, by=request.user, role=obj.role)
        else:
            created = services.add_member(obj.organisation, obj.user, by=request.user, role=obj.role)
            obj.pk = created.pk

    def delete_model(self, request, obj):
        services.remove_member(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            services.remove_member(membership, by=request.user)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyPortalAdmin):
    visible_to = selectors.notifications_for
    list_display = ["subject", "recipient", "created_at", "read_at", "emailed_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyPortalAdmin):
    visible_to = selectors.api_tokens_administered_by
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    search_fields = ["name", "prefix", "user__username"]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            services.revoke_api_token(token, by=request.user)
        messages.success(request, f"{len(queryset)} token(s) revoked.")


@admin.register(OrganisationGroupObjectPermission)
class OrganisationGrantAdmin(ReadOnlyPortalAdmin):
    visible_to = selectors.organisation_grants_visible_to
    list_display = ["content_object", "group", "permission"]


@admin.register(Mandate)
class MandateAdmin(ReadOnlyPortalAdmin):
    """Agencies report progress in the portal (mandates.update_mandate); here the list and history."""

    visible_to = staticmethod(lambda user: mandates.mandates())
    list_display = ["section", "days_after_signing", "status", "updated_at"]
    list_filter = ["status"]


@admin.register(SignInEvent)
class SignInEventAdmin(admin.ModelAdmin):
    """The sign-in audit log, read only: rows are append-only (AU-9) and only administrators see them.

    A plain ModelAdmin rather than ReadOnlyPortalAdmin: the rows are their own record and have no
    simple-history history or object permissions to show."""

    list_display = ["at", "event", "username", "user", "address", "outcome"]
    list_filter = ["event"]
    search_fields = ["username", "address", "user_agent", "outcome"]
    date_hierarchy = "at"
    list_select_related = ["user"]

    def get_queryset(self, request):
        return selectors.sign_in_events_visible_to(request.user)

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# django-axes registers its access and access-failure logs, but the portal keeps both switched off
# (AXES_DISABLE_ACCESS_LOG, AXES_ENABLE_ACCESS_FAILURE_LOG): the sign-in audit above is the record.
# Their admin lists would stay empty forever and send an administrator looking in the wrong place.
admin.site.unregister([AccessLog, AccessFailureLog])
