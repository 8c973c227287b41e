"""Every read of the clearinghouse starts here.

- Clearinghouse coordinators (Treasury, CISA and NSA hold the role) see every vulnerability,
  advisory and delivery.
- A reporting organisation sees the vulnerabilities it reported.
- A recipient organisation sees the advisories delivered to it and its own deliveries, never
  another organisation's. TLP:RED reaches the named people only, and TLP:AMBER+STRICT only
  the named organisations' own members.
- Everyone, signed in or not, sees published TLP:CLEAR advisories once their embargo has passed,
  issued directives and the defensive-tools catalogue.
Anything else answers 404, the same as an object that does not exist.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from clearinghouse.models import (
    Advisory,
    AdvisoryGroupObjectPermission,
    AdvisoryRevision,
    AffectedProduct,
    ComplianceReport,
    DefensiveTool,
    Delivery,
    Directive,
    Remediation,
    RequiredAction,
    Tlp,
    ToolRequest,
    Vulnerability,
    VulnerabilityReport,
)
from clearinghouse.workflow import (
    DELIVERY_DONE,
    DISTRIBUTED,
    OPEN_VULNERABILITY,
    AdvisoryStatus,
    ComplianceStatus,
    DeliveryStatus,
    DirectiveStatus,
    ToolRequestStatus,
    VulnerabilityStatus,
)
from eo_portal import deadlines, permissions, registry
from eo_portal.models import Organisation, OrganisationKind, Role
from eo_portal.registry import WorkItem
from eo_portal.selectors import organisation_ids_of

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    Viewer = User | AnonymousUser | None

TRIAGE_ROLE = "clearinghouse.triage_vulnerability"
PUBLISH_ROLE = "clearinghouse.publish_advisory"
DELIVERIES_ROLE = "clearinghouse.view_delivery"
DIRECTIVE_ROLE = "clearinghouse.issue_directive"


def is_coordinator(user: Viewer) -> bool:
    return permissions.has_role_permission(user, PUBLISH_ROLE)


def may_issue_directives(user: Viewer) -> bool:
    return permissions.has_role_permission(user, DIRECTIVE_ROLE)


# ---------------------------------------------------------------------------
# Vulnerabilities


def vulnerabilities_visible_to(user: Viewer) -> QuerySet[Vulnerability]:
    """Coordinators see all; a reporting organisation sees what it reported."""
    visible = permissions.restrict(Vulnerability.objects.all(), user, "view_vulnerability")
    return visible.select_related("merged_into")


def get_vulnerability_for(user: Viewer, reference: str) -> Vulnerability:
    try:
        return vulnerabilities_visible_to(user).get(reference=reference)
    except Vulnerability.DoesNotExist as exc:
        raise Http404("No such vulnerability") from exc


def priority_queue(user: Viewer) -> QuerySet[Vulnerability]:
    """Open vulnerabilities by SSVC decision, then known exploited, then CVSS, then due date."""
    return (
        vulnerabilities_visible_to(user)
        .filter(merged_into__isnull=True, status__in=OPEN_VULNERABILITY)
        .prefetch_related("products")
        .order_by(
            "-ssvc_rank",
            "-known_exploited",
            F("cvss_score").desc(nulls_last=True),
            F("remediation_due").asc(nulls_last=True),
            "id",
        )
    )


def products_of(vulnerability: Vulnerability) -> QuerySet[AffectedProduct]:
    return vulnerability.products.all()


def reports_of(vulnerability: Vulnerability) -> QuerySet[VulnerabilityReport]:
    return vulnerability.reports.select_related("organisation", "reported_by")


def likely_duplicates(vulnerability: Vulnerability) -> list[Vulnerability]:
    """Other live records of what may be the same flaw: the same CVE, or the same vendor and
    product with a shared CWE and overlapping affected versions. The coordinator decides."""
    live = Vulnerability.objects.filter(merged_into__isnull=True).exclude(pk=vulnerability.pk)
    found: dict[int, Vulnerability] = {}
    if vulnerability.cve_id:
        found.update({v.pk: v for v in live.filter(cve_id=vulnerability.cve_id)})
    own_products = list(vulnerability.products.all())
    if own_products and vulnerability.cwe_ids:
        by_name = Q()
        for product in own_products:
            by_name |= Q(vendor__iexact=product.vendor, product__iexact=product.product)
        candidates = AffectedProduct.objects.filter(by_name, vulnerability__in=live).select_related("vulnerability")
        wanted_cwes = set(vulnerability.cwe_ids)
        for candidate in candidates:
            other = candidate.vulnerability
            if not wanted_cwes & set(other.cwe_ids):
                continue
            same_product = [
                own
                for own in own_products
                if own.vendor.lower() == candidate.vendor.lower() and own.product.lower() == candidate.product.lower()
            ]
            if any(own.overlaps(candidate) for own in same_product):
                found[other.pk] = other
    return sorted(found.values(), key=lambda v: v.pk)


def source_case_for(user: Viewer, vulnerability: Vulnerability) -> Any:
    """The review case a vulnerability came from, only for those who may see that case."""
    case = vulnerability.source_case
    return case if registry.can_see(user, case) else None


def kev_catalogue() -> QuerySet[Vulnerability]:
    """Known-exploited vulnerabilities with a CVE ID that a public advisory has disclosed; each
    carries `date_added`, when the first such advisory was published."""
    public = public_advisories().filter(vulnerabilities=OuterRef("pk"))
    first_public = public.order_by("published_at").values("published_at")[:1]
    return (
        Vulnerability.objects.filter(known_exploited=True, cve_id__isnull=False, merged_into__isnull=True)
        .filter(Exists(public))
        .annotate(date_added=Subquery(first_public))
        .prefetch_related("products")
        .order_by("-date_added", "cve_id")
    )


# ---------------------------------------------------------------------------
# Advisories


def _public_filter(now=None) -> Q:
    now = now or timezone.now()
    return Q(tlp=Tlp.CLEAR, status=AdvisoryStatus.PUBLISHED) & (Q(release_at__isnull=True) | Q(release_at__lte=now))


def public_advisories() -> QuerySet[Advisory]:
    """Published TLP:CLEAR advisories past their embargo: the public list and feeds."""
    return Advisory.objects.filter(_public_filter()).order_by("-published_at", "-id")


def advisories_visible_to(user: Viewer) -> QuerySet[Advisory]:
    """For a page or a check; the lists use `advisory_list_for`."""
    if is_coordinator(user):
        return Advisory.objects.all()
    return _public_or_received(user, for_list=False, now=timezone.now())[0]


def advisory_list_for(user: Viewer) -> tuple[QuerySet[Advisory], list[QuerySet[Advisory]]]:
    """The advisories of the user's list, and the same rows as sets with no row in common, each
    counted by its own index (`CappedPaginator`'s parts): the public ones, and those received
    that are not public."""
    if is_coordinator(user):
        everything = Advisory.objects.all()
        return everything, [everything]
    visible, public, received = _public_or_received(user, for_list=True, now=timezone.now())
    return visible, [Advisory.objects.filter(public), received.exclude(public)]


def _public_or_received(user: Viewer, *, for_list: bool, now) -> tuple[QuerySet[Advisory], Q, QuerySet[Advisory]]:
    public = _public_filter(now)
    received = permissions.restrict(
        Advisory.objects.filter(status__in=DISTRIBUTED), user, "view_advisory", for_list=for_list
    )
    # One WHERE (public OR (distributed AND granted)), the grants a semi-join on their own table:
    # no second scan of the advisories inside a subquery (bench/README.md). Both are published, so
    # have a publication date (a constraint): saying so lets the list skip the drafts, whose empty
    # dates sort first in its index (bench/README.md, 18).
    visible = (Advisory.objects.filter(public) | received).filter(published_at__isnull=False)
    return visible, public, received


def get_advisory_for(user: Viewer, reference: str) -> Advisory:
    try:
        return advisories_visible_to(user).get(reference=reference)
    except Advisory.DoesNotExist as exc:
        raise Http404("No such advisory") from exc


def get_advisory_with_contents_for(user: Viewer, reference: str) -> Advisory:
    """An advisory with what its page and exports show, 404 when the user may not see it."""
    try:
        return with_contents(advisories_visible_to(user)).get(reference=reference)
    except Advisory.DoesNotExist as exc:
        raise Http404("No such advisory") from exc


def with_contents(advisories: QuerySet[Advisory]) -> QuerySet[Advisory]:
    """What an advisory page or export shows, fetched in a fixed number of queries."""
    return advisories.prefetch_related(
        Prefetch("vulnerabilities", queryset=Vulnerability.objects.prefetch_related("products").order_by("id")),
        Prefetch("remediations", queryset=Remediation.objects.select_related("vulnerability")),
        Prefetch("revisions", queryset=AdvisoryRevision.objects.select_related("published_by")),
        "named_organisations",
        "named_people",
    )


def advisory_by_id(advisory_id: int) -> Advisory | None:
    """For background tasks, which act as the system user on what was already decided."""
    return Advisory.objects.filter(pk=advisory_id).first()


def advisory_revisions(advisory: Advisory) -> QuerySet[AdvisoryRevision]:
    return advisory.revisions.select_related("published_by").order_by("-number")


def remediations_of(advisory: Advisory) -> QuerySet[Remediation]:
    return advisory.remediations.select_related("vulnerability")


def recipients_of(advisory: Advisory) -> QuerySet[Organisation]:
    """The organisations its TLP marking and audience reach (RED: the named people's organisations)."""
    active = Organisation.objects.filter(is_active=True)
    if advisory.tlp in (Tlp.CLEAR, Tlp.GREEN):
        audience = Q(kind__in=advisory.audience_kinds) | Q(
            kind=OrganisationKind.OPERATOR, sectors__sector__in=advisory.audience_sectors
        )
        return active.filter(audience).distinct()
    if advisory.tlp == Tlp.AMBER:
        return active.filter(named_in_advisories=advisory)
    if advisory.tlp == Tlp.AMBER_STRICT:
        return active.filter(named_in_advisories=advisory).exclude(kind=OrganisationKind.PARTNER)
    return active.filter(memberships__user__in=advisory.named_people.filter(is_active=True)).distinct()


def members_of_recipients(advisory: Advisory, organisation_ids: QuerySet | list[int]) -> QuerySet[User]:
    """Who is told of a delivery: the recipients' members, or for TLP:RED the named people alone."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(
        is_active=True, memberships__organisation_id__in=organisation_ids, memberships__organisation__is_active=True
    )
    if advisory.tlp == Tlp.RED:
        users = users.filter(named_in_advisories=advisory)
    return users.distinct()


def people_of(organisations: QuerySet[Organisation]) -> QuerySet[User]:
    """The active members of these organisations, each once."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__organisation__in=organisations.filter(is_active=True))
        .distinct()
    )


def triage_staff() -> QuerySet[User]:
    """Who is told of a new report: the members of the organisations holding the triage role."""
    app_label, codename = TRIAGE_ROLE.split(".")
    holders = Organisation.objects.filter(
        is_active=True, group__permissions__content_type__app_label=app_label, group__permissions__codename=codename
    )
    from django.contrib.auth import get_user_model

    # Member or manager of the holding organisation itself; a viewer's role elsewhere does not matter.
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__organisation__in=holders,
            memberships__role__in=(Role.MEMBER, Role.MANAGER),
        )
        .distinct()
    )


