"""The OpenAPI schema lists every route of the hiring program, the search's filters and the moves."""

import re

import pytest
from django.test import Client

PREFIX = "/api/v1/workforce/"
ROUTES = {
    "pathways/": {"get"},
    "pathways/{slug}/": {"get"},
    "openings/": {"get", "post"},
    "openings/{control_number}/": {"get", "patch"},
    "openings/{control_number}/{move}/": {"post"},
    "openings/{control_number}/apply/": {"post"},
    "applications/": {"get"},
    "applications/{id}/": {"get"},
    "applications/{id}/withdraw/": {"post"},
    "applications/{id}/advance/": {"post"},
    "applications/{id}/place/": {"post"},
    "applications/{id}/consider/": {"post"},
    "metrics/": {"get"},
}
SEARCH_FILTERS = {
    "keyword",
    "series",
    "grade",
    "minimum_salary",
    "state",
    "remote",
    "clearance",
    "pathway",
    "agency",
    "hiring_path",
    "work_role",
    "open_now",
    "sort",
    "page",
}


@pytest.fixture(scope="module")
def schema():
    """Generated once for the module; the schema is public and needs no database."""
    response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_lists_every_workforce_route_with_its_methods(schema):
    listed = {
        path.removeprefix(PREFIX): set(operations) & {"get", "post", "patch", "put", "delete"}
        for path, operations in schema["paths"].items()
        if path.startswith(PREFIX)
    }

    assert listed == ROUTES


def test_the_opening_search_documents_every_filter(schema):
    parameters = {p["name"] for p in schema["paths"][PREFIX + "openings/"]["get"]["parameters"]}

    assert SEARCH_FILTERS <= parameters


def test_the_move_route_admits_exactly_the_opening_moves(schema):
    operation = schema["paths"][PREFIX + "openings/{control_number}/{move}/"]["post"]
    parameter = next(p for p in operation["parameters"] if p["name"] == "move")["schema"]

    def admits(value: str) -> bool:
        return (
            value in parameter["enum"] if "enum" in parameter else re.fullmatch(parameter["pattern"], value) is not None
        )

    assert [move for move in ("post", "close", "fill", "cancel") if not admits(move)] == []
    assert [move for move in ("posted", "reopen", "delete") if admits(move)] == []
