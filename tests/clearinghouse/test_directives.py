"""CISA's directives and guidance: drafting (CISA only), numbering and who each kind binds,
issuing with due dates in calendar days, compliance reports by the organisations it applies to,
CISA's overview of compliance, and who sees what."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from clearinghouse import selectors, services
from clearinghouse.models import ComplianceReport, Directive, DirectiveKind, RequiredAction
from clearinghouse.workflow import ComplianceStatus, DirectiveStatus, MoveNotAllowed
from eo_portal import deadlines
from eo_portal.models import OrganisationKind, Role
from tests.clearinghouse.conftest import refresh, subjects_of
from tests.factories import OrganisationFactory, person_in

# Some tests here take their personas by name (request.getfixturevalue): the mark tells
# pytest-django they use the database, so they run before the tests that empty it.
pytestmark = pytest.mark.django_db

GUIDANCE = {
    "identifier": "CG 27-01",
    "kind": DirectiveKind.GUIDANCE,
    "title": "Inventory AI agents with tool access",
    "summary": "Know which AI agents can act on your systems and turn off what you cannot watch.",
    "applicable_kinds": [OrganisationKind.LOCAL, OrganisationKind.OPERATOR],
}
BINDING = {
    "identifier": "BOD 27-01",
    "kind": DirectiveKind.BINDING,
    "title": "Patch known-exploited AI framework flaws",
    "summary": "Federal agencies remediate known-exploited flaws in AI frameworks on the KEV timelines.",
    "applicable_kinds": [OrganisationKind.AGENCY],
}
ACTIONS = [("Inventory every agent with tool access.", 30), ("Turn off unmonitored agents.", 365)]


@pytest.fixture
def cisa_viewer(cisa):
    return person_in(cisa, Role.VIEWER, username="cisa-viewer")


@pytest.fixture
def draft(agency_staff):
    """`draft(**fields)`: a CISA guidance draft with two required actions (30 and 365 days)."""

    def make(required_actions=ACTIONS, **fields):
        return services.create_directive(by=agency_staff, required_actions=required_actions, **{**GUIDANCE, **fields})

    return make


@pytest.fixture
def issued(draft, agency_staff):
    def make(**fields):
        return services.issue_directive(draft(**fields), by=agency_staff)

    return make


def action(directive, number: int) -> RequiredAction:
    return directive.required_actions.get(number=number)


def backdate(directive, days: int) -> Directive:
    """Move the issue date back. Time cannot be frozen in these tests, and no service changes an
    issue date, so the test sets the column itself (test data only, outside the audited paths)."""
    Directive.objects.filter(pk=directive.pk).update(issued_date=deadlines.today() - timedelta(days=days))
    return refresh(directive)


# ---------------------------------------------------------------------------
# Drafting


def test_cisa_drafts_a_directive_with_numbered_required_actions(draft, agency_staff):
    directive = draft()

    assert (directive.status, directive.issued_date, directive.created_by) == (
        DirectiveStatus.DRAFT,
        None,
        agency_staff,
    )
    assert [(a.number, a.text, a.due_in_days, a.due_date) for a in selectors.required_actions_of(directive)] == [
        (1, ACTIONS[0][0], 30, None),
        (2, ACTIONS[1][0], 365, None),
    ]
    assert directive.history.get().history_user == agency_staff


@pytest.mark.parametrize("persona", ["treasury_analyst", "nsa_analyst", "nist_member", "operator", "cisa_viewer"])
def test_only_cisa_members_draft_directives(request, persona):
    user = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        services.create_directive(by=user, required_actions=ACTIONS, **GUIDANCE)
    assert not Directive.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"identifier": "CG-27-01"}, id="hyphen instead of space"),
        pytest.param({"identifier": "CG 2027-01"}, id="four-digit year"),
        pytest.param({"identifier": "cg 27-01"}, id="lower case"),
        pytest.param({"identifier": "XX 27-01"}, id="unknown prefix"),
        pytest.param({"identifier": "BOD 27-01"}, id="guidance numbered as a BOD"),
        pytest.param({**BINDING, "identifier": "CG 27-02"}, id="BOD numbered as guidance"),
        pytest.param({**BINDING, "kind": DirectiveKind.EMERGENCY}, id="ED numbered as a BOD"),
    ],
)
def test_an_identifier_must_have_the_form_and_prefix_of_its_kind(draft, fields):
    with pytest.raises(ValidationError) as caught:
        draft(**fields)

    assert "identifier" in caught.value.message_dict
    assert not Directive.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({**BINDING, "applicable_kinds": [OrganisationKind.OPERATOR]}, id="BOD to operators"),
        pytest.param(
            {**BINDING, "applicable_kinds": [OrganisationKind.AGENCY, OrganisationKind.STATE]}, id="BOD to states"
        ),
        pytest.param(
            {**BINDING, "identifier": "ED 27-01", "kind": DirectiveKind.EMERGENCY, "applicable_kinds": ["local"]},
            id="ED to local governments",
        ),
        pytest.param({"applicable_kinds": [OrganisationKind.AGENCY]}, id="guidance to agencies"),
        pytest.param({"applicable_kinds": [OrganisationKind.LAB]}, id="guidance to labs"),
        pytest.param({"applicable_kinds": [OrganisationKind.PARTNER]}, id="guidance to partners"),
        pytest.param({"applicable_kinds": []}, id="to no one"),
        pytest.param({"applicable_kinds": ["everyone"]}, id="unknown kind"),
    ],
)
def test_who_a_directive_applies_to_must_fit_its_kind(draft, fields):
    with pytest.raises(ValidationError) as caught:
        draft(**fields)

    assert "applicable_kinds" in caught.value.message_dict
    assert not Directive.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param(BINDING, id="BOD to agencies"),
        pytest.param({**BINDING, "identifier": "ED 27-01", "kind": DirectiveKind.EMERGENCY}, id="ED to agencies"),
        pytest.param(
            {
                "applicable_kinds": [
                    OrganisationKind.STATE,
                    OrganisationKind.LOCAL,
                    OrganisationKind.TRIBAL,
                    OrganisationKind.TERRITORIAL,
                    OrganisationKind.OPERATOR,
                ]
            },
            id="guidance to state, local, tribal, territorial governments and operators",
        ),
    ],
)
def test_each_kind_applies_to_the_organisations_it_speaks_to(draft, fields):
    assert draft(**fields).status == DirectiveStatus.DRAFT


@pytest.mark.parametrize(
    "required_actions",
    [pytest.param([], id="none"), pytest.param([("Do it at once.", 0)], id="due in 0 days")],
)
def test_a_directive_has_at_least_one_required_action_due_in_a_day_or_more(draft, required_actions):
    with pytest.raises(ValidationError) as caught:
        draft(required_actions=required_actions)

    assert "required_actions" in caught.value.message_dict
    assert not Directive.objects.exists()


def test_cisa_edits_a_draft(draft, agency_staff, treasury_analyst):
    directive = draft()

    with pytest.raises(PermissionDenied):
        services.update_directive(directive, by=treasury_analyst, title="Treasury's title")
    services.update_directive(directive, by=agency_staff, title="Inventory AI agents", required_actions=ACTIONS[:1])

    directive = refresh(directive)
    assert directive.title == "Inventory AI agents"
    assert directive.required_actions.count() == 1


# ---------------------------------------------------------------------------
# Issuing


def test_issuing_dates_the_directive_today_and_each_action_that_many_calendar_days_later(issued):
    directive = issued()

    today = deadlines.today()
    assert (directive.status, directive.issued_date) == (DirectiveStatus.ISSUED, today)
    assert [a.due_date for a in selectors.required_actions_of(directive)] == [
        today + timedelta(days=30),
        today + timedelta(days=365),
    ]


def test_due_dates_follow_the_issue_date_across_months(issued):
    directive = backdate(issued(), 45)

    assert action(directive, 1).due_date == directive.issued_date + timedelta(days=30)
    assert action(directive, 2).due_date == directive.issued_date + timedelta(days=365)


def test_issuing_tells_the_people_of_the_organisations_it_applies_to(
    issued, operator, county_applicant, lab_a_manager, state_official
):
    directive = issued()

    subject = f"{directive.identifier} issued: {directive.title}"
    assert subjects_of(operator) == [subject]
    assert subjects_of(county_applicant) == [subject]
    assert subjects_of(lab_a_manager) == []
    assert subjects_of(state_official) == []


def test_only_cisa_issues(draft, treasury_analyst, cisa_viewer):
    directive = draft()

    for outsider in (treasury_analyst, cisa_viewer):
        with pytest.raises(PermissionDenied):
            services.issue_directive(directive, by=outsider)
    assert refresh(directive).status == DirectiveStatus.DRAFT


def test_an_issued_directive_is_not_edited_nor_issued_again(issued, agency_staff):
    directive = issued()

    with pytest.raises(MoveNotAllowed):
        services.update_directive(directive, by=agency_staff, title="Changed after issue")
    with pytest.raises(MoveNotAllowed):
        services.update_directive(directive, by=agency_staff, required_actions=[("New action", 5)])
    with pytest.raises(MoveNotAllowed):
        services.issue_directive(directive, by=agency_staff)

    directive = refresh(directive)
    assert directive.title == GUIDANCE["title"]
    assert directive.required_actions.count() == 2


def test_cisa_revokes_an_issued_directive(issued, agency_staff):
    directive = services.revoke_directive(issued(), by=agency_staff)

    assert refresh(directive).status == DirectiveStatus.REVOKED


# ---------------------------------------------------------------------------
# Compliance reports


def test_a_member_of_an_applicable_organisation_reports_on_an_action(issued, harbor_county, county_applicant):
    directive = issued()

    report = services.report_compliance(
        action(directive, 1), by=county_applicant, organisation=harbor_county, status=ComplianceStatus.IN_PROGRESS
    )

    assert (report.organisation, report.status, report.reported_by) == (
        harbor_county,
        ComplianceStatus.IN_PROGRESS,
        county_applicant,
    )


def test_an_organisation_the_directive_does_not_apply_to_cannot_report(
    issued, lab_a, lab_a_manager, lakeshore_state, state_official
):
    directive = issued()

    with pytest.raises(PermissionDenied):
        services.report_compliance(action(directive, 1), by=lab_a_manager, organisation=lab_a, status="in_progress")
    with pytest.raises(PermissionDenied):
        services.report_compliance(
            action(directive, 1), by=state_official, organisation=lakeshore_state, status="in_progress"
        )
    assert not ComplianceReport.objects.exists()


def test_a_viewer_of_an_applicable_organisation_cannot_report(issued, grid_energy, grid_energy_viewer):
    directive = issued()

    with pytest.raises(PermissionDenied):
        services.report_compliance(
            action(directive, 1), by=grid_energy_viewer, organisation=grid_energy, status="in_progress"
        )
    assert not ComplianceReport.objects.exists()


def test_no_one_reports_for_an_organisation_they_do_not_belong_to(issued, harbor_county, operator):
    directive = issued()

    with pytest.raises(PermissionDenied):
        services.report_compliance(action(directive, 1), by=operator, organisation=harbor_county, status="in_progress")
    assert not ComplianceReport.objects.exists()


def test_no_one_reports_on_a_draft(draft, harbor_county, county_applicant):
    directive = draft()

    with pytest.raises(PermissionDenied):
        services.report_compliance(
            action(directive, 1), by=county_applicant, organisation=harbor_county, status="in_progress"
        )


def test_a_later_report_updates_the_same_row_and_the_history_keeps_each(
    issued, grid_energy, operator, grid_energy_member
):
    directive = issued()
    first = services.report_compliance(
        action(directive, 1), by=operator, organisation=grid_energy, status="in_progress"
    )

    second = services.report_compliance(
        action(directive, 1),
        by=grid_energy_member,
        organisation=grid_energy,
        status=ComplianceStatus.COMPLETED,
        completed_on=deadlines.today(),
        note="Inventory done.",
    )

    assert second.pk == first.pk
    assert ComplianceReport.objects.count() == 1
    assert [(row.status, row.history_user) for row in second.history.order_by("history_id")] == [
        (ComplianceStatus.IN_PROGRESS, operator),
        (ComplianceStatus.COMPLETED, grid_energy_member),
    ]


@pytest.mark.parametrize(
    "status, completed_on_days",
    [
        pytest.param(ComplianceStatus.COMPLETED, None, id="completed without a date"),
        pytest.param(ComplianceStatus.COMPLETED, 1, id="completed tomorrow"),
        pytest.param(ComplianceStatus.IN_PROGRESS, 0, id="a date but not completed"),
    ],
)
def test_a_completion_needs_a_date_that_is_not_in_the_future(
    issued, harbor_county, county_applicant, status, completed_on_days
):
    directive = issued()
    completed_on = None if completed_on_days is None else deadlines.today() + timedelta(days=completed_on_days)

    with pytest.raises(ValidationError) as caught:
        services.report_compliance(
            action(directive, 1),
            by=county_applicant,
            organisation=harbor_county,
            status=status,
            completed_on=completed_on,
        )

    assert "completed_on" in caught.value.message_dict
    assert not ComplianceReport.objects.exists()


def test_an_unknown_status_is_refused(issued, harbor_county, county_applicant):
    with pytest.raises(ValidationError) as caught:
        services.report_compliance(action(issued(), 1), by=county_applicant, organisation=harbor_county, status="done")

    assert "status" in caught.value.message_dict


# ---------------------------------------------------------------------------
# CISA's overview


@pytest.fixture
def local_governments(harbor_county):
    """Three local governments, each with a manager: Harbor County, River Town and Hill City."""
    river = OrganisationFactory(
        slug="river-town", name="River Town", short_name="River Town", kind=OrganisationKind.LOCAL
    )
    hill = OrganisationFactory(slug="hill-city", name="Hill City", short_name="Hill City", kind=OrganisationKind.LOCAL)
    return {
        organisation.slug: (
            organisation,
            person_in(organisation, Role.MANAGER, username=f"{organisation.slug}-manager"),
        )
        for organisation in (harbor_county, river, hill)
    }


@pytest.fixture
def overdue_directive(issued, local_governments):
    """Guidance to local governments issued 40 days ago: action 1 (30 days) is 10 days overdue,
    action 2 (365 days) is not due. Harbor County completed action 1 on time, River Town late,
    Hill City is still working on it."""
    directive = backdate(issued(applicable_kinds=[OrganisationKind.LOCAL]), 40)
    first = action(directive, 1)

    def report(slug, status, completed_on=None):
        organisation, manager = local_governments[slug]
        services.report_compliance(
            first, by=manager, organisation=organisation, status=status, completed_on=completed_on
        )

    report("harbor-county", ComplianceStatus.COMPLETED, directive.issued_date + timedelta(days=5))
    report("river-town", ComplianceStatus.COMPLETED, deadlines.today() - timedelta(days=1))
    report("hill-city", ComplianceStatus.IN_PROGRESS)
    return directive


def test_the_compliance_overview_counts_applicable_completed_on_time_and_overdue(overdue_directive):
    overview = selectors.compliance_overview(overdue_directive)

    assert [(row.action.number, row.applicable, row.completed, row.on_time, row.overdue) for row in overview] == [
        (1, 3, 2, 1, 1),
        (2, 3, 0, 0, 0),
    ]
    assert overview[0].due_date == deadlines.today() - timedelta(days=10)


def test_the_overdue_organisations_are_those_with_a_past_due_action_not_completed(overdue_directive):
    assert [o.slug for o in selectors.overdue_organisations(overdue_directive)] == ["hill-city"]


def test_nothing_is_overdue_before_the_first_due_date(issued, local_governments):
    directive = issued(applicable_kinds=[OrganisationKind.LOCAL])

    assert list(selectors.overdue_organisations(directive)) == []
    assert [row.overdue for row in selectors.compliance_overview(directive)] == [0, 0]


def test_a_draft_has_no_overdue_organisations(draft, local_governments):
    assert list(selectors.overdue_organisations(draft())) == []


def test_the_public_aggregates_count_issued_directives_and_actions_met_on_time(overdue_directive, draft):
    draft(identifier="CG 27-09")

    figures = {figure["key"]: figure for figure in selectors.public_aggregates()["figures"]}

    assert figures["directives"]["count"] == 1
    assert (figures["actions_on_time"]["count"], figures["actions_on_time"]["of"]) == (1, 3)


def test_compliance_reports_are_seen_by_the_reporting_organisation_and_cisa(
    overdue_directive, local_governments, agency_staff, treasury_analyst
):
    _, harbor_manager = local_governments["harbor-county"]

    def seen_by(user):
        return {r.organisation.slug for r in selectors.compliance_reports_visible_to(user)}

    assert seen_by(harbor_manager) == {"harbor-county"}
    assert seen_by(agency_staff) == {"harbor-county", "river-town", "hill-city"}
    assert seen_by(treasury_analyst) == set()


# ---------------------------------------------------------------------------
# Who sees a directive


def test_a_draft_is_cisas_alone(draft, agency_staff, anonymous, operator, treasury_analyst):
    directive = draft()

    assert selectors.get_directive_for(agency_staff, directive.identifier) == directive
    for outsider in (anonymous, operator, treasury_analyst, None):
        assert not selectors.directives_visible_to(outsider).exists()
        with pytest.raises(Http404):
            selectors.get_directive_for(outsider, directive.identifier)


@pytest.mark.parametrize("revoke", [False, True], ids=["issued", "revoked"])
def test_an_issued_or_revoked_directive_is_public(issued, agency_staff, anonymous, jobseeker, revoke):
    directive = issued()
    if revoke:
        services.revoke_directive(directive, by=agency_staff)

    for reader in (anonymous, jobseeker, None):
        assert selectors.get_directive_for(reader, directive.identifier) == directive
