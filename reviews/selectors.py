"""Every read of review cases starts here: who sees which case, and how much of it.

Access levels, from most to least:
- GOVERNMENT: members of an assigned agency (after submission) and administrators: everything.
- LAB: members of the case's lab: the case, issued findings, messages for all participants,
  documents, partners, history; never draft findings, government-only messages or the
  determination's rationale.
- PARTNER: a trusted partner after its manager accepted the terms: the summary, the access
  notes and the documents the lab marked shareable; nothing else.
- LISTED: holders of the reviews-coordinator role: that the case exists (reference, lab, status).
Anyone else gets 404, the same as for a case that does not exist.
"""

from __future__ import annotations

import enum
from datetime import timedelta
from statistics import median
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Count, DurationField, ExpressionWrapper, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from eo_portal import deadlines, permissions
from eo_portal.models import Membership, Organisation, OrganisationKind, Role
from eo_portal.registry import WorkItem
from eo_portal.selectors import organisation_ids_of, organisations_acting_for
from reviews.models import (
    ACCESS_WINDOW_DAYS,
    AgencyAssignment,
    Audience,
    CaseDocument,
    CaseMessage,
    Determination,
    Finding,
    FindingStatus,
    PartnerAccess,
    PartnerStatus,
    ReviewCase,
)
from reviews.workflow import OPEN_STATES, Status

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

COORDINATOR_ROLE = "reviews.coordinate_reviewcase"
SEE_CASE = ("view_reviewcase", "view_shared_reviewcase")


class Access(enum.IntEnum):
    NONE = 0
    LISTED = 1
    PARTNER = 2
    LAB = 3
    GOVERNMENT = 4


def cases_visible_to(user: User | AnonymousUser | None, *, for_list: bool = False) -> QuerySet[ReviewCase]:
    """`for_list` for the sorted, paged lists (see `permissions.restrict`)."""
    cases = ReviewCase.objects.select_related("lab", "determination__agency").prefetch_related(
        Prefetch("assignments", queryset=AgencyAssignment.objects.select_related("agency"))
    )
    participating = permissions.restrict(cases, user, SEE_CASE, for_list=for_list)
    if permissions.has_role_permission(user, COORDINATOR_ROLE):
        # Coordinators see that each submitted case exists; a draft stays the lab's alone.
        return participating | cases.exclude(status=Status.DRAFT)
    return participating


def labs_among(cases: QuerySet[ReviewCase]) -> list[tuple[str, str]]:
    """(slug, short name) of the labs these cases were filed by, by name: the case list's lab filter.

    A list given by its keys (a lab's own cases, a partner's shared ones) is read once for its
    labs. A list of most cases (an agency's, a coordinator's) asks each lab for one case instead:
    a DISTINCT read all 90,000 of an agency's cases to name 98 labs (bench/README.md, 19). The
    question is a scalar subquery, which PostgreSQL runs lab by lab and stops at the first case;
    an EXISTS it would turn into one join over every case."""
    plain = cases.select_related(None).prefetch_related(None).order_by()
    if permissions.listed_by_key(cases):
        return list(plain.order_by("lab__short_name").values_list("lab__slug", "lab__short_name").distinct())
    first_case = plain.filter(lab=OuterRef("pk")).values("pk")[:1]
    return list(
        Organisation.objects.filter(kind=OrganisationKind.LAB)  # cases are filed by labs only
        .annotate(first_case=Subquery(first_case))
        .filter(first_case__isnull=False)
        .order_by("short_name", "slug")
        .values_list("slug", "short_name")
    )


def cases_seen_in_full_by(user: User | AnonymousUser | None) -> QuerySet[ReviewCase]:
    """The cases the user sees in full, as their lab or an assigned agency: what the admin lists,
    since its pages show every field. A coordinator who only knows that a case exists is not here."""
    return permissions.restrict(ReviewCase.objects.select_related("lab"), user, "view_reviewcase")


def get_case_for(user: User | AnonymousUser | None, reference: str) -> ReviewCase:
    """The case, or 404 whether it is missing or merely not visible to this user."""
    try:
        return cases_visible_to(user).get(reference=reference)
    except ReviewCase.DoesNotExist as exc:
        raise Http404("No such review case") from exc


