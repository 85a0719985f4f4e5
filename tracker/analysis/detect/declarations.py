"""Declarations: a warning that draws a new red line or restates a tracked one."""

import datetime
import re

from .. import lexicon as lx
from ..actors import ActorMatcher
from ..dates import days_before
from ..lines import LineIndex, LineProfile, features_of
from ..text import tokens_of
from .findings import (
    BACKGROUND_DAYS,
    NEW_RED_LINE,
    RESTATE_THRESHOLD,
    RESTATEMENT,
    TRIGGER_WEIGHT,
    UNADDRESSED_RESTATE_THRESHOLD,
    Finding,
)
from .sentences import _BACKGROUND, _STRONG, _WEAK, _find, _Sent
from .speakers import (
    _FIRST_PERSON,
    _QUOTE_MARKS,
    _after_speech,
    _in_quotation,
    _inside_names,
    _open_quote,
    _speaker,
    _state_of,
    _subject,
)

_DENIAL = [re.compile(p, re.I) for p in lx.DENIAL_PATTERNS]
_REVENGE = [re.compile(p, re.I) for p in lx.REVENGE_PATTERNS]
_NOMINAL = re.compile(lx.NOMINAL_TRIGGER, re.I)
_LINE_NAMING = {tuple(t.norm for t in tokens_of(p)) for p in lx.LINE_NAMING_CUES}
# "whether intentional or not": a judgement either way, not a condition on what someone does.
_EITHER_WAY = re.compile(r"\bwhether\b[^,.;]{1,40}\bor not\b", re.I)
_SELF_CONDITION = re.compile(r"\bif (?:it|they|we|he|she|i) (?:had|has|have) to\b", re.I)
_TITLE_CASE_RED_LINE = re.compile(r"(?<!^)(?<![.!?]\s)\bRed Line\b")
# "Russia's latest red line", "their red lines": a reference to a line already drawn, not a new warning.
_POSSESSED_RED_LINE = re.compile(
    r"(?:['’]s|\b(?:its|their|his|her|our|whose))\s+(?:[\w-]+\s+){0,2}['‘’\x22“]?red[- ]lines?\b", re.I
)


# "if X does Y, Z will ...": a condition on someone else's act, then what will follow.
_IF_THEN = re.compile(
    r"\b(?:if|should|unless|once)\b[^.;]{3,160}?,\s*(?:then\s+)?(?:[\w'’-]+\s+){1,4}?(?:will|would|shall|'ll|’ll)\b",
    re.I,
)
_WILL_RESPOND = re.compile(
    r"\b(?:will|would|shall)\s+(?:\w+\s+)?(?:respond|retaliate|answer|hit back|strike back)\b", re.I
)
_COMMENTARY = re.compile(r"\b(?:authors|analysts?|experts?|researchers|war game|simulation|scenario)\b", re.I)
_QUOTE_OPEN = re.compile(r"^\s*[\"“]")


