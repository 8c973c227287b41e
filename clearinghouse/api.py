"""The clearinghouse's API under /api/v1/clearinghouse/: vulnerabilities, advisories and their
deliveries, CISA's directives and compliance, and the defensive-tools catalogue with its requests.
Reads start from the selectors; writes are service calls with `by=request.user`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from clearinghouse import selectors, services
from clearinghouse.models import (
    Advisory,
    AdvisoryRevision,
    AffectedProduct,
    ComplianceReport,
    DefensiveTool,
    Delivery,
    Directive,
    DirectiveKind,
    Remediation,
    RemediationCategory,
    RequiredAction,
    Source,
    Tlp,
    ToolRequest,
    Vulnerability,
    VulnerabilityReport,
)
from clearinghouse.priority import Exploitation, MissionImpact, TechnicalImpact
from clearinghouse.workflow import ComplianceStatus, DeliveryStatus, VulnerabilityStatus
from eo_portal import permissions
from eo_portal.api_support import PortalRouter, PublicReadMixin, edit_version_field
from eo_portal.models import Organisation, OrganisationKind, Role, Sector
from eo_portal.selectors import memberships_of

ACTING_ROLES = (Role.MEMBER, Role.MANAGER)

# ---------------------------------------------------------------------------
# Output


class ProductOut(serializers.ModelSerializer):
    class Meta:
        model = AffectedProduct
        fields = ["vendor", "product", "version_start", "version_end", "fixed_version"]


class ReporterOut(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = VulnerabilityReport
        fields = ["credit", "organisation", "source", "reported_at"]


class VulnerabilitySummaryOut(serializers.ModelSerializer):
    """A vulnerability in a list of others (likely duplicates)."""

    cvss_score = serializers.DecimalField(max_digits=3, decimal_places=1, coerce_to_string=False, allow_null=True)

    class Meta:
        model = Vulnerability
        fields = ["reference", "cve_id", "title", "status", "cwe_ids", "cvss_score", "ssvc_decision", "known_exploited"]


class VulnerabilityOut(serializers.ModelSerializer):
    """A vulnerability with its products and reporters; the source review case only for those
    who may see that case (`source_cases` in the context, worked out once per page)."""

    cvss_score = serializers.DecimalField(max_digits=3, decimal_places=1, coerce_to_string=False, allow_null=True)
    merged_into = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)
    products = ProductOut(many=True, read_only=True)
    reporters = ReporterOut(many=True, read_only=True, source="reports")
    source_case = serializers.SerializerMethodField(help_text="The review case it came from, if you may see it.")

    class Meta:
        model = Vulnerability
        fields = [
            "reference",
            "cve_id",
            "title",
            "description",
            "cwe_ids",
            "cvss_vector",
            "cvss_version",
            "cvss_score",
            "cvss_severity",
            "known_exploited",
            "known_exploited_date",
            "known_ransomware_use",
            "source",
            "status",
            "exploitation",
            "automatable",
            "technical_impact",
            "mission_impact",
            "ssvc_decision",
            "required_action",
            "remediation_due",
            "merged_into",
            "products",
            "reporters",
            "source_case",
            "created_at",
            "updated_at",
            "triaged_at",
        ]

    def get_source_case(self, vulnerability: Vulnerability) -> str | None:
        return self.context["source_cases"].get(vulnerability.pk)


class RemediationOut(serializers.ModelSerializer):
    vulnerability = serializers.SlugRelatedField(
        slug_field="reference", read_only=True, allow_null=True, help_text="Null: every vulnerability of the advisory."
    )

    class Meta:
        model = Remediation
        fields = ["category", "details", "product_scope", "vulnerability"]


class RevisionOut(serializers.ModelSerializer):
    class Meta:
        model = AdvisoryRevision
        fields = ["number", "published_at", "change_summary", "tlp"]


class AdvisoryOut(serializers.ModelSerializer):
    """An advisory as its reader may see it; whom it names comes back null except to coordinators."""

    tlp_meaning = serializers.CharField(read_only=True)
    ssvc_decision = serializers.CharField(read_only=True, help_text="The highest SSVC decision when last published.")
    vulnerabilities = serializers.SlugRelatedField(slug_field="reference", many=True, read_only=True)
    remediations = RemediationOut(many=True, read_only=True)
    named_organisations = serializers.SerializerMethodField()
    named_people = serializers.SerializerMethodField()
    revisions = RevisionOut(many=True, read_only=True)

    class Meta:
        model = Advisory
        fields = [
            "reference",
            "title",
            "summary",
            "tlp",
            "tlp_meaning",
            "status",
            "revision",
            "edit_version",
            "ssvc_decision",
            "release_at",
            "published_at",
            "withdrawn_at",
            "withdrawal_reason",
            "vulnerabilities",
            "remediations",
            "audience_sectors",
            "audience_kinds",
            "named_organisations",
            "named_people",
            "revisions",
            "created_at",
            "updated_at",
        ]

    def _coordinator(self) -> bool:
        return self.context["coordinator"]

    @extend_schema_field(serializers.ListField(child=serializers.SlugField(), allow_null=True))
    def get_named_organisations(self, advisory: Advisory) -> list[str] | None:
        if not self._coordinator():
            return None
        return sorted(organisation.slug for organisation in advisory.named_organisations.all())

    @extend_schema_field(serializers.ListField(child=serializers.CharField(), allow_null=True))
    def get_named_people(self, advisory: Advisory) -> list[str] | None:
        if not self._coordinator():
            return None
        return sorted(person.get_username() for person in advisory.named_people.all())


class SectorProgressOut(serializers.Serializer):
    sector = serializers.CharField()
    received = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    done = serializers.IntegerField()
    done_share = serializers.FloatField()


class DistributionOut(serializers.Serializer):
    received = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    remediated = serializers.IntegerField()
    not_affected = serializers.IntegerField()
    overdue = serializers.IntegerField()
    lagging = SectorProgressOut(many=True, help_text="Sectors, slowest to act first.")


class DeliveryOut(serializers.ModelSerializer):
    advisory = serializers.CharField(source="advisory.reference")
    title = serializers.CharField(source="advisory.title")
    tlp = serializers.ChoiceField(Tlp.choices, source="advisory.tlp")
    ssvc_decision = serializers.CharField(source="advisory.ssvc_decision")
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "advisory",
            "title",
            "tlp",
            "ssvc_decision",
            "organisation",
            "delivered_at",
            "delivered_revision",
            "acknowledged_at",
            "status",
            "note",
            "in_estate",
            "exposed",
            "timeline",
            "due_date",
            "is_overdue",
        ]


class RequiredActionOut(serializers.ModelSerializer):
    due_date = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = RequiredAction
        fields = ["number", "text", "due_in_days", "due_date"]


class DirectiveOut(serializers.ModelSerializer):
    required_actions = RequiredActionOut(many=True, read_only=True)

    class Meta:
        model = Directive
        fields = [
            "identifier",
            "kind",
            "title",
            "summary",
            "applicable_kinds",
            "status",
            "issued_date",
            "required_actions",
        ]


class ComplianceReportOut(serializers.ModelSerializer):
    directive = serializers.CharField(source="required_action.directive.identifier")
    action = serializers.IntegerField(source="required_action.number")
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    on_time = serializers.BooleanField(read_only=True)

    class Meta:
        model = ComplianceReport
        fields = ["directive", "action", "organisation", "status", "note", "completed_on", "reported_at", "on_time"]


class ActionComplianceOut(serializers.Serializer):
    action = serializers.IntegerField(source="action.number")
    text = serializers.CharField(source="action.text")
    due_date = serializers.DateField(allow_null=True)
    applicable = serializers.IntegerField()
    completed = serializers.IntegerField()
    on_time = serializers.IntegerField()
    overdue = serializers.IntegerField()


class ComplianceOut(serializers.Serializer):
    overview = ActionComplianceOut(
        many=True, allow_null=True, help_text="CISA: each required action across applicable organisations; else null."
    )
    reports = ComplianceReportOut(
        many=True, allow_null=True, help_text="Your organisations' own reports on this directive; null for CISA."
    )


class ToolOut(serializers.ModelSerializer):
    provider = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = DefensiveTool
        fields = [
            "slug",
            "name",
            "provider",
            "capability",
            "description",
            "eligible_kinds",
            "delivery_method",
            "is_available",
        ]


class ToolRequestOut(serializers.ModelSerializer):
    tool = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    tool_name = serializers.CharField(source="tool.name")
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ToolRequest
        fields = [
            "id",
            "tool",
            "tool_name",
            "organisation",
            "requested_by",
            "justification",
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
            "created_at",
        ]


# ---------------------------------------------------------------------------
# Input


class ProductIn(serializers.Serializer):
    vendor = serializers.CharField(max_length=120)
    product = serializers.CharField(max_length=120)
    version_start = serializers.CharField(max_length=60, required=False, allow_blank=True)
    version_end = serializers.CharField(max_length=60, required=False, allow_blank=True)
    fixed_version = serializers.CharField(max_length=60, required=False, allow_blank=True)


class VulnerabilityChangesIn(serializers.Serializer):
    """What a coordinator may correct on the record."""

    cve_id = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True)
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False)
    cwe_ids = serializers.ListField(child=serializers.CharField(max_length=12), required=False)
    cvss_vector = serializers.CharField(max_length=200, required=False, allow_blank=True)
    known_exploited = serializers.BooleanField(required=False)
    known_exploited_date = serializers.DateField(required=False, allow_null=True)
    known_ransomware_use = serializers.BooleanField(required=False)
    required_action = serializers.CharField(required=False, allow_blank=True)
    remediation_due = serializers.DateField(required=False, allow_null=True)
    products = ProductIn(many=True, required=False)


class VulnerabilityIn(serializers.Serializer):
    """A report of a flaw; a CVE ID already on record adds you as a reporter of that vulnerability."""

    organisation = serializers.SlugField(
        required=False, help_text="Your organisation's slug; needed only if you act for several."
    )
    source = serializers.ChoiceField(Source.choices)
    credit = serializers.CharField(max_length=200, required=False, allow_blank=True)
    products = ProductIn(many=True)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField()
    cve_id = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True)
    cwe_ids = serializers.ListField(child=serializers.CharField(max_length=12), required=False)
    cvss_vector = serializers.CharField(max_length=200, required=False, allow_blank=True)
    known_exploited = serializers.BooleanField(required=False)
    known_exploited_date = serializers.DateField(required=False, allow_null=True)
    known_ransomware_use = serializers.BooleanField(required=False)


class TriageIn(serializers.Serializer):
    exploitation = serializers.ChoiceField(Exploitation.choices)
    automatable = serializers.BooleanField()
    technical_impact = serializers.ChoiceField(TechnicalImpact.choices)
    mission_impact = serializers.ChoiceField(MissionImpact.choices)
    remediation_due = serializers.DateField(required=False, allow_null=True)
    required_action = serializers.CharField(required=False, allow_blank=True)


class VulnerabilityMoveIn(serializers.Serializer):
    status = serializers.ChoiceField(VulnerabilityStatus.choices)


class MergeIn(serializers.Serializer):
    into = serializers.CharField(max_length=20, help_text="The reference of the vulnerability that survives.")


class RemediationIn(serializers.Serializer):
    category = serializers.ChoiceField(RemediationCategory.choices)
    details = serializers.CharField()
    product_scope = serializers.CharField(max_length=300, required=False, allow_blank=True)
    vulnerability = serializers.CharField(
        max_length=20, required=False, allow_null=True, help_text="A reference; null for every vulnerability."
    )


class AdvisoryIn(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField()
    tlp = serializers.ChoiceField(Tlp.choices, required=False)
    audience_sectors = serializers.ListField(child=serializers.ChoiceField(Sector.choices), required=False)
    audience_kinds = serializers.ListField(child=serializers.ChoiceField(OrganisationKind.choices), required=False)
    release_at = serializers.DateTimeField(required=False, allow_null=True)
    vulnerabilities = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, help_text="References of vulnerabilities."
    )
    named_organisations = serializers.ListField(
        child=serializers.SlugField(), required=False, help_text="Slugs (TLP:AMBER and TLP:AMBER+STRICT)."
    )
    named_people = serializers.ListField(
        child=serializers.CharField(max_length=150), required=False, help_text="User names (TLP:RED)."
    )
    remediations = RemediationIn(many=True, required=False)


class AdvisoryEditIn(AdvisoryIn):
    edit_version = edit_version_field()


class ReviseIn(AdvisoryIn):
    change_summary = serializers.CharField(max_length=300)
    title = serializers.CharField(max_length=200, required=False)
    summary = serializers.CharField(required=False)


class WithdrawIn(serializers.Serializer):
    reason = serializers.CharField()


class DeliveryReportIn(serializers.Serializer):
    status = serializers.ChoiceField(DeliveryStatus.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True)
    in_estate = serializers.BooleanField(required=False, help_text="Is an affected product in your estate?")
    exposed = serializers.BooleanField(required=False, help_text="Is it exposed to the internet?")


class RequiredActionIn(serializers.Serializer):
    text = serializers.CharField()
    due_in_days = serializers.IntegerField(min_value=1, max_value=3650)


class DirectiveIn(serializers.Serializer):
    identifier = serializers.CharField(max_length=12, help_text="For example BOD 27-01, ED 27-01 or CG 27-01.")
    kind = serializers.ChoiceField(DirectiveKind.choices)
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField()
    applicable_kinds = serializers.ListField(child=serializers.ChoiceField(OrganisationKind.choices))
    required_actions = RequiredActionIn(many=True)


class ComplianceIn(serializers.Serializer):
    action = serializers.IntegerField(min_value=1, help_text="The required action's number.")
    organisation = serializers.SlugField(
        required=False, help_text="Your organisation's slug; needed only if you report for several."
    )
    status = serializers.ChoiceField(ComplianceStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True)
    completed_on = serializers.DateField(required=False, allow_null=True)


class ToolRequestIn(serializers.Serializer):
    tool = serializers.SlugField()
    organisation = serializers.SlugField(
        required=False, help_text="Your organisation's slug; needed only if several of yours are eligible."
    )
    justification = serializers.CharField()


class DecisionIn(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, help_text="Required to decline.")


def _valid(serializer_class: type[serializers.Serializer], request: Request, **kwargs) -> dict:
    incoming = serializer_class(data=request.data, **kwargs)
    incoming.is_valid(raise_exception=True)
    return dict(incoming.validated_data)


def _acting_for(candidates: list[Organisation], slug: str | None, what: str) -> Organisation:
    """The organisation named by `slug` among those the user may act for, or the only one.
    No candidate at all is a refusal (403); a wrong or missing name is a field error."""
    if not candidates:
        raise PermissionDenied
    if slug is None:
        if len(candidates) == 1:
            return candidates[0]
        raise ValidationError({"organisation": f"Name the organisation you {what} for."})
    for organisation in candidates:
        if organisation.slug == slug:
            return organisation
    raise ValidationError({"organisation": f"You {what} only for an organisation you act for."})


# ---------------------------------------------------------------------------
# Vulnerabilities


def _vulnerability_rows(user):
    return selectors.vulnerabilities_visible_to(user).prefetch_related("products", "reports__organisation")


def _source_cases(user, vulnerabilities) -> dict[int, str | None]:
    """Only records that came from a review case cost a look-up, and only its viewers see it."""
    found = {}
    for vulnerability in vulnerabilities:
        if vulnerability.source_case_id is not None:
            case = selectors.source_case_for(user, vulnerability)
            found[vulnerability.pk] = case.reference if case is not None else None
    return found


class VulnerabilityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Vulnerabilities: coordinators see all, a reporting organisation what it reported; any other
    answers 404, as one that does not exist."""

    serializer_class = VulnerabilityOut
    lookup_field = "reference"
    lookup_value_regex = r"CHV-\d{4}-\d{4,}"
    filter_backends = []

    def get_queryset(self):
        if self.request.query_params.get("queue") in ("1", "true", "yes"):
            return selectors.priority_queue(self.request.user).prefetch_related("products", "reports__organisation")
        return _vulnerability_rows(self.request.user)

    def get_object(self) -> Vulnerability:
        return selectors.get_vulnerability_for(self.request.user, self.kwargs["reference"])

    def _out(self, vulnerability: Vulnerability, **kwargs) -> Response:
        user = self.request.user
        fresh = _vulnerability_rows(user).filter(pk=vulnerability.pk).first()
        if fresh is None:
            raise NotFound()
        context = {"source_cases": _source_cases(user, [fresh])}
        return Response(VulnerabilityOut(fresh, context=context).data, **kwargs)

    def _require_triage(self) -> None:
        if not permissions.has_role_permission(self.request.user, selectors.TRIAGE_ROLE):
            raise NotFound()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "queue", bool, description="The open priority queue: SSVC decision, known exploited, CVSS, due date."
            )
        ]
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        context = {"source_cases": _source_cases(request.user, page)}
        return self.get_paginated_response(VulnerabilityOut(page, many=True, context=context).data)

    def retrieve(self, request: Request, reference: str) -> Response:
        return self._out(self.get_object())

    @extend_schema(request=VulnerabilityIn, responses={201: VulnerabilityOut})
    def create(self, request: Request) -> Response:
        acting = [m.organisation for m in memberships_of(request.user) if m.role in ACTING_ROLES]
        if not acting:
            raise PermissionDenied  # before the input is read: who acts for no organisation reports nothing
        data = _valid(VulnerabilityIn, request)
        organisation = _acting_for(acting, data.pop("organisation", None), "report")
        vulnerability = services.report_vulnerability(by=request.user, organisation=organisation, **data)
        return self._out(vulnerability, status=status.HTTP_201_CREATED)

    @extend_schema(request=VulnerabilityChangesIn, responses=VulnerabilityOut)
    def partial_update(self, request: Request, reference: str) -> Response:
        vulnerability = self.get_object()
        data = _valid(VulnerabilityChangesIn, request)
        products = data.pop("products", None)
        updated = services.update_vulnerability(vulnerability, by=request.user, products=products, **data)
        return self._out(updated)

    @extend_schema(request=TriageIn, responses=VulnerabilityOut)
    @action(detail=True, methods=["post"])
    def triage(self, request: Request, reference: str) -> Response:
        """Record SSVC's decision points (coordinators); 409 once past triage."""
        vulnerability = self.get_object()
        return self._out(services.triage_vulnerability(vulnerability, by=request.user, **_valid(TriageIn, request)))

    @extend_schema(request=VulnerabilityMoveIn, responses=VulnerabilityOut)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, reference: str) -> Response:
        """Move along the state table (coordinators); 409 with the reason when the state does not allow it."""
        vulnerability = self.get_object()
        data = _valid(VulnerabilityMoveIn, request)
        return self._out(services.move_vulnerability(vulnerability, by=request.user, status=data["status"]))

    @extend_schema(request=MergeIn, responses=VulnerabilityOut)
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, reference: str) -> Response:
        """Merge this duplicate into another record; answers with the survivor."""
        duplicate = self.get_object()
        data = _valid(MergeIn, request)
        try:
            into = selectors.get_vulnerability_for(request.user, data["into"])
        except Http404 as exc:
            raise ValidationError({"into": "No such vulnerability."}) from exc
        return self._out(services.merge_vulnerabilities(duplicate, into=into, by=request.user))

    @extend_schema(responses=VulnerabilitySummaryOut(many=True))
    @action(detail=True, methods=["get"])
    def duplicates(self, request: Request, reference: str) -> Response:
        """Other live records that may be the same flaw (coordinators)."""
        vulnerability = self.get_object()
        self._require_triage()
        return Response(VulnerabilitySummaryOut(selectors.likely_duplicates(vulnerability), many=True).data)


