"""Actor mentions: one pass over normalised tokens with a token trie built from the Actor table.

The trie holds every name and alias (plus plural forms, surnames of people and the demonyms of
states), so a text is read once however many actors there are. The matcher is cached and rebuilt
when the Actor table changes, so aliases edited in admin take effect without a restart.
"""

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from .lexicon import DEMONYMS, LEADER_ROLES, NAME_PARTICLES, PLACES, POSTED_TO, PRONOUNS, TITLE_WORDS
from .text import Token, tokens_of

_END = "\0"


@dataclass(frozen=True)
class ActorInfo:
    id: int
    slug: str
    name: str
    kind: str
    country: str = ""
    affiliation_id: int | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mention:
    actor_id: int
    start: int  # character offsets in the text
    end: int
    first_token: int  # token indexes, end exclusive
    last_token: int
    via: str  # name | demonym | place | role | local


@dataclass(frozen=True)
class _Entry:
    actor_id: int
    via: str
    upper_only: bool  # short acronyms ("US", "UK") must be written in capitals


@dataclass
class ActorMatcher:
    actors: dict[int, ActorInfo]
    trie: dict = field(default_factory=dict)
    state_by_country: dict[str, int] = field(default_factory=dict)
    persons_by_state: dict[int, list[int]] = field(default_factory=dict)

    # --- building --------------------------------------------------------------------------

    @classmethod
    def build(cls, actors: Iterable[ActorInfo]) -> "ActorMatcher":
        matcher = cls(actors={a.id: a for a in actors})
        for actor in matcher.actors.values():
            if actor.kind == "state" and actor.country and actor.country not in matcher.state_by_country:
                matcher.state_by_country[actor.country] = actor.id
        # Single words that already name an actor ("Britain", "Houthis") are no one's surname.
        names = {n.lower() for a in matcher.actors.values() for n in (a.name, *a.aliases) if " " not in n}
        for actor in matcher.actors.values():
            if actor.kind == "person" and actor.affiliation_id:
                matcher.persons_by_state.setdefault(actor.affiliation_id, []).append(actor.id)
            for alias in (actor.name, *actor.aliases):
                matcher._add(alias, actor.id, "name")
            words = actor.name.split()
            if actor.kind == "person" and len(words) >= 2 and len(words[-1]) >= 4:
                matcher._add(words[-1], actor.id, "name")
            # "Lloyd Austin" listed for the United States: a later "Austin said" is his too.
            for alias in actor.aliases if actor.kind != "person" else ():
                surname = _official_surname(alias)
                if surname and surname.lower() not in names:
                    matcher._add(surname, actor.id, "name")
        for code, words in DEMONYMS.items():
            state = matcher.state_by_country.get(code)
            if state is not None:
                for word in words:
                    matcher._add(word, state, "demonym")
        for code, places in PLACES.items():
            state = matcher.state_by_country.get(code)
            if state is not None:
                for place in places:
                    matcher._add(place, state, "place")
        return matcher

    def _add(self, phrase: str, actor_id: int, via: str) -> None:
        tokens = [t for t in tokens_of(phrase)]
        if tokens and tokens[0].norm == "the" and len(tokens) > 1:
            tokens = tokens[1:]
        if not tokens:
            return
        upper_only = len(tokens) == 1 and tokens[0].raw.isupper() and len(tokens[0].norm) <= 3
        norms = [t.norm for t in tokens]
        variants = [norms]
        last = norms[-1]
        if last.isalpha() and len(last) > 3:
            variants.append([*norms[:-1], last[:-1] if last.endswith("s") else last + "s"])
        for variant in variants:
            node = self.trie
            for word in variant:
                node = node.setdefault(word, {})
            entries = node.setdefault(_END, [])
            entry = _Entry(actor_id, via, upper_only)
            # A name beats a demonym on the same words; the first actor to claim a name keeps it.
            if not any(e.actor_id == actor_id for e in entries):
                entries.append(entry)
                entries.sort(key=lambda e: e.via != "name")

    # --- matching ---------------------------------------------------------------------------

    def mentions(
        self, tokens: list[Token], *, skip_until: int = 0, local: dict[str, int] | None = None
    ) -> list[Mention]:
        """Longest-match mentions, left to right, then text-local names and leader roles.

        `local` carries names learned elsewhere (the headline) and receives the names learned here.
        """
        out: list[Mention] = []
        n = len(tokens)
        i = 0
        while i < n:
            if tokens[i].start < skip_until:
                i += 1
                continue
            node = self.trie
            best: tuple[int, _Entry] | None = None
            j = i
            while j < n and tokens[j].norm in node:
                node = node[tokens[j].norm]
                j += 1
                entries = node.get(_END)
                if entries:
                    entry = next(
                        (e for e in entries if not e.upper_only or tokens[i].raw.isupper()),
                        None,
                    )
                    if entry is not None:
                        best = (j, entry)
            if best is None:
                i += 1
                continue
            end, entry = best
            via = entry.via
            if via == "demonym" and end < n and tokens[end].norm in LEADER_ROLES:
                via = "role"
                end += 1
            out.append(Mention(entry.actor_id, tokens[i].start, tokens[end - 1].end, i, end, via))
            i = end
        return self._with_local_names(tokens, out, {} if local is None else local)

    def _with_local_names(
        self, tokens: list[Token], found: list[Mention], local: dict[str, int]
    ) -> list[Mention]:
        """Learn "Kremlin spokesman Dmitry Peskov" → Peskov speaks for Russia, for this text only."""
        taken = set()
        for m in found:
            taken.update(range(m.first_token, m.last_token))
        extra: list[Mention] = []
        for m in found:
            actor = self.actors[m.actor_id]
            if actor.kind == "person" or m.via in ("role", "place"):
                continue
            k = m.last_token
            titles = 0
            while k < len(tokens) and tokens[k].norm in TITLE_WORDS and k not in taken:
                titles += 1
                k += 1
            # "the Russian ambassador to Lebanon, Alexander Zasypkin": the name follows the post.
            gap = 1
            if titles and k + 1 < len(tokens) and tokens[k].norm in POSTED_TO:
                post = next((p for p in found if p.first_token in (k + 1, k + 2)), None)
                if post is not None:
                    k, gap = post.last_token, 2
            first = k
            while (
                k < len(tokens)
                and k - first < 4
                and k not in taken
                and (tokens[k].raw[:1].isupper() or (tokens[k].norm in NAME_PARTICLES and k > first))
                and tokens[k].norm not in TITLE_WORDS
                and tokens[k].norm not in PRONOUNS
                and tokens[k].start - tokens[k - 1].end <= (gap if k == first else 1)
            ):
                k += 1
            possessive = tokens[m.last_token - 1].raw.endswith(("'s", "’s"))
            if not (titles or possessive) or k == first:
                first, k = _name_before(tokens, m.first_token, taken)
            if (titles or possessive) and k > first:
                local.setdefault(tokens[k - 1].norm, m.actor_id)
                if k - first >= 2 and len(tokens[first].norm) >= 3:
                    local.setdefault(tokens[first].norm, m.actor_id)
                extra.append(Mention(m.actor_id, tokens[first].start, tokens[k - 1].end, first, k, "local"))
                taken.update(range(first, k))
        if local:
            for idx, tok in enumerate(tokens):
                if idx not in taken and tok.norm in local and tok.raw[:1].isupper():
                    extra.append(Mention(local[tok.norm], tok.start, tok.end, idx, idx + 1, "local"))
        out = sorted([*found, *extra], key=lambda m: m.first_token)
        return self._resolve_roles(out)

    def _resolve_roles(self, mentions: list[Mention]) -> list[Mention]:
        """ "The Russian president" is the listed person for that state when the text names them."""
        named = {m.actor_id for m in mentions if m.via == "name"}
        resolved = []
        for m in mentions:
            if m.via == "role":
                people = [p for p in self.persons_by_state.get(m.actor_id, ()) if p in named]
                if len(people) == 1:
                    m = Mention(people[0], m.start, m.end, m.first_token, m.last_token, "role")
            resolved.append(m)
        return resolved

    def group_of(self, actor_id: int) -> set[int]:
        """The actor, the state it speaks for, and the people who speak for it."""
        group = {actor_id}
        actor = self.actors.get(actor_id)
        if actor and actor.affiliation_id:
            group.add(actor.affiliation_id)
        group.update(self.persons_by_state.get(actor_id, ()))
        return group