def _declarations(
    sents: list[_Sent],
    matcher: ActorMatcher,
    index: LineIndex,
    published_on: datetime.date,
    findings: list[Finding],
    title: str = "",
    trace: list[str] | None = None,
) -> None:
    title_features = features_of(title)
    title_actors = {m.actor_id for m in matcher.mentions(tokens_of(title[:1000]))} if title else set()
    last_speaker: int | None = None
    last_focus: int | None = None
    last_paragraph = -1
    best_by_key: dict[tuple, Finding] = {}
    similarity_of: dict[tuple, float] = {}
    for pos, s in enumerate(sents):
        if s.sentence.paragraph > last_paragraph + 1:
            last_speaker = last_focus = None
        last_paragraph = s.sentence.paragraph
        if s.boilerplate or not s.tokens:
            continue
        focus = last_focus
        speaker, foreign = _speaker(s, focus, _state_of(matcher, focus))
        norms = s.norms
        text = s.sentence.text
        strong = _find(norms, _STRONG)
        if strong and _TITLE_CASE_RED_LINE.search(text):
            strong = [h for h in strong if norms[h[0]] != "red"]  # "the Red Line" is a name here
        if strong and _POSSESSED_RED_LINE.search(text) and not any(w in lx.SPEECH_VERBS for w in norms):
            strong = [h for h in strong if norms[h[0]] != "red"]  # narration about a line already drawn
        weak = _find(norms, _WEAK)
        strong, weak = _threatened(norms, strong), _threatened(norms, weak)
        # "if necessary", "if it had to": the speaker's own condition names no trigger by another.
        condition = (
            any(w in lx.CONDITION_MARKERS for w in norms)
            and not _SELF_CONDITION.search(text)
            and not _EITHER_WAY.search(text)
        ) or bool(_NOMINAL.search(text))
        modal = any(w in lx.FUTURE_MODALS for w in norms) or "means" in norms
        warn = any(w in lx.WARNING_VERBS for w in norms)
        subject = _subject(s, allow_head=True)
        inside = _inside_names(s)
        speaks = any(w in lx.SPEECH_VERBS and i not in inside for i, w in enumerate(norms))
        quoted = _QUOTE_OPEN.match(text) is not None or (pos > 0 and _open_quote(sents[pos - 1]))
        declarer, via = speaker, "speech"
        if declarer is None and quoted and not speaks and last_speaker is not None:
            declarer, via = last_speaker, "quote"  # words inside a quotation are the quoted speaker's
        if (
            declarer is None
            and not (foreign and subject is not None and _after_speech(s, subject))
            and not _bears_it(s, subject)
        ):
            # With an unlisted speaker quoted ("..., the envoy wrote"), the subject is what is said.
            declarer, via = subject, "quoted subject" if foreign and speaks else "subject"
        if declarer is None and not foreign and not speaks and _in_quotation(sents, pos):
            declarer, via = last_speaker, "quote"
        if speaker is not None:
            last_speaker = last_focus = speaker
        elif subject is not None:
            last_focus = subject
            if speaks:
                last_speaker = subject
        if strong and (modal or condition or warn):
            score = 0.85
        elif strong:
            score = 0.6
        elif weak and condition and modal:
            score = 0.7
        elif weak and warn and modal:
            score = 0.65
        elif warn and condition and modal:
            score = 0.6
        elif warn and weak:
            score = 0.55
        elif (
            via in ("speech", "quote")
            and _WILL_RESPOND.search(text)
            and (subject == declarer or _FIRST_PERSON.search(text))
            and not _COMMENTARY.search(text)
        ):
            score = 0.45  # "Russia will respond to Lithuania's ban", said by its ministry
        elif (
            via in ("speech", "quote", "quoted subject")
            and _IF_THEN.search(text)
            and not _SELF_CONDITION.search(text)
            and not _COMMENTARY.search(text)
        ):
            score = 0.5  # "If another drone enters our airspace, we will shoot it down": a bare threat
        else:
            if trace is not None and (strong or weak or warn):
                trace.append(f"declaration? no (a cue without a future, condition or warning): {text[:160]}")
            continue
        s.is_warning_talk = True
        if declarer is None:
            if trace is not None:
                trace.append(f"declaration? no (nobody listed is speaking): {text[:160]}")
            continue
        dropped = ""
        if not strong and via == "subject" and not warn:
            dropped = "a weak cue in narration, nobody speaking"
        elif strong and not (modal or condition or warn):
            if via != "speech":
                dropped = "a strong cue with no future or condition, not in speech"
            elif not any(norms[a:b] and tuple(norms[a:b]) in _LINE_NAMING for a, b in strong):
                # "the move was unacceptable": a condemnation of what is done, not a warning
                dropped = "a condemnation with no future or condition"
        if dropped:
            if trace is not None:
                trace.append(f"declaration? no ({dropped}): {text[:160]}")
            continue
        reason = ""
        if any(p.search(text) for p in _DENIAL):
            reason = "denied, rumoured or hypothetical"
        elif _recap(s):
            reason = "a recap of an earlier warning"
        elif any(p.search(text) for p in _REVENGE) and not condition:
            reason = "revenge for what was done, no trigger named"
        else:
            ago = days_before(text, published_on)
            if ago is not None and ago > BACKGROUND_DAYS:
                reason = f"dated {ago} days before the article: background"
        if reason:
            if trace is not None:
                trace.append(f"declaration? no ({reason}): {text[:160]}")
            continue
        s.is_declaration = True
        group = matcher.group_of(declarer)
        addressees: list[int] = []
        earlier = [m for other in sents[max(0, pos - 2) : pos] for m in reversed(other.mentions)]
        for m in s.mentions:
            if m.actor_id not in group and m.actor_id not in addressees:
                addressees.append(m.actor_id)
        fallback = next((m.actor_id for m in earlier if m.actor_id not in group), None)
        if not addressees and fallback is not None:
            addressees.append(fallback)
        context = set(s.features) | title_features
        context_actors = {m.actor_id for m in s.mentions} | title_actors
        for other in sents[max(0, pos - 1) : pos + 2]:
            if other.sentence.paragraph == s.sentence.paragraph:
                context |= other.features
                context_actors.update(m.actor_id for m in other.mentions)
        line, similarity = _restated_line(
            declarer, addressees, context, context_actors, matcher, index, published_on
        )
        if not addressees:
            # "Russia would treat an attack by a country backed by a nuclear power as a joint
            # attack": addressed to nobody by name, it is a warning only as a close restatement.
            # "If the red line were crossed again, ...": the speaker names a line of their own.
            threshold = (
                RESTATE_THRESHOLD if "red" in norms and "line" in norms else UNADDRESSED_RESTATE_THRESHOLD
            )
            if line is None or similarity < threshold:
                if trace is not None:
                    trace.append(f"declaration? no (addressed to nobody listed): {text[:160]}")
                continue
            addressees = sorted(line.addressees)
        trigger, response = _spans(s)
        finding = Finding(
            kind=RESTATEMENT if line else NEW_RED_LINE,
            start=s.sentence.start,
            end=s.sentence.end,
            evidence=text,
            score=round(min(1.0, score + (0.1 if line else 0.0)), 3),
            declarer=declarer,
            red_line=line.id if line else None,
            addressees=addressees,
            actors=[declarer, *addressees],
            trigger=trigger,
            threatened_response=response,
            signals={
                "rule": score,
                "strong": 1.0 if strong else 0.0,
                "red_line": 1.0 if any(norms[a] == "red" for a, _ in strong) else 0.0,
                "speech": 1.0 if via == "speech" else 0.0,
                "quote": 1.0 if via == "quote" else 0.0,
                "restated": 1.0 if line else 0.0,
                "similarity": min(1.0, similarity / 30),
                "condition": 1.0 if condition else 0.0,
                "bare": 1.0 if score == 0.5 else 0.0,
                "modal": 1.0 if modal else 0.0,
                "lead": 1.0 if s.lead else 0.0,
            },
        )
        if trace is not None:
            trace.append(
                f"declaration {finding.kind} by {matcher.actors[declarer].slug} "
                f"{line.slug if line else ''} similarity {similarity:.1f} -> {finding.score}: {text[:160]}"
            )
        key = (declarer, finding.red_line)
        if key not in best_by_key or best_by_key[key].score < finding.score:
            best_by_key[key] = finding
        similarity_of[key] = similarity_of.get(key, 0.0) + similarity
    # A speaker restates one tracked line per article: the one its words fit best over the article.
    restated: dict[int, tuple[float, Finding]] = {}
    for (declarer, line_id), f in best_by_key.items():
        if line_id is not None:
            fit = similarity_of[(declarer, line_id)]
            if declarer not in restated or restated[declarer][0] < fit:
                restated[declarer] = (fit, f)
    findings.extend(f for _, f in restated.values())
    findings.extend(f for key, f in best_by_key.items() if key[1] is None and key[0] not in restated)


