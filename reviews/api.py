"""The review program's API under /api/v1/reviews/: cases, their steps, partners, findings,
messages, documents and history. Reads start from the selectors; writes are service calls."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from eo_portal import uploads
from eo_portal.api_support import PortalRouter, edit_version_field
from eo_portal.audit import history_entries
from reviews import selectors, services
from reviews.models import (
    AccessMethod,
    Audience,
    CaseDocument,
    CaseMessage,
    DocumentKind,
    Finding,
    FindingCategory,
    FindingResponse,
    Modality,
    Outcome,
    PartnerAccess,
    ReviewCase,
    Severity,
)
from reviews.selectors import Access

# ---------------------------------------------------------------------------
# Output


class DeterminationOut(serializers.Serializer):
    outcome = serializers.CharField()
    outcome_label = serializers.CharField(source="get_outcome_display")
    agency = serializers.CharField(source="agency.slug")
    determined_on = serializers.DateField()
    rationale = serializers.CharField(required=False, help_text="Government only.")
    classified_reference = serializers.CharField(required=False, help_text="Government only.")


class CaseOut(serializers.ModelSerializer):
    """A case as its reader may see it: fields above the reader's access level come back null."""

    lab = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    earliest_release_date = serializers.DateField(read_only=True, allow_null=True)
    window_days_remaining = serializers.IntegerField(read_only=True, allow_null=True)
    planned_release_respects_window = serializers.BooleanField(read_only=True, allow_null=True)
    assigned_agencies = serializers.SerializerMethodField()
    determination = serializers.SerializerMethodField()
    access = serializers.SerializerMethodField()

    LISTED = {"reference", "lab", "status", "status_label", "access"}
    PARTNER = LISTED | {
        "model_name",
        "model_version",
        "capability_summary",
        "modalities",
        "access_method",
        "access_notes",
        "government_access_date",
        "earliest_release_date",
        "window_days_remaining",
    }

    class Meta:
        model = ReviewCase
        fields = [
            "reference",
            "lab",
            "status",
            "status_label",
            "access",
            "model_name",
            "model_version",
            "capability_summary",
            "modalities",
            "access_method",
            "access_notes",
            "planned_release_date",
            "government_access_date",
            "earliest_release_date",
            "window_days_remaining",
            "planned_release_respects_window",
            "assigned_agencies",
            "determination",
            "submitted_at",
            "closed_at",
            "created_at",
            "updated_at",
            "edit_version",
        ]

    def _access(self, case: ReviewCase) -> Access:
        return self.context["access"][case.pk]

    def get_access(self, case: ReviewCase) -> str:
        return self._access(case).name.lower()

    def get_assigned_agencies(self, case: ReviewCase) -> list[str]:
        return [assignment.agency.slug for assignment in case.assignments.all()]

    @extend_schema_field(DeterminationOut(allow_null=True))
    def get_determination(self, case: ReviewCase) -> dict | None:
        determination = getattr(case, "determination", None)
        if determination is None:
            return None
        data = DeterminationOut(determination).data
        if self._access(case) != Access.GOVERNMENT:
            data.pop("rationale")
            data.pop("classified_reference")
        return data

    def to_representation(self, case: ReviewCase) -> dict:
        data = super().to_representation(case)
        access = self._access(case)
        if access >= Access.LAB:
            return data
        allowed = self.PARTNER if access == Access.PARTNER else self.LISTED
        return {name: (value if name in allowed else None) for name, value in data.items()}


class PartnerOut(serializers.ModelSerializer):
    partner = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    terms_accepted_by = serializers.StringRelatedField()

    class Meta:
        model = PartnerAccess
        fields = ["id", "partner", "status", "status_label", "purpose", "proposed_at", "decided_at",
                  "terms_accepted_by", "terms_accepted_at", "revoked_at"]


class FindingResponseOut(serializers.ModelSerializer):
    author = serializers.StringRelatedField()

    class Meta:
        model = FindingResponse
        fields = ["id", "body", "author", "created_at"]


