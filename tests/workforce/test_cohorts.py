"""Pooled cohorts: one application that several agencies consider, each keeping its own stand."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from eo_portal.audit import system_user
from eo_portal.models import Notification, Organisation
from eo_portal.services import create_organisation
from workforce import selectors, services
from workforce.models import Application, Consideration
from workforce.workflow import ApplicationStatus, Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(make_opening, opm, dhs, cisa, staff_of):
    opening = make_opening("draft")
    services.update_opening(opening, by=staff_of(opm), considering_agencies=[dhs, cisa])
    return services.post_opening(opening, by=staff_of(opm))


@pytest.fixture
def pooled_application(cohort, applicant):
    return services.apply(cohort, by=applicant, cover_note="One application for the cohort.")


def stages(application) -> dict[str, str]:
    return {c.agency.slug: c.stage for c in Consideration.objects.filter(application=application)}


def test_one_application_to_a_cohort_is_considered_by_every_agency_of_it(pooled_application):
    assert stages(pooled_application) == {"opm": "considering", "dhs": "considering", "cisa": "considering"}


def test_an_ordinary_opening_has_no_considerations(make_opening, applicant):
    application = services.apply(make_opening("open"), by=applicant)

    assert stages(application) == {}


def test_each_agency_of_the_cohort_sees_the_applicant(pooled_application, opm, dhs, cisa, staff_of):
    for agency in (opm, dhs, cisa):
        assert selectors.applications_visible_to(staff_of(agency)).filter(pk=pooled_application.pk).exists()


def test_an_agency_outside_the_cohort_gets_404_for_its_applicant(pooled_application, api, staff_of):
    outsider = staff_of(Organisation.objects.get(slug="nist"))

    response = api(outsider).get(f"/api/v1/workforce/applications/{pooled_application.pk}/")

    assert response.status_code == 404
    assert not selectors.applications_visible_to(outsider).filter(pk=pooled_application.pk).exists()


def test_an_agency_moves_its_own_stage_and_the_others_keep_theirs(pooled_application, dhs, staff_of):
    services.consider_applicant(pooled_application, by=staff_of(dhs), stage=Stage.INTERVIEW, note="Panel on Monday")

    assert stages(pooled_application) == {"opm": "considering", "dhs": "interview", "cisa": "considering"}
    row = Consideration.objects.get(application=pooled_application, agency=dhs).history.first()
    assert row.history_user == staff_of(dhs)
    assert "Panel on Monday" in row.history_change_reason


def test_the_applicant_is_told_where_each_agency_stands(pooled_application, dhs, staff_of, applicant, api):
    services.consider_applicant(pooled_application, by=staff_of(dhs), stage=Stage.INTERVIEW)

    body = api(applicant).get(f"/api/v1/workforce/applications/{pooled_application.pk}/").json()

    assert {c["agency"]: c["stage"] for c in body["considerations"]} == {
        "opm": "considering",
        "dhs": "interview",
        "cisa": "considering",
    }
    assert Notification.objects.filter(recipient=applicant, subject__contains="DHS").exists()


def test_a_stage_the_table_does_not_allow_is_refused_with_the_reason(pooled_application, dhs, staff_of, api):
    response = api(staff_of(dhs)).post(
        f"/api/v1/workforce/applications/{pooled_application.pk}/consider/", {"stage": "offer"}, format="json"
    )

    assert response.status_code == 409
    assert "considering" in response.json()["detail"]
    assert stages(pooled_application)["dhs"] == "considering"


def test_an_applicant_cannot_move_a_stage(pooled_application, applicant):
    with pytest.raises(PermissionDenied):
        services.consider_applicant(pooled_application, by=applicant, stage=Stage.INTERVIEW)


def test_placing_marks_the_placing_agencys_stage(pooled_application, cisa, staff_of):
    cisa_staff = staff_of(cisa)
    for stage in (Stage.INTERVIEW, Stage.OFFER):
        services.consider_applicant(pooled_application, by=cisa_staff, stage=stage)
    for status in (ApplicationStatus.QUALIFIED, ApplicationStatus.REFERRED, ApplicationStatus.INTERVIEW,
                   ApplicationStatus.OFFER):
        services.advance_application(pooled_application, by=cisa_staff, status=status)

    services.place_applicant(pooled_application, by=cisa_staff, start_date=date(2027, 2, 1), office="CISA Arlington")

    assert Application.objects.get(pk=pooled_application.pk).status == ApplicationStatus.PLACED
    assert stages(pooled_application)["cisa"] == Stage.PLACED


def test_removing_an_agency_from_the_cohort_takes_its_access_away_at_once(
    cohort, pooled_application, opm, dhs, cisa, staff_of
):
    services.update_opening(cohort, by=staff_of(opm), considering_agencies=[cisa])

    assert not selectors.applications_visible_to(staff_of(dhs)).filter(pk=pooled_application.pk).exists()
    assert selectors.applications_visible_to(staff_of(cisa)).filter(pk=pooled_application.pk).exists()


def test_only_agencies_can_consider_a_cohort(make_opening, opm, staff_of):
    lab = create_organisation(by=system_user(), name="A Lab", short_name="A Lab", kind="lab")
    opening = make_opening("draft")

    with pytest.raises(ValidationError) as refused:
        services.update_opening(opening, by=staff_of(opm), considering_agencies=[lab])

    assert "considering_agencies" in refused.value.message_dict
