"""Pages of the Tech Force cyber hiring program; thin: selectors to read, services to write.

The job search, the pathways and posted openings are public. Applicants see their own
applications, profile and saved searches; a hiring agency sees its own drafts and the applicants
to its own openings (404 for anyone else's, as for what does not exist); OPM sees aggregate
figures only. Each action is a small POST form; the service checks who may take it (403) and
whether the opening's or application's state allows it (an error message on the page).
"""

from __future__ import annotations

import copy
import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from eo_portal import charts, deadlines, permissions, uploads
from eo_portal.audit import history_entries
from eo_portal.forms import add_service_error
from eo_portal.models import OrganisationKind
from eo_portal.pagination import CappedPaginator
from eo_portal.selectors import organisations_acting_for
from workforce import selectors, services, workflow
from workforce.forms import (
    FILTER_LABELS,
    AdvanceForm,
    ApplyForm,
    ConsiderForm,
    OpeningForm,
    OpeningSearchForm,
    PlaceForm,
    ProfileForm,
    SaveSearchForm,
)
from workforce.models import Application, Opening
from workforce.services import OPENING_FIELDS
from workforce.workflow import MoveNotAllowed, OpeningStatus

OPENINGS_PER_PAGE = 25
APPLICATIONS_PER_PAGE = 50
METRICS_PERMISSION = "workforce.view_hiring_metrics"

# The facets beside the results, in the order the page shows them.
FACETS = [
    ("agency", "Hiring agency"),
    ("pathway", "Pathway"),
    ("series", "Occupational series"),
    ("hiring_path", "Who may apply"),
    ("work_role", "NICE work role"),
    ("clearance", "Security clearance"),
    ("state", "State"),
    ("remote", "Remote"),
]

# URL slug -> (the service, the button's words, what the page says after)
OPENING_MOVES = {
    "post": (services.post_opening, "Post the opening", "The opening was posted; job seekers can find it now."),
    "close": (services.close_opening, "Close to applications", "The opening was closed to applications."),
    "fill": (services.fill_opening, "Mark as filled", "The opening was marked as filled."),
    "cancel": (services.cancel_opening, "Cancel the opening", "The opening was cancelled."),
}


def _opening_url(opening: Opening, tab: str = "details") -> str:
    name = "workforce:opening-detail" if tab == "details" else f"workforce:opening-{tab}"
    return reverse(name, args=[opening.control_number])


def _agencies_of(user) -> list:
    """The agencies in which this person may draft openings (members and managers)."""
    return organisations_acting_for(user, OrganisationKind.AGENCY)


# ---------------------------------------------------------------------------
# The job search


def _filter_errors(params: dict[str, str]) -> dict[str, list[str]]:
    """What is wrong with each parameter the search cannot take, by name."""
    errors = {
        name: ["It contains a character that is not allowed."] for name, value in params.items() if "\x00" in value
    }
    try:
        selectors.filters_from({name: value for name, value in params.items() if name not in errors})
    except ValidationError as exc:
        errors |= exc.message_dict
    except ValueError:
        # A value the reader could not even parse (a superscript digit, thousands of digits):
        # find it by reading each parameter alone.
        for name, value in params.items():
            try:
                selectors.filters_from({name: value})
            except ValidationError as exc:
                errors |= exc.message_dict
            except ValueError:
                errors[name] = ["Enter a valid value."]
    return errors


def _search_params(request: HttpRequest) -> tuple[dict[str, str], selectors.SearchFilters]:
    """The search's parameters that check out, and the filters they make.

    A bad value is named in a message and the search runs without it, rather than failing."""
    params = {name: request.GET.get(name, "").strip() for name in FILTER_LABELS if request.GET.get(name, "").strip()}
    for name, errors in _filter_errors(params).items():
        messages.warning(request, f"The filter “{FILTER_LABELS.get(name, name)}” was ignored: {' '.join(errors)}")
        params.pop(name, None)
    return params, selectors.filters_from(params)


def _query(params: dict[str, str], **changes: str | None) -> str:
    """The search's query string with some parameters set or (None) removed, on page one."""
    query = {name: value for name, value in params.items() if name not in changes}
    query |= {name: value for name, value in changes.items() if value is not None}
    return "?" + urlencode(query)


