"""Every write of Tech Force hiring: one function per action, the acting user as `by`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from eo_portal import deadlines, permissions, uploads
from eo_portal.audit import delete_audited, save_audited, set_related_audited
from eo_portal.models import Organisation, OrganisationKind, Role
from eo_portal.references import next_reference
from eo_portal.services import notify
from workforce import selectors, workflow
from workforce.models import (
    ApplicantProfile,
    Application,
    Consideration,
    Opening,
    OpeningLocation,
    Placement,
    SavedOpening,
    SavedSearch,
    WorkRole,
)
from workforce.workflow import ApplicationStatus, MoveNotAllowed, OpeningStatus, Stage

if TYPE_CHECKING:
    from django.contrib.auth.models import User

AGENCY_GRANTS = ("view_opening", "change_opening", "publish_opening", "review_applications_opening")
# The other agencies of a pooled cohort see it and its applicants, but do not edit or post it.
COHORT_GRANTS = ("view_opening", "review_applications_opening")
OPENING_FIELDS = (
    "title",
    "pathway",
    "series",
    "pay_plan",
    "grade_low",
    "grade_high",
    "salary_min",
    "salary_max",
    "remote",
    "telework_eligible",
    "clearance",
    "open_date",
    "close_date",
    "duties",
    "qualifications",
    "vacancies",
    "usajobs_announcement",
)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _lock_opening(opening: Opening) -> Opening:
    return Opening.objects.select_for_update().get(pk=opening.pk)


# ---------------------------------------------------------------------------
# Openings


def _apply_opening_fields(
    opening: Opening,
    *,
    fields: dict[str, Any],
    hiring_paths: list[str] | None,
) -> None:
    unknown = set(fields) - set(OPENING_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(opening, name, value)
    if hiring_paths is not None:
        opening.hiring_paths = Opening.encode_hiring_paths(hiring_paths)


def _write_locations(opening: Opening, locations: Iterable[tuple[str, str]], *, by: User) -> None:
    wanted = [(city.strip(), state.strip().upper()) for city, state in locations if city.strip()]
    for row in list(opening.locations.all()):
        delete_audited(row, by=by, reason="location removed")
    for city, state in wanted:
        save_audited(OpeningLocation(opening=opening, city=city, state=state), by=by, reason="location added")


def create_opening(
    *,
    by: User,
    agency: Organisation,
    hiring_paths: list[str],
    locations: Iterable[tuple[str, str]] = (),
    work_roles: Iterable[WorkRole] = (),
    considering_agencies: Iterable[Organisation] = (),
    **fields: Any,
) -> Opening:
    """A draft opening of the user's agency, seen only by that agency until it is posted. With
    considering agencies it is a pooled cohort: each of them sees and considers its applicants."""
    if agency.kind != OrganisationKind.AGENCY:
        raise ValidationError({"agency": "Only a federal agency posts openings."})
    _require(permissions.has_role_at_least(by, agency, Role.MEMBER))
    opening = Opening(agency=agency, control_number="pending")
    _apply_opening_fields(opening, fields=fields, hiring_paths=hiring_paths)
    opening.full_clean(exclude=["control_number"])
    with transaction.atomic():
        opening.control_number = next_reference("TF", deadlines.today().year)
        save_audited(opening, by=by, reason="draft created", validate=False)
        set_related_audited(opening, "work_roles", list(work_roles), by=by, reason="work roles set")
        _write_locations(opening, locations, by=by)
        for codename in AGENCY_GRANTS:
            permissions.grant_to_organisation(codename, opening, agency, by=by)
        _set_considering_agencies(opening, list(considering_agencies), by=by)
    return opening


def _set_considering_agencies(opening: Opening, agencies: list[Organisation], *, by: User) -> None:
    """The cohort's other agencies see and move its applicants; one removed loses that at once."""
    if any(agency.kind != OrganisationKind.AGENCY for agency in agencies):
        raise ValidationError({"considering_agencies": "Only federal agencies consider a cohort's applicants."})
    wanted = {agency.pk: agency for agency in agencies if agency.pk != opening.agency_id}
    current = {agency.pk: agency for agency in opening.considering_agencies.all()}
    for pk, agency in current.items():
        if pk not in wanted:
            for codename in COHORT_GRANTS:
                permissions.revoke_from_organisation(codename, opening, agency, by=by)
    for pk, agency in wanted.items():
        if pk not in current:
            for codename in COHORT_GRANTS:
                permissions.grant_to_organisation(codename, opening, agency, by=by)
    set_related_audited(opening, "considering_agencies", list(wanted.values()), by=by, reason="cohort agencies set")