# ---------------------------------------------------------------------------
# Advisories


def _vulnerabilities_named(user, references: set[str], field: str) -> dict[str, Vulnerability]:
    if not references:
        return {}
    found = {
        vulnerability.reference: vulnerability
        for vulnerability in selectors.vulnerabilities_visible_to(user).filter(reference__in=references)
    }
    missing = sorted(references - set(found))
    if missing:
        raise ValidationError({field: f"No such vulnerability: {', '.join(missing)}."})
    return found


def _advisory_arguments(user, data: dict) -> dict:
    """Turn references, slugs and user names into the objects the services take; unknown ones
    are field errors. Only coordinators get here, so nothing leaks whether a name exists."""
    wanted = set(data.get("vulnerabilities", ()))
    for item in data.get("remediations", ()):
        if item.get("vulnerability"):
            wanted.add(item["vulnerability"])
    named = _vulnerabilities_named(user, wanted, "vulnerabilities")
    if "vulnerabilities" in data:
        data["vulnerabilities"] = [named[reference] for reference in dict.fromkeys(data["vulnerabilities"])]
    if "remediations" in data:
        data["remediations"] = [
            {**item, "vulnerability": named[item["vulnerability"]] if item.get("vulnerability") else None}
            for item in data["remediations"]
        ]
    if "named_organisations" in data:
        slugs = list(dict.fromkeys(data["named_organisations"]))
        organisations = selectors.organisations_by_slug(slugs)
        missing = sorted(set(slugs) - {organisation.slug for organisation in organisations})
        if missing:
            raise ValidationError(
                {"named_organisations": f"No active organisation has the slug: {', '.join(missing)}."}
            )
        data["named_organisations"] = organisations
    if "named_people" in data:
        usernames = list(dict.fromkeys(data["named_people"]))
        people = selectors.people_by_username(usernames)
        missing = sorted(set(usernames) - {person.get_username() for person in people})
        if missing:
            raise ValidationError({"named_people": f"No active account has the user name: {', '.join(missing)}."})
        data["named_people"] = people
    return data


