"""Every write of the review program: one function per action, the acting user as `by`.

Each checks who may act, locks the case where two people can race, records the history with
the acting user and a reason, and notifies on commit. Wording never says approved, cleared or
authorised: review is voluntary and informs the lab; it does not permit a release.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from eo_portal import deadlines, edit_versions, permissions, uploads
from eo_portal.audit import save_audited
from eo_portal.models import Organisation, OrganisationKind, Role
from eo_portal.references import next_reference
from eo_portal.selectors import organisation_ids_of
from eo_portal.services import notify
from reviews import selectors, workflow
from reviews.models import (
    AgencyAssignment,
    Audience,
    CaseDocument,
    CaseMessage,
    Determination,
    Finding,
    FindingResponse,
    FindingStatus,
    Milestone,
    PartnerAccess,
    PartnerStatus,
    ReminderSent,
    ReviewCase,
)
from reviews.workflow import Status, TransitionNotAllowed

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DEFAULT_AGENCIES = ("nsa", "cisa", "nist")
LAB_GRANTS = ("view_reviewcase", "change_reviewcase", "manage_reviewcase")
AGENCY_GRANTS = ("view_reviewcase", "review_reviewcase")
PARTNER_GRANT = "view_shared_reviewcase"
DRAFT_FIELDS = (
    "model_name",
    "model_version",
    "capability_summary",
    "modalities",
    "access_method",
    "access_notes",
    "planned_release_date",
)
REMINDER_DAYS_BEFORE_WINDOW_ENDS = 7
DAYS_BEFORE_DETERMINATION_REMINDER = 5


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _may(by: User, permission: str, case: ReviewCase) -> bool:
    return permissions.has_object_permission(by, permission, case)


def _lock(case: ReviewCase) -> ReviewCase:
    return ReviewCase.objects.select_for_update().get(pk=case.pk)


def _case_link(case: ReviewCase) -> str:
    return f"/reviews/cases/{case.reference}/"


def _notify_on_commit(
    recipients: Iterable[User], *, by: User, subject: str, body: str, case: ReviewCase, link: str = ""
) -> None:
    people = [user for user in recipients if user.pk != by.pk]
    notify(people, by=by, subject=subject, body=body, link=link or _case_link(case))


def _transition(case: ReviewCase, name: str, *, by: User, **changes) -> ReviewCase:
    """Check the state table and the actor, then move the locked case to the transition's target."""
    locked = _lock(case)
    # Who may act is asked first: someone who may not take the step learns nothing of why else not.
    _require(_may(by, workflow.TRANSITIONS[name].permission, locked))
    transition = workflow.check(name, locked.status)
    locked.status = changes.pop("status", transition.target)
    for field, value in changes.items():
        setattr(locked, field, value)
    save_audited(locked, by=by, reason=transition.label, validate=False)
    return locked


def _refuse_if_ended(case: ReviewCase) -> None:
    if case.status in workflow.ENDED_STATES:
        raise TransitionNotAllowed(f"The case is {case.get_status_display().lower()}; it takes no more changes.")


# ---------------------------------------------------------------------------
# The case


def create_case(
    *,
    by: User,
    lab: Organisation,
    model_name: str,
    model_version: str,
    capability_summary: str,
    modalities: list[str] | None = None,
    access_method: str = "hosted_api",
    access_notes: str = "",
    planned_release_date: date | None = None,
    agencies: Iterable[Organisation] | None = None,
) -> ReviewCase:
    """A draft case for the user's lab, seen only by the lab until it is submitted."""
    if lab.kind != OrganisationKind.LAB:
        raise ValidationError({"lab": "Only a frontier AI lab files a review case."})
    _require(permissions.has_role_at_least(by, lab, Role.MEMBER))
    chosen = list(agencies) if agencies is not None else list(Organisation.objects.filter(slug__in=DEFAULT_AGENCIES))
    if not chosen or any(agency.kind != OrganisationKind.AGENCY for agency in chosen):
        raise ValidationError({"assigned_agencies": "Assign at least one agency, and only agencies."})
    case = ReviewCase(
        lab=lab,
        model_name=model_name,
        model_version=model_version,
        capability_summary=capability_summary,
        modalities=modalities or [],
        access_method=access_method,
        access_notes=access_notes,
        planned_release_date=planned_release_date,
        created_by=by,
        reference="pending",
    )
    case.full_clean(exclude=["reference"])
    with transaction.atomic():
        case.reference = next_reference("MRC", deadlines.today().year)
        save_audited(case, by=by, reason="draft created", validate=False)
        for agency in chosen:
            save_audited(AgencyAssignment(case=case, agency=agency), by=by, reason="agency assigned")
        for codename in LAB_GRANTS:
            permissions.grant_to_organisation(codename, case, lab, by=by)
    return case


