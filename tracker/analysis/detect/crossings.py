"""Crossings: a line's trigger reported as having happened, as news or as background."""

import datetime
import re
from dataclasses import dataclass

from .. import lexicon as lx
from ..actors import Mention
from ..dates import days_before, days_ongoing
from ..lines import LineIndex, LineProfile, features_of
from .findings import BACKGROUND_CROSSING_DAYS, CROSSING, CROSSING_THRESHOLD, STALE_DAYS, Finding
from .sentences import _HEDGED_CLAIM, _UNREAL, _local, _occurred, _Sent
from .speakers import _agent_after

_OCCUPIED = re.compile(r"\b(?:occupied|crimea|[a-z]+-held|annexed)\b", re.I)
_NOT_YET = re.compile(
    r"\b(?:has|have|had|did|was|were)\s+not\s+(?:yet\s+)?(?:\w+\s+)?\w+ed\b|\bnot yet (?:\w+ed|been|begun|gone|taken|made|seen)\b",
    re.I,
)
# A response that names its cause reports the cause as fact: "in retaliation for her visit".
_CAUSE = re.compile(
    r"\b(?:in (?:retaliation|response|reprisal|revenge) (?:for|to)|as (?:retaliation|punishment|a response) (?:for|to)|"
    r"(?:hitting|hit|striking|struck) back (?:after|over|for|at))\b",
    re.I,
)
_POSSESSIVE = re.compile(r"\s*(?:her|his|their|its)\b", re.I)
_NEGATED_FACT = re.compile(
    r"\b(?:not|never|no sign|denied|demanded|urged|called on|planning|plans to|accus(?:e|es|ed|ing)|"
    r"would|will|could|might|ready to)\b",
    re.I,
)
# "were fired", "was struck": a passive report whose doer is named elsewhere in the passage.
_PASSIVE = frozenset({"was", "were", "been", "being", "is", "are"})
# A supplier not named as an actor: "Western-supplied", "supplied by Western partners".
_SUPPLIED = re.compile(r"\bwestern[- ](?:made|supplied|provided|donated)\b|\bsupplied by (?:the )?west", re.I)
# "The speech came weeks after North Korea tested ...": the action is what came before the news.
_CAME_AFTER = re.compile(
    r"\b(?:came|comes|follows|followed)\s+(?:just\s+|only\s+)?(?:a|an|one|two|three|several|a few|\d+)?\s*"
    r"(?:weeks?|months?|years?)\s+after\b",
    re.I,
)
_HABITUAL = re.compile(r"\b(?:repeatedly|regularly|routinely|frequently|often|has long|have long)\b", re.I)
_PERFECT_ACT = re.compile(r"\b(?:has|have)\s+(?:\w+\s+){0,2}?\w+ed\b", re.I)


def _campaign(text: str, published_on: datetime.date) -> bool:
    """ "The Houthis have fired drones at ships since November": a campaign summed up, not an act
    reported as today's news (unless it began within the last few months)."""
    ongoing = days_ongoing(text, published_on)
    return ongoing is not None and ongoing > STALE_DAYS and bool(_PERFECT_ACT.search(text))


_NOW_IN = (["are", "now", "in"], ["is", "now", "in"])


def _now_in(norms: list[str]) -> list[int]:
    """Positions of "in" in "... are now in X": a presence reported as news."""
    return [i for i in range(2, len(norms)) if norms[i - 2 : i + 1] in _NOW_IN]


def _is_factual(s: _Sent) -> bool:
    norms = s.norms
    if any(w in ("if", "should", "unless", "whether") for w in norms):
        return False
    return any(w in lx.FACT_MARKERS or (w.endswith("ed") and len(w) > 4) for w in norms) or bool(
        _now_in(norms)
    )


def _action_positions(s: _Sent, verbs: frozenset[str], *, negated: bool = False) -> list[int]:
    """Finite uses of action verbs reported as news.

    "fired" counts; "to be fired", "would fire", "accused it of firing" or "allowed to cross" do
    not, nor an action in a "since ..." clause ("since its troops entered the country"), which
    dates ongoing background.
    """
    norms = s.norms
    out = []
    for i, w in enumerate(norms):
        if w not in verbs:
            continue
        before = norms[max(0, i - 3) : i]
        if before[-1:] == ["to"] or before[-2:] == ["to", "be"] or before[-1:] == ["be"]:
            continue
        start = s.tokens[i].start - s.sentence.start
        if start > 0 and s.sentence.text[start - 1] == "-":
            continue  # "US-supplied", "British-made": an adjective, not an action
        if not negated and (any(b in _UNREAL for b in before[-2:]) or any(b in _MODAL for b in before[-3:])):
            continue  # "would fire", "may have been used": not reported as done
        since = next((k for k in range(i - 1, max(-1, i - 12), -1) if norms[k] == "since"), None)
        if since is not None:
            gap = s.sentence.text[
                s.tokens[since].start - s.sentence.start : s.tokens[i].start - s.sentence.start
            ]
            if "," not in gap:
                continue
        out.append(i)
    return out


