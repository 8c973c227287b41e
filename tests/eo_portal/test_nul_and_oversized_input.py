"""NUL bytes and oversized values are a 400 naming the field: in query parameters, on every list
of the API and the portal's searches, before any query runs (large numbers are no server error);
in JSON and form bodies, by the serializers and forms, with nothing saved."""

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from eo_portal.request_limits import MAX_QUERY_VALUE_CHARS
from reviews.models import ReviewCase

CASE = {
    "model_name": "Atlas",
    "model_version": "4.1",
    "capability_summary": "General-purpose model with strong code generation.",
    "access_method": "hosted_api",
}


def list_parameters() -> list[tuple[str, str]]:
    """(path, query parameter) for every API operation read with GET that takes no path parameter."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (path, parameter["name"])
        for path, operations in schema["paths"].items()
        if "{" not in path and "get" in operations
        for parameter in operations["get"].get("parameters", [])
        if parameter["in"] == "query"
    ]


LIST_PARAMETERS = list_parameters()
PAGE_SEARCHES = [
    ("/workforce/openings/", "q"),
    ("/grants/opportunities/", "keyword"),
    ("/clearinghouse/advisories/", "tlp"),
    ("/reviews/cases/", "status"),
]


def test_the_api_lists_take_query_parameters():
    assert len(LIST_PARAMETERS) > 20


@pytest.mark.parametrize("path, name", LIST_PARAMETERS, ids=[f"{p}?{n}" for p, n in LIST_PARAMETERS])
def test_an_api_parameter_with_a_nul_byte_or_overlong_is_a_400_naming_it(path, name, api, agency_staff):
    client = api(agency_staff)

    nul = client.get(path, {name: "abc\x00def"})
    overlong = client.get(path, {name: "a" * (MAX_QUERY_VALUE_CHARS + 1)})
    huge_number = client.get(path, {name: "9" * 400})

    for response in (nul, overlong):
        assert response.status_code == 400
        assert name in response.json()
    assert huge_number.status_code < 500


@pytest.mark.parametrize("path, name", PAGE_SEARCHES)
def test_a_page_parameter_with_a_nul_byte_is_a_400_naming_it(path, name, web, agency_staff):
    response = web(agency_staff).get(path, {name: "\x00"})

    assert response.status_code == 400
    assert name in response.content.decode()


def test_a_nul_byte_in_the_path_is_a_400(web):
    assert web().get("/grants/opportunities/%00/").status_code == 400


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"model_name": "Atlas\x00"}, id="NUL in a short field"),
        pytest.param({"capability_summary": "Summary\x00 with a NUL"}, id="NUL in a long text"),
        pytest.param({"model_name": "A" * 5000}, id="oversized"),
    ],
)
def test_a_json_body_with_a_nul_byte_or_oversized_value_is_a_400_naming_the_field(change, api, lab_a_member):
    response = api(lab_a_member).post("/api/v1/reviews/cases/", {**CASE, **change}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == set(change)
    assert not ReviewCase.objects.exists()


def test_a_form_body_with_a_nul_byte_is_refused_at_the_field(web, lab_a_member):
    response = web(lab_a_member).post(reverse("reviews:case-create"), {**CASE, "model_name": "Atlas\x00"})

    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert not ReviewCase.objects.exists()


def test_a_body_above_the_upload_limit_is_a_400(api, lab_a_member, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000

    response = api(lab_a_member).post(
        "/api/v1/reviews/cases/", {**CASE, "capability_summary": "x" * 20_000}, format="json"
    )

    assert response.status_code == 400
    assert not ReviewCase.objects.exists()
