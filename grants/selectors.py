"""Every read of the grants program starts here.

- Opportunities are public, as on Grants.gov: anyone may search and read them.
- An applicant organisation's members see its own applications, never another's, and never a
  score, a reviewer or a decision before it is made.
- A reviewer sees the applications assigned to them once they have attested that they have no
  conflict of interest, and nothing before.
- Grant staff (OMB and the awarding agency, which hold `administer_opportunity` on it) see every
  application to their opportunities, with scores and comments.
Anything else answers 404, the same as an object that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from eo_portal import deadlines, permissions
from eo_portal.audit import HistoryEntry, history_entries
from eo_portal.models import Organisation, OrganisationKind, Role
from eo_portal.registry import WorkItem
from eo_portal.selectors import organisation_ids_of
from grants.models import (
    Amendment,
    ApplicantType,
    Application,
    ApplicationContact,
    ApplicationDocument,
    Award,
    BudgetLine,
    Opportunity,
    OpportunityDocument,
    ReviewerAssignment,
    SavedSearch,
    Score,
    Subaward,
    applicant_type_of,
    cents,
)
from grants.workflow import ApplicationStatus, OpportunityStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    Viewer = User | AnonymousUser | None

ADMINISTER = "administer_opportunity"
CREATE_ROLE = "grants.add_opportunity"
SORTS = {"close": ("close_at", "id"), "posted": (F("posted_date").desc(nulls_last=True), "-id")}


# ---------------------------------------------------------------------------
# Opportunities


def opportunities() -> QuerySet[Opportunity]:
    """Every opportunity is public."""
    return Opportunity.objects.select_related("awarding_agency")


def get_opportunity(number: str) -> Opportunity:
    try:
        return opportunities().prefetch_related("criteria", "documents", "amendments").get(opportunity_number=number)
    except Opportunity.DoesNotExist as exc:
        raise Http404("No such opportunity") from exc


def administered_by(user: Viewer) -> QuerySet[Opportunity]:
    """The opportunities this user runs as grant staff."""
    return permissions.restrict(Opportunity.objects.all(), user, ADMINISTER)


def may_administer(user: Viewer, opportunity: Opportunity) -> bool:
    return permissions.has_object_permission(user, ADMINISTER, opportunity)


def may_create_opportunities(user: Viewer) -> list[Organisation]:
    """The awarding agencies this user may create opportunities for: their own agencies, or any
    agency for OMB's grant staff."""
    if user is None or not user.is_authenticated:
        return []
    agencies = Organisation.objects.filter(is_active=True, kind=OrganisationKind.AGENCY)
    if permissions.has_role_permission(user, CREATE_ROLE):
        return list(agencies)
    return list(
        agencies.filter(memberships__user_id=user.pk, memberships__role__in=(Role.MEMBER, Role.MANAGER)).distinct()
    )


@dataclass(frozen=True)
class OpportunitySearch:
    keyword: str = ""
    agency: str = ""
    eligibility: str = ""
    status: str = ""
    closing_within: int | None = None
    sort: str = "close"


def search_from(params: dict[str, Any]) -> OpportunitySearch:
    """Read and check the public search's parameters; a bad value is a ValidationError naming it."""
    errors = {}
    eligibility = str(params.get("eligibility", "") or "")
    if eligibility and eligibility not in ApplicantType.values:
        errors["eligibility"] = f"Choose one of: {', '.join(ApplicantType.values)}."
    status = str(params.get("status", "") or "")
    if status and status not in OpportunityStatus.values:
        errors["status"] = f"Choose one of: {', '.join(OpportunityStatus.values)}."
    sort = str(params.get("sort", "") or "close")
    if sort not in SORTS:
        errors["sort"] = f"Choose one of: {', '.join(SORTS)}."
    closing_within = None
    raw = str(params.get("closing_within", "") or "")
    if raw:
        if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) <= 3650:
            errors["closing_within"] = "Give a number of days from 1 to 3650."
        else:
            closing_within = int(raw)
    if errors:
        raise ValidationError(errors)
    return OpportunitySearch(
        keyword=str(params.get("keyword", "") or "").strip()[:200],
        agency=str(params.get("agency", "") or "").strip()[:60],
        eligibility=eligibility,
        status=status,
        closing_within=closing_within,
        sort=sort,
    )


