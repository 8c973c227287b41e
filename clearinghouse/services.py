"""Every write of the clearinghouse: one function per action, the acting user as `by`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from clearinghouse import priority, selectors, workflow
from clearinghouse.models import (
    CVE_ID,
    TLP_RANK,
    Advisory,
    AdvisoryRevision,
    AffectedProduct,
    ComplianceReport,
    DefensiveTool,
    Delivery,
    Directive,
    Remediation,
    RequiredAction,
    Source,
    Tlp,
    ToolRequest,
    Vulnerability,
    VulnerabilityReport,
)
from clearinghouse.workflow import (
    AdvisoryStatus,
    ComplianceStatus,
    DeliveryStatus,
    DirectiveStatus,
    MoveNotAllowed,
    ToolRequestStatus,
    VulnerabilityStatus,
)
from eo_portal import deadlines, edit_versions, markings, permissions, registry
from eo_portal.audit import delete_audited, save_audited, set_related_audited
from eo_portal.errors import row_error
from eo_portal.models import Organisation, OrganisationKind, Role
from eo_portal.references import next_reference
from eo_portal.services import notify

if TYPE_CHECKING:
    from django.contrib.auth.models import User

VULNERABILITY_FIELDS = (
    "cve_id",
    "title",
    "description",
    "cwe_ids",
    "cvss_vector",
    "known_exploited",
    "known_exploited_date",
    "known_ransomware_use",
    "required_action",
    "remediation_due",
)
ADVISORY_FIELDS = ("title", "summary", "tlp", "audience_sectors", "audience_kinds", "release_at")
DIRECTIVE_FIELDS = ("identifier", "kind", "title", "summary", "applicable_kinds")
TOOL_FIELDS = ("name", "slug", "capability", "description", "eligible_kinds", "delivery_method", "is_available")
FREE_TEXT = {
    "title",
    "description",
    "summary",
    "details",
    "note",
    "justification",
    "required_action",
    "text",
    "reason",
    "change_summary",
    "decision_note",
}


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _refuse_markings(values: dict[str, Any]) -> None:
    """The portal is unclassified and keeps no secrets: free text refuses banner markings and credentials."""
    errors = {}
    for name, value in values.items():
        if name in FREE_TEXT and isinstance(value, str):
            try:
                markings.refuse_classification_markings(value)
                markings.refuse_credentials(value)
            except ValidationError as exc:
                errors[name] = exc.messages[0]
    if errors:
        raise ValidationError(errors)


def _set_fields(obj: Any, fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in sorted(unknown)})
    _refuse_markings(fields)
    for name, value in fields.items():
        setattr(obj, name, value)


def _lock(model: type, obj: Any) -> Any:
    return model.objects.select_for_update().get(pk=obj.pk)


def _enqueue(task: str, *args: Any) -> None:
    def run() -> None:
        from django_q.tasks import async_task

        async_task(task, *args)

    transaction.on_commit(run)


# ---------------------------------------------------------------------------
# Vulnerabilities


def _product_rows(products: Iterable[dict[str, str]]) -> list[AffectedProduct]:
    rows = []
    for index, product in enumerate(products):
        row = AffectedProduct(
            vendor=str(product.get("vendor", "")).strip(),
            product=str(product.get("product", "")).strip(),
            version_start=str(product.get("version_start", "") or "").strip(),
            version_end=str(product.get("version_end", "") or "").strip(),
            fixed_version=str(product.get("fixed_version", "") or "").strip(),
        )
        try:
            row.full_clean(exclude=["vulnerability"])
        except ValidationError as exc:
            raise row_error("products", f"Product {index + 1}", exc) from exc
        rows.append(row)
    return rows


def _write_products(vulnerability: Vulnerability, rows: list[AffectedProduct], *, by: User) -> None:
    for old in list(vulnerability.products.all()):
        delete_audited(old, by=by, reason="affected product replaced")
    for row in rows:
        row.vulnerability = vulnerability
        save_audited(row, by=by, reason="affected product recorded", validate=False)


def _check_source_case(by: User, source_case: Any) -> None:
    if source_case is not None and not registry.can_see(by, source_case):
        raise ValidationError({"source_case": "No such review case."})


def report_vulnerability(
    *,
    by: User,
    organisation: Organisation,
    source: str,
    credit: str = "",
    products: Iterable[dict[str, str]] = (),
    source_case: Any = None,
    **fields: Any,
) -> Vulnerability:
    """A report of a flaw. A CVE ID already on record adds this reporter to that vulnerability
    (one record per flaw); otherwise a new vulnerability is opened for triage. The reporting
    organisation sees the vulnerability from then on."""
    _require(permissions.has_role_at_least(by, organisation, Role.MEMBER))
    if source not in Source.values:
        raise ValidationError({"source": f"Choose one of: {', '.join(Source.values)}."})
    _check_source_case(by, source_case)
    vulnerability = Vulnerability(source=source, source_case=source_case, reference="pending")
    _set_fields(vulnerability, fields, VULNERABILITY_FIELDS)
    rows = _checked_intake(vulnerability, products)
    credit = credit.strip() or organisation.name
    submitted = {
        "title": vulnerability.title,
        "description": vulnerability.description,
        "cve_id": vulnerability.cve_id,
        "cwe_ids": vulnerability.cwe_ids,
        "cvss_vector": vulnerability.cvss_vector,
        "products": [
            {"vendor": r.vendor, "product": r.product, "version_start": r.version_start,
             "version_end": r.version_end, "fixed_version": r.fixed_version}
            for r in rows
        ],
    }
    with transaction.atomic():
        existing = None
        if vulnerability.cve_id:
            existing = (
                Vulnerability.objects.select_for_update().filter(cve_id=vulnerability.cve_id).first()
            )
        if existing is not None:
            target = existing.merged_into or existing
            reason = f"reported again by {organisation.short_name}"
        else:
            target = vulnerability
            target.reference = next_reference("CHV", deadlines.today().year)
            save_audited(target, by=by, reason="reported")
            _write_products(target, rows, by=by)
            reason = "reported"
        save_audited(
            VulnerabilityReport(
                vulnerability=target, organisation=organisation, reported_by=by, source=source, credit=credit,
                submitted=submitted,
            ),
            by=by,
            reason=reason,
        )
        permissions.grant_to_organisation("view_vulnerability", target, organisation, by=by)
        coordinators = selectors.triage_staff()
        notify(
            coordinators,
            by=by,
            subject=f"Vulnerability {target.reference} reported" + (" again" if existing else ""),
            body=f"{target.title}\nReported by {credit}.",
            link=f"/clearinghouse/vulnerabilities/{target.reference}/",
        )
    return target


def _checked_intake(vulnerability: Vulnerability, products: Iterable[dict[str, str]]) -> list[AffectedProduct]:
    """Every problem of a report at once. The CVE ID's uniqueness is left out: a CVE already on
    record adds this reporter to that vulnerability."""
    errors: dict[str, list[str]] = {}
    try:
        vulnerability.full_clean(exclude=["reference", "cve_id"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if vulnerability.cve_id:
        try:
            CVE_ID(vulnerability.cve_id)
        except ValidationError as exc:
            errors["cve_id"] = exc.messages
    rows: list[AffectedProduct] = []
    try:
        rows = _product_rows(products)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    else:
        if not rows:
            errors["products"] = ["Name at least one affected product (vendor and product)."]
    if errors:
        raise ValidationError(errors)
    return rows


def update_vulnerability(
    vulnerability: Vulnerability, *, by: User, products: Iterable[dict[str, str]] | None = None, **fields: Any
) -> Vulnerability:
    """A coordinator corrects the record; a CVE ID already held by another record is refused."""
    _require(permissions.has_role_permission(by, selectors.TRIAGE_ROLE))
    with transaction.atomic():
        vulnerability = _lock(Vulnerability, vulnerability)
        if vulnerability.is_merged:
            raise MoveNotAllowed(f"{vulnerability.reference} was merged into {vulnerability.merged_into.reference}.")
        _set_fields(vulnerability, fields, VULNERABILITY_FIELDS)
        try:
            vulnerability.full_clean()
        except ValidationError as exc:
            if "cve_id" in exc.message_dict and vulnerability.cve_id:
                holder = Vulnerability.objects.filter(cve_id=vulnerability.cve_id).exclude(pk=vulnerability.pk).first()
                if holder is not None:
                    raise ValidationError(
                        {"cve_id": f"{holder.reference} already has {vulnerability.cve_id}: merge the two instead."}
                    ) from exc
            raise
        save_audited(vulnerability, by=by, reason="record updated", validate=False)
        if products is not None:
            rows = _product_rows(products)
            if not rows:
                raise ValidationError({"products": "Name at least one affected product (vendor and product)."})
            _write_products(vulnerability, rows, by=by)
    return vulnerability


def triage_vulnerability(
    vulnerability: Vulnerability,
    *,
    by: User,
    exploitation: str,
    automatable: bool,
    technical_impact: str,
    mission_impact: str,
    remediation_due: date | None = None,
    required_action: str | None = None,
) -> Vulnerability:
    """Record SSVC's decision points; the decision follows from CISA's table. Triage may be
    repeated while the vulnerability is new or triaged, and each decision stays in its history."""
    _require(permissions.has_role_permission(by, selectors.TRIAGE_ROLE))
    errors = {}
    if exploitation not in priority.Exploitation.values:
        errors["exploitation"] = f"Choose one of: {', '.join(priority.Exploitation.values)}."
    if automatable not in (True, False):
        errors["automatable"] = "Answer yes or no."
    if technical_impact not in priority.TechnicalImpact.values:
        errors["technical_impact"] = f"Choose one of: {', '.join(priority.TechnicalImpact.values)}."
    if mission_impact not in priority.MissionImpact.values:
        errors["mission_impact"] = f"Choose one of: {', '.join(priority.MissionImpact.values)}."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        vulnerability = _lock(Vulnerability, vulnerability)
        if vulnerability.status not in workflow.TRIAGEABLE or vulnerability.is_merged:
            raise MoveNotAllowed(
                f"A vulnerability that is {vulnerability.get_status_display().lower()} is past triage."
            )
        vulnerability.exploitation = exploitation
        vulnerability.automatable = automatable
        vulnerability.technical_impact = technical_impact
        vulnerability.mission_impact = mission_impact
        if remediation_due is not None:
            vulnerability.remediation_due = remediation_due
        if required_action is not None:
            _refuse_markings({"required_action": required_action})
            vulnerability.required_action = required_action
        vulnerability.status = VulnerabilityStatus.TRIAGED
        vulnerability.triaged_at = timezone.now()
        vulnerability.full_clean()
        save_audited(
            vulnerability, by=by, reason=f"triaged: SSVC {vulnerability.get_ssvc_decision_display()}", validate=False
        )
    return vulnerability


def move_vulnerability(vulnerability: Vulnerability, *, by: User, status: str) -> Vulnerability:
    _require(permissions.has_role_permission(by, selectors.TRIAGE_ROLE))
    if status not in VulnerabilityStatus.values:
        raise ValidationError({"status": f"Choose one of: {', '.join(VulnerabilityStatus.values)}."})
    with transaction.atomic():
        vulnerability = _lock(Vulnerability, vulnerability)
        workflow.check_vulnerability_move(vulnerability.status, status)
        vulnerability.status = status
        save_audited(vulnerability, by=by, reason=f"moved to {VulnerabilityStatus(status).label.lower()}", validate=False)
    return vulnerability


def merge_vulnerabilities(duplicate: Vulnerability, *, into: Vulnerability, by: User) -> Vulnerability:
    """One vulnerability for one flaw: the duplicate's reporters move to the survivor, credited,
    and see it; the duplicate is closed and points at the survivor; draft advisories follow."""
    _require(permissions.has_role_permission(by, selectors.TRIAGE_ROLE))
    if duplicate.pk == into.pk:
        raise ValidationError({"into": "A vulnerability cannot be merged into itself."})
    with transaction.atomic():
        duplicate, into = _lock(Vulnerability, duplicate), _lock(Vulnerability, into)
        if duplicate.is_merged or into.is_merged:
            raise MoveNotAllowed("One of the two was already merged into another vulnerability.")
        published = duplicate.advisories.exclude(status=AdvisoryStatus.DRAFT)
        if published.exists():
            raise MoveNotAllowed(
                f"{duplicate.reference} is covered by advisory {published.first().reference}, which is past draft; "
                "merge the other way."
            )
        for report in list(duplicate.reports.select_related("organisation")):
            report.vulnerability = into
            save_audited(report, by=by, reason=f"merged from {duplicate.reference}", validate=False)
            permissions.grant_to_organisation("view_vulnerability", into, report.organisation, by=by)
        for advisory in list(duplicate.advisories.all()):
            kept = [v for v in advisory.vulnerabilities.all() if v.pk != duplicate.pk] + [into]
            set_related_audited(advisory, "vulnerabilities", kept, by=by, reason=f"{duplicate.reference} merged")
        if duplicate.known_exploited and not into.known_exploited:
            into.known_exploited, into.known_exploited_date = True, duplicate.known_exploited_date
        if not into.cve_id and duplicate.cve_id:
            cve_id, duplicate.cve_id = duplicate.cve_id, None
            save_audited(duplicate, by=by, reason=f"CVE ID moved to {into.reference}", validate=False)
            into.cve_id = cve_id
        save_audited(into, by=by, reason=f"{duplicate.reference} merged into it", validate=False)
        duplicate.merged_into = into
        duplicate.status = VulnerabilityStatus.CLOSED
        save_audited(duplicate, by=by, reason=f"merged into {into.reference}", validate=False)
    return into


# ---------------------------------------------------------------------------
# Advisories


def _check_audience(advisory: Advisory) -> None:
    """Whom the marking lets it reach must be named before it is published."""
    tlp = advisory.tlp
    if tlp == Tlp.GREEN and not (advisory.audience_sectors or advisory.audience_kinds):
        raise ValidationError({"audience_kinds": "TLP:GREEN goes to an audience: choose sectors or kinds."})
    if tlp in (Tlp.AMBER, Tlp.AMBER_STRICT) and not advisory.named_organisations.exists():
        raise ValidationError({"named_organisations": f"{Tlp(tlp).label} goes to named organisations: name them."})
    if tlp == Tlp.AMBER_STRICT and advisory.named_organisations.filter(kind=OrganisationKind.PARTNER).exists():
        raise ValidationError(
            {"named_organisations": "TLP:AMBER+STRICT stays within the named organisations: no partners."}
        )
    if tlp == Tlp.RED and not advisory.named_people.exists():
        raise ValidationError({"named_people": "TLP:RED goes to named people only: name them."})


def _write_remediations(advisory: Advisory, remediations: Iterable[dict[str, Any]], *, by: User) -> None:
    rows = []
    covered = {v.pk for v in advisory.vulnerabilities.all()}
    for index, item in enumerate(remediations):
        row = Remediation(
            advisory=advisory,
            vulnerability=item.get("vulnerability"),
            category=item.get("category", ""),
            details=item.get("details", ""),
            product_scope=item.get("product_scope", "") or "",
        )
        _refuse_markings({"details": row.details})
        if row.vulnerability is not None and row.vulnerability.pk not in covered:
            raise ValidationError(
                {"remediations": f"Remediation {index + 1}: {row.vulnerability.reference} is not in this advisory."}
            )
        try:
            row.full_clean()
        except ValidationError as exc:
            raise row_error("remediations", f"Remediation {index + 1}", exc) from exc
        rows.append(row)
    for old in list(advisory.remediations.all()):
        delete_audited(old, by=by, reason="remediation replaced")
    for row in rows:
        save_audited(row, by=by, reason="remediation recorded", validate=False)


def _set_audience_and_contents(
    advisory: Advisory,
    *,
    by: User,
    vulnerabilities: list[Vulnerability] | None,
    named_organisations: list[Organisation] | None,
    named_people: list[User] | None,
    remediations: Iterable[dict[str, Any]] | None,
) -> None:
    if vulnerabilities is not None:
        if any(v.is_merged for v in vulnerabilities):
            raise ValidationError({"vulnerabilities": "A merged vulnerability is covered by the one it was merged into."})
        set_related_audited(advisory, "vulnerabilities", vulnerabilities, by=by, reason="vulnerabilities set")
    if named_organisations is not None:
        set_related_audited(advisory, "named_organisations", named_organisations, by=by, reason="organisations named")
    if named_people is not None:
        set_related_audited(advisory, "named_people", named_people, by=by, reason="people named")
    if remediations is not None:
        _write_remediations(advisory, remediations, by=by)


def create_advisory(
    *,
    by: User,
    vulnerabilities: list[Vulnerability] = (),
    named_organisations: list[Organisation] = (),
    named_people: list[User] = (),
    remediations: Iterable[dict[str, Any]] = (),
    **fields: Any,
) -> Advisory:
    _require(permissions.has_role_permission(by, selectors.PUBLISH_ROLE))
    advisory = Advisory(created_by=by, reference="pending")
    _set_fields(advisory, fields, ADVISORY_FIELDS)
    advisory.full_clean(exclude=["reference"])
    with transaction.atomic():
        advisory.reference = next_reference("CHA", deadlines.today().year)
        save_audited(advisory, by=by, reason="draft created", validate=False)
        _set_audience_and_contents(
            advisory,
            by=by,
            vulnerabilities=list(vulnerabilities),
            named_organisations=list(named_organisations),
            named_people=list(named_people),
            remediations=list(remediations),
        )
    return advisory


def update_advisory(
    advisory: Advisory,
    *,
    by: User,
    vulnerabilities: list[Vulnerability] | None = None,
    named_organisations: list[Organisation] | None = None,
    named_people: list[User] | None = None,
    remediations: Iterable[dict[str, Any]] | None = None,
    expected_version: int | None = None,
    **fields: Any,
) -> Advisory:
    """Edit a draft; a published advisory changes only through `revise_advisory`, and an edit made
    from an older version is refused."""
    _require(permissions.has_role_permission(by, selectors.PUBLISH_ROLE))
    with transaction.atomic():
        advisory = _lock(Advisory, advisory)
        if advisory.status not in workflow.EDITABLE_ADVISORY:
            raise MoveNotAllowed(
                f"An advisory that is {advisory.get_status_display().lower()} is not edited; "
                + ("publish a new revision." if advisory.status == AdvisoryStatus.PUBLISHED else "return it to draft.")
            )
        edit_versions.advance(advisory, expected_version)
        _set_fields(advisory, fields, ADVISORY_FIELDS)
        save_audited(advisory, by=by, reason="draft edited")
        _set_audience_and_contents(
            advisory,
            by=by,
            vulnerabilities=vulnerabilities,
            named_organisations=named_organisations,
            named_people=named_people,
            remediations=remediations,
        )
    return advisory


def submit_advisory(advisory: Advisory, *, by: User) -> Advisory:
    """Send a draft for review by a second coordinator."""
    _require(permissions.has_role_permission(by, selectors.PUBLISH_ROLE))
    with transaction.atomic():
        advisory = _lock(Advisory, advisory)
        advisory.status = workflow.check_advisory_move("submit", advisory.status)
        _check_audience(advisory)
        if not advisory.vulnerabilities.exists():
            raise ValidationError({"vulnerabilities": "An advisory covers at least one vulnerability."})
        advisory.submitted_by = by
        save_audited(advisory, by=by, reason="sent for review")
    return advisory


def return_advisory(advisory: Advisory, *, by: User) -> Advisory:
    _require(permissions.has_role_permission(by, selectors.PUBLISH_ROLE))
    with transaction.atomic():
        advisory = _lock(Advisory, advisory)
        advisory.status = workflow.check_advisory_move("return", advisory.status)
        save_audited(advisory, by=by, reason="returned to draft")
    return advisory


def _snapshot(advisory: Advisory) -> dict[str, Any]:
    return {
        "vulnerabilities": [v.reference for v in advisory.vulnerabilities.order_by("id")],
        "remediations": [
            {
                "category": r.category,
                "details": r.details,
                "product_scope": r.product_scope,
                "vulnerability": r.vulnerability.reference if r.vulnerability else None,
            }
            for r in advisory.remediations.select_related("vulnerability")
        ],
        "audience_sectors": advisory.audience_sectors,
        "audience_kinds": advisory.audience_kinds,
        "named_organisations": [o.slug for o in advisory.named_organisations.order_by("slug")],
        "named_people": sorted(u.get_username() for u in advisory.named_people.all()),
        "release_at": advisory.release_at.isoformat() if advisory.release_at else None,
    }


def _record_revision(advisory: Advisory, *, by: User, change_summary: str, now: datetime) -> AdvisoryRevision:
    advisory.ssvc_rank = max((v.ssvc_rank for v in advisory.vulnerabilities.all()), default=0)
    revision = AdvisoryRevision(
        advisory=advisory,
        number=advisory.revision,
        title=advisory.title,
        summary=advisory.summary,
        tlp=advisory.tlp,
        content=_snapshot(advisory),
        change_summary=change_summary,
        published_at=now,
        published_by=by,
    )
    return save_audited(revision, by=by, reason=f"revision {advisory.revision} published")


def publish_advisory(advisory: Advisory, *, by: User) -> Advisory:
    """Publish after review by a coordinator other than the one who sent it for review; the
    deliveries are created by a background task, so publishing to thousands returns at once."""
    _require(permissions.has_role_permission(by, selectors.PUBLISH_ROLE))
    with transaction.atomic():
        advisory = _lock(Advisory, advisory)
        target = workflow.check_advisory_move("publish", advisory.status)
        if advisory.submitted_by_id == by.pk:
            raise PermissionDenied("A second coordinator publishes what you sent for review.")
        _check_audience(advisory)
        now = timezone.now()
        advisory.status, advisory.published_at, advisory.revision = target, now, 1
        _record_revision(advisory, by=by, change_summary="First publication.", now=now)
        save_audited(advisory, by=by, reason="published")
        _enqueue("clearinghouse.tasks.distribute_advisory", advisory.pk)
    return advisory


def revise_advisory(
    advisory: Advisory,
    *,
    by: User,
    change_summary: str,
    vulnerabilities: list[Vulnerability] | None = None,
    named_organisations: list[Organisation] | None = None,
    named_people: list[User] | None = None,
    remediations: Iterable[dict[str, Any]] | None = None,
    **fields: Any,
) -> Advisory:
    """Publish a new revision of a published advisory; the old text stays in its revisions and
    history. New recipients receive it; those who had it are told of the change. What was
    delivered cannot be recalled, so a raised marking binds only what is sent from now on."""
    _require(permissions.has_role_permission(by, selectors.PUBLISH_ROLE))
    if not change_summary.strip():
        raise ValidationError({"change_summary": "Say what changed in this revision."})
    _refuse_markings({"change_summary": change_summary})
    with transaction.atomic():
        advisory = _lock(Advisory, advisory)
        if advisory.status not in workflow.REVISABLE_ADVISORY:
            raise MoveNotAllowed(f"An advisory that is {advisory.get_status_display().lower()} cannot be revised.")
        previous_tlp = advisory.tlp
        _set_fields(advisory, fields, ADVISORY_FIELDS)
        advisory.full_clean()
        _set_audience_and_contents(
            advisory,
            by=by,
            vulnerabilities=vulnerabilities,
            named_organisations=named_organisations,
            named_people=named_people,
            remediations=remediations,
        )
        _check_audience(advisory)
        if not advisory.vulnerabilities.exists():
            raise ValidationError({"vulnerabilities": "An advisory covers at least one vulnerability."})
        now = timezone.now()
        advisory.revision += 1
        _record_revision(advisory, by=by, change_summary=change_summary.strip(), now=now)
        lowered = TLP_RANK[Tlp(advisory.tlp)] < TLP_RANK[Tlp(previous_tlp)]
        reason = f"revision {advisory.revision}" + (f": marking lowered from {previous_tlp}" if lowered else "")
        save_audited(advisory, by=by, reason=reason, validate=False)
        current = _narrow_to_current_audience(advisory, by=by)
        still_receiving = selectors.delivered_organisation_ids(advisory).filter(organisation_id__in=current)
        notify(
            selectors.members_of_recipients(advisory, still_receiving),
            by=by,
            subject=f"[TLP:{advisory.tlp}] {advisory.reference} revised: {advisory.title}",
            body=f"{advisory.tlp_meaning}\n\nRevision {advisory.revision}: {change_summary.strip()}",
            link=f"/clearinghouse/advisories/{advisory.reference}/",
        )
        _enqueue("clearinghouse.tasks.distribute_advisory", advisory.pk)
    return advisory


def _narrow_to_current_audience(advisory: Advisory, *, by: User) -> QuerySet:
    """After a revision: who no longer falls in the audience (a raised marking, fewer names) loses
    the advisory's current text. What they received before cannot be recalled; their delivery stays
    on record. Returns the current recipients' ids."""
    current = selectors.recipients_of(advisory).values("pk")
    reason = f"not in the audience of revision {advisory.revision}"
    if advisory.tlp == Tlp.RED:
        permissions.revoke_from_groups_except("view_advisory", advisory, None, by=by, reason=reason)
        named = set(advisory.named_people.values_list("pk", flat=True))
        permissions.revoke_from_users_except("view_advisory", advisory, named, by=by, reason=reason)
    else:
        groups = set(selectors.recipients_of(advisory).values_list("group_id", flat=True))
        permissions.revoke_from_groups_except("view_advisory", advisory, groups, by=by, reason=reason)
        permissions.revoke_from_users_except("view_advisory", advisory, set(), by=by, reason=reason)
    return current


