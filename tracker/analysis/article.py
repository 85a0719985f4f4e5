"""Article-level evidence: what a whole story says about one tracked line, beyond any one sentence.

Real coverage spreads a crossing over the headline, the lead and a later paragraph, and tells a
response without retelling the crossing. The sentence rules in `detect` miss much of that; here
each line the article is about gets a few signals from the whole story (how much of its trigger
or threat the headline and the best sentence carry, whether the doer is in the headline or lead,
and what the record already knows: the line crossed or answered in the days before). Where the
rules found nothing for a line, these signals alone make a low-prior proposal; the calibration
model (fitted on `tune`) weighs them with the rules' own signals, so a proposal is kept only when
the story as a whole makes it likely.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from .lines import LineIndex, LineProfile

NEAR_DAYS = 7  # an article this close after a recorded crossing or response most likely reports it
RECENT_CROSSING_DAYS = 60  # a response mostly follows its crossing within two months
FRESH_DAYS = 365
MIN_SHARE = 0.2  # below this share of the trigger's (or threat's) weight a story is not about the line


@dataclass(frozen=True)
class StoryView:
    """What the article-level signals read of one story: features and actors of its parts."""

    title_features: frozenset[str]
    title_actors: frozenset[int]
    lead_actors: frozenset[int]  # named in the first two paragraphs
    sentence_features: tuple[frozenset[str], ...]  # per readable sentence
    sentence_actors: tuple[frozenset[int], ...]
    title_warns: bool  # the headline carries a warning cue: the story is about a warning
    answer_sentences: frozenset[int]  # positions of sentences that present something as an answer
    action_sentences: frozenset[int]  # positions of sentences with a response action

    @cached_property
    def sentences_with(self) -> dict[str, int]:
        """Per feature, the readable sentences carrying it as a bit mask (bit `pos` for sentence
        `pos`): a line's shares are worked out only for the few sentences sharing a feature."""
        masks: dict[str, int] = {}
        for pos, features in enumerate(self.sentence_features):
            bit = 1 << pos
            for f in features:
                masks[f] = masks.get(f, 0) | bit
        return masks


def _weights(wanted: tuple[str, ...], index: LineIndex) -> tuple[dict[str, float], float]:
    weights = {f: index.idf(f) for f in wanted}
    return weights, sum(weights.values())


def _share(features: Iterable[str], weights: dict[str, float], total: float) -> float:
    if not total:
        return 0.0
    return min(1.0, sum(weights[f] for f in weights.keys() & set(features)) / total)


def best_sentence(story: StoryView, wanted: tuple[str, ...], index: LineIndex) -> tuple[int, float]:
    """The readable sentence carrying the largest share of `wanted`, and that share."""
    return _best_sentence(story, *_weights(wanted, index))


def _best_sentence(story: StoryView, weights: dict[str, float], total: float) -> tuple[int, float]:
    best, share = -1, 0.0
    if not total:
        return best, share
    keys = weights.keys()
    masks = story.sentences_with
    hits = 0
    for f in keys:
        hits |= masks.get(f, 0)
    # A sentence sharing no feature has a share of 0 and cannot be the best: only the others are
    # weighed, in order, with the same sum as before (the first of equal shares still wins).
    sentence_features = story.sentence_features
    while hits:
        low = hits & -hits
        pos = low.bit_length() - 1
        hits ^= low
        value = min(1.0, sum(weights[f] for f in keys & sentence_features[pos]) / total)
        if value > share:
            best, share = pos, value
    return best, share


def _days(a: datetime.date | None, b: datetime.date) -> int | None:
    return None if a is None else (b - a).days


def crossing_signals(
    line: LineProfile, story: StoryView, published_on: datetime.date, index: LineIndex
) -> dict:
    """Signals, each in 0..1, that the story reports the action that crosses `line`."""
    weights, total = _weights(line.trigger_features, index)
    _, body = _best_sentence(story, weights, total)
    doers = line.named_actors or (line.trigger_actors - line.declarer_group)
    return {
        "title_fit": _share(story.title_features, weights, total),
        "body_fit": body,
        "doer_named": 1.0 if doers & (story.title_actors | story.lead_actors) else 0.0,
        "fresh": 1.0 if (published_on - line.declared_on).days <= FRESH_DAYS else 0.0,
    }