def search_opportunities(search: OpportunitySearch) -> QuerySet[Opportunity]:
    found = opportunities()
    for word in search.keyword.split():
        found = found.filter(
            Q(title__icontains=word) | Q(description__icontains=word) | Q(opportunity_number__icontains=word)
            | Q(assistance_listing=word)
        )
    if search.agency:
        found = found.filter(awarding_agency__slug=search.agency)
    if search.eligibility:
        # A JSON list stored as text: match the quoted value, which every database can do.
        found = found.filter(eligible_types__icontains=f'"{search.eligibility}"')
    if search.status:
        found = found.filter(status=search.status)
    if search.closing_within is not None:
        now = timezone.now()
        found = found.filter(
            status=OpportunityStatus.POSTED, close_at__gte=now, close_at__lte=now + timedelta(days=search.closing_within)
        )
    return found.order_by(*SORTS[search.sort])


def matches(opportunity: Opportunity, query: dict[str, Any]) -> bool:
    """Whether a saved search's query matches one opportunity (for the new-opportunity e-mail)."""
    try:
        search = search_from(query)
    except ValidationError:
        return False
    return search_opportunities(search).filter(pk=opportunity.pk).exists()


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[str, ...]


def eligibility_of(organisation: Organisation, opportunity: Opportunity, *, on=None) -> Eligibility:
    """Whether the organisation may apply, and every reason why not, in words an applicant acts on."""
    reasons = []
    kind = applicant_type_of(organisation)
    labels = dict(ApplicantType.choices)
    if organisation.kind == OrganisationKind.LOCAL and kind is None:
        reasons.append(
            "Your organisation's profile does not say which kind of local government it is "
            "(county, city or township, special district)."
        )
    elif kind not in opportunity.eligible_types:
        allowed = ", ".join(str(labels[value]) for value in opportunity.eligible_types)
        reasons.append(f"This opportunity is open to {allowed}; {organisation.name} is not one of them.")
    if not organisation.uei:
        reasons.append("Your organisation has no Unique Entity ID (UEI) from SAM.gov on its profile.")
    today = on or deadlines.today()
    if organisation.sam_registration_expires is None:
        reasons.append("Your organisation's profile does not record its SAM.gov registration.")
    elif organisation.sam_registration_expires < today:
        reasons.append(
            f"Your organisation's SAM.gov registration expired on {organisation.sam_registration_expires:%B %-d, %Y}; "
            "renew it at SAM.gov and update your profile."
        )
    return Eligibility(not reasons, tuple(reasons))


def applying_organisations(user: Viewer) -> list[Organisation]:
    """The user's organisations that could apply for grants, where they may act."""
    if user is None or not user.is_authenticated:
        return []
    return list(
        Organisation.objects.filter(
            is_active=True,
            kind__in=(OrganisationKind.STATE, OrganisationKind.LOCAL, OrganisationKind.TRIBAL,
                      OrganisationKind.TERRITORIAL, OrganisationKind.OPERATOR),
            memberships__user_id=user.pk,
            memberships__role__in=(Role.MEMBER, Role.MANAGER),
        ).distinct()
    )


def amendments_of(opportunity: Opportunity) -> QuerySet[Amendment]:
    return opportunity.amendments.select_related("made_by").order_by("-number")


# ---------------------------------------------------------------------------
# Applications


def applications_visible_to(user: Viewer, *, for_list: bool = False) -> QuerySet[Application]:
    """Own organisation's applications, those the user reviews after attesting, and the submitted
    applications to the opportunities the user administers (a draft is the applicant's alone).
    `for_list` for the sorted, paged lists (see `permissions.restrict`)."""
    applications = Application.objects.select_related("opportunity__awarding_agency", "applicant")
    if user is None or not user.is_authenticated or not user.is_active:
        return applications.none()
    if permissions.has_role_permission(user, "grants.view_application"):
        return applications  # every application: the list costs what an unfiltered one costs
    own = permissions.restrict(applications, user, "view_application", for_list=for_list)
    # The opportunities' ids as numbers (one small query), not an OR of two subqueries: PostgreSQL
    # then estimates the rows from its statistics, walks the list's index for grant staff who see
    # most applications and looks up an applicant's few (bench/README.md).
    administered = list(administered_by(user).values_list("pk", flat=True))
    if not administered:
        return own
    return own | applications.filter(opportunity_id__in=administered, submitted_at__isnull=False)