def withdraw_advisory(advisory: Advisory, *, by: User, reason: str) -> Advisory:
    _require(permissions.has_role_permission(by, selectors.PUBLISH_ROLE))
    if not reason.strip():
        raise ValidationError({"reason": "Say why the advisory is withdrawn."})
    _refuse_markings({"reason": reason})
    with transaction.atomic():
        advisory = _lock(Advisory, advisory)
        advisory.status = workflow.check_advisory_move("withdraw", advisory.status)
        advisory.withdrawn_at, advisory.withdrawal_reason = timezone.now(), reason.strip()
        save_audited(advisory, by=by, reason="withdrawn")
        notify(
            selectors.members_of_recipients(advisory, selectors.delivered_organisation_ids(advisory)),
            by=by,
            subject=f"[TLP:{advisory.tlp}] {advisory.reference} withdrawn: {advisory.title}",
            body=reason.strip(),
            link=f"/clearinghouse/advisories/{advisory.reference}/",
        )
    return advisory


def distribute_advisory(advisory: Advisory, *, by: User) -> int:
    """Deliver a published advisory to every recipient that does not have it yet; returns how many
    were added. Bulk writes in a fixed number of queries on PostgreSQL, whatever the number of
    recipients; the advisory's row lock makes two runs at once deliver once."""
    with transaction.atomic():
        advisory = Advisory.objects.select_for_update().filter(pk=advisory.pk).first()
        if advisory is None or advisory.status != AdvisoryStatus.PUBLISHED:
            return 0
        if advisory.tlp == Tlp.RED:
            # Every named person, also one named in a revision whose organisation already has it.
            for person in advisory.named_people.filter(is_active=True):
                permissions.grant_to_user("view_advisory", advisory, person, by=by)
        current = list(selectors.recipients_of(advisory).values_list("pk", "group_id"))
        if advisory.tlp != Tlp.RED:
            # Also regrants a recipient that a narrower revision had left out and a later one names again.
            permissions.grant_to_groups_in_bulk("view_advisory", advisory, [group for _, group in current], by=by)
        delivered = set(selectors.delivered_organisation_ids(advisory).values_list("organisation_id", flat=True))
        new = [(pk, group) for pk, group in current if pk not in delivered]
        if not new:
            return 0
        now = timezone.now()
        deliveries = [
            Delivery(advisory=advisory, organisation_id=pk, delivered_at=now, delivered_revision=advisory.revision)
            for pk, _ in new
        ]
        bulk_create_with_history(
            deliveries, Delivery, default_user=by, default_change_reason=f"delivered revision {advisory.revision}"
        )
        notify(
            selectors.members_of_recipients(advisory, [pk for pk, _ in new]),
            by=by,
            subject=f"[TLP:{advisory.tlp}] New advisory {advisory.reference}: {advisory.title}",
            body=f"{advisory.tlp_meaning}\n\nRecord whether it affects you and your progress in the portal.",
            link=f"/clearinghouse/advisories/{advisory.reference}/",
        )
    return len(new)


