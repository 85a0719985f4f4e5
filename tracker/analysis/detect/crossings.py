"""Rules that read one article: declarations (new or restated), crossings and responses.

Pure functions over a text, an ActorMatcher and a LineIndex; nothing here touches the database.
"""

import bisect
import datetime
import re
from dataclasses import dataclass, field

from .. import article as story_signals
from .. import lexicon as lx
from ..actors import ActorMatcher, Mention
from ..calibration import STORY, calibration_model
from ..dates import days_before, days_ongoing, mentioned_date
from ..lines import LineIndex, LineProfile, features_of
from ..text import Sentence, Token, sentences_split, stem, text_prepare, tokens_of

NEW_RED_LINE = "new_red_line"
RESTATEMENT = "restatement"
CROSSING = "crossing"
RESPONSE = "response"


@dataclass
class Finding:
    kind: str
    start: int
    end: int
    evidence: str
    score: float
    declarer: int | None = None
    red_line: int | None = None
    addressees: list[int] = field(default_factory=list)
    actors: list[int] = field(default_factory=list)
    trigger: str = ""
    threatened_response: str = ""
    occurred_on: datetime.date | None = None
    # What the rules saw, each in 0..1: the calibration model's inputs, and --explain's.
    signals: dict[str, float] = field(default_factory=dict)
    rule_score: float = 0.0  # the rules' own score, before calibration


@dataclass
class Analysis:
    text: str
    findings: list[Finding]
    notes: tuple[str, ...]
    mentions: list[Mention]


def _phrases(items) -> dict[str, list[tuple[str, ...]]]:
    table: dict[str, list[tuple[str, ...]]] = {}
    for phrase in items:
        words = tuple(t.norm for t in tokens_of(phrase))
        if words:
            table.setdefault(words[0], []).append(words)
    for options in table.values():
        options.sort(key=len, reverse=True)
    return table


_STRONG = _phrases(lx.STRONG_CUES)
_WEAK = _phrases(lx.WEAK_CUES)
_RESPONSE = _phrases(lx.RESPONSE_ACTIONS)
_POLICY = _phrases(lx.POLICY_ACTIONS)
_BACKGROUND = [re.compile(p, re.I) for p in lx.BACKGROUND_PATTERNS]
_DENIAL = [re.compile(p, re.I) for p in lx.DENIAL_PATTERNS]
_REVENGE = [re.compile(p, re.I) for p in lx.REVENGE_PATTERNS]
_DATELINE = re.compile(r"^\s*[A-Z][A-Z .'/-]{2,}(?:,[^\n—–]{0,60})?\s[—–-]{1,2}\s")
_BOILERPLATE = re.compile(
    r"^\s*(?:read more|sign up|subscribe|photo|\(reporting|reporting by|editing by|advertisement|"
    r"related:|share this|follow us|click here|copyright|all rights reserved)",
    re.I,
)
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


@dataclass
class _Sent:
    sentence: Sentence
    base: int  # index of the first token in the whole text's token list
    tokens: list[Token]
    norms: list[str]
    mentions: list[Mention]
    boilerplate: bool
    features: set[str] = field(default_factory=set)
    lead: bool = False  # in the story's first two paragraphs of prose (after headline and byline lines)
    speaker: int | None = None
    is_declaration: bool = False
    is_warning_talk: bool = False
    actions: dict[str, list[int]] = field(default_factory=dict)  # per crossing category, computed once
    cause: tuple[set[str], bool] | None = None  # features of the cause phrase, possessive pointer


def _find(norms: list[str], table: dict[str, list[tuple[str, ...]]]) -> list[tuple[int, int]]:
    hits = []
    for i, word in enumerate(norms):
        for phrase in table.get(word, ()):
            if tuple(norms[i : i + len(phrase)]) == phrase:
                hits.append((i, i + len(phrase)))
                break
    return hits


