"""Rules added to generalise beyond the development set, each on texts of our own with a negative."""

import datetime

import pytest

from tests.analysis_support import small_record
from tests.factories import RedLineFactory
from tracker.analysis.actors import actor_cache_clear
from tracker.analysis.lines import line_cache_clear
from tracker.analysis.service import text_analyse

pytestmark = pytest.mark.django_db
DAY = datetime.date(2024, 5, 1)


@pytest.fixture
def rec():
    rec = small_record()
    invasion = RedLineFactory(
        slug="us-norland-invasion-2023",
        title="A Norland invasion of Sudria",
        declared_by=rec["usa"],
        declared_on=datetime.date(2023, 1, 10),
        statement="Washington said a Norland invasion of Sudria would bring severe sanctions.",
        trigger="Norland troops invading Sudria.",
        threatened_response="Severe sanctions on Norland.",
        severity="economic",
        category="territorial_change",
        topics=["invasion", "border"],
    )
    invasion.addressees.set([rec["norland"]])
    strikes = RedLineFactory(
        slug="norland-deep-strikes-2023",
        title="Glider missile strikes inside Norland",
        declared_by=rec["norland"],
        declared_on=datetime.date(2023, 6, 1),
        statement="Norland said strikes on its territory with glider missiles would make the suppliers parties to the war.",
        trigger="Sudria firing long-range glider missiles at targets inside Norland territory.",
        threatened_response="Retaliation against the suppliers.",
        severity="military",
        category="strikes_on_territory",
        topics=["gliders", "missiles", "deep-strikes"],
    )
    strikes.addressees.set([rec["pact"], rec["usa"]])
    actor_cache_clear()
    line_cache_clear()
    return {**rec, "invasion": invasion, "strikes": strikes}


def _found(rec, text: str, published_on: datetime.date = DAY) -> list[tuple]:
    analysis = text_analyse(text=text, published_on=published_on)
    slug = {a.pk: a.slug for a in rec.values() if hasattr(a, "aliases")}
    line = {x.pk: x.slug for x in rec.values() if hasattr(x, "trigger")}
    return [(f.kind, slug.get(f.declarer), line.get(f.red_line)) for f in analysis.findings]


def _kinds(found: list[tuple], kind: str) -> list[tuple]:
    return [f for f in found if f[0] == kind]


# --- crossings ---------------------------------------------------------------------------------


def test_a_weapon_of_another_kind_does_not_cross_a_line_about_missiles(rec):
    drones = "The United States delivered long-range attack drones to Sudria on Monday, officials said."
    missiles = "The United States delivered long-range glider missiles to Sudria on Monday, officials said."
    assert _kinds(_found(rec, drones), "crossing") == []
    assert _kinds(_found(rec, missiles), "crossing") == [("crossing", None, "norland-gliders-2023")]


def test_a_transfer_needs_its_recipient_named(rec):
    text = "The United States delivered long-range glider missiles to its own bases in the north on Monday."
    assert _kinds(_found(rec, text), "crossing") == []


def test_an_action_in_the_infinitive_or_passive_wish_is_not_a_reported_crossing(rec):
    text = (
        "The Western Pact lobbied for months to allow glider missiles from the United States "
        "to be delivered to Sudria."
    )
    assert _kinds(_found(rec, text), "crossing") == []


def test_an_action_dated_by_a_since_clause_is_background(rec):
    background = (
        "Grain exports have collapsed since Norland troops invaded Sudria in the spring of last year."
    )
    news = "Norland troops invaded Sudria on Monday, crossing the border at three points, officials said."
    assert _kinds(_found(rec, background), "crossing") == []
    assert _kinds(_found(rec, news), "crossing") == [("crossing", None, "us-norland-invasion-2023")]


def test_the_target_of_the_trigger_is_not_its_doer(rec):
    text = (
        "Sudria's troops have pushed through the first Norland defensive line near the river, officials said."
    )
    assert _kinds(_found(rec, text), "crossing") == []