class AdvisoryViewSet(PublicReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Advisories: anyone reads published TLP:CLEAR ones past their embargo; recipients read
    what was delivered to them; coordinators everything. Any other answers 404."""

    serializer_class = AdvisoryOut
    lookup_field = "reference"
    lookup_value_regex = r"CHA-\d{4}-\d{4,}"
    filter_backends = []

    def get_permissions(self):
        if self.action == "csaf":
            return [AllowAny()]
        return super().get_permissions()

    def get_queryset(self):
        if self.action == "list":
            advisories, self._count_parts = selectors.advisory_list_for(self.request.user)
        else:
            advisories = selectors.advisories_visible_to(self.request.user)
        return selectors.with_contents(advisories)

    def counting(self) -> dict:
        """For the list's pagination: its rows as sets counted each by its own index."""
        return {"parts": self._count_parts}

    def get_object(self) -> Advisory:
        return selectors.get_advisory_for(self.request.user, self.kwargs["reference"])

    def _with_contents(self, reference: str) -> Advisory:
        advisory = self.get_queryset().filter(reference=reference).first()
        if advisory is None:
            raise NotFound()
        return advisory

    def _context(self) -> dict:
        return {"coordinator": selectors.is_coordinator(self.request.user)}

    def _out(self, advisory: Advisory, **kwargs) -> Response:
        return Response(AdvisoryOut(self._with_contents(advisory.reference), context=self._context()).data, **kwargs)

    def _require_coordinator(self) -> None:
        if not selectors.is_coordinator(self.request.user):
            raise PermissionDenied

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(AdvisoryOut(page, many=True, context=self._context()).data)

    def retrieve(self, request: Request, reference: str) -> Response:
        return Response(AdvisoryOut(self._with_contents(reference), context=self._context()).data)

    @extend_schema(request=AdvisoryIn, responses={201: AdvisoryOut})
    def create(self, request: Request) -> Response:
        """Draft an advisory (coordinators)."""
        self._require_coordinator()
        data = _advisory_arguments(request.user, _valid(AdvisoryIn, request))
        advisory = services.create_advisory(by=request.user, **data)
        return self._out(advisory, status=status.HTTP_201_CREATED)

    @extend_schema(request=AdvisoryEditIn(partial=True), responses=AdvisoryOut)
    def partial_update(self, request: Request, reference: str) -> Response:
        """Edit a draft (coordinators); 409 past draft, where a published advisory is revised instead."""
        advisory = self.get_object()
        self._require_coordinator()
        data = _valid(AdvisoryEditIn, request, partial=True)
        expected = data.pop("edit_version", None)
        data = _advisory_arguments(request.user, data)
        return self._out(services.update_advisory(advisory, by=request.user, expected_version=expected, **data))

    @extend_schema(request=None, responses=AdvisoryOut)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, reference: str) -> Response:
        """Send a draft for review by a second coordinator; 409 unless it is a draft."""
        return self._out(services.submit_advisory(self.get_object(), by=request.user))

    @extend_schema(request=None, responses=AdvisoryOut)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_to_draft(self, request: Request, reference: str) -> Response:
        """Return an advisory in review to draft; 409 unless it is in review."""
        return self._out(services.return_advisory(self.get_object(), by=request.user))

    @extend_schema(request=None, responses=AdvisoryOut)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, reference: str) -> Response:
        """Publish, by a coordinator other than the one who sent it for review (403 for that one);
        409 unless it is in review. Delivery to the recipients follows in the background."""
        return self._out(services.publish_advisory(self.get_object(), by=request.user))

    @extend_schema(request=WithdrawIn, responses=AdvisoryOut)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, reference: str) -> Response:
        """Withdraw a published advisory, saying why (coordinators); 409 unless published."""
        advisory = self.get_object()
        self._require_coordinator()
        return self._out(services.withdraw_advisory(advisory, by=request.user, **_valid(WithdrawIn, request)))

    @extend_schema(request=ReviseIn, responses=AdvisoryOut)
    @action(detail=True, methods=["post"])
    def revise(self, request: Request, reference: str) -> Response:
        """Publish a new revision of a published advisory (coordinators); 409 otherwise."""
        advisory = self.get_object()
        self._require_coordinator()
        data = _advisory_arguments(request.user, _valid(ReviseIn, request))
        return self._out(services.revise_advisory(advisory, by=request.user, **data))

    @extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def csaf(self, request: Request, reference: str) -> Response:
        """The advisory as a CSAF 2.0 document."""
        from clearinghouse import exports

        return Response(exports.csaf_document(self._with_contents(reference)))

    @extend_schema(responses=DistributionOut)
    @action(detail=True, methods=["get"])
    def distribution(self, request: Request, reference: str) -> Response:
        """How far the advisory has reached and been acted on (coordinators)."""
        advisory = self.get_object()
        if not selectors.is_coordinator(request.user):
            raise NotFound()
        return Response(DistributionOut(selectors.distribution_summary(advisory)).data)