def _remediation_inputs(advisory: Advisory) -> tuple[bool, bool, str] | None:
    """The worst case over the advisory's vulnerabilities: known exploited, automatable, impact.
    None while any of them is untriaged: the table cannot be read without all four points."""
    vulnerabilities = list(advisory.vulnerabilities.all())
    if not vulnerabilities or any(v.automatable is None or not v.technical_impact for v in vulnerabilities):
        return None
    return (
        any(v.known_exploited for v in vulnerabilities),
        any(v.automatable for v in vulnerabilities),
        "total" if any(v.technical_impact == "total" for v in vulnerabilities) else "partial",
    )


def report_on_delivery(
    delivery: Delivery,
    *,
    by: User,
    status: str | None = None,
    note: str | None = None,
    in_estate: bool | None = None,
    exposed: bool | None = None,
    acknowledge: bool = True,
) -> Delivery:
    """The recipient acknowledges and reports. With the product in its estate and its exposure
    recorded, BOD 26-04's table gives its remediation timeline and due date, counted from delivery."""
    _require(selectors.may_report_on(by, delivery))
    if status is not None and status not in DeliveryStatus.values:
        raise ValidationError({"status": f"Choose one of: {', '.join(DeliveryStatus.values)}."})
    if note is not None:
        _refuse_markings({"note": note})
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().select_related("advisory", "organisation").get(pk=delivery.pk)
        if delivery.advisory.status not in workflow.DISTRIBUTED:
            raise MoveNotAllowed("This advisory is not distributed.")
        reasons = []
        if acknowledge and delivery.acknowledged_at is None:
            delivery.acknowledged_at, delivery.acknowledged_by = timezone.now(), by
            reasons.append("acknowledged")
        if in_estate is not None:
            delivery.in_estate = in_estate
        if exposed is not None:
            delivery.exposed = exposed
        if note is not None:
            delivery.note = note
        if status is not None and status != delivery.status:
            delivery.status, delivery.status_changed_at = status, timezone.now()
            delivery.remediated_at = timezone.now() if status == DeliveryStatus.REMEDIATED else None
            reasons.append(f"status {DeliveryStatus(status).label.lower()}")
        if delivery.in_estate is False and status is None and delivery.status == DeliveryStatus.NOT_STARTED:
            delivery.status, delivery.status_changed_at = DeliveryStatus.NOT_AFFECTED, timezone.now()
        _set_timeline(delivery)
        delivery.full_clean()
        save_audited(delivery, by=by, reason=", ".join(reasons) or "report updated", validate=False)
    return delivery


