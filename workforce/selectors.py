"""Every read of Tech Force hiring starts here.

Pathways and posted openings are public. A hiring agency sees its own drafts and the
applications to its own openings, and no other agency's. Applicants see their own
applications and profile. OPM sees aggregates, never an applicant's personal data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404

from eo_portal import deadlines, permissions
from eo_portal.models import Organisation, OrganisationKind
from eo_portal.registry import WorkItem
from workforce.models import (
    ApplicantProfile,
    Application,
    Clearance,
    Consideration,
    HiringPath,
    OccupationalSeries,
    Opening,
    OpeningLocation,
    Pathway,
    SavedOpening,
    SavedSearch,
    WorkRole,
)
from workforce.workflow import ENDED, ApplicationStatus, OpeningStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

DIGITS = re.compile(r"^[0-9]{1,7}$")
STATE_CODE = re.compile(r"^[A-Z]{2}$")
PUBLIC_STATES = (OpeningStatus.OPEN, OpeningStatus.CLOSED, OpeningStatus.FILLED)
SEARCH_VECTOR = SearchVector("title", "duties", "qualifications", config="english")
SORTS = {
    "close_date": ("close_date", "id"),
    "salary": ("-salary_max", "id"),
    "posted": (F("posted_at").desc(nulls_last=True), "-id"),
}


def pathways() -> QuerySet[Pathway]:
    return Pathway.objects.all()


def get_pathway(slug: str) -> Pathway:
    try:
        return Pathway.objects.get(slug=slug)
    except Pathway.DoesNotExist as exc:
        raise Http404("No such pathway") from exc


def work_roles() -> QuerySet[WorkRole]:
    return WorkRole.objects.all()


def _with_details(openings: QuerySet[Opening]) -> QuerySet[Opening]:
    return openings.select_related("agency", "pathway").prefetch_related(
        Prefetch("locations", queryset=OpeningLocation.objects.order_by("state", "city")),
        "work_roles",
        "considering_agencies",
    )


def openings_visible_to(user: User | AnonymousUser | None) -> QuerySet[Opening]:
    """Posted openings for everyone; drafts and cancelled openings only for the hiring agency."""
    own = permissions.restrict(Opening.objects.all(), user, "view_opening").values("pk")
    return _with_details(Opening.objects.filter(Q(status__in=PUBLIC_STATES) | Q(pk__in=own)))


def get_opening_for(user: User | AnonymousUser | None, control_number: str) -> Opening:
    try:
        return openings_visible_to(user).get(control_number=control_number)
    except Opening.DoesNotExist as exc:
        raise Http404("No such opening") from exc


@dataclass(frozen=True)
class SearchFilters:
    """The public search's filters, as the page and the API take them."""

    keyword: str = ""
    series: str = ""
    grade: int | None = None
    minimum_salary: int | None = None
    state: str = ""
    remote: bool | None = None
    clearance: str = ""
    pathway: str = ""
    agency: str = ""
    hiring_path: str = ""
    work_role: str = ""
    open_now: bool = False
    sort: str = "close_date"


def _keyword(openings: QuerySet[Opening], keyword: str) -> QuerySet[Opening]:
    if connection.vendor == "postgresql":
        # Uses the GIN index the migration builds on the same expression.
        query = SearchQuery(keyword, config="english", search_type="websearch")
        return openings.annotate(search=SEARCH_VECTOR).filter(search=query)
    words = keyword.split()
    for word in words:
        openings = openings.filter(
            Q(title__icontains=word) | Q(duties__icontains=word) | Q(qualifications__icontains=word)
        )
    return openings


def search_openings(openings: QuerySet[Opening], filters: SearchFilters, *, without: str = "") -> QuerySet[Opening]:
    """Apply every filter but `without` (a facet counts its own values over the other filters)."""
    f = filters
    if f.keyword.strip():
        openings = _keyword(openings, f.keyword.strip())
    if f.series and without != "series":
        openings = openings.filter(series=f.series)
    if f.grade is not None:
        openings = openings.filter(grade_low__lte=f.grade, grade_high__gte=f.grade)
    if f.minimum_salary is not None:
        openings = openings.filter(salary_max__gte=f.minimum_salary)
    if f.state and without != "state":
        openings = openings.filter(pk__in=OpeningLocation.objects.filter(state=f.state.upper()).values("opening_id"))
    if f.remote is not None and without != "remote":
        openings = openings.filter(remote=f.remote)
    if f.clearance and without != "clearance":
        openings = openings.filter(clearance=f.clearance)
    if f.pathway and without != "pathway":
        openings = openings.filter(pathway__slug=f.pathway)
    if f.agency and without != "agency":
        openings = openings.filter(agency__slug=f.agency)
    if f.hiring_path and without != "hiring_path":
        openings = openings.filter(hiring_paths__contains=f"|{f.hiring_path}|")
    if f.work_role and without != "work_role":
        openings = openings.filter(work_roles__code=f.work_role)
    if f.open_now:
        today = deadlines.today()
        openings = openings.filter(status=OpeningStatus.OPEN, open_date__lte=today, close_date__gte=today)
    return openings


