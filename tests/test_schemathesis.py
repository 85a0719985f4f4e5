"""Property-based API test: schemathesis walks every operation of /api/schema/ and no answer is a 5xx.

Runs in-process against the WSGI app with a curator token, so writes are exercised too; the number
of examples per operation is bounded to keep the whole file well under two minutes.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from tracker.services.synthetic import synthetic_record_generate
from tracker.services.tokens import api_token_issue
from tracker.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture
def curator_token(curator, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    synthetic_record_generate(actors=4, red_lines=6, events=12, seed=21)
    # The real WSGI handler closes the connection after each request; the test's transaction needs it
    # open (Django's own test client disconnects these signals the same way).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield api_token_issue(user=curator).key
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
def test_no_operation_answers_a_server_error(case, curator_token):
    case.call_and_validate(headers={"Authorization": f"Token {curator_token}"}, checks=[not_a_server_error])
