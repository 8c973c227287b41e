"""Pages of the AI cybersecurity clearinghouse program; thin: selectors to read, services to write.

Public: published TLP:CLEAR advisories past their embargo, issued directives and the
defensive-tools catalogue. Everything else follows the selectors: an advisory, delivery,
vulnerability, directive or tool request the user may not see answers 404, like one that does
not exist, and so does a tab beyond the user's part (an advisory's distribution and history are
the coordinators'). Each action is a small POST form; the service checks who may take it (403)
and whether the state allows it (an error message on the page).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clearinghouse import selectors, services, workflow
from clearinghouse.forms import (
    AdvisoryFilterForm,
    AdvisoryForm,
    ComplianceReportForm,
    DeliveryReportForm,
    DirectiveForm,
    RevisionForm,
    ToolDecisionForm,
    ToolRequestForm,
    TriageForm,
    VulnerabilityMoveForm,
    VulnerabilityReportForm,
    WithdrawForm,
)
from clearinghouse.models import Advisory, Directive, ToolRequest, Vulnerability
from clearinghouse.workflow import MoveNotAllowed
from eo_portal import edit_versions, permissions
from eo_portal import selectors as core
from eo_portal.forms import add_service_error
from eo_portal.models import OrganisationKind, Role, Sector
from eo_portal.pagination import CappedPaginator

PER_PAGE = 50
LATEST_ON_INDEX = 10

# URL slug -> (the service, the button's words, what the page says after)
ADVISORY_MOVES = {
    "submit": (
        services.submit_advisory,
        "Send for review",
        "The advisory was sent for review; a second coordinator publishes it.",
    ),
    "return": (services.return_advisory, "Return to draft", "The advisory was returned to draft."),
    "publish": (
        services.publish_advisory,
        "Publish",
        "The advisory was published; it is being delivered to its recipients.",
    ),
}
DIRECTIVE_MOVES = {
    "issue": (
        services.issue_directive,
        "Issue the directive",
        "The directive was issued; its required actions are due from today.",
    ),
    "revoke": (services.revoke_directive, "Revoke the directive", "The directive was revoked."),
}


def _page(request: HttpRequest, rows, parts=None) -> Page:
    return CappedPaginator(rows, PER_PAGE, parts=parts).get_page(request.GET.get("page"))


def _acting_organisations(user) -> list:
    """The user's organisations in which they may act (members and managers), any kind."""
    return [m.organisation for m in core.memberships_of(user) if m.role in (Role.MEMBER, Role.MANAGER)]


def _may_triage(user) -> bool:
    return permissions.has_role_permission(user, selectors.TRIAGE_ROLE)


# ---------------------------------------------------------------------------
# The clearinghouse's home


def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "latest": selectors.public_advisories()[:LATEST_ON_INDEX],
        "is_coordinator": selectors.is_coordinator(user),
        "may_report": bool(_acting_organisations(user)),
        "may_triage": _may_triage(user),
    }
    return render(request, "clearinghouse/index.html", context)


# ---------------------------------------------------------------------------
# Advisories


def _advisory_url(advisory: Advisory, tab: str = "details") -> str:
    name = "clearinghouse:advisory-detail" if tab == "details" else f"clearinghouse:advisory-{tab}"
    return reverse(name, args=[advisory.reference])


def _advisory_context(request: HttpRequest, advisory: Advisory, tab: str, **extra) -> dict:
    coordinator = selectors.is_coordinator(request.user)
    keys = [("details", "Details"), ("revisions", "Revisions")]
    if coordinator:
        keys += [("distribution", "Distribution"), ("history", "History")]
    return {
        "advisory": advisory,
        "tab": tab,
        "tabs": [(key, label, _advisory_url(advisory, key)) for key, label in keys],
        "tabs_label": f"Sections of advisory {advisory.reference}",
        "is_coordinator": coordinator,
    } | extra


