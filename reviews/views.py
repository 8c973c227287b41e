"""Pages of the Frontier model reviews program; thin: selectors to read, services to write.

What a person sees of a case follows `selectors.access_to`: a tab beyond their access answers
404, like a case they cannot see at all. Each action is a small POST form; the service checks
who may take it (403) and whether the case's state allows it (an error message on the page).
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
)
from django.shortcuts import redirect, render
from django.urls import reverse

from eo_portal import edit_versions, permissions, uploads
from eo_portal.audit import history_entries
from eo_portal.forms import add_service_error
from eo_portal.pagination import CappedPaginator
from reviews import selectors, services, workflow
from reviews.forms import (
    CaseFilterForm,
    CaseForm,
    DeterminationForm,
    DocumentForm,
    FindingForm,
    FindingResponseForm,
    GovernmentAccessForm,
    MessageForm,
    ProposePartnerForm,
)
from reviews.models import FindingStatus, Outcome, PartnerStatus, ReviewCase
from reviews.selectors import Access
from reviews.workflow import Status, TransitionNotAllowed

CASES_PER_PAGE = 50

# URL slug -> (transition name in the state table, the service that takes it, what the page says after)
TRANSITIONS = {
    "submit": ("submit", services.submit_case, "The case was submitted for voluntary review."),
    "withdraw": ("withdraw", services.withdraw_case, "The case was withdrawn."),
    "start-screening": ("start_screening", services.start_screening, "Screening started."),
    "start-review": ("start_review", services.start_review, "The review started."),
    "issue-findings": ("issue_findings", services.issue_findings, "The draft findings were issued to the lab."),
    "close": ("close", services.close_case, "The case was closed."),
}
SLUG_OF = {name: slug for slug, (name, _, _) in TRANSITIONS.items()}


def _case_url(case: ReviewCase, tab: str = "summary") -> str:
    name = "reviews:case-detail" if tab == "summary" else f"reviews:case-{tab}"
    return reverse(name, args=[case.reference])


# ---------------------------------------------------------------------------
# The case list


def case_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        # The program is public; its cases are not.
        return render(request, "reviews/welcome.html")
    visible = selectors.cases_visible_to(user, for_list=True)
    labs = selectors.labs_among(visible)
    form = CaseFilterForm(request.GET or None, labs=labs)
    chosen = {}
    if form.is_bound:
        form.is_valid()
        for name in form.fields:
            if name in form.errors:
                label = form[name].label
                messages.warning(request, f"The filter “{label}” was ignored: {' '.join(form.errors[name])}")
            elif form.cleaned_data.get(name) not in (None, ""):
                chosen[name] = form.cleaned_data[name]
        form = CaseFilterForm(initial=chosen, labs=labs)
    cases = selectors.order_for(user, selectors.filter_cases(visible, **chosen))
    page = CappedPaginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    access = selectors.access_map(user, list(page.object_list))
    # A reviews coordinator may see that a case exists and nothing more: no model, no dates.
    rows = [(case, access[case.pk] >= Access.PARTNER) for case in page.object_list]
    return render(
        request,
        "reviews/index.html",
        {
            "page": page,
            "rows": rows,
            "filter_form": form,
            "filtered": bool(chosen),
            "can_file": bool(selectors.labs_filing_for(user)),
            "invitations": list(selectors.invitations_for(user)),
        },
    )


@login_required
def case_create(request: HttpRequest) -> HttpResponse:
    labs = selectors.labs_filing_for(request.user)
    if not labs:
        raise PermissionDenied
    form = CaseForm(request.POST or None, labs=[(lab.pk, lab.name) for lab in labs])
    if request.method == "POST" and form.is_valid():
        lab = next((o for o in labs if o.pk == form.cleaned_data.get("lab")), labs[0])
        try:
            case = services.create_case(
                by=request.user, lab=lab, **{name: form.cleaned_data[name] for name in services.DRAFT_FIELDS}
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Draft {case.reference} saved. Only your lab sees it until it is submitted.")
            return redirect(_case_url(case))
    context = {"form": form, "case": None, "single_lab": labs[0] if len(labs) == 1 else None}
    return render(request, "reviews/case_form.html", context)


# ---------------------------------------------------------------------------
# The case and its tabs


def _case_for(request: HttpRequest, reference: str, at_least: Access = Access.LISTED):
    """The case and the user's access to it; 404 when the user cannot see it or not this much of it."""
    case = selectors.get_case_for(request.user, reference)
    access = selectors.access_to(request.user, case)
    if access < at_least:
        raise Http404("No such review case")
    return case, access