def _set_timeline(delivery: Delivery) -> None:
    inputs = _remediation_inputs(delivery.advisory)
    if not delivery.in_estate or delivery.exposed is None or inputs is None:
        delivery.timeline, delivery.due_date = "", None
        return
    known_exploited, automatable, impact = inputs
    delivery.timeline = priority.remediation_timeline(
        known_exploited=known_exploited, exposed=delivery.exposed, automatable=automatable, technical_impact=impact
    )
    delivery.due_date = priority.timeline_due_date(delivery.timeline, deadlines.local_date(delivery.delivered_at))


# ---------------------------------------------------------------------------
# Directives


def _write_actions(directive: Directive, actions: Iterable[tuple[str, int]], *, by: User) -> None:
    rows = []
    for number, (text, days) in enumerate(actions, start=1):
        _refuse_markings({"text": text})
        row = RequiredAction(directive=directive, number=number, text=str(text).strip(), due_in_days=days)
        try:
            row.full_clean(exclude=["directive"])
        except ValidationError as exc:
            raise row_error("required_actions", f"Action {number}", exc) from exc
        rows.append(row)
    if not rows:
        raise ValidationError({"required_actions": "A directive has at least one required action."})
    for old in list(directive.required_actions.all()):
        delete_audited(old, by=by, reason="required action replaced")
    for row in rows:
        save_audited(row, by=by, reason="required action set", validate=False)