def _coordinators_advisory(request: HttpRequest, reference: str) -> Advisory:
    """The advisory, for the coordinators' tabs: 404 for anyone else, as if the tab did not exist."""
    advisory = selectors.get_advisory_for(request.user, reference)
    if not selectors.is_coordinator(request.user):
        raise Http404("No such page")
    return advisory


def _filtered(request: HttpRequest, form_class, **kwargs) -> tuple:
    """The filter form and the values that check out; a bad value is named in a message and ignored."""
    form = form_class(request.GET or None, **kwargs)
    chosen = {}
    if form.is_bound:
        form.is_valid()
        for name in form.fields:
            if name in form.errors:
                messages.warning(request, f"The filter “{form[name].label}” was ignored: {' '.join(form.errors[name])}")
            elif form.cleaned_data.get(name) not in (None, ""):
                chosen[name] = form.cleaned_data[name]
        form = form_class(initial=chosen, **kwargs)
    return form, chosen


def advisory_list(request: HttpRequest) -> HttpResponse:
    form, chosen = _filtered(request, AdvisoryFilterForm)
    visible, parts = selectors.advisory_list_for(request.user)
    advisories = selectors.filter_advisories(visible, **chosen)
    context = {
        "page": _page(request, advisories, [selectors.filter_advisories(part, **chosen) for part in parts]),
        "filter_form": form,
        "filtered": bool(chosen),
        "is_coordinator": selectors.is_coordinator(request.user),
    }
    return render(request, "clearinghouse/advisory_list.html", context)


@login_required
def advisory_create(request: HttpRequest) -> HttpResponse:
    if not selectors.is_coordinator(request.user):
        raise PermissionDenied
    form = AdvisoryForm(request.POST or None, user=request.user, rows=AdvisoryForm.rows_for(None))
    if request.method == "POST" and form.is_valid():
        try:
            advisory = services.create_advisory(by=request.user, **form.service_fields())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, f"Draft {advisory.reference} saved. Only coordinators see it until it is published."
            )
            return redirect(_advisory_url(advisory))
    return render(request, "clearinghouse/advisory_form.html", {"form": form, "advisory": None, "revising": False})


def _advisory_form_page(request: HttpRequest, reference: str, *, revising: bool) -> HttpResponse:
    """Edit a draft, or publish a new revision of a published advisory: the same form."""
    advisory = selectors.get_advisory_with_contents_for(request.user, reference)
    if not selectors.is_coordinator(request.user):
        raise PermissionDenied
    allowed = workflow.REVISABLE_ADVISORY if revising else workflow.EDITABLE_ADVISORY
    if advisory.status not in allowed:
        messages.error(
            request,
            "Only a published advisory gets a new revision."
            if revising
            else "Only a draft is edited; a published advisory changes by a new revision.",
        )
        return redirect(_advisory_url(advisory))
    form_class = RevisionForm if revising else AdvisoryForm
    form = form_class(
        request.POST or None,
        user=request.user,
        rows=form_class.rows_for(advisory),
        initial=form_class.initial_for(advisory),
    )
    if not revising:
        edit_versions.add_form_field(form, advisory)
    if request.method == "POST" and form.is_valid():
        changes = form.service_fields(only_changed=True)
        try:
            if revising:
                services.revise_advisory(
                    advisory, by=request.user, change_summary=form.cleaned_data["change_summary"], **changes
                )
            elif changes:
                expected = form.cleaned_data[edit_versions.FIELD]
                services.update_advisory(advisory, by=request.user, expected_version=expected, **changes)
        except edit_versions.StaleEdit as exc:
            form.add_error(None, str(exc))
        except MoveNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect(_advisory_url(advisory))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            if revising:
                done = "The new revision was published; recipients who have the advisory are told of the change."
            else:
                done = "The draft was saved." if changes else "Nothing was changed."
            messages.success(request, done)
            return redirect(_advisory_url(advisory))
    context = {"form": form, "advisory": advisory, "revising": revising}
    return render(request, "clearinghouse/advisory_form.html", context)


@login_required
def advisory_edit(request: HttpRequest, reference: str) -> HttpResponse:
    return _advisory_form_page(request, reference, revising=False)