def crossing_record_signals(line: LineProfile, published_on: datetime.date) -> dict:
    """What the record knows: the line crossed in the days before the story. Only a whole-story
    proposal weighs these: a sentence the rules accept must stand without the record's help, or a
    first crossing (not yet recorded) would be scored down."""
    since_crossing = _days(line.first_crossed_on, published_on)
    return {"near_crossing": 1.0 if since_crossing is not None and 0 <= since_crossing <= NEAR_DAYS else 0.0}


def response_signals(line: LineProfile, story: StoryView, index: LineIndex, crossed_here: bool) -> dict:
    """Signals, each in 0..1, that the story reports the declarer's side acting on its threat."""
    _, threat = best_sentence(story, line.threat_features, index)
    group = line.declarer_group
    actors = story.sentence_actors
    return {
        "threat_fit": threat,
        "declarer_named": 1.0 if group & (story.title_actors | story.lead_actors) else 0.0,
        "answer": 1.0 if any(actors[pos] & group for pos in story.answer_sentences) else 0.0,
        "acts": 1.0 if any(actors[pos] & group for pos in story.action_sentences) else 0.0,
        "crossed_here": 1.0 if crossed_here else 0.0,
    }


def response_record_signals(line: LineProfile, published_on: datetime.date) -> dict:
    """What the record knows: the line crossed, or answered, in the days before the story."""
    since_crossing = _days(line.first_crossed_on, published_on)
    since_response = _days(line.first_response_on, published_on)
    return {
        "recent_crossing": 1.0
        if since_crossing is not None and 0 <= since_crossing <= RECENT_CROSSING_DAYS
        else 0.0,
        "near_response": 1.0 if since_response is not None and 0 <= since_response <= NEAR_DAYS else 0.0,
    }


def record_helps(record: dict) -> bool:
    """Whether any of the record's signals (`crossing_record_signals`, `response_record_signals`)
    is on: each whole-story proposal below needs one of them."""
    return any(record.values())


def crossing_worth_proposing(signals: dict) -> bool:
    """A whole-story crossing needs the record's help (crossed in the days before) and a story
    that carries the trigger's words, with its doer up front or the trigger in the headline."""
    return bool(
        signals["near_crossing"]
        and max(signals["title_fit"], signals["body_fit"]) >= MIN_SHARE
        and (signals["doer_named"] or signals["title_fit"] >= MIN_SHARE)
    )


def response_worth_proposing(signals: dict) -> bool:
    """A whole-story response needs the record's help (the line crossed lately, or answered in the
    days before) and the declarer's side up front, acting or answering."""
    return bool(
        (signals["near_response"] or signals["recent_crossing"])
        and signals["declarer_named"]
        and (signals["acts"] or signals["answer"])
    )


def declaration_signals(
    declarer: int, declarer_state: int | None, story: StoryView, crossing_here: bool
) -> dict:
    """Signals, each in 0..1, that a warning the rules found is this story's news, not background."""
    return {
        "title_warns": 1.0 if story.title_warns else 0.0,
        "title_declarer": 1.0 if {declarer, declarer_state} & story.title_actors else 0.0,
        "crossing_here": 1.0 if crossing_here else 0.0,
    }


def restatement_record_signals(line: LineProfile, published_on: datetime.date) -> dict:
    """What the record knows: the line declared, or restated, in the days around the story."""
    since_declared = _days(line.declared_on, published_on)
    since_reaffirmed = _days(line.last_reaffirmed_on, published_on)
    return {
        "near_declared": 1.0 if since_declared is not None and 0 <= since_declared <= 3 else 0.0,
        "near_reaffirmed": 1.0
        if since_reaffirmed is not None and 0 <= since_reaffirmed <= NEAR_DAYS
        else 0.0,
    }


def restatement_signals(line: LineProfile, story: StoryView, index: LineIndex) -> dict:
    """Signals, each in 0..1, that the story reports the line's declarer drawing or repeating it."""
    _, body = best_sentence(story, line.line_features, index)
    return {
        "title_warns": 1.0 if story.title_warns else 0.0,
        "title_declarer": 1.0 if line.declarer_group & story.title_actors else 0.0,
        "lead_declarer": 1.0 if line.declarer_group & story.lead_actors else 0.0,
        "title_fit": _share(story.title_features, *_weights(line.trigger_features, index)),
        "body_fit": body,
    }


def restatement_worth_proposing(signals: dict) -> bool:
    return bool(
        (signals["near_declared"] or signals["near_reaffirmed"])
        and (signals["title_declarer"] or signals["lead_declarer"])
        and max(signals["title_fit"], signals["body_fit"]) >= MIN_SHARE
    )
