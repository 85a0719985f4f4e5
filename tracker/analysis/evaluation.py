"""Scoring the analyser on a labelled set, next to a naive baseline, in one run.

The labelled record is loaded inside a transaction that is always rolled back, and the analyser is
built from that record only, so the real database is never changed and never leaks into the score.
"""

import datetime
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from tracker.models import Actor, RedLine
from tracker.services import record

from .actors import ActorMatcher, actor_matcher_from
from .calibration import CalibrationModel, calibration_reset, fit
from .detect import CROSSING, NEW_RED_LINE, RESPONSE, RESTATEMENT, analyse_text
from .lines import LineIndex, line_index_from
from .text import sentences_split, tokens_of

EVAL_DIR = Path(__file__).resolve().parent / "eval"
CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
KINDS = ("declarations", "crossings", "responses")
# `tune` is what the rules and the calibration are fitted on; `check` is frozen and only reported;
# `dev` is the original 80-article development set.
SETS = ("check", "tune", "dev")
BINS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)


def set_paths(name: str) -> tuple[Path, list[Path]]:
    """The record and the article files of a labelled set."""
    if name == "dev":
        return EVAL_DIR / "record.json", [EVAL_DIR / "articles.jsonl"]
    if name not in SETS:
        raise ValueError(f"unknown set {name!r} (one of {', '.join(SETS)})")
    return CORPUS_DIR / "record.json", sorted((CORPUS_DIR / name).glob("*.jsonl"))


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    ours: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in KINDS})
    baseline: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in KINDS})
    errors: list[str] = field(default_factory=list)
    articles: int = 0
    # Every prediction the analyser kept, as (kind, score, correct, signals): the calibration table's
    # input, and the calibration model's training rows.
    scored: list[tuple[str, float, bool, dict]] = field(default_factory=list)
    explanations: list[str] = field(default_factory=list)

    def calibration(self) -> str:
        """Precision per score band, and of everything scored at or above 0.8."""
        rows = [f"{'score':<12}{'n':>5}{'right':>7}{'precision':>11}"]
        for lo, hi in zip(BINS, BINS[1:], strict=False):
            band = [ok for _, score, ok, _ in self.scored if lo <= score < hi]
            label = f"{lo:.1f}-{min(hi, 1.0):.1f}"
            rows.append(
                f"{label:<12}{len(band):>5}{sum(band):>7}"
                f"{(sum(band) / len(band) if band else float('nan')):>11.3f}"
            )
        high = [ok for _, score, ok, _ in self.scored if score >= 0.8]
        rows.append(
            f"{'>= 0.8':<12}{len(high):>5}{sum(high):>7}"
            f"{(sum(high) / len(high) if high else float('nan')):>11.3f}"
        )
        return "\n".join(rows)

    def table(self) -> str:
        rows = [f"{'kind':<14}{'system':<10}{'TP':>5}{'FP':>5}{'FN':>5}{'P':>8}{'R':>8}{'F1':>8}"]
        for kind in KINDS:
            for name, counts in (("analyser", self.ours[kind]), ("baseline", self.baseline[kind])):
                rows.append(
                    f"{kind:<14}{name:<10}{counts.tp:>5}{counts.fp:>5}{counts.fn:>5}"
                    f"{counts.precision:>8.3f}{counts.recall:>8.3f}{counts.f1:>8.3f}"
                )
        return "\n".join(rows)


def score_article(
    expected: Mapping[str, list],
    predicted: Mapping[str, list],
    into: dict[str, Counts],
    scored: list[tuple[str, float, bool, dict]] | None = None,
) -> list:
    """Add one article's counts by the set's rules; return the mismatches for diagnosis.

    With `scored`, each distinct prediction is appended as (kind, best score, correct, its signals)."""
    misses = []
    exp = list(
        {(d["declarer"], None if d.get("new", True) else d.get("red_line")) for d in expected["declarations"]}
    )
    pred = list({(d["declarer"], d.get("red_line")) for d in predicted["declarations"]})
    remaining = list(pred)
    matched = 0
    for declarer, line in sorted(exp, key=lambda k: k[1] is None):
        for candidate in remaining:
            if candidate[0] == declarer and (line is None or candidate[1] == line):
                remaining.remove(candidate)
                matched += 1
                break
        else:
            misses.append(("FN declaration", declarer, line))
    misses.extend(("FP declaration", *c) for c in remaining)
    if scored is not None:
        best = _best(predicted["declarations"], lambda d: (d["declarer"], d.get("red_line")))
        scored.extend(
            ("declarations", best[c].get("score", 1.0), c not in remaining, best[c].get("signals", {}))
            for c in pred
        )
    into["declarations"].tp += matched
    into["declarations"].fp += len(pred) - matched
    into["declarations"].fn += len(exp) - matched
    for kind in ("crossings", "responses"):
        e = {item["red_line"] for item in expected[kind]}
        p = {item["red_line"] for item in predicted[kind]}
        into[kind].tp += len(e & p)
        into[kind].fp += len(p - e)
        into[kind].fn += len(e - p)
        misses.extend((f"FN {kind}", x) for x in e - p)
        misses.extend((f"FP {kind}", x) for x in p - e)
        if scored is not None:
            best = _best(predicted[kind], lambda d: d["red_line"])
            scored.extend((kind, best[x].get("score", 1.0), x in e, best[x].get("signals", {})) for x in p)
    return misses