def sorted_openings(openings: QuerySet[Opening], sort: str) -> QuerySet[Opening]:
    return openings.order_by(*SORTS.get(sort, SORTS["close_date"]))


# Each facet and the filter of the search that narrows by it.
FACETS = ("series", "clearance", "pathway", "agency", "state", "work_role", "remote", "hiring_path")
# The facet statement's row that counts the openings matched (no facet has this name).
MATCHED = "matched"


def _is_chosen(filters: SearchFilters, facet: str) -> bool:
    return getattr(filters, facet) not in (None, "")


def _facet_counts(matched: QuerySet[Opening], wanted: list[str], *, total: bool = False) -> dict[str, dict[str, int]]:
    """The value counts of these facets over the same matched openings, in one statement: the
    search runs once (a CTE), each facet is a GROUP BY over its result, all in a UNION ALL. With
    `total`, the openings matched are counted too, under `MATCHED`."""
    table = connection.ops.quote_name
    base_sql, base_params = (
        matched.order_by()
        .values("pk", "series", "clearance", "pathway_id", "agency_id", "remote", "hiring_paths")
        .query.sql_with_params()
    )
    through = Opening.work_roles.through
    # One row per opening in each branch but the state's, whose openings may have two cities in a
    # state: COUNT(*) there needs no DISTINCT, which sorted every group.
    branches = {
        "series": "SELECT 'series', m.series, COUNT(*) FROM m GROUP BY m.series",
        "clearance": "SELECT 'clearance', m.clearance, COUNT(*) FROM m GROUP BY m.clearance",
        "pathway": f"SELECT 'pathway', p.slug, COUNT(*) FROM m INNER JOIN {table(Pathway._meta.db_table)} p "
        "ON p.id = m.pathway_id GROUP BY p.slug",
        "agency": f"SELECT 'agency', a.slug, COUNT(*) FROM m INNER JOIN {table(Organisation._meta.db_table)} a "
        "ON a.id = m.agency_id GROUP BY a.slug",
        # A semi-join, so that the matched openings' locations are looked up by opening: joined,
        # PostgreSQL read all the locations of every opening to hash them.
        "state": f"SELECT 'state', l.state, COUNT(DISTINCT l.opening_id) FROM {table(OpeningLocation._meta.db_table)} l "
        "WHERE l.opening_id IN (SELECT m.pk FROM m) GROUP BY l.state",
        "work_role": f"SELECT 'work_role', w.code, COUNT(*) FROM m INNER JOIN {table(through._meta.db_table)} t "
        f"ON t.opening_id = m.pk INNER JOIN {table(WorkRole._meta.db_table)} w ON w.id = t.workrole_id "
        "GROUP BY w.code",
        "remote": "SELECT 'remote', CASE WHEN m.remote THEN 'true' ELSE 'false' END, COUNT(*) FROM m GROUP BY m.remote",
    }
    parts, params = [], []
    for facet in wanted:
        if facet != "hiring_path":
            parts.append(branches[facet])
            continue
        for code in HiringPath.values:
            escaped = code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            parts.append("SELECT 'hiring_path', %s, COUNT(*) FROM m WHERE m.hiring_paths LIKE %s ESCAPE '\\'")
            params += [code, f"%|{escaped}|%"]
    if total:
        parts.append(f"SELECT '{MATCHED}', NULL, COUNT(*) FROM m")
    sql = (
        "WITH m (pk, series, clearance, pathway_id, agency_id, remote, hiring_paths) AS ("
        + base_sql
        + ") "
        + " UNION ALL ".join(parts)
    )
    counts: dict[str, dict[str, int]] = {facet: {} for facet in wanted}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*base_params, *params])
        for facet, value, n in cursor.fetchall():
            counts.setdefault(facet, {})[value] = n
    return counts


@dataclass(frozen=True)
class SearchCounts:
    """What a search found: the openings it matched, and the counts of each facet's values as
    (value, label, count)."""

    matched: int
    facets: dict[str, list[tuple[str, str, int]]]