def update_opening(
    opening: Opening,
    *,
    by: User,
    hiring_paths: list[str] | None = None,
    locations: Iterable[tuple[str, str]] | None = None,
    work_roles: Iterable[WorkRole] | None = None,
    considering_agencies: Iterable[Organisation] | None = None,
    **fields: Any,
) -> Opening:
    """Edit a draft or open opening; a rejected change leaves the stored one as it was."""
    with transaction.atomic():
        locked = _lock_opening(opening)
        _require(permissions.has_object_permission(by, "change_opening", locked))
        if locked.status not in (OpeningStatus.DRAFT, OpeningStatus.OPEN):
            raise MoveNotAllowed("Only a draft or open opening can be edited.")
        _apply_opening_fields(locked, fields=fields, hiring_paths=hiring_paths)
        save_audited(locked, by=by, reason="opening edited")
        if work_roles is not None:
            set_related_audited(locked, "work_roles", list(work_roles), by=by, reason="work roles changed")
        if locations is not None:
            _write_locations(locked, locations, by=by)
        if considering_agencies is not None:
            _set_considering_agencies(locked, list(considering_agencies), by=by)
    return locked


def _move_opening(opening: Opening, move: str, *, by: User) -> Opening:
    with transaction.atomic():
        locked = _lock_opening(opening)
        _require(permissions.has_object_permission(by, "publish_opening", locked))
        locked.status = workflow.check_opening_move(move, locked.status)
        if move == "post":
            if locked.close_date < deadlines.today():
                raise ValidationError({"close_date": "The closing date has passed; change it before posting."})
            locked.posted_at = timezone.now()
        save_audited(locked, by=by, reason=f"opening {locked.get_status_display().lower()}", validate=False)
    if move == "post":
        transaction.on_commit(lambda: _enqueue_saved_search_alerts(locked.pk))
    return locked


def post_opening(opening: Opening, *, by: User) -> Opening:
    return _move_opening(opening, "post", by=by)


def close_opening(opening: Opening, *, by: User) -> Opening:
    return _move_opening(opening, "close", by=by)


def fill_opening(opening: Opening, *, by: User) -> Opening:
    return _move_opening(opening, "fill", by=by)


def cancel_opening(opening: Opening, *, by: User) -> Opening:
    return _move_opening(opening, "cancel", by=by)


def _enqueue_saved_search_alerts(opening_id: int) -> None:
    from django_q.tasks import async_task

    async_task("workforce.tasks.alert_saved_searches", opening_id)


def alert_saved_searches(opening: Opening, *, by: User) -> int:
    """Notify each job seeker whose saved search matches a newly posted opening; once each."""
    recipients = []
    for saved in selectors.saved_searches_with_users():
        filters = selectors.filters_from(saved.query)
        if selectors.search_openings(Opening.objects.filter(pk=opening.pk), filters).exists():
            recipients.append(saved.user)
    unique = list({user.pk: user for user in recipients}.values())
    notify(
        unique,
        by=by,
        subject=f"New Tech Force opening: {opening.title}",
        body=f"{opening.agency.name}, {opening.grade_display}, closes {opening.close_date:%Y-%m-%d}.",
        link=f"/workforce/openings/{opening.control_number}/",
    )
    return len(unique)


# ---------------------------------------------------------------------------
# Applicants


RESUME = uploads.UploadKind(what="your résumé", types=(uploads.PDF,), max_mb_setting="RESUME_MAX_MB")


def save_profile(
    *, by: User, phone: str = "", city: str = "", state: str = "", summary: str = "", resume: UploadedFile | None = None
) -> ApplicantProfile:
    """The signed-in person's own profile; a résumé must be a PDF within the size limit."""
    profile = selectors.profile_of(by) or ApplicantProfile(user=by)
    profile.phone, profile.city, profile.state, profile.summary = phone, city, state.upper(), summary
    profile.full_clean(exclude=["resume"])
    stored = None
    if resume is not None:
        checked = uploads.check(resume, RESUME, field="resume")
        stored = uploads.store(profile.resume, resume, checked)
        profile.resume_sha256, profile.resume_size = checked.sha256, checked.size
    try:
        with transaction.atomic():
            save_audited(profile, by=by, reason="profile saved", validate=False)
    except Exception:
        if stored:
            profile.resume.storage.delete(stored)
        raise
    return profile


def save_opening(opening: Opening, *, by: User) -> SavedOpening:
    existing = SavedOpening.objects.filter(user=by, opening=opening).first()
    return existing or save_audited(SavedOpening(user=by, opening=opening), by=by, reason="opening saved")


def unsave_opening(saved: SavedOpening, *, by: User) -> None:
    _require(saved.user_id == by.pk)
    delete_audited(saved, by=by, reason="opening no longer saved")


def save_search(*, by: User, name: str, query: dict[str, Any]) -> SavedSearch:
    selectors.filters_from(query)  # refuses a query the search page would not take
    return save_audited(SavedSearch(user=by, name=name, query=query), by=by, reason="search saved")


def delete_saved_search(saved: SavedSearch, *, by: User) -> None:
    _require(saved.user_id == by.pk)
    delete_audited(saved, by=by, reason="search deleted")