def access_to(user: User | AnonymousUser | None, case: ReviewCase) -> Access:
    if permissions.has_object_permission(user, "view_reviewcase", case):
        return Access.LAB if case.lab_id in organisation_ids_of(user) else Access.GOVERNMENT
    if permissions.has_object_permission(user, "view_shared_reviewcase", case):
        return Access.PARTNER
    if permissions.has_role_permission(user, COORDINATOR_ROLE):
        return Access.LISTED
    return Access.NONE


def access_map(user: User | AnonymousUser | None, cases: list[ReviewCase]) -> dict[int, Access]:
    """`access_to` for a whole page of cases in a fixed number of queries."""
    pks = [case.pk for case in cases]
    page = ReviewCase.objects.filter(pk__in=pks)
    full = set(permissions.restrict(page, user, "view_reviewcase").values_list("pk", flat=True))
    shared = set(permissions.restrict(page, user, "view_shared_reviewcase").values_list("pk", flat=True))
    listed = permissions.has_role_permission(user, COORDINATOR_ROLE)
    own_labs = organisation_ids_of(user)
    result = {}
    for case in cases:
        if case.pk in full:
            result[case.pk] = Access.LAB if case.lab_id in own_labs else Access.GOVERNMENT
        elif case.pk in shared:
            result[case.pk] = Access.PARTNER
        else:
            result[case.pk] = Access.LISTED if listed else Access.NONE
    return result


# The "window ends within N days" filter looks at most ten years ahead.
WINDOW_FILTER_MAX_DAYS = 3650


def filter_cases(
    cases: QuerySet[ReviewCase], *, status: str = "", lab: str = "", window_ends_within: int | None = None
) -> QuerySet[ReviewCase]:
    if status:
        cases = cases.filter(status=status)
    if lab:
        cases = cases.filter(lab__slug=lab)
    if window_ends_within is not None:
        # The window ends ACCESS_WINDOW_DAYS after access; ending within N days means access
        # was given between (today - 30) and (today - 30 + N).
        first_access = deadlines.add_calendar_days(deadlines.today(), -ACCESS_WINDOW_DAYS)
        cases = cases.filter(
            status__in=OPEN_STATES,
            government_access_date__gte=first_access,
            government_access_date__lte=first_access + timedelta(days=window_ends_within),
        )
    return cases


def order_for(user: User | AnonymousUser | None, cases: QuerySet[ReviewCase]) -> QuerySet[ReviewCase]:
    """Agencies see the cases whose window ends soonest first; labs their newest first."""
    if is_government(user):
        return cases.order_by(F("government_access_date").asc(nulls_last=True), "-created_at", "-id")
    return cases.order_by("-created_at", "-id")


def is_government(user: User | AnonymousUser | None) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or Membership.objects.filter(
        user=user, organisation__kind=OrganisationKind.AGENCY, organisation__is_active=True
    ).exists()


def findings_for(case: ReviewCase, access: Access) -> QuerySet[Finding]:
    findings = case.findings.select_related("agency").prefetch_related("responses__author")
    if access == Access.GOVERNMENT:
        return findings
    if access == Access.LAB:
        return findings.filter(status=FindingStatus.ISSUED)
    return findings.none()


def get_finding_for(case: ReviewCase, access: Access, number: int) -> Finding:
    try:
        return findings_for(case, access).get(number=number)
    except Finding.DoesNotExist as exc:
        raise Http404("No such finding") from exc


def messages_for(case: ReviewCase, access: Access) -> QuerySet[CaseMessage]:
    messages = case.messages.select_related("author")
    if access == Access.GOVERNMENT:
        return messages
    if access == Access.LAB:
        return messages.filter(audience=Audience.PARTICIPANTS)
    return messages.none()


def documents_for(case: ReviewCase, access: Access) -> QuerySet[CaseDocument]:
    documents = case.documents.select_related("uploaded_by")
    if access >= Access.LAB:
        return documents
    if access == Access.PARTNER:
        return documents.filter(shareable=True)
    return documents.none()


def get_document_for(case: ReviewCase, access: Access, document_id: int) -> CaseDocument:
    try:
        return documents_for(case, access).get(pk=document_id)
    except CaseDocument.DoesNotExist as exc:
        raise Http404("No such document") from exc