def delivered_organisation_ids(advisory: Advisory) -> QuerySet:
    return Delivery.objects.filter(advisory=advisory).values("organisation_id")


@dataclass(frozen=True)
class SectorProgress:
    sector: str
    received: int
    acknowledged: int
    done: int

    @property
    def done_share(self) -> float:
        return self.done / self.received if self.received else 0.0


@dataclass(frozen=True)
class DistributionSummary:
    received: int
    acknowledged: int
    remediated: int
    not_affected: int
    overdue: int
    lagging: list[SectorProgress]


def distribution_summary(advisory: Advisory) -> DistributionSummary:
    """The government side's view of an advisory's reach, in two queries whatever its size."""
    deliveries = Delivery.objects.filter(advisory=advisory)
    totals = deliveries.aggregate(
        received=Count("id"),
        acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False)),
        remediated=Count("id", filter=Q(status=DeliveryStatus.REMEDIATED)),
        not_affected=Count("id", filter=Q(status=DeliveryStatus.NOT_AFFECTED)),
        overdue=Count("id", filter=Q(due_date__lt=deadlines.today()) & ~Q(status__in=DELIVERY_DONE)),
    )
    by_sector = (
        deliveries.filter(organisation__sectors__isnull=False)
        .values(sector=F("organisation__sectors__sector"))
        .annotate(
            received=Count("id"),
            acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False)),
            done=Count("id", filter=Q(status__in=DELIVERY_DONE)),
        )
    )
    sectors = [SectorProgress(row["sector"], row["received"], row["acknowledged"], row["done"]) for row in by_sector]
    # Slowest first: the sectors where the fewest recipients have acted.
    lagging = sorted(sectors, key=lambda progress: (progress.done_share, -progress.received, progress.sector))
    return DistributionSummary(lagging=lagging, **totals)