def analyse_text(
    raw: str | bytes,
    *,
    matcher: ActorMatcher,
    index: LineIndex,
    published_on: datetime.date | None = None,
    title: str = "",
    trace: list[str] | None = None,
) -> Analysis:
    """Everything the rules propose for one text. Raises UnusableText when nothing can be read.

    With a `trace` list, the rules append one line per piece of evidence they weighed: what they
    considered, and the rule or score that decided (`--explain`)."""
    prepared = text_prepare(raw)
    text = prepared.text
    published_on = published_on or datetime.date.today()
    dateline = _DATELINE.match(text[:200])
    local: dict[str, int] = {}
    if title:
        matcher.mentions(tokens_of(title[:1000]), local=local)
    tokens = tokens_of(text)
    mentions = matcher.mentions(tokens, skip_until=dateline.end() if dateline else 0, local=local)
    sents = _sentences(text, tokens, mentions)

    findings: list[Finding] = []
    _declarations(sents, matcher, index, published_on, findings, title, trace)
    article_features: set[str] = set()
    article_actors: set[int] = set()
    for s in sents:
        if not s.boilerplate:
            article_features |= s.features
            article_actors.update(m.actor_id for m in s.mentions)
    candidates = [
        line
        for line in index.retrieve(features=article_features, actors=article_actors)
        if line.declared_on < published_on
    ]
    title_actors = {m.actor_id for m in matcher.mentions(tokens_of(title[:1000]))} if title else set()
    crossed, background = _crossings(sents, candidates, index, findings, published_on, title_actors, trace)
    answered = len(findings)
    model = calibration_model()
    # A response answers a crossing this article reports only when that crossing is likely right.
    believed = {
        k: v
        for k, v in crossed.items()
        if model.probability(CROSSING, v[1].signals, v[1].score) >= ANSWERED_MIN
    }
    _responses(sents, believed, candidates, matcher, published_on, findings, index, trace)
    for f in findings[answered:]:
        if f.red_line in background:
            findings.append(background[f.red_line][1])  # the crossing this article's response answers
    story, readable = _story(sents, title=title, title_actors=title_actors)
    _whole_story(_Story(story, readable, candidates, published_on, index), findings, matcher, trace)
    findings.sort(key=lambda f: f.start)
    for f in findings:
        if f.kind in (CROSSING, RESPONSE) and f.occurred_on is None:
            f.occurred_on = published_on
        f.rule_score = f.score
        f.score = model.probability(f.kind, f.signals, f.score)
        if trace is not None:
            trace.append(f"score {f.kind} {f.rule_score} -> {f.score} ({_signals_text(f.signals)})")
    # A whole-story proposal stands only when its model finds it more likely right than not (with
    # no model, while the model is being fitted, every proposal is kept).
    findings = [
        f
        for f in findings
        if not (f.signals.get(STORY) and model.knows(f.kind, f.signals) and f.score < STORY_MIN)
    ]
    return Analysis(text=text, findings=findings, notes=prepared.notes, mentions=mentions)


def _signals_text(signals: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.2f}" for k, v in signals.items())


def _sentences(text: str, tokens: list[Token], mentions: list[Mention]) -> list[_Sent]:
    starts = [t.start for t in tokens]
    mention_starts = [m.start for m in mentions]
    out = []
    boiler_paragraph = -1
    for sentence in sentences_split(text):
        a = bisect.bisect_left(starts, sentence.start)
        b = bisect.bisect_left(starts, sentence.end)
        ma = bisect.bisect_left(mention_starts, sentence.start)
        mb = bisect.bisect_left(mention_starts, sentence.end)
        if _BOILERPLATE.match(sentence.text):
            boiler_paragraph = sentence.paragraph
        boiler = sentence.paragraph == boiler_paragraph or "\n" in sentence.text.strip()
        sent_tokens = tokens[a:b]
        out.append(
            _Sent(
                sentence=sentence,
                base=a,
                tokens=sent_tokens,
                norms=[t.norm for t in sent_tokens],
                mentions=mentions[ma:mb],
                boilerplate=boiler
                or not sentence.text.rstrip().endswith((".", '"', "”", "!", "?", "'", "’")),
                features=features_of(sentence.text),
            )
        )
    # Extracted pages open with the headline, a byline or a date line: the lead is the first two
    # paragraphs that hold a sentence of prose.
    lead: list[int] = []
    for s in out:
        if not s.boilerplate and s.sentence.paragraph not in lead:
            lead.append(s.sentence.paragraph)
            if len(lead) == 2:
                break
    for s in out:
        s.lead = s.sentence.paragraph in lead
    return out


# --- declarations ------------------------------------------------------------------------------