# --- cache ---------------------------------------------------------------------------------------

_lock = threading.Lock()
_cache: dict[str, object] = {}


_NOT_SURNAMES = frozenset(
    {
        "guards",
        "forces",
        "army",
        "office",
        "ministry",
        "department",
        "house",
        "street",
        "council",
        "command",
        "corps",
        "agency",
        "administration",
        "government",
        "military",
        "alliance",
        "union",
        "commission",
        "republic",
        "allah",
    }
)


# Words that make an alias a title, a people or a place rather than a person's name.
_NOT_IN_NAMES = TITLE_WORDS | {d.lower() for names in DEMONYMS.values() for d in names}
_PLACE_NAMES = frozenset(p.lower() for names in PLACES.values() for p in names)


def _official_surname(alias: str) -> str | None:
    """The surname of an official listed by full name among a state's aliases ("Lloyd Austin")."""
    words = alias.split()
    if not 2 <= len(words) <= 3 or not all(w[:1].isupper() for w in words):
        return None
    last = words[-1]
    if len(last) < 4 or not last.replace("-", "").isalpha() or last.isupper():
        return None
    lowered = {w.lower() for w in words}
    if last.lower() in _NOT_SURNAMES or lowered & _NOT_IN_NAMES or alias.lower() in _PLACE_NAMES:
        return None
    return last