# ---------------------------------------------------------------------------
# Deliveries


def deliveries_visible_to(user: Viewer, *, for_list: bool = False) -> QuerySet[Delivery]:
    """A recipient's members see its deliveries while the advisory is still theirs to read (a
    revision that raises the marking takes it away); TLP:RED: the named people only. Coordinators
    see all.

    `for_list`, for the sorted, paged queues: one query first reads the keys of the deliveries
    seen, up to `permissions.LIST_BY_KEY_LIMIT`, as a UNION ALL of the two cases, and the list
    fetches them by key. As one OR of two subqueries PostgreSQL checked each delivery against
    both after scanning every distributed advisory (an operator's 1,043 deliveries: 35 ms to
    count, 50 ms for a page; bench/README.md, 18); beyond the limit the OR stays."""
    deliveries = Delivery.objects.select_related("advisory", "organisation", "acknowledged_by")
    if permissions.has_role_permission(user, DELIVERIES_ROLE):
        return deliveries
    own = organisation_ids_of(user)
    if not own:
        return deliveries.none()
    granted = Exists(
        AdvisoryGroupObjectPermission.objects.filter(
            content_object=OuterRef("advisory_id"),
            group_id=OuterRef("organisation__group_id"),
            permission__codename="view_advisory",
            # Redundant with the line above, but it lets PostgreSQL build its hash of grants from the
            # user's own groups rather than from all million (bench/README.md, "Findings": 0.9 s -> 0.08 s).
            group_id__in=Organisation.objects.filter(pk__in=own).values("group_id"),
        )
    )
    named = Exists(
        Advisory.named_people.through.objects.filter(advisory_id=OuterRef("advisory_id"), user_id=user.pk)
    )
    if for_list:
        mine = Delivery.objects.filter(organisation_id__in=own).order_by()  # no ORDER BY inside a UNION
        seen = (
            mine.exclude(advisory__tlp=Tlp.RED)
            .filter(granted)
            .values_list("pk", flat=True)
            .union(mine.filter(advisory__tlp=Tlp.RED).filter(named).values_list("pk", flat=True), all=True)
        )
        keys = list(seen[: permissions.LIST_BY_KEY_LIMIT + 1])
        if len(keys) <= permissions.LIST_BY_KEY_LIMIT:
            return deliveries.filter(permissions.KeyAmong(sorted(keys))) if keys else deliveries.none()
    return deliveries.filter(organisation_id__in=own).filter(
        (~Q(advisory__tlp=Tlp.RED) & granted) | (Q(advisory__tlp=Tlp.RED) & named)
    )