def _tabs(case: ReviewCase, access: Access) -> list[tuple[str, str, str]]:
    if access >= Access.LAB:
        keys = [
            ("summary", "Summary"),
            ("partners", "Partners"),
            ("findings", "Findings"),
            ("messages", "Messages"),
            ("documents", "Documents"),
            ("history", "History"),
        ]
    elif access == Access.PARTNER:
        keys = [("summary", "Summary"), ("documents", "Documents")]
    else:
        return []
    return [(key, label, _case_url(case, key)) for key, label in keys]


def _context(request: HttpRequest, case: ReviewCase, access: Access, tab: str, **extra) -> dict:
    return {
        "case": case,
        "access": access,
        "tab": tab,
        "tabs": _tabs(case, access),
        "tabs_label": f"Sections of case {case.reference}",
        "sees_summary": access >= Access.PARTNER,
        "sees_all": access >= Access.LAB,
        "is_government": access == Access.GOVERNMENT,
        "is_lab": access == Access.LAB,
    } | extra


def _may(request: HttpRequest, permission: str, case: ReviewCase) -> bool:
    return permissions.has_object_permission(request.user, permission, case)


def _summary(request: HttpRequest, case: ReviewCase, access: Access, access_form=None) -> HttpResponse:
    extra = {}
    if access >= Access.LAB:
        determination = getattr(case, "determination", None)
        actions, withdraw_url, determination_url = [], None, None
        for transition in workflow.available(case.status):
            if not _may(request, transition.permission, case):
                continue
            if transition.name == "determination":
                if determination is None:
                    determination_url = reverse("reviews:case-determination", args=[case.reference])
                continue
            if transition.name == "start_review" and (
                determination is None or determination.outcome != Outcome.MEETS_THRESHOLD
            ):
                continue
            url = reverse("reviews:case-transition", args=[case.reference, SLUG_OF[transition.name]])
            if transition.name == "withdraw":
                withdraw_url = url
            else:
                actions.append((transition.label, url))
        may_record_access = case.status not in workflow.ENDED_STATES and (
            _may(request, "manage_reviewcase", case) or _may(request, "review_reviewcase", case)
        )
        if may_record_access and access_form is None:
            access_form = GovernmentAccessForm(initial={"government_access_date": case.government_access_date})
        extra = {
            "determination": determination,
            "actions": actions,
            "withdraw_url": withdraw_url,
            "determination_url": determination_url,
            "can_edit": case.status == Status.DRAFT and _may(request, "change_reviewcase", case),
            "access_form": access_form if may_record_access else None,
        }
    return render(request, "reviews/case_detail.html", _context(request, case, access, "summary", **extra))


@login_required
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case, access = _case_for(request, reference)
    return _summary(request, case, access)


@login_required
def case_government_access(request: HttpRequest, reference: str) -> HttpResponse:
    case, access = _case_for(request, reference, Access.LAB)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = GovernmentAccessForm(request.POST)
    if form.is_valid():
        try:
            services.record_government_access(case, by=request.user, on=form.cleaned_data["government_access_date"])
        except TransitionNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect(_case_url(case))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "The government access date was recorded; the 30-day window counts from it.")
            return redirect(_case_url(case))
    return _summary(request, case, access, access_form=form)


