"""The grants API contract under /api/v1/grants/: the fields each endpoint answers with, money as
exact decimal strings, who sees what (anything else answers 404, as if it did not exist), who may
change what (403 for a visible object, 404 for an invisible one), 400 naming the field, 409 for a
step the state does not allow, and lists that cost the same number of queries whatever their length.

Personas: OMB's grant staff and CISA's (the awarding agency) run the opportunity; Harbor County
applies; Grid Energy is an operator the opportunity is not open to; a NIST reviewer is assigned;
NSA's staff have nothing to do with it."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import grants
from eo_portal import deadlines
from eo_portal import services as core
from eo_portal.models import Notification, Organisation, Role
from grants import services
from grants.models import Application, Opportunity
from grants.workflow import ApplicationStatus, OpportunityStatus
from tests.eo_portal.test_layering import layering_violations
from tests.factories import person_in

BASE = "/api/v1/grants/"
SIGNED_OUT = (401, 403)
NUMBER = "OMB-AICS-2027-101"
OPPORTUNITY_FIELDS = {
    "opportunity_number",
    "title",
    "awarding_agency",
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
    "posted_date",
    "close_at",
    "status",
    "amendment_count",
    "criteria",
    "eligible",
}
APPLICATION_FIELDS = {
    "tracking_number",
    "opportunity_number",
    "applicant",
    "project_title",
    "abstract",
    "period_start",
    "period_end",
    "requested_amount",
    "cost_share",
    "total_project_cost",
    "budget_lines",
    "contacts",
    "status",
    "edit_version",
    "submitted_at",
    "eligible",
    "decision",
}
STAFF_ONLY = {"reviews", "average_total"}
REPRESENTATIVE = {"role": "authorized_representative", "name": "Dana Reyes", "email": "dana@harbor.example",
                  "phone": "555-0100"}
# Requested 100,000 plus a 20,000 cost share: 120,000 in all, budgeted to the cent.
DRAFT = {
    "project_title": "AI-assisted intrusion detection for county systems",
    "abstract": "Deploy and tune an AI-enabled detection service across county networks.",
    "requested_amount": "100000.00",
    "cost_share": "20000.00",
    "budget_lines": [
        {"object_class": "personnel", "amount": "70000.00"},
        {"object_class": "equipment", "amount": "50000.00"},
    ],
    "contacts": [REPRESENTATIVE],
}


def url(*parts: object) -> str:
    return BASE + "".join(f"{quote(str(part))}/" for part in parts)


def rows(response, key: str) -> list[str]:
    return [row[key] for row in response.json()["results"]]


def opportunity_body(**changes) -> dict:
    return {
        "opportunity_number": "OMB-AICS-2027-102",
        "awarding_agency": "cisa",
        "title": "Tribal AI Cybersecurity Capabilities",
        "assistance_listing": "97.137",
        "description": "Grants for AI-enabled defensive tools in tribal governments.",
        "eligible_types": ["tribal"],
        "funding_instrument": "cooperative_agreement",
        "award_floor": "25000.00",
        "award_ceiling": "150000.00",
        "expected_awards": 4,
        "total_funding": "500000.00",
        "cost_share_percent": "0",
        "close_at": (timezone.now() + timedelta(days=45)).isoformat(),
        "criteria": [{"name": "Need", "weight": 50}, {"name": "Plan", "weight": 50, "description": "Deliverable."}],
        **changes,
    }


def application_body(**changes) -> dict:
    period_start = deadlines.today() + timedelta(days=90)
    return {
        "opportunity": NUMBER,
        **DRAFT,
        "period_start": period_start.isoformat(),
        "period_end": (period_start + timedelta(days=730)).isoformat(),
        **changes,
    }


def awards_told(user) -> int:
    return Notification.objects.filter(recipient=user, subject__startswith="Award").count()


# ---------------------------------------------------------------------------
# Fixtures of this module, made through the services by the people who would take each step.


@pytest.fixture
def api_omb_staff(db):
    return person_in(Organisation.objects.get(slug="omb"), Role.MEMBER, username="api-omb-grants", is_staff=True)


@pytest.fixture
def api_reviewer(db):
    return person_in(Organisation.objects.get(slug="nist"), Role.MEMBER, username="api-nist-reviewer", is_staff=True)


@pytest.fixture
def api_nsa_staff(db):
    return person_in(Organisation.objects.get(slug="nsa"), Role.MEMBER, username="api-nsa-staff", is_staff=True)


@pytest.fixture
def api_county(harbor_county, county_applicant):
    """Harbor County with the profile an applicant needs: a county, a UEI and a live SAM.gov registration."""
    return core.update_organisation(
        harbor_county,
        by=county_applicant,
        local_government_type="county",
        uei="HRBRCNTY1234",
        sam_registration_expires=deadlines.today() + timedelta(days=200),
    )


@pytest.fixture
def api_make_opportunity(api_omb_staff, django_capture_on_commit_callbacks):
    """`api_make_opportunity(number, posted=True)`: OMB's opportunity awarded by CISA, open to
    counties, cities and states: awards of 50,000 to 250,000 and a 10% cost share."""
    cisa = Organisation.objects.get(slug="cisa")

    def make(number: str = NUMBER, *, posted: bool = True, **changes) -> Opportunity:
        opportunity = services.create_opportunity(
            by=api_omb_staff,
            awarding_agency=cisa,
            criteria=[("Need and risk reduction", 60, "The threats answered."), ("Plan and capacity", 40, "")],
            **{
                "opportunity_number": number,
                "title": "State and Local AI Cybersecurity Grant Program",
                "assistance_listing": "97.137",
                "description": "Grants to build AI-enabled cyber defence in state and local governments.",
                "eligible_types": ["county", "city_township", "state"],
                "funding_instrument": "grant",
                "award_floor": Decimal("50000.00"),
                "award_ceiling": Decimal("250000.00"),
                "expected_awards": 5,
                "total_funding": Decimal("1000000.00"),
                "cost_share_percent": Decimal("10.00"),
                "close_at": timezone.now() + timedelta(days=30),
                **changes,
            },
        )
        if posted:
            with django_capture_on_commit_callbacks(execute=True):
                opportunity = services.post_opportunity(opportunity, by=api_omb_staff)
        return opportunity

    return make


@pytest.fixture
def api_opportunity(api_make_opportunity):
    return api_make_opportunity()


@pytest.fixture
def api_draft(api_opportunity, api_county, county_applicant):
    """`api_draft(**changes)`: Harbor County's complete draft (DRAFT) to the posted opportunity."""

    def make(opportunity: Opportunity = api_opportunity, **changes) -> Application:
        body = application_body(**changes)
        body.pop("opportunity")
        lines = [(line["object_class"], Decimal(line["amount"])) for line in body.pop("budget_lines")]
        for money in ("requested_amount", "cost_share"):
            body[money] = Decimal(body[money])
        return services.create_application(
            by=county_applicant, opportunity=opportunity, applicant=api_county, budget_lines=lines,
            contacts=body.pop("contacts"), **body,
        )

    return make