def get_delivery_for(user: Viewer, delivery_id: int) -> Delivery:
    try:
        return deliveries_visible_to(user).get(pk=delivery_id)
    except (Delivery.DoesNotExist, ValueError) as exc:
        raise Http404("No such delivery") from exc


def delivery_queue(
    user: Viewer, organisation: Organisation | None = None, *, for_list: bool = False
) -> QuerySet[Delivery]:
    """A recipient's advisories, most urgent first: SSVC decision, then due date."""
    deliveries = deliveries_visible_to(user, for_list=for_list).filter(advisory__status__in=DISTRIBUTED)
    if organisation is not None:
        deliveries = deliveries.filter(organisation=organisation)
    return deliveries.order_by(
        F("advisory__ssvc_rank").desc(), F("due_date").asc(nulls_last=True), "-delivered_at", "-id"
    )


def may_report_on(user: Viewer, delivery: Delivery) -> bool:
    """Members and managers of the recipient who may see the delivery report; viewers only read."""
    return permissions.has_role_at_least(user, delivery.organisation, Role.MEMBER) and (
        deliveries_visible_to(user).filter(pk=delivery.pk).exists()
    )


def own_delivery_for(user: Viewer, advisory: Advisory) -> Delivery | None:
    return deliveries_visible_to(user).filter(advisory=advisory, organisation_id__in=organisation_ids_of(user)).first()