@login_required
def advisory_revise(request: HttpRequest, reference: str) -> HttpResponse:
    return _advisory_form_page(request, reference, revising=True)


def _advisory_page(request: HttpRequest, advisory: Advisory, withdraw_form: WithdrawForm | None = None) -> HttpResponse:
    user = request.user
    coordinator = selectors.is_coordinator(user)
    moves, publish_blocked = [], False
    if coordinator:
        for slug, (_, label, _) in ADVISORY_MOVES.items():
            if advisory.status not in workflow.ADVISORY_MOVES[slug][0]:
                continue
            # Two people: the coordinator who sent it for review does not publish it.
            if slug == "publish" and advisory.submitted_by_id == user.pk:
                publish_blocked = True
                continue
            moves.append((slug, label, reverse("clearinghouse:advisory-move", args=[advisory.reference, slug])))
        if advisory.status in workflow.ADVISORY_MOVES["withdraw"][0] and withdraw_form is None:
            withdraw_form = WithdrawForm()
    context = _advisory_context(
        request,
        advisory,
        "details",
        moves=moves,
        publish_blocked=publish_blocked,
        withdraw_form=withdraw_form if coordinator else None,
        may_edit=coordinator and advisory.status in workflow.EDITABLE_ADVISORY,
        may_revise=coordinator and advisory.status in workflow.REVISABLE_ADVISORY,
        own_delivery=selectors.own_delivery_for(user, advisory) if user.is_authenticated else None,
        links_vulnerabilities=_may_triage(user),
        audience=_audience(advisory) if coordinator else None,
    )
    return render(request, "clearinghouse/advisory_detail.html", context)


def _audience(advisory: Advisory) -> dict:
    kinds, sectors = dict(OrganisationKind.choices), dict(Sector.choices)
    return {
        "kinds": [kinds.get(kind, kind) for kind in advisory.audience_kinds],
        "sectors": [sectors.get(sector, sector) for sector in advisory.audience_sectors],
        "organisations": advisory.named_organisations.all(),
        "people": advisory.named_people.all(),
    }


def advisory_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _advisory_page(request, selectors.get_advisory_with_contents_for(request.user, reference))


@login_required
@require_POST
def advisory_move(request: HttpRequest, reference: str, move: str) -> HttpResponse:
    advisory = selectors.get_advisory_for(request.user, reference)
    service, _, done = ADVISORY_MOVES[move]
    try:
        service(advisory, by=request.user)
    except MoveNotAllowed as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(_advisory_url(advisory))


@login_required
@require_POST
def advisory_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    advisory = selectors.get_advisory_for(request.user, reference)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.withdraw_advisory(advisory, by=request.user, reason=form.cleaned_data["reason"])
        except MoveNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect(_advisory_url(advisory))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "The advisory was withdrawn; its recipients are told why.")
            return redirect(_advisory_url(advisory))
    advisory = selectors.get_advisory_with_contents_for(request.user, reference)
    return _advisory_page(request, advisory, withdraw_form=form)


def advisory_revisions(request: HttpRequest, reference: str) -> HttpResponse:
    advisory = selectors.get_advisory_for(request.user, reference)
    revisions = selectors.revisions_visible_to(request.user, advisory)
    context = _advisory_context(request, advisory, "revisions", revisions=revisions)
    return render(request, "clearinghouse/advisory_revisions.html", context)


@login_required
def advisory_distribution(request: HttpRequest, reference: str) -> HttpResponse:
    advisory = _coordinators_advisory(request, reference)
    summary = selectors.distribution_summary(advisory)
    sector_labels = dict(Sector.choices)
    lagging = [(sector_labels.get(row.sector, row.sector), row) for row in summary.lagging]
    context = _advisory_context(request, advisory, "distribution", summary=summary, lagging=lagging)
    return render(request, "clearinghouse/advisory_distribution.html", context)