@pytest.fixture
def api_submitted(api_draft, county_applicant):
    def make(**changes) -> Application:
        return services.submit_application(api_draft(**changes), by=county_applicant)

    return make


@pytest.fixture
def api_assigned(api_submitted, api_omb_staff, api_reviewer):
    """A submitted application with the NIST reviewer assigned (not yet attested)."""
    application = api_submitted()
    return services.assign_reviewer(application, by=api_omb_staff, reviewer=api_reviewer)


@pytest.fixture
def api_scored(api_assigned, api_reviewer):
    """The assignment attested and scored 80 and 50: a weighted total of 80×0.6 + 50×0.4 = 68.00."""
    services.attest_no_conflict(api_assigned, by=api_reviewer)
    return services.score_application(api_assigned, by=api_reviewer, scores={1: 80, 2: 50}, comment="Solid plan.")


# ---------------------------------------------------------------------------
# Rule 2 of DESIGN.md for this module, with the core's own check.


def test_the_api_module_neither_writes_nor_queries_models_directly():
    source = (Path(grants.__file__).parent / "api.py").read_text()

    assert layering_violations(source) == []


# ---------------------------------------------------------------------------
# Opportunities: public reads, the search and eligibility


def test_anyone_reads_an_opportunity_with_its_money_as_exact_strings(api, anonymous, api_opportunity):
    response = api(anonymous).get(url("opportunities", NUMBER))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == OPPORTUNITY_FIELDS
    assert {key: body[key] for key in ("award_floor", "award_ceiling", "total_funding", "cost_share_percent")} == {
        "award_floor": "50000.00",
        "award_ceiling": "250000.00",
        "total_funding": "1000000.00",
        "cost_share_percent": "10.00",
    }
    assert body["pass_through_percent"] is None
    assert body["awarding_agency"] == "cisa"
    assert body["status"] == OpportunityStatus.POSTED
    assert body["eligible_types"] == ["county", "city_township", "state"]
    assert body["criteria"] == [
        {"number": 1, "name": "Need and risk reduction", "weight": 60, "description": "The threats answered."},
        {"number": 2, "name": "Plan and capacity", "weight": 40, "description": ""},
    ]
    assert body["eligible"] is None


def test_an_unknown_opportunity_answers_404(api, anonymous, db):
    assert api(anonymous).get(url("opportunities", "OMB-NONE-1")).status_code == 404


def test_the_public_search_filters_by_keyword_eligibility_status_agency_and_closing_date(
    api, anonymous, api_make_opportunity
):
    api_make_opportunity(NUMBER)
    api_make_opportunity("OMB-AICS-2027-102", eligible_types=["operator"], title="Operators' AI defence")
    api_make_opportunity("OMB-AICS-2027-103", posted=False, close_at=timezone.now() + timedelta(days=200))
    client = api(anonymous)

    def found(**params) -> list[str]:
        response = client.get(url("opportunities"), params)
        assert response.status_code == 200, response.json()
        return rows(response, "opportunity_number")

    assert found() == [NUMBER, "OMB-AICS-2027-102", "OMB-AICS-2027-103"]
    assert found(keyword="operators") == ["OMB-AICS-2027-102"]
    assert found(eligibility="operator") == ["OMB-AICS-2027-102"]
    assert found(status="forecasted") == ["OMB-AICS-2027-103"]
    assert found(closing_within="60", sort="posted") == ["OMB-AICS-2027-102", NUMBER]
    assert found(agency="cisa", eligibility="county", status="posted") == [NUMBER]
    assert found(agency="nsa") == []


@pytest.mark.parametrize(
    "params",
    [{"eligibility": "lab"}, {"status": "open"}, {"sort": "cheapest"}, {"closing_within": "soon"},
     {"closing_within": "0"}],
)
def test_a_bad_search_parameter_is_a_400_naming_it(api, anonymous, api_opportunity, params):
    response = api(anonymous).get(url("opportunities"), params)

    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_a_closing_within_of_non_ascii_digits_is_a_400_naming_it(api, anonymous, api_opportunity):
    response = api(anonymous).get(url("opportunities"), {"closing_within": "²"})

    assert response.status_code == 400
    assert set(response.json()) == {"closing_within"}


