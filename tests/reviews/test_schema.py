"""The OpenAPI schema lists every route of the review program."""

import re

import pytest
from django.test import Client

PREFIX = "/api/v1/reviews/"
ROUTES = {
    "cases/": {"get", "post"},
    "cases/{reference}/": {"get", "patch"},
    "cases/{reference}/{step}/": {"post"},
    "cases/{reference}/determination/": {"post"},
    "cases/{reference}/government-access/": {"post"},
    "cases/{reference}/issue-findings/": {"post"},
    "cases/{reference}/partners/": {"get", "post"},
    "cases/{reference}/partners/{partner_id}/{verb}/": {"post"},
    "cases/{reference}/findings/": {"get", "post"},
    "cases/{reference}/findings/{number}/": {"patch"},
    "cases/{reference}/findings/{number}/responses/": {"post"},
    "cases/{reference}/messages/": {"get", "post"},
    "cases/{reference}/documents/": {"get", "post"},
    "cases/{reference}/documents/{document_id}/download/": {"get"},
    "cases/{reference}/history/": {"get"},
    "invitations/": {"get"},
    "invitations/{id}/accept-terms/": {"post"},
}


@pytest.fixture(scope="module")
def schema():
    """Generated once for the module; the schema is public and needs no database."""
    response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_lists_every_reviews_route_with_its_methods(schema):
    listed = {
        path.removeprefix(PREFIX): set(operations) & {"get", "post", "patch", "put", "delete"}
        for path, operations in schema["paths"].items()
        if path.startswith(PREFIX)
    }

    assert listed == ROUTES


def admits(parameter: dict, value: str) -> bool:
    """Would a client that validates against the schema send this value?"""
    schema = parameter["schema"]
    if "enum" in schema:
        return value in schema["enum"]
    return re.search(schema["pattern"], value) is not None


@pytest.mark.parametrize(
    "path, name, allowed, refused",
    [
        pytest.param(
            "cases/{reference}/{step}/",
            "step",
            ["submit", "withdraw", "start-screening", "start-review", "close"],
            ["submitted", "foreclose", "start-review-now"],
            id="step",
        ),
        pytest.param(
            "cases/{reference}/partners/{partner_id}/{verb}/",
            "verb",
            ["concur", "decline", "revoke"],
            ["concurred", "irrevoke"],
            id="partner decision",
        ),
    ],
)
def test_a_route_with_a_choice_of_actions_admits_exactly_those_actions(schema, path, name, allowed, refused):
    operation = schema["paths"][PREFIX + path]["post"]
    parameter = next(p for p in operation["parameters"] if p["name"] == name)

    assert [value for value in allowed if not admits(parameter, value)] == []
    assert [value for value in refused if admits(parameter, value)] == []
