"""The grants program's API under /api/v1/grants/: public opportunities with their search and
eligibility, applications for their applicants and grant staff, and reviewers' assignments.
Reads start from the selectors; writes are service calls with `by=request.user`.

Money is Decimal end to end: JSON numbers are parsed to Decimal, never float (`DecimalJSONParser`),
amounts are checked to the cent by DecimalFields and answered as strings such as "125000.00".
"""

from __future__ import annotations

import codecs
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.fields import SkipField
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser, get_encoding
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils import json

from eo_portal.api_support import PortalRouter, PublicReadMixin, edit_version_field
from eo_portal.models import Organisation
from grants import selectors, services
from grants.models import (
    ApplicantType,
    Application,
    ApplicationContact,
    BudgetLine,
    BudgetObjectClass,
    ContactRole,
    FundingInstrument,
    Opportunity,
    ReviewCriterion,
    ReviewerAssignment,
)
from grants.workflow import DECIDED, ApplicationStatus, OpportunityStatus

MONEY = {"max_digits": 14, "decimal_places": 2}
PERCENT = {"max_digits": 5, "decimal_places": 2, "min_value": Decimal("0"), "max_value": Decimal("100")}
TOTAL = {"max_digits": 5, "decimal_places": 2}


class DecimalJSONParser(JSONParser):
    """JSON whose numbers with a fraction become Decimal, never float, so an amount arrives exactly
    as it was sent: 1000.5 is 1000.50, and 1000.505 is refused (three places) rather than rounded."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        try:
            decoded_stream = codecs.getreader(encoding)(stream)
            parse_constant = json.strict_constant if self.strict else None
            return json.load(decoded_stream, parse_float=Decimal, parse_constant=parse_constant)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc


PARSERS = [DecimalJSONParser, FormParser, MultiPartParser]


# ---------------------------------------------------------------------------
# Output


class CriterionOut(serializers.ModelSerializer):
    class Meta:
        model = ReviewCriterion
        fields = ["number", "name", "weight", "description"]


class EligibilityOut(serializers.Serializer):
    organisation = serializers.SlugField(help_text="One of your organisations that could apply.")
    eligible = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why not, in words to act on.")


class OpportunityOut(serializers.ModelSerializer):
    """An opportunity, public; `eligible` tells a signed-in applicant whether each of their
    organisations may apply (`applying` in the context, looked up once per request)."""

    awarding_agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    eligible_types = serializers.ListField(child=serializers.ChoiceField(ApplicantType.choices))
    award_floor = serializers.DecimalField(**MONEY)
    award_ceiling = serializers.DecimalField(**MONEY)
    total_funding = serializers.DecimalField(**MONEY)
    cost_share_percent = serializers.DecimalField(**PERCENT)
    pass_through_percent = serializers.DecimalField(**PERCENT, allow_null=True)
    rural_percent = serializers.DecimalField(**PERCENT, allow_null=True)
    criteria = CriterionOut(many=True, read_only=True)
    eligible = serializers.SerializerMethodField()

    class Meta:
        model = Opportunity
        fields = [
            "opportunity_number",
            "title",
            "awarding_agency",
            "assistance_listing",
            "description",
            "eligible_types",
            "funding_instrument",
            "award_floor",
            "award_ceiling",
            "expected_awards",
            "total_funding",
            "cost_share_percent",
            "pass_through_percent",
            "rural_percent",
            "posted_date",
            "close_at",
            "status",
            "amendment_count",
            "criteria",
            "eligible",
        ]
        read_only_fields = fields

    @extend_schema_field(EligibilityOut(many=True, allow_null=True))
    def get_eligible(self, opportunity: Opportunity) -> list[dict] | None:
        applying = self.context.get("applying")
        if applying is None:
            return None
        rows = []
        for organisation in applying:
            eligibility = selectors.eligibility_of(organisation, opportunity)
            rows.append(
                {"organisation": organisation.slug, "eligible": eligibility.eligible, "reasons": eligibility.reasons}
            )
        return EligibilityOut(rows, many=True).data


class BudgetLineOut(serializers.ModelSerializer):
    amount = serializers.DecimalField(**MONEY)

    class Meta:
        model = BudgetLine
        fields = ["object_class", "amount"]


class ContactOut(serializers.ModelSerializer):
    class Meta:
        model = ApplicationContact
        fields = ["role", "name", "email", "phone"]


class DecisionOut(serializers.Serializer):
    decided_at = serializers.DateTimeField(allow_null=True)
    amount = serializers.DecimalField(**MONEY, allow_null=True, help_text="Awarded: the amount; else null.")
    award_number = serializers.CharField(allow_null=True)
    award_date = serializers.DateField(allow_null=True)
    note = serializers.CharField(allow_blank=True, help_text="Not selected: why, if the agency said.")


class ScoredOut(serializers.ModelSerializer):
    """A reviewer's scores by criterion number, and their weighted total (Σ score × weight / 100)."""

    scores = serializers.SerializerMethodField()
    weighted_total = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField(), help_text="Criterion number: score."))
    def get_scores(self, assignment: ReviewerAssignment) -> dict[str, int]:
        return {str(score.criterion.number): score.score for score in assignment.scores.all()}

    @extend_schema_field(serializers.DecimalField(**TOTAL, allow_null=True))
    def get_weighted_total(self, assignment: ReviewerAssignment) -> str | None:
        total = selectors.weighted_total(assignment)
        return None if total is None else f"{total:.2f}"


