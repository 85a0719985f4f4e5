"""Text preparation: cleaning untrusted input, sentences with offsets, normalised tokens."""

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import nh3

MAX_CHARS = 300_000  # analysed prefix of very long input; keeps time and memory bounded
MIN_LETTERS = 10


class UnusableText(ValueError):
    """Input where analysis can do nothing; the message says why in one line."""


@dataclass(frozen=True)
class Prepared:
    text: str
    truncated: bool
    notes: tuple[str, ...] = ()


_HTML_HINT = re.compile(r"<\s*(?:html|body|p|div|br|span|a\s|script|style|article|h[1-6]|!doctype)\b", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")


def text_prepare(raw: str | bytes) -> Prepared:
    """Turn untrusted input into analysable plain text, or raise UnusableText with the reason."""
    notes: list[str] = []
    if isinstance(raw, bytes):
        raw = raw[: MAX_CHARS * 4].decode("utf-8", errors="replace")
    if not raw or not raw.strip():
        raise UnusableText("the text is empty")
    truncated = len(raw) > MAX_CHARS
    if truncated:
        raw = raw[:MAX_CHARS]
        notes.append(f"only the first {MAX_CHARS:,} characters were analysed")
    sample = raw[:20_000]
    if len(_CONTROL.findall(sample)) > max(10, len(sample) // 20):
        raise UnusableText("the input looks like binary data, not text")
    if _HTML_HINT.search(sample):
        raw = _html_to_text(raw)
        notes.append("HTML markup was removed before analysis")
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", raw))
    if len(_LATIN_LETTER.findall(text[:50_000])) < MIN_LETTERS:
        raise UnusableText("no English text found (the analyser reads English news text)")
    return Prepared(text=text, truncated=truncated, notes=tuple(notes))


_BLOCK_TAGS = re.compile(r"</?(?:p|div|br|li|h[1-6]|tr|article|section|blockquote)\b[^>]*>", re.I)


def _html_to_text(raw: str) -> str:
    raw = _BLOCK_TAGS.sub("\n\n", raw)
    cleaned = nh3.clean(raw, tags=set(), clean_content_tags={"script", "style", "noscript", "template"})
    return html.unescape(cleaned)


# --- sentences ---------------------------------------------------------------------------------

_ABBREVIATIONS = {
    "u.s",
    "u.k",
    "u.n",
    "e.u",
    "mr",
    "mrs",
    "ms",
    "dr",
    "gen",
    "lt",
    "col",
    "sgt",
    "adm",
    "rep",
    "sen",
    "gov",
    "st",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "no",
    "vs",
    "jr",
    "sr",
    "inc",
    "corp",
    "co",
    "ltd",
    "p.m",
    "a.m",
    "approx",
    "est",
    "d.c",
}


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int


_PARAGRAPH = re.compile(r"\n\s*\n|\r\n\s*\r\n")
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_MAX_SENTENCE = 1_500


def sentences_split(text: str) -> list[Sentence]:
    """Sentences with character offsets into `text`, never crossing a paragraph break."""
    out: list[Sentence] = []
    pos = 0
    for paragraph, match in enumerate([*_PARAGRAPH.finditer(text), None]):
        end = match.start() if match else len(text)
        _split_paragraph(text, pos, end, paragraph, out)
        if match is None:
            break
        pos = match.end()
    return out


def _split_paragraph(text: str, start: int, end: int, paragraph: int, out: list[Sentence]) -> None:
    chunk = text[start:end]
    cut = 0
    for m in _BOUNDARY.finditer(chunk):
        word = re.search(r"([\w.]+)[.!?]*$", chunk[cut : m.start() + 1])
        token = (word.group(1) if word else "").rstrip(".").lower()
        if m.group(0).startswith(".") and (token in _ABBREVIATIONS or len(token) == 1):
            continue
        _emit(text, start + cut, start + m.end(), paragraph, out)
        cut = m.end()
    _emit(text, start + cut, end, paragraph, out)


def _emit(text: str, start: int, end: int, paragraph: int, out: list[Sentence]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > _MAX_SENTENCE:  # run-on input without punctuation: cut at a space
        cut = text.rfind(" ", start, start + _MAX_SENTENCE)
        cut = cut if cut > start else start + _MAX_SENTENCE
        out.append(Sentence(start, cut, text[start:cut], paragraph))
        start = cut + 1
    if end > start:
        out.append(Sentence(start, end, text[start:end], paragraph))


# --- tokens -------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+(?:[.'’][^\W_]+)*\.?", re.UNICODE)


class Token(NamedTuple):
    start: int
    end: int
    raw: str
    norm: str


@lru_cache(maxsize=1 << 17)
def token_normalise(word: str) -> str:
    """Lower-case, accent-free, no dots, no possessive: "U.S." → "us", "Russia's" → "russia".

    Cached: a language has far fewer distinct words than a record has tokens."""
    if not word.isascii():
        word = unicodedata.normalize("NFKD", word)
        word = "".join(c for c in word if not unicodedata.combining(c))
    word = word.lower()
    word = word.replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    return word.replace(".", "").replace("'", "")


def _word(raw: str) -> str:
    """A match of _TOKEN without a sentence's full stop ("U.S." keeps its dots)."""
    return raw[:-1] if raw.endswith(".") and raw.count(".") == 1 else raw


def words_of(text: str) -> list[str]:
    """The normalised words of a text: `tokens_of` without the offsets."""
    return [norm for raw in _TOKEN.findall(text) if (norm := token_normalise(_word(raw)))]


def tokens_of(text: str, offset: int = 0) -> list[Token]:
    out = []
    for m in _TOKEN.finditer(text):
        raw = _word(m.group(0))
        norm = token_normalise(raw)
        if norm:
            out.append(Token(offset + m.start(), offset + m.start() + len(raw), raw, norm))
    return out


_STEM_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "s")


@lru_cache(maxsize=1 << 17)
def stem(word: str) -> str:
    """A light suffix stripper, enough to meet "missiles"/"missile", "invaded"/"invade"."""
    if len(word) <= 4:
        return word
    for suffix in _STEM_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word