def create_directive(*, by: User, required_actions: Iterable[tuple[str, int]], **fields: Any) -> Directive:
    _require(permissions.has_role_permission(by, selectors.DIRECTIVE_ROLE))
    directive = Directive(created_by=by)
    _set_fields(directive, fields, DIRECTIVE_FIELDS)
    directive.full_clean()
    with transaction.atomic():
        save_audited(directive, by=by, reason="draft created", validate=False)
        _write_actions(directive, list(required_actions), by=by)
    return directive


def update_directive(
    directive: Directive, *, by: User, required_actions: Iterable[tuple[str, int]] | None = None, **fields: Any
) -> Directive:
    _require(permissions.has_role_permission(by, selectors.DIRECTIVE_ROLE))
    with transaction.atomic():
        directive = _lock(Directive, directive)
        if directive.status != DirectiveStatus.DRAFT:
            raise MoveNotAllowed("An issued directive is not edited; revoke it and issue a new one.")
        _set_fields(directive, fields, DIRECTIVE_FIELDS)
        save_audited(directive, by=by, reason="draft edited")
        if required_actions is not None:
            _write_actions(directive, list(required_actions), by=by)
    return directive


def issue_directive(directive: Directive, *, by: User) -> Directive:
    """Issue today (US Eastern); each required action is due that many calendar days later."""
    _require(permissions.has_role_permission(by, selectors.DIRECTIVE_ROLE))
    with transaction.atomic():
        directive = _lock(Directive, directive)
        directive.status = workflow.check_directive_move("issue", directive.status)
        directive.issued_date = deadlines.today()
        save_audited(directive, by=by, reason="issued")
        people = selectors.people_of(selectors.applicable_organisations(directive))
        notify(
            people,
            by=by,
            subject=f"{directive.identifier} issued: {directive.title}",
            body="It applies to your organisation. Report on each required action in the portal.",
            link=f"/clearinghouse/directives/{directive.identifier}/",
        )
    return directive