@login_required
def advisory_history(request: HttpRequest, reference: str) -> HttpResponse:
    advisory = _coordinators_advisory(request, reference)
    context = _advisory_context(request, advisory, "history", entries=selectors.advisory_history(advisory))
    return render(request, "clearinghouse/advisory_history.html", context)


# ---------------------------------------------------------------------------
# Deliveries: a recipient organisation's own advisories


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    own = [membership.organisation for membership in core.memberships_of(request.user)]
    slug = request.GET.get("organisation", "")
    chosen = next((organisation for organisation in own if organisation.slug == slug), None)
    if slug and chosen is None:
        messages.warning(request, "The filter “Organisation” was ignored: you are not a member of that organisation.")
    deliveries = selectors.own_delivery_queue(request.user, chosen, for_list=True)
    context = {"page": _page(request, deliveries), "organisations": own, "chosen": chosen}
    return render(request, "clearinghouse/queue.html", context)


def _delivery_page(request: HttpRequest, delivery, form: DeliveryReportForm | None = None) -> HttpResponse:
    may_report = selectors.may_report_on(request.user, delivery)
    if may_report and form is None:
        form = DeliveryReportForm(
            initial=DeliveryReportForm.initial_for(delivery), acknowledged=delivery.acknowledged_at is not None
        )
    context = {
        "delivery": delivery,
        "advisory": delivery.advisory,
        "form": form if may_report else None,
    }
    return render(request, "clearinghouse/delivery_detail.html", context)


