"""A synthetic record at scale for benchmarks: bulk rows, status derived by the same pure rules.

Rows are built in Python in batches of lines (with their events, sources and status history)
and written with COPY. No record service runs, so the derived state is made here: status and
status changes with `tracker.rules.status`, publication as written (everything is sourced); the
follow-through outcomes and the actors' counts are computed once at the end; the trigger fills
`search_vector` as rows arrive.
"""

import csv
import io
import json
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from tracker.models import Actor, Event, RedLine, Source, StatusChange
from tracker.rules import status as rules
from tracker.services.actor_counts import actor_counts_refresh
from tracker.services.derived import red_line_outcomes_refresh

SYLLABLES = [
    "ka",
    "lo",
    "ri",
    "ta",
    "ven",
    "mar",
    "sol",
    "dor",
    "an",
    "bel",
    "cas",
    "tor",
    "ul",
    "mi",
    "zen",
    "ra",
    "no",
    "vik",
    "el",
    "sa",
    "gor",
]
KINDS = ["state"] * 5 + ["person"] * 8 + ["organization", "alliance", "armed_group", "group"]
COUNTRIES = [
    "RU",
    "US",
    "UA",
    "CN",
    "FR",
    "DE",
    "GB",
    "TR",
    "IR",
    "IL",
    "IN",
    "PK",
    "KP",
    "KR",
    "JP",
    "PL",
    "BY",
    "SY",
    "SA",
    "EG",
    "BR",
    "ZA",
    "NG",
]
WEAPONS = [
    "long-range missiles",
    "cruise missiles",
    "fighter jets",
    "main battle tanks",
    "air defence systems",
    "attack drones",
    "artillery shells",
    "ballistic missiles",
    "naval mines",
    "cluster munitions",
]
ACTIONS = [
    ("weapons_transfer", "the delivery of {w} to {a}"),
    ("strikes_on_territory", "strikes on {d} territory with {w}"),
    ("alliance_enlargement", "{a} joining a military alliance aimed at {d}"),
    ("foreign_deployment", "the deployment of foreign troops and {w} in {a}"),
    ("wmd_use", "any use of chemical or nuclear weapons by {a}"),
    ("territorial_change", "the annexation of disputed provinces by {a}"),
    ("diplomatic_contact", "official visits by {a} leaders to the breakaway region"),
    ("economic_measure", "a full embargo by {a} on {d} energy exports"),
    ("other", "a naval blockade of {d} ports by {a}"),
]
RESPONSES = {
    "diplomatic": ["the recall of ambassadors", "the suspension of talks", "a formal protest"],
    "economic": ["counter-sanctions", "a halt to gas deliveries", "tariffs on all imports"],
    "military": ["a military response", "strikes on the supply routes", "corresponding decisions"],
    "nuclear": ["a change to the nuclear doctrine", "nuclear readiness drills", "the gravest consequences"],
}
VERBS = ["warned", "declared", "stated", "told reporters", "said in a televised address", "wrote"]
EVENT_TEXT = {
    "restatement": "{d} repeated the warning about {t} at a press conference in the capital.",
    "crossing": "Reports confirmed {t}, despite the warnings of {d}.",
    "response": "{d} answered with {r} after {t}.",
    "withdrawal": "{d} dropped its objection to {t} after negotiations.",
}
EVENT_KINDS = ["restatement"] * 10 + ["crossing"] * 6 + ["response"] * 4 + ["withdrawal"]
PUBLISHERS = ["Example Wire", "Daily Ledger", "Global Monitor", "The Courier", "Regional Times"]
EPOCH = date(2000, 1, 1)


@dataclass(frozen=True)
class SyntheticReport:
    actors: int
    red_lines: int
    events: int
    sources: int
    status_changes: int


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


class _Writer:
    """Append rows per model and flush them with COPY."""

    def __init__(self) -> None:
        self.rows: dict[type[models.Model], list[dict[str, Any]]] = {}

    def add(self, model: type[models.Model], row: dict[str, Any]) -> None:
        self.rows.setdefault(model, []).append(row)

    def flush(self, order: Iterable[type[models.Model]]) -> None:
        with transaction.atomic():
            for model in order:
                rows = self.rows.pop(model, [])
                if not rows:
                    continue
                _copy(model, rows)