@login_required
def case_edit(request: HttpRequest, reference: str) -> HttpResponse:
    case, access = _case_for(request, reference, Access.LAB)
    if not _may(request, "change_reviewcase", case):
        raise PermissionDenied
    if case.status != Status.DRAFT:
        messages.error(request, "Only a draft can be edited; after submission, use messages.")
        return redirect(_case_url(case))
    # The form works on a copy, so a rejected submission never alters what the page shows.
    form = CaseForm(request.POST or None, instance=copy.copy(case))
    edit_versions.add_form_field(form, case)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in services.DRAFT_FIELDS}
        try:
            if changes:
                services.update_draft(
                    case, by=request.user, expected_version=form.cleaned_data[edit_versions.FIELD], **changes
                )
        except edit_versions.StaleEdit as exc:
            form.add_error(None, str(exc))
        except TransitionNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect(_case_url(case))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "The draft was saved." if changes else "Nothing was changed.")
            return redirect(_case_url(case))
    return render(request, "reviews/case_form.html", _context(request, case, access, "summary", form=form))


@login_required
def case_transition(request: HttpRequest, reference: str, transition: str) -> HttpResponse:
    """One view for each step of the state table; withdrawal asks for confirmation first."""
    case, access = _case_for(request, reference)
    name, service, done = TRANSITIONS[transition]
    if request.method == "GET" and transition == "withdraw":
        if not _may(request, workflow.TRANSITIONS[name].permission, case):
            raise PermissionDenied
        try:
            workflow.check(name, case.status)
        except TransitionNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect(_case_url(case))
        return render(request, "reviews/case_withdraw.html", _context(request, case, access, "summary"))
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"] if transition == "withdraw" else ["POST"])
    try:
        service(case, by=request.user)
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(_case_url(case))


@login_required
def case_determination(request: HttpRequest, reference: str) -> HttpResponse:
    case, access = _case_for(request, reference, Access.LAB)
    if not _may(request, "review_reviewcase", case):
        raise PermissionDenied
    try:
        workflow.check("determination", case.status)
        if getattr(case, "determination", None) is not None:
            raise TransitionNotAllowed("A determination is already recorded for this case.")
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
        return redirect(_case_url(case))
    form = DeterminationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            determination = services.record_determination(
                case,
                by=request.user,
                outcome=form.cleaned_data["outcome"],
                rationale=form.cleaned_data["rationale"],
                classified_reference=form.cleaned_data["classified_reference"],
                determined_on=form.cleaned_data["determined_on"],
            )
        except TransitionNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect(_case_url(case))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Determination recorded: {determination.get_outcome_display()}.")
            return redirect(_case_url(case))
    return render(request, "reviews/determination_form.html", _context(request, case, access, "summary", form=form))


@login_required
def case_history(request: HttpRequest, reference: str) -> HttpResponse:
    case, access = _case_for(request, reference, Access.LAB)
    context = _context(request, case, access, "history", entries=history_entries(case))
    return render(request, "reviews/case_history.html", context)


# ---------------------------------------------------------------------------
# Trusted partners


@login_required
def case_partners(request: HttpRequest, reference: str) -> HttpResponse:
    case, access = _case_for(request, reference, Access.LAB)
    may_manage = _may(request, "manage_reviewcase", case)
    may_review = _may(request, "review_reviewcase", case)
    form = None
    if may_manage and case.status not in workflow.ENDED_STATES:
        form = ProposePartnerForm(request.POST or None, partners=selectors.partner_organisations())
        if request.method == "POST" and form.is_valid():
            try:
                access_row = services.propose_partner(
                    case, by=request.user, partner=form.cleaned_data["partner"], purpose=form.cleaned_data["purpose"]
                )
            except TransitionNotAllowed as exc:
                messages.error(request, str(exc))
                return redirect(_case_url(case, "partners"))
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request, f"{access_row.partner.short_name} was proposed; an assigned agency concurs or declines."
                )
                return redirect(_case_url(case, "partners"))
    elif request.method == "POST":
        raise PermissionDenied
    rows = []
    for partner_access in selectors.partners_for(case, access):
        rows.append(
            {
                "access": partner_access,
                "may_decide": may_review and partner_access.status == PartnerStatus.PROPOSED,
                "may_revoke": (may_manage or may_review)
                and partner_access.status not in (PartnerStatus.DECLINED, PartnerStatus.REVOKED),
            }
        )
    context = _context(request, case, access, "partners", rows=rows, form=form)
    return render(request, "reviews/case_partners.html", context)


