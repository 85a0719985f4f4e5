"""Load a record file (the reference record, or the smaller demo) through the record services.

The file holds `actors` and `red_lines` (each with its `sources` and `events`), and optionally
`extra_events` (events with a `red_line` slug, for lines already in the file or the database).
What the file names, it decides: a missing actor, line or event is created, and one whose fields
differ is updated to the file's values, so a second run changes nothing and an edited file changes
what was edited. What the file does not name (curators' own lines and events) is left alone.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from django.db import transaction

from tracker.errors import DomainError
from tracker.models import Actor, Event, RedLine, Source
from tracker.services import record

PACKAGE = Path(__file__).resolve().parent.parent
REFERENCE_FILE = PACKAGE / "reference" / "record.json"
DEMO_FILE = PACKAGE / "demo" / "demo_record.json"

# What a file gives as plain values (relations are given by slug and resolved here).
ACTOR_FIELDS = tuple(f for f in record.ACTOR_FIELDS if f != "affiliation")
LINE_FIELDS = tuple(f for f in record.RED_LINE_FIELDS if f not in ("declared_by", "declared_on", "restates"))
# What a file's source gives (the article a source came from is never in a file).
SOURCE_FIELDS = tuple(f for f in record.SOURCE_FIELDS if f != "article")


@dataclass
class LoadReport:
    actors_created: int = 0
    actors_updated: int = 0
    red_lines_created: int = 0
    red_lines_updated: int = 0
    events_created: int = 0
    events_updated: int = 0

    @property
    def changed(self) -> bool:
        return any(vars(self).values())

    def __str__(self) -> str:
        return ", ".join(
            f"{getattr(self, f'{noun}_{verb}')} {noun.replace('_', ' ')} {verb}"
            for noun in ("actors", "red_lines", "events")
            for verb in ("created", "updated")
        )


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _sources(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        unknown = set(item) - set(SOURCE_FIELDS)
        if unknown:
            raise DomainError(f"Unknown source fields: {', '.join(sorted(unknown))}", field="sources")
        source = {name: item.get(name) or "" for name in SOURCE_FIELDS}
        source["published_on"] = _day(item.get("published_on"))
        out.append(source)
    return out


def _same_sources(stored: Iterable[Source], wanted: list[dict[str, Any]]) -> bool:
    """The same sources in any order (the record orders them by date)."""

    def key(source: Mapping[str, Any]) -> tuple:
        return tuple(str(source[name] or "") for name in SOURCE_FIELDS)

    have = [{name: getattr(s, name) for name in SOURCE_FIELDS} for s in stored]
    return sorted(map(key, have)) == sorted(map(key, wanted))


def _changed(instance: Any, wanted: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in wanted.items() if getattr(instance, name) != value}


def _updates(
    instance: RedLine | Event,
    wanted: Mapping[str, Any],
    relation: str,
    related: list[Actor],
    sources: list[dict[str, Any]],
) -> dict[str, Any]:
    """The arguments of the update service for what differs from the file (empty: nothing does)."""
    updates = _changed(instance, wanted)
    if {a.pk for a in related} != {a.pk for a in getattr(instance, relation).all()}:
        updates[relation] = related
    if not _same_sources(instance.sources.all(), sources):
        updates["sources"] = sources
    return updates


def _load_actors(items: list[dict[str, Any]], report: LoadReport) -> dict[str, Actor]:
    actors = {a.slug: a for a in Actor.objects.filter(slug__in=[a["slug"] for a in items])}
    for item in items:
        wanted = {name: item[name] for name in ACTOR_FIELDS if name in item}
        actor = actors.get(item["slug"])
        if actor is None:
            actors[item["slug"]] = record.actor_create(slug=item["slug"], **wanted)
            report.actors_created += 1
        elif changes := _changed(actor, wanted):
            record.actor_update(actor=actor, **changes)
            report.actors_updated += 1
    named = {s for item in items if (s := item.get("affiliation"))} - set(actors)
    actors.update({a.slug: a for a in Actor.objects.filter(slug__in=named)})
    for item in items:
        actor = actors[item["slug"]]
        affiliation = _actor(actors, item["affiliation"]) if item.get("affiliation") else None
        if actor.affiliation_id != (affiliation.pk if affiliation else None):
            record.actor_update(actor=actor, affiliation=affiliation)
            report.actors_updated += 1
    return actors


def _actor(actors: dict[str, Actor], slug: str) -> Actor:
    if slug not in actors:
        found = Actor.objects.filter(slug=slug).first()
        if found is None:
            raise DomainError(f"No actor {slug!r} in the file or the record.")
        actors[slug] = found
    return actors[slug]


def _load_line(
    item: dict[str, Any], lines: dict[str, RedLine], actors: dict[str, Actor], report: LoadReport
) -> RedLine:
    restates = item.get("restates")
    if restates and restates not in lines:
        lines[restates] = RedLine.objects.filter(slug=restates).first() or _missing_line(restates)
    wanted = {name: item[name] for name in LINE_FIELDS if name in item}
    wanted |= {
        "declared_by": _actor(actors, item["declared_by"]),
        "declared_on": _day(item["declared_on"]),
        "restates": lines[restates] if restates else None,
    }
    addressees = [_actor(actors, slug) for slug in item.get("addressees", [])]
    sources = _sources(item["sources"])
    line = lines.get(item["slug"])
    if line is None:
        line = record.red_line_create(slug=item["slug"], addressees=addressees, sources=sources, **wanted)
        lines[line.slug] = line
        report.red_lines_created += 1
        return line
    if updates := _updates(line, wanted, "addressees", addressees, sources):
        record.red_line_update(red_line=line, **updates)
        report.red_lines_updated += 1
    return line


def _missing_line(slug: str) -> NoReturn:
    raise DomainError(f"No red line {slug!r} in the file or the record.")


def _load_events(
    line: RedLine, items: list[dict[str, Any]], actors: dict[str, Actor], report: LoadReport
) -> None:
    """Match each event by kind, date and summary, else by kind and date alone (a reworded summary)."""
    stored = list(Event.objects.filter(red_line=line).prefetch_related("actors", "sources"))
    wanted = [
        (
            item,
            {
                "kind": item["kind"],
                "occurred_on": _day(item["occurred_on"]),
                "summary": item["summary"],
                "partial": item.get("partial", False),
            },
        )
        for item in items
    ]
    matched: dict[int, Event] = {}
    for exact in (True, False):
        for i, (_, fields) in enumerate(wanted):
            if i in matched:
                continue
            for event in stored:
                same = (event.kind, event.occurred_on) == (fields["kind"], fields["occurred_on"])
                if same and (not exact or event.summary == fields["summary"]):
                    matched[i] = event
                    stored.remove(event)
                    break
    for i, (item, fields) in enumerate(wanted):
        event_actors = [_actor(actors, slug) for slug in item.get("actors", [])]
        sources = _sources(item["sources"])
        event = matched.get(i)
        if event is None:
            record.event_record(red_line=line, actors=event_actors, sources=sources, **fields)
            report.events_created += 1
            continue
        if updates := _updates(event, fields, "actors", event_actors, sources):
            record.event_update(event=event, **updates)
            report.events_updated += 1


@transaction.atomic
def record_file_load(*, path: Path = REFERENCE_FILE) -> LoadReport:
    """Bring the record in line with the file at `path`, all or nothing (see the module docstring)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    report = LoadReport()
    actors = _load_actors(data.get("actors", []), report)
    items = data.get("red_lines", [])
    lines = {r.slug: r for r in RedLine.objects.filter(slug__in=[r["slug"] for r in items])}
    events: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        _load_line(item, lines, actors, report)
        events[item["slug"]] = list(item.get("events", []))
    for extra in data.get("extra_events", []):
        slug = extra["red_line"]
        if slug not in lines:
            lines[slug] = RedLine.objects.filter(slug=slug).first() or _missing_line(slug)
        events.setdefault(slug, []).append({k: v for k, v in extra.items() if k != "red_line"})
    for slug, line_events in events.items():
        _load_events(lines[slug], line_events, actors, report)
    return report


def demo_record_load() -> LoadReport:
    """The demo record: the seed story and a dozen other lines (tests and quick looks)."""
    return record_file_load(path=DEMO_FILE)