# News told as a noun phrase with its doer in front: "Ukrainian ATACMS strikes on an airfield in
# the Kursk region", "Ukraine's first use of the missiles against Russian soil".
_NOMINAL_ACTIONS: dict[str, frozenset[str]] = {
    "strikes_on_territory": frozenset(
        {"strike", "strikes", "attack", "attacks", "launches", "use", "shelling"}
    ),
    "wmd_use": frozenset({"attack", "attacks", "use", "strike", "strikes"}),
    "weapons_transfer": frozenset({"delivery", "deliveries", "shipment", "shipments", "transfer", "use"}),
    "other": frozenset({"strike", "strikes", "attack", "attacks"}),
}
_NOMINAL_LINKS = frozenset({"on", "against", "into", "inside", "at", "of", "to"})


def _nominal_action(s: _Sent, category: str, doers: list[int]) -> tuple[int, int] | None:
    """The position and doer of an action named as a noun with its doer just before it."""
    nouns = _NOMINAL_ACTIONS.get(category)
    if not nouns or not doers:
        return None
    norms = s.norms
    for i, w in enumerate(norms):
        if w not in nouns or not _NOMINAL_LINKS.intersection(norms[i + 1 : i + 5]):
            continue
        if w == "use" and norms[i + 1 : i + 2] != ["of"]:
            continue
        if any(b in _UNREAL or b in _MODAL for b in norms[max(0, i - 4) : i]):
            continue
        for m in s.mentions:
            end = m.last_token - s.base
            if m.actor_id in doers and 0 < i - end + 1 <= 3 and m.via in ("name", "demonym"):
                return i, m.actor_id
    return None


@dataclass
class _Passage:
    """A sentence read with what came just before it in its paragraph: the doer, weapon and place
    of a strike are often spread over two sentences, and a passive report names no doer at all."""

    s: _Sent
    actors: set[int]  # named in the sentence
    context_actors: set[int]  # named in the previous sentence of the paragraph or the headline
    context_features: set[str]
    start: int  # where the evidence starts (the previous sentence when it was needed)