def test_the_article_saying_the_trigger_has_not_happened_vetoes_the_crossing(rec):
    text = (
        "Norland troops seized two border villages on Tuesday.\n\n"
        "The White House said Norland troops had not yet entered Sudria beyond the frontier zone, "
        "and the invasion that would trigger sanctions had not begun."
    )
    assert _kinds(_found(rec, text), "crossing") == []


def test_a_response_that_names_its_cause_reports_the_crossing_and_the_response(rec):
    text = (
        "Norland struck an air base in western Sudria on Thursday in retaliation for the firing of "
        "long-range glider missiles by Sudria at targets inside Norland territory, its defence ministry said."
    )
    found = _found(rec, text)
    assert ("crossing", None, "norland-deep-strikes-2023") in found
    assert ("response", "norland", "norland-deep-strikes-2023") in found


def test_a_cause_without_the_trigger_is_not_a_crossing(rec):
    text = "Washington said it would review its posture in response to the Norland announcement on Monday."
    assert _kinds(_found(rec, text), "crossing") == []


def test_the_crossing_reported_by_the_declarer_is_not_its_response(rec):
    text = (
        "Norland's defence ministry said that before dawn Sudria had fired six long-range glider missiles "
        "supplied by the United States at an air base inside Norland."
    )
    found = _found(rec, text)
    assert ("crossing", None, "norland-deep-strikes-2023") in found
    assert _kinds(found, "response") == []


# --- declarations ------------------------------------------------------------------------------


def test_a_condemnation_of_what_was_done_is_not_a_warning(rec):
    done = "Norland said on Monday that the delivery to Sudria was unacceptable."
    future = "Norland said on Monday that any delivery to Sudria would be unacceptable."
    named = "Norland said on Monday that the northern strait is a red line for it and for Sudria."
    assert _kinds(_found(rec, done), "new_red_line") == []
    assert _kinds(_found(rec, future), "new_red_line") == [("new_red_line", "norland", None)]
    assert _kinds(_found(rec, named), "new_red_line") == [("new_red_line", "norland", None)]


def test_the_speakers_own_condition_is_not_a_trigger(rec):
    own = "The Western Pact said on Monday that it would fight on alone if it had to."
    other = "The Western Pact said on Monday that it would fight if Norland crossed the river."
    assert _kinds(_found(rec, own), "new_red_line") == []
    assert _kinds(_found(rec, other), "new_red_line") == [("new_red_line", "pact", None)]


def test_an_unlisted_official_named_by_title_speaks_for_the_state_in_focus(rec):
    text = (
        "President Berg inspected troops on the eastern frontier on Monday.\n"
        "Defence Minister Anna Holt said any incursion by Sudria would bring an immediate military response."
    )
    found = _kinds(_found(rec, text), "new_red_line")
    assert found == [("new_red_line", "norland", None)]


def test_an_infinitive_warn_is_a_purpose_not_the_speech_of_the_actor_before_it(rec):
    text = (
        "An envoy met officials in Nordhaven on Monday to warn Sudria about the consequences of any "
        "strike on the depot, the Western Pact said."
    )
    declarers = {f[1] for f in _found(rec, text) if f[0] == "new_red_line"}
    assert "norland" not in declarers


def test_locked_and_loaded_is_a_threat_from_a_state_but_not_from_a_striker(rec):
    threat = "Washington said on Friday its forces were locked and loaded should Norland move on the strait."
    sport = "The striker said he was locked and loaded for the derby on Saturday."
    assert _kinds(_found(rec, threat), "new_red_line") == [("new_red_line", "united-states", None)]
    assert _found(rec, sport) == []


def test_a_speaker_restates_at_most_one_tracked_line_per_article(rec):
    text = (
        "Norland said on Friday that long-range glider missiles sent to Sudria would make the Western Pact "
        "a party to the war, and that it would respond to any delivery. "
        "Norland added that it would answer any strike by Sudria inside Norland."
    )
    restated = _kinds(_found(rec, text), "restatement")
    assert len(restated) == 1
    assert restated[0][1] == "norland"


