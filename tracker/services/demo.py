"""Load the demo record (the seed story and a dozen other lines) through the record services."""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction

from tracker.models import Actor, Event, RedLine
from tracker.services import record

DEMO_FILE = Path(__file__).resolve().parent.parent / "demo" / "demo_record.json"


@dataclass
class LoadReport:
    actors_created: int = 0
    red_lines_created: int = 0
    events_created: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.actors_created or self.red_lines_created or self.events_created)


def _sources(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**s, "published_on": date.fromisoformat(s["published_on"]) if s.get("published_on") else None}
        for s in items
    ]


@transaction.atomic
def demo_record_load(*, path: Path = DEMO_FILE) -> LoadReport:
    """Create what is missing; existing actors, lines and events are left as curators made them."""
    data = json.loads(path.read_text(encoding="utf-8"))
    report = LoadReport()
    actors = {a.slug: a for a in Actor.objects.filter(slug__in=[a["slug"] for a in data["actors"]])}
    for item in data["actors"]:
        if item["slug"] in actors:
            continue
        fields = {k: v for k, v in item.items() if k not in ("slug", "affiliation")}
        actors[item["slug"]] = record.actor_create(slug=item["slug"], **fields)
        report.actors_created += 1
    for item in data["actors"]:
        actor = actors[item["slug"]]
        if item.get("affiliation") and actor.affiliation_id is None:
            record.actor_update(actor=actor, affiliation=actors[item["affiliation"]])

    lines = {r.slug: r for r in RedLine.objects.filter(slug__in=[r["slug"] for r in data["red_lines"]])}
    for item in data["red_lines"]:
        line = lines.get(item["slug"])
        if line is None:
            fields = {
                k: v
                for k, v in item.items()
                if k
                not in ("slug", "addressees", "sources", "events", "declared_by", "restates", "declared_on")
            }
            line = record.red_line_create(
                slug=item["slug"],
                declared_by=actors[item["declared_by"]],
                declared_on=date.fromisoformat(item["declared_on"]),
                restates=lines.get(item["restates"]) if item.get("restates") else None,
                addressees=[actors[s] for s in item["addressees"]],
                sources=_sources(item["sources"]),
                **fields,
            )
            lines[line.slug] = line
            report.red_lines_created += 1
        existing = set(Event.objects.filter(red_line=line).values_list("kind", "occurred_on", "summary"))
        for ev in item["events"]:
            occurred_on = date.fromisoformat(ev["occurred_on"])
            if (ev["kind"], occurred_on, ev["summary"]) in existing:
                continue
            record.event_record(
                red_line=line,
                kind=ev["kind"],
                occurred_on=occurred_on,
                summary=ev["summary"],
                partial=ev.get("partial", False),
                actors=[actors[s] for s in ev.get("actors", [])],
                sources=_sources(ev["sources"]),
            )
            report.events_created += 1
    return report
