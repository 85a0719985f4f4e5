"""Tokens and throttling: `issue_token`, revocation, anonymous rate limits answered 429 with Retry-After."""

from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_issue_token_prints_a_new_token_that_writes_and_replaces_the_old_one(curator):
    out = StringIO()
    call_command("issue_token", "curator", stdout=out)
    first = out.getvalue().strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    created = client.post("/api/v1/actors/", {"slug": "a", "name": "A", "kind": "state"}, format="json")
    assert created.status_code == 201
    out = StringIO()
    call_command("issue_token", "curator", stdout=out)
    assert out.getvalue().strip() != first
    assert Token.objects.filter(user=curator).count() == 1
    assert client.get("/api/v1/actors/").status_code == 401  # the old token no longer works


def test_issue_token_for_an_unknown_user_fails_with_a_reason():
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("issue_token", "ghost")


def test_a_revoked_token_is_refused(curator):
    token = Token.objects.create(user=curator)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    token.delete()
    response = client.post("/api/v1/actors/", {}, format="json")
    assert response.status_code == 401


def test_tokens_can_be_issued_and_revoked_in_admin(superuser):
    client = APIClient()
    client.force_login(superuser)
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 200


def test_anonymous_reads_are_throttled_with_retry_after(settings):
    settings.REST_FRAMEWORK = {
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute"},
    }
    cache.clear()
    api = APIClient()
    codes = [api.get("/api/v1/red-lines/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    throttled = api.get("/api/v1/actors/")
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert "throttled" in throttled.json()["detail"].lower()
    cache.clear()


def test_curators_are_not_throttled_as_anonymous(settings, curator):
    settings.REST_FRAMEWORK = {
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/minute"},
    }
    cache.clear()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=curator).key}")
    assert [api.get("/api/v1/actors/").status_code for _ in range(3)] == [200, 200, 200]
    cache.clear()