def apply(opening: Opening, *, by: User, cover_note: str = "") -> Application:
    """Apply once to an open opening; a second application, even a simultaneous one, is refused."""
    today = deadlines.today()
    with transaction.atomic():
        locked = _lock_opening(opening)
        if locked.status != OpeningStatus.OPEN or not (locked.open_date <= today <= locked.close_date):
            raise MoveNotAllowed("This opening is not accepting applications: it is not open today.")
        if Application.objects.filter(applicant=by, opening=locked).exists():
            raise MoveNotAllowed("You have already applied to this opening.")
        try:
            with transaction.atomic():
                application = save_audited(
                    Application(applicant=by, opening=locked, cover_note=cover_note), by=by, reason="application received"
                )
        except IntegrityError as exc:
            raise MoveNotAllowed("You have already applied to this opening.") from exc
        cohort = list(locked.considering_agencies.all())
        for agency in [locked.agency, *cohort] if cohort else []:
            save_audited(
                Consideration(application=application, agency=agency), by=by, reason="considered in the cohort"
            )
    return application


def consider_applicant(application: Application, *, by: User, stage: str, note: str = "") -> Consideration:
    """One agency of a pooled cohort moves its own stand on an applicant; the others keep theirs."""
    if stage not in Stage.values:
        raise ValidationError({"stage": f"Choose one of: {', '.join(Stage.values)}."})
    with transaction.atomic():
        locked = _lock_for_hiring_agency(application, by)
        consideration = selectors.consideration_of_agency(locked, by)
        if consideration is None:
            raise MoveNotAllowed("Your agency does not consider this applicant in a pooled cohort.")
        if locked.status in workflow.ENDED:
            raise MoveNotAllowed(f"The application is {locked.get_status_display().lower()}.")
        workflow.check_stage_move(consideration.stage, stage)
        consideration.stage = stage
        label = Stage(stage).label.lower()
        reason = f"{consideration.agency.short_name}: {label}" + (f": {note}" if note else "")
        save_audited(consideration, by=by, reason=reason[:100], validate=False)
        notify(
            [locked.applicant],
            by=by,
            subject=f"{consideration.agency.short_name} on your {locked.opening.control_number} application: {label}",
            body=note,
            link=f"/workforce/applications/{locked.pk}/",
        )
    return consideration


def _lock_for_hiring_agency(application: Application, by: User) -> Application:
    """The application, locked, once the user is shown to act for an agency that reviews it."""
    locked = Application.objects.select_for_update().select_related("opening").get(pk=application.pk)
    _require(permissions.has_object_permission(by, "review_applications_opening", locked.opening))
    return locked


def withdraw_application(application: Application, *, by: User) -> Application:
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        _require(locked.applicant_id == by.pk)
        if locked.status not in workflow.WITHDRAWABLE:
            raise MoveNotAllowed("An application can be withdrawn only before an offer is made.")
        locked.status = ApplicationStatus.WITHDRAWN
        locked.status_changed_at = timezone.now()
        save_audited(locked, by=by, reason="withdrawn by the applicant", validate=False)
    return locked


def advance_application(application: Application, *, by: User, status: str, note: str = "") -> Application:
    """The hiring agency moves an applicant along; the note is kept in the history."""
    if status not in ApplicationStatus.values:
        raise ValidationError({"status": f"Choose one of: {', '.join(ApplicationStatus.values)}."})
    with transaction.atomic():
        locked = _lock_for_hiring_agency(application, by)
        workflow.check_application_move(locked.status, status)
        locked.status = status
        locked.status_changed_at = timezone.now()
        if status == ApplicationStatus.OFFER:
            locked.offered_at = locked.status_changed_at
        label = ApplicationStatus(status).label.lower()
        save_audited(locked, by=by, reason=f"{label}: {note}"[:100] if note else label, validate=False)
        notify(
            [locked.applicant],
            by=by,
            subject=f"Your application to {locked.opening.control_number}: {label}",
            body=note,
            link="/workforce/applications/",
        )
    return locked


def place_applicant(application: Application, *, by: User, start_date: date, office: str) -> Placement:
    with transaction.atomic():
        locked = _lock_for_hiring_agency(application, by)
        if locked.status not in workflow.PLACEABLE:
            raise MoveNotAllowed("Only an applicant who received an offer can be placed.")
        placement = save_audited(
            Placement(application=locked, start_date=start_date, office=office, recorded_by=by),
            by=by,
            reason="placement recorded",
        )
        locked.status = ApplicationStatus.PLACED
        locked.status_changed_at = timezone.now()
        save_audited(locked, by=by, reason="placed", validate=False)
        consideration = selectors.consideration_of_agency(locked, by)
        if consideration is not None:
            consideration.stage = Stage.PLACED
            save_audited(consideration, by=by, reason=f"{consideration.agency.short_name}: placed", validate=False)
        notify(
            [locked.applicant],
            by=by,
            subject=f"Your application to {locked.opening.control_number}: placed",
            body=f"You start on {start_date:%Y-%m-%d} at {office}.",
            link="/workforce/applications/",
        )
    return placement