def _best(items: list[dict], key) -> dict:
    """The highest-scored prediction of each key."""
    best: dict = {}
    for item in items:
        k = key(item)
        if k not in best or item.get("score", 1.0) > best[k].get("score", 1.0):
            best[k] = item
    return best


def predictions_of(
    text: str,
    *,
    title: str,
    published_on: datetime.date,
    matcher: ActorMatcher,
    index: LineIndex,
    min_score: float = 0.0,
    trace: list[str] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    analysis = analyse_text(
        text, title=title, published_on=published_on, matcher=matcher, index=index, trace=trace
    )
    slug_of = {a.id: a.slug for a in matcher.actors.values()}
    line_slug = {line.id: line.slug for line in index.lines}
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
    for f in analysis.findings:
        if f.score < min_score:
            continue
        if f.kind in (NEW_RED_LINE, RESTATEMENT) and f.declarer is not None:
            out["declarations"].append(
                {
                    "declarer": slug_of[f.declarer],
                    "red_line": line_slug.get(f.red_line),
                    "score": f.score,
                    "signals": f.signals,
                }
            )
        elif f.kind == CROSSING:
            out["crossings"].append(
                {"red_line": line_slug[f.red_line], "score": f.score, "signals": f.signals}
            )
        elif f.kind == RESPONSE:
            out["responses"].append(
                {"red_line": line_slug[f.red_line], "score": f.score, "signals": f.signals}
            )
    return out


def baseline_predictions(text: str, *, matcher: ActorMatcher) -> dict[str, list[dict[str, Any]]]:
    """A sentence is a declaration if it says "red line"; its first actor mentioned is the declarer."""
    tokens = tokens_of(text)
    mentions = matcher.mentions(tokens)
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
    for sentence in sentences_split(text):
        if "red line" not in sentence.text.lower():
            continue
        inside = [m for m in mentions if sentence.start <= m.start < sentence.end]
        if inside:
            out["declarations"].append(
                {"declarer": matcher.actors[inside[0].actor_id].slug, "red_line": None}
            )
    return out


class _Rollback(Exception):
    pass


def record_load(data: Mapping[str, Any]) -> tuple[list[int], list[int], dict[str, str]]:
    """Create the set's actors and lines through the record services; return ids and slug map."""
    taken = set(Actor.objects.values_list("slug", flat=True)) | set(
        RedLine.objects.values_list("slug", flat=True)
    )
    rename: dict[str, str] = {}

    def fresh(slug: str) -> str:
        new = slug if slug not in taken else f"eval-{slug}"
        rename[new] = slug
        return new

    by_slug: dict[str, Actor] = {}
    for a in data["actors"]:
        by_slug[a["slug"]] = record.actor_create(
            slug=fresh(a["slug"]),
            name=a["name"],
            kind=a["kind"],
            country=a.get("country") or "",
            aliases=list(a.get("aliases") or []),
        )
    for a in data["actors"]:
        if a.get("affiliation"):
            record.actor_update(actor=by_slug[a["slug"]], affiliation=by_slug[a["affiliation"]])
    line_ids = []
    for line in data["red_lines"]:
        created = record.red_line_create(
            slug=fresh(line["slug"]),
            title=line["title"][:300],
            declared_by=by_slug[line["declared_by"]],
            addressees=[by_slug[s] for s in line.get("addressees", [])],
            declared_on=datetime.date.fromisoformat(line["declared_on"]),
            statement=line["statement"],
            trigger=line["trigger"],
            threatened_response=line.get("threatened_response", ""),
            severity=line["severity"],
            category=line.get("category", "other"),
            explicitness=line.get("explicitness", "explicit"),
            topics=list(line.get("topics") or []),
            sources=[_fixture_source(line["slug"], line["declared_on"], line["title"])],
        )
        for event in line.get("events") or []:
            record.event_record(
                red_line=created,
                kind=event["kind"],
                occurred_on=datetime.date.fromisoformat(event["occurred_on"]),
                summary=event.get("summary") or event["kind"],
                actors=[by_slug[s] for s in event.get("actors", []) if s in by_slug],
                sources=[_fixture_source(line["slug"], event["occurred_on"], event["kind"])],
            )
        line_ids.append(created.pk)
    return [a.pk for a in by_slug.values()], line_ids, rename


def _fixture_source(slug: str, on: str, title: str) -> dict[str, Any]:
    """A labelled record is a fixture that is rolled back: its lines and events are published (the
    analyser sees what the public record holds) with a source that names the fixture, not a page."""
    return {
        "url": f"https://red-line-tracker.invalid/labelled-set/{slug}",
        "publisher": "labelled set",
        "title": title[:300],
        "published_on": datetime.date.fromisoformat(on),
    }


def articles_read(path: Path) -> Iterable[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def evaluate(
    *,
    record_path: Path = EVAL_DIR / "record.json",
    articles_path: Path | Iterable[Path] = EVAL_DIR / "articles.jsonl",
    min_score: float | None = None,
    explain: bool = False,
    raw: bool = False,
    record_dates: bool = True,
) -> Report:
    """Score analyser and baseline on a labelled set; the database is left as it was.

    `min_score` drops candidates below it, as the product does (default: ANALYSIS_MIN_SCORE).
    With `explain`, each article with a miss or a false alarm gets the trace of the rules; with
    `raw`, scores are the rules' own, without the calibration model (what the model is fitted on).
    Without `record_dates`, the record's crossing, response and restatement dates are hidden, as for
    a first report of each event."""
    from django.conf import settings

    if min_score is None:
        min_score = float(getattr(settings, "ANALYSIS_MIN_SCORE", 0.0))
    data = json.loads(record_path.read_text(encoding="utf-8"))
    paths = [articles_path] if isinstance(articles_path, Path) else list(articles_path)
    articles = [article for path in paths for article in articles_read(path)]
    report = Report()
    if raw:
        calibration_reset(CalibrationModel())
    try:
        with transaction.atomic():
            actor_ids, line_ids, rename = record_load(data)
            matcher = actor_matcher_from(Actor.objects.filter(pk__in=actor_ids))
            index = line_index_from(RedLine.objects.filter(pk__in=line_ids), matcher)
            _unrename(matcher, index, rename)
            if not record_dates:
                for line in index.lines:
                    line.first_crossed_on = line.first_response_on = line.last_reaffirmed_on = None
            for article in articles:
                report.articles += 1
                published = datetime.date.fromisoformat(article["published_on"])
                trace: list[str] | None = [] if explain else None
                ours = predictions_of(
                    article["text"],
                    title=article.get("title", ""),
                    published_on=published,
                    matcher=matcher,
                    index=index,
                    min_score=min_score,
                    trace=trace,
                )
                misses = score_article(article["expected"], ours, report.ours, report.scored)
                for miss in misses:
                    report.errors.append(f"{article['id']}: {' '.join(str(x) for x in miss)}")
                if explain and misses:
                    report.explanations.append(_explanation(article, misses, ours, trace or []))
                score_article(
                    article["expected"],
                    baseline_predictions(article["text"], matcher=matcher),
                    report.baseline,
                )
            raise _Rollback
    except _Rollback:
        pass
    finally:
        if raw:
            calibration_reset()
    return report


def calibration_fit(record_path: Path, articles_paths: Iterable[Path]) -> CalibrationModel:
    """Fit the calibration model on a labelled set (the `tune` part) from the rules' own scores."""
    report = evaluate(record_path=record_path, articles_path=list(articles_paths), min_score=0.0, raw=True)
    return fit((kind, signals, ok) for kind, _, ok, signals in report.scored)


def _explanation(article: Mapping[str, Any], misses: list, predicted: Mapping, trace: list[str]) -> str:
    """One article's misses, what was expected with its evidence, and the rules' trace."""
    lines = [f"== {article['id']} ({article['published_on']}) {article.get('title', '')}"]
    lines.extend(f"   {' '.join(str(x) for x in miss)}" for miss in misses)
    for kind in KINDS:
        for item in article["expected"].get(kind, []):
            who = item.get("red_line") or item.get("declarer")
            for sentence in item.get("evidence") or []:
                lines.append(f"   expected {kind[:-1]} {who}: {sentence[:200]}")
        for item in predicted.get(kind, []):
            lines.append(f"   predicted {kind[:-1]} {item}")
    lines.extend(f"   | {row}" for row in trace)
    return "\n".join(lines)


def _unrename(matcher: ActorMatcher, index: LineIndex, rename: dict[str, str]) -> None:
    for actor_id, info in list(matcher.actors.items()):
        if info.slug in rename and rename[info.slug] != info.slug:
            matcher.actors[actor_id] = type(info)(**{**info.__dict__, "slug": rename[info.slug]})
    for line in index.lines:
        line.slug = rename.get(line.slug, line.slug)