class ReviewOut(ScoredOut):
    reviewer = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ReviewerAssignment
        fields = ["reviewer", "assigned_at", "attested_at", "scored_at", "scores", "weighted_total", "comment"]


class StaffOnlyField(serializers.Field):
    """A key only the opportunity's grant staff get (`staff_for` in the context: the ids of the
    opportunities the user administers); anyone else gets no key at all, not even a null."""

    def __init__(self, **kwargs):
        super().__init__(source="*", required=False, **kwargs)

    def get_attribute(self, application: Application) -> Application:
        if application.opportunity_id not in self.context["staff_for"]:
            raise SkipField
        return application


@extend_schema_field(ReviewOut(many=True))
class ReviewsField(StaffOnlyField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # One serializer for a whole list of applications: a ModelSerializer builds its fields
        # from the model each time it is made, once per application when made per row.
        self.reviews = ReviewOut(many=True)

    def to_representation(self, application: Application) -> list:
        return self.reviews.to_representation(application.assignments.all())


@extend_schema_field(serializers.DecimalField(**TOTAL, allow_null=True))
class AverageTotalField(StaffOnlyField):
    def to_representation(self, application: Application) -> str | None:
        average = selectors.prefetched_average(application)
        return None if average is None else f"{average:.2f}"


class GrantApplicationOut(serializers.ModelSerializer):
    """An application as its reader may see it: the decision once made; reviewers, scores and
    their average only for grant staff (absent keys for the applicant and reviewers)."""

    opportunity_number = serializers.CharField(source="opportunity.opportunity_number")
    applicant = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    requested_amount = serializers.DecimalField(**MONEY)
    cost_share = serializers.DecimalField(**MONEY)
    total_project_cost = serializers.DecimalField(**MONEY, read_only=True)
    budget_lines = BudgetLineOut(many=True, read_only=True)
    contacts = ContactOut(many=True, read_only=True)
    eligible = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    reviews = ReviewsField(help_text="Grant staff only; the key is absent for anyone else.")
    average_total = AverageTotalField(help_text="Grant staff only: the mean of the weighted totals.")

    class Meta:
        model = Application
        fields = [
            "tracking_number",
            "opportunity_number",
            "applicant",
            "project_title",
            "abstract",
            "period_start",
            "period_end",
            "requested_amount",
            "cost_share",
            "total_project_cost",
            "budget_lines",
            "contacts",
            "status",
            "edit_version",
            "submitted_at",
            "eligible",
            "decision",
            "reviews",
            "average_total",
        ]
        read_only_fields = fields

    def get_eligible(self, application: Application) -> bool:
        return selectors.eligibility_of(application.applicant, application.opportunity).eligible

    @extend_schema_field(DecisionOut(allow_null=True))
    def get_decision(self, application: Application) -> dict | None:
        if application.status not in DECIDED:
            return None
        award = getattr(application, "award", None) if application.status == ApplicationStatus.AWARDED else None
        return DecisionOut(
            {
                "decided_at": application.decided_at,
                "amount": award.amount if award else None,
                "award_number": award.award_number if award else None,
                "award_date": award.award_date if award else None,
                "note": application.decision_note,
            }
        ).data


class GrantApplicationSummaryOut(serializers.ModelSerializer):
    applicant = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    requested_amount = serializers.DecimalField(**MONEY)

    class Meta:
        model = Application
        fields = ["project_title", "abstract", "applicant", "requested_amount", "status"]


class AssignmentOut(ScoredOut):
    """A reviewer's own assignment: a stub until they attest no conflict of interest, then the
    application's summary and their own scores."""

    tracking_number = serializers.CharField(source="application.tracking_number")
    opportunity_number = serializers.CharField(source="application.opportunity.opportunity_number")
    application = serializers.SerializerMethodField()

    class Meta:
        model = ReviewerAssignment
        fields = [
            "id",
            "tracking_number",
            "opportunity_number",
            "assigned_at",
            "attested_at",
            "scored_at",
            "application",
            "scores",
            "weighted_total",
            "comment",
        ]

    @extend_schema_field(GrantApplicationSummaryOut(allow_null=True, help_text="Null until you attest."))
    def get_application(self, assignment: ReviewerAssignment) -> dict | None:
        if assignment.attested_at is None:
            return None
        return GrantApplicationSummaryOut(assignment.application).data


# ---------------------------------------------------------------------------
# Input


class CriterionIn(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    weight = serializers.IntegerField(min_value=1, max_value=100)
    description = serializers.CharField(required=False, allow_blank=True)


class OpportunityFieldsIn(serializers.Serializer):
    opportunity_number = serializers.CharField(max_length=40, help_text="For example OMB-AICS-2027-001.")
    title = serializers.CharField(max_length=250)
    assistance_listing = serializers.CharField(max_length=6, help_text="For example 97.137.")
    description = serializers.CharField()
    eligible_types = serializers.ListField(child=serializers.ChoiceField(ApplicantType.choices), min_length=1)
    funding_instrument = serializers.ChoiceField(FundingInstrument.choices)
    award_floor = serializers.DecimalField(**MONEY, min_value=Decimal("0"))
    award_ceiling = serializers.DecimalField(**MONEY, min_value=Decimal("0"))
    expected_awards = serializers.IntegerField(min_value=1)
    total_funding = serializers.DecimalField(**MONEY, min_value=Decimal("0"))
    cost_share_percent = serializers.DecimalField(**PERCENT, required=False)
    pass_through_percent = serializers.DecimalField(**PERCENT, required=False, allow_null=True)
    rural_percent = serializers.DecimalField(**PERCENT, required=False, allow_null=True)
    close_at = serializers.DateTimeField()
    criteria = CriterionIn(many=True, required=False, help_text="Weights add up to 100; replaces any set before.")


class OpportunityIn(OpportunityFieldsIn):
    awarding_agency = serializers.SlugField(
        required=False, help_text="The agency's slug; needed only if you may create for several."
    )


class AmendIn(OpportunityFieldsIn):
    """An amendment of a posted opportunity: what changed, for the applicants, and the new values."""

    summary = serializers.CharField(help_text="What changed, in words for the applicants (they are told).")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for name, field in fields.items():
            field.required = name == "summary"
        return fields


class BudgetLineIn(serializers.Serializer):
    object_class = serializers.ChoiceField(BudgetObjectClass.choices)
    amount = serializers.DecimalField(**MONEY, min_value=Decimal("0"))


class ContactIn(serializers.Serializer):
    role = serializers.ChoiceField(ContactRole.choices)
    name = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)


class GrantApplicationFieldsIn(serializers.Serializer):
    project_title = serializers.CharField(max_length=250)
    abstract = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    requested_amount = serializers.DecimalField(**MONEY, min_value=Decimal("0"))
    cost_share = serializers.DecimalField(**MONEY, min_value=Decimal("0"), required=False)
    budget_lines = BudgetLineIn(many=True, required=False, help_text="Replaces the budget; one line per class.")
    contacts = ContactIn(many=True, required=False, help_text="Replaces the contacts; one per role.")


class GrantApplicationEditIn(GrantApplicationFieldsIn):
    edit_version = edit_version_field()


class GrantApplicationIn(GrantApplicationFieldsIn):
    opportunity = serializers.CharField(max_length=40, help_text="The opportunity number.")
    applicant = serializers.SlugField(
        required=False, help_text="Your organisation's slug; needed only if several of yours could apply."
    )


class ReviewerIn(serializers.Serializer):
    reviewer = serializers.CharField(max_length=150, help_text="The user name of an agency's staff member.")


class ScoreIn(serializers.Serializer):
    scores = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=100),
        help_text="Criterion number: a whole-number score from 0 to 100, for every criterion.",
    )
    comment = serializers.CharField(required=False, allow_blank=True)