def update_draft(case: ReviewCase, *, by: User, expected_version: int | None = None, **changes) -> ReviewCase:
    """Edit a draft; a rejected or stale change leaves the stored draft as it was."""
    unknown = set(changes) - set(DRAFT_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in sorted(unknown)})
    with transaction.atomic():
        locked = _lock(case)
        _require(_may(by, "change_reviewcase", locked))
        if locked.status != Status.DRAFT:
            raise TransitionNotAllowed("Only a draft can be edited; after submission, use messages.")
        edit_versions.advance(locked, expected_version)
        for name, value in changes.items():
            setattr(locked, name, value)
        save_audited(locked, by=by, reason="draft edited")
    return locked


def submit_case(case: ReviewCase, *, by: User) -> ReviewCase:
    with transaction.atomic():
        locked = _transition(case, "submit", by=by, submitted_at=timezone.now())
        for assignment in locked.assignments.select_related("agency"):
            for codename in AGENCY_GRANTS:
                permissions.grant_to_organisation(codename, locked, assignment.agency, by=by)
        _notify_on_commit(
            selectors.agency_staff(locked),
            by=by,
            subject=f"{locked.reference} submitted for voluntary review",
            body=f"{locked.lab.name} submitted {locked.model_name} {locked.model_version} for voluntary review.",
            case=locked,
        )
    return locked


def withdraw_case(case: ReviewCase, *, by: User) -> ReviewCase:
    """The lab may withdraw at any time before the case ends; trusted partners lose access at once."""
    with transaction.atomic():
        locked = _transition(case, "withdraw", by=by, closed_at=timezone.now())
        for access in locked.partners.filter(status=PartnerStatus.ACTIVE).select_related("partner"):
            _end_partner_access(access, by=by, status=PartnerStatus.REVOKED)
        _notify_on_commit(
            selectors.agency_staff(locked),
            by=by,
            subject=f"{locked.reference} withdrawn by the lab",
            body=f"{locked.lab.name} withdrew {locked.model_name} {locked.model_version} from voluntary review.",
            case=locked,
        )
    return locked


def record_government_access(case: ReviewCase, *, by: User, on: date) -> ReviewCase:
    """The day access was actually given; the 30-day window counts from it."""
    with transaction.atomic():
        locked = _lock(case)
        _require(_may(by, "manage_reviewcase", locked) or _may(by, "review_reviewcase", locked))
        if locked.status in workflow.ENDED_STATES:
            raise TransitionNotAllowed("The case has ended; its access date can no longer change.")
        if on > deadlines.today():
            raise ValidationError({"government_access_date": "Record access once it has been given, not ahead."})
        locked.government_access_date = on
        save_audited(locked, by=by, reason="government access recorded", validate=False)
    return locked


def start_screening(case: ReviewCase, *, by: User) -> ReviewCase:
    with transaction.atomic():
        return _transition(case, "start_screening", by=by)


def record_determination(
    case: ReviewCase,
    *,
    by: User,
    outcome: str,
    rationale: str,
    classified_reference: str,
    determined_on: date | None = None,
) -> Determination:
    """The unclassified outcome of the classified benchmarking, for the agency the user acts for."""
    with transaction.atomic():
        locked = _lock(case)
        _require(_may(by, workflow.TRANSITIONS["determination"].permission, locked))
        workflow.check("determination", locked.status)
        if Determination.objects.filter(case=locked).exists():
            raise TransitionNotAllowed("A determination is already recorded for this case.")
        agency = selectors.acting_agency_of(by, locked)
        if agency is None:
            raise ValidationError({"agency": "Only a member of an assigned agency records the determination."})
        determination = Determination(
            case=locked,
            outcome=outcome,
            agency=agency,
            determined_on=determined_on or deadlines.today(),
            rationale=rationale,
            classified_reference=classified_reference,
            recorded_by=by,
        )
        save_audited(determination, by=by, reason="determination recorded")
        locked.status = workflow.target_of_determination(outcome)
        if locked.status == Status.NOT_WARRANTED:
            locked.closed_at = timezone.now()
        save_audited(locked, by=by, reason=f"determination: {determination.get_outcome_display()}", validate=False)
        _notify_on_commit(
            selectors.lab_managers(locked),
            by=by,
            subject=f"{locked.reference}: benchmark determination recorded",
            body=f"Outcome: {determination.get_outcome_display()}. Review remains voluntary and does not "
            "permit or block any release.",
            case=locked,
        )
    return determination


