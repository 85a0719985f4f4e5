"""OPML import: the feed list every feed reader exports."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from tracker.errors import DomainError
from tracker.models import Feed

from .feeds import feed_add, feed_url_validate

MAX_OPML_BYTES = 5 * 1024 * 1024


@dataclass
class OpmlEntry:
    url: str
    title: str


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    invalid: list[tuple[str, str]] = field(default_factory=list)


def opml_parse(data: bytes) -> list[OpmlEntry]:
    """The feeds (outlines with an ``xmlUrl``, at any depth) of an OPML document; entities are not expanded."""
    if len(data) > MAX_OPML_BYTES:
        raise DomainError(f"OPML file is larger than {MAX_OPML_BYTES} bytes", field="file")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise DomainError(f"not a well-formed OPML document: {exc}", field="file") from exc
    if root is None or etree.QName(root).localname.lower() != "opml":
        raise DomainError("not an OPML document (the root element is not <opml>)", field="file")
    entries, seen = [], set()
    for outline in root.iter("{*}outline", "outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not url or url in seen:
            continue
        seen.add(url)
        title = (outline.get("title") or outline.get("text") or "").strip()
        entries.append(OpmlEntry(url=url, title=title))
    return entries


def opml_import_entry(*, entry: OpmlEntry, result: ImportResult, resolve: bool = True) -> None:
    """Add one OPML feed, recording it as created, existing or invalid (with the reason)."""
    try:
        url = feed_url_validate(entry.url, resolve=resolve)
        if Feed.objects.filter(url=url).exists():
            result.existing.append(url)
            return
        feed_add(url=url, title=entry.title)
        result.created.append(url)
    except DomainError as exc:
        result.invalid.append((entry.url, exc.message))


def opml_import(*, data: bytes) -> ImportResult:
    """Add every feed of an OPML document that is not there yet; one bad entry does not stop the rest."""
    result = ImportResult()
    for entry in opml_parse(data):
        opml_import_entry(entry=entry, result=result)
    return result
