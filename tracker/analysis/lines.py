"""Retrieval of tracked red lines by terms, concepts, actors and topics, through an inverted index.

An article looks up only the postings of its own features, and very common terms are capped, so the
cost per article stays flat as the record grows.
"""

import datetime
import math
import sys
import threading
import time
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from .actors import ActorMatcher, table_stamp
from .lexicon import CONCEPTS
from .text import stem, tokens_of, words_of

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "and",
        "or",
        "but",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "such",
        "any",
        "other",
        "than",
        "then",
        "into",
        "onto",
        "over",
        "under",
        "about",
        "after",
        "before",
        "during",
        "while",
        "not",
        "no",
        "nor",
        "so",
        "if",
        "would",
        "will",
        "could",
        "should",
        "may",
        "might",
        "must",
        "can",
        "do",
        "does",
        "did",
        "has",
        "have",
        "had",
        "their",
        "them",
        "they",
        "he",
        "she",
        "his",
        "her",
        "we",
        "our",
        "you",
        "your",
        "i",
        "me",
        "my",
        "who",
        "whom",
        "which",
        "what",
        "when",
        "where",
        "why",
        "how",
        "also",
        "more",
        "most",
        "very",
        "up",
        "down",
        "out",
        "off",
        "again",
        "further",
        "once",
        "all",
        "both",
        "each",
        "few",
        "some",
        "own",
        "same",
        "too",
        "just",
        "said",
        "says",
        "say",
        "against",
        "between",
        "through",
        "since",
        "until",
        "upon",
        "within",
        "without",
        "us",
        "new",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "per",
        "say",
        "across",
        "along",
        "around",
        "among",
        "near",
        "back",
        "made",
        "make",
        "makes",
        "take",
        "takes",
        "taken",
        "called",
        "told",
        "tell",
        "country",
        "countries",
        "state",
        "states",
        "government",
        "forces",
        "force",
    ]
)

_CONCEPT_OF: dict[str, str] = {}
for _key, _words in CONCEPTS.items():
    for _w in _words:
        _CONCEPT_OF.setdefault(stem(_w), _key)

TARGET_PREPOSITIONS = frozenset(
    {
        "of",
        "to",
        "on",
        "against",
        "into",
        "in",
        "around",
        "toward",
        "towards",
        "at",
        "visiting",
        "visit",
        "visits",
    }
)


def _positions() -> array:
    return array("i")


MAX_POSTING = 400  # a term found in more lines than this says little about any one of them


def features_of(text: str) -> set[str]:
    """Content-word stems ("t:") and shared concepts ("c:") of a text."""
    out: set[str] = set()
    for word in words_of(text):
        out.update(_features_of_word(word))
    return out


@lru_cache(maxsize=1 << 17)
def _features_of_word(word: str) -> tuple[str, ...]:
    """One string object per feature, shared by every line that has it (an index of 100,000 lines
    would otherwise hold millions of equal strings)."""
    if word in STOPWORDS or (len(word) < 3 and not word.isdigit()):
        return ()
    s = stem(word)
    concept = _CONCEPT_OF.get(s)
    return (sys.intern("t:" + s), sys.intern("c:" + concept)) if concept else (sys.intern("t:" + s),)


@dataclass(slots=True)
class LineProfile:
    id: int
    slug: str
    title: str
    declared_by: int
    declared_on: datetime.date
    category: str
    severity: str
    addressees: frozenset[int]
    trigger_actors: frozenset[int]  # addressees plus actors named in the trigger
    named_actors: frozenset[int]  # actors the trigger text names as doing it
    target_actors: frozenset[int]  # actors the trigger text names as its target or recipient
    declarer_group: frozenset[int]
    # Features as tuples, a fifth of a set's size (100,000 lines hold millions): intersect them with
    # `a_set.intersection(line.line_features)`.
    trigger_features: tuple[str, ...]
    line_features: tuple[str, ...]  # title, statement, trigger, response, topics
    threat_features: tuple[str, ...] = ()  # what the declarer threatened to do
    first_crossed_on: datetime.date | None = None  # the record's state: its first public crossing
    first_response_on: datetime.date | None = None  # ... and the declarer's first response after it
    last_reaffirmed_on: datetime.date | None = None  # ... and the declarer's latest restatement