def test_narration_about_a_line_already_drawn_is_not_a_new_declaration(rec):
    narration = (
        "President Berg warned the Western Pact that arming Sudria would bring retaliation. "
        "Analysts say the next weeks will decide how the Pact answers Norland's newest red line."
    )
    # One declaration (new or restating a line of Berg's), from the warning; none from the narration.
    declarers = [f[1] for f in _found(rec, narration) if f[0] in ("new_red_line", "restatement")]
    assert declarers == ["ivar-berg"]
    said = "Norland's foreign ministry said its red line is clear: troops of the Western Pact in Sudria would be attacked."
    assert _kinds(_found(rec, said), "new_red_line") or _kinds(_found(rec, said), "restatement")


def test_unattributed_narration_is_not_put_in_the_last_speakers_mouth(rec):
    narration = (
        "President Berg said talks with the Western Pact had been useful.\n\n"
        "Observers note that any misstep by Sudria could have grave consequences for the region."
    )
    assert [f for f in _found(rec, narration) if f[0] in ("new_red_line", "restatement")] == []
    quoted = (
        "President Berg spoke to reporters in the capital on Friday. "
        "\u201cAny Western Pact troops sent to Sudria would be treated as targets,\u201d he said."
    )
    assert [f[1] for f in _found(rec, quoted) if f[0] in ("new_red_line", "restatement")] == ["ivar-berg"]


def test_a_name_containing_a_speech_verb_is_not_the_speaker(rec):
    text = (
        "The United States would cross a red line if it sent glider missiles to Sudria, "
        "President Berg said on Friday."
    )
    declarers = [f[1] for f in _found(rec, text) if f[0] in ("new_red_line", "restatement")]
    assert declarers == ["ivar-berg"]


def test_refusing_to_draw_red_lines_is_not_drawing_one(rec):
    refusal = "President Berg said he will not draw 'red lines' for the Western Pact over Sudria."
    assert [f for f in _found(rec, refusal) if f[0] in ("new_red_line", "restatement")] == []
    drawing = "President Berg said Western Pact troops in Sudria would cross a red line."
    assert [f[1] for f in _found(rec, drawing) if f[0] in ("new_red_line", "restatement")] == ["ivar-berg"]


def test_a_quoted_possessed_red_line_in_narration_is_a_reference(rec):
    text = 'Commentators in Sudria keep returning to Norland\'s "red line" on the Western Pact this week.'
    assert [f for f in _found(rec, text) if f[0] in ("new_red_line", "restatement")] == []


# --- who speaks ------------------------------------------------------------------------------------


def test_an_envoy_speaks_for_the_state_that_sent_him_not_the_one_he_is_posted_to(rec):
    text = (
        "Norland's ambassador to the United States said on Monday that any delivery of glider missiles "
        "to Sudria would make Washington a party to the war."
    )
    declarations = _kinds(_found(rec, text), "restatement") + _kinds(_found(rec, text), "new_red_line")
    assert [d[1] for d in declarations] == ["norland"]


def test_a_named_official_introduced_with_his_post_speaks_for_his_state_later(rec):
    introduced = (
        "The Norland envoy to the Western Pact, Oskar Lind, spoke to a television channel on Sunday.\n\n"
        "If glider missiles reach Sudria, the launchers that fire them will be destroyed, Lind said."
    )
    reversed_order = (
        "Oskar Lind, Norland's envoy to the Western Pact, spoke to a television channel on Sunday.\n\n"
        "If glider missiles reach Sudria, the launchers that fire them will be destroyed, Lind said."
    )
    unknown = "If glider missiles reach Sudria, the launchers that fire them will be destroyed, Lind said."
    for text in (introduced, reversed_order):
        found = _found(rec, text)
        assert {f[1] for f in found if f[0] in ("restatement", "new_red_line")} == {"norland"}
    assert {f[1] for f in _found(rec, unknown) if f[0] in ("restatement", "new_red_line")} != {"norland"}


def test_the_side_told_it_will_bear_the_consequences_is_not_the_one_warning(rec):
    told = "Sudria will bear the consequences if it keeps firing at Norland's ships in the strait."
    threat = "Sudria will make Norland pay a heavy price if the shelling of its border towns goes on."
    assert [f for f in _found(rec, told) if f[1] == "sudria"] == []
    assert [f[1] for f in _found(rec, threat) if f[0] in ("restatement", "new_red_line")] == ["sudria"]


