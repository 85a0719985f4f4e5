"""Scores that mean what they say: a small logistic model per kind of finding over the rules' signals.

The rules describe each finding with a few signals in 0..1 (how it was attributed, how much of the
trigger it covers, whether the crossing it answers is in the same article...). A logistic model per
kind, fitted on the `tune` part of the labelled corpus (`manage.py evaluate_analysis --set tune
--fit`), turns them into the probability that the finding is right; `check` shows how well that
holds on articles it never saw. The weights ship in `calibration.json`; without it a finding keeps
the rules' own score.
"""

import json
import math
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

MODEL_PATH = Path(__file__).resolve().parent / "calibration.json"
GROUPS = {
    "new_red_line": "declaration",
    "restatement": "declaration",
    "declarations": "declaration",
    "crossing": "crossing",
    "crossings": "crossing",
    "response": "response",
    "responses": "response",
}
STORY = "story"  # the signal marking a whole-story proposal: its own model, apart from the rules'


def group_of(kind: str, signals: Mapping[str, float]) -> str:
    """The model a finding is scored by: its kind's, or its kind's whole-story model."""
    group = GROUPS.get(kind, kind)
    return f"{group}_{STORY}" if signals.get(STORY) else group


@dataclass
class CalibrationModel:
    """Per kind group: an intercept and a weight per signal."""

    weights: dict[str, dict[str, float]] = field(default_factory=dict)

    def knows(self, kind: str, signals: Mapping[str, float]) -> bool:
        return bool(self.weights.get(group_of(kind, signals)))

    def probability(self, kind: str, signals: Mapping[str, float], fallback: float) -> float:
        w = self.weights.get(group_of(kind, signals))
        if not w:
            return round(fallback, 3)
        z = w.get("_bias", 0.0) + sum(w.get(name, 0.0) * value for name, value in signals.items())
        return round(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))), 3)


def fit_group(
    rows: Iterable[tuple[Mapping[str, float], bool]], *, l2: float = 0.5, steps: int = 3000
) -> dict:
    """Logistic regression by gradient descent with an L2 penalty (a few hundred rows, a few signals:
    plain Python is instant and needs no numerical library)."""
    data = [(dict(signals), 1.0 if ok else 0.0) for signals, ok in rows]
    if not data:
        return {}
    names = sorted({name for signals, _ in data for name in signals})
    w = dict.fromkeys(names, 0.0)
    positives = sum(y for _, y in data)
    prior = min(0.99, max(0.01, positives / len(data)))
    bias = math.log(prior / (1 - prior))
    rate = 0.5
    n = len(data)
    for _ in range(steps):
        grad = dict.fromkeys(names, 0.0)
        grad_bias = 0.0
        for signals, y in data:
            z = bias + sum(w[k] * v for k, v in signals.items())
            err = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))) - y
            grad_bias += err
            for k, v in signals.items():
                grad[k] += err * v
        bias -= rate * grad_bias / n
        for k in names:
            w[k] -= rate * (grad[k] / n + l2 * w[k] / n)
    return {"_bias": round(bias, 4), **{k: round(v, 4) for k, v in w.items()}}


def fit(rows: Iterable[tuple[str, Mapping[str, float], bool]]) -> CalibrationModel:
    """A model from (kind, signals, correct) rows, one logistic fit per kind group."""
    grouped: dict[str, list] = {}
    for kind, signals, ok in rows:
        grouped.setdefault(group_of(kind, signals), []).append((signals, ok))
    return CalibrationModel({group: fit_group(items) for group, items in grouped.items()})


def model_save(model: CalibrationModel, path: Path = MODEL_PATH) -> None:
    path.write_text(json.dumps(model.weights, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    calibration_reset()


_lock = threading.Lock()
_cache: dict[str, CalibrationModel] = {}


def calibration_model() -> CalibrationModel:
    """The shipped model (loaded once per process); an empty model when there is none."""
    with _lock:
        model = _cache.get("model")
        if model is None:
            weights = json.loads(MODEL_PATH.read_text(encoding="utf-8")) if MODEL_PATH.is_file() else {}
            model = _cache["model"] = CalibrationModel(weights)
        return model


def calibration_reset(model: CalibrationModel | None = None) -> None:
    """Forget the loaded model (or use `model` instead, for evaluation without one)."""
    with _lock:
        _cache.clear()
        if model is not None:
            _cache["model"] = model
