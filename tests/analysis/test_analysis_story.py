"""The whole story: a crossing or response the story tells without one sentence the rules accept."""

import datetime

import pytest

from tests.analysis_support import small_record
from tracker.analysis import article as story
from tracker.analysis.calibration import STORY, CalibrationModel, calibration_reset, group_of
from tracker.analysis.lines import line_cache_clear
from tracker.analysis.service import text_analyse
from tracker.models import RedLine

pytestmark = pytest.mark.django_db
DAY = datetime.date(2023, 9, 1)

# No sentence reports a delivery with a doer: the rules accept none, the story as a whole tells it.
TITLE = "Long-range glider missiles for Sudria: first batch unloaded"
TEXT = (
    "SOUTHPORT — The first long-range glider missiles were unloaded at the port of Southport on "
    "Wednesday, according to officials quoted by local media.\n\n"
    "The long-range glider missiles can reach depots far behind the front, analysts said."
)


@pytest.fixture(autouse=True)
def _model():
    """Known weights, so these tests show the mechanism, not one fit's numbers: a whole-story
    proposal is likely only with the record's help and a story that carries the line's words."""
    calibration_reset(
        CalibrationModel(
            {
                "crossing": {"_bias": 0.0, "rule": 2.0},
                "crossing_story": {"_bias": -4.0, "near_crossing": 3.0, "body_fit": 2.0},
                "response": {"_bias": 0.0, "rule": 2.0},
                "response_story": {"_bias": -4.0, "recent_crossing": 2.0, "answer": 1.0, "acts": 1.0},
                "declaration": {"_bias": 0.0, "rule": 2.0},
                "declaration_story": {"_bias": -4.0, "near_reaffirmed": 3.0, "title_declarer": 1.0},
            }
        )
    )
    yield
    calibration_reset()


def _record_state(line: RedLine, **dates) -> None:
    RedLine.objects.filter(pk=line.pk).update(**dates)
    line_cache_clear()


def _crossings(analysis, line):
    return [f for f in analysis.findings if f.kind == "crossing" and f.red_line == line.pk]


def test_a_crossing_the_record_holds_from_days_before_is_proposed_from_the_whole_story():
    rec = small_record()
    _record_state(rec["line"], first_crossed_on=DAY - datetime.timedelta(days=2))
    found = _crossings(text_analyse(text=TEXT, title=TITLE, published_on=DAY), rec["line"])
    assert len(found) == 1
    finding = found[0]
    assert finding.signals[STORY] == 1.0 and finding.signals["near_crossing"] == 1.0
    assert finding.rule_score == 0.0 and 0.25 <= finding.score < 1.0
    assert TEXT[finding.start : finding.end] == finding.evidence
    assert "long-range glider missiles" in finding.evidence


def test_without_the_record_holding_it_the_whole_story_alone_proposes_nothing():
    rec = small_record()
    assert _crossings(text_analyse(text=TEXT, title=TITLE, published_on=DAY), rec["line"]) == []
    # A crossing recorded long before is old news, not what this story reports.
    _record_state(rec["line"], first_crossed_on=DAY - datetime.timedelta(days=200))
    assert _crossings(text_analyse(text=TEXT, title=TITLE, published_on=DAY), rec["line"]) == []


def test_a_crossing_the_rules_accept_scores_the_same_whatever_the_record_knows():
    """A first crossing, not yet recorded, is not scored down for being new."""
    rec = small_record()
    text = "The first long-range glider missiles delivered by the United States arrived in Sudria on Monday."
    first = _crossings(text_analyse(text=text, published_on=DAY), rec["line"])
    _record_state(rec["line"], first_crossed_on=DAY - datetime.timedelta(days=1))
    known = _crossings(text_analyse(text=text, published_on=DAY), rec["line"])
    assert len(first) == len(known) == 1
    assert STORY not in first[0].signals
    assert first[0].score == known[0].score


