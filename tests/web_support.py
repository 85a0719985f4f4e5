"""Records of a chosen size for the dashboard tests: every page must cost the same queries at any size."""

import datetime

from tests.factories import ActorFactory, EventFactory, RedLineFactory, SourceFactory
from tracker.models import Candidate, RedLine
from tracker.models.ingest import Article

D = datetime.date


def build_record(*, lines: int, prefix: str = "w") -> dict:
    """`lines` published lines by two declarers, each with addressees, every kind of event,
    actors on the events, extra sources and a restatement chain, plus a draft and candidates."""
    declarers = [ActorFactory(name=f"{prefix} Declarer {i}", wikidata_id=f"Q{100 + i}") for i in range(2)]
    targets = [ActorFactory(name=f"{prefix} Target {i}") for i in range(3)]
    made = []
    previous = None
    for i in range(lines):
        line = RedLineFactory(
            slug=f"{prefix}-line-{i}",
            title=f"{prefix} warning {i} about missiles",
            declared_by=declarers[i % 2],
            declared_on=D(2023, 1 + i % 12, 1 + i % 27),
            restates=previous if i % 3 == 2 else None,
            topics=["missiles", f"topic{i % 4}"],
        )
        line.addressees.set(targets[: 1 + i % 3])
        SourceFactory(red_line=line, url=f"https://news.example.org/{prefix}/{i}/extra")
        crossing = EventFactory(red_line=line, kind="crossing", occurred_on=D(2024, 3, 1 + i % 27))
        crossing.actors.set(targets[:2])
        SourceFactory(event=crossing, red_line=None, url=f"https://news.example.org/{prefix}/{i}/c2")
        EventFactory(red_line=line, kind="restatement", occurred_on=D(2024, 2, 1 + i % 27))
        if i % 2:
            EventFactory(red_line=line, kind="response", occurred_on=D(2024, 4, 1 + i % 27))
        if i % 5 == 4:
            EventFactory(red_line=line, kind="withdrawal", occurred_on=D(2024, 5, 1 + i % 27))
        line.refresh_from_db()
        made.append(line)
        previous = line
    RedLineFactory(slug=f"{prefix}-draft", title=f"{prefix} draft never shown", sourced=False)
    article = Article.objects.create(canonical_url=f"https://news.example.org/{prefix}/article", title="A")
    for i in range(lines):
        Candidate.objects.create(
            kind="crossing", article=article, evidence="words", start=i * 10, end=i * 10 + 5, score=0.5
        )
    return {"lines": made, "declarers": declarers, "targets": targets}


def published() -> int:
    return RedLine.objects.filter(is_published=True).count()


def queries_for(client, url: str) -> int:
    """How many SQL queries one GET of `url` runs (the page must answer 200)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx)