def _line_fit(
    p: _Passage, line: LineProfile, index: LineIndex, *, nominal: int = 0, negated: bool = False
) -> tuple[float, int | None, str]:
    """How well a passage reports that the line's trigger happened, who did it, and how it was read
    (0 and the reason when it does not)."""
    s = p.s
    actors = p.actors
    doing = line.addressees | line.named_actors
    if line.category == "weapons_transfer":
        doing = doing | line.target_actors  # "Ukraine fired the ATACMS it was sent": the recipient uses them
    doers_here = [a for a in actors & doing if a not in line.declarer_group]
    features = s.features
    via = "sentence"
    if nominal:
        # Only the cause phrase counts ("in retaliation for her visit to the island"); its doer is
        # named in it, or it points back to the subject with a possessive ("her visit").
        if not doers_here:
            return 0.0, None, "no doer named"
        if s.cause is None:
            cause = s.sentence.text[nominal - s.sentence.start :]
            cause = re.split(r"[,;]|\band\b", cause, maxsplit=1)[0]
            s.cause = (features_of(cause), bool(_POSSESSIVE.match(cause)))
        features, pointer = s.cause
        if not pointer and not any(m.actor_id in doers_here and m.start >= nominal for m in s.mentions):
            return 0.0, None, "the cause names no doer"
        doer: int | None = next(m.actor_id for m in s.mentions if m.actor_id in doers_here)
        via = "cause"
    else:
        verbs = lx.CROSSING_ACTIONS.get(line.category, lx.CROSSING_ACTIONS["other"])
        if negated:  # "had not yet moved into the city": the action, said not to have happened
            positions = _action_positions(s, verbs, negated=True)
        else:
            positions = s.actions.get(line.category)
            if positions is None:
                positions = s.actions[line.category] = _action_positions(s, verbs)
        nominal_doer = None
        if line.category == "weapons_transfer":
            # "The first F-16s are now in Ukraine": a presence reported as news is an arrival.
            positions = sorted({*positions, *_now_in(s.norms)})
        if not positions:
            found = _nominal_action(s, line.category, doers_here)
            if found is None:
                return 0.0, None, "no reported action of its kind"
            positions, nominal_doer = [found[0]], found[1]
            via = "noun"
        # The doer is the subject of the action (before the verb) or its agent ("by the United States").
        # "the attack was carried out by the regime": a passive verb's subject is not its doer.
        passive_first = positions[0] > 0 and s.norms[positions[0] - 1] in _PASSIVE
        # "missiles fired by Ukraine at a site": a participle names its doer right after it.
        subject = (
            nominal_doer
            or _agent_after(s, positions[0])
            or (None if passive_first else _action_subject(s, positions[0]))
        )
        if subject is not None and subject in line.declarer_group:
            return 0.0, None, "the declarer's own side acts"
        doer = nominal_doer or next(
            (
                m.actor_id
                for m in s.mentions
                if m.actor_id in doers_here
                and (
                    (
                        _local(m, s) < positions[-1]
                        and not _is_object(s, m)
                        and not _speaks_before(s, m, positions)
                    )
                    or (_local(m, s) > 0 and s.norms[_local(m, s) - 1] == "by")
                )
            ),
            None,
        )
        if doer is None and line.category == "weapons_transfer":
            # "HIMARS have arrived in Ukraine": an arrival names the recipient after the verb.
            arrival = [i for i in positions if s.norms[i] in _ARRIVALS or s.norms[i] == "in"]
            doer = next(
                (
                    m.actor_id
                    for m in s.mentions
                    if arrival and m.actor_id in line.target_actors and _local(m, s) > arrival[0]
                ),
                None,
            )
        if doer is None:
            # A passive report or a pronoun subject: the doer is the one the passage has just named.
            if any(s.norms[i - 1] in ("who", "whoever", "which") for i in positions if i > 0):
                return 0.0, None, "the doer is a relative pronoun"
            passive = any(s.norms[i - 1] in _PASSIVE for i in positions if i > 0)
            pronoun = any(w in ("it", "they", "its", "their") for w in s.norms[: positions[0]])
            doers_before = [a for a in p.context_actors & doing if a not in line.declarer_group]
            if not (passive or pronoun or not s.mentions) or not doers_before:
                return 0.0, None, "no doer of the action"
            if line.category == "strikes_on_territory" and not _territory_named(s, line.declarer_group):
                return 0.0, None, "a passive strike report must name the territory itself"
            doer = doers_before[0]
            actors = actors | p.context_actors
            features = features | p.context_features
            via = "passage"
    targets = line.target_actors - line.declarer_group
    if line.category == "weapons_transfer":
        supplier = (
            actors & line.addressees
            or (p.context_actors & line.addressees)
            or _SUPPLIED.search(s.sentence.text)
        )
        if not supplier:
            return 0.0, None, "a transfer needs its supplier named"
        if targets and not (actors & targets or p.context_actors & targets):
            return 0.0, None, "a transfer needs its recipient named"
    elif (
        line.category != "strikes_on_territory"
        and targets
        and not (actors & targets or p.context_actors & targets)
    ):
        return 0.0, None, "the trigger's target is not named"
    if line.category == "strikes_on_territory":
        if not (_territory_named(s, line.declarer_group) or p.context_actors & line.declarer_group):
            return 0.0, None, "a strike on territory needs the territory named"
        if _OCCUPIED.search(s.sentence.text) and "c:crimea" not in line.trigger_features:
            return 0.0, None, "the target is occupied territory"
    shared = features.intersection(line.trigger_features)
    kinds = lx.WEAPON_CONCEPTS.intersection(line.trigger_features)
    if kinds and not (shared & kinds):
        return 0.0, None, "another kind of weapon"
    named = 1 if doer in line.named_actors else 0  # the trigger itself names who would do it
    if sum(1 for f in shared if f.startswith("c:")) < 1 or len(shared) + named < 3:
        return 0.0, None, f"too little of the trigger ({', '.join(sorted(shared)) or 'nothing'})"
    score = sum(index.idf(f) for f in shared) + named
    if score < CROSSING_THRESHOLD:
        return 0.0, None, f"fit {score:.1f} under {CROSSING_THRESHOLD}"
    return score, doer, via


_MODAL = lx.FUTURE_MODALS | {"may"}
_ARRIVALS = frozenset({"arrived", "reached", "received", "landed"})
_TELLING = lx.SPEECH_VERBS - {"made"}  # "US-made tanks" tells nothing
_OBJECT_PREPOSITIONS = frozenset(
    {
        "at",
        "on",
        "in",
        "across",
        "into",
        "against",
        "to",
        "toward",
        "towards",
        "inside",
        "near",
        "over",
        "of",
        "from",
    }
)