def start_review(case: ReviewCase, *, by: User) -> ReviewCase:
    with transaction.atomic():
        locked = _lock(case)
        _require(_may(by, workflow.TRANSITIONS["start_review"].permission, locked))
        workflow.check("start_review", locked.status)
        determination = Determination.objects.filter(case=locked).first()
        if determination is None or determination.outcome != "meets_threshold":
            raise TransitionNotAllowed("Review starts only after a determination that the model meets the threshold.")
        return _transition(locked, "start_review", by=by)


def close_case(case: ReviewCase, *, by: User) -> ReviewCase:
    with transaction.atomic():
        locked = _transition(case, "close", by=by, closed_at=timezone.now())
        _notify_on_commit(
            selectors.lab_managers(locked),
            by=by,
            subject=f"{locked.reference}: review closed",
            body="The government's voluntary review of this model is closed.",
            case=locked,
        )
    return locked


# ---------------------------------------------------------------------------
# Findings


def draft_finding(
    case: ReviewCase,
    *,
    by: User,
    title: str,
    severity: str,
    category: str,
    description: str,
    recommended_mitigations: str = "",
) -> Finding:
    with transaction.atomic():
        locked = _lock(case)
        _require(_may(by, "review_reviewcase", locked))
        if locked.status not in (Status.UNDER_REVIEW, Status.FINDINGS_ISSUED):
            raise TransitionNotAllowed("Findings are drafted while the case is under review.")
        agency = selectors.acting_agency_of(by, locked)
        if agency is None:
            raise ValidationError({"agency": "Only a member of an assigned agency drafts findings."})
        number = (locked.findings.aggregate(last=Max("number"))["last"] or 0) + 1
        finding = Finding(
            case=locked,
            number=number,
            title=title,
            severity=severity,
            category=category,
            description=description,
            recommended_mitigations=recommended_mitigations,
            agency=agency,
            drafted_by=by,
        )
        save_audited(finding, by=by, reason="finding drafted")
    return finding


FINDING_FIELDS = ("title", "severity", "category", "description", "recommended_mitigations")


def update_finding(finding: Finding, *, by: User, **changes) -> Finding:
    unknown = set(changes) - set(FINDING_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in sorted(unknown)})
    with transaction.atomic():
        _lock(finding.case)
        locked = Finding.objects.select_for_update().get(pk=finding.pk)
        _require(_may(by, "review_reviewcase", finding.case))
        if locked.status != FindingStatus.DRAFT:
            raise TransitionNotAllowed("An issued finding cannot be changed; draft a new one.")
        for name, value in changes.items():
            setattr(locked, name, value)
        save_audited(locked, by=by, reason="finding edited")
    return locked


def issue_findings(case: ReviewCase, *, by: User) -> list[Finding]:
    """Issue every draft finding to the lab at once. Two agencies issuing together: the second
    waits for the case lock, then finds nothing left to issue and is told so."""
    with transaction.atomic():
        locked = _lock(case)
        _require(_may(by, workflow.TRANSITIONS["issue_findings"].permission, locked))
        workflow.check("issue_findings", locked.status)
        drafts = list(locked.findings.select_for_update().filter(status=FindingStatus.DRAFT))
        if not drafts:
            raise TransitionNotAllowed("There are no draft findings to issue.")
        now = timezone.now()
        for finding in drafts:
            finding.status = FindingStatus.ISSUED
            finding.issued_by = by
            finding.issued_at = now
            save_audited(finding, by=by, reason="finding issued", validate=False)
        _transition(locked, "issue_findings", by=by)
        _notify_on_commit(
            selectors.lab_members(locked),
            by=by,
            subject=f"{locked.reference}: {len(drafts)} finding(s) issued",
            body="The assigned agencies issued findings on your model. Please review and respond to each.",
            case=locked,
        )
    return drafts


def respond_to_finding(finding: Finding, *, by: User, body: str) -> FindingResponse:
    with transaction.atomic():
        case = _lock(finding.case)
        _require(_may(by, "change_reviewcase", case) and case.lab_id in organisation_ids_of(by))
        if finding.status != FindingStatus.ISSUED:
            raise TransitionNotAllowed("Only an issued finding can be answered.")
        _refuse_if_ended(case)
        response = save_audited(FindingResponse(finding=finding, body=body, author=by), by=by, reason="lab responded")
        _notify_on_commit(
            selectors.agency_staff(case),
            by=by,
            subject=f"{case.reference}: the lab responded to finding {finding.number}",
            body=finding.title,
            case=case,
        )
    return response


