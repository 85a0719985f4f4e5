"""Articles per second for the analysis step on one core, as the record grows.

Builds a synthetic record in memory (5,000 actors; 100, 1,000 and 10,000 tracked lines) and times
`analyse_text` over the 80 development articles and the labelled news corpus (real-length coverage,
300-900 words). Run: .venv/bin/python bench/analysis/run.py
"""

import datetime
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django  # noqa: E402

django.setup()

from tracker.analysis.actors import ActorInfo, ActorMatcher  # noqa: E402
from tracker.analysis.detect import analyse_text  # noqa: E402
from tracker.analysis.evaluation import CORPUS_DIR, EVAL_DIR, articles_read  # noqa: E402
from tracker.analysis.lines import LineIndex  # noqa: E402

ACTORS = 5_000
SIZES = (100, 1_000, 10_000)
WORDS = [
    "missiles",
    "tanks",
    "drones",
    "troops",
    "border",
    "strait",
    "island",
    "pipeline",
    "dam",
    "shipping",
    "convoy",
    "airbase",
    "port",
    "enrichment",
    "uranium",
    "warheads",
    "sanctions",
    "embargo",
    "annexation",
    "referendum",
    "blockade",
    "airspace",
    "corridor",
    "exercises",
    "deployment",
    "artillery",
    "reactor",
    "satellite",
    "cable",
    "refinery",
    "garrison",
    "frontier",
    "canal",
]
CATEGORIES = ("weapons_transfer", "strikes_on_territory", "territorial_change", "wmd_use", "other")


def synthetic_actors(rng: random.Random) -> list[ActorInfo]:
    data = json.loads((EVAL_DIR / "record.json").read_text())
    actors = [
        ActorInfo(i + 1, a["slug"], a["name"], a["kind"], a.get("country") or "", None, tuple(a["aliases"]))
        for i, a in enumerate(data["actors"])
    ]
    for i in range(len(actors), ACTORS):
        name = f"Synthland {i}" if i % 2 else f"Group Number{i}"
        actors.append(
            ActorInfo(i + 1, f"synthetic-{i}", name, "group", "", None, (f"Alias{i}", f"The Body {i}"))
        )
    return actors


def synthetic_lines(rng: random.Random, count: int, actor_ids: list[int]) -> list[dict]:
    rows = []
    for i in range(count):
        words = rng.sample(WORDS, 4)
        rows.append(
            {
                "id": i + 1,
                "slug": f"line-{i}",
                "title": f"{words[0]} and {words[1]} near the {words[2]}",
                "declared_by": rng.choice(actor_ids),
                "declared_on": datetime.date(2010, 1, 1) + datetime.timedelta(days=rng.randrange(5000)),
                "statement": f"Any {words[0]} or {words[3]} would be met with a response.",
                "trigger": f"Delivery or use of {words[0]} at the {words[2]} token{i}",
                "threatened_response": "a response",
                "category": rng.choice(CATEGORIES),
                "severity": "military",
                "topics": [words[1], f"topic{i % 700}"],
                "addressees": rng.sample(actor_ids, 2),
            }
        )
    return rows


def main() -> None:
    rng = random.Random(7)
    actors = synthetic_actors(rng)
    matcher = ActorMatcher.build(actors)
    articles = list(articles_read(EVAL_DIR / "articles.jsonl"))
    for path in sorted(CORPUS_DIR.glob("*/*.jsonl")):
        articles.extend(articles_read(path))
    ids = [a.id for a in actors]
    print(f"{len(actors)} actors, {len(articles)} articles, one core")
    per_article = {}
    for size in SIZES:
        index = LineIndex.build(synthetic_lines(rng, size, ids), matcher)
        for article in articles[:5]:  # warm-up
            analyse_text(article["text"], matcher=matcher, index=index, title=article["title"])
        rounds = 2
        started = time.perf_counter()
        for _ in range(rounds):
            for article in articles:
                analyse_text(
                    article["text"],
                    matcher=matcher,
                    index=index,
                    title=article["title"],
                    published_on=datetime.date.fromisoformat(article["published_on"]),
                )
        elapsed = time.perf_counter() - started
        n = rounds * len(articles)
        per_article[size] = elapsed / n
        print(f"{size:>6} lines: {n / elapsed:8.1f} articles/s  ({1000 * elapsed / n:.2f} ms per article)")
    ratio = per_article[SIZES[-1]] / per_article[SIZES[0]]
    print(f"time per article at {SIZES[-1]:,} lines / at {SIZES[0]} lines: {ratio:.2f}x")


if __name__ == "__main__":
    main()