def search_counts(openings: QuerySet[Opening], filters: SearchFilters) -> SearchCounts:
    """The openings the search matches, and result counts per value of each filter.

    A facet counts its values over the other filters (choosing a series still shows the other
    series). Every facet whose own filter is not chosen therefore counts over the same result, the
    search's: those, and the openings matched (which the list's pages are counted by), are counted
    in one statement that runs the search once; each chosen facet runs the search without its own
    filter, one statement each. (One statement per facet ran the full-text search eight times:
    about 230 ms of SQL per search at 100,000 openings.)"""
    chosen = [facet for facet in FACETS if _is_chosen(filters, facet)]
    together = [facet for facet in FACETS if facet not in chosen]
    counts = _facet_counts(search_openings(openings, filters), together, total=True)
    for facet in chosen:
        counts.update(_facet_counts(search_openings(openings, filters, without=facet), [facet]))

    def labelled(facet: str, labels: dict[str, str]) -> list[tuple[str, str, int]]:
        return sorted(
            ((str(value), labels.get(value, str(value)), n) for value, n in counts[facet].items() if value not in (None, "")),
            key=lambda row: row[1],
        )

    # Labels only: every agency's name, not a DISTINCT over every opening (50 ms at 100,000 openings).
    agencies = dict(Organisation.objects.filter(kind=OrganisationKind.AGENCY).values_list("slug", "short_name"))
    return SearchCounts(
        matched=counts[MATCHED][None],
        facets={
            "series": labelled("series", dict(OccupationalSeries.choices)),
            "clearance": labelled("clearance", dict(Clearance.choices)),
            "pathway": labelled("pathway", dict(Pathway.objects.values_list("slug", "name"))),
            "agency": labelled("agency", agencies),
            "state": labelled("state", {}),
            "work_role": labelled("work_role", dict(WorkRole.objects.values_list("code", "name"))),
            "remote": [
                (value, "Remote" if value == "true" else "On site", n)
                for value, n in sorted(counts["remote"].items(), reverse=True)
            ],
            "hiring_path": [
                (code, label, counts["hiring_path"].get(code, 0))
                for code, label in HiringPath.choices
                if counts["hiring_path"].get(code, 0)
            ],
        },
    )


# ---------------------------------------------------------------------------
# Applications