def _speaker(s: _Sent, focus: int | None, focus_state: int | None = None) -> tuple[int | None, bool]:
    """Who is talking in this sentence, and whether an explicit non-actor speaker was seen.

    `focus_state` is the state the text is about; an unlisted official speaks for it.
    """
    norms = s.norms
    text = s.sentence.text
    foreign = False
    focus_state = focus_state if focus_state is not None else focus
    inside_names = _inside_names(s)
    # "If the US side insists on ..., China will ...": a verb inside the opening condition is not
    # the speech of the sentence.
    condition_end = (
        _token_at(s, text.find(","))
        if norms and norms[0] in ("if", "should", "unless", "once") and "," in text
        else 0
    )
    for i, word in enumerate(norms):
        if word not in lx.SPEECH_VERBS or i in inside_names or i < condition_end:
            continue  # "states" in "United States" is a name, not a speech verb
        if i >= 1 and norms[i - 1] == "to":
            continue  # "met him to warn Moscow": a purpose, not a speech act of the actor before it
        pronoun = (i >= 1 and norms[i - 1] in lx.PRONOUNS) or (i >= 2 and norms[i - 2] in lx.PRONOUNS)
        if pronoun and focus is not None:
            return focus, False
        if i >= 1 and norms[i - 1] == "and" and s.mentions and _local(s.mentions[0], s) <= 2:
            return s.mentions[0].actor_id, False  # "X has called for ... and said": X speaks
        verb_at = s.tokens[i].start - s.sentence.start
        quote_end = max(text.rfind('"', 0, verb_at), text.rfind("”", 0, verb_at))
        if quote_end > 0 and len(text[quote_end:verb_at].split()) <= 4:
            named = [m for m in s.mentions if quote_end <= m.start - s.sentence.start < verb_at]
            if not named:
                foreign = True  # '"...," Katz wrote': an unlisted speaker of the quotation
                continue
        # "X said", "X's spokesman said", "X, visiting Y, said": the subject actor to the left.
        left = _posted_to_dropped([m for m in s.mentions if max(0, i - 14) <= _local(m, s) < i], s)
        for m in left:
            if _local(m, s) > 5:
                break  # "X, visiting Y, said": X opens the sentence
            after = text[m.end - s.sentence.start : m.end - s.sentence.start + 2]
            if after.startswith(",") and text[:verb_at].rstrip().endswith(","):
                return m.actor_id, False
        between = norms[_local(left[-1], s) + 1 : i] if left else []
        # "... China's Taiwan region, a spokesperson for the defence ministry said": the name
        # before the comma ends another clause; the speaker is the unnamed official after it.
        official = (
            left
            and "," in text[left[-1].end - s.sentence.start : verb_at]
            and any(w in lx.TITLE_ROLES or w in lx.INSTITUTION_NOUNS for w in between)
        )
        if left and "that" not in between and len(between) <= 9 and not official:
            return left[-1].actor_id, False
        before = text[:verb_at].rstrip()
        right = [m for m in s.mentions if i < _local(m, s) <= i + 4]
        if right and before.endswith((",", '"', "”", "’")):
            return right[0].actor_id, False
        if focus is not None and (
            (i >= 1 and norms[i - 1] in lx.INSTITUTION_NOUNS)
            or (i >= 2 and norms[i - 2] in lx.INSTITUTION_NOUNS)
        ):
            return focus, False
        # "The ministry demanded ... and said", "According to the Foreign Ministry's statement, ...":
        # an institution named without its country opens the sentence and speaks for the state in focus.
        if (
            focus_state is not None
            and (norms[:1] == ["the"] or norms[:2] == ["according", "to"])
            and any(w in lx.INSTITUTION_NOUNS for w in norms[:5])
            and not any(_local(m, s) < 5 for m in s.mentions)
        ):
            return focus_state, False
        # "Foreign Minister Anna Holt said": an unlisted official, by title, speaks for the state in focus.
        k = i - 1
        while k >= 0 and i - k <= 3 and s.tokens[k].raw[:1].isupper() and norms[k] not in lx.TITLE_ROLES:
            k -= 1
        if focus_state is not None and 0 <= k < i - 1 and norms[k] in lx.TITLE_ROLES:
            return focus_state, False
        if i > 0:
            foreign = True
    return None, foreign


