"""Reading news as it is written: passages, the record's state, dates, quotations, calibration and
--explain. Every text here is our own, written to the shape of real coverage; each rule has a
negative beside it."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from tests.analysis_support import small_record
from tests.factories import RedLineFactory
from tracker.analysis import calibration
from tracker.analysis.actors import actor_cache_clear
from tracker.analysis.dates import days_ongoing, mentioned_date
from tracker.analysis.lines import line_cache_clear
from tracker.analysis.service import article_analyse, text_analyse
from tracker.models import Article, Candidate
from tracker.services import record

pytestmark = pytest.mark.django_db
DAY = datetime.date(2024, 11, 21)


def _source(on: datetime.date) -> dict:
    return {
        "url": "https://example.org/report",
        "publisher": "Example",
        "title": "A report",
        "published_on": on,
    }


@pytest.fixture
def rec():
    rec = small_record()
    strikes = RedLineFactory(
        slug="norland-deep-strikes-2024",
        title="Glider missile strikes inside Norland",
        declared_by=rec["chief"],
        declared_on=datetime.date(2024, 9, 12),
        statement="Berg said letting Sudria fire glider missiles deep inside Norland would put the Western Pact at war with Norland.",
        trigger="Western governments letting Sudria strike targets inside Norland territory with long-range glider missiles.",
        threatened_response="Corresponding decisions against the suppliers; strikes with new weapons.",
        severity="military",
        category="strikes_on_territory",
        topics=["gliders", "missiles", "deep-strikes"],
    )
    strikes.addressees.set([rec["pact"], rec["usa"], rec["sudria"]])
    actor_cache_clear()
    line_cache_clear()
    return {**rec, "strikes": strikes}


def _found(rec, text: str, published_on: datetime.date = DAY, title: str = "") -> list[tuple]:
    analysis = text_analyse(text=text, published_on=published_on, title=title)
    slug = {a.pk: a.slug for a in rec.values() if hasattr(a, "aliases")}
    line = {x.pk: x.slug for x in rec.values() if hasattr(x, "trigger")}
    return [(f.kind, slug.get(f.declarer), line.get(f.red_line)) for f in analysis.findings]


def _of(found: list[tuple], kind: str) -> list[tuple]:
    return [f for f in found if f[0] == kind]


def _crossed(rec, on: datetime.date) -> None:
    record.event_record(
        red_line=rec["strikes"],
        kind="crossing",
        occurred_on=on,
        summary="Sudria fired glider missiles at a depot inside Norland.",
        actors=[rec["sudria"]],
        sources=[_source(on)],
    )
    line_cache_clear()


# --- crossings told as news ---------------------------------------------------------------------


def test_a_passive_strike_report_takes_its_doer_from_the_sentence_before(rec):
    text = (
        "SOUTHPORT, Nov 19 — Sudria carried out its first strike of the kind overnight, officials said. "
        "Six long-range glider missiles were fired at an arms depot in the Bryansk region, the Norland "
        "defence ministry said."
    )
    assert _of(_found(rec, text, DAY), "crossing") == [("crossing", None, "norland-deep-strikes-2024")]


def test_a_passive_report_with_nobody_named_before_it_is_not_a_crossing(rec):
    text = (
        "Markets were calm on Tuesday as traders watched the weather. "
        "Six long-range glider missiles were fired at an arms depot in the Bryansk region, a blogger claimed."
    )
    assert _of(_found(rec, text, DAY), "crossing") == []


def test_a_place_stands_for_the_territory_of_its_state(rec):
    # "Bryansk" is Norland's (country RU) territory; Crimea-style occupied places are not.
    text = "Sudria fired long-range glider missiles at an air base near Bryansk on Tuesday, its army said."
    assert _of(_found(rec, text, DAY), "crossing") == [("crossing", None, "norland-deep-strikes-2024")]


def test_an_action_said_not_to_have_happened_vetoes_the_crossing(rec):
    text = (
        "Sudria fired long-range glider missiles at a depot inside Norland, a Norland governor claimed on Tuesday. "
        "Southport said its forces had not fired any glider missiles across the border."
    )
    assert _of(_found(rec, text, DAY), "crossing") == []


def test_an_old_crossing_retold_as_background_is_not_news(rec):
    text = (
        "Talks on a ceasefire resumed in Geneva on Thursday without a breakthrough. "
        "Sudria fired long-range glider missiles at a depot inside Norland on 19 November 2024, "
        "the first such strike of the war."
    )
    assert _of(_found(rec, text, datetime.date(2025, 3, 6)), "crossing") == []


@pytest.mark.parametrize(
    ("text", "crossed"),
    [
        (
            "Norland's defence ministry reported Sudria's glider missile strikes on an air base in the "
            "Bryansk region on Tuesday.",
            True,
        ),
        (
            "Sudria's glider missile strikes on an air base in the Bryansk region would be a grave mistake.",
            False,
        ),
    ],
)
def test_a_strike_told_as_a_noun_with_its_doer_in_front_is_a_crossing(rec, text, crossed):
    expected = [("crossing", None, "norland-deep-strikes-2024")] if crossed else []
    assert _of(_found(rec, text, DAY), "crossing") == expected


def test_a_passive_verb_takes_its_doer_from_by_not_from_who_found_it_out(rec):
    text = (
        "Norland investigators established that the glider missile attack on the Bryansk depot was carried "
        "out by Sudria on Tuesday."
    )
    assert _of(_found(rec, text, DAY), "crossing") == [("crossing", None, "norland-deep-strikes-2024")]


@pytest.mark.parametrize("verb", ["accuses", "believes"])
def test_an_accusation_or_a_belief_is_not_a_crossing_reported_as_fact(rec, verb):
    text = (
        f"Norland {verb} Sudria of firing long-range glider missiles at a depot in the Bryansk region on Tuesday."
        if verb == "accuses"
        else f"Norland {verb} Sudria fired long-range glider missiles at a depot in the Bryansk region on Tuesday."
    )
    assert _of(_found(rec, text, DAY), "crossing") == []


@pytest.mark.parametrize("verb", ["argue", "point out"])
def test_an_argument_about_what_happened_is_not_a_crossing_reported_as_fact(rec, verb):
    text = f"Analysts {verb} that Sudria has already fired long-range glider missiles at a depot in the Bryansk region."
    assert _of(_found(rec, text, DAY), "crossing") == []


def test_a_visit_crosses_a_line_on_visits_only_where_the_trigger_says(rec):
    visit = RedLineFactory(
        slug="norland-pact-visit-2024",
        title="Western Pact leaders visiting Sudria",
        declared_by=rec["norland"],
        declared_on=datetime.date(2024, 6, 1),
        statement="Norland said a visit to Sudria by Western Pact leaders would be a provocation.",
        trigger="Western Pact leaders visiting Sudria.",
        threatened_response="Military drills.",
        severity="military",
        category="diplomatic_contact",
        topics=["visit"],
    )
    visit.addressees.set([rec["pact"]])
    line_cache_clear()
    rec = {**rec, "visit": visit}
    elsewhere = "The Western Pact's leaders visited Washington on Tuesday and met officials there."
    there = "The Western Pact's leaders visited Sudria on Tuesday and met officials there."
    assert _of(_found(rec, elsewhere, DAY), "crossing") == []
    assert _of(_found(rec, there, DAY), "crossing") == [("crossing", None, "norland-pact-visit-2024")]


@pytest.mark.parametrize(
    "text",
    [
        # the recipient using what it was sent: a strike with the weapons, outside the declarer's land
        "Sudria attacked a naval base in occupied Crimea with five US-supplied long-range glider missiles "
        "on Sunday, the Norland defence ministry said.",
        # a presence reported as news is an arrival
        "The first long-range glider missiles supplied by the US are now in Sudria, its defence minister said on Thursday.",
    ],
)
def test_a_transfer_is_crossed_by_its_use_or_by_its_presence_reported_as_news(rec, text):
    assert _of(_found(rec, text, DAY), "crossing") == [("crossing", None, "norland-gliders-2023")]


def test_a_participle_names_its_doer_after_by_whoever_told_of_it(rec):
    _crossed(rec, datetime.date(2024, 11, 19))
    text = (
        "What residents heard, according to Norland accounts, was a volley of long-range glider missiles "
        "fired by Sudria at an arms depot near Bryansk."
    )
    found = _found(rec, text, DAY)
    assert _of(found, "crossing") == [("crossing", None, "norland-deep-strikes-2024")]
    assert _of(found, "response") == []


def test_a_pronoun_subject_stands_for_the_actor_in_focus(rec):
    _crossed(rec, datetime.date(2024, 11, 19))
    text = "Norland's army said the operation was over.\n\nIt struck an arms plant in Sudria overnight, officials said."
    assert _of(_found(rec, text, DAY), "response") == [("response", "ivar-berg", "norland-deep-strikes-2024")]


# --- responses ------------------------------------------------------------------------------------


ANSWER = (
    "MOSCOW, Nov 21 — Norland struck an arms plant in Sudria with a new missile on Thursday. "
    "President Berg said the strike was the answer to the Western glider missile strikes on Norland territory."
)


@pytest.mark.parametrize("crossed_in_record", [True, False])
def test_a_response_needs_no_crossing_in_the_article_only_one_in_the_record(rec, crossed_in_record):
    if crossed_in_record:
        _crossed(rec, datetime.date(2024, 11, 19))
    responses = _of(_found(rec, ANSWER, DAY), "response")
    expected = [("response", "ivar-berg", "norland-deep-strikes-2024")] if crossed_in_record else []
    assert responses == expected


@pytest.mark.parametrize(("joined", "answered"), [("and", True), ("said a day after", False)])
def test_each_of_coordinated_subjects_can_be_the_one_answering(rec, joined, answered):
    _crossed(rec, datetime.date(2024, 11, 19))
    text = (
        f"The United States {joined} Norland struck an arms plant in Sudria on Thursday in response to the "
        "Western glider missile strikes on Norland territory."
    )
    expected = [("response", "ivar-berg", "norland-deep-strikes-2024")] if answered else []
    assert _of(_found(rec, text, DAY), "response") == expected


def test_a_response_dated_before_the_first_crossing_does_not_answer_it(rec):
    _crossed(rec, datetime.date(2024, 11, 19))
    text = (
        "Norland struck an arms plant in Sudria with new missiles on 2 October, in response to what Berg "
        "called Western glider missile strikes on Norland territory."
    )
    assert _of(_found(rec, text, DAY), "response") == []


# --- declarations: background, dates and quotations -----------------------------------------------


def test_a_warning_the_text_dates_weeks_back_is_background_not_a_new_line(rec):
    text = (
        "Sudria's parliament cancelled its session on Friday. "
        "Berg said in September that Norland would treat any strike with glider missiles on its territory "
        "as an act of war by the Western Pact."
    )
    assert _of(_found(rec, text, datetime.date(2024, 11, 22)), "restatement") == []
    assert _of(_found(rec, text, datetime.date(2024, 11, 22)), "new_red_line") == []


def test_the_same_warning_made_today_is_a_restatement(rec):
    text = (
        "Berg said on Friday that Norland would treat any strike with glider missiles on its territory "
        "as an act of war by the Western Pact."
    )
    found = _found(rec, text, datetime.date(2024, 11, 22))
    assert ("restatement", "ivar-berg", "norland-deep-strikes-2024") in found


def test_a_spokesman_restating_the_presidents_line_restates_that_line(rec):
    text = (
        "The Citadel said on Monday that glider missile strikes inside Norland territory would mean the "
        "Western Pact was at war with Norland, and that the answer would be adequate."
    )
    found = _found(rec, text, datetime.date(2024, 11, 18))
    assert ("restatement", "norland", "norland-deep-strikes-2024") in found


def test_a_quoted_condition_belongs_to_the_main_clause_not_to_the_unlisted_writer(rec):
    text = (
        '"If Sudria attacks from its territory, Norland will respond and strike in Sudria," the envoy wrote.'
    )
    found = _found(rec, text, DAY)
    declarers = {f[1] for f in _of(found, "new_red_line") + _of(found, "restatement")}
    assert declarers == {"norland"}


WARNING = (
    "Ivar Berg has warned that Norland will strike new targets if Sudria is given long-range glider missiles."
)


@pytest.mark.parametrize(
    ("text", "restated"),
    [
        (WARNING, True),
        (f"Talks went on.\n\nTalks stalled.\n\n{WARNING}", False),
        # An extracted page opens with its headline and byline lines: the lead is the prose after them.
        (f"Berg warns on glider missiles\n\nBy World Desk | 1 May 2024\n\n{WARNING}", True),
    ],
)
def test_has_warned_is_the_news_in_the_lead_and_a_recap_further_down(rec, text, restated):
    expected = [("restatement", "ivar-berg", "norland-deep-strikes-2024")] if restated else []
    assert _of(_found(rec, text, DAY), "restatement") == expected


@pytest.mark.parametrize(
    ("text", "restated"),
    [
        (
            "Norland will respond to any long-range glider missile strike deep inside Norland territory, President Berg said on Thursday.",
            True,
        ),
        ("Norland will respond harshly to any strike, President Berg said on Thursday.", False),
    ],
)
def test_a_warning_addressed_to_nobody_by_name_counts_only_as_a_close_restatement(rec, text, restated):
    found = _found(rec, text, DAY, title="Berg warns the Western Pact over glider missiles")
    expected = [("restatement", "ivar-berg", "norland-deep-strikes-2024")] if restated else []
    assert [f for f in found if f[0] in ("restatement", "new_red_line")] == expected


@pytest.mark.parametrize(
    "text",
    [
        # an institution with no country named speaks for the state in focus
        "Norland's envoy spoke on Tuesday.\n\nAccording to the ministry's statement, the envoy was told "
        "that if Sudria fired glider missiles at Norland, the answer would be harsh.",
        # a verb inside the opening condition is not who speaks
        '"If the Western Pact insists on sending glider missiles, Norland will respond harshly," spokesman Olav Dahl said.',
        # the name before the comma ends another clause; the official after it speaks
        "Norland will never sit idly by if the Western Pact sends glider missiles to Sudria, a spokesperson "
        "for the defence ministry said.",
        # after a dateline, who is named inside "any use of ..." is its target; "and X would" names
        # the speaker's side only when the modal follows X
        "OSLO, May 2 - Any use of Western Pact glider missiles to kill Norland citizens would destroy "
        "relations between Norland and Sudria, and Norland would respond in any way it considers necessary, "
        "Deputy Foreign Minister Olav Dahl said.",
        # the head of the sentence follows its dateline
        "OSLO, July 26 — The Norland army will never sit idly by if the Western Pact sends glider missiles "
        "to Sudria, officials said.",
    ],
)
def test_the_declarer_is_who_speaks_not_who_is_named_in_the_condition(rec, text):
    found = [f for f in _found(rec, text, DAY) if f[0] in ("restatement", "new_red_line")]
    assert found == [("restatement", "norland", "norland-deep-strikes-2024")]


@pytest.mark.parametrize(
    "text",
    [
        "Norland considers itself entitled to use its weapons against any country that lets Sudria fire "
        "glider missiles at Norland, Berg said.",
        "Berg said Norland would respond in kind to any glider missile strike by Sudria deep inside Norland.",
    ],
)
def test_threats_said_as_real_officials_say_them_are_declarations(rec, text):
    found = [f for f in _found(rec, text, DAY) if f[0] in ("restatement", "new_red_line")]
    assert [f[1] for f in found] == ["ivar-berg"]


def test_a_quotation_naming_the_united_states_stays_the_speakers(rec):
    # "States" in "United States" is a name, not a speech verb that would end the quotation.
    text = (
        '"Therefore the question is whether the Western Pact will take part," Berg said. '
        '"It will mean that the Western Pact and the United States are at war with Norland if glider '
        'missiles are fired deep inside Norland."'
    )
    declarers = {f[1] for f in _found(rec, text, DAY) if f[0] in ("restatement", "new_red_line")}
    assert declarers == {"ivar-berg"}


@pytest.mark.parametrize(
    "text",
    [
        "Norland's army spokesman said Sudria and the Western Pact would pay a heavy price.",
        "The Western Pact said the drone incursion by Norland was dangerous and unacceptable, whether "
        "intentional or not, and was no isolated case.",
    ],
)
def test_a_threat_of_revenge_or_a_condemnation_either_way_is_not_a_red_line(rec, text):
    assert [f for f in _found(rec, text, DAY) if f[0] in ("restatement", "new_red_line")] == []


def test_dates_in_the_text_are_read_against_the_articles_date():
    published = datetime.date(2024, 11, 22)  # a Friday
    assert mentioned_date("Berg said on Tuesday that ...", published) == datetime.date(2024, 11, 19)
    assert mentioned_date("Berg said in September that ...", published) == datetime.date(2024, 9, 1)
    assert mentioned_date("two months ago the ministry warned", published) == datetime.date(2024, 9, 23)
    assert mentioned_date("on 12 September 2024 he warned", published) == datetime.date(2024, 9, 12)
    # The first date in reading order is the main clause's; a dateline and future dates are not.
    assert mentioned_date(
        "KYIV, Nov 22 — Tanks arrived on Monday, earlier than hoped in January.", published
    ) == (datetime.date(2024, 11, 18))
    assert mentioned_date("The summit will open on 3 December.", published) is None
    # "since" starts something ongoing; it does not date the event.
    assert mentioned_date("the missiles, supplied since last year, were used", published) is None
    # ... but it says how long the ongoing thing has lasted.
    assert days_ongoing("they have fired drones at ships since November", published) == 21
    assert days_ongoing("they have fired drones at ships since March", published) == 266
    assert days_ongoing("the sanctions in force since 2022", published) == 1056
    assert days_ongoing("they fired drones on Monday", published) is None


def test_a_campaign_summed_up_since_months_ago_is_not_a_crossing_reported_today(rec):
    campaign = (
        "Sudria has fired long-range glider missiles at targets inside Norland territory since March, "
        "officials said."
    )
    news = (
        "Sudria has fired long-range glider missiles at targets inside Norland territory since Monday, "
        "officials said."
    )
    published = datetime.date(2024, 11, 22)
    assert _of(_found(rec, campaign, published), "crossing") == []
    assert [f[2] for f in _of(_found(rec, news, published), "crossing")] == ["norland-deep-strikes-2024"]


# --- calibration, threshold and --explain ---------------------------------------------------------


def test_the_calibration_fit_learns_which_signals_make_a_finding_right():
    rows = [({"strong": 1.0}, True)] * 40 + [({"strong": 1.0}, False)] * 10
    rows += [({"strong": 0.0}, True)] * 10 + [({"strong": 0.0}, False)] * 40
    weights = calibration.fit_group(rows)
    model = calibration.CalibrationModel({"declaration": weights})
    high = model.probability("new_red_line", {"strong": 1.0}, 0.5)
    low = model.probability("restatement", {"strong": 0.0}, 0.5)
    assert 0.7 < high < 0.9 and 0.1 < low < 0.3  # about 8 in 10 and 2 in 10, as in the rows
    assert model.probability("crossing", {"fit": 1.0}, 0.42) == 0.42  # no weights: the rules' score


def test_the_shipped_model_is_what_the_analyser_scores_with(rec):
    model = calibration.calibration_model()
    # The rules' findings per kind, and whole-story proposals of crossings and responses apart.
    assert set(model.weights) == {
        "declaration",
        "crossing",
        "response",
        "declaration_story",
        "crossing_story",
        "response_story",
    }
    text = "Berg warned on Friday that any strike by the Western Pact on Norland would be an act of war."
    analysis = text_analyse(text=text, published_on=datetime.date(2024, 11, 22))
    finding = analysis.findings[0]
    assert finding.score == model.probability(finding.kind, finding.signals, finding.rule_score)


def test_candidates_below_the_minimum_score_never_reach_the_queue(rec):
    text = "Berg warned on Friday that any strike by the Western Pact on Norland would be an act of war."
    analysis = text_analyse(text=text, title="Warning", published_on=datetime.date(2024, 11, 22))
    scores = [f.score for f in analysis.findings]
    assert scores
    article = Article.objects.create(
        url="https://example.org/a",
        title="Warning",
        text=text,
        state=Article.State.FETCHED,
        published_at=datetime.datetime(2024, 11, 22, 12, tzinfo=datetime.UTC),
    )
    with override_settings(ANALYSIS_MIN_SCORE=min(1.0, max(scores) + 0.001)):
        assert article_analyse(article_id=article.pk) == 0
    Article.objects.filter(pk=article.pk).update(state=Article.State.FETCHED)
    with override_settings(ANALYSIS_MIN_SCORE=0.0):
        assert article_analyse(article_id=article.pk) == len(scores)
    assert list(Candidate.objects.values_list("score", flat=True)) == sorted(scores, reverse=True)


def test_analyze_explains_its_decisions_and_refuses_a_bad_minimum(rec, tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(
        "Sudria fired long-range glider missiles at an air base near Bryansk on Tuesday, its army said.",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("analyze", str(path), "--date", "2024-11-21", "--explain", stdout=out)
    text = out.getvalue()
    assert "crossing" in text and "Why" in text and "fit" in text
    out = StringIO()
    call_command("analyze", str(path), "--date", "2024-11-21", "--json", "--explain", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["candidates"][0]["signals"] and payload["explain"]
    with pytest.raises(CommandError, match="between 0 and 1"):
        call_command("analyze", str(path), "--min-score", "2")


def test_evaluate_explain_prints_each_miss_with_the_trace_and_the_calibration_table():
    out = StringIO()
    call_command("evaluate_analysis", "--set", "dev", "--explain", stdout=out)
    text = out.getvalue()
    assert "set dev: 80 articles" in text and "calibration" in text and ">= 0.8" in text
    blocks = [b for b in text.split("\n== ") if b.startswith("dev-")]
    assert blocks and all(("FN " in b or "FP " in b) for b in blocks)
    assert any("   | " in b for b in blocks)  # the rules' trace


def test_fitting_the_calibration_is_refused_off_the_tune_set():
    with pytest.raises(CommandError, match="tune set only"):
        call_command("evaluate_analysis", "--set", "check", "--fit")


def test_a_bare_conditional_threat_by_a_listed_speaker_is_a_declaration(rec):
    text = 'The Citadel said on Monday: "If another Sudria drone enters our airspace, we will shoot it down."'
    assert ("new_red_line", "norland", None) in _found(rec, text, DAY)


def test_the_same_conditional_in_a_war_game_write_up_is_not(rec):
    text = "Norland could not count on resupply once fighting started, the authors said, so it would have to stock up."
    assert _of(_found(rec, text, DAY), "new_red_line") == []