def _cell(value: Any) -> Any:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list | dict):
        return json.dumps(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _copy(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    fields = [f for f in model._meta.concrete_fields if f.attname in rows[0]]
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in rows:
        writer.writerow([_cell(row[f.attname]) for f in fields])
    buf.seek(0)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buf)


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1


def synthetic_record_generate(
    *,
    actors: int = 2_000,
    red_lines: int = 100_000,
    events: int = 1_000_000,
    seed: int = 1,
    batch_lines: int = 5_000,
    progress: Callable[[str], None] | None = None,
) -> SyntheticReport:
    """Add a synthetic but plausible record: every line and event sourced, status derived."""
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    span_days = (today - EPOCH).days
    through_addr = RedLine.addressees.through
    through_actors = Event.actors.through
    ids = {m: _next_id(m) for m in (Actor, RedLine, Event, Source, StatusChange)}
    ids[through_addr] = _next_id(through_addr)
    ids[through_actors] = _next_id(through_actors)

    def take(model: type[models.Model]) -> int:
        ids[model] += 1
        return ids[model] - 1

    writer = _Writer()
    actor_rows: list[tuple[int, str, str]] = []
    for _ in range(actors):
        pk = take(Actor)
        kind = rng.choice(KINDS)
        name = _name(rng) if kind != "person" else f"{_name(rng)} {_name(rng)}"
        country = rng.choice(COUNTRIES) if kind in ("state", "person") else ""
        actor_rows.append((pk, name, kind))
        writer.add(
            Actor,
            {
                "id": pk,
                "created_at": now,
                "updated_at": now,
                "slug": f"{name.lower().replace(' ', '-')}-{pk}",
                "name": name,
                "kind": kind,
                "country": country,
                "affiliation_id": None,
                "aliases": [f"the {name} government", name.upper()] if kind == "state" else [],
                "wikidata_id": f"Q{pk}",
                "description": f"Synthetic {kind.replace('_', ' ')} number {pk}, used for benchmarks.",
            },
        )
    writer.flush([Actor])
    if not actor_rows:
        actor_rows = [(a.pk, a.name, a.kind) for a in Actor.objects.all()[:1000]]

    events_left = events
    counts = {"lines": 0, "events": 0, "sources": 0, "changes": 0}
    for start in range(0, red_lines, batch_lines):
        n_lines = min(batch_lines, red_lines - start)
        for i in range(n_lines):
            lines_left = red_lines - start - i
            n_events = min(events_left, rng.randint(0, max(0, 2 * events_left // lines_left)))
            if lines_left == 1:
                n_events = events_left
            events_left -= n_events
            _line(rng, writer, take, actor_rows, now, today, span_days, n_events, counts)
        writer.flush([RedLine, through_addr, Event, through_actors, Source, StatusChange])
        if progress:
            progress(f"{start + n_lines} lines, {counts['events']} events")

    with connection.cursor() as cursor:
        # Statistics first: without them the planner reads the outcome subqueries over a million
        # events by kind and date instead of by line (minutes instead of seconds).
        cursor.execute(f"ANALYZE {Event._meta.db_table}, {Source._meta.db_table}")
    red_line_outcomes_refresh()
    actor_counts_refresh()
    with connection.cursor() as cursor:
        models_touched = [Actor, RedLine, Event, Source, StatusChange, through_addr, through_actors]
        for sql in connection.ops.sequence_reset_sql(no_style(), models_touched):
            cursor.execute(sql)
        # VACUUM too (not possible inside a transaction): a live database's autovacuum keeps
        # the visibility map that index-only scans (deep list pages) rely on.
        verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        for model in models_touched:
            cursor.execute(f"{verb} {connection.ops.quote_name(model._meta.db_table)}")
    return SyntheticReport(
        actors=actors,
        red_lines=counts["lines"],
        events=counts["events"],
        sources=counts["sources"],
        status_changes=counts["changes"],
    )


def _line(
    rng: random.Random,
    writer: _Writer,
    take: Callable[[type[models.Model]], int],
    actor_rows: list[tuple[int, str, str]],
    now: datetime,
    today: date,
    span_days: int,
    n_events: int,
    counts: dict[str, int],
) -> None:
    pk = take(RedLine)
    declarer, addressee = rng.sample(actor_rows, 2) if len(actor_rows) > 1 else (actor_rows[0],) * 2
    category, template = rng.choice(ACTIONS)
    severity = rng.choice(["diplomatic", "economic", "military", "military", "nuclear"])
    weapon = rng.choice(WEAPONS)
    trigger = template.format(w=weapon, a=addressee[1], d=f"{declarer[1]}'s")
    response = rng.choice(RESPONSES[severity])
    declared_on = EPOCH + timedelta(days=rng.randrange(span_days))
    title = f"{declarer[1]} on {trigger[:120]}"
    statement = (
        f"{declarer[1]} {rng.choice(VERBS)} that {trigger} would be unacceptable "
        f"and would be met with {response}."
    )
    facts = []
    event_rows = []
    for _ in range(n_events):
        kind = rng.choice(EVENT_KINDS)
        occurred_on = declared_on + timedelta(days=rng.randrange((today - declared_on).days + 1))
        event_id = take(Event)
        facts.append(rules.EventFact(kind, occurred_on, now, event_id))
        event_rows.append(
            {
                "id": event_id,
                "created_at": now,
                "updated_at": now,
                "red_line_id": pk,
                "kind": kind,
                "occurred_on": occurred_on,
                "summary": EVENT_TEXT[kind].format(d=declarer[1], t=trigger, r=response),
                "partial": kind == "crossing" and rng.random() < 0.1,
                "is_public": True,  # every synthetic event is sourced, every line published
            }
        )
    result = rules.derive(facts, declared_on=declared_on)
    writer.add(
        RedLine,
        {
            "id": pk,
            "created_at": now,
            "updated_at": now,
            "slug": f"synthetic-line-{pk}",
            "title": title,
            "declared_by_id": declarer[0],
            "declared_on": declared_on,
            "statement": statement,
            "trigger": trigger,
            "threatened_response": response,
            "explicitness": "explicit" if rng.random() < 0.7 else "implicit",
            "severity": severity,
            "category": category,
            # From the id, not the random stream, so every other value stays what the seed gave.
            "theatre": RedLine.Theatre.values[pk % len(RedLine.Theatre.values)],
            "topics": sorted({weapon.split()[-1], category.split("_")[0]}),
            "restates_id": None,
            "status": result.status,
            "status_changed_on": result.status_changed_on,
            "last_reaffirmed_on": result.last_reaffirmed_on,
            "first_crossed_on": None,  # by red_line_outcomes_refresh, once the events are in
            "first_response_on": None,
            "is_published": True,
        },
    )
    writer.add(
        RedLine.addressees.through,
        {"id": take(RedLine.addressees.through), "redline_id": pk, "actor_id": addressee[0]},
    )
    _source(rng, writer, take, now, {"red_line_id": pk, "event_id": None}, declared_on, statement)
    for row in event_rows:
        writer.add(Event, row)
        actor_id = addressee[0] if row["kind"] == "crossing" else declarer[0]
        writer.add(
            Event.actors.through,
            {"id": take(Event.actors.through), "event_id": row["id"], "actor_id": actor_id},
        )
        _source(
            rng,
            writer,
            take,
            now,
            {"red_line_id": None, "event_id": row["id"]},
            row["occurred_on"],
            row["summary"],
        )
    changes = [("", rules.ACTIVE, declared_on, None, "declared")]
    changes += [(t.old, t.new, t.on, t.event.id, "synthetic history") for t in result.transitions]
    for old, new, on, event_id, reason in changes:
        writer.add(
            StatusChange,
            {
                "id": take(StatusChange),
                "red_line_id": pk,
                "changed_on": on,
                "old_status": old,
                "new_status": new,
                "event_id": event_id,
                "reason": reason,
                "recorded_at": now,
            },
        )
    counts["lines"] += 1
    counts["events"] += n_events
    counts["sources"] += 1 + n_events
    counts["changes"] += len(changes)


def _source(
    rng: random.Random,
    writer: _Writer,
    take: Callable[[type[models.Model]], int],
    now: datetime,
    parent: dict[str, int | None],
    published_on: date,
    quote: str,
) -> None:
    pk = take(Source)
    writer.add(
        Source,
        {
            "id": pk,
            "created_at": now,
            "updated_at": now,
            **parent,
            "url": f"https://news.example.org/synthetic/{pk}",
            "publisher": rng.choice(PUBLISHERS),
            "title": quote[:80],
            "published_on": published_on,
            "language": "en",
            # A whole sentence is a summary of the source, not a quote (at most 12 words).
            "quote": "",
            "quote_translation": "",
            "note": quote,
            "article_id": None,
        },
    )
