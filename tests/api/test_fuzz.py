"""A property-based fuzzer over KAM's own OpenAPI schema.

Schemathesis draws requests for every operation of the schema (valid and invalid bodies,
query strings and ids) and sends them to KAM in process, signed in with a token of a
director (who may read everything) and of a rep (who may read little). No answer may
be a server error, and every answer must match the schema of the operation. The number
of cases per operation is bounded, so the run is bounded in time.
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from kam.core.models import Role
from kam.core.services import tokens
from kam.wsgi import application
from tests.factories import AccountFactory, ActivityFactory, OpportunityFactory, UserFactory

pytestmark = pytest.mark.django_db

# Cases drawn per operation and user; CI can ask for more with KAM_FUZZ_EXAMPLES.
EXAMPLES = int(os.environ.get("KAM_FUZZ_EXAMPLES", "8"))
# Operations that end the caller's own session or are covered by their own tests
# (tests/api/test_tokens.py): revoking could end the fuzzer's own token.
SKIPPED = {
    ("POST", "/api/v1/auth/token/"),
    ("POST", "/api/v1/auth/tokens/revoke-all/"),
    ("DELETE", "/api/v1/auth/tokens/{id}/"),
}


def kam_schema() -> schemathesis.BaseSchema:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    # The generator's dict holds lazy translations; a JSON round trip makes it plain data.
    plain = json.loads(json.dumps(generated, default=str))
    schema = schemathesis.openapi.from_dict(plain)
    schema.app = application
    return schema


def fuzz_operation(operation, headers: dict[str, str]) -> int:  # type: ignore[no-untyped-def]
    sent = 0

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:  # type: ignore[no-untyped-def]
        nonlocal sent
        response = case.call(headers=headers)
        sent += 1
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

    run()
    return sent


@pytest.fixture
def in_test_transaction():  # type: ignore[no-untyped-def]
    """Keep the database connection open between the fuzzer's requests.

    The requests go straight to the WSGI application, whose request signals close the
    connection, and with it the test's transaction; Django's own test client
    disconnects them the same way.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_no_operation_answers_a_server_error_or_breaks_its_schema(org, in_test_transaction):
    account = AccountFactory(owner=org.rep)
    opportunity = OpportunityFactory(account=account)
    ActivityFactory(account=account, opportunity=opportunity)
    director = UserFactory(username="fuzz_director", role=Role.DIRECTOR, team=org.company)
    schema = kam_schema()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5
    sent = 0
    for user in (director, org.rep):
        headers = {"Authorization": f"Token {tokens.issue_token(user, name='fuzz')[1]}"}
        for operation in operations:
            if (operation.method.upper(), operation.path) in SKIPPED:
                continue
            sent += fuzz_operation(operation, headers)
    assert sent >= len(operations)
    print(f"fuzz: {sent} cases over {len(operations)} operations, 2 users")
