"""Every write of the grants program: one function per action, the acting user as `by`.

Money arrives as `Decimal` (forms and the API parse text straight to Decimal); a float is refused
rather than rounded, so no cent is ever lost to binary fractions.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from eo_portal import deadlines, edit_versions, markings, permissions, uploads
from eo_portal.audit import delete_audited, save_audited
from eo_portal.errors import row_error
from eo_portal.models import Organisation, OrganisationKind
from eo_portal.references import next_reference
from eo_portal.selectors import agencies_by_slug
from eo_portal.services import notify
from grants import selectors, workflow
from grants.models import (
    Amendment,
    Application,
    ApplicationContact,
    ApplicationDocument,
    Award,
    BudgetLine,
    BudgetObjectClass,
    ContactRole,
    DraftReminder,
    Opportunity,
    OpportunityDocument,
    ReviewCriterion,
    ReviewerAssignment,
    SavedSearch,
    Score,
    Subaward,
    applicant_type_of,
    cents,
)
from grants.workflow import ApplicationStatus, MoveNotAllowed, OpportunityStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User

OPPORTUNITY_FIELDS = (
    "opportunity_number",
    "title",
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
    "close_at",
)
MONEY_FIELDS = {
    "award_floor",
    "award_ceiling",
    "total_funding",
    "cost_share_percent",
    "pass_through_percent",
    "rural_percent",
    "requested_amount",
    "cost_share",
}
APPLICATION_FIELDS = ("project_title", "abstract", "period_start", "period_end", "requested_amount", "cost_share")
FREE_TEXT = {"title", "description", "project_title", "abstract", "summary", "comment", "decision_note", "purpose"}
REMINDER_DAYS = (7, 1)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def money(value: Any, field: str) -> Decimal | None:
    """A Decimal from text, int or Decimal; a float or anything else is a field error."""
    if value is None or value == "":
        return None
    if isinstance(value, float) or isinstance(value, bool):
        raise ValidationError({field: "Give the amount as text or a Decimal, not a floating-point number."})
    try:
        amount = Decimal(str(value).replace(",", "").replace("$", "").strip())
        whole_cents = amount.is_finite() and amount == amount.quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise ValidationError({field: "Enter an amount such as 125000 or 125000.50."}) from exc
    if not whole_cents or amount.adjusted() >= 12:
        raise ValidationError({field: "Enter an amount in dollars and cents, at most two decimal places, under $1 trillion."})
    return amount


def _set_fields(obj: Any, fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in sorted(unknown)})
    errors = {}
    for name, value in fields.items():
        if name in MONEY_FIELDS:
            value = money(value, name)
        if name in FREE_TEXT and isinstance(value, str):
            try:
                markings.refuse_classification_markings(value)
                markings.refuse_credentials(value)
            except ValidationError as exc:
                errors[name] = exc.messages[0]
        setattr(obj, name, value)
    if errors:
        raise ValidationError(errors)


def _lock(model: type, obj: Any) -> Any:
    return model.objects.select_for_update().get(pk=obj.pk)


def _enqueue(task: str, *args: Any) -> None:
    def run() -> None:
        from django_q.tasks import async_task

        async_task(task, *args)

    transaction.on_commit(run)


def _local(moment: datetime) -> str:
    return moment.astimezone(deadlines.EASTERN).strftime("%B %-d, %Y at %-I:%M %p %Z")


# ---------------------------------------------------------------------------
# Opportunities


def _write_criteria(opportunity: Opportunity, criteria: Iterable[tuple[str, int, str]], *, by: User) -> None:
    if Score.objects.filter(criterion__opportunity=opportunity).exists():
        raise MoveNotAllowed("Reviewers have scored against these criteria; they can no longer change.")
    rows = []
    for number, (name, weight, description) in enumerate(criteria, start=1):
        row = ReviewCriterion(opportunity=opportunity, number=number, name=str(name).strip(), weight=weight,
                              description=description or "")
        try:
            row.full_clean(exclude=["opportunity"])
        except ValidationError as exc:
            raise row_error("criteria", f"Criterion {number}", exc) from exc
        rows.append(row)
    total = sum(row.weight for row in rows)
    if rows and total != 100:
        raise ValidationError({"criteria": f"The review criteria's weights add up to {total}; they must add up to 100."})
    for old in list(opportunity.criteria.all()):
        delete_audited(old, by=by, reason="criterion replaced")
    for row in rows:
        save_audited(row, by=by, reason="criterion set", validate=False)


def _grant_administration(opportunity: Opportunity, *, by: User) -> None:
    """Grant staff of the awarding agency and of OMB run the opportunity and see its applications."""
    for agency in {opportunity.awarding_agency, *agencies_by_slug({"omb"})}:
        permissions.grant_to_organisation(selectors.ADMINISTER, opportunity, agency, by=by)


def create_opportunity(
    *, by: User, awarding_agency: Organisation, criteria: Iterable[tuple[str, int, str]] = (), **fields: Any
) -> Opportunity:
    """A forecasted opportunity; OMB's grant staff create them for any agency, an agency's staff for their own."""
    if awarding_agency.kind != OrganisationKind.AGENCY:
        raise ValidationError({"awarding_agency": "Grants are awarded by a federal agency."})
    _require(awarding_agency in selectors.may_create_opportunities(by))
    opportunity = Opportunity(awarding_agency=awarding_agency, created_by=by)
    _set_fields(opportunity, fields, OPPORTUNITY_FIELDS)
    opportunity.full_clean()
    with transaction.atomic():
        save_audited(opportunity, by=by, reason="forecast created", validate=False)
        _write_criteria(opportunity, list(criteria), by=by)
        _grant_administration(opportunity, by=by)
    return opportunity


def update_opportunity(
    opportunity: Opportunity, *, by: User, criteria: Iterable[tuple[str, int, str]] | None = None, **fields: Any
) -> Opportunity:
    """Edit a forecast; once posted, an opportunity changes only by an announced amendment."""
    _require(selectors.may_administer(by, opportunity))
    with transaction.atomic():
        opportunity = _lock(Opportunity, opportunity)
        if opportunity.status != OpportunityStatus.FORECASTED:
            raise MoveNotAllowed("A posted opportunity changes only by an amendment.")
        _set_fields(opportunity, fields, OPPORTUNITY_FIELDS)
        save_audited(opportunity, by=by, reason="forecast edited")
        if criteria is not None:
            _write_criteria(opportunity, list(criteria), by=by)
    return opportunity


def post_opportunity(opportunity: Opportunity, *, by: User) -> Opportunity:
    _require(selectors.may_administer(by, opportunity))
    with transaction.atomic():
        opportunity = _lock(Opportunity, opportunity)
        opportunity.status = workflow.check_opportunity_move("post", opportunity.status)
        if sum(c.weight for c in opportunity.criteria.all()) != 100:
            raise ValidationError({"criteria": "Set review criteria whose weights add up to 100 before posting."})
        if opportunity.close_at <= timezone.now():
            raise ValidationError({"close_at": "The closing time has passed; set a later one before posting."})
        opportunity.posted_date = deadlines.today()
        save_audited(opportunity, by=by, reason="posted")
        _enqueue("grants.tasks.alert_saved_searches", opportunity.pk)
    return opportunity


def amend_opportunity(
    opportunity: Opportunity,
    *,
    by: User,
    summary: str,
    criteria: Iterable[tuple[str, int, str]] | None = None,
    **fields: Any,
) -> Amendment:
    """Change a posted opportunity: the change is kept in its history and amendments, and every
    organisation with a draft or submitted application is told."""
    _require(selectors.may_administer(by, opportunity))
    if not summary.strip():
        raise ValidationError({"summary": "Say what the amendment changes."})
    with transaction.atomic():
        opportunity = _lock(Opportunity, opportunity)
        if opportunity.status not in workflow.AMENDABLE:
            raise MoveNotAllowed(f"An opportunity that is {opportunity.get_status_display().lower()} is not amended.")
        if "opportunity_number" in fields and fields["opportunity_number"] != opportunity.opportunity_number:
            raise ValidationError({"opportunity_number": "A posted opportunity keeps its number; applicants know it by it."})
        _set_fields(opportunity, fields, OPPORTUNITY_FIELDS)
        if "close_at" in fields and opportunity.close_at <= timezone.now():
            raise ValidationError({"close_at": "An amendment cannot close the opportunity in the past; close it instead."})
        opportunity.amendment_count += 1
        save_audited(opportunity, by=by, reason=f"amendment {opportunity.amendment_count}: {summary.strip()}"[:100])
        if criteria is not None:
            _write_criteria(opportunity, list(criteria), by=by)
        amendment = Amendment(opportunity=opportunity, number=opportunity.amendment_count, summary=summary.strip(),
                              made_by=by)
        _set_fields(amendment, {"summary": summary.strip()}, ("summary",))
        save_audited(amendment, by=by, reason="amendment made")
        notify(
            selectors.holders_for_amendment(opportunity),
            by=by,
            subject=f"{opportunity.opportunity_number} amended (amendment {amendment.number})",
            body=f"{opportunity.title}\n\n{amendment.summary}\n\nCloses {_local(opportunity.close_at)}.",
            link=f"/grants/opportunities/{opportunity.opportunity_number}/",
        )
    return amendment


def _move_opportunity(opportunity: Opportunity, move: str, *, by: User) -> Opportunity:
    _require(selectors.may_administer(by, opportunity))
    with transaction.atomic():
        opportunity = _lock(Opportunity, opportunity)
        opportunity.status = workflow.check_opportunity_move(move, opportunity.status)
        save_audited(opportunity, by=by, reason=workflow.OPPORTUNITY_PAST[move])
    return opportunity


def close_opportunity(opportunity: Opportunity, *, by: User) -> Opportunity:
    return _move_opportunity(opportunity, "close", by=by)


def archive_opportunity(opportunity: Opportunity, *, by: User) -> Opportunity:
    return _move_opportunity(opportunity, "archive", by=by)


# Notices, narratives and letters of support travel as PDF, as on Grants.gov.
DOCUMENT = uploads.UploadKind(what="the file", types=(uploads.PDF,), max_mb_setting="GRANT_DOCUMENT_MAX_MB")


def _store_document(document, upload: UploadedFile, checked: uploads.CheckedUpload, *, by: User):
    uploads.store(document.file, upload, checked)
    try:
        with transaction.atomic():
            return save_audited(document, by=by, reason="attached", validate=False)
    except Exception:
        uploads.discard(document.file)
        raise


def attach_to_opportunity(opportunity: Opportunity, *, by: User, title: str, upload: UploadedFile) -> OpportunityDocument:
    """Attach the notice of funding opportunity (PDF), stored under its checksum."""
    _require(selectors.may_administer(by, opportunity))
    checked = uploads.check(upload, DOCUMENT, field="file")
    document = OpportunityDocument(opportunity=opportunity, title=title.strip() or "Notice of funding opportunity",
                                   content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
                                   uploaded_by=by)
    return _store_document(document, upload, checked, by=by)


def save_search(*, by: User, name: str, query: dict[str, Any]) -> SavedSearch:
    selectors.search_from(query)
    if not name.strip():
        raise ValidationError({"name": "Name the search."})
    return save_audited(SavedSearch(user=by, name=name.strip()[:100], query=query), by=by, reason="search saved")


def delete_search(search: SavedSearch, *, by: User) -> None:
    _require(search.user_id == by.pk)
    delete_audited(search, by=by, reason="search deleted")


def alert_saved_searches(opportunity: Opportunity, *, by: User) -> int:
    """E-mail each person whose saved search matches a newly posted opportunity; returns how many."""
    users = [search.user for search in selectors.all_saved_searches() if selectors.matches(opportunity, search.query)]
    unique = list({user.pk: user for user in users}.values())
    notify(
        unique,
        by=by,
        subject=f"New grant opportunity: {opportunity.title}",
        body=f"{opportunity.opportunity_number} matches a search you saved. Closes {_local(opportunity.close_at)}.",
        link=f"/grants/opportunities/{opportunity.opportunity_number}/",
    )
    return len(unique)


# ---------------------------------------------------------------------------
# Applications


def _budget_rows(application: Application, lines: Iterable[tuple[str, Any]]) -> list[BudgetLine]:
    rows = {}
    for object_class, amount in lines:
        if object_class not in BudgetObjectClass.values:
            raise ValidationError({"budget_lines": f"Unknown object class {object_class!r}."})
        value = money(amount, "budget_lines")
        if value is None or value < 0:
            raise ValidationError({"budget_lines": f"Give an amount of at least 0 for {object_class}."})
        if object_class in rows:
            raise ValidationError({"budget_lines": f"{BudgetObjectClass(object_class).label} is listed twice."})
        rows[object_class] = BudgetLine(application=application, object_class=object_class, amount=value)
    return list(rows.values())


def _contact_rows(application: Application, contacts: Iterable[dict[str, str]]) -> list[ApplicationContact]:
    rows = []
    for index, contact in enumerate(contacts, start=1):
        row = ApplicationContact(application=application, role=contact.get("role", ""), name=contact.get("name", ""),
                                 email=contact.get("email", ""), phone=contact.get("phone", "") or "")
        try:
            row.full_clean(exclude=["application"])
        except ValidationError as exc:
            raise row_error("contacts", f"Contact {index}", exc) from exc
        rows.append(row)
    if len({row.role for row in rows}) != len(rows):
        raise ValidationError({"contacts": "Name one contact per role."})
    return rows


def _replace(application: Application, related: str, rows: list, *, by: User) -> None:
    for old in list(getattr(application, related).all()):
        delete_audited(old, by=by, reason=f"{related.replace('_', ' ')} replaced")
    for row in rows:
        save_audited(row, by=by, reason=f"{related.replace('_', ' ')} set", validate=False)


def create_application(
    *,
    by: User,
    opportunity: Opportunity,
    applicant: Organisation,
    budget_lines: Iterable[tuple[str, Any]] = (),
    contacts: Iterable[dict[str, str]] = (),
    **fields: Any,
) -> Application:
    """A draft the applicant can save and come back to; it has its tracking number from the start."""
    _require(applicant in selectors.applying_organisations(by))
    opportunity = Opportunity.objects.get(pk=opportunity.pk)  # its status as it is now, not as the caller read it
    if opportunity.status != OpportunityStatus.POSTED or opportunity.close_at <= timezone.now():
        raise ValidationError({"opportunity": "This opportunity is not open for applications."})
    if applicant_type_of(applicant) not in opportunity.eligible_types:
        reasons = selectors.eligibility_of(applicant, opportunity).reasons
        raise ValidationError({"applicant": reasons[0] if reasons else "Your organisation is not eligible."})
    application = Application(opportunity=opportunity, applicant=applicant, created_by=by, tracking_number="pending")
    _set_fields(application, fields, APPLICATION_FIELDS)
    budget = _budget_rows(application, budget_lines)
    people = _contact_rows(application, contacts)
    application.full_clean(exclude=["tracking_number"])
    with transaction.atomic():
        application.tracking_number = next_reference("GRANT", deadlines.today().year)
        save_audited(application, by=by, reason="draft started", validate=False)
        _replace(application, "budget_lines", budget, by=by)
        _replace(application, "contacts", people, by=by)
        for codename in ("view_application", "change_application"):
            permissions.grant_to_organisation(codename, application, applicant, by=by)
    return application


def update_application(
    application: Application,
    *,
    by: User,
    budget_lines: Iterable[tuple[str, Any]] | None = None,
    contacts: Iterable[dict[str, str]] | None = None,
    expected_version: int | None = None,
    **fields: Any,
) -> Application:
    _require(selectors.may_edit(by, application))
    with transaction.atomic():
        application = _lock(Application, application)
        workflow.check_application_in(application.status, workflow.EDITABLE_APPLICATION, "edited; it was submitted")
        edit_versions.advance(application, expected_version)
        _set_fields(application, fields, APPLICATION_FIELDS)
        application.full_clean()
        budget = None if budget_lines is None else _budget_rows(application, budget_lines)
        people = None if contacts is None else _contact_rows(application, contacts)
        save_audited(application, by=by, reason="draft saved", validate=False)
        if budget is not None:
            _replace(application, "budget_lines", budget, by=by)
        if people is not None:
            _replace(application, "contacts", people, by=by)
    return application


def attach_to_application(application: Application, *, by: User, title: str, upload: UploadedFile) -> ApplicationDocument:
    _require(selectors.may_edit(by, application))
    workflow.check_application_in(application.status, workflow.EDITABLE_APPLICATION, "changed; it was submitted")
    checked = uploads.check(upload, DOCUMENT, field="file")
    document = ApplicationDocument(application=application, title=title.strip() or "Attachment",
                                   content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
                                   uploaded_by=by)
    return _store_document(document, upload, checked, by=by)


def submission_errors(application: Application, *, on: date | None = None) -> dict[str, str]:
    """Everything that stops a submission, by field; empty when it may be submitted."""
    opportunity = application.opportunity
    errors: dict[str, str] = {}
    eligibility = selectors.eligibility_of(application.applicant, opportunity, on=on)
    if not eligibility.eligible:
        errors["applicant"] = " ".join(eligibility.reasons)
    requested = application.requested_amount
    if requested < opportunity.award_floor or requested > opportunity.award_ceiling:
        errors["requested_amount"] = (
            f"Request between ${opportunity.award_floor:,} and ${opportunity.award_ceiling:,}; you asked for ${requested:,}."
        )
    total = application.total_project_cost
    required = cents(total * opportunity.cost_share_percent / 100)
    if application.cost_share < required:
        errors["cost_share"] = (
            f"The cost share must be at least {opportunity.cost_share_percent}% of the total project cost "
            f"(${total:,}), that is ${required:,}; it is ${application.cost_share:,}."
        )
    lines = list(application.budget_lines.all())
    budgeted = cents(sum((line.amount for line in lines), Decimal("0")))
    if budgeted != total:
        errors["budget_lines"] = (
            f"The budget lines add up to ${budgeted:,}; they must equal the requested amount plus the cost share, "
            f"${total:,}."
        )
    roles = {contact.role for contact in application.contacts.all()}
    if ContactRole.AUTHORIZED_REPRESENTATIVE not in roles:
        errors["contacts"] = "Name the authorized representative who submits for the organisation."
    return errors


def submit_application(application: Application, *, by: User) -> Application:
    """Submit before the close time; anything wrong is refused with every reason named and the
    draft left exactly as it was. The receipt with the tracking number goes by e-mail too."""
    _require(selectors.may_edit(by, application))
    with transaction.atomic():
        application = Application.objects.select_for_update().select_related(
            "opportunity", "applicant"
        ).get(pk=application.pk)
        workflow.check_application_in(application.status, workflow.EDITABLE_APPLICATION, "submitted again")
        now = timezone.now()
        opportunity = application.opportunity
        if now > opportunity.close_at or opportunity.status in (OpportunityStatus.CLOSED, OpportunityStatus.ARCHIVED):
            raise ValidationError(
                {"opportunity": f"{opportunity.opportunity_number} closed on {_local(opportunity.close_at)}; "
                 "applications are no longer accepted. Your draft is kept as it was."}
            )
        if opportunity.status != OpportunityStatus.POSTED:
            raise ValidationError(
                {"opportunity": f"{opportunity.opportunity_number} is not open for applications. "
                 "Your draft is kept as it was."}
            )
        errors = submission_errors(application)
        if errors:
            raise ValidationError(errors)
        application.status, application.submitted_at, application.submitted_by = ApplicationStatus.SUBMITTED, now, by
        save_audited(application, by=by, reason="submitted")
        notify(
            selectors.members_of([application.applicant_id]),
            by=by,
            subject=f"Receipt: application {application.tracking_number} submitted",
            body=(
                f"Tracking number: {application.tracking_number}\nOpportunity: {opportunity.opportunity_number} "
                f"{opportunity.title}\nProject: {application.project_title}\nRequested: ${application.requested_amount:,}"
                f"\nSubmitted: {_local(now)} by {by.get_full_name() or by.get_username()}"
            ),
            link=f"/grants/applications/{application.tracking_number}/",
        )
    return application


def withdraw_application(application: Application, *, by: User) -> Application:
    _require(selectors.may_edit(by, application))
    with transaction.atomic():
        application = _lock(Application, application)
        workflow.check_application_in(application.status, workflow.WITHDRAWABLE, "withdrawn after a decision")
        application.status = ApplicationStatus.WITHDRAWN
        save_audited(application, by=by, reason="withdrawn by the applicant")
    return application


# ---------------------------------------------------------------------------
# Review and award


def assign_reviewer(application: Application, *, by: User, reviewer: User) -> ReviewerAssignment:
    _require(selectors.is_grant_staff_for(by, application))
    if not selectors.reviewer_candidates(application).filter(pk=reviewer.pk).exists():
        raise ValidationError({"reviewer": "Assign an active member of a federal agency who is not with the applicant."})
    with transaction.atomic():
        application = _lock(Application, application)
        workflow.check_application_in(application.status, workflow.IN_REVIEW, "reviewed")
        if application.assignments.filter(reviewer=reviewer).exists():
            raise ValidationError({"reviewer": f"{reviewer.get_username()} is already assigned."})
        assignment = save_audited(
            ReviewerAssignment(application=application, reviewer=reviewer, assigned_by=by), by=by, reason="assigned"
        )
        if application.status == ApplicationStatus.SUBMITTED:
            application.status = ApplicationStatus.UNDER_REVIEW
            save_audited(application, by=by, reason="review started")
        notify(
            [reviewer],
            by=by,
            subject=f"Review assignment: {application.tracking_number}",
            body="Attest that you have no conflict of interest to see the application and score it.",
            link=f"/grants/reviews/{assignment.pk}/",
        )
    return assignment


def attest_no_conflict(assignment: ReviewerAssignment, *, by: User) -> ReviewerAssignment:
    """The reviewer attests; only then may they see the application."""
    _require(assignment.reviewer_id == by.pk)
    with transaction.atomic():
        assignment = _lock(ReviewerAssignment, assignment)
        if assignment.attested_at is None:
            assignment.attested_at = timezone.now()
            save_audited(assignment, by=by, reason="attested no conflict of interest")
            for codename in ("view_application", "review_application"):
                permissions.grant_to_user(codename, assignment.application, by, by=by)
    return assignment


def score_application(
    assignment: ReviewerAssignment, *, by: User, scores: dict[int, int], comment: str = ""
) -> ReviewerAssignment:
    """Score every criterion 0 to 100; a new scoring replaces the reviewer's last, kept in history."""
    _require(assignment.reviewer_id == by.pk)
    with transaction.atomic():
        assignment = _lock(ReviewerAssignment, assignment)
        _require(assignment.attested_at is not None)
        application = assignment.application
        workflow.check_application_in(application.status, (ApplicationStatus.UNDER_REVIEW,), "scored")
        criteria = list(application.opportunity.criteria.all())
        missing = [c.name for c in criteria if c.number not in scores]
        if missing:
            raise ValidationError({"scores": f"Score every criterion; missing: {', '.join(missing)}."})
        unknown = sorted(set(scores) - {c.number for c in criteria})
        if unknown:
            raise ValidationError({"scores": f"This opportunity has no criterion {', '.join(map(str, unknown))}."})
        bad = [
            n for n, value in scores.items()
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100
        ]
        if bad:
            raise ValidationError({"scores": "Each score is a whole number from 0 to 100."})
        _set_fields(assignment, {"comment": comment}, ("comment",))
        for old in list(assignment.scores.all()):
            delete_audited(old, by=by, reason="rescored")
        for criterion in criteria:
            save_audited(Score(assignment=assignment, criterion=criterion, score=scores[criterion.number]), by=by,
                         reason="scored")
        assignment.scored_at = timezone.now()
        save_audited(assignment, by=by, reason="scored")
    return assignment