def revoke_directive(directive: Directive, *, by: User) -> Directive:
    _require(permissions.has_role_permission(by, selectors.DIRECTIVE_ROLE))
    with transaction.atomic():
        directive = _lock(Directive, directive)
        directive.status = workflow.check_directive_move("revoke", directive.status)
        save_audited(directive, by=by, reason="revoked")
    return directive


def report_compliance(
    action: RequiredAction,
    *,
    by: User,
    organisation: Organisation,
    status: str,
    note: str = "",
    completed_on: date | None = None,
) -> ComplianceReport:
    """An applicable organisation reports on one required action; a later report updates it."""
    directive = action.directive
    if organisation not in selectors.reporting_organisations(by, directive):
        raise PermissionDenied
    if status not in ComplianceStatus.values:
        raise ValidationError({"status": f"Choose one of: {', '.join(ComplianceStatus.values)}."})
    _refuse_markings({"note": note})
    with transaction.atomic():
        report = (
            ComplianceReport.objects.select_for_update().filter(required_action=action, organisation=organisation).first()
            or ComplianceReport(required_action=action, organisation=organisation)
        )
        report.status, report.note, report.completed_on, report.reported_by = status, note, completed_on, by
        save_audited(report, by=by, reason=f"reported {ComplianceStatus(status).label.lower()}")
    return report


