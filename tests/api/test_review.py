"""Accepting and rejecting candidates through the services, the API and the admin queue."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.analysis_support import small_record
from tracker.errors import DomainError
from tracker.models import Article, Candidate, Event, RedLine
from tracker.services import review
from tracker.services.tokens import api_token_issue

pytestmark = pytest.mark.django_db


def _candidate(
    rec, *, kind="new_red_line", red_line=None, declarer="norland", evidence=None, score=0.8
) -> Candidate:
    n = Article.objects.count()
    article = Article.objects.create(
        url=f"https://news.example.org/{n}",
        canonical_url=f"https://news.example.org/{n}",
        title="Norland <b>warns</b>",
        publisher="Example News",
        text="First paragraph.\n\nNorland warned Sudria <script>x</script> today. More.\n\nLast.",
        state="analysed",
        published_at=timezone.make_aware(datetime.datetime(2024, 5, 1, 9)),
    )
    evidence = evidence or "Norland warned Sudria <script>x</script> today."
    start = article.text.index(evidence)
    candidate = Candidate.objects.create(
        kind=kind,
        article=article,
        red_line=red_line,
        declarer=rec[declarer] if declarer else None,
        evidence=evidence,
        start=start,
        end=start + len(evidence),
        trigger="Mining the northern strait",
        score=score,
    )
    candidate.addressees.set([rec["sudria"]])
    candidate.actors.set([rec["sudria"]])
    return candidate


def test_accepting_a_new_line_creates_a_published_line_sourced_from_the_article(curator):
    rec = small_record()
    candidate = review.candidate_accept(candidate=_candidate(rec), user=curator)
    line = candidate.created_red_line
    assert candidate.status == "accepted" and candidate.reviewed_by == curator and candidate.reviewed_at
    assert line.declared_by == rec["norland"] and line.is_published and line.status == "active"
    source = line.sources.get()
    assert source.article == candidate.article and source.note == candidate.evidence and not source.quote
    assert list(line.addressees.all()) == [rec["sudria"]]
    assert line.history.first().history_user == curator


def test_accepting_a_crossing_records_an_event_and_the_status_follows(curator):
    rec = small_record()
    candidate = review.candidate_accept(
        candidate=_candidate(rec, kind="crossing", red_line=rec["line"]), user=curator
    )
    event = candidate.created_event
    assert event.kind == "crossing" and event.sources.get().article == candidate.article
    rec["line"].refresh_from_db()
    assert rec["line"].status == "crossed"
    assert rec["line"].status_changes.filter(new_status="crossed", event=event).exists()


def test_accept_as_edited_uses_the_curators_corrections(curator):
    rec = small_record()
    candidate = _candidate(rec, kind="new_red_line")
    accepted = review.candidate_accept(
        candidate=candidate,
        user=curator,
        edits={"kind": "restatement", "red_line": rec["line"], "declarer": rec["norland"]},
    )
    assert accepted.kind == "restatement" and accepted.created_event.kind == "restatement"
    assert accepted.created_event.red_line == rec["line"]


def test_a_finding_without_its_line_or_declarer_cannot_be_accepted_and_stays_pending(curator):
    rec = small_record()
    crossing = _candidate(rec, kind="crossing", red_line=None)
    with pytest.raises(DomainError, match="tracked line"):
        review.candidate_accept(candidate=crossing, user=curator)
    anonymous = _candidate(rec, declarer=None)
    with pytest.raises(DomainError, match="declared"):
        review.candidate_accept(candidate=anonymous, user=curator)
    assert set(Candidate.objects.values_list("status", flat=True)) == {"pending"}
    assert Event.objects.count() == 0 and RedLine.objects.count() == 1


def test_reviewing_twice_is_refused_and_bulk_reports_each_failure(curator):
    rec = small_record()
    first, second = _candidate(rec), _candidate(rec, kind="crossing", red_line=None)
    review.candidate_reject(candidate=first, user=curator)
    with pytest.raises(review.AlreadyReviewed):
        review.candidate_accept(candidate=first, user=curator)
    third = _candidate(rec, kind="crossing", red_line=rec["line"])
    done, errors = review.candidates_accept(candidates=[first, second, third], user=curator)
    assert done == 1 and len(errors) == 2
    done, errors = review.candidates_reject(candidates=[second], user=curator)
    assert done == 1 and not errors


# --- API ---------------------------------------------------------------------------------------


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user).key}")
    return client


def test_api_lists_the_queue_best_first_with_filters_for_curators_only(curator, django_user_model):
    rec = small_record()
    low = _candidate(rec, score=0.3)
    high = _candidate(rec, kind="crossing", red_line=rec["line"], score=0.9)
    url = "/api/v1/candidates/"
    assert APIClient().get(url).status_code in (401, 403)
    reader = django_user_model.objects.create_user("reader", password="reader-pass-123")
    assert _api(reader).get(url).status_code == 403
    client = _api(curator)
    body = client.get(url).json()
    assert [c["id"] for c in body["results"]] == [high.pk, low.pk]
    assert body["results"][0]["red_line"] == "norland-gliders-2023"
    assert body["results"][1]["declarer"] == "norland" and body["results"][1]["addressees"] == ["sudria"]
    assert [c["id"] for c in client.get(url, {"kind": "crossing"}).json()["results"]] == [high.pk]
    assert [c["id"] for c in client.get(url, {"red_line": "norland-gliders-2023"}).json()["results"]] == [
        high.pk
    ]
    assert [c["id"] for c in client.get(url, {"article": low.article_id}).json()["results"]] == [low.pk]
    assert client.get(url, {"status": "rejected"}).json()["count"] == 0
    assert client.get(url, {"status": "bogus"}).status_code == 400


def test_api_accepts_as_edited_rejects_and_answers_bad_input_with_400(curator):
    rec = small_record()
    candidate = _candidate(rec, kind="crossing", red_line=None)
    client = _api(curator)
    accept = f"/api/v1/candidates/{candidate.pk}/accept/"
    bad = client.post(accept, {"red_line": "no-such-line"}, format="json")
    assert bad.status_code == 400 and "red_line" in bad.json()
    missing = client.post(accept, {}, format="json")
    assert missing.status_code == 400 and "red_line" in missing.json()
    ok = client.post(accept, {"red_line": "norland-gliders-2023", "occurred_on": "2024-04-30"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "accepted" and ok.json()["created_event"]
    assert client.post(accept, {}, format="json").status_code == 409
    other = _candidate(rec)
    rejected = client.post(f"/api/v1/candidates/{other.pk}/reject/")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    early = _candidate(rec, kind="crossing", red_line=rec["line"])
    too_early = client.post(
        f"/api/v1/candidates/{early.pk}/accept/", {"occurred_on": "2020-01-01"}, format="json"
    )
    assert too_early.status_code == 400


# --- admin -------------------------------------------------------------------------------------


def test_admin_queue_highlights_escaped_evidence_and_accepts_in_bulk(client, superuser):
    rec = small_record()
    candidate = _candidate(rec, kind="crossing", red_line=rec["line"])
    client.force_login(superuser)
    listing = client.get(reverse("admin:tracker_candidate_changelist"))
    assert listing.status_code == 200 and b"<script>x" not in listing.content
    page = client.get(reverse("admin:tracker_candidate_change", args=[candidate.pk]))
    html = page.content.decode()
    assert "<mark>Norland warned Sudria &lt;script&gt;x&lt;/script&gt; today.</mark>" in html
    assert "First paragraph" not in html and "Save and accept" in html
    response = client.post(
        reverse("admin:tracker_candidate_changelist"),
        {"action": "accept_selected", "_selected_action": [candidate.pk]},
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == "accepted" and candidate.reviewed_by == superuser


def test_admin_save_and_accept_applies_the_edit_first(client, superuser):
    rec = small_record()
    candidate = _candidate(rec, kind="crossing", red_line=None)
    client.force_login(superuser)
    url = reverse("admin:tracker_candidate_change", args=[candidate.pk])
    response = client.post(
        url,
        {
            "kind": "crossing",
            "declarer": "",
            "addressees": [rec["sudria"].pk],
            "red_line": rec["line"].pk,
            "actors": [rec["sudria"].pk],
            "trigger": "x",
            "threatened_response": "",
            "occurred_on": "2024-05-01",
            "_accept": "Save and accept",
        },
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == "accepted" and candidate.created_event.red_line == rec["line"]


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/candidates/?article=99999999999999999999", "article"),
        ("/api/v1/candidates/?article=-99999999999999999999", "article"),
        ("/api/v1/candidates/?article=1.5", "article"),
        ("/api/v1/candidates/99999999999999999999/", "id"),
        ("/api/v1/candidates/99999999999999999999/accept/", "id"),
    ],
)
def test_ids_past_the_columns_range_are_a_400_naming_the_parameter(curator, url, field):
    client = _api(curator)
    response = client.post(url, {}, format="json") if url.endswith("accept/") else client.get(url)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert client.get("/api/v1/candidates/?article=9223372036854775807").json()["count"] == 0


PASTED = (
    "OSLO, May 1 — Norland warned Sudria on Tuesday that any attempt to mine the northern strait "
    "would be regarded as an act of war.\n\n"
    "The first long-range glider missiles delivered by the United States arrived in Sudria on Monday."
)


def test_candidates_from_a_pasted_article_are_accepted_with_the_article_as_their_source(
    curator, client, django_capture_on_commit_callbacks, settings, eager_tasks
):
    # eager_tasks, not the CELERY_TASK_ALWAYS_EAGER setting: Celery reads its settings once, so the
    # setting only worked when no earlier test had used Celery (with REDIS_URL the task went to Redis).
    settings.ANALYSIS_MIN_SCORE = 0.0  # what is tested is accepting them, not how sure they are
    rec = small_record()
    api = _api(curator)
    pasted = {"title": "Norland warns Sudria", "text": PASTED, "published_on": "2024-05-01"}
    with django_capture_on_commit_callbacks(execute=True):
        posted = api.post("/api/v1/articles/", {**pasted, "publisher": "Example Wire"}, format="json")
    assert posted.status_code == 201 and posted.json()["url"] == ""
    candidates = api.get("/api/v1/candidates/", {"article": posted.json()["id"]}).json()["results"]
    assert {c["kind"] for c in candidates} == {"new_red_line", "crossing"}
    created = {}
    for candidate in candidates:
        accepted = api.post(f"/api/v1/candidates/{candidate['id']}/accept/", {}, format="json")
        assert accepted.status_code == 200, accepted.json()
        created[candidate["kind"]] = accepted.json()
    line = RedLine.objects.get(slug=created["new_red_line"]["created_red_line"])
    source = line.sources.get()
    assert (source.url, source.title, source.publisher) == ("", "Norland warns Sudria", "Example Wire")
    assert source.article_id == posted.json()["id"] and source.published_on == datetime.date(2024, 5, 1)
    assert rec["line"].events.get().sources.get().title == "Norland warns Sudria"
    public = APIClient().get(f"/api/v1/red-lines/{line.slug}/").json()
    assert public["sources"][0]["url"] == "" and public["sources"][0]["title"] == "Norland warns Sudria"
    csv = b"".join(APIClient().get("/api/v1/red-lines/?format=csv&declared_by=norland").streaming_content)
    assert b"Norland warns Sudria" in csv
    page = client.get(f"/red-lines/{line.slug}/").content.decode()
    assert "<cite>Norland warns Sudria</cite>" in page and 'href=""' not in page