# ---------------------------------------------------------------------------
# Directives


def directives_visible_to(user: Viewer) -> QuerySet[Directive]:
    """Issued (and revoked) directives are public; drafts are CISA's."""
    directives = Directive.objects.all()
    if may_issue_directives(user):
        return directives
    return directives.exclude(status=DirectiveStatus.DRAFT)


def get_directive_for(user: Viewer, identifier: str) -> Directive:
    try:
        return directives_visible_to(user).get(identifier=identifier)
    except Directive.DoesNotExist as exc:
        raise Http404("No such directive") from exc


def required_actions_of(directive: Directive) -> QuerySet[RequiredAction]:
    return directive.required_actions.select_related("directive").order_by("number")


def applicable_organisations(directive: Directive) -> QuerySet[Organisation]:
    return Organisation.objects.filter(is_active=True, kind__in=directive.applicable_kinds)


def reporting_organisations(user: Viewer, directive: Directive) -> list[Organisation]:
    """The user's organisations this directive applies to, where they may report (members and managers)."""
    if directive.status != DirectiveStatus.ISSUED:
        return []
    ids = organisation_ids_of(user)
    mine = applicable_organisations(directive).filter(
        pk__in=ids, memberships__user_id=getattr(user, "pk", None), memberships__role__in=(Role.MEMBER, Role.MANAGER)
    )
    return list(mine.distinct())


def compliance_reports_visible_to(user: Viewer) -> QuerySet[ComplianceReport]:
    reports = ComplianceReport.objects.select_related("required_action__directive", "organisation", "reported_by")
    if may_issue_directives(user):
        return reports
    return reports.filter(organisation_id__in=organisation_ids_of(user))


def reports_by_action(user: Viewer, directive: Directive) -> dict[int, list[ComplianceReport]]:
    grouped: dict[int, list[ComplianceReport]] = defaultdict(list)
    for report in compliance_reports_visible_to(user).filter(required_action__directive=directive):
        grouped[report.required_action_id].append(report)
    return grouped


@dataclass(frozen=True)
class ActionCompliance:
    action: RequiredAction
    due_date: date | None
    applicable: int
    completed: int
    on_time: int
    overdue: int


def compliance_overview(directive: Directive) -> list[ActionCompliance]:
    """For CISA: per required action, how many applicable organisations completed it, how many on
    time, and how many are overdue; three queries whatever the number of organisations."""
    applicable = applicable_organisations(directive)
    applicable_count = applicable.count()
    actions = list(required_actions_of(directive))
    # Completions grouped by action and day: few rows, and on time is then a comparison of dates.
    completions = (
        ComplianceReport.objects.filter(
            required_action__directive=directive, status=ComplianceStatus.COMPLETED, organisation__in=applicable
        )
        .values("required_action_id", "completed_on")
        .annotate(count=Count("id"))
    )
    completed: dict[int, int] = defaultdict(int)
    by_day: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for row in completions:
        completed[row["required_action_id"]] += row["count"]
        by_day[row["required_action_id"]].append((row["completed_on"], row["count"]))
    today = deadlines.today()
    overview = []
    for action in actions:
        due = action.due_date
        on_time = sum(count for day, count in by_day[action.pk] if due is not None and day <= due)
        done = completed[action.pk]
        overdue = applicable_count - done if due is not None and due < today else 0
        overview.append(ActionCompliance(action, due, applicable_count, done, on_time, overdue))
    return overview


