"""The API fuzzed against its own OpenAPI schema, in-process: schemathesis generates requests for
every operation from the schema (valid and invalid), sends them through the WSGI application with
a lab member's token and with an agency coordinator's token, and fails on any 5xx answer or any
answer that does not match the schema. A bounded number of examples per operation keeps it quick.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from eo_portal import services as core
from eo_portal.models import Organisation, Role
from eo_portal.wsgi import application
from tests.factories import person_in

EXAMPLES_PER_OPERATION = 5
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture(autouse=True)
def connection_kept_across_requests():
    """As Django's test client does: the WSGI handler must not close the test's connection (and with
    it the transaction the test runs in) at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(lab_a) -> dict[str, str]:
    people = {
        "lab member": person_in(lab_a, Role.MEMBER, username="fuzz-lab-member"),
        # Treasury's members coordinate the clearinghouse (role from clearinghouse migration 0002).
        "agency coordinator": person_in(
            Organisation.objects.get(slug="treasury"), Role.MEMBER, username="fuzz-coordinator", is_staff=True
        ),
    }
    return {persona: core.create_api_token(user, by=user, name="fuzzing")[1] for persona, user in people.items()}


# Loaded when the module is collected: the schema view reads no table.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@pytest.mark.django_db
def test_no_operation_answers_5xx_or_breaks_its_schema(case, tokens):
    for token in tokens.values():
        case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