def applications_visible_to(user: User | AnonymousUser | None) -> QuerySet[Application]:
    """An applicant's own applications, and the applications to the openings of the user's agency."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Application.objects.none()
    reviewable = permissions.restrict(Opening.objects.all(), user, "review_applications_opening").values("pk")
    return (
        Application.objects.filter(Q(applicant=user) | Q(opening__in=reviewable))
        .select_related("opening", "opening__agency", "applicant", "placement")
        .prefetch_related(Prefetch("considerations", queryset=Consideration.objects.select_related("agency")))
    )


def get_application_for(user: User | AnonymousUser | None, application_id: int) -> Application:
    try:
        return applications_visible_to(user).get(pk=application_id)
    except (Application.DoesNotExist, ValueError) as exc:
        raise Http404("No such application") from exc


def applications_of(user: User | AnonymousUser | None) -> QuerySet[Application]:
    if user is None or not user.is_authenticated:
        return Application.objects.none()
    return (
        Application.objects.filter(applicant=user)
        .select_related("opening", "opening__agency", "placement")
        .prefetch_related(Prefetch("considerations", queryset=Consideration.objects.select_related("agency")))
    )


def applications_to(opening: Opening) -> QuerySet[Application]:
    return opening.applications.select_related("applicant", "placement").prefetch_related(
        Prefetch("considerations", queryset=Consideration.objects.select_related("agency"))
    )


def profile_of(user: User) -> ApplicantProfile | None:
    return ApplicantProfile.objects.filter(user=user).first()


def saved_searches_of(user: User | AnonymousUser | None) -> QuerySet[SavedSearch]:
    if user is None or not user.is_authenticated:
        return SavedSearch.objects.none()
    return SavedSearch.objects.filter(user=user)


def saved_searches_with_users() -> QuerySet[SavedSearch]:
    return SavedSearch.objects.filter(user__is_active=True).select_related("user")


def openings_managed_by(user: User | AnonymousUser | None) -> QuerySet[Opening]:
    return _with_details(permissions.restrict(Opening.objects.all(), user, "publish_opening"))


# ---------------------------------------------------------------------------
# OPM's figures: counts and medians only.


def hiring_metrics() -> dict[str, Any]:
    """Openings, applications and placements, with median days from closing to offer and to
    placement, overall and by pathway and agency. No applicant appears in these figures."""
    groups = ("opening__pathway__name", "opening__agency__short_name")
    offers = Application.objects.filter(offered_at__isnull=False).values_list(
        *groups, "opening__close_date", "offered_at"
    )
    placements = Application.objects.filter(placement__isnull=False).values_list(
        *groups, "opening__close_date", "placement__start_date"
    )
    days_to_offer = [
        (pathway, agency, (offered.astimezone(deadlines.EASTERN).date() - closed).days)
        for pathway, agency, closed, offered in offers
    ]
    days_to_placement = [(pathway, agency, (start - closed).days) for pathway, agency, closed, start in placements]
    return {
        "openings": Opening.objects.filter(status__in=PUBLIC_STATES).count(),
        "applications": Application.objects.count(),
        "placements": Application.objects.filter(status=ApplicationStatus.PLACED).count(),
        "median_days_close_to_offer": _median([days for _, _, days in days_to_offer]),
        "median_days_close_to_placement": _median([days for _, _, days in days_to_placement]),
        "by_pathway": _counts(groups[0], days_to_offer, days_to_placement, position=0),
        "by_agency": _counts(groups[1], days_to_offer, days_to_placement, position=1),
    }


def _median(days: list[int]) -> float | None:
    return median(days) if days else None


def _counts(
    group: str, days_to_offer: list[tuple], days_to_placement: list[tuple], *, position: int
) -> list[dict[str, Any]]:
    """Posted openings, applications, placements and the medians per pathway or agency (`group`
    is the path from an application; an opening with no application still counts as an opening)."""
    opening_group = group.removeprefix("opening__")
    openings = dict(
        Opening.objects.filter(status__in=PUBLIC_STATES)
        .order_by()
        .values(opening_group)
        .annotate(n=Count("pk"))
        .values_list(opening_group, "n")
    )
    applications = {
        row[group]: row
        for row in Application.objects.order_by()
        .values(group)
        .annotate(applications=Count("pk"), placements=Count("pk", filter=Q(status=ApplicationStatus.PLACED)))
    }
    return [
        {
            "name": name,
            "openings": openings.get(name, 0),
            "applications": applications.get(name, {}).get("applications", 0),
            "placements": applications.get(name, {}).get("placements", 0),
            "median_days_close_to_offer": _median([row[2] for row in days_to_offer if row[position] == name]),
            "median_days_close_to_placement": _median(
                [row[2] for row in days_to_placement if row[position] == name]
            ),
        }
        for name in sorted(set(openings) | set(applications))
    ]


def filters_from(params: Any) -> SearchFilters:
    """Read the search's filters from query parameters (or a saved search); a bad value is a
    ValidationError naming its field."""
    errors: dict[str, str] = {}

    for name in params:
        if "\x00" in str(params.get(name, "")):
            errors[name] = "Remove the NUL character."

    def number(name: str, low: int, high: int) -> int | None:
        raw = str(params.get(name, "") or "").strip()
        if not raw or name in errors:
            return None
        if not DIGITS.match(raw) or not low <= int(raw) <= high:
            errors[name] = f"Enter a whole number from {low} to {high}."
            return None
        return int(raw)

    def choice(name: str, allowed: list[str] | None) -> str:
        value = str(params.get(name, "") or "").strip()
        if value and allowed is not None and value not in allowed:
            errors[name] = f"Choose one of: {', '.join(allowed)}."
            return ""
        return value

    remote_raw = str(params.get("remote", "") or "").strip().lower()
    if remote_raw not in ("", "true", "false"):
        errors["remote"] = "Use true or false."
    keyword = str(params.get("keyword", "") or "")
    if len(keyword) > 200 or "\x00" in keyword:
        errors["keyword"] = "Use at most 200 characters of text."
    filters = SearchFilters(
        keyword=keyword.strip() if "keyword" not in errors else "",
        series=choice("series", OccupationalSeries.values),
        grade=number("grade", 1, 15),
        minimum_salary=number("minimum_salary", 0, 1_000_000),
        state=choice("state", None).upper(),
        remote={"true": True, "false": False}.get(remote_raw),
        clearance=choice("clearance", Clearance.values),
        pathway=choice("pathway", None),
        agency=choice("agency", None),
        hiring_path=choice("hiring_path", HiringPath.values),
        work_role=choice("work_role", None),
        open_now=str(params.get("open_now", "") or "").lower() in ("1", "true", "on", "yes"),
        sort=choice("sort", list(SORTS)) or "close_date",
    )
    if filters.state and not STATE_CODE.match(filters.state):
        errors["state"] = "Use the two-letter postal code, e.g. VA."
    if errors:
        raise ValidationError(errors)
    return filters


def open_work_for(user: User) -> list[WorkItem]:
    """The dashboard's hiring work: the user's live applications, and their agency's open openings."""
    items = [
        WorkItem(
            program="workforce",
            title=f"Your application to {application.opening.control_number}: {application.opening.title}",
            url="/workforce/applications/",
            status=application.get_status_display(),
            due=application.opening.close_date,
        )
        for application in applications_of(user).exclude(status__in=ENDED)[:20]
    ]
    items += [
        WorkItem(
            program="workforce",
            title=f"{opening.control_number}: {opening.title}",
            url=f"/workforce/openings/{opening.control_number}/",
            status=opening.get_status_display(),
            due=opening.close_date,
        )
        for opening in openings_managed_by(user).filter(status__in=[OpeningStatus.DRAFT, OpeningStatus.OPEN])[:20]
    ]
    return items


