"""Security defaults: CSP and headers, brute-force lockout, tokens, and rights endpoint by endpoint."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import EventFactory, RedLineFactory
from tests.paths import ROOT
from tracker.models import Actor, ApiToken, Article, Candidate, Event, Feed, RedLine
from tracker.services.tokens import api_token_issue

DRAFT_TITLE = "Unsourced draft warning about naval blockades"
ARTICLE_TEXT = "Extracted, unreviewed article text about a convoy."
ARTICLE_ERROR = "analysis: unreviewed pipeline note"


@pytest.fixture(autouse=True)
def fast_passwords_and_fresh_throttles(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


# --- headers --------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/red-lines/", "/api/v1/red-lines/", "/api/docs/", "/admin/login/"])
def test_every_page_has_a_strict_content_security_policy(client, url):
    response = client.get(url)
    assert response.status_code == 200
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip()
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_api_docs_load_swagger_from_our_own_static_files_without_inline_script_or_style(client):
    html = client.get("/api/docs/").content.decode()
    assert "cdn" not in html.lower()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script in /api/docs/"
    assert "<style" not in html and "style=" not in html, "inline style in /api/docs/"
    assert "/static/css/api-docs.css" in html


def test_the_browsable_api_has_no_inline_style_for_readers_nor_curators(client, curator):
    line = RedLineFactory()
    EventFactory(red_line=line)
    pages = ["/api/v1/", "/api/v1/red-lines/", f"/api/v1/red-lines/{line.slug}/", "/api/v1/events/"]
    for signed_in in (False, True):
        if signed_in:
            client.force_login(curator)
        for url in pages:
            html = client.get(url, HTTP_ACCEPT="text/html").content.decode()
            assert "<style" not in html and "style=" not in html, f"inline style in {url}"
            assert "/static/css/api-browsable.css" in html
    assert "generic-content-form" in html, "a curator's page has its forms"


def test_templates_have_no_inline_script_or_event_handlers():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+=", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_production_responses_carry_hsts_nosniff_referrer_policy_and_secure_cookies():
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "c = Client(HTTP_HOST='redlines.example.org');"
        "r = c.get('/admin/login/', secure=True);"
        "print(r.status_code);"
        "[print(f'{k}: {v}') for k, v in r.headers.items()];"
        "print(r.cookies.output());"
        "print('redirect', c.get('/', secure=False).status_code)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")}
    env.update(
        DEBUG="false",
        TESTING="true",
        LOG_LEVEL="ERROR",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="redlines.example.org",
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert out.splitlines()[0] == "200"
    assert "Strict-Transport-Security: max-age=31536000; includeSubDomains; preload" in out
    assert "X-Content-Type-Options: nosniff" in out
    assert "Referrer-Policy: strict-origin-when-cross-origin" in out
    assert "X-Frame-Options: DENY" in out
    assert "frame-ancestors 'none'" in out
    csrf_cookie = next(line for line in out.splitlines() if "csrftoken=" in line)
    assert "Secure" in csrf_cookie and "HttpOnly" in csrf_cookie and "SameSite=Lax" in csrf_cookie
    assert "redirect 301" in out  # plain HTTP goes to HTTPS


# --- cross-origin reads (CORS) -------------------------------------------------------------------

NEWSROOM = "https://newsroom.example.org"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/red-lines/", "/api/v1/stats/", "/feeds/events/", "/api/schema/"])
def test_any_site_may_read_the_public_api_and_feeds_from_the_browser_without_credentials(url):
    response = APIClient().get(url, HTTP_ORIGIN=NEWSROOM)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert set(response["Access-Control-Expose-Headers"].split(", ")) == {"ETag", "Retry-After"}


@pytest.mark.django_db
def test_a_preflight_for_a_read_is_answered_and_allows_reads_only():
    response = APIClient().options(
        "/api/v1/red-lines/",
        HTTP_ORIGIN=NEWSROOM,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert set(response["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    allowed_headers = response["Access-Control-Allow-Headers"].split(", ")
    assert "if-none-match" in allowed_headers and "authorization" not in allowed_headers
    assert "Access-Control-Allow-Credentials" not in response
    assert int(response["Access-Control-Max-Age"]) > 0


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_a_preflight_for_a_write_gets_no_cors_so_the_browser_refuses_it(method):
    response = APIClient().options(
        "/api/v1/red-lines/", HTTP_ORIGIN=NEWSROOM, HTTP_ACCESS_CONTROL_REQUEST_METHOD=method
    )
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Methods" not in response


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True])
def test_writes_from_another_origin_get_no_cors_headers_signed_in_or_not(curator, signed_in):
    client = APIClient()
    if signed_in:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=curator).key}")
    line = RedLineFactory(slug="l")
    for response in (
        client.post(
            "/api/v1/actors/",
            {"slug": "x", "name": "X", "kind": "state"},
            format="json",
            HTTP_ORIGIN=NEWSROOM,
        ),
        client.patch("/api/v1/red-lines/l/", {"title": "Changed"}, format="json", HTTP_ORIGIN=NEWSROOM),
        client.delete(f"/api/v1/red-lines/{line.slug}/", HTTP_ORIGIN=NEWSROOM),
        client.post(
            "/api/v1/auth/token/", {"username": "u", "password": "p"}, format="json", HTTP_ORIGIN=NEWSROOM
        ),
    ):
        assert response.status_code in ((200, 201, 204, 400) if signed_in else (400, 401, 403))
        assert "Access-Control-Allow-Origin" not in response
        assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.django_db
def test_dashboard_pages_and_admin_are_not_opened_to_other_sites():
    for url in ("/", "/red-lines/", "/admin/login/"):
        assert "Access-Control-Allow-Origin" not in APIClient().get(url, HTTP_ORIGIN=NEWSROOM)


# --- brute force --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_login_locks_out_after_repeated_failures_even_with_the_right_password(
    client, superuser, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/admin/login/", {"username": "admin", "password": "wrong-guess"})
        assert response.status_code in (200, 429)
    locked = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": "admin-pass-123"})
    assert locked.status_code == 429
    assert locked["Retry-After"] == "1800"  # AXES_COOLOFF_MINUTES' default, 30
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_token_endpoint_locks_out_after_repeated_failures(curator, settings):
    api = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = api.post("/api/v1/auth/token/", {"username": "curator", "password": "nope"}, format="json")
        assert response.status_code == 400
        assert response.json() == {"non_field_errors": ["Unable to sign in with these credentials."]}
    assert (
        api.post(
            "/api/v1/auth/token/", {"username": "curator", "password": "nope"}, format="json"
        ).status_code
        == 429
    )
    locked = api.post(
        "/api/v1/auth/token/", {"username": "curator", "password": "curator-pass-123"}, format="json"
    )
    assert locked.status_code == 429
    assert "try again later" in locked.json()["detail"]
    assert locked["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    assert not ApiToken.objects.filter(user=curator).exists()


@pytest.mark.django_db
def test_a_token_is_shown_once_rotated_on_each_sign_in_and_revocable(curator, superuser, client):
    api = APIClient()
    first = api.post(
        "/api/v1/auth/token/", {"username": "curator", "password": "curator-pass-123"}, format="json"
    )
    assert first.status_code == 201
    assert first.json()["is_curator"] is True
    key = first.json()["token"]
    second = api.post(
        "/api/v1/auth/token/", {"username": "curator", "password": "curator-pass-123"}, format="json"
    )
    new_key = second.json()["token"]
    assert new_key != key
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/red-lines/").status_code == 401  # the earlier key was revoked
    client.force_login(superuser)
    listing = client.get("/admin/tracker/apitoken/").content.decode()
    assert new_key not in listing and new_key[:8] in listing  # admin never shows a key
    stored = ApiToken.objects.get(user=curator)
    assert new_key not in {stored.digest, stored.prefix, stored.name}  # only its digest is kept
    api.credentials(HTTP_AUTHORIZATION=f"Token {new_key}")
    assert api.delete("/api/v1/auth/token/").status_code == 204
    assert api.get("/api/v1/red-lines/").status_code == 401


@pytest.mark.django_db
def test_token_endpoint_rejects_bad_input_with_field_messages():
    response = APIClient().post("/api/v1/auth/token/", {"username": ""}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"password"}


# --- rights, endpoint by endpoint ------------------------------------------------------------------


@pytest.fixture
def world(django_user_model, curator):
    """A published line with an event, a draft line with a draft event, the ingestion side, three callers."""
    public = RedLineFactory(slug="public-line")
    event = EventFactory(red_line=public)
    draft = RedLineFactory(slug="draft-line", title=DRAFT_TITLE, sourced=False)
    draft_event = EventFactory(
        red_line=draft, sourced=False, summary="Draft-only event text about a blockade."
    )
    feed = Feed.objects.create(url="https://feeds.example.org/secret-feed.xml", title="Secret curator feed")
    article = Article.objects.create(
        url="https://n.example.org/x",
        canonical_url="https://n.example.org/x",
        title="Ingested",
        text=ARTICLE_TEXT,
        error=ARTICLE_ERROR,
        state="analysed",
    )
    candidate = Candidate.objects.create(
        kind="crossing",
        article=article,
        evidence="Unreviewed sentence about strikes.",
        start=0,
        end=10,
        score=0.5,
    )
    plain = django_user_model.objects.create_user("plain", password="plain-pass-123")
    clients = {"anonymous": APIClient(), "plain": APIClient(), "curator": APIClient()}
    clients["plain"].credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=plain).key}")
    clients["curator"].credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=curator).key}")
    return {
        "clients": clients,
        "ids": {
            "slug": public.slug,
            "actor": public.declared_by.slug,
            "event": event.pk,
            "feed": feed.pk,
            "article": article.pk,
            "candidate": candidate.pk,
        },
        "draft": draft,
        "draft_event": draft_event,
    }


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (Actor, RedLine, Event, Feed, Article, Candidate)}


def api_operations(client) -> list[tuple[str, str]]:
    schema = client.get("/api/schema/?format=json").json()
    return [
        (path, method.upper())
        for path, ops in schema["paths"].items()
        for method in ops
        if method in ("get", "post", "put", "patch", "delete")
    ]


def concrete(path: str, ids: dict) -> str:
    if path.startswith("/api/v1/actors/"):
        path = path.replace("{slug}", ids["actor"])
    for prefix, key in (
        ("/api/v1/events/", "event"),
        ("/api/v1/feeds/", "feed"),
        ("/api/v1/articles/", "article"),
        ("/api/v1/candidates/", "candidate"),
    ):
        if path.startswith(prefix):
            path = path.replace("{id}", str(ids[key]))
    return path.replace("{slug}", ids["slug"])


CURATOR_ONLY_READS = ("/api/v1/feeds/", "/api/v1/candidates/", "/api/v1/articles/")
OPEN_WRITES = ("/api/v1/auth/token/",)  # signing in is a write anyone may attempt


@pytest.mark.django_db
def test_anonymous_and_plain_users_write_nothing_through_any_api_operation(world):
    operations = api_operations(world["clients"]["anonymous"])
    writes = [(p, m) for p, m in operations if m != "GET" and p not in OPEN_WRITES]
    assert len(writes) >= 10
    before = counts()
    for who, allowed in (("anonymous", {401, 403}), ("plain", {403})):
        api = world["clients"][who]
        for path, method in writes:
            url = concrete(path, world["ids"])
            response = api.generic(method, url, data="{}", content_type="application/json")
            assert response.status_code in allowed, (who, method, url, response.status_code)
    assert counts() == before


@pytest.mark.django_db
def test_curators_are_let_through_on_every_write(world):
    api = world["clients"]["curator"]
    for path, method in api_operations(api):
        if method == "GET" or path in OPEN_WRITES:
            continue
        response = api.generic(
            method, concrete(path, world["ids"]), data="{}", content_type="application/json"
        )
        assert response.status_code not in (401, 403), (method, path, response.status_code)
        assert response.status_code < 500


@pytest.mark.django_db
def test_the_review_queue_feeds_and_ingested_articles_are_for_curators_only(world):
    checked = []
    for path, method in api_operations(world["clients"]["anonymous"]):
        if method != "GET" or not path.startswith(CURATOR_ONLY_READS):
            continue
        url = concrete(path, world["ids"])
        anonymous = world["clients"]["anonymous"].get(url)
        assert anonymous.status_code == 401 and "WWW-Authenticate" in anonymous, url
        assert world["clients"]["plain"].get(url).status_code == 403, url
        assert world["clients"]["curator"].get(url).status_code == 200, url
        checked.append(path)
    assert {"/api/v1/articles/", "/api/v1/articles/{id}/", "/api/v1/candidates/", "/api/v1/feeds/"} <= set(
        checked
    )
    article = world["clients"]["curator"].get(f"/api/v1/articles/{world['ids']['article']}/").json()
    assert article["text"] == ARTICLE_TEXT and article["error"] == ARTICLE_ERROR


@pytest.mark.django_db
def test_no_public_read_shows_a_draft_line_or_a_draft_event(world, client):
    anonymous = world["clients"]["anonymous"]
    draft, draft_event = world["draft"], world["draft_event"]
    seen = []
    for path, method in api_operations(anonymous):
        if method != "GET" or path.startswith(CURATOR_ONLY_READS) or "{" in path:
            continue
        for fmt in ("", "?format=csv") if path != "/api/v1/dump/" else ("",):
            response = anonymous.get(path + fmt)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            seen.append(path + fmt)
            assert response.status_code == 200 or (fmt and response.status_code == 406), path + fmt
            assert DRAFT_TITLE.encode() not in body, path
            assert draft.slug.encode() not in body, path
            assert draft_event.summary.encode() not in body, path
            assert ARTICLE_TEXT.encode() not in body and ARTICLE_ERROR.encode() not in body, path
    assert "/api/v1/dump/" in seen and "/api/v1/red-lines/" in seen
    assert anonymous.get(f"/api/v1/red-lines/{draft.slug}/").status_code == 404
    assert anonymous.get(f"/api/v1/red-lines/{draft.slug}/history/").status_code == 404
    assert anonymous.get(f"/api/v1/events/{draft_event.pk}/").status_code == 404
    for page in ("/", "/red-lines/", f"/actors/{draft.declared_by.slug}/", "/feeds/events/"):
        response = client.get(page)
        assert response.status_code == 200, page
        assert DRAFT_TITLE not in response.content.decode(), page
    assert client.get(f"/red-lines/{draft.slug}/").status_code == 404