@login_required
def delivery_detail(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = selectors.get_delivery_for(request.user, delivery_id)
    if request.method != "POST":
        return _delivery_page(request, delivery)
    if not selectors.may_report_on(request.user, delivery):
        raise PermissionDenied
    form = DeliveryReportForm(request.POST, acknowledged=delivery.acknowledged_at is not None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.report_on_delivery(
                delivery,
                by=request.user,
                status=data["status"],
                note=data["note"],
                in_estate=data["in_estate"],
                exposed=data["exposed"],
                acknowledge=data.get("acknowledge", True),
            )
        except MoveNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect("clearinghouse:delivery-detail", delivery_id=delivery.pk)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Your report was saved.")
            return redirect("clearinghouse:delivery-detail", delivery_id=delivery.pk)
    return _delivery_page(request, delivery, form)


# ---------------------------------------------------------------------------
# Vulnerabilities


def _vulnerability_url(vulnerability: Vulnerability, tab: str = "details") -> str:
    name = "clearinghouse:vulnerability-detail" if tab == "details" else f"clearinghouse:vulnerability-{tab}"
    return reverse(name, args=[vulnerability.reference])


def _vulnerability_context(request: HttpRequest, vulnerability: Vulnerability, tab: str, **extra) -> dict:
    triager = _may_triage(request.user)
    keys = [("details", "Details")] + ([("history", "History")] if triager else [])
    return {
        "vulnerability": vulnerability,
        "tab": tab,
        "tabs": [(key, label, _vulnerability_url(vulnerability, key)) for key, label in keys] if triager else [],
        "tabs_label": f"Sections of vulnerability {vulnerability.reference}",
        "may_triage": triager,
    } | extra


@login_required
def vulnerability_list(request: HttpRequest) -> HttpResponse:
    context = {
        "page": _page(request, selectors.priority_queue(request.user)),
        "is_coordinator": selectors.is_coordinator(request.user),
        "may_report": bool(_acting_organisations(request.user)),
    }
    return render(request, "clearinghouse/vulnerability_list.html", context)


@login_required
def vulnerability_report(request: HttpRequest) -> HttpResponse:
    organisations = _acting_organisations(request.user)
    if not organisations:
        raise PermissionDenied
    form = VulnerabilityReportForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            vulnerability = services.report_vulnerability(by=request.user, **form.service_fields())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                f"Your report was recorded on {vulnerability.reference}. The clearinghouse's coordinators triage it.",
            )
            return redirect(_vulnerability_url(vulnerability))
    context = {"form": form, "single_organisation": organisations[0] if len(organisations) == 1 else None}
    return render(request, "clearinghouse/vulnerability_report.html", context)


def _vulnerability_page(
    request: HttpRequest,
    vulnerability: Vulnerability,
    triage_form: TriageForm | None = None,
    move_form: VulnerabilityMoveForm | None = None,
) -> HttpResponse:
    triager = _may_triage(request.user)
    live = not vulnerability.is_merged
    if triager and live and vulnerability.status in workflow.TRIAGEABLE and triage_form is None:
        triage_form = TriageForm(initial=TriageForm.initial_for(vulnerability))
    if triager and live and vulnerability.status in workflow.VULNERABILITY_MOVES and move_form is None:
        move_form = VulnerabilityMoveForm(current=vulnerability.status)
    context = _vulnerability_context(
        request,
        vulnerability,
        "details",
        products=selectors.products_of(vulnerability),
        reports=selectors.reports_of(vulnerability),
        source_case=selectors.source_case_for(request.user, vulnerability),
        triage_form=triage_form if triager and live else None,
        move_form=move_form if triager and live else None,
        duplicates=selectors.likely_duplicates(vulnerability) if triager and live else [],
    )
    return render(request, "clearinghouse/vulnerability_detail.html", context)


@login_required
def vulnerability_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _vulnerability_page(request, selectors.get_vulnerability_for(request.user, reference))


@login_required
def vulnerability_history(request: HttpRequest, reference: str) -> HttpResponse:
    vulnerability = selectors.get_vulnerability_for(request.user, reference)
    if not _may_triage(request.user):
        raise Http404("No such page")
    entries = selectors.vulnerability_history(vulnerability)
    context = _vulnerability_context(request, vulnerability, "history", entries=entries)
    return render(request, "clearinghouse/vulnerability_history.html", context)


@login_required
@require_POST
def vulnerability_triage(request: HttpRequest, reference: str) -> HttpResponse:
    vulnerability = selectors.get_vulnerability_for(request.user, reference)
    form = TriageForm(request.POST)
    if form.is_valid():
        try:
            vulnerability = services.triage_vulnerability(vulnerability, by=request.user, **form.cleaned_data)
        except MoveNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect(_vulnerability_url(vulnerability))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            decision = vulnerability.get_ssvc_decision_display()
            messages.success(request, f"Triage recorded: the SSVC decision is {decision}.")
            return redirect(_vulnerability_url(vulnerability))
    return _vulnerability_page(request, vulnerability, triage_form=form)


@login_required
@require_POST
def vulnerability_move(request: HttpRequest, reference: str) -> HttpResponse:
    vulnerability = selectors.get_vulnerability_for(request.user, reference)
    form = VulnerabilityMoveForm(request.POST, current=vulnerability.status)
    if form.is_valid():
        try:
            vulnerability = services.move_vulnerability(
                vulnerability, by=request.user, status=form.cleaned_data["status"]
            )
        except MoveNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect(_vulnerability_url(vulnerability))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"The vulnerability is now {vulnerability.get_status_display().lower()}.")
            return redirect(_vulnerability_url(vulnerability))
    return _vulnerability_page(request, vulnerability, move_form=form)


@login_required
@require_POST
def vulnerability_merge(request: HttpRequest, reference: str, duplicate: str) -> HttpResponse:
    into = selectors.get_vulnerability_for(request.user, reference)
    merged = selectors.get_vulnerability_for(request.user, duplicate)
    try:
        services.merge_vulnerabilities(merged, into=into, by=request.user)
    except MoveNotAllowed as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{merged.reference} was merged into {into.reference}; its reporters stay credited.")
    return redirect(_vulnerability_url(into))


# ---------------------------------------------------------------------------
# Directives


def _directive_url(directive: Directive) -> str:
    return reverse("clearinghouse:directive-detail", args=[directive.identifier])


def directive_list(request: HttpRequest) -> HttpResponse:
    context = {
        "page": _page(request, selectors.directives_visible_to(request.user)),
        "may_issue": selectors.may_issue_directives(request.user),
    }
    return render(request, "clearinghouse/directive_list.html", context)


