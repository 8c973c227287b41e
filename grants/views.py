"""Pages of the AI cybersecurity grants program; thin: selectors to read, services to write.

Opportunities are public, as on Grants.gov: anyone may search and read them. An applicant
organisation's members see their own applications, never another's (404, as for what does not
exist), and never a reviewer, a score or a comment; a reviewer sees an application only after
attesting that they have no conflict of interest; grant staff (OMB and the awarding agency) see
every application to their opportunities. Each action is a small POST form; the service checks
who may take it (403) and whether the state allows it (an error message on the page).
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST

from eo_portal import edit_versions, uploads
from eo_portal.forms import add_service_error
from eo_portal.models import OrganisationKind
from eo_portal.pagination import CappedPaginator
from grants import selectors, services, workflow
from grants.forms import (
    SEARCH_LABELS,
    AmendmentForm,
    ApplicationForm,
    AssignReviewerForm,
    AttachmentForm,
    AttestForm,
    AwardForm,
    DeclineForm,
    OpportunityForm,
    OpportunitySearchForm,
    SaveSearchForm,
    ScoreForm,
    SubawardForm,
)
from grants.models import Application, Opportunity, ReviewerAssignment, cents
from grants.services import OPPORTUNITY_FIELDS
from grants.workflow import ApplicationStatus, MoveNotAllowed, OpportunityStatus

PER_PAGE = 50

# URL slug -> (the service, the button's words, what the page says after)
OPPORTUNITY_MOVES = {
    "post": (
        services.post_opportunity,
        "Post the opportunity",
        "The opportunity was posted: applicants can apply now, and saved searches that match it are e-mailed.",
    ),
    "close": (services.close_opportunity, "Close to applications", "The opportunity was closed to applications."),
    "archive": (services.archive_opportunity, "Archive the opportunity", "The opportunity was archived."),
}

# What each key of a refused submission is about, in the words of the application form.
SUBMISSION_LABELS = {
    "opportunity": "Opportunity",
    "applicant": "Eligibility",
    "budget_lines": "Budget",
    "contacts": "Contacts",
}


def _opportunity_url(opportunity: Opportunity, tab: str = "details") -> str:
    name = "grants:opportunity-detail" if tab == "details" else f"grants:opportunity-{tab}"
    return reverse(name, args=[opportunity.opportunity_number])


def _application_url(application: Application, tab: str = "details") -> str:
    name = "grants:application-detail" if tab == "details" else f"grants:application-{tab}"
    return reverse(name, args=[application.tracking_number])


def _accepting(opportunity: Opportunity) -> bool:
    return opportunity.status == OpportunityStatus.POSTED and opportunity.close_at > timezone.now()


def _page(request: HttpRequest, rows) -> object:
    return CappedPaginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def _pdf_response(document, filename: str) -> FileResponse:
    return uploads.download(document.file, filename=filename, content_type=document.content_type)


# ---------------------------------------------------------------------------
# The public search and saved searches


def _search_params(request: HttpRequest) -> dict[str, str]:
    """The search's parameters as given, without the page number and empty ones."""
    return {name: request.GET[name].strip() for name in SEARCH_LABELS if request.GET.get(name, "").strip()}