def overdue_organisations(directive: Directive) -> QuerySet[Organisation]:
    """Applicable organisations with at least one required action past due and not completed."""
    today = deadlines.today()
    if directive.issued_date is None:
        return Organisation.objects.none()
    past_due = [action for action in required_actions_of(directive) if action.due_date < today]
    if not past_due:
        return Organisation.objects.none()
    missing = Q()
    for action in past_due:
        completed = ComplianceReport.objects.filter(
            required_action=action, organisation=OuterRef("pk"), status=ComplianceStatus.COMPLETED
        )
        missing |= ~Exists(completed)
    return applicable_organisations(directive).filter(missing).order_by("short_name")


# ---------------------------------------------------------------------------
# Defensive tools


def tools_visible_to(user: Viewer) -> QuerySet[DefensiveTool]:
    """The catalogue is public; a provider also sees its tools that are not offered at the moment."""
    own = organisation_ids_of(user) if user is not None and user.is_authenticated else set()
    return DefensiveTool.objects.filter(Q(is_available=True) | Q(provider_id__in=own)).select_related("provider")


def get_tool_for(user: Viewer, slug: str) -> DefensiveTool:
    try:
        return tools_visible_to(user).get(slug=slug)
    except DefensiveTool.DoesNotExist as exc:
        raise Http404("No such tool") from exc


def requesting_organisations(user: Viewer, tool: DefensiveTool) -> list[Organisation]:
    """The user's organisations eligible for the tool, where they may act (members and managers)."""
    if user is None or not user.is_authenticated or not tool.is_available:
        return []
    return list(
        Organisation.objects.filter(
            is_active=True,
            kind__in=tool.eligible_kinds,
            memberships__user_id=user.pk,
            memberships__role__in=(Role.MEMBER, Role.MANAGER),
        ).distinct()
    )


def tool_requests_visible_to(user: Viewer) -> QuerySet[ToolRequest]:
    """The requesting organisation's members and the provider agency's staff."""
    own = organisation_ids_of(user)
    return ToolRequest.objects.filter(Q(organisation_id__in=own) | Q(tool__provider_id__in=own)).select_related(
        "tool__provider", "organisation", "requested_by", "decided_by"
    )


def get_tool_request_for(user: Viewer, request_id: int) -> ToolRequest:
    try:
        return tool_requests_visible_to(user).get(pk=request_id)
    except (ToolRequest.DoesNotExist, ValueError) as exc:
        raise Http404("No such request") from exc


def may_decide(user: Viewer, tool_request: ToolRequest) -> bool:
    return permissions.has_role_at_least(user, tool_request.tool.provider, Role.MEMBER)


def may_offer_tools_for(user: Viewer) -> list[Organisation]:
    """The agencies in which the user may add tools to the catalogue."""
    return list(
        Organisation.objects.filter(
            is_active=True,
            kind=OrganisationKind.AGENCY,
            memberships__user_id=getattr(user, "pk", None),
            memberships__role__in=(Role.MEMBER, Role.MANAGER),
        )
    )


# ---------------------------------------------------------------------------
# The dashboard and the transparency page


def open_work_for(user: User) -> list[WorkItem]:
    items: list[WorkItem] = []
    if permissions.has_role_permission(user, TRIAGE_ROLE):
        for vulnerability in Vulnerability.objects.filter(status=VulnerabilityStatus.NEW).order_by("id")[:20]:
            items.append(
                WorkItem(
                    "clearinghouse",
                    f"Triage {vulnerability.reference}: {vulnerability.title}",
                    f"/clearinghouse/vulnerabilities/{vulnerability.reference}/",
                    "new",
                )
            )
    if is_coordinator(user):
        for advisory in Advisory.objects.filter(status=AdvisoryStatus.IN_REVIEW).exclude(submitted_by=user)[:20]:
            items.append(
                WorkItem(
                    "clearinghouse",
                    f"Review {advisory.reference}: {advisory.title}",
                    f"/clearinghouse/advisories/{advisory.reference}/",
                    "in review",
                )
            )
    for delivery in own_delivery_queue(user).exclude(status__in=DELIVERY_DONE)[:20]:
        items.append(
            WorkItem(
                "clearinghouse",
                f"Act on {delivery.advisory.reference}: {delivery.advisory.title}",
                f"/clearinghouse/queue/{delivery.pk}/",
                delivery.get_status_display(),
                delivery.due_date,
            )
        )
    own = organisation_ids_of(user)
    pending = ToolRequest.objects.filter(status=ToolRequestStatus.REQUESTED, tool__provider_id__in=own)
    for tool_request in pending.select_related("tool", "organisation")[:20]:
        items.append(
            WorkItem(
                "clearinghouse",
                f"Decide {tool_request.organisation.short_name}'s request for {tool_request.tool.name}",
                f"/clearinghouse/tool-requests/{tool_request.pk}/",
                "requested",
            )
        )
    return items