# ---------------------------------------------------------------------------
# Deliveries


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The advisories delivered to your organisations, most urgent first, and your report on each.
    Another organisation's delivery answers 404."""

    serializer_class = DeliveryOut
    lookup_value_regex = r"\d+"
    filter_backends = []

    def get_queryset(self):
        return selectors.delivery_queue(self.request.user, for_list=True)

    def get_object(self) -> Delivery:
        return selectors.get_delivery_for(self.request.user, self.kwargs["pk"])

    def _out(self, delivery: Delivery) -> Response:
        return Response(DeliveryOut(selectors.get_delivery_for(self.request.user, delivery.pk)).data)

    @extend_schema(request=DeliveryReportIn, responses=DeliveryOut)
    def partial_update(self, request: Request, pk: str) -> Response:
        """Report whether the advisory affects you and your progress; acknowledges it too."""
        delivery = self.get_object()
        return self._out(services.report_on_delivery(delivery, by=request.user, **_valid(DeliveryReportIn, request)))

    @extend_schema(request=None, responses=DeliveryOut)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str) -> Response:
        return self._out(services.report_on_delivery(self.get_object(), by=request.user))


# ---------------------------------------------------------------------------
# Directives


class DirectiveViewSet(PublicReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """CISA's directives and guidance: issued ones are public, drafts CISA's own."""

    serializer_class = DirectiveOut
    lookup_field = "identifier"
    lookup_value_regex = "[^/]+"
    filter_backends = []

    def get_queryset(self):
        return selectors.directives_visible_to(self.request.user).prefetch_related("required_actions")

    def get_object(self) -> Directive:
        return selectors.get_directive_for(self.request.user, self.kwargs["identifier"])

    def _out(self, directive: Directive, **kwargs) -> Response:
        fresh = self.get_queryset().filter(pk=directive.pk).first()
        if fresh is None:
            raise NotFound()
        return Response(DirectiveOut(fresh).data, **kwargs)

    def retrieve(self, request: Request, identifier: str) -> Response:
        return self._out(self.get_object())

    @extend_schema(request=DirectiveIn, responses={201: DirectiveOut})
    def create(self, request: Request) -> Response:
        """Draft a directive (CISA)."""
        if not selectors.may_issue_directives(request.user):
            raise PermissionDenied  # before the input is read, as the page refuses it
        data = _valid(DirectiveIn, request)
        actions = [(item["text"], item["due_in_days"]) for item in data.pop("required_actions")]
        directive = services.create_directive(by=request.user, required_actions=actions, **data)
        return self._out(directive, status=status.HTTP_201_CREATED)

    @extend_schema(request=DirectiveIn(partial=True), responses=DirectiveOut)
    def partial_update(self, request: Request, identifier: str) -> Response:
        """Edit a draft (CISA); 409 once issued."""
        directive = self.get_object()
        data = _valid(DirectiveIn, request, partial=True)
        actions = data.pop("required_actions", None)
        if actions is not None:
            actions = [(item["text"], item["due_in_days"]) for item in actions]
        return self._out(services.update_directive(directive, by=request.user, required_actions=actions, **data))

    @extend_schema(request=None, responses=DirectiveOut)
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, identifier: str) -> Response:
        """Issue today (CISA); each required action falls due that many calendar days later. 409 unless a draft."""
        return self._out(services.issue_directive(self.get_object(), by=request.user))

    @extend_schema(request=None, responses=DirectiveOut)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, identifier: str) -> Response:
        """Revoke an issued directive (CISA); 409 unless issued."""
        return self._out(services.revoke_directive(self.get_object(), by=request.user))

    @extend_schema(methods=["GET"], responses=ComplianceOut)
    @extend_schema(methods=["POST"], request=ComplianceIn, responses=ComplianceReportOut)
    @action(detail=True, methods=["get", "post"])
    def compliance(self, request: Request, identifier: str) -> Response:
        """GET: CISA sees each required action across applicable organisations, others their own
        reports. POST: report on one required action for your organisation (a later report updates it)."""
        directive = self.get_object()
        user = request.user
        if request.method == "GET":
            if selectors.may_issue_directives(user):
                overview = selectors.compliance_overview(directive)
                return Response(ComplianceOut({"overview": overview, "reports": None}).data)
            reports = selectors.compliance_reports_visible_to(user).filter(required_action__directive=directive)
            return Response(ComplianceOut({"overview": None, "reports": reports}).data)
        reporting = selectors.reporting_organisations(user, directive)
        if not reporting:
            raise PermissionDenied  # before the input is read: the directive does not apply to the user's organisations
        data = _valid(ComplianceIn, request)
        required_action = selectors.required_actions_of(directive).filter(number=data.pop("action")).first()
        if required_action is None:
            raise ValidationError({"action": "This directive has no required action with that number."})
        organisation = _acting_for(reporting, data.pop("organisation", None), "report")
        report = services.report_compliance(required_action, by=user, organisation=organisation, **data)
        return Response(ComplianceReportOut(report).data)


