"""Duplicate detection: an exact content hash, and MinHash LSH bands for near duplicates.

Near duplicates (syndicated wire copy with another headline or a line of boilerplate) share most of
their word 3-shingles. A MinHash of ``BANDS * ROWS`` permutations is cut into ``BANDS`` bands; each
band is hashed into one 64-bit value stored in an indexed table. Two texts whose shingle sets have
Jaccard similarity s share at least one band with probability 1 - (1 - s**ROWS)**BANDS (0.95 at
s = 0.75, 0.998 at s = 0.9, under 0.001 at s = 0.2). The lookup is an indexed ``IN`` on eight
values followed by an exact Jaccard check of the few rows found, so its cost does not grow with
the size of the store.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

BANDS = 8
ROWS = 4
SHINGLE = 3
NEAR_DUPLICATE_JACCARD = 0.6
_WORD = re.compile(r"\w+", re.UNICODE)


def text_normalise(text: str) -> str:
    """NFC, unified line breaks and spaces, no control characters: the form stored and hashed."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    # Look up the category of each distinct character once, not of every character of the text.
    control = [ord(ch) for ch in set(text) if ch not in "\n\t" and unicodedata.category(ch)[0] == "C"]
    if control:
        text = text.translate(dict.fromkeys(control))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def content_hash(text: str) -> str:
    """SHA-256 of the case-folded words: exact duplicates regardless of layout and punctuation."""
    return _hash_of(_words(text))


def _hash_of(words: list[str]) -> str:
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


def shingles(text: str) -> set[str]:
    return _shingles_of(_words(text))


def _shingles_of(words: list[str]) -> set[str]:
    return {" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))} - {""}


@dataclass(frozen=True)
class Fingerprint:
    """What duplicate detection needs of a text, computed once: content hash, shingles, LSH bands."""

    hash: str
    shingles: frozenset[str]
    bands: tuple[int, ...]


def fingerprint(text: str) -> Fingerprint:
    words = _words(text)
    items = frozenset(_shingles_of(words))
    return Fingerprint(hash=_hash_of(words), shingles=items, bands=tuple(_bands(items)))


def lsh_bands(text: str) -> list[int]:
    """The band values of a text, as signed 64-bit integers (one per band, band number mixed in)."""
    return _bands(shingles(text))


def _bands(items: set[str] | frozenset[str]) -> list[int]:
    if not items:
        return []
    # Imported here: datasketch brings scipy, a second and a half at every start of Django (each
    # manage.py command, the dev server), and only ingestion needs it.
    from datasketch import MinHash

    minhash = MinHash(num_perm=BANDS * ROWS, seed=7)
    minhash.update_batch([s.encode() for s in items])
    values = minhash.hashvalues
    bands = []
    for band in range(BANDS):
        chunk = bytes([band]) + values[band * ROWS : (band + 1) * ROWS].tobytes()
        bands.append(int.from_bytes(hashlib.blake2b(chunk, digest_size=8).digest(), "big", signed=True))
    return bands


def dedup_warm_up() -> None:
    """Load the hashing now: a worker does it before its pool forks, so no task pays for it (a first
    fetch slowed by the import would let the rate limiter's tokens pile up into a burst)."""
    lsh_bands("warm up the near duplicate hashing")


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0