def _required_actions_met_on_time() -> tuple[int, int]:
    """Over every issued directive's required actions now past due, and each organisation each
    applies to: how many (action, organisation) pairs there are and how many were completed by the
    due date. Four queries, whatever the number of directives, actions and organisations."""
    today = deadlines.today()
    actions = [
        action
        for action in RequiredAction.objects.filter(
            directive__status__in=(DirectiveStatus.ISSUED, DirectiveStatus.REVOKED)
        ).select_related("directive")
        if action.due_date < today
    ]
    if not actions:
        return 0, 0
    organisations_by_kind = dict(
        Organisation.objects.filter(is_active=True).values("kind").annotate(count=Count("id")).values_list("kind", "count")
    )
    completions = (
        ComplianceReport.objects.filter(
            required_action__in=actions, status=ComplianceStatus.COMPLETED, organisation__is_active=True
        )
        .values("required_action_id", "organisation__kind", "completed_on")
        .annotate(count=Count("id"))
    )
    by_action = {action.pk: action for action in actions}
    due = sum(organisations_by_kind.get(kind, 0) for action in actions for kind in action.directive.applicable_kinds)
    met = sum(
        row["count"]
        for row in completions
        if row["organisation__kind"] in by_action[row["required_action_id"]].directive.applicable_kinds
        and row["completed_on"] <= by_action[row["required_action_id"]].due_date
    )
    return due, met


def public_aggregates() -> dict[str, Any]:
    """Counts and shares only, no names; the core applies the small-number rule. Acknowledgement
    and remediation are counted over every delivery, whatever its TLP marking, so the rates
    reveal nothing about any one advisory. A fixed number of queries."""
    deliveries = Delivery.objects.filter(advisory__status__in=DISTRIBUTED).aggregate(
        received=Count("id"),
        acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False)),
        remediated=Count("id", filter=Q(status=DeliveryStatus.REMEDIATED)),
    )
    issued = Directive.objects.filter(status__in=(DirectiveStatus.ISSUED, DirectiveStatus.REVOKED)).count()
    due, met = _required_actions_met_on_time()
    return {
        "figures": [
            {
                "key": "advisories_clear",
                "label": "Advisories published as TLP:CLEAR",
                "kind": "count",
                "count": public_advisories().count(),
            },
            {
                "key": "deliveries",
                "label": "Advisory deliveries to organisations (all TLP levels)",
                "kind": "count",
                "count": deliveries["received"],
            },
            {
                "key": "acknowledged",
                "label": "Deliveries acknowledged by the recipient",
                "kind": "share",
                "count": deliveries["acknowledged"],
                "of": deliveries["received"],
            },
            {
                "key": "remediated",
                "label": "Deliveries reported remediated",
                "kind": "share",
                "count": deliveries["remediated"],
                "of": deliveries["received"],
            },
            {"key": "directives", "label": "Directives and guidance issued", "kind": "count", "count": issued},
            {
                "key": "actions_on_time",
                "label": "Required actions past due that were met on time (per organisation)",
                "kind": "share",
                "count": met,
                "of": due,
            },
        ]
    }


# ---------------------------------------------------------------------------
# Names given in forms and API bodies


def people_by_username(usernames: list[str]) -> list[User]:
    """Active accounts with these user names (for naming the people a TLP:RED advisory goes to)."""
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(is_active=True, username__in=usernames))