_FRESH_PERFECT = re.compile(
    r"\b(?:has|have)\s+(?:also\s+)?(?:said|warned|threatened|declared|vowed|told)\b", re.I
)


# "Blinken said Washington had made clear ...", '"We have previously made clear ...," he said': the
# speaker repeats the earlier warning now; a restatement, not a recap.
_SAYS_NOW = re.compile(
    r"(?<!\bhas )(?<!\bhave )(?<!\bhad )\b(?:said|says|told|tells|wrote|writes|added)\b", re.I
)
_PERFECT = (_BACKGROUND[0], next(p for p in _BACKGROUND if p.pattern.startswith(r"\bhad (?:said")))


def _said_again(text: str, matched: list[re.Pattern]) -> bool:
    if not all(p in _PERFECT for p in matched):
        return False
    first = min(m.start() for p in matched for m in p.finditer(text))
    if _QUOTE_MARKS.search(text[:first]):
        return _SAYS_NOW.search(text, first) is not None
    says = _SAYS_NOW.search(text)
    return says is not None and says.start() < first and text[first:].lower().startswith(("has ", "have "))


def _recap(s: _Sent) -> bool:
    """The sentence retells an earlier warning. In the lead, "Putin has warned that ..." with no
    other sign of the past is how a story tells today's news, not a recap."""
    text = s.sentence.text
    matched = [p for p in _BACKGROUND if p.search(text)]
    if not matched or _said_again(text, matched):
        return False
    if s.lead and matched == [_BACKGROUND[0]]:
        return not all(_FRESH_PERFECT.fullmatch(m.group(0)) for m in _BACKGROUND[0].finditer(text))
    return True