# "Russian air attacks", "Russian drones": the side named as the attacker, not the place attacked.
_ATTACKER_NOUNS = frozenset(
    {
        "air",
        "attack",
        "attacks",
        "missile",
        "missiles",
        "drone",
        "drones",
        "strike",
        "strikes",
        "forces",
        "troops",
        "army",
        "military",
        "jets",
        "aircraft",
        "bombers",
        "shelling",
        "barrage",
    }
)


def _territory_named(s: _Sent, group: set[int] | frozenset[int]) -> bool:
    """The sentence names the declarer's side other than as the attacker ("Russian drones")."""
    for m in s.mentions:
        if m.actor_id not in group:
            continue
        following = s.norms[m.last_token - s.base : m.last_token - s.base + 1]
        if m.via == "demonym" and following and following[0] in _ATTACKER_NOUNS:
            continue
        return True
    return False


def _is_object(s: _Sent, m: Mention) -> bool:
    """The mention follows a preposition ("strikes across Iran", "a depot in Russia"): a place or a
    target, not who acted."""
    k = _local(m, s)
    return k > 0 and s.norms[k - 1] in _OBJECT_PREPOSITIONS


def _speaks_before(s: _Sent, m: Mention, positions: list[int]) -> bool:
    """A speech verb stands between the mention and the action: "Damascus says rebels fired" - the
    mention is who tells, not who did."""
    k = _local(m, s)
    first = next((i for i in positions if i > k), None)
    return first is not None and any(w in _TELLING for w in s.norms[m.last_token - s.base : first])


def _action_subject(s: _Sent, position: int) -> int | None:
    """The actor named as the subject of the action: the nearest mention before it that is not the
    object of a preposition, with no speech verb in between."""
    for m in reversed(s.mentions):
        k = _local(m, s)
        if k >= position:
            continue
        if _is_object(s, m):
            continue
        if any(w in _TELLING for w in s.norms[m.last_token - s.base : position]):
            return None
        if position - k > 12:
            return None
        return m.actor_id
    return None


def _stale(line: LineProfile, published_on: datetime.date) -> bool:
    """The record has the line first crossed long before this article: its news is elsewhere."""
    return line.first_crossed_on is not None and (published_on - line.first_crossed_on).days > STALE_DAYS


def _coverage(p: _Passage, line: LineProfile) -> float:
    features = p.s.features | p.context_features
    return len(features.intersection(line.trigger_features)) / max(1, len(line.trigger_features))


def _passages(sents: list[_Sent], title_actors: set[int]) -> list[_Passage]:
    out = []
    for pos, s in enumerate(sents):
        previous = (
            sents[pos - 1] if pos and sents[pos - 1].sentence.paragraph == s.sentence.paragraph else None
        )
        # The lead paragraph's story carries on into the next paragraph when it opens without a name.
        if previous is None and pos and not s.mentions:
            previous = sents[pos - 1]
        context_actors = set(title_actors)
        context_features: set[str] = set()
        start = s.sentence.start
        if previous is not None and not previous.boilerplate:
            context_actors.update(m.actor_id for m in previous.mentions)
            context_features = previous.features
            start = previous.sentence.start
        out.append(
            _Passage(
                s=s,
                actors={m.actor_id for m in s.mentions},
                context_actors=context_actors,
                context_features=context_features,
                start=start,
            )
        )
    return out