def get_application_for(user: Viewer, tracking_number: str) -> Application:
    try:
        return applications_visible_to(user).get(tracking_number=tracking_number)
    except Application.DoesNotExist as exc:
        raise Http404("No such application") from exc


def with_details(applications: QuerySet[Application]) -> QuerySet[Application]:
    return applications.prefetch_related(
        Prefetch("budget_lines", queryset=BudgetLine.objects.order_by("id")),
        "contacts",
        "documents",
    )


def is_grant_staff_for(user: Viewer, application: Application) -> bool:
    return may_administer(user, application.opportunity)


def is_applicant(user: Viewer, application: Application) -> bool:
    return application.applicant_id in organisation_ids_of(user)


def may_edit(user: Viewer, application: Application) -> bool:
    return permissions.has_role_at_least(user, application.applicant, Role.MEMBER)


def assignment_of(user: Viewer, application: Application) -> ReviewerAssignment | None:
    if user is None or not user.is_authenticated:
        return None
    return application.assignments.filter(reviewer_id=user.pk).first()


def assignments_of(application: Application) -> QuerySet[ReviewerAssignment]:
    """For grant staff: every reviewer, their attestation, scores and comment."""
    return application.assignments.select_related("reviewer").prefetch_related(
        Prefetch("scores", queryset=Score.objects.select_related("criterion"))
    )


def weighted_total(assignment: ReviewerAssignment) -> Decimal | None:
    scores = list(assignment.scores.all())
    if not scores:
        return None
    return cents(sum((Decimal(s.score) * s.criterion.weight / 100 for s in scores), Decimal("0")))


def average_total(application: Application) -> Decimal | None:
    totals = [total for total in (weighted_total(a) for a in assignments_of(application)) if total is not None]
    return cents(sum(totals, Decimal("0")) / len(totals)) if totals else None


def review_queue(user: Viewer) -> QuerySet[ReviewerAssignment]:
    """The reviewer's own assignments, attested or not (an unattested one shows no application data)."""
    if user is None or not user.is_authenticated:
        return ReviewerAssignment.objects.none()
    return ReviewerAssignment.objects.filter(reviewer_id=user.pk).select_related("application__opportunity")


def get_assignment_for(user: Viewer, assignment_id: int) -> ReviewerAssignment:
    try:
        return review_queue(user).get(pk=assignment_id)
    except (ReviewerAssignment.DoesNotExist, ValueError) as exc:
        raise Http404("No such assignment") from exc


def reviewer_candidates(application: Application) -> QuerySet[User]:
    """Federal staff who may be assigned: active members of an agency, not of the applicant."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__organisation__kind=OrganisationKind.AGENCY,
            memberships__organisation__is_active=True,
        )
        .exclude(memberships__organisation=application.applicant)
        .distinct()
        .order_by("username")
    )


def members_of(organisation_ids) -> QuerySet[User]:
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__organisation_id__in=organisation_ids)
        .distinct()
    )


def holders_for_amendment(opportunity: Opportunity) -> QuerySet[User]:
    """Members of the organisations with a draft or submitted application: they hear of amendments."""
    from grants.workflow import AMENDMENT_AUDIENCE

    applicants = opportunity.applications.filter(status__in=AMENDMENT_AUDIENCE).values("applicant_id")
    return members_of(applicants)


def drafts_due_for_reminder(days_before: int, after_days: int = 0) -> QuerySet[Application]:
    """Unsubmitted drafts of posted opportunities closing in more than `after_days` and at most
    `days_before` days, not yet reminded for `days_before` (a draft first seen a few hours before
    the close gets the last reminder only, not every earlier one at once)."""
    now = timezone.now()
    from grants.models import DraftReminder

    reminded = DraftReminder.objects.filter(application=OuterRef("pk"), days_before=days_before)
    return (
        Application.objects.filter(
            status=ApplicationStatus.DRAFT,
            opportunity__status=OpportunityStatus.POSTED,
            opportunity__close_at__gt=now + timedelta(days=after_days),
            opportunity__close_at__lte=now + timedelta(days=days_before),
        )
        .exclude(Exists(reminded))
        .select_related("opportunity", "applicant")
    )


def awards_visible_to(user: Viewer) -> QuerySet[Award]:
    return Award.objects.filter(application__in=applications_visible_to(user).values("pk")).select_related(
        "application__applicant"
    )


def subawards_visible_to(user: Viewer) -> QuerySet[Subaward]:
    """The state recipient and grant staff see an award's subawards; a local recipient sees its own."""
    subawards = Subaward.objects.select_related("award__application__opportunity", "recipient")
    own = organisation_ids_of(user)
    visible_awards = applications_visible_to(user).values("pk")
    return subawards.filter(Q(recipient_id__in=own) | Q(award__application__in=visible_awards))


