"""Two people editing the same draft case: the edit made from an older version is refused (409 in
the API, an error on the page that keeps what was typed), so neither silently undoes the other."""

from django.urls import reverse

from reviews import services
from tests.reviews.support import CASE_FIELDS, case_url, refresh


def test_an_api_edit_from_an_older_version_is_refused_with_409_and_changes_nothing(
    make_case, lab_a_member, lab_a_manager, api
):
    case = make_case("draft")
    read = api(lab_a_member).get(case_url(case)).json()["edit_version"]

    first = api(lab_a_manager).patch(case_url(case), {"model_version": "4.2", "edit_version": read}, format="json")
    second = api(lab_a_member).patch(case_url(case), {"model_version": "4.1-rc", "edit_version": read}, format="json")

    assert first.status_code == 200 and first.json()["edit_version"] == read + 1
    assert second.status_code == 409 and "Someone else saved this draft" in second.json()["detail"]
    assert (refresh(case).model_version, refresh(case).edit_version) == ("4.2", read + 1)
    assert refresh(case).history.filter(history_change_reason="draft edited").count() == 1


def test_an_edit_that_sends_no_version_is_applied_to_the_current_one(make_case, lab_a_member, api):
    case = make_case("draft")

    response = api(lab_a_member).patch(case_url(case), {"model_version": "4.2"}, format="json")

    assert response.status_code == 200 and response.json()["edit_version"] == 2


def test_a_stale_save_of_the_edit_page_is_refused_and_keeps_what_was_typed(make_case, lab_a_member, lab_a_manager, web):
    case = make_case("draft")
    client = web(lab_a_member)
    url = reverse("reviews:case-edit", args=[case.reference])
    form = client.get(url)
    services.update_draft(case, by=lab_a_manager, model_version="4.2", expected_version=1)

    response = client.post(
        url, {**CASE_FIELDS, "access_method": "hosted_api", "model_version": "4.1-rc", "edit_version": "1"}
    )

    assert 'name="edit_version" value="1"' in form.text
    assert response.status_code == 200
    assert "Someone else saved this draft after you opened it" in response.text
    assert 'value="4.1-rc"' in response.text
    assert refresh(case).model_version == "4.2"


def test_a_save_from_the_current_version_goes_through(make_case, lab_a_member, web):
    case = make_case("draft")
    url = reverse("reviews:case-edit", args=[case.reference])

    response = web(lab_a_member).post(
        url, {**CASE_FIELDS, "access_method": "hosted_api", "model_version": "4.2", "edit_version": "1"}
    )

    assert response.status_code == 302
    assert (refresh(case).model_version, refresh(case).edit_version) == ("4.2", 2)