def _active_values(filters: selectors.SearchFilters) -> dict[str, str]:
    return {
        "agency": filters.agency,
        "pathway": filters.pathway,
        "series": filters.series,
        "hiring_path": filters.hiring_path,
        "work_role": filters.work_role,
        "clearance": filters.clearance,
        "state": filters.state,
        "remote": "" if filters.remote is None else str(filters.remote).lower(),
    }


def _facet_groups(params: dict[str, str], filters: selectors.SearchFilters, counts: dict) -> list[dict]:
    active = _active_values(filters)
    groups = []
    for name, title in FACETS:
        values = [
            {
                "value": value,
                "label": label,
                "count": count,
                "active": value == active[name],
                "href": _query(params, **{name: value}),
            }
            for value, label, count in counts.get(name, [])
        ]
        groups.append(
            {
                "name": name,
                "title": title,
                "values": values,
                "active": active[name],
                "clear_href": _query(params, **{name: None}) if active[name] else "",
            }
        )
    return groups


def _active_filters(params: dict[str, str], form: OpeningSearchForm) -> list[tuple[str, str, str]]:
    """(filter, value as people read it, link without it) for each filter in use, but the sort."""
    chosen = []
    for name, value in params.items():
        if name == "sort":
            continue
        field = form.fields[name]
        shown = dict(getattr(field, "choices", [])).get(value, value) if hasattr(field, "choices") else value
        if name == "open_now":
            shown = "Yes"
        chosen.append((FILTER_LABELS[name], str(shown), _query(params, **{name: None})))
    return chosen