class AwardIn(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY, help_text="At most the requested amount and the award ceiling.")
    award_number = serializers.CharField(max_length=40)
    award_date = serializers.DateField(required=False, help_text="Today if left out.")


class DeclineIn(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, help_text="Why, for the applicant.")


def _valid(serializer_class: type[serializers.Serializer], request: Request, **kwargs) -> dict:
    incoming = serializer_class(data=request.data, **kwargs)
    incoming.is_valid(raise_exception=True)
    return dict(incoming.validated_data)


def _acting_for(candidates: list[Organisation], slug: str | None, field: str, what: str) -> Organisation:
    """The organisation named by `slug` among those the user may act for, or the only one.
    No candidate at all is a refusal (403); a wrong or missing name is a field error."""
    if not candidates:
        raise PermissionDenied
    if slug is None:
        if len(candidates) == 1:
            return candidates[0]
        raise ValidationError({field: f"Name the organisation you {what} for."})
    for organisation in candidates:
        if organisation.slug == slug:
            return organisation
    raise ValidationError({field: f"You {what} only for an organisation you act for."})


def _criteria(data: dict) -> list[tuple[str, int, str]] | None:
    rows = data.pop("criteria", None)
    if rows is None:
        return None
    return [(row["name"], row["weight"], row.get("description", "")) for row in rows]