# ---------------------------------------------------------------------------
# Defensive tools


def create_tool(*, by: User, provider: Organisation, **fields: Any) -> DefensiveTool:
    if provider.kind != OrganisationKind.AGENCY:
        raise ValidationError({"provider": "Defensive tools are offered by federal agencies."})
    _require(permissions.has_role_at_least(by, provider, Role.MEMBER))
    tool = DefensiveTool(provider=provider)
    _set_fields(tool, fields, TOOL_FIELDS)
    return save_audited(tool, by=by, reason="offered")


def update_tool(tool: DefensiveTool, *, by: User, **fields: Any) -> DefensiveTool:
    _require(permissions.has_role_at_least(by, tool.provider, Role.MEMBER))
    with transaction.atomic():
        tool = _lock(DefensiveTool, tool)
        _set_fields(tool, fields, TOOL_FIELDS)
        save_audited(tool, by=by, reason="catalogue entry updated")
    return tool


def request_tool(tool: DefensiveTool, *, by: User, organisation: Organisation, justification: str) -> ToolRequest:
    if organisation not in selectors.requesting_organisations(by, tool):
        raise PermissionDenied
    if not justification.strip():
        raise ValidationError({"justification": "Say what you would use it for."})
    _refuse_markings({"justification": justification})
    with transaction.atomic():
        if ToolRequest.objects.filter(tool=tool, organisation=organisation, status=ToolRequestStatus.REQUESTED).exists():
            raise ValidationError({"tool": f"{organisation.short_name} already has a request for this tool awaiting a decision."})
        tool_request = save_audited(
            ToolRequest(tool=tool, organisation=organisation, requested_by=by, justification=justification.strip()),
            by=by,
            reason="requested",
        )
        notify(
            selectors.people_of(Organisation.objects.filter(pk=tool.provider_id)),
            by=by,
            subject=f"{organisation.short_name} requests {tool.name}",
            body=justification.strip(),
            link=f"/clearinghouse/tool-requests/{tool_request.pk}/",
        )
    return tool_request