def organisations_by_slug(slugs: list[str]) -> list[Organisation]:
    return list(Organisation.objects.filter(is_active=True, slug__in=slugs))


# ---------------------------------------------------------------------------
# The portal pages' own reads

if TYPE_CHECKING:
    from eo_portal.audit import HistoryEntry


def organisations_for_audience() -> QuerySet[Organisation]:
    """The organisations an advisory may name (TLP:AMBER and TLP:AMBER+STRICT)."""
    return Organisation.objects.filter(is_active=True).order_by("name")


def people_for_audience() -> QuerySet[User]:
    """The people a TLP:RED advisory may name: active accounts that belong to an active organisation,
    since a delivery goes to an organisation and its named members alone."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__organisation__is_active=True)
        .distinct()
        .order_by("username")
    )


def coverable_vulnerabilities(user: Viewer) -> QuerySet[Vulnerability]:
    """What an advisory may cover: the live records the user sees (a merged one is covered by its survivor)."""
    return vulnerabilities_visible_to(user).filter(merged_into__isnull=True).order_by("reference")


def filter_advisories(
    advisories: QuerySet[Advisory], *, status: str = "", tlp: str = "", keyword: str = ""
) -> QuerySet[Advisory]:
    if status:
        advisories = advisories.filter(status=status)
    if tlp:
        advisories = advisories.filter(tlp=tlp)
    if keyword:
        advisories = advisories.filter(title__icontains=keyword)
    return advisories


def revisions_visible_to(user: Viewer, advisory: Advisory) -> QuerySet[AdvisoryRevision]:
    """Coordinators see every revision. Others see what reached them: the revisions published since
    their organisation's delivery, and any that was public (TLP:CLEAR). An earlier text under a
    stricter marking stays with those it went to, even after the marking is lowered."""
    revisions = advisory_revisions(advisory)
    if is_coordinator(user):
        return revisions
    reached = Q(tlp=Tlp.CLEAR)
    delivery = own_delivery_for(user, advisory)
    if delivery is not None:
        reached |= Q(number__gte=delivery.delivered_revision)
    return revisions.filter(reached)


def advisory_history(advisory: Advisory) -> list[HistoryEntry]:
    """The advisory's changes with its remediations and revisions; distribution has its own tab,
    so the (possibly thousands of) deliveries and grants are left out."""
    from eo_portal.audit import history_entries

    return history_entries(
        advisory,
        related=[
            (
                Remediation.history.filter(advisory_id=advisory.pk),
                lambda row: f"Remediation ({row.get_category_display()})",
            ),
            (AdvisoryRevision.history.filter(advisory_id=advisory.pk), lambda row: f"Revision {row.number}"),
        ],
    )


def vulnerability_history(vulnerability: Vulnerability) -> list[HistoryEntry]:
    """The record's changes with its affected products and its reporters' reports."""
    from eo_portal.audit import history_entries

    return history_entries(
        vulnerability,
        related=[
            (
                AffectedProduct.history.filter(vulnerability_id=vulnerability.pk),
                lambda row: f"Affected product {row.vendor} {row.product}",
            ),
            (
                VulnerabilityReport.history.filter(vulnerability_id=vulnerability.pk),
                lambda row: f"Report credited to {row.credit}",
            ),
        ],
    )


def own_delivery_queue(
    user: Viewer, organisation: Organisation | None = None, *, for_list: bool = False
) -> QuerySet[Delivery]:
    """`delivery_queue` kept to the user's own organisations: a coordinator, who may see every
    delivery, still finds only their own organisation's advisories in "my organisation's advisories"."""
    return delivery_queue(user, organisation, for_list=for_list).filter(organisation_id__in=organisation_ids_of(user))


def own_reports_by_action(user: Viewer, directive: Directive) -> dict[int, list[ComplianceReport]]:
    """`reports_by_action` for the user's own organisations only (CISA, who sees every report, too)."""
    grouped: dict[int, list[ComplianceReport]] = defaultdict(list)
    own = compliance_reports_visible_to(user).filter(
        required_action__directive=directive, organisation_id__in=organisation_ids_of(user)
    )
    for report in own:
        grouped[report.required_action_id].append(report)
    return grouped