def award_application(
    application: Application, *, by: User, amount: Any, award_number: str, award_date: date | None = None
) -> Award:
    """Award once: the applicant is told once, and a second award is refused."""
    _require(selectors.is_grant_staff_for(by, application))
    value = money(amount, "amount")
    with transaction.atomic():
        application = Application.objects.select_for_update().select_related("opportunity").get(pk=application.pk)
        workflow.check_application_in(application.status, workflow.IN_REVIEW, "awarded")
        opportunity = application.opportunity
        if value is None or value < opportunity.award_floor or value > min(
            application.requested_amount, opportunity.award_ceiling
        ):
            raise ValidationError(
                {"amount": f"Award at least the floor ${opportunity.award_floor:,} and at most the requested "
                 f"${application.requested_amount:,} and the ceiling ${opportunity.award_ceiling:,}."}
            )
        awarded = Award.objects.filter(application__opportunity=opportunity).aggregate(total=Sum("amount"))["total"]
        if (awarded or Decimal("0")) + value > opportunity.total_funding:
            raise ValidationError(
                {"amount": f"Awards would total ${(awarded or 0) + value:,}, more than the programme's "
                 f"${opportunity.total_funding:,}."}
            )
        award = Award(application=application, amount=value, award_number=award_number.strip(),
                      award_date=award_date or deadlines.today(), recorded_by=by)
        save_audited(award, by=by, reason="awarded")
        application.status, application.decided_at = ApplicationStatus.AWARDED, timezone.now()
        save_audited(application, by=by, reason="awarded")
        notify(
            selectors.members_of([application.applicant_id]),
            by=by,
            subject=f"Award: {application.tracking_number} awarded ${value:,}",
            body=f"Award number {award.award_number}, dated {award.award_date:%B %-d, %Y}, for {application.project_title}.",
            link=f"/grants/applications/{application.tracking_number}/",
        )
    return award