def _posted_to_dropped(left: list[Mention], s: _Sent) -> list[Mention]:
    """Mentions left of a speech verb, without the posts of officials named before them."""
    kept: list[Mention] = []
    for m in left:
        j = _local(m, s)
        if kept and j >= 2 and s.norms[j - 1] == "the":
            j -= 1  # "ambassador to the United States"
        if kept and j >= 1 and s.norms[j - 1] in lx.POSTED_TO:
            between = s.norms[kept[-1].last_token - s.base : j - 1]
            if between and all(w in lx.TITLE_WORDS for w in between):
                continue
        kept.append(m)
    return kept


def _inside_names(s: _Sent) -> set[int]:
    """Positions of the sentence's tokens that belong to an actor's name ("states" in "United States")."""
    return {t - s.base for m in s.mentions for t in range(m.first_token, m.last_token)}


def _state_of(matcher: ActorMatcher, actor_id: int | None) -> int | None:
    """The state an actor speaks for: itself, or a person's affiliation."""
    if actor_id is None:
        return None
    info = matcher.actors.get(actor_id)
    if info is not None and info.kind == "person" and info.affiliation_id:
        return info.affiliation_id
    return actor_id


def _local(m: Mention, s: _Sent) -> int:
    return m.first_token - s.base


_QUOTE_MARKS = re.compile(r"[\"“”«»„]")
_FIRST_PERSON = re.compile(r"\b(?:[Ww]e|[Oo]urs?|us|I|[Mm]y|me)\b")  # not "US"


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


def _open_quote(s: _Sent) -> bool:
    """The sentence leaves a quotation open: the next one carries on the same speaker's words."""
    text = s.sentence.text
    return (text.count('"') + text.count("“") - text.count("”")) % 2 == 1 or (
        "“" in text and text.count("“") > text.count("”")
    )


def _after_speech(s: _Sent, actor: int) -> bool:
    """The actor is named only after a speech verb: "others warned that Russia could ..." puts
    words in someone else's mouth about it."""
    first = next((_local(m, s) for m in s.mentions if m.actor_id == actor), None)
    if first is None:
        return False
    verbs = [i for i, w in enumerate(s.norms[:first]) if w in lx.SPEECH_VERBS]
    return bool(verbs) and verbs[0] > 0 and s.norms[verbs[0] - 1] in _COMMENTATORS


_COMMENTATORS = frozenset(
    {
        "others",
        "analysts",
        "experts",
        "critics",
        "observers",
        "commentators",
        "some",
        "many",
        "sources",
        "skeptics",
    }
)


def _in_quotation(sents: list[_Sent], pos: int) -> bool:
    """Unattributed words carry on the last speaker's only when they are speech: inside a
    quotation, or in the first person (news narration is in the third)."""
    text = sents[pos].sentence.text
    if _QUOTE_MARKS.search(text) or _FIRST_PERSON.search(text):
        return True
    if pos == 0:
        return False
    previous = sents[pos - 1].sentence.text
    return len(_QUOTE_MARKS.findall(previous)) % 2 == 1


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


def _subject(s: _Sent, allow_head: bool = True) -> int | None:
    """An actor at the head of the sentence or of its main clause ("China would take ...")."""
    if not s.mentions:
        return None
    base = s.base
    norms = s.norms
    if norms and norms[0] in ("if", "should", "unless", "once", "whether"):
        # "If the US side insists ..., China will ...": the main clause follows the condition's comma.
        comma = s.sentence.text.find(",")
        if comma > 0:
            after = [m for m in s.mentions if m.start - s.sentence.start > comma]
            if after and after[0].first_token - base <= _token_at(s, comma) + 4:
                return after[0].actor_id
    # "Any use of South Korean weapons would ...": who is named inside the hypothetical is its
    # target, not who speaks; the subject is only looked for after its modal.
    # "BEIJING, July 26 — The Chinese army will ...": the head of the sentence follows its dateline.
    dateline = _DATELINE.match(s.sentence.text)
    head = _token_at(s, dateline.end()) if dateline else 0
    hypothetical = (
        len(norms) > head and norms[head] in ("any", "an", "a") and any(w in lx.FUTURE_MODALS for w in norms)
    )
    after_modal = next((i for i, w in enumerate(norms) if w in lx.FUTURE_MODALS), 0) if hypothetical else 0
    for m in s.mentions:
        k = m.first_token - base
        if k < after_modal or (dateline and k < head):
            continue
        if k - head <= 2:
            return m.actor_id
        if k > 0 and norms[k - 1] in ("that", "and", "but"):
            after = norms[m.last_token - base : m.last_token - base + 2]
            if norms[k - 1] == "that" or any(w in lx.FUTURE_MODALS for w in after):
                return m.actor_id
    return None


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