@require_http_methods(["GET", "HEAD", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """The public job search; a signed-in person may save the search they see (a POST here)."""
    user = request.user
    if request.method == "POST" and not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    params, filters = _search_params(request)
    save_form = None
    if user.is_authenticated:
        save_form = SaveSearchForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and save_form.is_valid():
            try:
                saved = services.save_search(by=user, name=save_form.cleaned_data["name"], query=dict(params))
            except ValidationError as exc:
                add_service_error(save_form, exc)
            else:
                messages.success(
                    request, f"Your search “{saved.name}” was saved. We e-mail you when a new opening matches."
                )
                return redirect(reverse("workforce:index") + _query(params))
    base = selectors.openings_visible_to(user)
    found = selectors.sorted_openings(selectors.search_openings(base, filters), filters.sort)
    # The statement that counts the facets counts the openings matched too.
    counts = selectors.search_counts(base, filters)
    page = CappedPaginator(found, OPENINGS_PER_PAGE, counted=counts.matched).get_page(request.GET.get("page"))
    initial = dict(params) | {"open_now": filters.open_now, "sort": filters.sort}
    search_form = OpeningSearchForm(initial=initial)
    context = {
        "page": page,
        "search_form": search_form,
        "save_form": save_form,
        "facet_groups": _facet_groups(params, filters, counts.facets),
        "active_filters": _active_filters(params, search_form),
        "filtered": any(name != "sort" for name in params),
        "save_action": reverse("workforce:index") + _query(params),
        "may_draft": bool(user.is_authenticated and _agencies_of(user)),
        "sees_metrics": permissions.has_role_permission(user, METRICS_PERMISSION),
    }
    return render(request, "workforce/index.html", context)


# ---------------------------------------------------------------------------
# Pathways


def pathway_list(request: HttpRequest) -> HttpResponse:
    return render(request, "workforce/pathway_list.html", {"pathways": selectors.pathways()})


def pathway_detail(request: HttpRequest, slug: str) -> HttpResponse:
    pathway = selectors.get_pathway(slug)
    filters = selectors.SearchFilters(pathway=pathway.slug, open_now=True)
    openings = selectors.sorted_openings(
        selectors.search_openings(selectors.openings_visible_to(request.user), filters), filters.sort
    )
    context = {
        "pathway": pathway,
        "openings": openings[:OPENINGS_PER_PAGE],
        "count": openings.count(),
        "search_query": urlencode({"pathway": pathway.slug, "open_now": "on"}),
    }
    return render(request, "workforce/pathway_detail.html", context)


# ---------------------------------------------------------------------------
# An opening and its tabs


def _opening_context(request: HttpRequest, opening: Opening, tab: str, **extra) -> dict:
    user = request.user
    may_change = permissions.has_object_permission(user, "change_opening", opening)
    may_review = permissions.has_object_permission(user, "review_applications_opening", opening)
    tabs = []
    if may_change or may_review:
        tabs.append(("details", "Details", _opening_url(opening)))
        if may_review:
            tabs.append(("applicants", "Applicants", _opening_url(opening, "applicants")))
        if may_change:
            tabs.append(("history", "History", _opening_url(opening, "history")))
    return {
        "opening": opening,
        "tab": tab,
        "tabs": tabs,
        "tabs_label": f"Sections of opening {opening.control_number}",
        "may_change": may_change,
        "may_review": may_review,
    } | extra


def _opening_page(request: HttpRequest, opening: Opening, apply_form: ApplyForm | None = None) -> HttpResponse:
    user = request.user
    today = deadlines.today()
    accepting = opening.status == OpeningStatus.OPEN and opening.open_date <= today <= opening.close_date
    application = saved = None
    if user.is_authenticated:
        application = selectors.application_of_to(user, opening)
        saved = selectors.saved_openings_of(user).filter(opening=opening).exists()
        if application is None and accepting and apply_form is None:
            apply_form = ApplyForm()
    moves = []
    if permissions.has_object_permission(user, "publish_opening", opening):
        moves = [
            (slug, label, reverse("workforce:opening-move", args=[opening.control_number, slug]))
            for slug, (_, label, _) in OPENING_MOVES.items()
            if opening.status in workflow.OPENING_MOVES[slug][0]
        ]
    context = _opening_context(
        request,
        opening,
        "details",
        accepting=accepting,
        application=application,
        apply_form=apply_form if application is None else None,
        saved=saved,
        moves=moves,
    )
    context["may_edit"] = context["may_change"] and opening.status in (OpeningStatus.DRAFT, OpeningStatus.OPEN)
    return render(request, "workforce/opening_detail.html", context)


def opening_detail(request: HttpRequest, control_number: str) -> HttpResponse:
    return _opening_page(request, selectors.get_opening_for(request.user, control_number))


@login_required
def opening_history(request: HttpRequest, control_number: str) -> HttpResponse:
    opening = selectors.get_opening_for(request.user, control_number)
    if not permissions.has_object_permission(request.user, "change_opening", opening):
        raise Http404("No such opening")
    context = _opening_context(request, opening, "history", entries=history_entries(opening))
    return render(request, "workforce/opening_history.html", context)


@login_required
@require_POST
def opening_apply(request: HttpRequest, control_number: str) -> HttpResponse:
    opening = selectors.get_opening_for(request.user, control_number)
    form = ApplyForm(request.POST)
    if form.is_valid():
        try:
            application = services.apply(opening, by=request.user, cover_note=form.cleaned_data["cover_note"])
        except MoveNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect(_opening_url(opening))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Your application to {opening.control_number} was received.")
            return redirect("workforce:application-detail", application_id=application.pk)
    return _opening_page(request, opening, apply_form=form)


@login_required
@require_POST
def opening_save(request: HttpRequest, control_number: str) -> HttpResponse:
    opening = selectors.get_opening_for(request.user, control_number)
    services.save_opening(opening, by=request.user)
    messages.success(request, f"{opening.control_number} is in your saved openings.")
    return redirect(_opening_url(opening))


@login_required
@require_POST
def opening_move(request: HttpRequest, control_number: str, move: str) -> HttpResponse:
    opening = selectors.get_opening_for(request.user, control_number)
    service, _, done = OPENING_MOVES[move]
    try:
        service(opening, by=request.user)
    except MoveNotAllowed as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(_opening_url(opening))


def _service_error(form: OpeningForm, exc: ValidationError) -> None:
    # A bad place (city or state) is the locations field's error on this page.
    if hasattr(exc, "error_dict") and {"city", "state"} & set(exc.error_dict):
        moved = {("locations" if k in ("city", "state") else k): v for k, v in exc.error_dict.items()}
        exc = ValidationError(moved)
    add_service_error(form, exc)


@login_required
def opening_create(request: HttpRequest) -> HttpResponse:
    agencies = _agencies_of(request.user)
    if not agencies:
        raise PermissionDenied
    form = OpeningForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        agency = next((a for a in agencies if a.pk == data.get("agency")), agencies[0])
        try:
            opening = services.create_opening(
                by=request.user,
                agency=agency,
                hiring_paths=data["hiring_paths"],
                locations=data["locations"],
                work_roles=data["work_roles"],
                **{name: data[name] for name in OPENING_FIELDS},
            )
        except ValidationError as exc:
            _service_error(form, exc)
        else:
            messages.success(
                request, f"Draft {opening.control_number} saved. Only {agency.short_name} sees it until it is posted."
            )
            return redirect(_opening_url(opening))
    context = {"form": form, "opening": None, "single_agency": agencies[0] if len(agencies) == 1 else None}
    return render(request, "workforce/opening_form.html", context)


@login_required
def opening_edit(request: HttpRequest, control_number: str) -> HttpResponse:
    opening = selectors.get_opening_for(request.user, control_number)
    if not permissions.has_object_permission(request.user, "change_opening", opening):
        raise PermissionDenied
    if opening.status not in (OpeningStatus.DRAFT, OpeningStatus.OPEN):
        messages.error(request, "Only a draft or open opening can be edited.")
        return redirect(_opening_url(opening))
    form = OpeningForm(request.POST or None, initial=OpeningForm.initial_for(opening))
    if request.method == "POST" and form.is_valid():
        data, changed = form.cleaned_data, set(form.changed_data)
        changes = {name: data[name] for name in OPENING_FIELDS if name in changed}
        if "hiring_paths" in changed:
            changes["hiring_paths"] = data["hiring_paths"]
        if "work_roles" in changed:
            changes["work_roles"] = data["work_roles"]
        if sorted(data["locations"]) != sorted((place.city, place.state) for place in opening.locations.all()):
            changes["locations"] = data["locations"]
        try:
            if changes:
                services.update_opening(opening, by=request.user, **changes)
        except MoveNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect(_opening_url(opening))
        except ValidationError as exc:
            _service_error(form, exc)
        else:
            messages.success(request, "The opening was saved." if changes else "Nothing was changed.")
            return redirect(_opening_url(opening))
    return render(request, "workforce/opening_form.html", {"form": form, "opening": opening})


# ---------------------------------------------------------------------------
# The applicants to an opening (its hiring agency only)


def _opening_for_review(request: HttpRequest, control_number: str) -> Opening:
    opening = selectors.get_opening_for(request.user, control_number)
    if not permissions.has_object_permission(request.user, "review_applications_opening", opening):
        raise Http404("No such opening")
    return opening


def _applicants_page(request: HttpRequest, opening: Opening, bound: dict | None = None) -> HttpResponse:
    """The table of applicants, each with the forms its status allows; `bound` keeps a rejected
    form (application id -> ("advance" | "place", form)) so its errors show at its row."""
    bound = bound or {}
    page = CappedPaginator(selectors.applications_to(opening), APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for application in page.object_list:
        kind, kept = bound.get(application.pk, (None, None))
        advance_form = place_form = None
        if application.status in workflow.AGENCY_MOVES:
            advance_form = (
                kept
                if kind == "advance"
                else AdvanceForm(prefix=f"advance-{application.pk}", current=application.status)
            )
        if application.status in workflow.PLACEABLE:
            place_form = kept if kind == "place" else PlaceForm(prefix=f"place-{application.pk}")
        rows.append({"application": application, "advance_form": advance_form, "place_form": place_form})
    context = _opening_context(request, opening, "applicants", page=page, rows=rows)
    return render(request, "workforce/opening_applicants.html", context)


@login_required
def opening_applicants(request: HttpRequest, control_number: str) -> HttpResponse:
    return _applicants_page(request, _opening_for_review(request, control_number))


def _application_for_review(request: HttpRequest, application_id: int) -> tuple[Application, Opening]:
    application = selectors.get_application_for(request.user, application_id)
    opening = _opening_for_review(request, application.opening.control_number)
    return application, opening


@login_required
@require_POST
def application_advance(request: HttpRequest, application_id: int) -> HttpResponse:
    application, opening = _application_for_review(request, application_id)
    form = AdvanceForm(request.POST, prefix=f"advance-{application.pk}", current=application.status)
    if form.is_valid():
        try:
            services.advance_application(
                application, by=request.user, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
            )
        except MoveNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect(_opening_url(opening, "applicants"))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            name = application.applicant.get_full_name() or application.applicant.get_username()
            messages.success(request, f"{name}'s application was moved on.")
            return redirect(_opening_url(opening, "applicants"))
    return _applicants_page(request, opening, bound={application.pk: ("advance", form)})


@login_required
@require_POST
def application_place(request: HttpRequest, application_id: int) -> HttpResponse:
    application, opening = _application_for_review(request, application_id)
    form = PlaceForm(request.POST, prefix=f"place-{application.pk}")
    if form.is_valid():
        try:
            services.place_applicant(
                application,
                by=request.user,
                start_date=form.cleaned_data["start_date"],
                office=form.cleaned_data["office"],
            )
        except MoveNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect(_opening_url(opening, "applicants"))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            name = application.applicant.get_full_name() or application.applicant.get_username()
            messages.success(request, f"The placement of {name} was recorded.")
            return redirect(_opening_url(opening, "applicants"))
    return _applicants_page(request, opening, bound={application.pk: ("place", form)})


# ---------------------------------------------------------------------------
# An applicant's own applications


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    page = CappedPaginator(selectors.applications_of(request.user), APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "withdrawable": workflow.WITHDRAWABLE}
    return render(request, "workforce/application_list.html", context)


def _status_history(application: Application) -> list[dict]:
    """The application's statuses, newest first, with the note each move carried."""
    rows = []
    for entry in history_entries(application):
        if entry.kind == "Created":
            status = workflow.ApplicationStatus.RECEIVED.label
        else:
            status = next((c.new for c in entry.changes if c.field == "status"), None)
            if status is None:
                continue
        note = entry.reason
        prefix = f"{str(status).lower()}: "
        if note.lower().startswith(prefix):
            note = note[len(prefix) :]
        elif note.lower() == str(status).lower():
            note = ""
        rows.append({"when": entry.when, "status": status, "note": note, "who": entry.who})
    return rows


@login_required
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors.get_application_for(request.user, application_id)
    return _application_page(request, application)


def _application_page(request: HttpRequest, application: Application, consider_form=None) -> HttpResponse:
    is_applicant = application.applicant_id == request.user.pk
    own = None if is_applicant else selectors.consideration_of_agency(application, request.user)
    if own is not None and consider_form is None and own.stage in workflow.STAGE_MOVES:
        consider_form = ConsiderForm(current=own.stage)
    context = {
        "application": application,
        "is_applicant": is_applicant,
        "placement": getattr(application, "placement", None),
        "status_rows": _status_history(application),
        "may_withdraw": is_applicant and application.status in workflow.WITHDRAWABLE,
        "considerations": application.considerations.all(),
        "own_consideration": own,
        "consider_form": consider_form,
    }
    return render(request, "workforce/application_detail.html", context)


@login_required
@require_POST
def application_consider(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors.get_application_for(request.user, application_id)
    own = selectors.consideration_of_agency(application, request.user)
    if own is None or application.applicant_id == request.user.pk:
        raise Http404("No such consideration")
    form = ConsiderForm(request.POST, current=own.stage)
    if form.is_valid():
        try:
            services.consider_applicant(
                application, by=request.user, stage=form.cleaned_data["stage"], note=form.cleaned_data["note"]
            )
        except MoveNotAllowed as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            add_service_error(form, exc)
            return _application_page(request, application, consider_form=form)
        else:
            messages.success(request, f"{own.agency.short_name}'s stage was updated.")
        return redirect("workforce:application-detail", application_id=application.pk)
    return _application_page(request, application, consider_form=form)


@login_required
@require_POST
def application_withdraw(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors.get_application_for(request.user, application_id)
    if application.applicant_id != request.user.pk:
        raise Http404("No such application")
    try:
        services.withdraw_application(application, by=request.user)
    except MoveNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Your application to {application.opening.control_number} was withdrawn.")
    return redirect("workforce:application-detail", application_id=application.pk)


# ---------------------------------------------------------------------------
# Profile and résumé


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    current = selectors.profile_of(request.user)
    # The form works on a copy, so a rejected submission never alters what the page shows.
    form = ProfileForm(request.POST or None, request.FILES or None, instance=copy.copy(current) if current else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_profile(
                by=request.user,
                phone=form.cleaned_data["phone"],
                city=form.cleaned_data["city"],
                state=form.cleaned_data["state"],
                summary=form.cleaned_data["summary"],
                resume=request.FILES.get("resume"),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Your profile was saved.")
            return redirect("workforce:profile")
    return render(request, "workforce/profile.html", {"form": form, "profile": current})


@login_required
def resume_download(request: HttpRequest) -> FileResponse:
    """One's own résumé only: there is no résumé id in the address to guess."""
    current = selectors.profile_of(request.user)
    if current is None or not current.resume:
        raise Http404("No résumé on file")
    return uploads.download(current.resume, filename="resume.pdf", content_type=uploads.PDF)


# ---------------------------------------------------------------------------
# Saved searches and openings


@login_required
def saved(request: HttpRequest) -> HttpResponse:
    searches = [(search, urlencode(search.query)) for search in selectors.saved_searches_of(request.user)]
    context = {"searches": searches, "saved_openings": selectors.saved_openings_of(request.user)}
    return render(request, "workforce/saved.html", context)


@login_required
@require_POST
def saved_search_delete(request: HttpRequest, saved_id: int) -> HttpResponse:
    search = selectors.get_saved_search_for(request.user, saved_id)
    services.delete_saved_search(search, by=request.user)
    messages.success(request, f"The saved search “{search.name}” was deleted.")
    return redirect("workforce:saved")


# ---------------------------------------------------------------------------
# OPM's hiring figures: counts and medians, never an applicant


def _metrics_for(request: HttpRequest) -> dict:
    if not permissions.has_role_permission(request.user, METRICS_PERMISSION):
        raise Http404("No such page")
    return selectors.hiring_metrics()


def _chart(chart_id: str, dimension: str, rows: list[dict]) -> str:
    names = [str(row["name"]) for row in rows]
    return charts.grouped_bar_chart(
        chart_id=chart_id,
        title=f"Openings, applications and placements by {dimension}",
        description=(
            "; ".join(
                f"{row['name']}: {row['openings']} openings, {row['applications']} applications, "
                f"{row['placements']} placements"
                for row in rows
            )
            or "No applications yet."
        ),
        categories=names,
        series=[
            ("Openings", [row["openings"] for row in rows]),
            ("Applications", [row["applications"] for row in rows]),
            ("Placements", [row["placements"] for row in rows]),
        ],
    )


@login_required
def metrics(request: HttpRequest) -> HttpResponse:
    figures = _metrics_for(request)
    context = {
        "figures": figures,
        "dimensions": [
            ("pathway", "Pathway", figures["by_pathway"], _chart("chart-pathway", "pathway", figures["by_pathway"])),
            ("agency", "Agency", figures["by_agency"], _chart("chart-agency", "agency", figures["by_agency"])),
        ],
    }
    return render(request, "workforce/metrics.html", context)


def _csv_cell(value: object) -> object:
    # A name a spreadsheet would read as a formula is written as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@login_required
def metrics_csv(request: HttpRequest) -> HttpResponse:
    figures = _metrics_for(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="tech-force-hiring-figures.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    writer = csv.writer(response)
    columns = ["openings", "applications", "placements", "median_days_close_to_offer",
               "median_days_close_to_placement"]
    writer.writerow(["dimension", "name", *columns])
    for dimension, rows in (("pathway", figures["by_pathway"]), ("agency", figures["by_agency"])):
        for row in rows:
            writer.writerow([dimension, _csv_cell(row["name"]), *("" if row[c] is None else row[c] for c in columns)])
    return response