def decline_application(application: Application, *, by: User, note: str = "") -> Application:
    _require(selectors.is_grant_staff_for(by, application))
    with transaction.atomic():
        application = _lock(Application, application)
        workflow.check_application_in(application.status, workflow.IN_REVIEW, "declined")
        _set_fields(application, {"decision_note": note.strip()}, ("decision_note",))
        application.status, application.decided_at = ApplicationStatus.NOT_SELECTED, timezone.now()
        save_audited(application, by=by, reason="not selected")
        notify(
            selectors.members_of([application.applicant_id]),
            by=by,
            subject=f"Decision on {application.tracking_number}: not selected",
            body=note.strip(),
            link=f"/grants/applications/{application.tracking_number}/",
        )
    return application


def record_subaward(
    award: Award, *, by: User, recipient: Organisation, amount: Any, purpose: str, subaward_date: date | None = None
) -> Subaward:
    """A state recipient passes money to a local organisation; never more than the award in all."""
    application = award.application
    _require(application.applicant.kind == OrganisationKind.STATE and selectors.may_edit(by, application))
    if recipient.kind not in (OrganisationKind.LOCAL, OrganisationKind.TRIBAL):
        raise ValidationError({"recipient": "Pass-through subawards go to local or tribal governments."})
    value = money(amount, "amount")
    if value is None or value <= 0:
        raise ValidationError({"amount": "Give an amount above $0."})
    with transaction.atomic():
        award = _lock(Award, award)
        passed = sum((s.amount for s in award.subawards.all()), Decimal("0"))
        if passed + value > award.amount:
            raise ValidationError(
                {"amount": f"Subawards would total ${passed + value:,}, more than the ${award.amount:,} award."}
            )
        subaward = Subaward(award=award, recipient=recipient, amount=value, purpose="", recorded_by=by,
                            subaward_date=subaward_date or deadlines.today())
        _set_fields(subaward, {"purpose": purpose}, ("purpose",))
        save_audited(subaward, by=by, reason="subaward recorded")
        notify(
            selectors.members_of([recipient.pk]),
            by=by,
            subject=f"Subaward of ${value:,} from {application.applicant.short_name}",
            body=purpose,
            link=f"/grants/subawards/{subaward.pk}/",
        )
    return subaward


def send_draft_reminders(*, by: User) -> int:
    """Daily: remind organisations of unsubmitted drafts 7 days and 1 day before the close time."""
    sent = 0
    for days, after in zip(REMINDER_DAYS, (*REMINDER_DAYS[1:], 0), strict=True):
        for application in list(selectors.drafts_due_for_reminder(days, after_days=after)):
            with transaction.atomic():
                save_audited(
                    DraftReminder(application=application, days_before=days), by=by, reason=f"{days}-day reminder"
                )
                notify(
                    selectors.members_of([application.applicant_id]),
                    by=by,
                    subject=f"{application.tracking_number} is not submitted: "
                    f"{application.opportunity.opportunity_number} closes in {days} day{'s' if days > 1 else ''}",
                    body=f"Submit before {_local(application.opportunity.close_at)}.",
                    link=f"/grants/applications/{application.tracking_number}/",
                )
            sent += 1
    return sent

