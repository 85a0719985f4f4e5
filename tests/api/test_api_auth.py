"""Tokens and throttling: `issue_token`, revocation, anonymous rate limits answered 429 with Retry-After."""

import hashlib
import re
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from tracker.models import ApiToken
from tracker.services.tokens import api_token_issue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_issue_token_prints_a_new_token_that_writes_and_replaces_the_old_one(curator):
    out, err = StringIO(), StringIO()
    call_command("issue_token", "curator", stdout=out, stderr=err)
    first = out.getvalue().strip()
    assert first.startswith("rlt_") and len(first) > 40
    assert "cannot be shown again" in err.getvalue()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    created = client.post("/api/v1/actors/", {"slug": "a", "name": "A", "kind": "state"}, format="json")
    assert created.status_code == 201
    out = StringIO()
    call_command("issue_token", "curator", stdout=out, stderr=StringIO())
    assert out.getvalue().strip() != first
    assert ApiToken.objects.filter(user=curator).count() == 1
    assert client.get("/api/v1/actors/").status_code == 401  # the old token no longer works


def test_issue_token_for_an_unknown_user_fails_with_a_reason():
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("issue_token", "ghost")


def test_only_a_digest_of_the_key_is_stored(curator):
    issued = api_token_issue(user=curator)
    stored = ApiToken.objects.get(user=curator)
    assert stored.digest == hashlib.sha256(issued.key.encode()).hexdigest()
    assert stored.prefix == issued.key[:8] and len(issued.key) > len(stored.prefix) + 30
    assert not any(issued.key in str(value) for value in ApiToken.objects.values().get().values())


def test_a_used_token_records_when_it_was_last_used(curator):
    issued = api_token_issue(user=curator)
    assert issued.token.last_used_at is None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issued.key}")
    assert client.get("/api/v1/actors/").status_code == 200
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at is not None


def test_a_revoked_token_or_an_inactive_users_token_is_refused(curator):
    issued = api_token_issue(user=curator)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issued.key}")
    assert client.get("/api/v1/actors/").status_code == 200
    curator.is_active = False
    curator.save()
    assert client.get("/api/v1/actors/").status_code == 401
    curator.is_active = True
    curator.save()
    issued.token.delete()
    response = client.post("/api/v1/actors/", {}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_issued_in_admin_is_shown_once_and_revoked_by_deleting_it(superuser, curator):
    client = APIClient()
    client.force_login(superuser)
    assert client.get("/admin/tracker/apitoken/add/").status_code == 200
    page = client.post("/admin/tracker/apitoken/add/", {"user": curator.pk, "name": "newsroom script"})
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    key = re.search(r'<code id="api-key">([^<]+)</code>', page.content.decode()).group(1)
    token = ApiToken.objects.get(user=curator)
    assert token.name == "newsroom script" and token.digest == hashlib.sha256(key.encode()).hexdigest()
    listing = client.get("/admin/tracker/apitoken/").content.decode()
    assert key[:8] in listing and key not in listing
    assert client.get(f"/admin/tracker/apitoken/{token.pk}/change/").content.decode().count(key) == 0
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/candidates/").status_code == 200
    deleted = client.post(f"/admin/tracker/apitoken/{token.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert api.get("/api/v1/candidates/").status_code == 401


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


def test_the_anonymous_limit_is_one_counter_per_window_and_opens_again_when_the_window_ends(
    settings, monkeypatch
):
    from api.throttling import AnonThrottle

    settings.REST_FRAMEWORK = {
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "5/minute"},
    }
    cache.clear()
    clock = [1_800_000_010.0]  # 10 s into a minute
    monkeypatch.setattr(AnonThrottle, "timer", lambda self: clock[0])
    api = APIClient()
    assert [api.get("/api/v1/").status_code for _ in range(6)] == [200] * 5 + [429]
    clock[0] += 30
    throttled = api.get("/api/v1/")
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) == 20  # the seconds left in this minute
    key = f"{AnonThrottle().get_cache_key(throttled.wsgi_request, None)}:{int(clock[0] // 60)}"
    assert cache.get(key) == 7  # one integer, however many requests: not a list of their times
    clock[0] += 20  # the next minute
    assert [api.get("/api/v1/").status_code for _ in range(6)] == [200] * 5 + [429]
    cache.clear()


def test_curators_are_not_throttled_as_anonymous(settings, curator):
    settings.REST_FRAMEWORK = {
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/minute"},
    }
    cache.clear()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=curator).key}")
    assert [api.get("/api/v1/actors/").status_code for _ in range(3)] == [200, 200, 200]
    cache.clear()
