"""The rules on texts of our own: declarations, attribution, filters, crossings, responses."""

import datetime

import pytest

from tests.analysis_support import small_record
from tracker.analysis.service import text_analyse

pytestmark = pytest.mark.django_db
DAY = datetime.date(2024, 5, 1)


def _found(text: str, **kw):
    rec = small_record()
    analysis = text_analyse(text=text, published_on=kw.pop("published_on", DAY), **kw)
    slug = {a.pk: a.slug for a in rec.values() if hasattr(a, "aliases")}
    return rec, [(f.kind, slug.get(f.declarer), f.red_line) for f in analysis.findings], analysis


def test_a_warning_without_the_words_red_line_is_a_new_declaration():
    text = (
        "OSLO, May 1 — Norland warned Sudria on Tuesday that any attempt to mine the northern strait "
        "would be regarded as an act of war and would bring an immediate response."
    )
    rec, found, analysis = _found(text)
    assert found == [("new_red_line", "norland", None)]
    finding = analysis.findings[0]
    assert text[finding.start : finding.end] == finding.evidence
    assert rec["sudria"].pk in finding.addressees
    assert "mine the northern strait" in finding.trigger
    assert "response" in finding.threatened_response


def test_reported_speech_through_a_spokesman_is_attributed_to_the_state():
    text = (
        "The Citadel spokesman Olaf Dahl told reporters the talks had stalled. "
        "If the Western Pact moved troops to the border, he said, Norland would not tolerate it."
    )
    _, found, _ = _found(text)
    assert ("new_red_line", "norland", None) in found


def test_a_quote_spanning_sentences_keeps_its_speaker():
    text = (
        "President Berg addressed the Western Pact directly on Monday. The world is watching, he said. "
        "If they cross our border, there will be consequences."
    )
    _, found, _ = _found(text)
    assert [f for f in found if f[0] == "new_red_line"] == [("new_red_line", "ivar-berg", None)]


def test_repeating_a_tracked_line_is_a_restatement_of_it():
    text = (
        "Norland said on Friday that long-range glider missiles sent to Sudria would make the Western Pact "
        "a party to the war, and that it would respond to any delivery."
    )
    rec, found, _ = _found(text)
    assert found == [("restatement", "norland", rec["line"].pk)]


@pytest.mark.parametrize(
    "text",
    [
        "Norland denied that it had threatened Sudria, calling the report a fabrication.",
        "Norland had warned in January that such missiles would be an unacceptable escalation.",
        "Norland vowed that Sudria would be punished for the attack on its depot.",
        "A think-tank scenario suggested Norland would respond with force if Sudria struck first.",
        "The transit agency said the Red Line would close at weekends, which riders called unacceptable.",
        "The coach said his players would not tolerate another late hit and would answer on the scoreboard.",
    ],
)
def test_denials_background_revenge_hypotheticals_and_idioms_are_not_declarations(text):
    _, found, _ = _found(text)
    assert [f for f in found if f[0] in ("new_red_line", "restatement")] == []


def test_a_reported_delivery_is_a_crossing_and_the_declarers_strike_a_response():
    text = (
        "SOUTHPORT, May 1 — The first long-range glider missiles delivered by the United States arrived in "
        "Sudria on Monday, officials said.\n\n"
        "Norland struck weapons depots near Southport on Tuesday in retaliation, its defence ministry said."
    )
    rec, found, _ = _found(text)
    assert ("crossing", None, rec["line"].pk) in found
    assert ("response", "norland", rec["line"].pk) in found


def test_a_crossing_is_not_proposed_before_the_line_existed():
    text = "The first long-range glider missiles delivered by the United States arrived in Sudria on Monday."
    _, found, _ = _found(text, published_on=datetime.date(2022, 1, 1))
    assert found == []


def test_html_and_long_input_are_analysed_within_bounds():
    html = "<p>" + "Norland warned Sudria that any strike would be an act of war. " * 3 + "</p>" * 1
    _, found, analysis = _found(html * 20_000)
    assert analysis.notes and found
