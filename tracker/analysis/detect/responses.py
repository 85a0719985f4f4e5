"""Responses: the declarer's side doing what it threatened after a line was crossed."""

import datetime
import re

from ..actors import ActorMatcher
from ..dates import mentioned_date
from ..lines import LineIndex, LineProfile, features_of
from .findings import RESPONSE, RESPONSE_LINK, TARGET_RESPONSE_DAYS, Finding
from .sentences import (
    _ANSWER,
    _BACKGROUND,
    _HEDGED_CLAIM,
    _MAYBE,
    _POLICY,
    _RESPONSE,
    _UNREAL,
    _find,
    _local,
    _occurred,
    _Sent,
)
from .speakers import _agent_after, _state_of


def _responses(
    sents: list[_Sent],
    crossed: dict[int, tuple[LineProfile, Finding]],
    candidates: list[LineProfile],
    matcher: ActorMatcher,
    published_on: datetime.date,
    findings: list[Finding],
    index: LineIndex,
    trace: list[str] | None = None,
) -> None:
    """The declarer's side doing what it threatened, or a measure it presents as the answer, after
    the line's first crossing: reported in the same article, or already in the record.

    Each sentence answers at most one line: the one its stated cause and its action fit best, the
    line crossed in this article first, then the most recently crossed (a retaliation answers the
    latest provocation, not one of years ago)."""
    open_lines = {line.id: line for line, _ in crossed.values()}
    for line in candidates:
        if line.first_crossed_on is not None and line.first_crossed_on <= published_on:
            open_lines.setdefault(line.id, line)
    if not open_lines:
        return
    best: dict[int, Finding] = {}
    focus: int | None = None
    for s in sents:
        if s.mentions and _local(s.mentions[0], s) <= 3:
            focus = s.mentions[0].actor_id
        if s.boilerplate or s.is_declaration or s.is_warning_talk:
            continue
        norms = s.norms
        if any(w in ("if", "should", "unless", "whether") for w in norms):
            continue
        cues = _find(norms, _RESPONSE)
        policy = _find(norms, _POLICY)
        if not cues and not policy:
            continue
        text = s.sentence.text
        if any(p.search(text) for p in _BACKGROUND) or _HEDGED_CLAIM.search(text):
            continue
        cues = sorted(cues + policy)
        first_cue = cues[0][0]
        before = [m for m in s.mentions if _local(m, s) < first_cue]
        # "The United States, Britain and France launched ...": each of the coordinated subjects acts.
        subjects: set[int] = set()
        if before:
            subject = before[0].actor_id
            subjects = {subject}
            for prev, m in zip(before, before[1:], strict=False):
                if not _COORDINATED.match(
                    s.sentence.text[prev.end - s.sentence.start : m.start - s.sentence.start]
                ):
                    break
                subjects.add(m.actor_id)
            # The actor nearest before the action is who did it: in "X said that before dawn Y had
            # fired", Y (the line's addressee) fired, and that is the crossing, not a response.
            agent = before[-1].actor_id
            # "missiles fired by Sudria": a participle's agent is who did it, whoever told of it.
            agent = _agent_after(s, first_cue) or agent
        elif focus is not None and any(w in ("it", "they") for w in norms[max(0, first_cue - 3) : first_cue]):
            # "it struck", "they had launched": a pronoun subject (not "on its channel") stands for the focus.
            subject = agent = focus
            subjects = {focus}
        else:
            continue
        if any(w in _UNREAL for w in norms[max(0, first_cue - 2) : first_cue]):
            continue
        if any(w in _MAYBE for w in norms[first_cue + 1 : first_cue + 5]):
            continue  # "fear that US strikes in Yemen could unravel the truce": a strike imagined
        cause = _ANSWER.search(text)
        cause_features = features_of(text[cause.end() :]) if cause else set()
        when = mentioned_date(text, published_on)
        plain = len(cues) > len(policy)  # a retaliation verb, not only a policy act
        options: list[tuple[float, LineProfile, str]] = []
        for line in open_lines.values():
            actor = next(
                (
                    a
                    for a in [subject, *sorted(subjects)]
                    if a in line.declarer_group or _state_of(matcher, a) in line.declarer_group
                ),
                None,
            )
            if actor is None:
                continue
            if agent not in line.declarer_group and agent in (line.addressees | line.named_actors):
                continue
            if line.first_crossed_on is not None and when is not None and when < line.first_crossed_on:
                continue  # dated before the line was first crossed: not an answer to it
            in_article = line.id in crossed
            link = sum(index.idf(f) for f in cause_features.intersection(line.trigger_features))
            threat = sum(index.idf(f) for f in s.features.intersection(line.threat_features))
            crossed_on = published_on if in_article else line.first_crossed_on or published_on
            recency = (published_on - crossed_on).days
            # "Israel struck Iran", "US and British jets struck Houthi targets": the declarer's side hits
            # the one the line warned, while the line stands crossed in the record.
            targeted = (
                plain
                and recency <= TARGET_RESPONSE_DAYS
                and any(
                    m.actor_id in (line.addressees | line.named_actors) - line.declarer_group
                    and _local(m, s) > first_cue
                    for m in s.mentions
                )
            )
            if not (
                (in_article and plain)
                or link >= RESPONSE_LINK
                or (threat >= RESPONSE_LINK and link > 0)
                or (targeted and threat > 0)
            ):
                if trace is not None and (link or threat):
                    trace.append(
                        f"response? {line.slug}: too weak a link (cause {link:.1f}, threat {threat:.1f}): {text[:160]}"
                    )
                continue
            strength = link + 0.5 * threat + (4.0 if in_article else 0.0) + (2.0 if targeted else 0.0)
            strength += 3.0 if recency <= 45 else 1.5 if recency <= 365 else 0.0
            signals = {
                "link": min(1.0, link / 15),
                "threat": min(1.0, threat / 15),
                "here": 1.0 if in_article else 0.0,
                "recent": 1.0 if recency <= 45 else 0.0,
                "cues": min(3, len(cues)) / 3,
                "policy_only": 0.0 if plain else 1.0,
                "targeted": 1.0 if targeted else 0.0,
            }
            options.append(
                (
                    strength,
                    line,
                    f"cause {link:.1f} threat {threat:.1f} here {in_article} {recency}d",
                    signals,
                )
            )
        if not options:
            continue
        options.sort(key=lambda o: -o[0])
        strength, line, why, signals = options[0]
        score = round(min(0.9, 0.35 + 0.08 * min(3, len(cues)) + strength / 40), 3)
        signals = {"rule": score, **signals, "contested": 1.0 if len(options) > 1 else 0.0}
        if trace is not None:
            others = ", ".join(o[1].slug for o in options[1:3])
            trace.append(
                f"response {line.slug} ({why}) -> {score}{' over ' + others if others else ''}: {text[:160]}"
            )
        if best.get(line.id) is None or best[line.id].score < score:
            best[line.id] = Finding(
                kind=RESPONSE,
                start=s.sentence.start,
                end=s.sentence.end,
                evidence=text,
                score=score,
                red_line=line.id,
                declarer=line.declared_by,
                actors=[subject],
                occurred_on=_occurred(text, published_on),
                signals=signals,
            )
    findings.extend(best.values())


_COORDINATED = re.compile(r"^\s*(?:,|and|, and)\s*(?:the\s+)?$", re.I)