# --- background ------------------------------------------------------------------------------------


def test_a_speaker_repeating_an_earlier_warning_now_restates_it(rec):
    again = (
        '"Norland has previously made clear that glider missiles for Sudria would make the suppliers '
        'parties to the war, and that remains so," President Berg said on Monday.'
    )
    reported = (
        "President Berg said on Monday he had warned in March that glider missiles for Sudria would "
        "make the suppliers parties to the war."
    )
    assert [f[0] for f in _found(rec, again)] == ["restatement"]
    assert [f for f in _found(rec, reported) if f[0] in ("restatement", "new_red_line")] == []


def test_the_side_told_it_should_be_in_no_doubt_is_the_one_warned(rec):
    told = (
        '"Norland should be in no doubt: we will use every tool to defend Sudria if its jets come '
        'back," the statement said.'
    )
    assert [f for f in _found(rec, told) if f[1] == "norland"] == []


def test_consequences_an_event_may_have_are_a_risk_not_a_threat(rec):
    risk = (
        "A Norland spokesman said on Monday that shelling near the dam by Sudria could have "
        "catastrophic consequences."
    )
    threat = (
        "A Norland spokesman said on Monday that Sudria would face catastrophic consequences if the "
        "shelling near the dam went on."
    )
    assert [f for f in _found(rec, risk) if f[0] in ("restatement", "new_red_line")] == []
    assert [f[1] for f in _found(rec, threat) if f[0] in ("restatement", "new_red_line")] == ["norland"]


def test_a_crossing_the_news_came_weeks_after_is_background(rec):
    background = (
        "The summit came weeks after the United States delivered long-range glider missiles to Sudria, "
        "officials said."
    )
    news = "The United States delivered long-range glider missiles to Sudria on Monday, officials said."
    assert _kinds(_found(rec, background), "crossing") == []
    assert _kinds(_found(rec, news), "crossing") == [("crossing", None, "norland-gliders-2023")]


def test_a_strike_imagined_with_could_is_not_a_response(rec):
    crossing = (
        "Sudria fired long-range glider missiles at targets inside Norland territory on Monday, "
        "officials said.\n\n"
    )
    reported = (
        crossing + "Norland struck an air base in western Sudria on Tuesday, its defence ministry said."
    )
    imagined = crossing + "Neighbours fear that Norland strikes on Sudria could widen the war."
    assert ("response", "norland", "norland-deep-strikes-2023") in _found(rec, reported)
    assert _kinds(_found(rec, imagined), "response") == []


def test_the_declarers_side_named_as_the_attacker_is_not_the_territory_struck(rec):
    # Norland's country code makes "Russian" its demonym in the small record.
    lead = "Sudria's army said on Sunday that it had kept up its campaign. "
    attacker = (
        lead + "Overnight dozens of long-range glider missiles were fired after Russian missile strikes."
    )
    territory = lead + "Overnight dozens of long-range glider missiles were fired at Russian territory."
    assert _kinds(_found(rec, attacker), "crossing") == []
    assert _kinds(_found(rec, territory), "crossing") == [("crossing", None, "norland-deep-strikes-2023")]


def test_a_department_speaks_for_the_state_in_focus(rec):
    text = (
        "Norland moved two warships to the strait on Monday. In a post online, the Defence Department "
        'said: "Glider missiles sent to Sudria by the Western Pact will be destroyed, and the suppliers '
        'will bear the consequences."'
    )
    assert {f[1] for f in _found(rec, text) if f[0] in ("restatement", "new_red_line")} == {"norland"}


def test_a_speaker_naming_the_red_line_restates_their_own_line_without_naming_the_addressee(rec):
    text = (
        "President Berg spoke about long-range glider missiles in Nordhaven on Monday. If the red line on "
        "long-range glider missiles were crossed again, he said, there would be another answer."
    )
    assert [f[0] for f in _found(rec, text) if f[0] == "restatement"] == ["restatement"]
