"""The case list's lab filter names the labs of the cases the person sees, and no other, whether the
list is read by its keys (a person who holds few cases) or probed lab by lab (an agency, a
coordinator): `reviews.selectors.labs_among`."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from eo_portal import permissions
from reviews import selectors, services
from tests.factories import signed_in
from tests.reviews.support import CASE_FIELDS

# Who sees which lab's cases, with lab A's case submitted and lab B's still a draft: a draft is
# its lab's alone, coordinators see every submitted case, a partner with no access sees none.
LABS_SEEN = {
    "lab_a_member": {"lab-a"},
    "lab_b_manager": {"lab-b"},
    "nsa_member": {"lab-a"},
    "coordinator": {"lab-a"},
    "partner_a_member": set(),
}
LIMITS = [
    pytest.param(permissions.LIST_BY_KEY_LIMIT, id="keys where few"),
    pytest.param(0, id="semi-join for everyone"),
]


@pytest.fixture
def cases_of_two_labs(make_case, lab_b, lab_b_manager):
    make_case("submitted")
    make_case("draft")
    services.create_case(by=lab_b_manager, lab=lab_b, **CASE_FIELDS)


@pytest.mark.parametrize("limit", LIMITS)
@pytest.mark.parametrize("persona", LABS_SEEN)
def test_the_labs_are_those_of_the_cases_the_person_sees(monkeypatch, people, cases_of_two_labs, persona, limit):
    monkeypatch.setattr(permissions, "LIST_BY_KEY_LIMIT", limit)
    visible = selectors.cases_visible_to(people(persona), for_list=True)

    named = selectors.labs_among(visible)

    assert {slug for slug, _ in named} == {case.lab.slug for case in visible} == LABS_SEEN[persona]
    assert [name for _, name in named] == sorted(name for _, name in named)


@pytest.mark.parametrize(
    "persona, limit, by_key",
    [
        ("lab_a_member", permissions.LIST_BY_KEY_LIMIT, True),
        ("lab_a_member", 0, False),
        ("nsa_member", 0, False),
        # Coordinators see every submitted case besides their grants: never a list of keys.
        ("coordinator", permissions.LIST_BY_KEY_LIMIT, False),
    ],
)
def test_a_list_of_keys_is_read_and_any_other_is_probed_lab_by_lab(
    monkeypatch, people, cases_of_two_labs, persona, limit, by_key
):
    monkeypatch.setattr(permissions, "LIST_BY_KEY_LIMIT", limit)
    visible = selectors.cases_visible_to(people(persona), for_list=True)

    with CaptureQueriesContext(connection) as queries:
        selectors.labs_among(visible)

    assert permissions.listed_by_key(visible) is by_key
    assert len(queries) == 1
    assert ("DISTINCT" in queries[0]["sql"]) is by_key


def test_the_page_offers_the_labs_the_person_sees(client, lab_b_manager, cases_of_two_labs):
    signed_in(client, lab_b_manager)
    form = client.get("/reviews/").context["filter_form"]

    assert [value for value, _ in form.fields["lab"].choices if value] == ["lab-b"]