def test_a_response_told_without_its_crossing_is_proposed_after_a_recorded_crossing():
    rec = small_record()
    title = "Norland strikes depots in Southport"
    text = (
        "Norland struck depots in Southport overnight, its defence ministry said, calling the strikes "
        "an answer to the parties to the war.\n\n"
        "Officials in Southport said two warehouses burned."
    )
    assert [
        f for f in text_analyse(text=text, title=title, published_on=DAY).findings if f.kind == "response"
    ] == []
    _record_state(rec["line"], first_crossed_on=DAY - datetime.timedelta(days=10))
    responses = [
        f for f in text_analyse(text=text, title=title, published_on=DAY).findings if f.kind == "response"
    ]
    assert [(f.red_line, f.declarer) for f in responses] == [(rec["line"].pk, rec["norland"].pk)]
    assert responses[0].signals[STORY] == 1.0 and responses[0].score >= 0.25


def test_whole_story_proposals_are_scored_by_their_own_model():
    assert group_of("crossing", {"rule": 0.7}) == "crossing"
    assert group_of("crossing", {STORY: 1.0}) == "crossing_story"
    assert group_of("responses", {STORY: 1.0}) == "response_story"
    model = CalibrationModel({"crossing": {"_bias": 3.0}})
    assert model.knows("crossing", {}) and not model.knows("crossing", {STORY: 1.0})
    assert model.probability("crossing", {STORY: 1.0}, 0.0) == 0.0  # no model: the rules' own 0


def test_the_share_of_a_trigger_a_text_carries_is_weighted_by_rarity():
    rec = small_record()
    from tracker.analysis.service import analysis_snapshot

    _, index = analysis_snapshot()
    line = next(p for p in index.lines if p.id == rec["line"].pk)
    view = story.StoryView(
        title_features=frozenset(),
        title_actors=frozenset(),
        lead_actors=frozenset(),
        sentence_features=(frozenset(), frozenset(line.trigger_features)),
        sentence_actors=(frozenset(), frozenset()),
        title_warns=False,
        answer_sentences=frozenset(),
        action_sentences=frozenset(),
    )
    assert story.best_sentence(view, line.trigger_features, index) == (1, 1.0)
    assert story.best_sentence(view, (), index) == (-1, 0.0)


class _Weights:
    """An index as `best_sentence` reads it: one weight per feature."""

    def __init__(self, weights: dict[str, float]) -> None:
        self.weights = weights

    def idf(self, feature: str) -> float:
        return self.weights.get(feature, 0.0)


def test_the_best_sentence_is_the_first_with_the_largest_share():
    view = story.StoryView(
        title_features=frozenset(),
        title_actors=frozenset(),
        lead_actors=frozenset(),
        sentence_features=(
            frozenset({"t:x"}),
            frozenset({"t:a"}),
            frozenset({"t:b", "t:x"}),
            frozenset({"t:b"}),
            frozenset({"t:a", "t:b", "t:c"}),
        ),
        sentence_actors=(frozenset(),) * 5,
        title_warns=False,
        answer_sentences=frozenset(),
        action_sentences=frozenset(),
    )
    index = _Weights({"t:a": 1.0, "t:b": 2.0, "t:c": 0.5})
    assert story.best_sentence(view, ("t:a", "t:b"), index) == (4, 1.0)
    assert story.best_sentence(view, ("t:b",), index) == (2, 1.0)  # the first of equal shares
    assert story.best_sentence(view, ("t:a", "t:d"), index) == (1, 1.0)  # "t:d" weighs nothing
    assert story.best_sentence(view, ("t:x", "t:y"), index) == (-1, 0.0)  # no weight: no share
    index.weights["t:e"] = 7.0
    assert story.best_sentence(view, ("t:b", "t:e"), index) == (2, 2 / 9)
    assert story.best_sentence(view, ("t:e",), index) == (-1, 0.0)


def test_a_restatement_the_record_holds_from_days_before_is_proposed_from_the_whole_story():
    """The headline puts the declarer and its line up front; no sentence passes the warning rules."""
    rec = small_record()
    title = "Norland and the glider missiles: the Citadel's position"
    text = (
        "NORDHAVEN — Norland's position on long-range glider missiles for Sudria was set out again at a "
        "briefing on Thursday.\n\nThe suppliers were named one by one."
    )

    def restatements():
        analysis = text_analyse(text=text, title=title, published_on=DAY)
        return [(f.declarer, f.red_line) for f in analysis.findings if f.kind == "restatement"]

    assert restatements() == []
    _record_state(rec["line"], last_reaffirmed_on=DAY - datetime.timedelta(days=1))
    assert restatements() == [(rec["norland"].pk, rec["line"].pk)]