@login_required
def directive_create(request: HttpRequest) -> HttpResponse:
    if not selectors.may_issue_directives(request.user):
        raise PermissionDenied
    form = DirectiveForm(request.POST or None, rows=DirectiveForm.rows_for(None))
    if request.method == "POST" and form.is_valid():
        try:
            directive = services.create_directive(by=request.user, **form.service_fields())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Draft {directive.identifier} saved. Only CISA sees it until it is issued.")
            return redirect(_directive_url(directive))
    return render(request, "clearinghouse/directive_form.html", {"form": form, "directive": None})


@login_required
def directive_edit(request: HttpRequest, identifier: str) -> HttpResponse:
    directive = selectors.get_directive_for(request.user, identifier)
    if not selectors.may_issue_directives(request.user):
        raise PermissionDenied
    if directive.status != workflow.DirectiveStatus.DRAFT:
        messages.error(request, "Only a draft directive is edited; revoke an issued one and issue a new one.")
        return redirect(_directive_url(directive))
    form = DirectiveForm(
        request.POST or None, rows=DirectiveForm.rows_for(directive), initial=DirectiveForm.initial_for(directive)
    )
    if request.method == "POST" and form.is_valid():
        changes = form.service_fields(only_changed=True)
        try:
            if changes:
                directive = services.update_directive(directive, by=request.user, **changes)
        except MoveNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect(_directive_url(directive))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "The draft was saved." if changes else "Nothing was changed.")
            return redirect(_directive_url(directive))
    return render(request, "clearinghouse/directive_form.html", {"form": form, "directive": directive})


def _directive_page(request: HttpRequest, directive: Directive, bound: dict | None = None) -> HttpResponse:
    """The directive; `bound` keeps a rejected compliance report (action number -> form) so its
    errors show at its action."""
    user = request.user
    bound = bound or {}
    actions = list(selectors.required_actions_of(directive))
    reporting = selectors.reporting_organisations(user, directive)
    own_reports = selectors.own_reports_by_action(user, directive) if reporting else {}
    rows = []
    for action in actions:
        form = None
        if reporting:
            form = bound.get(action.number)
            if form is None:
                current = own_reports.get(action.pk, [])
                initial = {}
                if len(reporting) == 1 and current:
                    report = current[0]
                    initial = {"status": report.status, "completed_on": report.completed_on, "note": report.note}
                form = ComplianceReportForm(prefix=f"action-{action.number}", organisations=reporting, initial=initial)
        rows.append({"action": action, "reports": own_reports.get(action.pk, []), "form": form})
    issuer = selectors.may_issue_directives(user)
    moves = []
    if issuer:
        moves = [
            (slug, label, reverse("clearinghouse:directive-move", args=[directive.identifier, slug]))
            for slug, (_, label, _) in DIRECTIVE_MOVES.items()
            if directive.status in workflow.DIRECTIVE_MOVES[slug][0]
        ]
    kinds = dict(OrganisationKind.choices)
    context = {
        "directive": directive,
        "applies_to": [kinds.get(kind, kind) for kind in directive.applicable_kinds],
        "rows": rows,
        "reporting": reporting,
        "is_issuer": issuer,
        "moves": moves,
        "may_edit": issuer and directive.status == workflow.DirectiveStatus.DRAFT,
        "overview": selectors.compliance_overview(directive) if issuer and directive.issued_date else [],
        "overdue": _page(request, selectors.overdue_organisations(directive)) if issuer else None,
    }
    return render(request, "clearinghouse/directive_detail.html", context)


def directive_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    return _directive_page(request, selectors.get_directive_for(request.user, identifier))


@login_required
@require_POST
def directive_move(request: HttpRequest, identifier: str, move: str) -> HttpResponse:
    directive = selectors.get_directive_for(request.user, identifier)
    service, _, done = DIRECTIVE_MOVES[move]
    try:
        service(directive, by=request.user)
    except MoveNotAllowed as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(_directive_url(directive))