_RISK_BEFORE = frozenset({"have", "has", "had", "having", "possible", "potential"})


def _threatened(norms: list[str], hits: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Cue hits without the consequences an event may have ("the sabotage could have catastrophic
    consequences", "the possible consequences of the attack"): a risk described, not a threat."""
    kept = []
    for a, b in hits:
        if norms[b - 1] == "consequences" and any(w in _RISK_BEFORE for w in norms[max(0, a - 2) : a]):
            continue
        kept.append((a, b))
    return kept


def _bears_it(s: _Sent, actor: int | None) -> bool:
    """ "The Houthis will bear the consequences", "Moscow would pay a high price", "Russia should be in
    no doubt": the subject is who is warned, not who warns."""
    for m in s.mentions:
        if m.actor_id != actor:
            continue
        after = s.norms[m.last_token - s.base : m.last_token - s.base + 4]
        if after[:1] == ["should"]:
            return True  # "Russia should be in no doubt: ...": told, not telling
        modal = next((i for i, w in enumerate(after) if w in lx.FUTURE_MODALS), None)
        told = after[modal + 1 :] if modal is not None else []
        if any(w in lx.SUFFERED for w in told) and not any(w in ("make", "let") for w in told):
            return True  # not "Moscow will make them pay"
    return False


def _spans(s: _Sent) -> tuple[str, str]:
    """The warned-against action and the threatened response, as spans of the sentence."""
    text = s.sentence.text
    lower = text.lower()
    trigger = ""
    m = re.search(r"\b(?:if|should|unless|once)\b([^;]*?)(?:,|\bthen\b|\bwould\b|\bwill\b|$)", lower)
    if not m:
        m = re.search(r"\b(any\b[^;]*?)(?:\bwould\b|\bwill\b|\bmeans\b|$)", lower)
    if m:
        trigger = text[m.start(1) : m.end(1)].strip(" ,")
    response = ""
    r = re.search(r"\b(?:would|will|shall)\b([^;]*)$", lower)
    if r:
        response = text[r.start(1) : r.end(1)].strip(" ,.")
    return trigger[:500], response[:500]


def _restated_line(
    declarer: int,
    addressees: list[int],
    context: set[str],
    context_actors: set[int],
    matcher: ActorMatcher,
    index: LineIndex,
    published_on: datetime.date,
) -> tuple[LineProfile | None, float]:
    best: tuple[LineProfile | None, float] = (None, 0.0)
    for line in index.declared_by(matcher.group_of(declarer)):
        if line.declared_on > published_on:
            continue
        # A spokesman restating the president's line restates the state's line: Peskov → Putin's.
        if line.declared_by != declarer and _state_of(matcher, line.declared_by) != _state_of(
            matcher, declarer
        ):
            continue
        if not (context_actors & line.trigger_actors):
            continue
        shared = context.intersection(line.line_features)
        score = sum(index.idf(f) for f in shared)
        # What would cross the line tells similar lines of one declarer apart better than their wording.
        score += TRIGGER_WEIGHT * sum(index.idf(f) for f in context.intersection(line.trigger_features))
        score += 1.0 * len(set(addressees) & line.addressees)
        score += 0.5 if line.declared_by == declarer else 0.0
        # A warning repeated now most likely repeats the declarer's latest line on the matter.
        age = (published_on - line.declared_on).days
        score += 2.0 if age <= 365 else 0.5 if age <= 730 else 0.0
        if score > best[1]:
            best = (line, score)
    line, score = best
    return (line, score) if line is not None and score >= RESTATE_THRESHOLD else (None, score)