def _token_at(s: _Sent, offset: int) -> int:
    """The index in the sentence of the first token at or after a character offset."""
    starts = [t.start - s.sentence.start for t in s.tokens]
    return bisect.bisect_left(starts, offset)


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


RESTATE_THRESHOLD = 6.0
STORY_MIN = 0.25
TRIGGER_WEIGHT = 0.5
ANSWERED_MIN = 0.2  # calibrated probability a crossing in the article needs for a response to answer it
UNADDRESSED_RESTATE_THRESHOLD = 16.0
STALE_DAYS = 90  # a line first crossed this long before an article is not what a close fit reports
BACKGROUND_CROSSING_DAYS = 30  # a crossing dated further back is background in this article
BACKGROUND_DAYS = 6  # a warning the text dates further back than this is background
CROSSING_THRESHOLD = 4.0


# --- crossings and responses ------------------------------------------------------------------

# Words before an action verb that make it a hypothetical, a plan or an accusation, not a report.
_UNREAL = frozenset(
    {
        "not",
        "never",
        "would",
        "will",
        "could",
        "might",
        "may",
        "to",
        "wo",
        "planning",
        "plans",
        "ready",
        "threatened",
        "threatens",
        "accused",
        "accuses",
        "denied",
        "denies",
        "if",
        "unless",
        "whether",
        "should",
    }
)
_MAYBE = frozenset({"could", "would", "might", "may"})
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


_HEDGED_CLAIM = re.compile(
    r"\b(?:allegedly|alleged|unconfirmed|unverified|could not (?:be )?(?:independently )?verif|claim(?:ed|s)?|"
    r"unnamed|circulating|rumou?r\w*|closest \w+ ha(?:s|ve|d) come|believes?|believed|argues?|argued|point(?:s|ed)? out)",
    re.I,
)


_NOW_IN = (["are", "now", "in"], ["is", "now", "in"])


def _now_in(norms: list[str]) -> list[int]:
    """Positions of "in" in "... are now in X": a presence reported as news."""
    return [i for i in range(2, len(norms)) if norms[i - 2 : i + 1] in _NOW_IN]


def _agent_after(s: _Sent, position: int) -> int | None:
    """The actor named right after "by" following a verb ("missiles fired by Ukraine")."""
    if s.norms[position + 1 : position + 2] != ["by"]:
        return None
    return next((m.actor_id for m in s.mentions if _local(m, s) in (position + 2, position + 3)), None)


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


def _has_action(s: _Sent, verbs: frozenset[str]) -> bool:
    return bool(_action_positions(s, verbs))


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


def _occurred(text: str, published_on: datetime.date) -> datetime.date | None:
    day = mentioned_date(text, published_on)
    return day if day is not None and (published_on - day).days <= 31 else None


