"""Sentences as the rules read them (`_Sent`), the cue tables, and the regexes and token helpers
more than one detector uses."""

import bisect
import datetime
import re
from dataclasses import dataclass, field

from .. import lexicon as lx
from ..actors import Mention
from ..dates import mentioned_date
from ..lines import features_of
from ..text import Sentence, Token, sentences_split, tokens_of


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
_DATELINE = re.compile(r"^\s*[A-Z][A-Z .'/-]{2,}(?:,[^\n—–]{0,60})?\s[—–-]{1,2}\s")
_BOILERPLATE = re.compile(
    r"^\s*(?:read more|sign up|subscribe|photo|\(reporting|reporting by|editing by|advertisement|"
    r"related:|share this|follow us|click here|copyright|all rights reserved)",
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


def _local(m: Mention, s: _Sent) -> int:
    return m.first_token - s.base


def _token_at(s: _Sent, offset: int) -> int:
    """The index in the sentence of the first token at or after a character offset."""
    starts = [t.start - s.sentence.start for t in s.tokens]
    return bisect.bisect_left(starts, offset)


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


_HEDGED_CLAIM = re.compile(
    r"\b(?:allegedly|alleged|unconfirmed|unverified|could not (?:be )?(?:independently )?verif|claim(?:ed|s)?|"
    r"unnamed|circulating|rumou?r\w*|closest \w+ ha(?:s|ve|d) come|believes?|believed|argues?|argued|point(?:s|ed)? out)",
    re.I,
)


def _occurred(text: str, published_on: datetime.date) -> datetime.date | None:
    day = mentioned_date(text, published_on)
    return day if day is not None and (published_on - day).days <= 31 else None


_ANSWER = re.compile(
    r"\b(?:answer(?:ing)? to|(?:a |its |the )?respon(?:se|ses|ding) to|retaliat\w* (?:for|against|to)|"
    r"reply to|in reaction to|in reprisal for|in revenge for|(?:as )?(?:a |its )?(?:reply|answer) (?:to|for))\b",
    re.I,
)