def line_profile(row: dict, matcher: ActorMatcher, groups: dict[int, frozenset[int]]) -> LineProfile:
    """What the analyser keeps of one line (a dict of its fields and its addressees' ids).

    `groups` shares one declarer-group set among the lines of a declarer."""
    trigger_text = f"{row['title']}. {row['trigger']}"
    trigger_tokens = tokens_of(trigger_text)
    trigger_mentions = matcher.mentions(trigger_tokens)
    named = {m.actor_id for m in trigger_mentions}
    # "an invasion of X", "missiles to X": an actor after a preposition is the target.
    targets = {
        m.actor_id
        for m in trigger_mentions
        if m.first_token > 0 and trigger_tokens[m.first_token - 1].norm in TARGET_PREPOSITIONS
    }
    topics = " ".join(t.replace("-", " ") for t in row.get("topics") or [])
    declarer = row["declared_by"]
    if declarer not in groups:
        groups[declarer] = frozenset(matcher.group_of(declarer))
    return LineProfile(
        id=row["id"],
        slug=row["slug"],
        title=row["title"],
        declared_by=declarer,
        declared_on=row["declared_on"],
        category=row["category"],
        severity=row["severity"],
        addressees=frozenset(row["addressees"]),
        trigger_actors=frozenset(set(row["addressees"]) | named),
        named_actors=frozenset(named - targets),
        target_actors=frozenset(targets),
        declarer_group=groups[declarer],
        trigger_features=tuple(features_of(trigger_text + " " + topics)),
        line_features=tuple(
            features_of(f"{trigger_text} {row['statement']} {row.get('threatened_response') or ''} {topics}")
        ),
        threat_features=tuple(features_of(row.get("threatened_response") or "")),
        first_crossed_on=row.get("first_crossed_on"),
        first_response_on=row.get("first_response_on"),
        last_reaffirmed_on=row.get("last_reaffirmed_on"),
    )


@dataclass
class LineIndex:
    lines: list[LineProfile] = field(default_factory=list)
    # Postings as arrays of 32-bit positions: a tenth of the memory of lists of int objects.
    by_feature: dict[str, array] = field(default_factory=lambda: defaultdict(_positions))
    by_actor: dict[int, array] = field(default_factory=lambda: defaultdict(_positions))
    by_declarer: dict[int, array] = field(default_factory=lambda: defaultdict(_positions))

    @classmethod
    def build(cls, rows: Iterable[dict], matcher: ActorMatcher) -> "LineIndex":
        groups: dict[int, frozenset[int]] = {}  # one declarer-group set per declarer, shared
        return cls.from_profiles(line_profile(row, matcher, groups) for row in rows)

    @classmethod
    def from_profiles(cls, profiles: Iterable[LineProfile]) -> "LineIndex":
        """An index over profiles already made: reading the texts is the costly part of `build`."""
        index = cls()
        for position, profile in enumerate(profiles):
            index.lines.append(profile)
            for feature in profile.line_features:
                index.by_feature[feature].append(position)
            for actor in profile.trigger_actors | profile.declarer_group:
                index.by_actor[actor].append(position)
            index.by_declarer[profile.declared_by].append(position)
        return index

    def idf(self, feature: str) -> float:
        df = len(self.by_feature.get(feature, ()))
        return math.log(1 + (len(self.lines) + 1) / (df + 1)) if df else 0.0

    def retrieve(self, *, features: set[str], actors: set[int], limit: int = 25) -> list[LineProfile]:
        """Lines sharing actors and rare features with an article, best first."""
        scores: dict[int, float] = defaultdict(float)
        for actor in actors:
            postings = self.by_actor.get(actor, ())
            if len(postings) <= MAX_POSTING:
                for pos in postings:
                    scores[pos] += 1.0
        for feature in features:
            postings = self.by_feature.get(feature, ())
            if 0 < len(postings) <= MAX_POSTING:
                weight = self.idf(feature)
                for pos in postings:
                    scores[pos] += weight
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])[:limit]
        return [self.lines[pos] for pos, _ in ranked]

    def declared_by(self, actor_ids: Iterable[int]) -> list[LineProfile]:
        out = []
        for actor in actor_ids:
            postings = self.by_declarer.get(actor, ())
            out.extend(self.lines[pos] for pos in postings[:MAX_POSTING])
        return out


