"""`analyse_text`: every rule run over one text, then the calibration model.

Pure functions over a text, an ActorMatcher and a LineIndex; nothing here touches the database.
"""

import datetime

from ..actors import ActorMatcher
from ..calibration import STORY, calibration_model
from ..lines import LineIndex
from ..text import text_prepare, tokens_of
from .crossings import _crossings
from .declarations import _declarations
from .findings import ANSWERED_MIN, CROSSING, RESPONSE, STORY_MIN, Analysis, Finding, _signals_text
from .responses import _responses
from .sentences import _DATELINE, _sentences
from .story import _Story, _story, _whole_story


def analyse_text(
    raw: str | bytes,
    *,
    matcher: ActorMatcher,
    index: LineIndex,
    published_on: datetime.date | None = None,
    title: str = "",
    trace: list[str] | None = None,
) -> Analysis:
    """Everything the rules propose for one text. Raises UnusableText when nothing can be read.

    With a `trace` list, the rules append one line per piece of evidence they weighed: what they
    considered, and the rule or score that decided (`--explain`)."""
    prepared = text_prepare(raw)
    text = prepared.text
    published_on = published_on or datetime.date.today()
    dateline = _DATELINE.match(text[:200])
    local: dict[str, int] = {}
    if title:
        matcher.mentions(tokens_of(title[:1000]), local=local)
    tokens = tokens_of(text)
    mentions = matcher.mentions(tokens, skip_until=dateline.end() if dateline else 0, local=local)
    sents = _sentences(text, tokens, mentions)

    findings: list[Finding] = []
    _declarations(sents, matcher, index, published_on, findings, title, trace)
    article_features: set[str] = set()
    article_actors: set[int] = set()
    for s in sents:
        if not s.boilerplate:
            article_features |= s.features
            article_actors.update(m.actor_id for m in s.mentions)
    candidates = [
        line
        for line in index.retrieve(features=article_features, actors=article_actors)
        if line.declared_on < published_on
    ]
    title_actors = {m.actor_id for m in matcher.mentions(tokens_of(title[:1000]))} if title else set()
    crossed, background = _crossings(sents, candidates, index, findings, published_on, title_actors, trace)
    answered = len(findings)
    model = calibration_model()
    # A response answers a crossing this article reports only when that crossing is likely right.
    believed = {
        k: v
        for k, v in crossed.items()
        if model.probability(CROSSING, v[1].signals, v[1].score) >= ANSWERED_MIN
    }
    _responses(sents, believed, candidates, matcher, published_on, findings, index, trace)
    for f in findings[answered:]:
        if f.red_line in background:
            findings.append(background[f.red_line][1])  # the crossing this article's response answers
    story, readable = _story(sents, title=title, title_actors=title_actors)
    _whole_story(_Story(story, readable, candidates, published_on, index), findings, matcher, trace)
    findings.sort(key=lambda f: f.start)
    for f in findings:
        if f.kind in (CROSSING, RESPONSE) and f.occurred_on is None:
            f.occurred_on = published_on
        f.rule_score = f.score
        f.score = model.probability(f.kind, f.signals, f.score)
        if trace is not None:
            trace.append(f"score {f.kind} {f.rule_score} -> {f.score} ({_signals_text(f.signals)})")
    # A whole-story proposal stands only when its model finds it more likely right than not (with
    # no model, while the model is being fitted, every proposal is kept).
    findings = [
        f
        for f in findings
        if not (f.signals.get(STORY) and model.knows(f.kind, f.signals) and f.score < STORY_MIN)
    ]
    return Analysis(text=text, findings=findings, notes=prepared.notes, mentions=mentions)
