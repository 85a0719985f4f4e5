"""One rule for who is a curator (`tracker.access.is_curator`), the same on the web, the API, the
token command and admin: an active user who is a superuser or in the Curator group. ``is_staff``
gives nothing: not even admin's door, which is the same rule."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.cache import cache
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from tests.paths import ROOT
from tracker.access import CURATOR_GROUP, is_curator
from tracker.models import Actor, Candidate
from tracker.models.ingest import Article
from tracker.services.tokens import api_token_issue

pytestmark = pytest.mark.django_db
PASSWORD = "access-pass-123"

# name: (is_staff, is_superuser, in the Curator group, is_active, is a curator, admin's candidate list)
USERS = {
    "curator": (True, False, True, True, True, 200),
    "group-member-without-staff": (False, False, True, True, True, 200),
    "superuser": (True, True, False, True, True, 200),
    "inactive-curator": (True, False, True, False, False, 302),
    "inactive-superuser": (True, True, False, False, False, 302),
    "staff-without-group": (True, False, False, True, False, 302),
    "plain-user": (False, False, False, True, False, 302),
}
KINDS = sorted(USERS)


@pytest.fixture(autouse=True)
def fast_passwords_and_fresh_throttles(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


def make_user(django_user_model, kind: str):
    is_staff, is_superuser, in_group, is_active, _, _ = USERS[kind]
    user = django_user_model.objects.create_user(
        kind, password=PASSWORD, is_staff=is_staff, is_superuser=is_superuser, is_active=is_active
    )
    if in_group:
        user.groups.add(Group.objects.get(name=CURATOR_GROUP))
    return user


def expected(kind: str) -> bool:
    return USERS[kind][4]


@pytest.mark.parametrize("kind", KINDS)
def test_the_rule(django_user_model, kind):
    assert is_curator(make_user(django_user_model, kind)) is expected(kind)


def test_nobody_signed_in_is_not_a_curator():
    assert is_curator(AnonymousUser()) is False
    assert is_curator(None) is False


@pytest.mark.parametrize("kind", KINDS)
def test_web_shows_the_review_queue_to_curators_only(client, django_user_model, kind):
    article = Article.objects.create(canonical_url="https://news.example.org/a", title="A")
    Candidate.objects.create(kind="crossing", article=article, evidence="e", start=0, end=1)
    client.force_login(make_user(django_user_model, kind))
    html = client.get("/").content.decode()
    assert ("<strong>1</strong> candidate pending review" in html) is expected(kind)
    assert ('id="review-heading"' in html) is expected(kind)


@pytest.mark.parametrize("kind", KINDS)
def test_api_permissions_follow_the_rule(django_user_model, kind):
    """IsCurator (review queue, feeds) and IsCuratorOrReadOnly (record writes), the user given."""
    api = APIClient()
    api.force_authenticate(make_user(django_user_model, kind))
    curator_only = 200 if expected(kind) else 403
    assert api.get("/api/v1/candidates/").status_code == curator_only
    assert api.get("/api/v1/feeds/").status_code == curator_only
    assert api.get("/api/v1/actors/").status_code == 200  # anyone reads the record
    created = api.post("/api/v1/actors/", {"slug": "x", "name": "X", "kind": "state"}, format="json")
    assert created.status_code == (201 if expected(kind) else 403)
    assert Actor.objects.filter(slug="x").exists() is expected(kind)


@pytest.mark.parametrize("kind", KINDS)
def test_api_token_sign_in_says_who_is_a_curator_and_the_token_does_what_it_says(django_user_model, kind):
    user = make_user(django_user_model, kind)
    api = APIClient()
    signed_in = api.post("/api/v1/auth/token/", {"username": kind, "password": PASSWORD}, format="json")
    if not user.is_active:
        assert signed_in.status_code == 400  # an inactive user gets no token at all
        api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user).key}")
        assert api.get("/api/v1/candidates/").status_code == 401  # nor uses one issued earlier
        return
    assert signed_in.status_code == 201
    assert signed_in.json()["is_curator"] is expected(kind)
    api.credentials(HTTP_AUTHORIZATION=f"Token {signed_in.json()['token']}")
    assert api.get("/api/v1/candidates/").status_code == (200 if expected(kind) else 403)


@pytest.mark.parametrize("kind", KINDS)
def test_issue_token_notes_a_non_curator_and_refuses_an_inactive_user(django_user_model, kind):
    user = make_user(django_user_model, kind)
    out, err = StringIO(), StringIO()
    if not user.is_active:
        with pytest.raises(CommandError, match="is inactive"):
            call_command("issue_token", kind, stdout=out, stderr=err)
        assert out.getvalue() == ""
        return
    call_command("issue_token", kind, stdout=out, stderr=err)
    assert out.getvalue().strip().startswith("rlt_")
    assert ("is not a curator" in err.getvalue()) is not expected(kind)


@pytest.mark.parametrize("kind", KINDS)
def test_admin_reviews_candidates_by_the_same_rule(client, django_user_model, kind):
    """Admin lets in curators only; the Curator group (or superuser) carries the permissions."""
    client.force_login(make_user(django_user_model, kind))
    response = client.get("/admin/tracker/candidate/")
    assert response.status_code == USERS[kind][5]
    if response.status_code == 302:
        assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("kind", KINDS)
def test_admin_sign_in_admits_curators_only(client, django_user_model, kind):
    make_user(django_user_model, kind)
    response = client.post("/admin/login/?next=/admin/", {"username": kind, "password": PASSWORD})
    if expected(kind):
        assert (response.status_code, response["Location"]) == (302, "/admin/")
        assert client.get("/admin/").status_code == 200
    else:
        assert response.status_code == 200
        assert (
            "Please enter the correct username and password for a staff account" in response.content.decode()
        )
        assert client.get("/admin/").status_code == 302


def test_the_rule_is_written_once():
    """No other definition of a curator in the code: no second is_curator, no second group name."""
    others = []
    for path in [*ROOT.joinpath("tracker").rglob("*.py"), *ROOT.joinpath("api").rglob("*.py")]:
        if "migrations" in path.parts or path == ROOT / "tracker" / "access.py":
            continue
        text = path.read_text()
        if re.search(r"def is_curator\b|CURATOR_GROUP\s*=|[\"']Curator[\"']|\.is_staff\b", text):
            others.append(str(path.relative_to(ROOT)))
    assert others == []