def _responses(
    sents: list[_Sent],
    crossed: dict[int, tuple[LineProfile, Finding]],
    candidates: list[LineProfile],
    matcher: ActorMatcher,
    published_on: datetime.date,
    findings: list[Finding],
    index: LineIndex,
    trace: list[str] | None = None,
) -> None:
    """The declarer's side doing what it threatened, or a measure it presents as the answer, after
    the line's first crossing: reported in the same article, or already in the record.

    Each sentence answers at most one line: the one its stated cause and its action fit best, the
    line crossed in this article first, then the most recently crossed (a retaliation answers the
    latest provocation, not one of years ago)."""
    open_lines = {line.id: line for line, _ in crossed.values()}
    for line in candidates:
        if line.first_crossed_on is not None and line.first_crossed_on <= published_on:
            open_lines.setdefault(line.id, line)
    if not open_lines:
        return
    best: dict[int, Finding] = {}
    focus: int | None = None
    for s in sents:
        if s.mentions and _local(s.mentions[0], s) <= 3:
            focus = s.mentions[0].actor_id
        if s.boilerplate or s.is_declaration or s.is_warning_talk:
            continue
        norms = s.norms
        if any(w in ("if", "should", "unless", "whether") for w in norms):
            continue
        cues = _find(norms, _RESPONSE)
        policy = _find(norms, _POLICY)
        if not cues and not policy:
            continue
        text = s.sentence.text
        if any(p.search(text) for p in _BACKGROUND) or _HEDGED_CLAIM.search(text):
            continue
        cues = sorted(cues + policy)
        first_cue = cues[0][0]
        before = [m for m in s.mentions if _local(m, s) < first_cue]
        # "The United States, Britain and France launched ...": each of the coordinated subjects acts.
        subjects: set[int] = set()
        if before:
            subject = before[0].actor_id
            subjects = {subject}
            for prev, m in zip(before, before[1:], strict=False):
                if not _COORDINATED.match(
                    s.sentence.text[prev.end - s.sentence.start : m.start - s.sentence.start]
                ):
                    break
                subjects.add(m.actor_id)
            # The actor nearest before the action is who did it: in "X said that before dawn Y had
            # fired", Y (the line's addressee) fired, and that is the crossing, not a response.
            agent = before[-1].actor_id
            # "missiles fired by Sudria": a participle's agent is who did it, whoever told of it.
            agent = _agent_after(s, first_cue) or agent
        elif focus is not None and any(w in ("it", "they") for w in norms[max(0, first_cue - 3) : first_cue]):
            # "it struck", "they had launched": a pronoun subject (not "on its channel") stands for the focus.
            subject = agent = focus
            subjects = {focus}
        else:
            continue
        if any(w in _UNREAL for w in norms[max(0, first_cue - 2) : first_cue]):
            continue
        if any(w in _MAYBE for w in norms[first_cue + 1 : first_cue + 5]):
            continue  # "fear that US strikes in Yemen could unravel the truce": a strike imagined
        cause = _ANSWER.search(text)
        cause_features = features_of(text[cause.end() :]) if cause else set()
        when = mentioned_date(text, published_on)
        plain = len(cues) > len(policy)  # a retaliation verb, not only a policy act
        options: list[tuple[float, LineProfile, str]] = []
        for line in open_lines.values():
            actor = next(
                (
                    a
                    for a in [subject, *sorted(subjects)]
                    if a in line.declarer_group or _state_of(matcher, a) in line.declarer_group
                ),
                None,
            )
            if actor is None:
                continue
            if agent not in line.declarer_group and agent in (line.addressees | line.named_actors):
                continue
            if line.first_crossed_on is not None and when is not None and when < line.first_crossed_on:
                continue  # dated before the line was first crossed: not an answer to it
            in_article = line.id in crossed
            link = sum(index.idf(f) for f in cause_features.intersection(line.trigger_features))
            threat = sum(index.idf(f) for f in s.features.intersection(line.threat_features))
            crossed_on = published_on if in_article else line.first_crossed_on or published_on
            recency = (published_on - crossed_on).days
            # "Israel struck Iran", "US and British jets struck Houthi targets": the declarer's side hits
            # the one the line warned, while the line stands crossed in the record.
            targeted = (
                plain
                and recency <= TARGET_RESPONSE_DAYS
                and any(
                    m.actor_id in (line.addressees | line.named_actors) - line.declarer_group
                    and _local(m, s) > first_cue
                    for m in s.mentions
                )
            )
            if not (
                (in_article and plain)
                or link >= RESPONSE_LINK
                or (threat >= RESPONSE_LINK and link > 0)
                or (targeted and threat > 0)
            ):
                if trace is not None and (link or threat):
                    trace.append(
                        f"response? {line.slug}: too weak a link (cause {link:.1f}, threat {threat:.1f}): {text[:160]}"
                    )
                continue
            strength = link + 0.5 * threat + (4.0 if in_article else 0.0) + (2.0 if targeted else 0.0)
            strength += 3.0 if recency <= 45 else 1.5 if recency <= 365 else 0.0
            signals = {
                "link": min(1.0, link / 15),
                "threat": min(1.0, threat / 15),
                "here": 1.0 if in_article else 0.0,
                "recent": 1.0 if recency <= 45 else 0.0,
                "cues": min(3, len(cues)) / 3,
                "policy_only": 0.0 if plain else 1.0,
                "targeted": 1.0 if targeted else 0.0,
            }
            options.append(
                (
                    strength,
                    line,
                    f"cause {link:.1f} threat {threat:.1f} here {in_article} {recency}d",
                    signals,
                )
            )
        if not options:
            continue
        options.sort(key=lambda o: -o[0])
        strength, line, why, signals = options[0]
        score = round(min(0.9, 0.35 + 0.08 * min(3, len(cues)) + strength / 40), 3)
        signals = {"rule": score, **signals, "contested": 1.0 if len(options) > 1 else 0.0}
        if trace is not None:
            others = ", ".join(o[1].slug for o in options[1:3])
            trace.append(
                f"response {line.slug} ({why}) -> {score}{' over ' + others if others else ''}: {text[:160]}"
            )
        if best.get(line.id) is None or best[line.id].score < score:
            best[line.id] = Finding(
                kind=RESPONSE,
                start=s.sentence.start,
                end=s.sentence.end,
                evidence=text,
                score=score,
                red_line=line.id,
                declarer=line.declared_by,
                actors=[subject],
                occurred_on=_occurred(text, published_on),
                signals=signals,
            )
    findings.extend(best.values())