# ---------------------------------------------------------------------------
# Messages and documents


def post_message(case: ReviewCase, *, by: User, body: str, audience: str = Audience.PARTICIPANTS) -> CaseMessage:
    access = selectors.access_to(by, case)
    is_government = access == selectors.Access.GOVERNMENT and _may(by, "review_reviewcase", case)
    is_lab = access == selectors.Access.LAB and _may(by, "change_reviewcase", case)
    _require(is_government or is_lab)
    if audience == Audience.GOVERNMENT and not is_government:
        raise ValidationError({"audience": "Only the assigned agencies post government-only messages."})
    with transaction.atomic():
        case = _lock(case)
        _refuse_if_ended(case)
        message = save_audited(
            CaseMessage(case=case, body=body, audience=audience, author=by), by=by, reason="message posted"
        )
        recipients = list(selectors.agency_staff(case))
        if audience == Audience.PARTICIPANTS:
            recipients += list(selectors.lab_members(case))
        _notify_on_commit(
            recipients, by=by, subject=f"{case.reference}: new message", body=body[:500], case=case
        )
    return message


# A model card or an evaluation report travels as PDF, image or plain text; Office formats are
# archives underneath and carry macros, so they are refused with the other archives.
DOCUMENT = uploads.UploadKind(
    what="the document",
    types=(uploads.PDF, uploads.PNG, uploads.JPEG, uploads.TEXT),
    max_mb_setting="REVIEW_DOCUMENT_MAX_MB",
)


def upload_document(
    case: ReviewCase, *, by: User, kind: str, title: str, upload: UploadedFile, shareable: bool = False
) -> CaseDocument:
    """Store a document through the portal's upload service (typed by content, random name, SHA-256)."""
    access = selectors.access_to(by, case)
    is_lab = access == selectors.Access.LAB and _may(by, "change_reviewcase", case)
    _require(is_lab or (access == selectors.Access.GOVERNMENT and _may(by, "review_reviewcase", case)))
    if shareable and not is_lab:
        raise ValidationError({"shareable": "Only the lab decides what its trusted partners may see."})
    _refuse_if_ended(case)
    checked = uploads.check(upload, DOCUMENT, field="file")
    document = CaseDocument(
        case=case,
        kind=kind,
        title=title,
        original_name=upload.name[:255],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        shareable=shareable,
        uploaded_by=by,
    )
    uploads.store(document.file, upload, checked)
    try:
        with transaction.atomic():
            save_audited(document, by=by, reason="document uploaded")
    except Exception:
        uploads.discard(document.file)
        raise
    return document


def set_document_shareable(document: CaseDocument, *, by: User, shareable: bool) -> CaseDocument:
    with transaction.atomic():
        case = _lock(document.case)
        _require(selectors.access_to(by, case) == selectors.Access.LAB and _may(by, "change_reviewcase", case))
        _refuse_if_ended(case)
        locked = CaseDocument.objects.select_for_update().get(pk=document.pk)
        locked.shareable = shareable
        reason = "shared with trusted partners" if shareable else "no longer shared"
        return save_audited(locked, by=by, reason=reason, validate=False)


# ---------------------------------------------------------------------------
# Trusted partners


def propose_partner(case: ReviewCase, *, by: User, partner: Organisation, purpose: str = "") -> PartnerAccess:
    with transaction.atomic():
        locked = _lock(case)
        _require(_may(by, "manage_reviewcase", locked))
        if locked.status in workflow.ENDED_STATES:
            raise TransitionNotAllowed("The case has ended; partners can no longer be proposed.")
        if PartnerAccess.objects.filter(case=locked, partner=partner).exists():
            raise ValidationError({"partner": f"{partner.short_name} is already proposed for this case."})
        access = save_audited(
            PartnerAccess(case=locked, partner=partner, purpose=purpose, proposed_by=by),
            by=by,
            reason="partner proposed",
        )
        if locked.status != Status.DRAFT:
            _notify_on_commit(
                selectors.agency_staff(locked),
                by=by,
                subject=f"{locked.reference}: trusted partner proposed",
                body=f"{locked.lab.name} proposes {partner.name} as a trusted partner. Please concur or decline.",
                case=locked,
            )
    return access