@dataclass(frozen=True)
class PassThrough:
    required_percent: Decimal | None
    passed: Decimal
    passed_percent: Decimal
    rural_required_percent: Decimal | None
    rural: Decimal
    rural_percent: Decimal

    award_amount: Decimal = Decimal("0")

    @property
    def meets(self) -> bool:
        """Compared in exact amounts, not the rounded percentages shown: a dollar short is short."""
        enough = self.required_percent is None or self.passed * 100 >= self.required_percent * self.award_amount
        rural = self.rural_required_percent is None or self.rural * 100 >= self.rural_required_percent * self.passed
        return enough and rural


def pass_through_of(award: Award) -> PassThrough:
    """How much of the award the state has passed through, and to rural areas, against the requirement."""
    opportunity = award.application.opportunity
    totals = award.subawards.aggregate(
        passed=Sum("amount"), rural=Sum("amount", filter=Q(recipient__is_rural=True))
    )
    passed = totals["passed"] or Decimal("0")
    rural = totals["rural"] or Decimal("0")
    passed_percent = cents(passed * 100 / award.amount) if award.amount else Decimal("0")
    rural_percent = cents(rural * 100 / passed) if passed else Decimal("0")
    return PassThrough(
        opportunity.pass_through_percent, cents(passed), passed_percent, opportunity.rural_percent, cents(rural),
        rural_percent, award.amount,
    )


def saved_searches_of(user: Viewer) -> QuerySet[SavedSearch]:
    if user is None or not user.is_authenticated:
        return SavedSearch.objects.none()
    return SavedSearch.objects.filter(user_id=user.pk)


def get_saved_search_for(user: Viewer, search_id: int) -> SavedSearch:
    try:
        return saved_searches_of(user).get(pk=search_id)
    except (SavedSearch.DoesNotExist, ValueError) as exc:
        raise Http404("No such saved search") from exc


def all_saved_searches() -> QuerySet[SavedSearch]:
    return SavedSearch.objects.select_related("user").filter(user__is_active=True)


def opportunity_by_id(opportunity_id: int) -> Opportunity | None:
    return Opportunity.objects.filter(pk=opportunity_id).first()


# ---------------------------------------------------------------------------
# The dashboard and the transparency page


def open_work_for(user: User) -> list[WorkItem]:
    items = []
    for application in applications_visible_to(user).filter(
        status=ApplicationStatus.DRAFT, applicant_id__in=organisation_ids_of(user)
    )[:20]:
        items.append(
            WorkItem("grants", f"Finish and submit {application.tracking_number}: {application.project_title}",
                     f"/grants/applications/{application.tracking_number}/", "draft",
                     deadlines.local_date(application.opportunity.close_at))
        )
    for assignment in review_queue(user).filter(scored_at__isnull=True)[:20]:
        items.append(
            WorkItem("grants", f"Review {assignment.application.tracking_number}",
                     f"/grants/reviews/{assignment.pk}/", "attest" if assignment.attested_at is None else "score")
        )
    administered = administered_by(user).values("pk")
    waiting = Application.objects.filter(opportunity__in=administered, status=ApplicationStatus.SUBMITTED)
    for application in waiting.select_related("opportunity")[:20]:
        items.append(
            WorkItem("grants", f"Assign reviewers to {application.tracking_number}",
                     f"/grants/applications/{application.tracking_number}/", "submitted")
        )
    return items


def public_aggregates() -> dict[str, Any]:
    """Counts and dollars only, no applicant's name; the core applies the small-number rule."""
    posted = Opportunity.objects.exclude(status=OpportunityStatus.FORECASTED).count()
    applications = Application.objects.exclude(status__in=(ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN))
    counts = applications.aggregate(
        received=Count("id"), awarded=Count("id", filter=Q(status=ApplicationStatus.AWARDED))
    )
    dollars = Award.objects.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    return {
        "figures": [
            {"key": "opportunities_posted", "label": "Grant opportunities posted", "kind": "count", "count": posted},
            {"key": "applications", "label": "Applications submitted", "kind": "count", "count": counts["received"]},
            {"key": "awards", "label": "Awards made", "kind": "count", "count": counts["awarded"]},
            {
                "key": "dollars_awarded",
                "label": "Dollars awarded",
                "kind": "sum",
                "sum": dollars,
                "of": counts["awarded"],
                "unit": "dollars",
            },
        ]
    }