# --- the whole story -----------------------------------------------------------------------------


def _story(
    sents: list[_Sent], *, title: str, title_actors: set[int]
) -> tuple[story_signals.StoryView, list[_Sent]]:
    """The story's view for the article-level signals, and the readable sentences it indexes."""
    title_norms = [t.norm for t in tokens_of(title[:1000])]
    readable = [s for s in sents if not s.boilerplate and s.tokens]
    return story_signals.StoryView(
        title_features=frozenset(features_of(title)),
        title_actors=frozenset(title_actors),
        lead_actors=frozenset(m.actor_id for s in readable if s.sentence.paragraph <= 1 for m in s.mentions),
        sentence_features=tuple(frozenset(s.features) for s in readable),
        sentence_actors=tuple(frozenset(m.actor_id for m in s.mentions) for s in readable),
        title_warns=bool(title_norms)
        and bool(
            _find(title_norms, _STRONG) or _find(title_norms, _WEAK) or set(title_norms) & lx.WARNING_VERBS
        ),
        answer_sentences=frozenset(i for i, s in enumerate(readable) if _ANSWER.search(s.sentence.text)),
        action_sentences=frozenset(i for i, s in enumerate(readable) if _find(s.norms, _RESPONSE)),
    ), readable


@dataclass
class _Story:
    """One article as the whole-story step reads it."""

    view: story_signals.StoryView
    readable: list[_Sent]
    candidates: list[LineProfile]
    published_on: datetime.date
    index: LineIndex


def _whole_story(st: _Story, findings: list[Finding], matcher: ActorMatcher, trace: list[str] | None) -> None:
    """Add the whole story's signals to each crossing and response the rules found, and propose, as
    low-prior findings the calibration weighs, lines the story as a whole reports without any one
    sentence the rules accept."""
    found = {(f.kind, f.red_line): f for f in findings if f.kind in (CROSSING, RESPONSE)}
    crossing_here = any(f.kind == CROSSING for f in findings)
    for f in findings:
        if f.kind in (NEW_RED_LINE, RESTATEMENT) and f.declarer is not None:
            f.signals.update(
                story_signals.declaration_signals(
                    f.declarer, _state_of(matcher, f.declarer), st.view, crossing_here
                )
            )
    _whole_story_declarations(st, findings, trace)
    for line in st.candidates:
        for kind, record, wanted in (
            (CROSSING, story_signals.crossing_record_signals, line.trigger_features),
            (RESPONSE, story_signals.response_record_signals, line.threat_features),
        ):
            finding = found.get((kind, line.id))
            if finding is not None:
                if kind == CROSSING:
                    finding.signals.update(_story_signals(st, kind, line, found))
                continue
            record_signals = record(line, st.published_on)
            # Most candidates get no help from the record, and so no proposal: their story signals,
            # the costly part, are not worked out.
            if not story_signals.record_helps(record_signals):
                continue
            signals = {**_story_signals(st, kind, line, found), **record_signals}
            worth = (
                story_signals.crossing_worth_proposing(signals)
                if kind == CROSSING
                else story_signals.response_worth_proposing(signals)
            )
            if not worth or not st.readable:
                continue
            finding = _story_finding(st, kind, line, wanted or line.trigger_features, signals, trace)
            if kind == RESPONSE:
                finding.declarer = line.declared_by
            else:
                finding.trigger = line.title
            finding.occurred_on = _occurred(finding.evidence, st.published_on)
            findings.append(finding)


