"""Actor mentions: one pass over tokens, aliases, demonyms, roles, cache invalidation."""

import pytest

from tests.analysis_support import small_record
from tracker.analysis.actors import ActorInfo, ActorMatcher, actor_matcher_current
from tracker.analysis.text import tokens_of
from tracker.services import record


def _slugs(matcher: ActorMatcher, text: str) -> list[str]:
    return [matcher.actors[m.actor_id].slug for m in matcher.mentions(tokens_of(text))]


@pytest.fixture
def matcher() -> ActorMatcher:
    return ActorMatcher.build(
        [
            ActorInfo(1, "norland", "Norland", "state", "RU", None, ("the Citadel",)),
            ActorInfo(2, "ivar-berg", "Ivar Berg", "person", "RU", 1, ()),
            ActorInfo(3, "houthis", "Houthis", "armed_group", "", None, ("Houthi movement",)),
            ActorInfo(4, "united-states", "United States", "state", "US", None, ("US", "U.S.")),
            ActorInfo(5, "north-korea", "North Korea", "state", "KP", None, ()),
            ActorInfo(6, "korea-south", "South Korea", "state", "KR", None, ()),
        ]
    )


def test_names_aliases_are_case_and_punctuation_tolerant(matcher):
    assert _slugs(matcher, "THE CITADEL said; norland's envoy replied.") == ["norland", "norland"]


def test_plurals_possessives_and_surnames(matcher):
    assert _slugs(matcher, "A Houthi drone, the Houthis' claim, and Berg's remarks") == [
        "houthis",
        "houthis",
        "ivar-berg",
    ]


def test_short_acronyms_need_capitals(matcher):
    assert _slugs(matcher, "He told us that the US would act; U.S.-made jets") == [
        "united-states",
        "united-states",
    ]


def test_longest_match_wins_for_demonyms(matcher):
    assert _slugs(matcher, "A North Korean launch and a South Korean reply") == ["north-korea", "korea-south"]


def test_leader_role_becomes_the_named_person_when_the_text_names_them(matcher):
    text = "Ivar Berg spoke first. Later the Russian president said more."
    assert _slugs(matcher, text) == ["ivar-berg", "ivar-berg"]
    assert _slugs(matcher, "Later the Russian president said more.") == ["norland"]


def test_spokespeople_are_learned_for_the_text(matcher):
    text = "Norland's foreign ministry spokeswoman Ada Lind said no. Lind added a warning."
    assert _slugs(matcher, text) == ["norland", "norland", "norland"]


def test_matching_thousands_of_actors_is_one_pass():
    actors = [ActorInfo(i, f"a{i}", f"Name{i} Group", "group", "", None, (f"Alias{i}",)) for i in range(5000)]
    matcher = ActorMatcher.build(actors)
    assert _slugs(matcher, "Alias4999 and Name17 Group met.") == ["a4999", "a17"]


@pytest.mark.django_db
def test_alias_edited_in_admin_takes_effect_without_restart():
    rec = small_record()
    assert [m.actor_id for m in actor_matcher_current().mentions(tokens_of("Riverkeep spoke."))] == []
    record.actor_update(actor=rec["sudria"], aliases=["Southport", "Riverkeep"])
    found = actor_matcher_current().mentions(tokens_of("Riverkeep spoke."))
    assert [m.actor_id for m in found] == [rec["sudria"].pk]


def test_an_official_listed_by_full_name_for_a_state_is_known_by_surname_later():
    norland = ActorInfo(
        1, "norland", "Norland", "state", "RU", None, ("Oskar Lindqvist", "Norland Defence Ministry")
    )
    sudria = ActorInfo(2, "sudria", "Sudria", "state", "UA", None, ("Great Sudria",))
    matcher = ActorMatcher.build([norland, sudria])
    found = matcher.mentions(tokens_of("Lindqvist said the Ministry and Sudria would talk."))
    assert [(m.actor_id, m.via) for m in found] == [(1, "name"), (2, "name")]
