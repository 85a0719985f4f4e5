"""`manage.py check_record`: the shipped record passes; each broken rule is one line and a non-zero exit."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from tracker.models import Source
from tracker.services import record
from tracker.services.reference import REFERENCE_FILE, record_file_load

pytestmark = pytest.mark.django_db
THIRTEEN = "one two three four five six seven eight nine ten eleven twelve thirteen"


def source(n: int, published_on: datetime.date) -> dict:
    return {
        "url": f"https://news.example.org/{n}",
        "publisher": "Example News",
        "title": f"Report {n}",
        "published_on": published_on,
        "language": "en",
        "quote": "direct participation",
    }


def check(capsys) -> list[str]:
    with pytest.raises(CommandError) as caught:
        call_command("check_record")
    lines = capsys.readouterr().out.splitlines()
    assert str(caught.value) == f"{len(lines)} problem(s) in the record."
    return lines


def test_the_shipped_reference_record_passes(capsys):
    record_file_load(path=REFERENCE_FILE)
    call_command("check_record")
    assert capsys.readouterr().out == "The record passes every check.\n"


def test_each_broken_rule_is_reported_on_its_own_line(capsys):
    russia = record.actor_create(slug="russia", name="Russia", kind="state", wikidata_id="Q159")
    ukraine = record.actor_create(slug="ukraine", name="Ukraine", kind="state", wikidata_id="Q212")
    day = datetime.date(2024, 9, 12)
    line = record.red_line_create(
        slug="strikes",
        title="Strikes",
        declared_by=russia,
        declared_on=day,
        statement="Strikes would mean war.",
        trigger="Long-range strikes on Russia",
        severity="military",
        addressees=[ukraine],
        sources=[source(1, day)],
    )
    event = record.event_record(
        red_line=line,
        kind="crossing",
        occurred_on=datetime.date(2024, 11, 19),
        summary="Missiles hit Bryansk.",
        actors=[ukraine],
        sources=[source(2, datetime.date(2024, 11, 19))],
    )
    call_command("check_record")
    assert capsys.readouterr().out == "The record passes every check.\n"

    # Each rule broken once. The quote is written past validation, as rows from before the rule are.
    Source.objects.filter(url__endswith="/1").update(publisher="", quote=THIRTEEN)
    Source.objects.filter(event=event).update(published_on=datetime.date(2025, 1, 20))
    record.red_line_create(
        slug="strikes-again",
        title="Strikes (again)",
        declared_by=russia,
        declared_on=day,
        statement="The same warning, entered twice.",
        trigger="long-range  strikes on RUSSIA",
        severity="military",
        sources=[source(3, day)],
    )
    zelensky = record.actor_create(slug="volodymyr-zelensky", name="Volodymyr Zelensky", kind="person")
    record.actor_create(slug="unused", name="Nobody's actor", kind="person")
    record.event_update(event=event, actors=[ukraine, zelensky])

    assert check(capsys) == [
        "actor volodymyr-zelensky (person): no Wikidata id",
        "red line strikes, crossing of 2024-11-19: source https://news.example.org/2 is dated 2025-01-20, "
        "62 days after the event on 2024-11-19 (at most 30)",
        "red line strikes: source https://news.example.org/1 has no publisher",
        "red line strikes: source https://news.example.org/1: A quote is at most 12 words of the speaker's "
        "own (this one has 13); put a summary of the source in the note.",
        "red lines strikes, strikes-again: the same declarer, trigger and date (duplicates)",
    ]