class FindingOut(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    responses = FindingResponseOut(many=True, read_only=True)

    class Meta:
        model = Finding
        fields = ["number", "title", "severity", "category", "description", "recommended_mitigations", "status",
                  "agency", "drafted_at", "issued_at", "responses"]


class MessageOut(serializers.ModelSerializer):
    author = serializers.StringRelatedField()

    class Meta:
        model = CaseMessage
        fields = ["id", "audience", "body", "author", "created_at"]


class DocumentOut(serializers.ModelSerializer):
    uploaded_by = serializers.StringRelatedField()

    class Meta:
        model = CaseDocument
        fields = ["id", "kind", "title", "original_name", "content_type", "size", "sha256", "shareable",
                  "uploaded_by", "uploaded_at"]


class HistoryOut(serializers.Serializer):
    when = serializers.DateTimeField()
    who = serializers.CharField()
    kind = serializers.CharField()
    reason = serializers.CharField()
    subject = serializers.CharField()
    changes = serializers.ListField(child=serializers.DictField())


# ---------------------------------------------------------------------------
# Input


class CaseIn(serializers.Serializer):
    lab = serializers.SlugField(required=False, help_text="Your lab's slug; needed only if you belong to several.")
    model_name = serializers.CharField(max_length=200)
    model_version = serializers.CharField(max_length=100)
    capability_summary = serializers.CharField()
    modalities = serializers.ListField(child=serializers.ChoiceField(Modality.choices), required=False)
    access_method = serializers.ChoiceField(AccessMethod.choices, required=False)
    access_notes = serializers.CharField(required=False, allow_blank=True)
    planned_release_date = serializers.DateField(required=False, allow_null=True)


class DraftIn(CaseIn):
    lab = None
    model_name = serializers.CharField(max_length=200, required=False)
    model_version = serializers.CharField(max_length=100, required=False)
    capability_summary = serializers.CharField(required=False)
    edit_version = edit_version_field()


class DeterminationIn(serializers.Serializer):
    outcome = serializers.ChoiceField(Outcome.choices)
    rationale = serializers.CharField()
    classified_reference = serializers.CharField(max_length=100)
    determined_on = serializers.DateField(required=False)


class AccessDateIn(serializers.Serializer):
    on = serializers.DateField()


class PartnerIn(serializers.Serializer):
    partner = serializers.SlugField()
    purpose = serializers.CharField(required=False, allow_blank=True)


class FindingIn(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    severity = serializers.ChoiceField(Severity.choices)
    category = serializers.ChoiceField(FindingCategory.choices)
    description = serializers.CharField()
    recommended_mitigations = serializers.CharField(required=False, allow_blank=True)


class FindingPatchIn(FindingIn):
    title = serializers.CharField(max_length=200, required=False)
    severity = serializers.ChoiceField(Severity.choices, required=False)
    category = serializers.ChoiceField(FindingCategory.choices, required=False)
    description = serializers.CharField(required=False)


class ResponseIn(serializers.Serializer):
    body = serializers.CharField()


class MessageIn(serializers.Serializer):
    body = serializers.CharField()
    audience = serializers.ChoiceField(Audience.choices, required=False)


class DocumentIn(serializers.Serializer):
    kind = serializers.ChoiceField(DocumentKind.choices)
    title = serializers.CharField(max_length=200)
    file = serializers.FileField()
    shareable = serializers.BooleanField(required=False, default=False)


def _valid(serializer_class: type[serializers.Serializer], request: Request, **kwargs) -> dict:
    incoming = serializer_class(data=request.data, **kwargs)
    incoming.is_valid(raise_exception=True)
    return incoming.validated_data


# ---------------------------------------------------------------------------
# Views

STEPS = {
    "submit": services.submit_case,
    "withdraw": services.withdraw_case,
    "start-screening": services.start_screening,
    "start-review": services.start_review,
    "close": services.close_case,
}


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Review cases. A case the user may not see answers 404, as one that does not exist."""

    serializer_class = CaseOut
    lookup_field = "reference"
    lookup_value_regex = r"MRC-\d{4}-\d{4,}"
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    ordering_fields = ["created_at", "government_access_date", "reference"]

    def get_queryset(self):
        user = self.request.user
        params = self.request.query_params
        raw = params.get("window_ends_within", "")
        longest = selectors.WINDOW_FILTER_MAX_DAYS
        if raw and not (raw.isascii() and raw.isdigit() and int(raw) <= longest):
            raise serializers.ValidationError({"window_ends_within": f"Give a number of days from 0 to {longest}."})
        within = int(raw) if raw else None
        cases = selectors.filter_cases(
            selectors.cases_visible_to(user, for_list=self.action == "list"),
            status=params.get("status", ""),
            lab=params.get("lab", ""),
            window_ends_within=within,
        )
        return selectors.order_for(user, cases)

    def get_object(self) -> ReviewCase:
        return selectors.get_case_for(self.request.user, self.kwargs["reference"])

    def _case_out(self, case: ReviewCase, **kwargs) -> Response:
        fresh = selectors.get_case_for(self.request.user, case.reference)
        access = {fresh.pk: selectors.access_to(self.request.user, fresh)}
        return Response(CaseOut(fresh, context={"access": access}).data, **kwargs)

    def _require_access(self, case: ReviewCase, least: Access) -> Access:
        access = selectors.access_to(self.request.user, case)
        if access < least:
            raise NotFound()
        return access

    @extend_schema(parameters=[
        OpenApiParameter("status", str), OpenApiParameter("lab", str),
        OpenApiParameter("window_ends_within", int, description="Open cases whose 30-day window ends within N days."),
    ])
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        access = selectors.access_map(request.user, page)
        return self.get_paginated_response(CaseOut(page, many=True, context={"access": access}).data)

    def retrieve(self, request: Request, reference: str) -> Response:
        return self._case_out(self.get_object())

    @extend_schema(request=CaseIn, responses={201: CaseOut})
    def create(self, request: Request) -> Response:
        filing_for = selectors.labs_filing_for(request.user)
        if not filing_for:
            # Refused before the input is read, as the page refuses it: only a lab files cases.
            raise PermissionDenied("You file cases only as a member or manager of a frontier AI lab.")
        data = dict(_valid(CaseIn, request))
        slug = data.pop("lab", None)
        labs = [lab for lab in filing_for if slug is None or lab.slug == slug]
        if len(labs) != 1:
            raise serializers.ValidationError(
                {"lab": "Name your lab." if labs else "You file cases only for a lab you are a member of."}
            )
        case = services.create_case(by=request.user, lab=labs[0], **data)
        return self._case_out(case, status=status.HTTP_201_CREATED)

    @extend_schema(request=DraftIn, responses=CaseOut)
    def partial_update(self, request: Request, reference: str) -> Response:
        case = self.get_object()
        self._require_access(case, Access.LAB)
        data = _valid(DraftIn, request, partial=True)
        expected = data.pop("edit_version", None)
        return self._case_out(services.update_draft(case, by=request.user, expected_version=expected, **data))

    @extend_schema(
        request=None,
        responses=CaseOut,
        operation_id="reviews_cases_step",
        parameters=[OpenApiParameter("step", str, OpenApiParameter.PATH, enum=sorted(STEPS))],
    )
    @action(detail=True, methods=["post"], url_path=r"(?P<step>submit|withdraw|start-screening|start-review|close)")
    def step(self, request: Request, reference: str, step: str) -> Response:
        """Take a step of the state table; 409 with the reason when the case's state does not allow it."""
        return self._case_out(STEPS[step](self.get_object(), by=request.user))

    @extend_schema(request=None, responses=FindingOut(many=True))
    @action(detail=True, methods=["post"], url_path="issue-findings")
    def issue_findings(self, request: Request, reference: str) -> Response:
        issued = services.issue_findings(self.get_object(), by=request.user)
        return Response(FindingOut(issued, many=True).data)

    @extend_schema(request=DeterminationIn, responses=CaseOut)
    @action(detail=True, methods=["post"])
    def determination(self, request: Request, reference: str) -> Response:
        case = self.get_object()
        services.record_determination(case, by=request.user, **_valid(DeterminationIn, request))
        return self._case_out(case)

    @extend_schema(request=AccessDateIn, responses=CaseOut)
    @action(detail=True, methods=["post"], url_path="government-access")
    def government_access(self, request: Request, reference: str) -> Response:
        case = self.get_object()
        return self._case_out(services.record_government_access(case, by=request.user, **_valid(AccessDateIn, request)))

    @extend_schema(methods=["GET"], responses=PartnerOut(many=True))
    @extend_schema(methods=["POST"], request=PartnerIn, responses={201: PartnerOut})
    @action(detail=True, methods=["get", "post"])
    def partners(self, request: Request, reference: str) -> Response:
        case = self.get_object()
        access = self._require_access(case, Access.LAB)
        if request.method == "GET":
            return Response(PartnerOut(selectors.partners_for(case, access), many=True).data)
        data = _valid(PartnerIn, request)
        partner = selectors.partner_organisations().filter(slug=data["partner"]).first()
        if partner is None:
            raise serializers.ValidationError({"partner": "No trusted-partner organisation has that slug."})
        created = services.propose_partner(case, by=request.user, partner=partner, purpose=data.get("purpose", ""))
        return Response(PartnerOut(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses=PartnerOut,
        operation_id="reviews_cases_partner_decision",
        parameters=[OpenApiParameter("verb", str, OpenApiParameter.PATH, enum=["concur", "decline", "revoke"])],
    )
    @action(detail=True, methods=["post"], url_path=r"partners/(?P<partner_id>\d+)/(?P<verb>concur|decline|revoke)")
    def partner_decision(self, request: Request, reference: str, partner_id: str, verb: str) -> Response:
        case = self.get_object()
        partner_access = selectors.get_partner_access_for(case, self._require_access(case, Access.LAB), partner_id)
        if verb == "revoke":
            updated = services.revoke_partner(partner_access, by=request.user)
        else:
            updated = services.decide_partner(partner_access, by=request.user, concur=verb == "concur")
        return Response(PartnerOut(updated).data)

    @extend_schema(methods=["GET"], responses=FindingOut(many=True))
    @extend_schema(methods=["POST"], request=FindingIn, responses={201: FindingOut})
    @action(detail=True, methods=["get", "post"])
    def findings(self, request: Request, reference: str) -> Response:
        case = self.get_object()
        access = self._require_access(case, Access.LAB)
        if request.method == "GET":
            return Response(FindingOut(selectors.findings_for(case, access), many=True).data)
        finding = services.draft_finding(case, by=request.user, **_valid(FindingIn, request))
        return Response(FindingOut(finding).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FindingPatchIn, responses=FindingOut)
    @action(detail=True, methods=["patch"], url_path=r"findings/(?P<number>\d+)")
    def finding(self, request: Request, reference: str, number: str) -> Response:
        case = self.get_object()
        finding = selectors.get_finding_for(case, self._require_access(case, Access.LAB), int(number))
        data = _valid(FindingPatchIn, request, partial=True)
        return Response(FindingOut(services.update_finding(finding, by=request.user, **data)).data)

    @extend_schema(request=ResponseIn, responses={201: FindingResponseOut})
    @action(detail=True, methods=["post"], url_path=r"findings/(?P<number>\d+)/responses")
    def finding_responses(self, request: Request, reference: str, number: str) -> Response:
        case = self.get_object()
        finding = selectors.get_finding_for(case, self._require_access(case, Access.LAB), int(number))
        response = services.respond_to_finding(finding, by=request.user, **_valid(ResponseIn, request))
        return Response(FindingResponseOut(response).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=MessageOut(many=True))
    @extend_schema(methods=["POST"], request=MessageIn, responses={201: MessageOut})
    @action(detail=True, methods=["get", "post"])
    def messages(self, request: Request, reference: str) -> Response:
        case = self.get_object()
        access = self._require_access(case, Access.LAB)
        if request.method == "GET":
            return Response(MessageOut(selectors.messages_for(case, access), many=True).data)
        message = services.post_message(case, by=request.user, **_valid(MessageIn, request))
        return Response(MessageOut(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=DocumentOut(many=True))
    @extend_schema(methods=["POST"], request={"multipart/form-data": DocumentIn}, responses={201: DocumentOut})
    @action(detail=True, methods=["get", "post"])
    def documents(self, request: Request, reference: str) -> Response:
        case = self.get_object()
        access = self._require_access(case, Access.PARTNER)
        if request.method == "GET":
            return Response(DocumentOut(selectors.documents_for(case, access), many=True).data)
        data = dict(_valid(DocumentIn, request))
        upload = data.pop("file")
        document = services.upload_document(case, by=request.user, upload=upload, **data)
        return Response(DocumentOut(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"documents/(?P<document_id>\d+)/download")
    def document_download(self, request: Request, reference: str, document_id: str):
        case = self.get_object()
        document = selectors.get_document_for(case, self._require_access(case, Access.PARTNER), int(document_id))
        return uploads.download(document.file, filename=document.original_name, content_type=document.content_type)

    @extend_schema(responses=HistoryOut(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request: Request, reference: str) -> Response:
        case = self.get_object()
        self._require_access(case, Access.LAB)
        entries = [
            {**entry.__dict__, "changes": [change.__dict__ for change in entry.changes]}
            for entry in history_entries(case)
        ]
        return Response(HistoryOut(entries, many=True).data)


class InvitationOut(serializers.ModelSerializer):
    case = serializers.CharField(source="case.reference")
    lab = serializers.CharField(source="case.lab.name")
    partner = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = PartnerAccess
        fields = ["id", "case", "lab", "partner", "purpose", "decided_at"]


class InvitationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Invitations awaiting acceptance of the non-disclosure terms by a partner's manager."""

    serializer_class = InvitationOut
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.invitations_for(self.request.user)

    @extend_schema(request=None, responses=PartnerOut)
    @action(detail=True, methods=["post"], url_path="accept-terms")
    def accept_terms(self, request: Request, pk: str) -> Response:
        invitation = selectors.get_invitation_for(request.user, pk)
        return Response(PartnerOut(services.accept_partner_terms(invitation, by=request.user)).data)


router = PortalRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("invitations", InvitationViewSet, basename="invitation")
urlpatterns = router.urls
