"""The status rules, as pure functions over a line's events.

Events are ordered by `occurred_on`, then by creation. Only the kind, the date and the
creation order matter; restatements never change status.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

ACTIVE, CROSSED, ENFORCED, WITHDRAWN = "active", "crossed", "enforced", "withdrawn"
RESTATEMENT, CROSSING, RESPONSE, WITHDRAWAL = "restatement", "crossing", "response", "withdrawal"
DECISIVE = (CROSSING, RESPONSE, WITHDRAWAL)

EXPLANATION = {
    ACTIVE: "No crossing and no withdrawal has been recorded.",
    CROSSED: "The line was crossed and no response is recorded on or after the latest crossing.",
    ENFORCED: "The declarer responded on or after the latest crossing.",
    WITHDRAWN: "The latest crossing, response or withdrawal is a withdrawal.",
}


@dataclass(frozen=True)
class EventFact:
    kind: str
    occurred_on: date
    created_at: datetime | None = None
    id: int | None = None

    @classmethod
    def of(cls, event: Any) -> "EventFact":
        if isinstance(event, EventFact):
            return event
        if isinstance(event, dict):
            return cls(event["kind"], event["occurred_on"], event.get("created_at"), event.get("id"))
        return cls(event.kind, event.occurred_on, event.created_at, event.pk)


@dataclass(frozen=True)
class Transition:
    on: date
    old: str
    new: str
    event: EventFact


@dataclass(frozen=True)
class StatusResult:
    status: str
    status_changed_on: date
    last_reaffirmed_on: date | None
    transitions: tuple[Transition, ...]


def _sort_key(fact: EventFact) -> tuple:
    return (fact.occurred_on, fact.created_at or datetime.min, fact.id or 0)


def ordered(events: Iterable[Any]) -> list[EventFact]:
    """Events as facts, ordered by date, then creation."""
    return sorted((EventFact.of(e) for e in events), key=_sort_key)


def derive_status(events: Iterable[Any]) -> str:
    """The status the rules give for these events, computed from scratch."""
    facts = ordered(events)
    decisive = [f for f in facts if f.kind in DECISIVE]
    if decisive and decisive[-1].kind == WITHDRAWAL:
        return WITHDRAWN
    crossings = [f.occurred_on for f in facts if f.kind == CROSSING]
    if not crossings:
        return ACTIVE
    latest = max(crossings)
    if any(f.kind == RESPONSE and f.occurred_on >= latest for f in facts):
        return ENFORCED
    return CROSSED


def replay(events: Sequence[Any]) -> list[Transition]:
    """Walk the events in order as a state machine and return each change of status."""
    status = ACTIVE
    has_crossing = False
    last_response: date | None = None
    transitions: list[Transition] = []
    for fact in ordered(events):
        new = status
        if fact.kind == CROSSING:
            has_crossing = True
            new = ENFORCED if last_response is not None and last_response >= fact.occurred_on else CROSSED
        elif fact.kind == RESPONSE:
            last_response = fact.occurred_on
            new = ENFORCED if has_crossing else ACTIVE
        elif fact.kind == WITHDRAWAL:
            new = WITHDRAWN
        if new != status:
            transitions.append(Transition(fact.occurred_on, status, new, fact))
            status = new
    return transitions


def derive(events: Iterable[Any], *, declared_on: date) -> StatusResult:
    """Status, the date it took effect, last reaffirmation and the dated transitions.

    A line's follow-through outcome is computed in SQL (`tracker.rules.follow_through`).
    """
    facts = ordered(events)
    transitions = tuple(replay(facts))
    status = derive_status(facts)
    restated = [f.occurred_on for f in facts if f.kind == RESTATEMENT]
    return StatusResult(
        status=status,
        status_changed_on=transitions[-1].on if transitions else declared_on,
        last_reaffirmed_on=max(restated) if restated else None,
        transitions=transitions,
    )


def status_as_of(events: Iterable[Any], as_of: date) -> str:
    """The status on a past date: only events dated up to that day count."""
    return derive_status(f for f in ordered(events) if f.occurred_on <= as_of)