# ---------------------------------------------------------------------------
# Defensive tools


class ToolViewSet(PublicReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The catalogue of AI-enabled defensive tools (public); a provider also sees its withdrawn ones."""

    serializer_class = ToolOut
    lookup_field = "slug"
    filter_backends = []

    def get_queryset(self):
        return selectors.tools_visible_to(self.request.user)

    def get_object(self) -> DefensiveTool:
        return selectors.get_tool_for(self.request.user, self.kwargs["slug"])


class ToolRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Requests for tools: the requesting organisation's members and the provider agency's staff."""

    serializer_class = ToolRequestOut
    lookup_value_regex = r"\d+"
    filter_backends = []

    def get_queryset(self):
        return selectors.tool_requests_visible_to(self.request.user)

    def get_object(self) -> ToolRequest:
        return selectors.get_tool_request_for(self.request.user, self.kwargs["pk"])

    def _out(self, tool_request: ToolRequest, **kwargs) -> Response:
        return Response(
            ToolRequestOut(selectors.get_tool_request_for(self.request.user, tool_request.pk)).data, **kwargs
        )

    @extend_schema(request=ToolRequestIn, responses={201: ToolRequestOut})
    def create(self, request: Request) -> Response:
        data = _valid(ToolRequestIn, request)
        try:
            tool = selectors.get_tool_for(request.user, data["tool"])
        except Http404 as exc:
            raise ValidationError({"tool": "No such tool in the catalogue."}) from exc
        organisation = _acting_for(
            selectors.requesting_organisations(request.user, tool), data.get("organisation"), "request tools"
        )
        tool_request = services.request_tool(
            tool, by=request.user, organisation=organisation, justification=data["justification"]
        )
        return self._out(tool_request, status=status.HTTP_201_CREATED)

    def _decide(self, request: Request, approve: bool) -> Response:
        tool_request = self.get_object()
        note = _valid(DecisionIn, request).get("note", "")
        return self._out(services.decide_tool_request(tool_request, by=request.user, approve=approve, note=note))

    @extend_schema(request=DecisionIn, responses=ToolRequestOut)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """The provider agency approves; 409 once decided."""
        return self._decide(request, approve=True)

    @extend_schema(request=DecisionIn, responses=ToolRequestOut)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        """The provider agency declines, saying why in the note; 409 once decided."""
        return self._decide(request, approve=False)

    @extend_schema(request=None, responses=ToolRequestOut)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        return self._out(services.withdraw_tool_request(self.get_object(), by=request.user))


router = PortalRouter()
router.register("vulnerabilities", VulnerabilityViewSet, basename="vulnerability")
router.register("advisories", AdvisoryViewSet, basename="advisory")
router.register("deliveries", DeliveryViewSet, basename="delivery")
router.register("directives", DirectiveViewSet, basename="directive")
router.register("tools", ToolViewSet, basename="tool")
router.register("tool-requests", ToolRequestViewSet, basename="tool-request")
urlpatterns = router.urls