@login_required
@require_POST
def compliance_report(request: HttpRequest, identifier: str, number: int) -> HttpResponse:
    directive = selectors.get_directive_for(request.user, identifier)
    action = next((a for a in selectors.required_actions_of(directive) if a.number == number), None)
    if action is None:
        raise Http404("No such required action")
    reporting = selectors.reporting_organisations(request.user, directive)
    if not reporting:
        raise PermissionDenied
    form = ComplianceReportForm(request.POST, prefix=f"action-{number}", organisations=reporting)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.report_compliance(
                action,
                by=request.user,
                organisation=form.organisation(),
                status=data["status"],
                note=data["note"],
                completed_on=data["completed_on"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Your report on action {number} was saved.")
            return redirect(_directive_url(directive))
    return _directive_page(request, directive, bound={number: form})


# ---------------------------------------------------------------------------
# Defensive tools


def tool_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "clearinghouse/tool_list.html", {"page": _page(request, selectors.tools_visible_to(request.user))}
    )


def _tool_page(request: HttpRequest, tool, form: ToolRequestForm | None = None) -> HttpResponse:
    organisations = selectors.requesting_organisations(request.user, tool)
    if organisations and form is None:
        form = ToolRequestForm(organisations=organisations)
    context = {"tool": tool, "form": form if organisations else None, "organisations": organisations}
    return render(request, "clearinghouse/tool_detail.html", context)


def tool_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _tool_page(request, selectors.get_tool_for(request.user, slug))


@login_required
@require_POST
def tool_request(request: HttpRequest, slug: str) -> HttpResponse:
    tool = selectors.get_tool_for(request.user, slug)
    organisations = selectors.requesting_organisations(request.user, tool)
    if not organisations:
        raise PermissionDenied
    form = ToolRequestForm(request.POST, organisations=organisations)
    if form.is_valid():
        try:
            tool_request = services.request_tool(
                tool,
                by=request.user,
                organisation=form.organisation(),
                justification=form.cleaned_data["justification"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Your request for {tool.name} was sent to {tool.provider.short_name}.")
            return redirect("clearinghouse:tool-request-detail", request_id=tool_request.pk)
    return _tool_page(request, tool, form)


@login_required
def tool_request_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.tool_requests_visible_to(request.user))
    return render(request, "clearinghouse/tool_request_list.html", {"page": page})


def _tool_request_page(request: HttpRequest, tool_request: ToolRequest, form: ToolDecisionForm | None = None):
    open_request = tool_request.status in workflow.TOOL_REQUEST_DECIDABLE
    may_decide = open_request and selectors.may_decide(request.user, tool_request)
    context = {
        "tool_request": tool_request,
        "form": (form or ToolDecisionForm()) if may_decide else None,
        "may_withdraw": open_request
        and permissions.has_role_at_least(request.user, tool_request.organisation, Role.MEMBER),
    }
    return render(request, "clearinghouse/tool_request_detail.html", context)


@login_required
def tool_request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    return _tool_request_page(request, selectors.get_tool_request_for(request.user, request_id))


@login_required
@require_POST
def tool_request_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    tool_request = selectors.get_tool_request_for(request.user, request_id)
    form = ToolDecisionForm(request.POST)
    approve = request.POST.get("decision") == "approve"
    if form.is_valid():
        try:
            services.decide_tool_request(
                tool_request, by=request.user, approve=approve, note=form.cleaned_data["decision_note"]
            )
        except MoveNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect("clearinghouse:tool-request-detail", request_id=tool_request.pk)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "The request was approved." if approve else "The request was declined.")
            return redirect("clearinghouse:tool-request-detail", request_id=tool_request.pk)
    return _tool_request_page(request, tool_request, form)


@login_required
@require_POST
def tool_request_withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    tool_request = selectors.get_tool_request_for(request.user, request_id)
    try:
        services.withdraw_tool_request(tool_request, by=request.user)
    except MoveNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Your request was withdrawn.")
    return redirect("clearinghouse:tool-request-detail", request_id=tool_request.pk)