def decide_tool_request(tool_request: ToolRequest, *, by: User, approve: bool, note: str = "") -> ToolRequest:
    _require(selectors.may_decide(by, tool_request))
    if not approve and not note.strip():
        raise ValidationError({"decision_note": "Say why the request is declined."})
    _refuse_markings({"decision_note": note})
    with transaction.atomic():
        tool_request = ToolRequest.objects.select_for_update().select_related("tool", "organisation").get(pk=tool_request.pk)
        if tool_request.status not in workflow.TOOL_REQUEST_DECIDABLE:
            raise MoveNotAllowed(f"This request is already {tool_request.get_status_display().lower()}.")
        tool_request.status = ToolRequestStatus.APPROVED if approve else ToolRequestStatus.DECLINED
        tool_request.decided_by, tool_request.decided_at, tool_request.decision_note = by, timezone.now(), note.strip()
        save_audited(tool_request, by=by, reason=tool_request.get_status_display().lower())
        notify(
            selectors.people_of(Organisation.objects.filter(pk=tool_request.organisation_id)),
            by=by,
            subject=f"Your request for {tool_request.tool.name} was {tool_request.get_status_display().lower()}",
            body=note.strip(),
            link=f"/clearinghouse/tool-requests/{tool_request.pk}/",
        )
    return tool_request


def withdraw_tool_request(tool_request: ToolRequest, *, by: User) -> ToolRequest:
    _require(permissions.has_role_at_least(by, tool_request.organisation, Role.MEMBER))
    with transaction.atomic():
        tool_request = ToolRequest.objects.select_for_update().get(pk=tool_request.pk)
        if tool_request.status not in workflow.TOOL_REQUEST_DECIDABLE:
            raise MoveNotAllowed(f"This request is already {tool_request.get_status_display().lower()}.")
        tool_request.status = ToolRequestStatus.WITHDRAWN
        save_audited(tool_request, by=by, reason="withdrawn")
    return tool_request
