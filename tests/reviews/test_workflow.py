"""Every step of the state table, from every state, by the right and the wrong people.

A step the case's state does not allow is refused with TransitionNotAllowed (409 with the reason
in the API); a step the user may not take is PermissionDenied (403) when they can see the case,
and 404 when they cannot, the same as a case that does not exist.
"""

import pytest
from django.core.exceptions import PermissionDenied

from reviews import services
from reviews.models import Determination, FindingResponse
from reviews.workflow import AGENCY, LAB, OPEN_STATES, TRANSITIONS, Status, TransitionNotAllowed
from tests.reviews.support import DETERMINATION, case_url, refresh

# How each step is taken: (the API route under the case, the request body, the service call).
STEPS = {
    "submit": ("submit/", None, services.submit_case),
    "withdraw": ("withdraw/", None, services.withdraw_case),
    "start_screening": ("start-screening/", None, services.start_screening),
    "determination": (
        "determination/",
        {"outcome": "meets_threshold", **DETERMINATION},
        lambda case, by: services.record_determination(case, by=by, outcome="meets_threshold", **DETERMINATION),
    ),
    "start_review": ("start-review/", None, services.start_review),
    "issue_findings": ("issue-findings/", None, services.issue_findings),
    "close": ("close/", None, services.close_case),
}
RIGHT_ACTOR = {LAB: "lab_a_manager", AGENCY: "cisa_member"}
# A case is built in the stage named as its state, except where the step needs more than the state.
READY = {
    ("start_review", Status.SCREENING): "determined",
    ("issue_findings", Status.UNDER_REVIEW): "finding_drafted",
    ("issue_findings", Status.FINDINGS_ISSUED): "findings_issued_with_draft",
}


def take(client, case, step):
    route, body, _ = STEPS[step]
    return client.post(case_url(case, route), body, format="json")


def test_the_step_table_covers_every_transition():
    assert set(STEPS) == set(TRANSITIONS)


@pytest.mark.parametrize("status", Status.values)
@pytest.mark.parametrize("step", TRANSITIONS)
def test_each_step_from_each_state_is_taken_by_the_right_actor_or_refused_with_the_reason(
    step, status, make_case, people, api
):
    transition = TRANSITIONS[step]
    case = make_case(READY.get((step, status), status))
    actor = people(RIGHT_ACTOR[transition.permission])

    if status in transition.sources:
        response = take(api(actor), case, step)

        assert response.status_code == 200, response.content
        assert refresh(case).status == transition.target
        return

    if status == Status.DRAFT and transition.permission == AGENCY:
        # Agencies are not participants until the lab submits: the step is not theirs to try.
        with pytest.raises(PermissionDenied):
            STEPS[step][2](case, by=actor)
        assert take(api(actor), case, step).status_code == 404
    else:
        with pytest.raises(TransitionNotAllowed):
            STEPS[step][2](case, by=actor)
        response = take(api(actor), case, step)
        assert response.status_code == 409
        assert Status(status).label.lower() in response.json()["detail"]
    assert refresh(case).status == status


@pytest.mark.parametrize(
    "step, stage, persona, expected",
    [
        ("submit", "draft", "lab_a_member", 403),
        ("submit", "draft", "lab_a_viewer", 403),
        ("submit", "draft", "cisa_member", 404),
        ("submit", "draft", "lab_b_manager", 404),
        ("submit", "draft", "partner_b_manager", 404),
        ("withdraw", "submitted", "cisa_member", 403),
        ("withdraw", "submitted", "coordinator", 403),
        ("withdraw", "under_review", "treasury_member", 404),
        ("withdraw", "under_review", "lab_b_manager", 404),
        ("start_screening", "submitted", "lab_a_manager", 403),
        ("start_screening", "submitted", "lab_a_member", 403),
        ("start_screening", "submitted", "coordinator", 403),
        ("start_screening", "submitted", "treasury_member", 404),
        ("start_screening", "submitted", "operator_user", 404),
        ("determination", "screening", "lab_a_manager", 403),
        ("determination", "screening", "treasury_member", 404),
        ("start_review", "determined", "lab_a_manager", 403),
        ("start_review", "determined", "lab_b_manager", 404),
        ("issue_findings", "finding_drafted", "lab_a_manager", 403),
        ("issue_findings", "finding_drafted", "treasury_member", 404),
        ("close", "findings_issued", "lab_a_manager", 403),
        ("close", "findings_issued", "coordinator", 403),
        ("close", "findings_issued", "partner_b_manager", 404),
    ],
)
def test_the_wrong_actor_is_refused_403_if_they_see_the_case_and_404_if_not(
    step, stage, persona, expected, make_case, people, api
):
    case = make_case(stage)
    actor = people(persona)

    response = take(api(actor), case, step)

    assert response.status_code == expected
    if expected == 403:
        with pytest.raises(PermissionDenied):
            STEPS[step][2](case, by=actor)
    assert refresh(case).status == case.status