def _crossings(
    sents: list[_Sent],
    candidates: list[LineProfile],
    index: LineIndex,
    findings: list[Finding],
    published_on: datetime.date,
    title_actors: set[int],
    trace: list[str] | None = None,
) -> tuple[dict[int, tuple[LineProfile, Finding]], dict[int, tuple[LineProfile, Finding]]]:
    """Crossings reported as news, and (apart) old crossings retold as background."""
    best: dict[int, tuple[LineProfile, Finding]] = {}
    background: dict[int, tuple[LineProfile, Finding]] = {}
    denied: set[int] = set()
    for p in _passages(sents, title_actors):
        s = p.s
        if s.boilerplate or not (p.actors or p.context_actors):
            continue
        text = s.sentence.text
        if _NOT_YET.search(text):
            # "X has not yet entered the city": the article itself says the trigger did not happen.
            for line in candidates:
                if _line_fit(p, line, index, negated=True)[0]:
                    denied.add(line.id)
                    if trace is not None:
                        trace.append(
                            f"crossing vetoed {line.slug}: the text says it has not happened: {text[:160]}"
                        )
            continue
        if s.is_warning_talk:
            continue
        cause = _CAUSE.search(text)
        nominal = s.sentence.start + cause.end() if cause else 0
        factual = (
            _is_factual(s)
            and not _NEGATED_FACT.search(text)
            and not _HEDGED_CLAIM.search(text)
            and not _HABITUAL.search(text)
            and not _campaign(text, published_on)
        )
        if not factual and not nominal:
            continue
        scored: list[tuple[float, LineProfile, int, str]] = []
        for line in candidates:
            score, doer, via = _line_fit(p, line, index) if factual else (0.0, None, "not reported as fact")
            if not score and nominal:
                # "in retaliation for her visit to the island": the cause is reported as fact.
                score, doer, via = _line_fit(p, line, index, nominal=nominal)
            if score and doer is not None:
                scored.append((score, line, doer, via))
            elif trace is not None and len(s.features.intersection(line.trigger_features)) >= 2:
                trace.append(f"crossing? {line.slug}: no ({via}): {text[:160]}")
        if not scored:
            continue
        scored.sort(key=lambda x: -x[0])
        if (
            len(scored) > 1
            and _stale(scored[0][1], published_on)
            and not _stale(scored[1][1], published_on)
            and scored[1][0] > scored[0][0] * 0.6
        ):
            scored = [scored[1]]  # a line crossed long ago fits; a live one fits nearly as well
        if len(scored) > 1 and scored[1][0] > scored[0][0] * 0.85:
            # Close fits: the line whose trigger the passage covers more of is the one it reports;
            # failing that, the record decides: a line the record has crossed long ago is history,
            # so the news is about the other one.
            scored[:2] = sorted(scored[:2], key=lambda x: -_coverage(p, x[1]))
            if _coverage(p, scored[1][1]) < _coverage(p, scored[0][1]) * 0.8:
                scored = scored[:1]
            elif _stale(scored[0][1], published_on) != _stale(scored[1][1], published_on):
                scored = sorted(scored[:2], key=lambda x: _stale(x[1], published_on))[:1]
        score, line, doer, via = scored[0]
        if len(scored) > 1 and scored[1][0] > score * 0.85:
            if trace is not None:
                trace.append(
                    f"crossing? {line.slug} / {scored[1][1].slug}: two lines fit about equally: {text[:160]}"
                )
            continue  # two lines fit about equally well: leave it to the response and the curator
        confidence = 0.4 + score / 30 - (0.1 if via == "passage" else 0.0)
        confidence = round(max(0.05, min(0.95, confidence)), 3)
        start = p.start if via == "passage" else s.sentence.start
        finding = Finding(
            kind=CROSSING,
            start=start,
            end=s.sentence.end,
            evidence=s.sentence.text if start == s.sentence.start else _span_text(sents, start, s),
            score=confidence,
            red_line=line.id,
            actors=[doer],
            trigger=line.title,
            occurred_on=_occurred(text, published_on),
            signals={
                "rule": confidence,
                "fit": min(1.0, score / 25),
                "passage": 1.0 if via == "passage" else 0.0,
                "cause": 1.0 if via == "cause" else 0.0,
                "coverage": _coverage(p, line),
                "contested": 1.0 if len(scored) > 1 else 0.0,
                "lead": 1.0 if s.sentence.paragraph <= 1 else 0.0,
                "stale": 1.0 if _stale(line, published_on) else 0.0,
            },
        )
        ago = days_before(text, published_on)
        earlier = _CAME_AFTER.search(text)
        if (ago is not None and ago > BACKGROUND_CROSSING_DAYS) or earlier:
            # An old crossing retold as background is news only as the cause of a response here;
            # so is one this story's news "came weeks after".
            if trace is not None:
                when = (
                    f"told as what came before ({earlier.group(0)})" if earlier else f"dated {ago} days back"
                )
                trace.append(f"crossing {line.slug} {when}: background unless answered: {text[:160]}")
            if line.id not in background or background[line.id][1].score < confidence:
                background[line.id] = (line, finding)
            continue
        if trace is not None:
            trace.append(f"crossing {line.slug} fit {score:.1f} via {via} -> {confidence}: {text[:160]}")
        if line.id not in best or best[line.id][1].score < confidence:
            best[line.id] = (line, finding)
    for line_id in denied:
        best.pop(line_id, None)
        background.pop(line_id, None)
    findings.extend(f for _, f in best.values())
    return best, {k: v for k, v in background.items() if k not in best}


def _span_text(sents: list[_Sent], start: int, last: _Sent) -> str:
    first = next(x for x in sents if x.sentence.start == start)
    return f"{first.sentence.text} {last.sentence.text}"
