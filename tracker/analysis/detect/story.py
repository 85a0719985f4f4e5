"""The whole-story step: article-level signals for what the sentence rules found, and low-prior
proposals of what the story as a whole reports."""

import datetime
from dataclasses import dataclass

from .. import article as story_signals
from .. import lexicon as lx
from ..actors import ActorMatcher
from ..calibration import STORY
from ..lines import LineIndex, LineProfile, features_of
from ..text import tokens_of
from .findings import CROSSING, NEW_RED_LINE, RESPONSE, RESTATEMENT, Finding, _signals_text
from .sentences import _ANSWER, _RESPONSE, _STRONG, _WEAK, _find, _occurred, _Sent
from .speakers import _state_of


def _story(
    sents: list[_Sent], *, title: str, title_actors: set[int]
) -> tuple[story_signals.StoryView, list[_Sent]]:
    """The story's view for the article-level signals, and the readable sentences it indexes."""
    title_norms = [t.norm for t in tokens_of(title[:1000])]
    readable = [s for s in sents if not s.boilerplate and s.tokens]
    return story_signals.StoryView(
        title_features=frozenset(features_of(title)),
        title_actors=frozenset(title_actors),
        lead_actors=frozenset(m.actor_id for s in readable if s.sentence.paragraph <= 1 for m in s.mentions),
        sentence_features=tuple(frozenset(s.features) for s in readable),
        sentence_actors=tuple(frozenset(m.actor_id for m in s.mentions) for s in readable),
        title_warns=bool(title_norms)
        and bool(
            _find(title_norms, _STRONG) or _find(title_norms, _WEAK) or set(title_norms) & lx.WARNING_VERBS
        ),
        answer_sentences=frozenset(i for i, s in enumerate(readable) if _ANSWER.search(s.sentence.text)),
        action_sentences=frozenset(i for i, s in enumerate(readable) if _find(s.norms, _RESPONSE)),
    ), readable


@dataclass
class _Story:
    """One article as the whole-story step reads it."""

    view: story_signals.StoryView
    readable: list[_Sent]
    candidates: list[LineProfile]
    published_on: datetime.date
    index: LineIndex


def _whole_story(st: _Story, findings: list[Finding], matcher: ActorMatcher, trace: list[str] | None) -> None:
    """Add the whole story's signals to each crossing and response the rules found, and propose, as
    low-prior findings the calibration weighs, lines the story as a whole reports without any one
    sentence the rules accept."""
    found = {(f.kind, f.red_line): f for f in findings if f.kind in (CROSSING, RESPONSE)}
    crossing_here = any(f.kind == CROSSING for f in findings)
    for f in findings:
        if f.kind in (NEW_RED_LINE, RESTATEMENT) and f.declarer is not None:
            f.signals.update(
                story_signals.declaration_signals(
                    f.declarer, _state_of(matcher, f.declarer), st.view, crossing_here
                )
            )
    _whole_story_declarations(st, findings, trace)
    for line in st.candidates:
        for kind, record, wanted in (
            (CROSSING, story_signals.crossing_record_signals, line.trigger_features),
            (RESPONSE, story_signals.response_record_signals, line.threat_features),
        ):
            finding = found.get((kind, line.id))
            if finding is not None:
                if kind == CROSSING:
                    finding.signals.update(_story_signals(st, kind, line, found))
                continue
            record_signals = record(line, st.published_on)
            # Most candidates get no help from the record, and so no proposal: their story signals,
            # the costly part, are not worked out.
            if not story_signals.record_helps(record_signals):
                continue
            signals = {**_story_signals(st, kind, line, found), **record_signals}
            worth = (
                story_signals.crossing_worth_proposing(signals)
                if kind == CROSSING
                else story_signals.response_worth_proposing(signals)
            )
            if not worth or not st.readable:
                continue
            finding = _story_finding(st, kind, line, wanted or line.trigger_features, signals, trace)
            if kind == RESPONSE:
                finding.declarer = line.declared_by
            else:
                finding.trigger = line.title
            finding.occurred_on = _occurred(finding.evidence, st.published_on)
            findings.append(finding)


def _story_signals(st: _Story, kind: str, line: LineProfile, found: dict) -> dict:
    """The whole story's signals that it reports `line` crossed, or answered."""
    if kind == CROSSING:
        return story_signals.crossing_signals(line, st.view, st.published_on, st.index)
    return story_signals.response_signals(line, st.view, st.index, crossed_here=(CROSSING, line.id) in found)


def _story_finding(
    st: _Story, kind: str, line: LineProfile, wanted: tuple[str, ...], signals: dict, trace: list[str] | None
) -> Finding:
    """A whole-story proposal: its evidence is the sentence carrying most of what the line names."""
    pos, _ = story_signals.best_sentence(st.view, wanted, st.index)
    s = st.readable[max(pos, 0)]
    if trace is not None:
        trace.append(f"{kind} {line.slug} from the whole story ({_signals_text(signals)})")
    return Finding(
        kind=kind,
        start=s.sentence.start,
        end=s.sentence.end,
        evidence=s.sentence.text,
        score=0.0,
        red_line=line.id,
        signals={**signals, STORY: 1.0},
    )


def _whole_story_declarations(st: _Story, findings: list[Finding], trace: list[str] | None) -> None:
    """Propose, as low-prior findings, the restatement of a line the record has declared or restated
    in the days around the story, when the story puts its declarer up front and carries its words
    but no sentence passed the declaration rules for it."""
    if not st.readable:
        return
    restated = {(f.declarer, f.red_line) for f in findings if f.kind == RESTATEMENT}
    named = [m.actor_id for s in st.readable for m in s.mentions]
    up_front = st.view.title_actors | st.view.lead_actors
    lines = {line.id: line for line in st.candidates}
    lines.update(
        (line.id, line) for line in st.index.declared_by(up_front) if line.declared_on <= st.published_on
    )
    for line in lines.values():
        if any((member, line.id) in restated for member in line.declarer_group):
            continue
        record = story_signals.restatement_record_signals(line, st.published_on)
        if not (record["near_declared"] or record["near_reaffirmed"]):
            continue
        signals = {**story_signals.restatement_signals(line, st.view, st.index), **record}
        if not story_signals.restatement_worth_proposing(signals):
            continue
        # The declarer as the story names it: the line's own declarer when it is up front, else the
        # first of its side named up front (a spokesman's state), else the first named anywhere.
        declarer = (
            line.declared_by
            if line.declared_by in up_front
            else next((a for a in named if a in line.declarer_group and a in up_front), None)
            or next((a for a in named if a in line.declarer_group), line.declared_by)
        )
        finding = _story_finding(st, RESTATEMENT, line, line.line_features, signals, trace)
        finding.declarer = declarer
        finding.addressees = sorted(line.addressees)
        finding.actors = [declarer, *finding.addressees]
        finding.trigger = line.title
        findings.append(finding)
