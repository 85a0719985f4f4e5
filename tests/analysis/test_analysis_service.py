"""The pipeline entry point: candidates stored once, article moved to analysed, bad text handled."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.analysis_support import small_record
from tracker.analysis.service import article_analyse
from tracker.models import Article, Candidate

pytestmark = pytest.mark.django_db

TEXT = (
    "OSLO, May 1 — Norland warned Sudria on Tuesday that any attempt to mine the northern strait "
    "would be regarded as an act of war.\n\n"
    "The first long-range glider missiles delivered by the United States arrived in Sudria on Monday."
)


def _article(text: str = TEXT, state: str = "fetched") -> Article:
    return Article.objects.create(
        url="https://news.example.org/a",
        canonical_url=f"https://news.example.org/{Article.objects.count()}",
        title="Norland warns Sudria",
        text=text,
        state=state,
        published_at=timezone.make_aware(datetime.datetime(2024, 5, 1, 12)),
    )


def test_analysing_stores_candidates_and_marks_the_article_analysed():
    rec = small_record()
    article = _article()
    assert article_analyse(article_id=article.pk) == 2
    article.refresh_from_db()
    assert article.state == "analysed" and article.analysed_at
    kinds = dict(Candidate.objects.filter(article=article).values_list("kind", "red_line"))
    assert kinds == {"new_red_line": None, "crossing": rec["line"].pk}
    declaration = Candidate.objects.get(kind="new_red_line")
    assert declaration.declarer == rec["norland"]
    assert list(declaration.addressees.all()) == [rec["sudria"]]
    assert TEXT[declaration.start : declaration.end] == declaration.evidence
    assert declaration.status == "pending" and 0 < declaration.score <= 1


def test_reanalysing_never_duplicates_a_candidate():
    small_record()
    article = _article()
    article_analyse(article_id=article.pk)
    assert article_analyse(article_id=article.pk) == 2
    assert article_analyse(article_id=article.pk, force=True) == 2
    assert Candidate.objects.count() == 2


def test_articles_not_yet_fetched_are_left_alone():
    small_record()
    article = _article(state="discovered")
    assert article_analyse(article_id=article.pk) == 0
    article.refresh_from_db()
    assert article.state == "discovered"
    assert article_analyse(article_id=999_999) == 0


@pytest.mark.parametrize("text", ["", "\x01\x02\x03\x04" * 500, "Текст без латиницы. " * 50])
def test_unusable_text_ends_analysed_with_the_reason(text):
    small_record()
    article = _article(text=text)
    assert article_analyse(article_id=article.pk) == 0
    article.refresh_from_db()
    assert article.state == "analysed" and article.error.startswith("analysis:")


def test_analyze_command_prints_json_without_storing(tmp_path, capsys):
    small_record()
    path = tmp_path / "story.txt"
    path.write_text(TEXT)
    call_command("analyze", str(path), "--json", "--date", "2024-05-01")
    out = capsys.readouterr().out
    assert '"kind": "new_red_line"' in out and '"declarer": "norland"' in out
    assert Candidate.objects.count() == 0


def test_analyze_command_refuses_bad_input_with_one_line(tmp_path):
    small_record()
    binary = tmp_path / "blob.bin"
    binary.write_bytes(bytes(range(256)) * 100)
    with pytest.raises(CommandError, match="binary"):
        call_command("analyze", str(binary))
    with pytest.raises(CommandError, match="no such file"):
        call_command("analyze", str(tmp_path / "missing.txt"))
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("analyze", str(binary), "--date", "yesterday")


def test_the_index_stamps_change_on_every_save_addition_and_deletion_without_counting_rows():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ActorFactory, RedLineFactory
    from tracker.analysis.actors import actor_stamp
    from tracker.analysis.lines import line_stamp
    from tracker.services import record

    line = RedLineFactory()
    actor = ActorFactory(name="Stamp Actor")
    seen = {(line_stamp(), actor_stamp())}
    for change in (
        lambda: RedLineFactory(),
        lambda: record.red_line_update(red_line=line, user=None, title="A new title for the stamp"),
        lambda: record.red_line_delete(red_line=line, user=None),
        lambda: ActorFactory(name="Another Stamp Actor"),
        lambda: actor.delete(),
    ):
        change()
        stamps = (line_stamp(), actor_stamp())
        assert stamps not in seen
        seen.add(stamps)
    with CaptureQueriesContext(connection) as ctx:
        line_stamp()
    assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)


def _postings(index) -> dict:
    """Each feature's and actor's lines as sets of ids (positions differ between two indexes)."""
    by = {}
    for name, table in (("f", index.by_feature), ("a", index.by_actor), ("d", index.by_declarer)):
        for key, positions in table.items():
            by[(name, key)] = {index.lines[p].id for p in positions}
    return by


def test_a_line_edit_refreshes_the_index_line_by_line_to_what_a_rebuild_gives(monkeypatch):
    from tests.factories import RedLineFactory
    from tracker.analysis import lines
    from tracker.analysis.service import analysis_snapshot
    from tracker.models import RedLine
    from tracker.services import record

    rec = small_record()
    spare = RedLineFactory(declared_by=rec["norland"], trigger="Any naval blockade of the northern strait.")
    doomed = RedLineFactory(declared_by=rec["sudria"], trigger="Troops crossing the eastern border.")
    matcher, first = analysis_snapshot()
    assert {p.id for p in first.lines} == {rec["line"].pk, spare.pk, doomed.pk}

    record.red_line_update(
        red_line=spare, user=None, trigger="Mines laid in the northern strait by the Pact."
    )
    record.red_line_delete(red_line=doomed, user=None)
    added = RedLineFactory(declared_by=rec["usa"], trigger="Drone strikes on the southern ports.")
    rebuilds = []
    monkeypatch.setattr(lines, "line_index_from", lambda *a: rebuilds.append(a) or pytest.fail("rebuilt"))
    _, refreshed = analysis_snapshot()
    assert not rebuilds
    monkeypatch.undo()

    rebuilt = lines.line_index_from(RedLine.objects.all(), matcher)
    assert {p.id: p for p in refreshed.lines} == {p.id: p for p in rebuilt.lines}
    assert {p.id for p in refreshed.lines} == {rec["line"].pk, spare.pk, added.pk}
    assert "t:mine" in next(p for p in refreshed.lines if p.id == spare.pk).trigger_features
    assert _postings(refreshed) == _postings(rebuilt)
    assert refreshed.idf("t:strait") == rebuilt.idf("t:strait")


def test_an_actor_change_or_an_old_index_rebuilds_it_whole(monkeypatch):
    from tests.factories import ActorFactory, RedLineFactory
    from tracker.analysis import lines
    from tracker.analysis.service import analysis_snapshot
    from tracker.services import record

    rec = small_record()
    analysis_snapshot()
    real = lines.line_index_from
    rebuilds = []
    monkeypatch.setattr(lines, "line_index_from", lambda *a: rebuilds.append(1) or real(*a))

    ActorFactory(name="Ostmark", kind="state")
    analysis_snapshot()
    assert rebuilds == [1]

    lines._cache["built_at"] -= lines.FULL_REBUILD_EVERY.total_seconds() + 1
    record.red_line_update(red_line=rec["line"], user=None, title="Glider missiles for Sudria, again")
    analysis_snapshot()
    assert rebuilds == [1, 1]
    RedLineFactory(declared_by=rec["norland"])
    analysis_snapshot()
    assert rebuilds == [1, 1]  # a fresh index is refreshed, not rebuilt