def partners_for(case: ReviewCase, access: Access) -> QuerySet[PartnerAccess]:
    if access < Access.LAB:
        return PartnerAccess.objects.none()
    return case.partners.select_related("partner", "terms_accepted_by")


def get_partner_access_for(case: ReviewCase, access: Access, access_id: int) -> PartnerAccess:
    try:
        return partners_for(case, access).get(pk=access_id)
    except PartnerAccess.DoesNotExist as exc:
        raise Http404("No such partner") from exc


def invitations_for(user: User | AnonymousUser | None) -> QuerySet[PartnerAccess]:
    """Invitations awaiting this user's acceptance of the terms, as a manager of the partner."""
    if user is None or not user.is_authenticated:
        return PartnerAccess.objects.none()
    managed = Membership.objects.filter(
        user=user, role=Role.MANAGER, organisation__kind=OrganisationKind.PARTNER, organisation__is_active=True
    ).values("organisation_id")
    return PartnerAccess.objects.filter(
        partner_id__in=managed, status=PartnerStatus.CONCURRED, case__status__in=OPEN_STATES
    ).select_related("case", "case__lab", "partner")


def get_invitation_for(user: User | AnonymousUser | None, access_id: int) -> PartnerAccess:
    try:
        return invitations_for(user).get(pk=access_id)
    except PartnerAccess.DoesNotExist as exc:
        raise Http404("No such invitation") from exc


def lab_managers(case: ReviewCase) -> QuerySet[User]:
    return get_user_model()._default_manager.filter(
        is_active=True, memberships__organisation_id=case.lab_id, memberships__role=Role.MANAGER
    )


def lab_members(case: ReviewCase) -> QuerySet[User]:
    return get_user_model()._default_manager.filter(
        is_active=True, memberships__organisation_id=case.lab_id, memberships__role__in=[Role.MEMBER, Role.MANAGER]
    )


def agency_staff(case: ReviewCase) -> QuerySet[User]:
    """Members and managers of the assigned agencies, who act on the case; nobody while it is a
    draft the lab has never submitted, since the agencies do not know of it."""
    if case.submitted_at is None:
        return get_user_model()._default_manager.none()
    return get_user_model()._default_manager.filter(
        is_active=True,
        memberships__organisation__review_assignments__case=case,
        memberships__role__in=[Role.MEMBER, Role.MANAGER],
    ).distinct()


def acting_agency_of(user: User, case: ReviewCase) -> Organisation | None:
    """The assigned agency the user acts for on this case (the first, by name, if several)."""
    return (
        Organisation.objects.filter(review_assignments__case=case, memberships__user=user, is_active=True)
        .order_by("short_name")
        .first()
    )


def cases_awaiting_determination() -> QuerySet[ReviewCase]:
    return ReviewCase.objects.filter(
        status__in=[Status.SUBMITTED, Status.SCREENING], submitted_at__isnull=False, determination__isnull=True
    ).select_related("lab")


def open_cases_with_access() -> QuerySet[ReviewCase]:
    return ReviewCase.objects.filter(
        status__in=[s for s in OPEN_STATES if s != Status.DRAFT], government_access_date__isnull=False
    ).select_related("lab")


def open_work_for(user: User) -> list[WorkItem]:
    """The dashboard's review work: open cases the user can see in full, and invitations to accept."""
    cases = permissions.restrict(ReviewCase.objects.select_related("lab"), user, "view_reviewcase")
    items = [
        WorkItem(
            program="reviews",
            title=f"{case.reference}: {case.model_name} {case.model_version} ({case.lab.short_name})",
            url=f"/reviews/cases/{case.reference}/",
            status=case.get_status_display(),
            due=case.earliest_release_date,
        )
        for case in order_for(user, cases.filter(status__in=OPEN_STATES))[:20]
    ]
    items += [
        WorkItem(
            program="reviews",
            title=f"Accept the terms to join {invitation.case.reference} as a trusted partner of "
            f"{invitation.case.lab.short_name}",
            url=f"/reviews/invitations/{invitation.pk}/",
            status=invitation.get_status_display(),
        )
        for invitation in invitations_for(user)
    ]
    return items


def partner_organisations() -> QuerySet[Organisation]:
    """Organisations a lab may propose as trusted partners."""
    return Organisation.objects.filter(kind=OrganisationKind.PARTNER, is_active=True).order_by("name")