def decide_partner(access: PartnerAccess, *, by: User, concur: bool) -> PartnerAccess:
    """The government concurs in, or declines, the lab's choice of partner."""
    with transaction.atomic():
        case = _lock(access.case)
        _require(_may(by, "review_reviewcase", case))
        locked = PartnerAccess.objects.select_for_update().get(pk=access.pk)
        if locked.status != PartnerStatus.PROPOSED:
            raise TransitionNotAllowed(f"This partner is already {locked.get_status_display().lower()}.")
        locked.status = PartnerStatus.CONCURRED if concur else PartnerStatus.DECLINED
        locked.decided_by = by
        locked.decided_at = timezone.now()
        save_audited(locked, by=by, reason="government concurred" if concur else "government declined", validate=False)
        if concur:
            partner_managers = locked.partner.memberships.filter(role=Role.MANAGER, user__is_active=True)
            _notify_on_commit(
                [membership.user for membership in partner_managers.select_related("user")],
                by=by,
                subject="Invitation to early access as a trusted partner",
                body=f"{case.lab.name} invites {locked.partner.name}. Accept the non-disclosure terms to see the case.",
                case=case,
                link=f"/reviews/invitations/{locked.pk}/",
            )
    return locked


def accept_partner_terms(access: PartnerAccess, *, by: User) -> PartnerAccess:
    """The partner's manager accepts the non-disclosure terms; only then does the partner see the case."""
    with transaction.atomic():
        case = _lock(access.case)
        locked = PartnerAccess.objects.select_for_update().select_related("partner").get(pk=access.pk)
        _require(permissions.has_role_at_least(by, locked.partner, Role.MANAGER))
        if locked.status != PartnerStatus.CONCURRED:
            raise TransitionNotAllowed("The terms can be accepted only once the government has concurred.")
        if case.status in workflow.ENDED_STATES:
            raise TransitionNotAllowed("The case has ended.")
        locked.status = PartnerStatus.ACTIVE
        locked.terms_accepted_by = by
        locked.terms_accepted_at = timezone.now()
        save_audited(locked, by=by, reason="non-disclosure terms accepted", validate=False)
        permissions.grant_to_organisation(PARTNER_GRANT, case, locked.partner, by=by)
    return locked


def revoke_partner(access: PartnerAccess, *, by: User) -> PartnerAccess:
    """The lab or an assigned agency ends a partner's access; it is gone at once."""
    with transaction.atomic():
        case = _lock(access.case)
        _require(_may(by, "manage_reviewcase", case) or _may(by, "review_reviewcase", case))
        locked = PartnerAccess.objects.select_for_update().select_related("partner").get(pk=access.pk)
        if locked.status in (PartnerStatus.DECLINED, PartnerStatus.REVOKED):
            raise TransitionNotAllowed(f"This partner is already {locked.get_status_display().lower()}.")
        _end_partner_access(locked, by=by, status=PartnerStatus.REVOKED)
    return locked


def _end_partner_access(access: PartnerAccess, *, by: User, status: str) -> None:
    access.status = status
    access.revoked_by = by
    access.revoked_at = timezone.now()
    save_audited(access, by=by, reason="partner access revoked", validate=False)
    permissions.revoke_from_organisation(PARTNER_GRANT, access.case, access.partner, by=by)


# ---------------------------------------------------------------------------
# Reminders


def send_due_reminders(*, by: User, on: date | None = None) -> int:
    """Remind the lab's managers and the assigned agencies 7 days before and on the day the window
    ends, and when a submitted case has waited 5 days for a determination. Each once per case."""
    today = on or deadlines.today()
    sent = 0
    for case in selectors.open_cases_with_access():
        left = deadlines.days_until(case.earliest_release_date, on=today)
        if left == REMINDER_DAYS_BEFORE_WINDOW_ENDS:
            sent += _remind(case, Milestone.WINDOW_ENDS_IN_7_DAYS, by=by)
        elif left == 0:
            sent += _remind(case, Milestone.WINDOW_ENDS_TODAY, by=by)
    for case in selectors.cases_awaiting_determination():
        waited = (today - case.submitted_at.astimezone(deadlines.EASTERN).date()).days
        if waited >= DAYS_BEFORE_DETERMINATION_REMINDER:
            sent += _remind(case, Milestone.AWAITING_DETERMINATION, by=by)
    return sent


def _remind(case: ReviewCase, milestone: str, *, by: User) -> int:
    with transaction.atomic():
        _lock(case)
        if ReminderSent.objects.filter(case=case, milestone=milestone).exists():
            return 0
        reminder = save_audited(ReminderSent(case=case, milestone=milestone), by=by, reason="reminder sent")
        recipients = list(selectors.lab_managers(case)) + list(selectors.agency_staff(case))
        _notify_on_commit(
            recipients,
            by=by,
            subject=f"{case.reference}: {reminder.get_milestone_display().lower()}",
            body=f"{case.model_name} {case.model_version} ({case.lab.name}).",
            case=case,
        )
    return 1
