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
from .detect import CROSSING, NEW_RED_LINE, RESPONSE, RESTATEMENT, analyse_text
from .lines import LineIndex, line_index_from
from .text import sentences_split, tokens_of

EVAL_DIR = Path(__file__).resolve().parent / "eval"
KINDS = ("declarations", "crossings", "responses")


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
    expected: Mapping[str, list], predicted: Mapping[str, list], into: dict[str, Counts]
) -> list:
    """Add one article's counts by the set's rules; return the mismatches for diagnosis."""
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
    return misses


def predictions_of(
    text: str, *, title: str, published_on: datetime.date, matcher: ActorMatcher, index: LineIndex
) -> dict[str, list[dict[str, Any]]]:
    analysis = analyse_text(text, title=title, published_on=published_on, matcher=matcher, index=index)
    slug_of = {a.id: a.slug for a in matcher.actors.values()}
    line_slug = {line.id: line.slug for line in index.lines}
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
    for f in analysis.findings:
        if f.kind in (NEW_RED_LINE, RESTATEMENT) and f.declarer is not None:
            out["declarations"].append(
                {"declarer": slug_of[f.declarer], "red_line": line_slug.get(f.red_line), "score": f.score}
            )
        elif f.kind == CROSSING:
            out["crossings"].append({"red_line": line_slug[f.red_line]})
        elif f.kind == RESPONSE:
            out["responses"].append({"red_line": line_slug[f.red_line]})
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
        )
        line_ids.append(created.pk)
    return [a.pk for a in by_slug.values()], line_ids, rename


def articles_read(path: Path) -> Iterable[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def evaluate(
    *, record_path: Path = EVAL_DIR / "record.json", articles_path: Path = EVAL_DIR / "articles.jsonl"
) -> Report:
    """Score analyser and baseline on the labelled set; the database is left as it was."""
    data = json.loads(record_path.read_text(encoding="utf-8"))
    articles = list(articles_read(articles_path))
    report = Report()
    try:
        with transaction.atomic():
            actor_ids, line_ids, rename = record_load(data)
            matcher = actor_matcher_from(Actor.objects.filter(pk__in=actor_ids))
            index = line_index_from(RedLine.objects.filter(pk__in=line_ids), matcher)
            _unrename(matcher, index, rename)
            for article in articles:
                report.articles += 1
                published = datetime.date.fromisoformat(article["published_on"])
                ours = predictions_of(
                    article["text"],
                    title=article.get("title", ""),
                    published_on=published,
                    matcher=matcher,
                    index=index,
                )
                for miss in score_article(article["expected"], ours, report.ours):
                    report.errors.append(f"{article['id']}: {' '.join(str(x) for x in miss)}")
                score_article(
                    article["expected"],
                    baseline_predictions(article["text"], matcher=matcher),
                    report.baseline,
                )
            raise _Rollback
    except _Rollback:
        pass
    return report


def _unrename(matcher: ActorMatcher, index: LineIndex, rename: dict[str, str]) -> None:
    for actor_id, info in list(matcher.actors.items()):
        if info.slug in rename and rename[info.slug] != info.slug:
            matcher.actors[actor_id] = type(info)(**{**info.__dict__, "slug": rename[info.slug]})
    for line in index.lines:
        line.slug = rename.get(line.slug, line.slug)