def cases_reviewable_by(user: User | AnonymousUser | None) -> QuerySet[ReviewCase]:
    """Cases the user works on for the government (assigned agency staff and administrators)."""
    return permissions.restrict(ReviewCase.objects.all(), user, "review_reviewcase")


def findings_reviewable_by(user: User | AnonymousUser | None) -> QuerySet[Finding]:
    return Finding.objects.filter(case__in=cases_reviewable_by(user).values("pk")).select_related("case", "agency")


def partners_reviewable_by(user: User | AnonymousUser | None) -> QuerySet[PartnerAccess]:
    return PartnerAccess.objects.filter(case__in=cases_reviewable_by(user).values("pk")).select_related(
        "case", "partner"
    )


def messages_reviewable_by(user: User | AnonymousUser | None) -> QuerySet[CaseMessage]:
    return CaseMessage.objects.filter(case__in=cases_reviewable_by(user).values("pk")).select_related(
        "case", "author"
    )


def documents_reviewable_by(user: User | AnonymousUser | None) -> QuerySet[CaseDocument]:
    return CaseDocument.objects.filter(case__in=cases_reviewable_by(user).values("pk")).select_related(
        "case", "uploaded_by"
    )


def labs_filing_for(user: User | AnonymousUser | None) -> list[Organisation]:
    """The labs in which the user may file a case: those where they are a member or manager."""
    return organisations_acting_for(user, OrganisationKind.LAB)


def accepted_invitation_case(user: User | AnonymousUser | None, access_id: int) -> ReviewCase | None:
    """The case of an invitation this user's partner already accepted, to send them on to it."""
    if user is None or not user.is_authenticated:
        return None
    access = (
        PartnerAccess.objects.filter(
            pk=access_id,
            status=PartnerStatus.ACTIVE,
            partner__memberships__user=user,
            partner__is_active=True,
        )
        .select_related("case")
        .first()
    )
    return access.case if access else None


def public_aggregates() -> dict:
    """The program's figures for the public transparency page (registered in ReviewsConfig.ready()).

    Raw counts and the number of cases each median or share is drawn from; the core's
    small-number rule (eo_portal/transparency.py) decides what may be shown. No lab, model or
    person appears here. Drafts are left out everywhere: a draft is known only to its lab.
    Two queries, whatever the number of cases.
    """

    submitted = ReviewCase.objects.exclude(status=Status.DRAFT).order_by()
    statuses = [status for status in Status if status != Status.DRAFT]
    both_dates = Q(planned_release_date__isnull=False, government_access_date__isnull=False)
    counts = submitted.annotate(
        lead_time=ExpressionWrapper(F("planned_release_date") - F("government_access_date"), output_field=DurationField())
    ).aggregate(
        **{status.value: Count("pk", filter=Q(status=status)) for status in statuses},
        window_cases=Count("pk", filter=both_dates),
        window_respected=Count("pk", filter=both_dates & Q(lead_time__gte=timedelta(days=ACCESS_WINDOW_DAYS))),
    )
    # Calendar days on the US Eastern calendar, from the day the lab submitted to the day the
    # determination was made (a determination dated before submission counts as the same day).
    determined = Determination.objects.exclude(case__status=Status.DRAFT).filter(case__submitted_at__isnull=False)
    days = [
        max((determined_on - submitted_at.astimezone(deadlines.EASTERN).date()).days, 0)
        for determined_on, submitted_at in determined.values_list("determined_on", "case__submitted_at")
    ]
    return {
        "figures": [
            {
                "key": "cases_by_status",
                "label": "Review cases by status",
                "kind": "breakdown",
                "total_label": "All submitted cases",
                "row_heading": "Status",
                "unit": "cases",
                "rows": [{"key": s.value, "label": s.label, "count": counts[s.value]} for s in statuses],
            },
            {
                "key": "median_days_to_determination",
                "label": "Median days from submission to the benchmark determination",
                "kind": "median",
                "median": median(days) if days else None,
                "of": len(days),
                "unit": "days",
            },
            {
                "key": "release_window_respected",
                "label": f"Share of cases whose planned release came at least {ACCESS_WINDOW_DAYS} calendar days "
                "after the government's access (of cases with both dates)",
                "kind": "share",
                "count": counts["window_respected"],
                "of": counts["window_cases"],
            },
        ]
    }
