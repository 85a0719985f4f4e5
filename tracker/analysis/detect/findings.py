"""What the rules propose: the kinds of finding, `Finding` and `Analysis`, and the thresholds
the detectors share."""

import datetime
from dataclasses import dataclass, field

from ..actors import Mention

NEW_RED_LINE = "new_red_line"
RESTATEMENT = "restatement"
CROSSING = "crossing"
RESPONSE = "response"


@dataclass
class Finding:
    kind: str
    start: int
    end: int
    evidence: str
    score: float
    declarer: int | None = None
    red_line: int | None = None
    addressees: list[int] = field(default_factory=list)
    actors: list[int] = field(default_factory=list)
    trigger: str = ""
    threatened_response: str = ""
    occurred_on: datetime.date | None = None
    # What the rules saw, each in 0..1: the calibration model's inputs, and --explain's.
    signals: dict[str, float] = field(default_factory=dict)
    rule_score: float = 0.0  # the rules' own score, before calibration


@dataclass
class Analysis:
    text: str
    findings: list[Finding]
    notes: tuple[str, ...]
    mentions: list[Mention]


def _signals_text(signals: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.2f}" for k, v in signals.items())


RESTATE_THRESHOLD = 6.0
STORY_MIN = 0.25
TRIGGER_WEIGHT = 0.5
ANSWERED_MIN = 0.2  # calibrated probability a crossing in the article needs for a response to answer it
UNADDRESSED_RESTATE_THRESHOLD = 16.0
STALE_DAYS = 90  # a line first crossed this long before an article is not what a close fit reports
BACKGROUND_CROSSING_DAYS = 30  # a crossing dated further back is background in this article
BACKGROUND_DAYS = 6  # a warning the text dates further back than this is background
CROSSING_THRESHOLD = 4.0
TARGET_RESPONSE_DAYS = 5 * 365  # a strike on the warned side answers a crossing at most this old
RESPONSE_LINK = 4.0  # idf weight of the trigger words a stated cause must share with the line
