"""Who speaks in a sentence, who is its subject, and whose words a quotation carries."""

import re

from .. import lexicon as lx
from ..actors import ActorMatcher, Mention
from .sentences import _DATELINE, _local, _Sent, _token_at


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


_QUOTE_MARKS = re.compile(r"[\"“”«»„]")
_FIRST_PERSON = re.compile(r"\b(?:[Ww]e|[Oo]urs?|us|I|[Mm]y|me)\b")  # not "US"


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


def _agent_after(s: _Sent, position: int) -> int | None:
    """The actor named right after "by" following a verb ("missiles fired by Ukraine")."""
    if s.norms[position + 1 : position + 2] != ["by"]:
        return None
    return next((m.actor_id for m in s.mentions if _local(m, s) in (position + 2, position + 3)), None)
