"""The core's API under /api/v1/: who am I, organisations, notifications, personal tokens."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from eo_portal import mandates, mfa, permissions, selectors, services
from eo_portal.api_support import PublicReadMixin
from eo_portal.models import ApiToken, Mandate, MandateStatus, Membership, Notification, Organisation

# ---------------------------------------------------------------------------
# Serializers


class MembershipOut(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    organisation_kind = serializers.CharField(source="organisation.kind", read_only=True)

    class Meta:
        model = Membership
        fields = ["organisation", "organisation_name", "organisation_kind", "role"]


class MeOut(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField(source="get_full_name")
    email = serializers.EmailField()
    is_staff = serializers.BooleanField()
    memberships = MembershipOut(many=True, source="memberships_visible")


class OrganisationOut(serializers.ModelSerializer):
    sectors = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = [
            "slug",
            "name",
            "short_name",
            "kind",
            "sectors",
            "uei",
            "description",
            "website",
            "security_contact_email",
            "is_active",
            "updated_at",
        ]

    def get_sectors(self, organisation: Organisation) -> list[str]:
        return [row.sector for row in organisation.sectors.all()]


class OrganisationIn(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    short_name = serializers.CharField(max_length=40, required=False)
    uei = serializers.CharField(max_length=12, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    website = serializers.URLField(required=False, allow_blank=True)
    security_contact_email = serializers.EmailField(required=False, allow_blank=True)


class NotificationOut(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "subject", "body", "link", "created_at", "read_at"]


class ApiTokenOut(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]


class ApiTokenIn(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    days = serializers.IntegerField(required=False, min_value=1)


class ApiTokenCreatedOut(ApiTokenOut):
    token = serializers.CharField(help_text="The secret; shown once, never again.")

    class Meta(ApiTokenOut.Meta):
        fields = [*ApiTokenOut.Meta.fields, "token"]


# ---------------------------------------------------------------------------
# Views


class MeView(APIView):
    @extend_schema(responses=MeOut)
    def get(self, request: Request) -> Response:
        user = request.user
        user.memberships_visible = selectors.memberships_of(user)
        return Response(MeOut(user).data)


class OrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = OrganisationOut
    lookup_field = "slug"
    filterset_fields = ["kind", "is_active"]
    ordering_fields = ["name", "short_name", "updated_at"]
    ordering = ["name"]

    def get_queryset(self):
        return selectors.organisations_visible_to(self.request.user)

    @extend_schema(request=OrganisationIn, responses=OrganisationOut)
    def partial_update(self, request: Request, slug: str) -> Response:
        organisation = self.get_object()
        if not permissions.has_object_permission(request.user, "change_organisation", organisation):
            raise ApiPermissionDenied("Your role in this organisation cannot change it.")
        incoming = OrganisationIn(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        updated = services.update_organisation(organisation, by=request.user, **incoming.validated_data)
        return Response(OrganisationOut(selectors.get_organisation_for(request.user, updated.slug)).data)


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationOut
    lookup_value_regex = r"\d+"
    filterset_fields = {"read_at": ["isnull"]}

    def get_queryset(self):
        return selectors.notifications_for(self.request.user)

    @extend_schema(request=None, responses=NotificationOut)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        notification = selectors.get_notification_for(request.user, pk)
        services.mark_notification_read(notification, by=request.user)
        return Response(NotificationOut(notification).data)


class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The signed-in user's own tokens. Deleting a token revokes it; the record stays for audit."""

    serializer_class = ApiTokenOut
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.api_tokens_of(self.request.user)

    @extend_schema(request=ApiTokenIn, responses={201: ApiTokenCreatedOut})
    def create(self, request: Request) -> Response:
        mfa.require_verified_session(request)
        incoming = ApiTokenIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        token, secret = services.create_api_token(request.user, by=request.user, **incoming.validated_data)
        token.token = secret
        return Response(ApiTokenCreatedOut(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ApiToken) -> None:
        services.revoke_api_token(instance, by=self.request.user)


class MandateOut(serializers.ModelSerializer):
    responsible_agencies = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    supporting_agencies = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    due_date = serializers.DateField(allow_null=True, read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = Mandate
        fields = ["code", "section", "action", "responsible_agencies", "supporting_agencies", "days_after_signing",
                  "due_date", "status", "overdue", "evidence_path", "evidence_label", "notes", "updated_at"]


class MandateIn(serializers.Serializer):
    status = serializers.ChoiceField(MandateStatus.choices, required=False)
    evidence_path = serializers.CharField(max_length=300, required=False, allow_blank=True)
    evidence_label = serializers.CharField(max_length=200, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)


class MandateViewSet(PublicReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The order's mandates: public to read; the responsible agencies and the White House update."""

    serializer_class = MandateOut
    lookup_field = "code"
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return mandates.mandates()

    def get_object(self) -> Mandate:
        return mandates.get_mandate(self.kwargs["code"])

    @extend_schema(request=MandateIn, responses=MandateOut)
    def partial_update(self, request: Request, code: str) -> Response:
        incoming = MandateIn(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        updated = mandates.update_mandate(self.get_object(), by=request.user, **incoming.validated_data)
        return Response(MandateOut(updated).data)