def _application_arguments(data: dict) -> dict:
    """Budget lines as (object class, Decimal) pairs and contacts as dicts, as the services take them."""
    if "budget_lines" in data:
        data["budget_lines"] = [(line["object_class"], line["amount"]) for line in data["budget_lines"]]
    if "contacts" in data:
        data["contacts"] = [dict(contact) for contact in data["contacts"]]
    return data


def _scores(data: dict) -> dict[int, int]:
    scores = {}
    for number, score in data["scores"].items():
        if not (number.isascii() and number.isdigit()):
            raise ValidationError({"scores": "Key each score by its criterion's number, e.g. {\"1\": 80}."})
        scores[int(number)] = score
    return scores


# ---------------------------------------------------------------------------
# Opportunities

SEARCH_PARAMETERS = [
    OpenApiParameter("keyword", str, required=False, description="Words in the title, description or number."),
    OpenApiParameter("agency", str, required=False, description="The awarding agency's slug."),
    OpenApiParameter("eligibility", str, required=False, enum=ApplicantType.values),
    OpenApiParameter("status", str, required=False, enum=OpportunityStatus.values),
    OpenApiParameter("closing_within", int, required=False, description="Posted and closing within so many days."),
    OpenApiParameter("sort", str, required=False, enum=list(selectors.SORTS)),
]

OPPORTUNITY_MOVES = {
    "post": services.post_opportunity,
    "close": services.close_opportunity,
    "archive": services.archive_opportunity,
}