# --- cache ---------------------------------------------------------------------------------------

_lock = threading.Lock()
_cache: dict[str, object] = {}


def line_stamp() -> tuple:
    from tracker.models import RedLine

    return table_stamp(RedLine, DELETION_MODEL)


def _line_rows(queryset) -> Iterator[dict]:
    from tracker.models import RedLine

    addressees: dict[int, list[int]] = defaultdict(list)
    through = RedLine.addressees.through.objects.filter(redline_id__in=queryset.values("id"))
    for line_id, actor_id in through.values_list("redline_id", "actor_id"):
        addressees[line_id].append(actor_id)
    return (
        {**row, "addressees": addressees.get(row["id"], [])}
        for row in queryset.values(
            "id",
            "slug",
            "title",
            "declared_by",
            "declared_on",
            "statement",
            "trigger",
            "threatened_response",
            "category",
            "severity",
            "topics",
            "first_crossed_on",
            "first_response_on",
            "last_reaffirmed_on",
        ).iterator(chunk_size=2000)
    )


def line_index_from(queryset, matcher: ActorMatcher) -> LineIndex:
    """An index over the given lines (all tracked lines in production, a labelled set in evaluation)."""
    return LineIndex.build(_line_rows(queryset), matcher)


# Lines saved in a transaction that commits late carry an older updated_at than the newest one seen:
# a refresh reads again every line saved this long before the last stamp, and the whole index is
# rebuilt from the database at least this often.
REFRESH_OVERLAP = datetime.timedelta(minutes=10)
DELETION_MODEL = "red_line"  # Deletion.model of a red line's tombstone
FULL_REBUILD_EVERY = datetime.timedelta(hours=1)


def line_index_refreshed(index: LineIndex, since: tuple, matcher: ActorMatcher) -> LineIndex:
    """`index` brought up to date: the lines saved or deleted since the line stamp `since` are read
    again and every other line keeps its profile, so an edit costs about a second on 100,000 lines
    where a rebuild costs many (the same matcher: an actor change rebuilds everything)."""
    from django.db.models import Q

    from tracker.models import Deletion, RedLine

    last_saved, top_id, top_deletion = since
    newer = Q(id__gt=top_id or 0)
    if last_saved is not None:
        newer |= Q(updated_at__gte=last_saved - REFRESH_OVERLAP)
    changed = RedLine.objects.filter(newer)
    rows = list(_line_rows(changed))
    gone = {row["id"] for row in rows}
    deleted = set(
        Deletion.objects.filter(id__gt=top_deletion or 0, model=DELETION_MODEL).values_list("key", flat=True)
    )
    groups: dict[int, frozenset[int]] = {p.declared_by: p.declarer_group for p in index.lines}
    kept = (p for p in index.lines if p.id not in gone and p.slug not in deleted)
    return LineIndex.from_profiles([*kept, *(line_profile(row, matcher, groups) for row in rows)])


def line_index_current(matcher: ActorMatcher, actor_stamp: tuple) -> LineIndex:
    """The index for the tracked lines as they are now: rebuilt when an actor changed (or after
    FULL_REBUILD_EVERY), refreshed line by line when only lines changed."""
    from tracker.models import RedLine

    stamp = (line_stamp(), actor_stamp)
    with _lock:
        cached, cached_stamp, built_at = _cache.get("index"), _cache.get("stamp"), _cache.get("built_at")
    if cached_stamp == stamp:
        return cached  # type: ignore[return-value]
    now = time.monotonic()
    if (
        cached is not None
        and cached_stamp[1] == actor_stamp
        and now - built_at < FULL_REBUILD_EVERY.total_seconds()
    ):
        index = line_index_refreshed(cached, cached_stamp[0], matcher)
    else:
        index, built_at = line_index_from(RedLine.objects.all(), matcher), now
    with _lock:
        _cache.update(stamp=stamp, index=index, built_at=built_at)
    return index


def line_cache_clear() -> None:
    with _lock:
        _cache.clear()