def test_a_signed_in_applicant_sees_whether_each_of_their_organisations_may_apply(
    api, api_opportunity, api_county, county_applicant, operator
):
    county = api(county_applicant).get(url("opportunities", NUMBER)).json()["eligible"]
    listed = api(county_applicant).get(url("opportunities")).json()["results"][0]["eligible"]
    energy = api(operator).get(url("opportunities", NUMBER)).json()["eligible"]

    assert county == listed == [{"organisation": "harbor-county", "eligible": True, "reasons": []}]
    assert [(row["organisation"], row["eligible"]) for row in energy] == [("grid-energy", False)]
    reasons = " ".join(energy[0]["reasons"])
    assert "not one of them" in reasons and "Unique Entity ID" in reasons and "SAM.gov" in reasons


def test_staff_who_apply_for_no_organisation_get_an_empty_eligibility_list(api, api_opportunity, api_omb_staff):
    assert api(api_omb_staff).get(url("opportunities", NUMBER)).json()["eligible"] == []


# ---------------------------------------------------------------------------
# Opportunities: grant staff's writes


def test_grant_staff_forecast_an_opportunity_with_exact_amounts(api, api_omb_staff):
    response = api(api_omb_staff).post(url("opportunities"), opportunity_body(), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["opportunity_number"], body["status"], body["awarding_agency"]) == (
        "OMB-AICS-2027-102", OpportunityStatus.FORECASTED, "cisa"
    )
    assert (body["award_floor"], body["award_ceiling"], body["total_funding"]) == ("25000.00", "150000.00",
                                                                                   "500000.00")
    assert [(c["number"], c["name"], c["weight"]) for c in body["criteria"]] == [(1, "Need", 50), (2, "Plan", 50)]
    stored = Opportunity.objects.get(opportunity_number="OMB-AICS-2027-102")
    assert stored.award_floor == Decimal("25000.00") and isinstance(stored.award_floor, Decimal)


def test_a_json_number_with_a_fraction_is_read_as_an_exact_decimal_never_a_float(api, api_omb_staff):
    response = api(api_omb_staff).post(
        url("opportunities"),
        json.dumps(opportunity_body(award_floor=25000.5, total_funding=500000.1)),
        content_type="application/json",
    )

    assert response.status_code == 201, response.json()
    assert (response.json()["award_floor"], response.json()["total_funding"]) == ("25000.50", "500000.10")
    stored = Opportunity.objects.get(opportunity_number="OMB-AICS-2027-102")
    assert (stored.award_floor, stored.total_funding) == (Decimal("25000.50"), Decimal("500000.10"))


def test_a_json_number_with_more_places_than_a_float_keeps_is_refused_not_rounded(api, api_omb_staff):
    """As a float 25000.50000000000001 would be 25000.5; read as a Decimal it has too many places."""
    body = json.dumps(opportunity_body(award_floor="FLOOR")).replace('"FLOOR"', "25000.50000000000001")

    response = api(api_omb_staff).post(url("opportunities"), body, content_type="application/json")

    assert response.status_code == 400
    assert set(response.json()) == {"award_floor"}