def applications_for_admin(user: User | AnonymousUser | None) -> QuerySet[Application]:
    """The admin lists only the applications to the user's agency's openings, never applicants' own."""
    reviewable = permissions.restrict(Opening.objects.all(), user, "review_applications_opening").values("pk")
    return Application.objects.filter(opening__in=reviewable).select_related("opening", "applicant")


# ---------------------------------------------------------------------------
# Reads the portal pages need (added with the pages).


def hiring_agencies() -> QuerySet[Organisation]:
    """The active federal agencies, for the search's agency filter; agency names are public."""
    return Organisation.objects.filter(kind=OrganisationKind.AGENCY, is_active=True).order_by("name")


def saved_openings_of(user: User | AnonymousUser | None) -> QuerySet[SavedOpening]:
    """The user's saved openings that they may still see (a cancelled opening drops out)."""
    if user is None or not user.is_authenticated:
        return SavedOpening.objects.none()
    visible = openings_visible_to(user).order_by().values("pk")
    return SavedOpening.objects.filter(user=user, opening__in=visible).select_related("opening", "opening__agency")


def get_saved_search_for(user: User | AnonymousUser | None, saved_id: int) -> SavedSearch:
    """One of the user's own saved searches; 404 for anyone else's, as for one that does not exist."""
    try:
        return saved_searches_of(user).get(pk=saved_id)
    except (SavedSearch.DoesNotExist, ValueError) as exc:
        raise Http404("No such saved search") from exc


def application_of_to(user: User | AnonymousUser | None, opening: Opening) -> Application | None:
    """The user's own application to this opening, if they applied."""
    return applications_of(user).filter(opening=opening).first()


def consideration_of_agency(application: Application, user: User) -> Consideration | None:
    """The pooled-cohort consideration of the agency the user acts for (the first, if several)."""
    return (
        application.considerations.filter(agency__memberships__user=user, agency__is_active=True)
        .select_related("agency")
        .order_by("agency__short_name")
        .first()
    )


def public_aggregates() -> dict:
    """The program's figures for the public transparency page (registered in WorkforceConfig.ready()).

    Raw counts and the number of placements the median is drawn from; the core's small-number
    rule (eo_portal/transparency.py) decides what may be shown. No applicant, opening or agency
    appears here. Three queries, whatever the number of rows.
    """
    applications = Application.objects.order_by().aggregate(
        applications=Count("pk"), placements=Count("pk", filter=Q(status=ApplicationStatus.PLACED))
    )
    # As OPM's own figures count it: calendar days from the opening's closing date to the start date.
    placed = Application.objects.filter(status=ApplicationStatus.PLACED, placement__isnull=False).values_list(
        "opening__close_date", "placement__start_date"
    )
    days = [(start - closed).days for closed, start in placed]
    return {
        "figures": [
            {
                "key": "openings_posted",
                "label": "Posted openings (open, closed or filled)",
                "kind": "count",
                "count": Opening.objects.filter(status__in=PUBLIC_STATES).count(),
            },
            {
                "key": "applications",
                "label": "Applications received",
                "kind": "count",
                "count": applications["applications"],
            },
            {"key": "placements", "label": "Placements", "kind": "count", "count": applications["placements"]},
            {
                "key": "median_days_to_placement",
                "label": "Median days from an opening's closing date to the placed applicant's start date",
                "kind": "median",
                "median": median(days) if days else None,
                "of": len(days),
                "unit": "days",
            },
        ]
    }