def _story_signals(st: _Story, kind: str, line: LineProfile, found: dict) -> dict:
    """The whole story's signals that it reports `line` crossed, or answered."""
    if kind == CROSSING:
        return story_signals.crossing_signals(line, st.view, st.published_on, st.index)
    return story_signals.response_signals(line, st.view, st.index, crossed_here=(CROSSING, line.id) in found)


def _story_finding(
    st: _Story, kind: str, line: LineProfile, wanted: tuple[str, ...], signals: dict, trace: list[str] | None
) -> Finding:
    """A whole-story proposal: its evidence is the sentence carrying most of what the line names."""
    pos, _ = story_signals.best_sentence(st.view, wanted, st.index)
    s = st.readable[max(pos, 0)]
    if trace is not None:
        trace.append(f"{kind} {line.slug} from the whole story ({_signals_text(signals)})")
    return Finding(
        kind=kind,
        start=s.sentence.start,
        end=s.sentence.end,
        evidence=s.sentence.text,
        score=0.0,
        red_line=line.id,
        signals={**signals, STORY: 1.0},
    )


def _whole_story_declarations(st: _Story, findings: list[Finding], trace: list[str] | None) -> None:
    """Propose, as low-prior findings, the restatement of a line the record has declared or restated
    in the days around the story, when the story puts its declarer up front and carries its words
    but no sentence passed the declaration rules for it."""
    if not st.readable:
        return
    restated = {(f.declarer, f.red_line) for f in findings if f.kind == RESTATEMENT}
    named = [m.actor_id for s in st.readable for m in s.mentions]
    up_front = st.view.title_actors | st.view.lead_actors
    lines = {line.id: line for line in st.candidates}
    lines.update(
        (line.id, line) for line in st.index.declared_by(up_front) if line.declared_on <= st.published_on
    )
    for line in lines.values():
        if any((member, line.id) in restated for member in line.declarer_group):
            continue
        record = story_signals.restatement_record_signals(line, st.published_on)
        if not (record["near_declared"] or record["near_reaffirmed"]):
            continue
        signals = {**story_signals.restatement_signals(line, st.view, st.index), **record}
        if not story_signals.restatement_worth_proposing(signals):
            continue
        # The declarer as the story names it: the line's own declarer when it is up front, else the
        # first of its side named up front (a spokesman's state), else the first named anywhere.
        declarer = (
            line.declared_by
            if line.declared_by in up_front
            else next((a for a in named if a in line.declarer_group and a in up_front), None)
            or next((a for a in named if a in line.declarer_group), line.declared_by)
        )
        finding = _story_finding(st, RESTATEMENT, line, line.line_features, signals, trace)
        finding.declarer = declarer
        finding.addressees = sorted(line.addressees)
        finding.actors = [declarer, *finding.addressees]
        finding.trigger = line.title
        findings.append(finding)


_COORDINATED = re.compile(r"^\s*(?:,|and|, and)\s*(?:the\s+)?$", re.I)
TARGET_RESPONSE_DAYS = 5 * 365  # a strike on the warned side answers a crossing at most this old
RESPONSE_LINK = 4.0  # idf weight of the trigger words a stated cause must share with the line
_ANSWER = re.compile(
    r"\b(?:answer(?:ing)? to|(?:a |its |the )?respon(?:se|ses|ding) to|retaliat\w* (?:for|against|to)|"
    r"reply to|in reaction to|in reprisal for|in revenge for|(?:as )?(?:a |its )?(?:reply|answer) (?:to|for))\b",
    re.I,
)


__all__ = ["Analysis", "Finding", "analyse_text", "stem"]
