"""Turning fetched bytes into text: charset detection, main-text extraction, language."""

from __future__ import annotations

import codecs
import contextlib
import datetime
import re
from dataclasses import dataclass

import py3langid
import trafilatura
from charset_normalizer import from_bytes

from .dedup import text_normalise

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
_HTML_LANG = re.compile(r"<html[^>]*\slang\s*=\s*[\"']?([A-Za-z]{2,3})", re.I)
# WHATWG: pages labelled Latin-1 are decoded as Windows-1252 by every browser.
_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


MIN_WORDS = 5


class ExtractionError(Exception):
    """The page had no main text to extract."""


@dataclass
class Extracted:
    text: str
    title: str
    publisher: str
    language: str
    published_on: datetime.date | None


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = _ALIASES.get(label.strip().lower(), label.strip().lower())
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def html_decode(body: bytes, content_type: str = "") -> str:
    """Decode a page without mojibake.

    Order: a byte-order mark; valid UTF-8 (a non-UTF-8 text is almost never valid UTF-8 by chance,
    so this also corrects pages that declare the wrong charset); the charset of the header, then of
    the meta tag, if the bytes decode with it; otherwise statistical detection.
    """
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body.decode(codec, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    header = _HEADER_CHARSET.search(content_type or "")
    meta = _META_CHARSET.search(body[:4096])
    declared = [
        _codec(header.group(1) if header else None),
        _codec(meta.group(1).decode("ascii") if meta else None),
    ]
    # A meta tag written by the author beats a server default when the two disagree.
    if declared[0] in ("cp1252", "latin-1") and declared[1] and declared[1] != declared[0]:
        declared.reverse()
    for codec in declared:
        if codec and codec != "utf-8":
            try:
                return body.decode(codec)
            except (UnicodeDecodeError, LookupError):
                continue
    best = from_bytes(body[:200_000]).best()
    if best is not None and best.encoding:
        return body.decode(best.encoding, errors="replace")
    return body.decode("utf-8", errors="replace")


def _language(html: str, text: str) -> str:
    if len(text) >= 200:
        return py3langid.classify(text[:3000])[0]
    declared = _HTML_LANG.search(html[:4096])
    return declared.group(1).lower() if declared else ""


def _date(value: str | None) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        return None


_WARM_UP_TEXT = " ".join(
    f"On day {n} the minister said the talks would go on in the capital." for n in range(12)
)
_WARM_UP_PAGE = (
    "<html lang='en'><head><title>Warm-up</title></head><body><article>"
    + "".join(f"<p>{sentence}.</p>" for sentence in _WARM_UP_TEXT.split(". "))
    + "</article></body></html>"
).encode()


def extraction_warm_up() -> None:
    """Load what extraction loads lazily (trafilatura's parsers, the language model) by extracting
    a small page: a worker does it once before forking its pool, which then shares the pages."""
    with contextlib.suppress(ExtractionError):
        article_extract(body=_WARM_UP_PAGE, content_type="text/html; charset=utf-8")
    py3langid.classify(_WARM_UP_TEXT)


def article_extract(*, body: bytes, content_type: str = "", url: str = "") -> Extracted:
    """Main text, title, publisher, language and date of an HTML page; raise ExtractionError if none."""
    html = html_decode(body, content_type)
    if not html.strip():
        raise ExtractionError("empty page")
    # fast: no readability/jusText fallback pass, which costs about a third of the time and (on news
    # pages with an <article>) changes nothing the main extractor found.
    document = trafilatura.bare_extraction(
        html, url=url or None, with_metadata=True, include_comments=False, include_tables=False, fast=True
    )
    text = text_normalise(document.text or "") if document is not None else ""
    if len(text.split()) < MIN_WORDS:
        raise ExtractionError("no main text found on the page")
    return Extracted(
        text=text,
        title=text_normalise(document.title or "")[:1000],
        publisher=text_normalise(document.sitename or "")[:300],
        language=_language(html, text),
        published_on=_date(document.date),
    )