@require_http_methods(["GET", "HEAD", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """The public search; a signed-in person may save the search they see (a POST here)."""
    user = request.user
    if request.method == "POST" and not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    params = _search_params(request)
    page = None
    try:
        search = selectors.search_from(params)
    except ValidationError as exc:
        # Each bad value is named at its field, and nothing is searched.
        search_form = OpportunitySearchForm(params)
        search_form.is_valid()
        add_service_error(search_form, exc)
    else:
        search_form = OpportunitySearchForm(initial=params | {"sort": search.sort})
        page = _page(request, selectors.search_opportunities(search))
    query = "?" + urlencode(params) if params else ""
    save_form = None
    if user.is_authenticated and page is not None:
        save_form = SaveSearchForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and save_form.is_valid():
            try:
                saved = services.save_search(by=user, name=save_form.cleaned_data["name"], query=params)
            except ValidationError as exc:
                add_service_error(save_form, exc)
            else:
                messages.success(
                    request, f"Your search “{saved.name}” was saved. We e-mail you when a new opportunity matches."
                )
                return redirect(reverse("grants:index") + query)
    context = {
        "page": page,
        "search_form": search_form,
        "save_form": save_form,
        "save_action": reverse("grants:index") + query,
        "filtered": any(name != "sort" for name in params),
        "may_create": bool(selectors.may_create_opportunities(user)),
    }
    return render(request, "grants/index.html", context)


@login_required
def saved_searches(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.saved_searches_of(request.user))
    # Sorted: PostgreSQL keeps JSON keys in its own order, and the link should not depend on it.
    rows = [(search, urlencode(sorted(search.query.items()))) for search in page.object_list]
    return render(request, "grants/saved_searches.html", {"page": page, "rows": rows})


@login_required
@require_POST
def saved_search_delete(request: HttpRequest, search_id: int) -> HttpResponse:
    search = selectors.get_saved_search_for(request.user, search_id)
    services.delete_search(search, by=request.user)
    messages.success(request, f"The saved search “{search.name}” was deleted.")
    return redirect("grants:saved-searches")


# ---------------------------------------------------------------------------
# An opportunity


def _opportunity_tabs(opportunity: Opportunity, is_staff: bool) -> list[tuple[str, str, str]]:
    if not is_staff:
        return []
    return [
        ("details", "Details", _opportunity_url(opportunity)),
        ("applications", "Applications", _opportunity_url(opportunity, "applications")),
    ]


def _opportunity_page(request: HttpRequest, opportunity: Opportunity, attach_form=None) -> HttpResponse:
    user = request.user
    is_staff = selectors.may_administer(user, opportunity)
    accepting = _accepting(opportunity)
    eligibility = [
        (organisation, selectors.eligibility_of(organisation, opportunity))
        for organisation in selectors.applying_organisations(user)
    ]
    moves = []
    if is_staff:
        moves = [
            (slug, label, reverse("grants:opportunity-move", args=[opportunity.opportunity_number, slug]))
            for slug, (_, label, _) in OPPORTUNITY_MOVES.items()
            if opportunity.status in workflow.OPPORTUNITY_MOVES[slug][0]
        ]
        attach_form = attach_form or AttachmentForm()
    context = {
        "opportunity": opportunity,
        "tab": "details",
        "tabs": _opportunity_tabs(opportunity, is_staff),
        "tabs_label": f"Sections of opportunity {opportunity.opportunity_number}",
        "amendments": selectors.amendments_of(opportunity),
        "accepting": accepting,
        "eligibility": eligibility,
        "may_apply": accepting and any(result.eligible for _, result in eligibility),
        "own_applications": list(selectors.own_applications_to(user, opportunity)) if eligibility else [],
        "is_staff": is_staff,
        "may_edit": is_staff and opportunity.status == OpportunityStatus.FORECASTED,
        "may_amend": is_staff and opportunity.status in workflow.AMENDABLE,
        "moves": moves,
        "attach_form": attach_form if is_staff else None,
    }
    return render(request, "grants/opportunity_detail.html", context)


def opportunity_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _opportunity_page(request, selectors.get_opportunity(number))


def opportunity_document(request: HttpRequest, number: str, document_id: int) -> FileResponse:
    opportunity = selectors.get_opportunity(number)
    document = selectors.get_opportunity_document(opportunity, document_id)
    name = slugify(document.title)[:80] or "document"
    return _pdf_response(document, f"{opportunity.opportunity_number}-{name}.pdf")


def _administered(request: HttpRequest, number: str) -> Opportunity:
    """An opportunity the user runs as grant staff; 403 for anyone else (opportunities are public)."""
    opportunity = selectors.get_opportunity(number)
    if not selectors.may_administer(request.user, opportunity):
        raise PermissionDenied
    return opportunity


@login_required
@require_POST
def opportunity_attach(request: HttpRequest, number: str) -> HttpResponse:
    opportunity = _administered(request, number)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = services.attach_to_opportunity(
                opportunity, by=request.user, title=form.cleaned_data["title"], upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"“{document.title}” was attached to {opportunity.opportunity_number}.")
            return redirect(_opportunity_url(opportunity))
    return _opportunity_page(request, opportunity, attach_form=form)


@login_required
@require_POST
def opportunity_move(request: HttpRequest, number: str, move: str) -> HttpResponse:
    opportunity = selectors.get_opportunity(number)
    service, _, done = OPPORTUNITY_MOVES[move]
    try:
        service(opportunity, by=request.user)
    except MoveNotAllowed as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(_opportunity_url(opportunity))


@login_required
def opportunity_create(request: HttpRequest) -> HttpResponse:
    agencies = selectors.may_create_opportunities(request.user)
    if not agencies:
        raise PermissionDenied
    form = OpportunityForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        agency = next(a for a in agencies if a.slug == data["awarding_agency"])
        try:
            opportunity = services.create_opportunity(
                by=request.user,
                awarding_agency=agency,
                criteria=form.criteria(),
                **{name: data[name] for name in OPPORTUNITY_FIELDS},
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, f"Forecast {opportunity.opportunity_number} saved. Post it when applications may open."
            )
            return redirect(_opportunity_url(opportunity))
    context = {"form": form, "opportunity": None, "action": "create"}
    return render(request, "grants/opportunity_form.html", context)


def _changes(form: OpportunityForm, opportunity: Opportunity) -> tuple[dict, list | None]:
    """The fields the form changed, and the criteria if they changed (None if not)."""
    changed = set(form.changed_data)
    fields = {name: form.cleaned_data[name] for name in OPPORTUNITY_FIELDS if name in changed}
    criteria = form.criteria()
    return fields, (criteria if criteria != OpportunityForm.criteria_of(opportunity) else None)


@login_required
def opportunity_edit(request: HttpRequest, number: str) -> HttpResponse:
    opportunity = _administered(request, number)
    if opportunity.status != OpportunityStatus.FORECASTED:
        messages.error(request, "A posted opportunity changes only by an amendment.")
        return redirect(_opportunity_url(opportunity))
    form = OpportunityForm(request.POST or None, initial=OpportunityForm.initial_for(opportunity))
    if request.method == "POST" and form.is_valid():
        fields, criteria = _changes(form, opportunity)
        try:
            if fields or criteria is not None:
                opportunity = services.update_opportunity(opportunity, by=request.user, criteria=criteria, **fields)
        except MoveNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect(_opportunity_url(opportunity))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            changed = fields or criteria is not None
            messages.success(request, "The forecast was saved." if changed else "Nothing was changed.")
            return redirect(_opportunity_url(opportunity))
    context = {"form": form, "opportunity": opportunity, "action": "edit"}
    return render(request, "grants/opportunity_form.html", context)


@login_required
def opportunity_amend(request: HttpRequest, number: str) -> HttpResponse:
    opportunity = _administered(request, number)
    if opportunity.status not in workflow.AMENDABLE:
        messages.error(request, f"An opportunity that is {opportunity.get_status_display().lower()} is not amended.")
        return redirect(_opportunity_url(opportunity))
    form = AmendmentForm(request.POST or None, initial=OpportunityForm.initial_for(opportunity))
    if request.method == "POST" and form.is_valid():
        fields, criteria = _changes(form, opportunity)
        try:
            amendment = services.amend_opportunity(
                opportunity, by=request.user, summary=form.cleaned_data["summary"], criteria=criteria, **fields
            )
        except MoveNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect(_opportunity_url(opportunity))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                f"Amendment {amendment.number} was published; organisations with a draft or submitted "
                "application were told.",
            )
            return redirect(_opportunity_url(amendment.opportunity))
    context = {"form": form, "opportunity": opportunity, "action": "amend"}
    return render(request, "grants/opportunity_form.html", context)


@login_required
def opportunity_applications(request: HttpRequest, number: str) -> HttpResponse:
    opportunity = selectors.get_opportunity(number)
    if not selectors.may_administer(request.user, opportunity):
        raise Http404("No such page")
    page = _page(request, selectors.applications_to(request.user, opportunity))
    rows = [(application, selectors.prefetched_average(application)) for application in page.object_list]
    context = {
        "opportunity": opportunity,
        "tab": "applications",
        "tabs": _opportunity_tabs(opportunity, True),
        "tabs_label": f"Sections of opportunity {opportunity.opportunity_number}",
        "page": page,
        "rows": rows,
    }
    return render(request, "grants/opportunity_applications.html", context)


# ---------------------------------------------------------------------------
# Applying


@login_required
def application_create(request: HttpRequest, number: str) -> HttpResponse:
    opportunity = selectors.get_opportunity(number)
    if not _accepting(opportunity):
        messages.error(request, f"{opportunity.opportunity_number} is not accepting applications.")
        return redirect(_opportunity_url(opportunity))
    organisations = [
        organisation
        for organisation in selectors.applying_organisations(request.user)
        if selectors.eligibility_of(organisation, opportunity).eligible
    ]
    if not organisations:
        messages.error(
            request, f"None of your organisations may apply to {opportunity.opportunity_number}; this page says why."
        )
        return redirect(_opportunity_url(opportunity))
    form = ApplicationForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        applicant = next(o for o in organisations if o.pk == form.cleaned_data["applicant"])
        try:
            application = services.create_application(
                by=request.user,
                opportunity=opportunity,
                applicant=applicant,
                budget_lines=form.budget_lines(),
                contacts=form.contacts(),
                **form.fields_for_service(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                f"Draft saved. Its tracking number is {application.tracking_number}; submit it before the "
                "opportunity closes.",
            )
            return redirect(_application_url(application))
    context = {"form": form, "opportunity": opportunity, "application": None}
    return render(request, "grants/application_form.html", context)


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.applications_visible_to(request.user, for_list=True))
    return render(request, "grants/application_list.html", {"page": page})


# ---------------------------------------------------------------------------
# An application


def _application_tabs(application: Application, shown: bool) -> list[tuple[str, str, str]]:
    if not shown:
        return []
    return [
        ("details", "Details", _application_url(application)),
        ("history", "History", _application_url(application, "history")),
    ]


def _submission_problems(exc: ValidationError) -> list[tuple[str, str]]:
    """Each reason a submission was refused, with the name of what it is about."""
    if not hasattr(exc, "error_dict"):
        return [("", message) for message in exc.messages]
    labels = {name: str(field.label) for name, field in ApplicationForm.base_fields.items()} | SUBMISSION_LABELS
    return [
        (labels.get(name, name.replace("_", " ").capitalize()), message)
        for name, errors in exc.message_dict.items()
        for message in errors
    ]


def _review_rows(application: Application, criteria: list) -> list[dict]:
    rows = []
    for assignment in selectors.assignments_of(application):
        scores = {score.criterion_id: score.score for score in assignment.scores.all()}
        rows.append(
            {
                "assignment": assignment,
                "scores": [(criterion, scores.get(criterion.pk)) for criterion in criteria],
                "total": selectors.weighted_total(assignment),
            }
        )
    return rows


def _application_page(
    request: HttpRequest, application: Application, submit_problems: list | None = None, **forms
) -> HttpResponse:
    user = request.user
    is_staff = selectors.is_grant_staff_for(user, application)
    is_applicant = selectors.is_applicant(user, application)
    may_edit = is_applicant and selectors.may_edit(user, application)
    draft = application.status == ApplicationStatus.DRAFT
    lines = list(application.budget_lines.all())
    budgeted = cents(sum((line.amount for line in lines), Decimal("0")))
    award = getattr(application, "award", None) if application.status == ApplicationStatus.AWARDED else None
    context = {
        "application": application,
        "opportunity": application.opportunity,
        "tab": "details",
        "tabs": _application_tabs(application, is_staff or is_applicant),
        "tabs_label": f"Sections of application {application.tracking_number}",
        "is_staff": is_staff,
        "is_applicant": is_applicant,
        "budget_lines": lines,
        "budgeted": budgeted,
        "balanced": budgeted == application.total_project_cost,
        "contacts": application.contacts.all(),
        "documents": application.documents.all(),
        "may_change": may_edit and draft,
        "may_withdraw": may_edit and application.status in workflow.WITHDRAWABLE,
        "attach_form": (forms.get("attach_form") or AttachmentForm()) if may_edit and draft else None,
        "submit_problems": submit_problems,
        "award": award,
        "receipt": is_applicant and application.submitted_at and application.status != ApplicationStatus.WITHDRAWN,
    }
    if is_staff:
        criteria = list(application.opportunity.criteria.all())
        in_review = application.status in workflow.IN_REVIEW
        context |= {
            "criteria": criteria,
            "review_rows": _review_rows(application, criteria),
            "average": selectors.average_total(application),
            "assign_form": (forms.get("assign_form") or AssignReviewerForm(application=application))
            if in_review
            else None,
            "award_form": (forms.get("award_form") or AwardForm()) if in_review else None,
            "decline_form": (forms.get("decline_form") or DeclineForm()) if in_review else None,
        }
    if award is not None and application.applicant.kind == OrganisationKind.STATE:
        context |= {
            "subawards": selectors.subawards_of(user, award),
            "pass_through": selectors.pass_through_of(award),
            "subaward_form": (forms.get("subaward_form") or SubawardForm()) if may_edit else None,
        }
    return render(request, "grants/application_detail.html", context)


@login_required
def application_detail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _application_page(request, selectors.get_application_for(request.user, tracking_number))


@login_required
def application_history(request: HttpRequest, tracking_number: str) -> HttpResponse:
    application = selectors.get_application_for(request.user, tracking_number)
    is_staff = selectors.is_grant_staff_for(request.user, application)
    is_applicant = selectors.is_applicant(request.user, application)
    if not (is_staff or is_applicant):
        raise Http404("No such page")
    context = {
        "application": application,
        "opportunity": application.opportunity,
        "tab": "history",
        "tabs": _application_tabs(application, True),
        "tabs_label": f"Sections of application {application.tracking_number}",
        "is_staff": is_staff,
        "is_applicant": is_applicant,
        "entries": selectors.application_history(application, with_review=is_staff),
    }
    return render(request, "grants/application_history.html", context)


@login_required
def application_document(request: HttpRequest, tracking_number: str, document_id: int) -> FileResponse:
    application = selectors.get_application_for(request.user, tracking_number)
    document = selectors.get_application_document(application, document_id)
    name = slugify(document.title)[:80] or "attachment"
    response = _pdf_response(document, f"{application.tracking_number}-{name}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response


def _own(request: HttpRequest, tracking_number: str) -> Application:
    """An application the user may change for its organisation; 403 for others who see it."""
    application = selectors.get_application_for(request.user, tracking_number)
    if not (selectors.is_applicant(request.user, application) and selectors.may_edit(request.user, application)):
        raise PermissionDenied
    return application


@login_required
def application_edit(request: HttpRequest, tracking_number: str) -> HttpResponse:
    application = _own(request, tracking_number)
    if application.status not in workflow.EDITABLE_APPLICATION:
        messages.error(request, "A submitted application cannot be edited.")
        return redirect(_application_url(application))
    form = ApplicationForm(request.POST or None, initial=ApplicationForm.initial_for(application))
    edit_versions.add_form_field(form, application)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_application(
                application,
                by=request.user,
                budget_lines=form.budget_lines(),
                contacts=form.contacts(),
                expected_version=form.cleaned_data[edit_versions.FIELD],
                **form.fields_for_service(),
            )
        except edit_versions.StaleEdit as exc:
            form.add_error(None, str(exc))
        except MoveNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect(_application_url(application))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Draft saved.")
            return redirect(_application_url(application))
    context = {"form": form, "opportunity": application.opportunity, "application": application}
    return render(request, "grants/application_form.html", context)


@login_required
@require_POST
def application_attach(request: HttpRequest, tracking_number: str) -> HttpResponse:
    application = _own(request, tracking_number)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = services.attach_to_application(
                application, by=request.user, title=form.cleaned_data["title"], upload=form.cleaned_data["file"]
            )
        except MoveNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect(_application_url(application))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"“{document.title}” was attached.")
            return redirect(_application_url(application))
    return _application_page(request, application, attach_form=form)


@login_required
@require_POST
def application_submit(request: HttpRequest, tracking_number: str) -> HttpResponse:
    application = _own(request, tracking_number)
    try:
        services.submit_application(application, by=request.user)
    except MoveNotAllowed as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        # The draft is kept as it was; every reason is named at the top of its page.
        return _application_page(request, application, submit_problems=_submission_problems(exc))
    else:
        messages.success(request, f"Application {application.tracking_number} was submitted.")
    return redirect(_application_url(application))


@login_required
@require_POST
def application_withdraw(request: HttpRequest, tracking_number: str) -> HttpResponse:
    application = _own(request, tracking_number)
    try:
        services.withdraw_application(application, by=request.user)
    except MoveNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Application {application.tracking_number} was withdrawn.")
    return redirect(_application_url(application))


def _staffed(request: HttpRequest, tracking_number: str) -> Application:
    """An application to an opportunity the user runs; 403 for others who see it."""
    application = selectors.get_application_for(request.user, tracking_number)
    if not selectors.is_grant_staff_for(request.user, application):
        raise PermissionDenied
    return application


@login_required
@require_POST
def application_assign(request: HttpRequest, tracking_number: str) -> HttpResponse:
    application = _staffed(request, tracking_number)
    form = AssignReviewerForm(request.POST, application=application)
    if form.is_valid():
        reviewer = form.cleaned_data["reviewer"]
        try:
            services.assign_reviewer(application, by=request.user, reviewer=reviewer)
        except MoveNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect(_application_url(application))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{reviewer.get_username()} was assigned and told.")
            return redirect(_application_url(application))
    return _application_page(request, application, assign_form=form)


@login_required
@require_POST
def application_award(request: HttpRequest, tracking_number: str) -> HttpResponse:
    application = _staffed(request, tracking_number)
    form = AwardForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            award = services.award_application(
                application,
                by=request.user,
                amount=data["amount"],
                award_number=data["award_number"],
                award_date=data["award_date"],
            )
        except MoveNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect(_application_url(application))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Award {award.award_number} was recorded and the applicant told.")
            return redirect(_application_url(application))
    return _application_page(request, application, award_form=form)


@login_required
@require_POST
def application_decline(request: HttpRequest, tracking_number: str) -> HttpResponse:
    application = _staffed(request, tracking_number)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.decline_application(application, by=request.user, note=form.cleaned_data["note"])
        except MoveNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect(_application_url(application))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{application.tracking_number} was not selected; the applicant was told.")
            return redirect(_application_url(application))
    return _application_page(request, application, decline_form=form)


@login_required
@require_POST
def application_subaward(request: HttpRequest, tracking_number: str) -> HttpResponse:
    application = selectors.get_application_for(request.user, tracking_number)
    award = getattr(application, "award", None) if application.status == ApplicationStatus.AWARDED else None
    if award is None or application.applicant.kind != OrganisationKind.STATE:
        raise Http404("No such award")
    # Grant staff and reviewers see the award but do not pass it through: refused before the form is read.
    if not selectors.may_edit(request.user, application):
        raise PermissionDenied
    form = SubawardForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            subaward = services.record_subaward(
                award,
                by=request.user,
                recipient=data["recipient"],
                amount=data["amount"],
                purpose=data["purpose"],
                subaward_date=data["subaward_date"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"The subaward to {subaward.recipient.name} was recorded and its members told.")
            return redirect(_application_url(application))
    return _application_page(request, application, subaward_form=form)


# ---------------------------------------------------------------------------
# Reviews


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.review_queue(request.user))
    return render(request, "grants/review_list.html", {"page": page})


def _review_page(request: HttpRequest, assignment: ReviewerAssignment, **forms) -> HttpResponse:
    context = {"assignment": assignment, "opportunity": assignment.application.opportunity}
    if assignment.attested_at is None:
        # Before the attestation the reviewer sees which application, and nothing of it.
        context["attest_form"] = forms.get("attest_form") or AttestForm()
        return render(request, "grants/review_detail.html", context)
    application = assignment.application
    criteria = list(application.opportunity.criteria.all())
    lines = list(application.budget_lines.all())
    score_form = None
    if application.status == ApplicationStatus.UNDER_REVIEW:
        own = {score.criterion_id: score.score for score in assignment.scores.all()}
        initial = {f"criterion_{c.number}": own[c.pk] for c in criteria if c.pk in own}
        initial["comment"] = assignment.comment
        score_form = forms.get("score_form") or ScoreForm(criteria=criteria, initial=initial)
    context |= {
        "application": application,
        "criteria": criteria,
        "budget_lines": lines,
        "budgeted": cents(sum((line.amount for line in lines), Decimal("0"))),
        "documents": application.documents.all(),
        "score_form": score_form,
        "weighted_total": selectors.weighted_total(assignment) if assignment.scored_at else None,
    }
    return render(request, "grants/review_detail.html", context)


@login_required
def review_detail(request: HttpRequest, assignment_id: int) -> HttpResponse:
    return _review_page(request, selectors.get_assignment_for(request.user, assignment_id))


@login_required
@require_POST
def review_attest(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = selectors.get_assignment_for(request.user, assignment_id)
    form = AttestForm(request.POST)
    if form.is_valid():
        services.attest_no_conflict(assignment, by=request.user)
        messages.success(request, "Thank you: you attested that you have no conflict of interest.")
        return redirect("grants:review-detail", assignment_id=assignment.pk)
    return _review_page(request, assignment, attest_form=form)


@login_required
@require_POST
def review_score(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = selectors.get_assignment_for(request.user, assignment_id)
    if assignment.attested_at is None:
        messages.error(request, "Attest that you have no conflict of interest before you score.")
        return redirect("grants:review-detail", assignment_id=assignment.pk)
    criteria = list(assignment.application.opportunity.criteria.all())
    form = ScoreForm(request.POST, criteria=criteria)
    if form.is_valid():
        try:
            services.score_application(
                assignment, by=request.user, scores=form.scores(), comment=form.cleaned_data["comment"]
            )
        except MoveNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect("grants:review-detail", assignment_id=assignment.pk)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Your scores for {assignment.application.tracking_number} were saved.")
            return redirect("grants:review-detail", assignment_id=assignment.pk)
    return _review_page(request, assignment, score_form=form)


# ---------------------------------------------------------------------------
# Subawards


@login_required
def subaward_detail(request: HttpRequest, subaward_id: int) -> HttpResponse:
    subaward = selectors.get_subaward_for(request.user, subaward_id)
    return render(request, "grants/subaward_detail.html", {"subaward": subaward})