class OpportunityViewSet(PublicReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Grant opportunities are public, as on Grants.gov; grant staff create, post, amend and close them."""

    serializer_class = OpportunityOut
    lookup_field = "opportunity_number"
    lookup_value_regex = "[^/]+"
    filter_backends = []
    parser_classes = PARSERS

    def get_queryset(self):
        return selectors.opportunities().prefetch_related("criteria")

    def get_object(self) -> Opportunity:
        return selectors.get_opportunity(self.kwargs["opportunity_number"])

    def get_serializer_context(self) -> dict:
        user = self.request.user
        applying = selectors.applying_organisations(user) if user.is_authenticated else None
        return {**super().get_serializer_context(), "applying": applying}

    def _out(self, opportunity: Opportunity, **kwargs) -> Response:
        fresh = selectors.get_opportunity(opportunity.opportunity_number)
        return Response(OpportunityOut(fresh, context=self.get_serializer_context()).data, **kwargs)

    @extend_schema(parameters=SEARCH_PARAMETERS)
    def list(self, request: Request) -> Response:
        """The public search; a bad parameter is a 400 naming it."""
        found = selectors.search_opportunities(selectors.search_from(request.query_params))
        page = self.paginate_queryset(found.prefetch_related("criteria"))
        return self.get_paginated_response(OpportunityOut(page, many=True, context=self.get_serializer_context()).data)

    def retrieve(self, request: Request, opportunity_number: str) -> Response:
        return self._out(self.get_object())

    @extend_schema(request=OpportunityIn, responses={201: OpportunityOut})
    def create(self, request: Request) -> Response:
        """Forecast an opportunity (grant staff: OMB for any agency, an agency's staff for their own)."""
        agencies = selectors.may_create_opportunities(request.user)
        if not agencies:
            # Refused before the input is read, as the page refuses it: only grant staff forecast.
            raise PermissionDenied
        data = _valid(OpportunityIn, request)
        agency = _acting_for(agencies, data.pop("awarding_agency", None), "awarding_agency", "create opportunities")
        criteria = _criteria(data) or ()
        opportunity = services.create_opportunity(by=request.user, awarding_agency=agency, criteria=criteria, **data)
        return self._out(opportunity, status=status.HTTP_201_CREATED)

    @extend_schema(request=OpportunityFieldsIn(partial=True), responses=OpportunityOut)
    def partial_update(self, request: Request, opportunity_number: str) -> Response:
        """Edit a forecast (grant staff); 409 once posted, when it changes only by an amendment."""
        opportunity = self.get_object()
        data = _valid(OpportunityFieldsIn, request, partial=True)
        criteria = _criteria(data)
        return self._out(services.update_opportunity(opportunity, by=request.user, criteria=criteria, **data))

    @extend_schema(
        request=None,
        responses=OpportunityOut,
        operation_id="grants_opportunities_move",
        parameters=[OpenApiParameter("move", str, OpenApiParameter.PATH, enum=sorted(OPPORTUNITY_MOVES))],
    )
    @action(detail=True, methods=["post"], url_path=r"(?P<move>post|close|archive)")
    def move(self, request: Request, opportunity_number: str, move: str) -> Response:
        """Post (review criteria set and the close time ahead), close or archive (grant staff);
        409 with the reason when the opportunity's state does not allow it."""
        return self._out(OPPORTUNITY_MOVES[move](self.get_object(), by=request.user))

    @extend_schema(request=AmendIn, responses=OpportunityOut)
    @action(detail=True, methods=["post"])
    def amend(self, request: Request, opportunity_number: str) -> Response:
        """Change a forecast or posted opportunity by an announced amendment (grant staff); every
        organisation with an application in progress is told. 409 once closed."""
        opportunity = self.get_object()
        if not selectors.may_administer(request.user, opportunity):
            raise PermissionDenied  # before the input is read: opportunities are public, their amendment is not
        data = _valid(AmendIn, request)
        summary = data.pop("summary")
        criteria = _criteria(data)
        amendment = services.amend_opportunity(opportunity, by=request.user, summary=summary, criteria=criteria, **data)
        return self._out(amendment.opportunity)


# ---------------------------------------------------------------------------
# Applications


class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Applications: the applicant organisation's members see its own, grant staff those to their
    opportunities, a reviewer those assigned once they attest. Any other answers 404."""

    serializer_class = GrantApplicationOut
    lookup_field = "tracking_number"
    lookup_value_regex = r"GRANT-\d{4}-\d{4,}"
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["status"]
    parser_classes = PARSERS

    def get_queryset(self):
        applications = selectors.applications_visible_to(self.request.user, for_list=self.action == "list")
        return selectors.with_details(applications).select_related("award")

    def get_object(self) -> Application:
        return selectors.get_application_for(self.request.user, self.kwargs["tracking_number"])

    def _context(self, applications: list[Application]) -> dict:
        """Which of these applications the user runs as grant staff, asked once for the whole page;
        only for those are the reviewers and their scores fetched."""
        opportunity_ids = {application.opportunity_id for application in applications}
        staff_for = set(
            selectors.administered_by(self.request.user).filter(pk__in=opportunity_ids).values_list("pk", flat=True)
        ) if opportunity_ids else set()
        reviewed = [application for application in applications if application.opportunity_id in staff_for]
        if reviewed:
            prefetch_related_objects(reviewed, "assignments__reviewer", "assignments__scores__criterion")
        return {**self.get_serializer_context(), "staff_for": staff_for}

    def _out(self, application: Application, **kwargs) -> Response:
        fresh = self.get_queryset().filter(pk=application.pk).first()
        if fresh is None:
            raise NotFound()
        return Response(GrantApplicationOut(fresh, context=self._context([fresh])).data, **kwargs)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(GrantApplicationOut(page, many=True, context=self._context(page)).data)

    def retrieve(self, request: Request, tracking_number: str) -> Response:
        return self._out(self.get_object())

    def _require_grant_staff(self, application: Application) -> None:
        if not selectors.is_grant_staff_for(self.request.user, application):
            raise PermissionDenied

    @extend_schema(request=GrantApplicationIn, responses={201: GrantApplicationOut})
    def create(self, request: Request) -> Response:
        """Start a draft for one of your organisations; it has its tracking number from the start."""
        applying = selectors.applying_organisations(request.user)
        if not applying:
            raise PermissionDenied  # before the input is read: only governments and operators apply
        data = _application_arguments(_valid(GrantApplicationIn, request))
        number = data.pop("opportunity")
        opportunity = selectors.opportunities().filter(opportunity_number=number).first()
        if opportunity is None:
            raise ValidationError({"opportunity": f"No opportunity has the number {number}."})
        applicant = _acting_for(applying, data.pop("applicant", None), "applicant", "apply")
        application = services.create_application(by=request.user, opportunity=opportunity, applicant=applicant,
                                                  **data)
        return self._out(application, status=status.HTTP_201_CREATED)

    @extend_schema(request=GrantApplicationEditIn(partial=True), responses=GrantApplicationOut)
    def partial_update(self, request: Request, tracking_number: str) -> Response:
        """Save the draft (the applicant); 409 once submitted."""
        application = self.get_object()
        data = _application_arguments(_valid(GrantApplicationEditIn, request, partial=True))
        budget_lines, contacts = data.pop("budget_lines", None), data.pop("contacts", None)
        updated = services.update_application(
            application,
            by=request.user,
            budget_lines=budget_lines,
            contacts=contacts,
            expected_version=data.pop("edit_version", None),
            **data,
        )
        return self._out(updated)

    @extend_schema(request=None, responses=GrantApplicationOut)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, tracking_number: str) -> Response:
        """Submit before the close time; 400 naming every problem, with the draft left as it was."""
        return self._out(services.submit_application(self.get_object(), by=request.user))

    @extend_schema(request=None, responses=GrantApplicationOut)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, tracking_number: str) -> Response:
        """Withdraw (the applicant) until a decision is made; 409 after."""
        return self._out(services.withdraw_application(self.get_object(), by=request.user))

    @extend_schema(request=ReviewerIn, responses=GrantApplicationOut)
    @action(detail=True, methods=["post"], url_path="assign-reviewer", url_name="assign-reviewer")
    def assign_reviewer(self, request: Request, tracking_number: str) -> Response:
        """Assign an agency's staff member to review a submitted application (grant staff)."""
        application = self.get_object()
        self._require_grant_staff(application)
        username = _valid(ReviewerIn, request)["reviewer"]
        reviewer = selectors.reviewer_candidates(application).filter(username=username).first()
        if reviewer is None:
            raise ValidationError({"reviewer": "Name an active member of a federal agency who is not with the applicant."})
        services.assign_reviewer(application, by=request.user, reviewer=reviewer)
        return self._out(application)

    @extend_schema(request=ScoreIn, responses=AssignmentOut)
    @action(detail=True, methods=["post"])
    def score(self, request: Request, tracking_number: str) -> Response:
        """Score the application as its assigned reviewer, after attesting (see reviews/); 404
        for anyone not assigned to it."""
        application = self.get_object()
        assignment = selectors.assignment_of(request.user, application)
        if assignment is None:
            raise NotFound()
        return _review_out(request, _score(request, assignment))

    @extend_schema(request=AwardIn, responses=GrantApplicationOut)
    @action(detail=True, methods=["post"])
    def award(self, request: Request, tracking_number: str) -> Response:
        """Award (grant staff); the applicant is told once, and a second award is a 409."""
        application = self.get_object()
        self._require_grant_staff(application)
        services.award_application(application, by=request.user, **_valid(AwardIn, request))
        return self._out(application)

    @extend_schema(request=DeclineIn, responses=GrantApplicationOut)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, tracking_number: str) -> Response:
        """Decline (grant staff), saying why in the note; 409 once decided."""
        application = self.get_object()
        self._require_grant_staff(application)
        note = _valid(DeclineIn, request).get("note", "")
        return self._out(services.decline_application(application, by=request.user, note=note))


# ---------------------------------------------------------------------------
# Reviews: a reviewer's own assignments


def _score(request: Request, assignment: ReviewerAssignment) -> ReviewerAssignment:
    data = _valid(ScoreIn, request)
    return services.score_application(
        assignment, by=request.user, scores=_scores(data), comment=data.get("comment", "")
    )


def _assignments(user: Any):
    return selectors.review_queue(user).select_related("application__applicant").prefetch_related(
        "scores__criterion"
    )


def _review_out(request: Request, assignment: ReviewerAssignment) -> Response:
    fresh = _assignments(request.user).filter(pk=assignment.pk).first()
    if fresh is None:
        raise NotFound()
    return Response(AssignmentOut(fresh).data)


class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your review assignments: a stub until you attest that you have no conflict of interest,
    then the application's summary and your scores. Another reviewer's answers 404."""

    serializer_class = AssignmentOut
    lookup_value_regex = r"\d+"
    filter_backends = []
    parser_classes = PARSERS

    def get_queryset(self):
        return _assignments(self.request.user)

    def get_object(self) -> ReviewerAssignment:
        return selectors.get_assignment_for(self.request.user, self.kwargs["pk"])

    def retrieve(self, request: Request, pk: str) -> Response:
        return _review_out(request, self.get_object())

    @extend_schema(request=None, responses=AssignmentOut)
    @action(detail=True, methods=["post"])
    def attest(self, request: Request, pk: str) -> Response:
        """Attest that you have no conflict of interest; only then may you see and score the application."""
        return _review_out(request, services.attest_no_conflict(self.get_object(), by=request.user))

    @extend_schema(request=ScoreIn, responses=AssignmentOut)
    @action(detail=True, methods=["post"])
    def score(self, request: Request, pk: str) -> Response:
        """Score every criterion 0 to 100 (after attesting, 403 before); a new scoring replaces your last."""
        return _review_out(request, _score(request, self.get_object()))


router = PortalRouter()
router.register("opportunities", OpportunityViewSet, basename="opportunity")
router.register("applications", ApplicationViewSet, basename="application")
router.register("reviews", ReviewViewSet, basename="review")
urlpatterns = router.urls