# ---------------------------------------------------------------------------
# Reads of the portal pages


def opportunity_agencies() -> QuerySet[Organisation]:
    """The awarding agencies of existing opportunities: the choices of the search's agency filter."""
    return Organisation.objects.filter(Exists(Opportunity.objects.filter(awarding_agency=OuterRef("pk")))).order_by(
        "name"
    )


def get_opportunity_document(opportunity: Opportunity, document_id: int) -> OpportunityDocument:
    """One attachment of a (public) opportunity; another opportunity's answers 404."""
    try:
        return opportunity.documents.get(pk=document_id)
    except (OpportunityDocument.DoesNotExist, ValueError) as exc:
        raise Http404("No such document") from exc


def get_application_document(application: Application, document_id: int) -> ApplicationDocument:
    """One attachment of an application the caller already found visible; another's answers 404."""
    try:
        return application.documents.get(pk=document_id)
    except (ApplicationDocument.DoesNotExist, ValueError) as exc:
        raise Http404("No such document") from exc


def own_applications_to(user: Viewer, opportunity: Opportunity) -> QuerySet[Application]:
    """The applications of the user's own organisations to one opportunity."""
    return applications_visible_to(user).filter(opportunity=opportunity, applicant_id__in=organisation_ids_of(user))


def applications_to(user: Viewer, opportunity: Opportunity) -> QuerySet[Application]:
    """The applications to one opportunity this user sees, with every reviewer's scores prefetched,
    so that a page's averages (`prefetched_average`) cost two queries, not two a row."""
    return applications_visible_to(user).filter(opportunity=opportunity).prefetch_related(
        Prefetch(
            "assignments",
            queryset=ReviewerAssignment.objects.prefetch_related(
                Prefetch("scores", queryset=Score.objects.select_related("criterion"))
            ),
        )
    )


def prefetched_average(application: Application) -> Decimal | None:
    """`average_total`, read from the assignments and scores `applications_to` prefetched."""
    totals = [total for total in (weighted_total(a) for a in application.assignments.all()) if total is not None]
    return cents(sum(totals, Decimal("0")) / len(totals)) if totals else None


def subawards_of(user: Viewer, award: Award) -> QuerySet[Subaward]:
    """The subawards of one award that this user sees."""
    return subawards_visible_to(user).filter(award=award)


def get_subaward_for(user: Viewer, subaward_id: int) -> Subaward:
    try:
        return subawards_visible_to(user).select_related("award__application__applicant").get(pk=subaward_id)
    except (Subaward.DoesNotExist, ValueError) as exc:
        raise Http404("No such subaward") from exc


def pass_through_recipients() -> QuerySet[Organisation]:
    """Who a state may pass award money through to: active local and tribal governments."""
    return Organisation.objects.filter(
        is_active=True, kind__in=(OrganisationKind.LOCAL, OrganisationKind.TRIBAL)
    ).order_by("name")


def application_history(application: Application, *, with_review: bool) -> list[HistoryEntry]:
    """The application's changes with its budget, contacts and attachments; with its reviewers and
    award for grant staff (`with_review`), never for the applicant."""
    related = [
        (
            BudgetLine.history.filter(application_id=application.pk),
            lambda row: f"Budget line {row.get_object_class_display()}",
        ),
        (
            ApplicationContact.history.filter(application_id=application.pk),
            lambda row: f"Contact {row.get_role_display()}",
        ),
        (ApplicationDocument.history.filter(application_id=application.pk), lambda row: f"Attachment {row.title}"),
    ]
    if with_review:
        related += [
            (
                ReviewerAssignment.history.filter(application_id=application.pk).select_related("reviewer"),
                lambda row: f"Reviewer {row.reviewer.get_username() if row.reviewer else row.reviewer_id}",
            ),
            (Award.history.filter(application_id=application.pk), lambda row: f"Award {row.award_number}"),
        ]
    return history_entries(application, related=related)