@pytest.mark.parametrize("amount", [25000.505, "25000.505", "lots", 1e20])
def test_an_amount_that_is_not_dollars_and_cents_is_a_400_naming_the_field(api, api_omb_staff, amount):
    response = api(api_omb_staff).post(
        url("opportunities"), json.dumps(opportunity_body(award_floor=amount)), content_type="application/json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"award_floor"}
    assert not Opportunity.objects.filter(opportunity_number="OMB-AICS-2027-102").exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"award_floor": "200000.00"}, "award_floor"),
        ({"award_ceiling": "900000.00"}, "award_ceiling"),
        ({"criteria": [{"name": "Need", "weight": 70}]}, "criteria"),
        ({"eligible_types": ["lab"]}, "eligible_types"),
        ({"opportunity_number": "omb 2027"}, "opportunity_number"),
        ({"awarding_agency": "lab-a"}, "awarding_agency"),
        ({"awarding_agency": None}, "awarding_agency"),
    ],
)
def test_a_bad_opportunity_is_a_400_naming_the_field(api, api_omb_staff, lab_a, changes, field):
    body = {key: value for key, value in opportunity_body(**changes).items() if value is not None}

    response = api(api_omb_staff).post(url("opportunities"), body, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_only_grant_staff_create_opportunities(api, anonymous, county_applicant, operator):
    assert api(anonymous).post(url("opportunities"), opportunity_body(), format="json").status_code in SIGNED_OUT
    for outsider in (county_applicant, operator):
        assert api(outsider).post(url("opportunities"), opportunity_body(), format="json").status_code == 403
    assert not Opportunity.objects.exists()


def test_an_agency_creates_for_itself_without_naming_it_and_for_no_other(api, agency_staff):
    assert api(agency_staff).post(
        url("opportunities"), opportunity_body(awarding_agency="nsa"), format="json"
    ).status_code == 400
    body = opportunity_body()
    body.pop("awarding_agency")

    response = api(agency_staff).post(url("opportunities"), body, format="json")

    assert response.status_code == 201
    assert response.json()["awarding_agency"] == "cisa"


def test_grant_staff_edit_a_forecast_and_others_may_not(
    api, api_make_opportunity, api_omb_staff, agency_staff, api_nsa_staff, county_applicant, anonymous
):
    api_make_opportunity(posted=False)
    change = {"award_ceiling": "300000.00", "criteria": [{"name": "Everything", "weight": 100}]}

    assert api(anonymous).patch(url("opportunities", NUMBER), change, format="json").status_code in SIGNED_OUT
    for outsider in (county_applicant, api_nsa_staff):
        assert api(outsider).patch(url("opportunities", NUMBER), change, format="json").status_code == 403
    response = api(agency_staff).patch(url("opportunities", NUMBER), change, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["award_ceiling"] == "300000.00"
    assert [c["name"] for c in response.json()["criteria"]] == ["Everything"]
    assert api(api_omb_staff).patch(
        url("opportunities", NUMBER), {"award_floor": "400000.00"}, format="json"
    ).json() == {"award_floor": ["The award floor cannot be above the ceiling."]}


def test_a_posted_opportunity_is_not_edited_but_amended(api, api_opportunity, api_omb_staff):
    response = api(api_omb_staff).patch(url("opportunities", NUMBER), {"title": "New"}, format="json")

    assert response.status_code == 409
    assert "amendment" in response.json()["detail"]


def test_grant_staff_post_close_and_archive_in_order_and_others_may_not(
    api, api_make_opportunity, api_omb_staff, county_applicant, api_nsa_staff, anonymous,
    django_capture_on_commit_callbacks,
):
    api_make_opportunity(posted=False)
    staff = api(api_omb_staff)

    assert staff.post(url("opportunities", NUMBER, "close")).status_code == 409
    for move in ("post", "close", "archive"):
        assert api(anonymous).post(url("opportunities", NUMBER, move)).status_code in SIGNED_OUT
        for outsider in (county_applicant, api_nsa_staff):
            assert api(outsider).post(url("opportunities", NUMBER, move)).status_code == 403
        with django_capture_on_commit_callbacks(execute=True):
            response = staff.post(url("opportunities", NUMBER, move))
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == {"post": "posted", "close": "closed", "archive": "archived"}[move]
    assert staff.post(url("opportunities", NUMBER, "post")).status_code == 409


def test_an_amendment_is_announced_to_applicants_with_a_draft(
    api, api_opportunity, api_draft, api_omb_staff, county_applicant, api_nsa_staff
):
    api_draft()
    later = (api_opportunity.close_at + timedelta(days=7)).isoformat()

    assert api(api_nsa_staff).post(
        url("opportunities", NUMBER, "amend"), {"summary": "Later", "close_at": later}, format="json"
    ).status_code == 403
    assert api(api_omb_staff).post(
        url("opportunities", NUMBER, "amend"), {"close_at": later}, format="json"
    ).json().keys() == {"summary"}
    response = api(api_omb_staff).post(
        url("opportunities", NUMBER, "amend"), {"summary": "The closing date moves a week later.", "close_at": later},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["amendment_count"] == 1
    assert Notification.objects.filter(recipient=county_applicant, subject__contains="amended").count() == 1


# ---------------------------------------------------------------------------
# Applications: drafts


def test_an_applicant_starts_a_draft_and_gets_the_contract_fields(api, api_opportunity, api_county, county_applicant):
    response = api(county_applicant).post(url("applications"), application_body(), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == APPLICATION_FIELDS
    assert body["tracking_number"].startswith(f"GRANT-{deadlines.today().year}-")
    assert (body["opportunity_number"], body["applicant"], body["status"]) == (NUMBER, "harbor-county", "draft")
    assert (body["requested_amount"], body["cost_share"], body["total_project_cost"]) == (
        "100000.00", "20000.00", "120000.00"
    )
    assert body["budget_lines"] == DRAFT["budget_lines"]
    assert body["contacts"] == [REPRESENTATIVE]
    assert (body["eligible"], body["decision"], body["submitted_at"]) == (True, None, None)
    assert api(county_applicant).get(url("applications", body["tracking_number"])).json() == body


def test_a_requested_amount_with_a_fraction_in_json_stays_exact(api, api_opportunity, api_county, county_applicant):
    body = application_body(
        requested_amount=100000.5,
        cost_share=19999.5,
        budget_lines=[{"object_class": "personnel", "amount": 70000.25}, {"object_class": "equipment",
                                                                          "amount": 49999.75}],
    )

    response = api(county_applicant).post(url("applications"), json.dumps(body), content_type="application/json")

    assert response.status_code == 201, response.json()
    assert (response.json()["requested_amount"], response.json()["total_project_cost"]) == ("100000.50",
                                                                                            "120000.00")
    assert [line["amount"] for line in response.json()["budget_lines"]] == ["70000.25", "49999.75"]
    stored = Application.objects.get(tracking_number=response.json()["tracking_number"])
    assert stored.requested_amount == Decimal("100000.50")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"requested_amount": 100000.505}, "requested_amount"),
        ({"cost_share": "-1.00"}, "cost_share"),
        ({"budget_lines": [{"object_class": "snacks", "amount": "1.00"}]}, "budget_lines"),
        ({"budget_lines": [{"object_class": "travel", "amount": 0.001}]}, "budget_lines"),
        ({"budget_lines": [{"object_class": "travel", "amount": "1.00"}] * 2}, "budget_lines"),
        ({"contacts": [REPRESENTATIVE, REPRESENTATIVE]}, "contacts"),
        ({"contacts": [{**REPRESENTATIVE, "email": "not-an-address"}]}, "contacts"),
        ({"period_end": "2020-01-01"}, "period_end"),
        ({"opportunity": "OMB-NONE-1"}, "opportunity"),
        ({"applicant": "grid-energy"}, "applicant"),
        ({"abstract": "SECRET//NOFORN details"}, "abstract"),
    ],
)
def test_a_bad_draft_is_a_400_naming_the_field_and_nothing_is_stored(
    api, api_opportunity, api_county, county_applicant, changes, field
):
    response = api(county_applicant).post(url("applications"), json.dumps(application_body(**changes)),
                                          content_type="application/json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Application.objects.exists()


def test_an_organisation_the_opportunity_is_not_open_to_cannot_start_a_draft(api, api_opportunity, operator):
    response = api(operator).post(url("applications"), application_body(), format="json")

    assert response.status_code == 400
    assert "not one of them" in response.json()["applicant"][0]


def test_only_members_of_an_applying_organisation_start_drafts(api, api_opportunity, api_omb_staff, lab_a_member,
                                                              anonymous):
    assert api(anonymous).post(url("applications"), application_body(), format="json").status_code in SIGNED_OUT
    for outsider in (api_omb_staff, lab_a_member):
        assert api(outsider).post(url("applications"), application_body(), format="json").status_code == 403


def test_a_draft_is_not_started_on_a_forecast(api, api_make_opportunity, api_county, county_applicant):
    api_make_opportunity(posted=False)

    response = api(county_applicant).post(url("applications"), application_body(), format="json")

    assert response.status_code == 400
    assert "opportunity" in response.json()


def test_the_applicant_saves_the_draft_and_no_one_else_may(
    api, api_draft, county_applicant, api_omb_staff, operator
):
    draft = api_draft()
    change = {"cost_share": "30000.00", "budget_lines": [{"object_class": "contractual", "amount": "130000.00"}]}

    # A draft is the applicant's alone: not even the opportunity's grant staff see it.
    for outsider in (operator, api_omb_staff):
        assert api(outsider).patch(url("applications", draft.tracking_number), change,
                                   format="json").status_code == 404
    response = api(county_applicant).patch(url("applications", draft.tracking_number), change, format="json")

    assert response.status_code == 200, response.json()
    assert (response.json()["cost_share"], response.json()["total_project_cost"]) == ("30000.00", "130000.00")
    assert response.json()["budget_lines"] == [{"object_class": "contractual", "amount": "130000.00"}]
    assert response.json()["contacts"] == [REPRESENTATIVE]


# ---------------------------------------------------------------------------
# Applications: submission


def test_a_complete_draft_is_submitted_and_the_applicant_gets_a_receipt(api, api_draft, county_applicant):
    draft = api_draft()

    response = api(county_applicant).post(url("applications", draft.tracking_number, "submit"))

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == ApplicationStatus.SUBMITTED
    assert response.json()["submitted_at"] is not None
    assert Notification.objects.filter(recipient=county_applicant, subject__startswith="Receipt").count() == 1
    assert api(county_applicant).post(url("applications", draft.tracking_number, "submit")).status_code == 409
    assert api(county_applicant).patch(
        url("applications", draft.tracking_number), {"cost_share": "1.00"}, format="json"
    ).status_code == 409


def test_a_submission_names_every_problem_and_leaves_the_draft_as_it_was(api, api_draft, county_applicant):
    draft = api_draft(
        requested_amount="10000.00",
        cost_share="0.00",
        budget_lines=[{"object_class": "travel", "amount": "500.00"}],
        contacts=[{**REPRESENTATIVE, "role": "project_director"}],
    )
    before = api(county_applicant).get(url("applications", draft.tracking_number)).json()

    response = api(county_applicant).post(url("applications", draft.tracking_number, "submit"))

    assert response.status_code == 400
    assert set(response.json()) == {"requested_amount", "cost_share", "budget_lines", "contacts"}
    assert "$50,000.00 and $250,000.00" in response.json()["requested_amount"][0]
    assert api(county_applicant).get(url("applications", draft.tracking_number)).json() == before
    assert Application.objects.get(pk=draft.pk).status == ApplicationStatus.DRAFT


def test_a_submission_after_the_close_is_refused_and_the_draft_is_kept(
    api, api_draft, county_applicant, api_omb_staff
):
    draft = api_draft()
    before = api(county_applicant).get(url("applications", draft.tracking_number)).json()
    assert api(api_omb_staff).post(url("opportunities", NUMBER, "close")).status_code == 200

    response = api(county_applicant).post(url("applications", draft.tracking_number, "submit"))

    assert response.status_code == 400
    assert "no longer accepted" in response.json()["opportunity"][0]
    after = api(county_applicant).get(url("applications", draft.tracking_number)).json()
    assert after == before
    stored = Application.objects.get(pk=draft.pk)
    assert (stored.status, stored.submitted_at, stored.requested_amount) == (
        ApplicationStatus.DRAFT, None, Decimal("100000.00")
    )


def test_only_the_applicant_submits_and_withdraws(
    api, api_draft, api_submitted, county_applicant, api_omb_staff, operator
):
    draft, submitted = api_draft(), api_submitted()

    for move in ("submit", "withdraw"):
        for outsider in (operator, api_omb_staff):
            assert api(outsider).post(url("applications", draft.tracking_number, move)).status_code == 404
        assert api(operator).post(url("applications", submitted.tracking_number, move)).status_code == 404
        assert api(api_omb_staff).post(url("applications", submitted.tracking_number, move)).status_code == 403
    response = api(county_applicant).post(url("applications", draft.tracking_number, "withdraw"))

    assert response.status_code == 200
    assert response.json()["status"] == ApplicationStatus.WITHDRAWN
    assert api(county_applicant).post(url("applications", draft.tracking_number, "submit")).status_code == 409


# ---------------------------------------------------------------------------
# Who sees applications


def test_an_applicant_never_sees_another_organisations_application(api, api_draft, operator, lab_a_member,
                                                                    anonymous):
    draft = api_draft()

    assert api(anonymous).get(url("applications")).status_code in SIGNED_OUT
    assert api(anonymous).get(url("applications", draft.tracking_number)).status_code in SIGNED_OUT
    for outsider in (operator, lab_a_member):
        assert api(outsider).get(url("applications", draft.tracking_number)).status_code == 404
        assert api(outsider).get(url("applications")).json()["results"] == []


def test_grant_staff_of_the_opportunity_see_its_submitted_applications_and_other_agencies_do_not(
    api, api_draft, api_submitted, api_omb_staff, agency_staff, api_nsa_staff
):
    draft, application = api_draft(), api_submitted()

    for staff in (api_omb_staff, agency_staff):
        assert rows(api(staff).get(url("applications")), "tracking_number") == [application.tracking_number]
        assert api(staff).get(url("applications", draft.tracking_number)).status_code == 404
    assert api(api_nsa_staff).get(url("applications", application.tracking_number)).status_code == 404
    assert api(api_nsa_staff).get(url("applications")).json()["results"] == []


def test_the_list_filters_by_status(api, api_draft, api_submitted, county_applicant):
    draft, submitted = api_draft(), api_submitted()
    client = api(county_applicant)

    assert rows(client.get(url("applications"), {"status": "draft"}), "tracking_number") == [draft.tracking_number]
    assert rows(client.get(url("applications"), {"status": "submitted"}), "tracking_number") == [
        submitted.tracking_number
    ]


# ---------------------------------------------------------------------------
# Review


def test_grant_staff_assign_a_reviewer_from_the_agencies(
    api, api_submitted, api_omb_staff, api_reviewer, county_applicant, api_nsa_staff
):
    application = api_submitted()
    target = url("applications", application.tracking_number, "assign-reviewer")

    assert api(county_applicant).post(target, {"reviewer": api_reviewer.username}, format="json").status_code == 403
    assert api(api_nsa_staff).post(target, {"reviewer": api_reviewer.username}, format="json").status_code == 404
    for wrong in ("nobody", county_applicant.username):
        response = api(api_omb_staff).post(target, {"reviewer": wrong}, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"reviewer"}
    response = api(api_omb_staff).post(target, {"reviewer": api_reviewer.username}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == ApplicationStatus.UNDER_REVIEW
    assert [(r["reviewer"], r["attested_at"], r["scores"]) for r in response.json()["reviews"]] == [
        ("api-nist-reviewer", None, {})
    ]
    assert api(api_omb_staff).post(target, {"reviewer": api_reviewer.username}, format="json").status_code == 400


def test_a_withdrawn_application_is_not_sent_for_review(api, api_submitted, county_applicant, api_omb_staff,
                                                        api_reviewer):
    application = services.withdraw_application(api_submitted(), by=county_applicant)

    response = api(api_omb_staff).post(
        url("applications", application.tracking_number, "assign-reviewer"), {"reviewer": api_reviewer.username},
        format="json",
    )

    assert response.status_code == 409


def test_a_reviewer_who_has_not_attested_sees_only_the_assignment_stub(api, api_assigned, api_reviewer):
    application = api_assigned.application
    client = api(api_reviewer)

    assert client.get(url("applications", application.tracking_number)).status_code == 404
    assert client.get(url("applications")).json()["results"] == []
    assert client.post(url("applications", application.tracking_number, "score"),
                       {"scores": {"1": 80, "2": 50}}, format="json").status_code == 404
    listed = client.get(url("reviews")).json()["results"]

    assert listed == [
        {
            "id": api_assigned.pk,
            "tracking_number": application.tracking_number,
            "opportunity_number": NUMBER,
            "assigned_at": listed[0]["assigned_at"],
            "attested_at": None,
            "scored_at": None,
            "application": None,
            "scores": {},
            "weighted_total": None,
            "comment": "",
        }
    ]
    assert client.get(url("reviews", api_assigned.pk)).json() == listed[0]
    assert client.post(url("reviews", api_assigned.pk, "score"), {"scores": {"1": 80, "2": 50}},
                       format="json").status_code == 403


def test_after_attesting_the_reviewer_sees_the_application_and_scores_it(api, api_assigned, api_reviewer):
    application = api_assigned.application
    client = api(api_reviewer)

    attested = client.post(url("reviews", api_assigned.pk, "attest"))

    assert attested.status_code == 200
    assert attested.json()["attested_at"] is not None
    assert attested.json()["application"] == {
        "project_title": DRAFT["project_title"],
        "abstract": DRAFT["abstract"],
        "applicant": "harbor-county",
        "requested_amount": "100000.00",
        "status": ApplicationStatus.UNDER_REVIEW,
    }
    seen = client.get(url("applications", application.tracking_number))
    assert seen.status_code == 200
    assert STAFF_ONLY.isdisjoint(seen.json())
    scored = client.post(url("reviews", api_assigned.pk, "score"), {"scores": {"1": 80, "2": 50}, "comment": "Good"},
                         format="json")
    assert scored.status_code == 200, scored.json()
    assert (scored.json()["scores"], scored.json()["weighted_total"], scored.json()["comment"]) == (
        {"1": 80, "2": 50}, "68.00", "Good"
    )
    rescored = client.post(url("applications", application.tracking_number, "score"),
                           {"scores": {"1": 100, "2": 75}}, format="json")
    assert rescored.status_code == 200, rescored.json()
    assert (rescored.json()["id"], rescored.json()["weighted_total"]) == (api_assigned.pk, "90.00")


@pytest.mark.parametrize(
    "scores",
    [{"1": 80}, {"1": 80, "2": 101}, {"1": 80, "2": -1}, {"one": 80, "2": 50}, {"²": 80, "2": 50}, {"1": 80.5, "2": 50}],
)
def test_a_bad_scoring_is_a_400_naming_the_scores(api, api_assigned, api_reviewer, scores):
    services.attest_no_conflict(api_assigned, by=api_reviewer)

    response = api(api_reviewer).post(url("reviews", api_assigned.pk, "score"), {"scores": scores}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"scores"}


def test_no_one_else_attests_or_scores_anothers_assignment(
    api, api_assigned, api_omb_staff, county_applicant, api_nsa_staff
):
    for outsider in (api_omb_staff, county_applicant, api_nsa_staff):
        client = api(outsider)
        assert client.get(url("reviews", api_assigned.pk)).status_code == 404
        assert client.post(url("reviews", api_assigned.pk, "attest")).status_code == 404
        assert client.post(url("reviews", api_assigned.pk, "score"), {"scores": {"1": 1, "2": 1}},
                           format="json").status_code == 404
        assert client.get(url("reviews")).json()["results"] == []
    # Staff and the applicant see the application, but hold no assignment to score it by.
    for visible_to in (api_omb_staff, county_applicant):
        assert api(visible_to).post(url("applications", api_assigned.application.tracking_number, "score"),
                                    {"scores": {"1": 1, "2": 1}}, format="json").status_code == 404


def test_grant_staff_see_every_review_and_the_applicant_no_score_or_reviewer(
    api, api_scored, api_omb_staff, county_applicant
):
    tracking_number = api_scored.application.tracking_number

    staff = api(api_omb_staff).get(url("applications", tracking_number)).json()
    applicant = api(county_applicant).get(url("applications", tracking_number))
    listed = api(county_applicant).get(url("applications")).json()["results"]

    assert set(staff) == APPLICATION_FIELDS | STAFF_ONLY
    assert [
        (r["reviewer"], r["scores"], r["weighted_total"], r["comment"], r["attested_at"] is not None)
        for r in staff["reviews"]
    ] == [("api-nist-reviewer", {"1": 80, "2": 50}, "68.00", "Solid plan.", True)]
    assert staff["average_total"] == "68.00"
    assert set(applicant.json()) == APPLICATION_FIELDS
    assert [set(row) for row in listed] == [APPLICATION_FIELDS]
    text = applicant.content.decode()
    for leak in ("api-nist-reviewer", "Solid plan.", "68.00", "weighted_total", "scores"):
        assert leak not in text


# ---------------------------------------------------------------------------
# Decisions


def test_an_award_is_recorded_once_and_the_applicant_told_once(
    api, api_scored, api_omb_staff, county_applicant
):
    tracking_number = api_scored.application.tracking_number
    target = url("applications", tracking_number, "award")
    award = {"amount": 90000.5, "award_number": "AICS-27-0001", "award_date": "2027-09-30"}

    response = api(api_omb_staff).post(target, json.dumps(award), content_type="application/json")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == ApplicationStatus.AWARDED
    decision = {"amount": "90000.50", "award_number": "AICS-27-0001", "award_date": "2027-09-30", "note": ""}
    assert {key: response.json()["decision"][key] for key in decision} == decision
    seen = api(county_applicant).get(url("applications", tracking_number)).json()
    assert {key: seen["decision"][key] for key in decision} == decision
    assert awards_told(county_applicant) == 1

    again = api(api_omb_staff).post(target, {**award, "award_number": "AICS-27-0002"}, format="json")

    assert again.status_code == 409
    assert awards_told(county_applicant) == 1


def test_an_award_number_is_used_once(api, api_scored, api_submitted, api_omb_staff):
    other = api_submitted()
    services.assign_reviewer(other, by=api_omb_staff, reviewer=api_scored.reviewer)
    award = {"amount": "90000.00", "award_number": "AICS-27-0001"}
    assert api(api_omb_staff).post(url("applications", api_scored.application.tracking_number, "award"), award,
                                   format="json").status_code == 200

    response = api(api_omb_staff).post(url("applications", other.tracking_number, "award"), award, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"award_number"}
    assert Application.objects.get(pk=other.pk).status == ApplicationStatus.UNDER_REVIEW


@pytest.mark.parametrize("amount", ["0.00", "100000.01", "90000.001", "-5"])
def test_an_award_outside_the_request_is_a_400_naming_the_amount(api, api_scored, api_omb_staff, amount):
    tracking_number = api_scored.application.tracking_number

    response = api(api_omb_staff).post(
        url("applications", tracking_number, "award"), {"amount": amount, "award_number": "AICS-27-0001"},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"amount"}
    assert Application.objects.get(pk=api_scored.application_id).status == ApplicationStatus.UNDER_REVIEW


def test_only_grant_staff_decide(api, api_scored, county_applicant, api_reviewer, api_nsa_staff):
    tracking_number = api_scored.application.tracking_number
    award = {"amount": "90000.00", "award_number": "AICS-27-0001"}

    for insider in (county_applicant, api_reviewer):
        assert api(insider).post(url("applications", tracking_number, "award"), award,
                                 format="json").status_code == 403
        assert api(insider).post(url("applications", tracking_number, "decline"), {}, format="json").status_code == 403
    assert api(api_nsa_staff).post(url("applications", tracking_number, "award"), award,
                                   format="json").status_code == 404
    assert api(api_nsa_staff).post(url("applications", tracking_number, "decline")).status_code == 404
    assert awards_told(county_applicant) == 0


def test_a_declined_application_tells_the_applicant_why(api, api_scored, agency_staff, county_applicant):
    tracking_number = api_scored.application.tracking_number
    note = "Strong need, but the plan lacked a sustainment budget."

    response = api(agency_staff).post(url("applications", tracking_number, "decline"), {"note": note}, format="json")

    assert response.status_code == 200, response.json()
    seen = api(county_applicant).get(url("applications", tracking_number)).json()
    assert seen["status"] == ApplicationStatus.NOT_SELECTED
    assert {key: seen["decision"][key] for key in ("amount", "award_number", "award_date", "note")} == {
        "amount": None, "award_number": None, "award_date": None, "note": note,
    }
    assert api(agency_staff).post(url("applications", tracking_number, "decline"), {"note": "x"},
                                  format="json").status_code == 409
    assert api(county_applicant).post(url("applications", tracking_number, "withdraw")).status_code == 409


def test_no_decision_is_shown_before_it_is_made(api, api_scored, county_applicant):
    seen = api(county_applicant).get(url("applications", api_scored.application.tracking_number)).json()

    assert (seen["status"], seen["decision"]) == (ApplicationStatus.UNDER_REVIEW, None)


# ---------------------------------------------------------------------------
# Rule 7 of DESIGN.md: lists cost the same number of queries for 1 row and for 5.


# Pinned at today's counts. Every signed-in reader: the session, the user, the session's
# authenticator (django-otp: every reader here is agency staff or a manager, who must use MFA),
# their role permissions (2) and groups, the applications granted to them (up to the list's limit:
# bench/README.md, 17), the ids of the opportunities they run (so that PostgreSQL can estimate the
# list's rows: bench/README.md, fix 13), then the count, the page, its budget
# lines, contacts and documents, and which of the page's opportunities the reader runs (14); grant
# staff add the reviewers, scores and criteria (4). The public search: the count, the page and its criteria (3);
# an applicant adds the session, the user, the authenticator and their applying organisations. A
# reviewer's queue: session, user, authenticator, count, page, scores and criteria. A new query
# here is a choice, not an accident.
MAX_QUERIES = {"staff": 18, "applicant": 14, "reviewer": 14, "anonymous": 3, "search_applicant": 7, "queue": 7}


def _queries(client, path: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured), response.json()["count"]


def test_the_application_list_costs_the_same_for_1_and_5_reviewed_applications(
    api, api_submitted, api_omb_staff, api_reviewer, county_applicant
):
    clients = {"staff": api(api_omb_staff), "applicant": api(county_applicant), "reviewer": api(api_reviewer)}

    def add(count: int) -> None:
        for _ in range(count):
            assignment = services.assign_reviewer(api_submitted(), by=api_omb_staff, reviewer=api_reviewer)
            services.attest_no_conflict(assignment, by=api_reviewer)
            services.score_application(assignment, by=api_reviewer, scores={1: 70, 2: 90})

    add(1)
    few = {name: _queries(client, url("applications")) for name, client in clients.items()}
    add(4)
    many = {name: _queries(client, url("applications")) for name, client in clients.items()}

    assert {name: count for name, (_, count) in many.items()} == dict.fromkeys(clients, 5)
    assert {name: queries for name, (queries, _) in few.items()} == {
        name: queries for name, (queries, _) in many.items()
    }
    assert {name: queries <= MAX_QUERIES[name] for name, (queries, _) in many.items()} == dict.fromkeys(
        clients, True
    ), many


def test_the_opportunity_search_costs_the_same_for_1_and_5_opportunities(
    api, api_make_opportunity, anonymous, county_applicant, api_county
):
    clients = {"anonymous": api(anonymous), "applicant": api(county_applicant)}
    api_make_opportunity("OMB-AICS-2027-200")
    few = {name: _queries(client, url("opportunities")) for name, client in clients.items()}
    for number in range(201, 205):
        api_make_opportunity(f"OMB-AICS-2027-{number}")
    many = {name: _queries(client, url("opportunities")) for name, client in clients.items()}

    assert {name: count for name, (_, count) in many.items()} == dict.fromkeys(clients, 5)
    assert {name: queries for name, (queries, _) in few.items()} == {
        name: queries for name, (queries, _) in many.items()
    }
    assert many["anonymous"][0] <= MAX_QUERIES["anonymous"], many
    assert many["applicant"][0] <= MAX_QUERIES["search_applicant"], many


def test_the_review_queue_costs_the_same_for_1_and_5_assignments(api, api_submitted, api_omb_staff, api_reviewer):
    def add(count: int) -> None:
        for _ in range(count):
            assignment = services.assign_reviewer(api_submitted(), by=api_omb_staff, reviewer=api_reviewer)
            services.attest_no_conflict(assignment, by=api_reviewer)
            services.score_application(assignment, by=api_reviewer, scores={1: 70, 2: 90})

    add(1)
    few = _queries(api(api_reviewer), url("reviews"))
    add(4)
    many = _queries(api(api_reviewer), url("reviews"))

    assert (few[1], many[1]) == (1, 5)
    assert few[0] == many[0] <= MAX_QUERIES["queue"]


def test_a_save_from_an_older_edit_version_is_refused_with_409_and_changes_nothing(api, api_draft, county_applicant):
    draft = api_draft()
    path = url("applications", draft.tracking_number)
    read = api(county_applicant).get(path).json()["edit_version"]

    first = api(county_applicant).patch(path, {"project_title": "First tab", "edit_version": read}, format="json")
    second = api(county_applicant).patch(path, {"project_title": "Second tab", "edit_version": read}, format="json")

    assert first.status_code == 200 and first.json()["edit_version"] == read + 1
    assert second.status_code == 409 and "Someone else saved this draft" in second.json()["detail"]
    stored = Application.objects.get(pk=draft.pk)
    assert (stored.project_title, stored.edit_version) == ("First tab", read + 1)
    assert stored.history.filter(history_change_reason="draft saved").count() == 1