@pytest.mark.parametrize("persona", ["lab_a_member", "lab_a_viewer"])
@pytest.mark.parametrize("status", OPEN_STATES)
def test_only_a_lab_manager_withdraws_a_case_from_any_open_state(status, persona, make_case, people, api):
    case = make_case(status)

    assert take(api(people(persona)), case, "withdraw").status_code == 403
    assert refresh(case).status == status


def test_anonymous_takes_no_step(make_case, api):
    case = make_case("submitted")

    for step in STEPS:
        assert take(api(), case, step).status_code in (401, 403)
    assert refresh(case).status == Status.SUBMITTED


@pytest.mark.parametrize(
    "outcome, status, review_starts",
    [("meets_threshold", Status.SCREENING, True), ("below_threshold", Status.NOT_WARRANTED, False)],
)
def test_the_determination_decides_whether_review_follows(
    outcome, status, review_starts, make_case, nsa_member, nist_member, api
):
    case = make_case("screening")

    response = api(nsa_member).post(
        case_url(case, "determination/"), {"outcome": outcome, **DETERMINATION}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == status
    assert response.json()["determination"]["agency"] == "nsa"
    assert (refresh(case).closed_at is not None) is not review_starts
    started = api(nist_member).post(case_url(case, "start-review/"))
    assert started.status_code == (200 if review_starts else 409)
    assert refresh(case).status == (Status.UNDER_REVIEW if review_starts else Status.NOT_WARRANTED)


def test_review_does_not_start_without_a_determination(make_case, nist_member, api):
    case = make_case("screening")

    with pytest.raises(TransitionNotAllowed, match="meets the threshold"):
        services.start_review(case, by=nist_member)
    response = api(nist_member).post(case_url(case, "start-review/"))

    assert response.status_code == 409
    assert "determination" in response.json()["detail"]
    assert refresh(case).status == Status.SCREENING


def test_a_second_determination_is_refused(make_case, cisa_member, api):
    case = make_case("determined")

    response = take(api(cisa_member), case, "determination")

    assert response.status_code == 409
    assert Determination.objects.filter(case=case).count() == 1
    assert Determination.objects.get(case=case).agency.slug == "nsa"


@pytest.mark.parametrize("stage", ["finding_drafted", "findings_issued"])
def test_findings_are_issued_only_when_there_are_drafts(stage, make_case, cisa_member, api):
    case = make_case(stage)
    if stage == "finding_drafted":
        assert take(api(cisa_member), case, "issue_findings").status_code == 200
    response = take(api(cisa_member), case, "issue_findings")

    assert response.status_code == 409
    assert "no draft findings" in response.json()["detail"]
    assert refresh(case).status == Status.FINDINGS_ISSUED


def test_a_draft_edit_cannot_set_the_status_the_lab_the_reference_or_the_access_date(
    make_case, lab_a_member, lab_b, api
):
    case = make_case("draft")
    smuggled = {
        "status": "closed",
        "lab": "lab-b",
        "reference": "MRC-1999-0001",
        "government_access_date": "2026-01-01",
    }

    response = api(lab_a_member).patch(case_url(case), {**smuggled, "model_version": "4.2"}, format="json")

    stored = refresh(case)
    assert response.status_code == 200
    assert stored.model_version == "4.2"
    assert (stored.status, stored.lab.slug, stored.reference, stored.government_access_date) == (
        Status.DRAFT, "lab-a", case.reference, None
    )


@pytest.mark.parametrize("ending, expected", [(None, 201), ("close_case", 409), ("withdraw_case", 409)])
@pytest.mark.parametrize(
    "route, body",
    [("messages/", {"body": "One more thing."}), ("findings/1/responses/", {"body": "Our answer."})],
)
def test_the_lab_writes_on_an_open_case_but_an_ended_case_takes_no_more(
    ending, expected, route, body, make_case, lab_a_manager, nsa_member, lab_a_member, api
):
    case = make_case("findings_issued")
    if ending:
        getattr(services, ending)(case, by=nsa_member if ending == "close_case" else lab_a_manager)

    response = api(lab_a_member).post(case_url(case, route), body, format="json")

    assert response.status_code == expected
    written = case.messages.count() + FindingResponse.objects.filter(finding__case=case).count()
    assert written == (1 if expected == 201 else 0)