def _name_before(tokens: list[Token], at: int, taken: set[int]) -> tuple[int, int]:
    """The span of "Alexander Zasypkin" in "Alexander Zasypkin, Russia's ambassador": a name, a comma, then
    the actor's title; an empty span when there is none."""
    if at == 0 or at - 1 in taken or tokens[at].start - tokens[at - 1].end != 2:
        return at, at
    first = at
    while (
        first > 0
        and at - first < 4
        and first - 1 not in taken
        and tokens[first - 1].raw[:1].isupper()
        and tokens[first - 1].norm not in TITLE_WORDS
        and tokens[first - 1].norm not in PRONOUNS
        and (first == at or tokens[first].start - tokens[first - 1].end <= 1)
    ):
        first -= 1
    return (first, at) if at - first >= 2 else (at, at)


def table_stamp(model: type, tombstone: str) -> tuple:
    """What changes whenever a row of `model` is saved, added or deleted: three indexed lookups.

    The newest `updated_at`, the highest id and the newest of its tombstones (every deletion of a
    line or an actor leaves one, named `tombstone` in Deletion.model). Counting the rows instead
    would scan the table on every article.
    """
    from django.db.models import Max

    from tracker.models import Deletion

    agg = model.objects.aggregate(last=Max("updated_at"), top=Max("id"))
    gone = Deletion.objects.filter(model=tombstone).aggregate(top=Max("id"))["top"]
    return (agg["last"], agg["top"], gone)


def actor_stamp() -> tuple:
    from tracker.models import Actor

    return table_stamp(Actor, "actor")


def actor_matcher_from(queryset) -> ActorMatcher:
    """A matcher for the given actors (the whole table in production, a labelled set in evaluation)."""
    rows = queryset.values_list("id", "slug", "name", "kind", "country", "affiliation_id", "aliases")
    return ActorMatcher.build(
        ActorInfo(i, s, n, k, c or "", a, tuple(x for x in (al or []) if isinstance(x, str)))
        for i, s, n, k, c, a, al in rows
    )


def actor_matcher_current(stamp: tuple | None = None) -> ActorMatcher:
    """The matcher for the Actor table as it is now; rebuilt only when an actor changed.

    Pass `stamp` when the caller has just read `actor_stamp()` (it is not read twice).
    """
    from tracker.models import Actor

    stamp = actor_stamp() if stamp is None else stamp
    with _lock:
        if _cache.get("stamp") == stamp:
            return _cache["matcher"]  # type: ignore[return-value]
    matcher = actor_matcher_from(Actor.objects.all())
    with _lock:
        _cache["stamp"] = stamp
        _cache["matcher"] = matcher
    return matcher


def actor_cache_clear() -> None:
    with _lock:
        _cache.clear()