@login_required
def partner_action(request: HttpRequest, reference: str, access_id: int, action: str) -> HttpResponse:
    case, access = _case_for(request, reference, Access.LAB)
    partner_access = selectors.get_partner_access_for(case, access, access_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    name = partner_access.partner.short_name
    try:
        if action == "revoke":
            services.revoke_partner(partner_access, by=request.user)
            messages.success(request, f"{name}'s access was revoked.")
        else:
            concur = action == "concur"
            services.decide_partner(partner_access, by=request.user, concur=concur)
            messages.success(
                request,
                f"The government concurred with {name}; its manager is invited to accept the terms."
                if concur
                else f"The government declined {name}.",
            )
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    return redirect(_case_url(case, "partners"))


@login_required
def invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    """A partner's manager reads the non-disclosure terms and accepts them for the organisation."""
    accepted = selectors.accepted_invitation_case(request.user, invitation_id)
    if accepted is not None and request.method == "GET":
        # The link in the invitation e-mail keeps working once the terms are accepted.
        return redirect(_case_url(accepted))
    offer = selectors.get_invitation_for(request.user, invitation_id)
    if request.method == "POST":
        try:
            services.accept_partner_terms(offer, by=request.user)
        except TransitionNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect("reviews:index")
        messages.success(request, f"The terms were accepted; {offer.partner.short_name} now has early access.")
        return redirect(_case_url(offer.case))
    return render(request, "reviews/invitation.html", {"invitation": offer})


# ---------------------------------------------------------------------------
# Findings


def _findings_page(request, case, access, draft_form=None, responding=None) -> HttpResponse:
    """The findings tab; `responding` is (finding number, bound response form) after a rejected answer."""
    may_review = _may(request, "review_reviewcase", case) and access == Access.GOVERNMENT
    may_respond = (
        access == Access.LAB and _may(request, "change_reviewcase", case) and case.status != Status.WITHDRAWN
    )
    rows = []
    for finding in selectors.findings_for(case, access):
        form = None
        if may_respond and finding.status == FindingStatus.ISSUED:
            form = responding[1] if responding and responding[0] == finding.number else None
            form = form or FindingResponseForm(prefix=f"finding-{finding.number}")
        rows.append((finding, form))
    may_draft = may_review and case.status in (Status.UNDER_REVIEW, Status.FINDINGS_ISSUED)
    context = _context(
        request,
        case,
        access,
        "findings",
        rows=rows,
        may_review=may_review,
        draft_form=(draft_form or FindingForm()) if may_draft else None,
        has_drafts=any(finding.status == FindingStatus.DRAFT for finding, _ in rows),
        issue_url=reverse("reviews:case-transition", args=[case.reference, "issue-findings"])
        if may_review and case.status in (Status.UNDER_REVIEW, Status.FINDINGS_ISSUED)
        else None,
    )
    return render(request, "reviews/case_findings.html", context)


@login_required
def case_findings(request: HttpRequest, reference: str) -> HttpResponse:
    case, access = _case_for(request, reference, Access.LAB)
    if request.method != "POST":
        return _findings_page(request, case, access)
    form = FindingForm(request.POST)
    if form.is_valid():
        try:
            finding = services.draft_finding(case, by=request.user, **form.cleaned_data)
        except TransitionNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect(_case_url(case, "findings"))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Finding {finding.number} was drafted; the lab sees it once it is issued.")
            return redirect(_case_url(case, "findings"))
    return _findings_page(request, case, access, draft_form=form)


@login_required
def finding_edit(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    case, access = _case_for(request, reference, Access.GOVERNMENT)
    finding = selectors.get_finding_for(case, access, number)
    if not _may(request, "review_reviewcase", case):
        raise PermissionDenied
    if finding.status != FindingStatus.DRAFT:
        messages.error(request, "An issued finding cannot be changed; draft a new one.")
        return redirect(_case_url(case, "findings"))
    form = FindingForm(request.POST or None, instance=copy.copy(finding))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if changes:
                services.update_finding(finding, by=request.user, **changes)
        except TransitionNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect(_case_url(case, "findings"))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Finding {finding.number} was saved." if changes else "Nothing was changed.")
            return redirect(_case_url(case, "findings"))
    context = _context(request, case, access, "findings", form=form, finding=finding)
    return render(request, "reviews/finding_form.html", context)


@login_required
def finding_respond(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    case, access = _case_for(request, reference, Access.LAB)
    finding = selectors.get_finding_for(case, access, number)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = FindingResponseForm(request.POST, prefix=f"finding-{finding.number}")
    if form.is_valid():
        try:
            services.respond_to_finding(finding, by=request.user, body=form.cleaned_data["body"])
        except TransitionNotAllowed as exc:
            messages.error(request, str(exc))
            return redirect(_case_url(case, "findings"))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Your response to finding {finding.number} was sent.")
            return redirect(_case_url(case, "findings"))
    return _findings_page(request, case, access, responding=(finding.number, form))


# ---------------------------------------------------------------------------
# Messages


@login_required
def case_messages(request: HttpRequest, reference: str) -> HttpResponse:
    case, access = _case_for(request, reference, Access.LAB)
    government = access == Access.GOVERNMENT and _may(request, "review_reviewcase", case)
    may_post = government or (access == Access.LAB and _may(request, "change_reviewcase", case))
    form = MessageForm(request.POST or None, government=government) if may_post else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.post_message(
                    case,
                    by=request.user,
                    body=form.cleaned_data["body"],
                    **({"audience": form.cleaned_data["audience"]} if government else {}),
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, "The message was posted.")
                return redirect(_case_url(case, "messages"))
    context = _context(
        request, case, access, "messages", case_messages=selectors.messages_for(case, access), form=form
    )
    return render(request, "reviews/case_messages.html", context)


# ---------------------------------------------------------------------------
# Documents


@login_required
def case_documents(request: HttpRequest, reference: str) -> HttpResponse:
    case, access = _case_for(request, reference, Access.PARTNER)
    is_lab = access == Access.LAB and _may(request, "change_reviewcase", case)
    may_upload = is_lab or (access == Access.GOVERNMENT and _may(request, "review_reviewcase", case))
    form = DocumentForm(request.POST or None, request.FILES or None, lab=is_lab) if may_upload else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                document = services.upload_document(
                    case,
                    by=request.user,
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                    upload=request.FILES["file"],
                    shareable=form.cleaned_data.get("shareable", False),
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"“{document.title}” was uploaded.")
                return redirect(_case_url(case, "documents"))
    context = _context(
        request,
        case,
        access,
        "documents",
        documents=selectors.documents_for(case, access),
        form=form,
        may_share=is_lab,
    )
    return render(request, "reviews/case_documents.html", context)


@login_required
def document_download(request: HttpRequest, reference: str, document_id: int) -> FileResponse:
    case, access = _case_for(request, reference, Access.PARTNER)
    document = selectors.get_document_for(case, access, document_id)
    return uploads.download(document.file, filename=document.original_name, content_type=document.content_type)


@login_required
def document_shareable(request: HttpRequest, reference: str, document_id: int) -> HttpResponse:
    case, access = _case_for(request, reference, Access.PARTNER)
    document = selectors.get_document_for(case, access, document_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    shareable = request.POST.get("shareable") == "true"
    services.set_document_shareable(document, by=request.user, shareable=shareable)
    messages.success(
        request,
        f"“{document.title}” is now shared with the case's trusted partners."
        if shareable
        else f"“{document.title}” is no longer shared with trusted partners.",
    )
    return redirect(_case_url(case, "documents"))
