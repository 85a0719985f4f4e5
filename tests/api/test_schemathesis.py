"""Property-based API test: schemathesis walks every operation of /api/schema/ as a curator, all checks on.

Every built-in check runs (status codes, content types, headers, response bodies, that schema-valid
requests are accepted and invalid ones refused, that auth is enforced, 405s, ...): the schema must
say exactly what the server does. Runs in-process against the WSGI app, writes included (the test
database is thrown away); examples per operation are bounded and derandomized, so the run is the
same every time and stays short.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings

from bench.synthetic import synthetic_record_generate
from tests.schemathesis_support import SCHEMATHESIS_CONFIG, state_dependent_rejection
from tracker.services.tokens import api_token_issue
from tracker.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=SCHEMATHESIS_CONFIG)


@pytest.fixture
def curator_headers(curator, settings, fixed_day):
    """Headers with a fresh curator token per call: `DELETE /api/v1/auth/token/` revokes the one it gets."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    synthetic_record_generate(actors=4, red_lines=6, events=12, seed=21)
    # The real WSGI handler closes the connection after each request; the test's transaction needs it
    # open (Django's own test client disconnects these signals the same way).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield lambda: {"Authorization": f"Token {api_token_issue(user=curator).key}"}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_to_the_schema_for_a_curator(case, curator_headers):
    case.call_and_validate(headers=curator_headers(), additional_checks=[state_dependent_rejection])
