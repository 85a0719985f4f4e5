"""Check labelled corpus files against the corpus record: python -m tracker.analysis.corpus.validate FILE..."""

import json
import sys
from pathlib import Path

RECORD = Path(__file__).resolve().parent / "record.json"
KINDS = ("declarations", "crossings", "responses")


def problems_of(path: Path, record: dict) -> list[str]:
    actors = {a["slug"] for a in record["actors"]}
    lines = {line["slug"] for line in record["red_lines"]}
    out: list[str] = []
    seen: set[str] = set()
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            continue
        where = f"{path.name}:{n}"
        try:
            art = json.loads(raw)
        except ValueError as exc:
            out.append(f"{where}: not JSON ({exc})")
            continue
        for key in ("id", "group", "title", "published_on", "text", "expected"):
            if key not in art:
                out.append(f"{where}: missing {key}")
        if art.get("id") in seen:
            out.append(f"{where}: duplicate id {art.get('id')}")
        seen.add(art.get("id"))
        text = art.get("text", "")
        words = len(text.split())
        if not 300 <= words <= 900:
            out.append(f"{where}: {words} words (300-900 wanted)")
        exp = art.get("expected", {})
        for kind in KINDS:
            for item in exp.get(kind, []):
                if kind == "declarations":
                    if item.get("declarer") not in actors:
                        out.append(f"{where}: unknown declarer {item.get('declarer')}")
                    if item.get("new") is False and item.get("red_line") not in lines:
                        out.append(f"{where}: restatement of unknown line {item.get('red_line')}")
                    for a in item.get("addressees", []):
                        if a not in actors:
                            out.append(f"{where}: unknown addressee {a}")
                elif item.get("red_line") not in lines:
                    out.append(f"{where}: {kind} of unknown line {item.get('red_line')}")
                ev = item.get("evidence") or []
                if not ev:
                    out.append(f"{where}: {kind} item without evidence")
                for sentence in ev:
                    if sentence not in text:
                        out.append(f"{where}: evidence not found verbatim in text: {sentence[:60]!r}")
    return out


def main(argv: list[str]) -> int:
    record = json.loads(RECORD.read_text(encoding="utf-8"))
    problems = [p for arg in argv for p in problems_of(Path(arg), record)]
    for p in problems:
        print(p)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
