"""`manage.py load_reference`: the reference record through the services; idempotent; edits applied."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tracker.models import Actor, Event, RedLine, Source, StatusChange
from tracker.services.reference import DEMO_FILE, REFERENCE_FILE

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    models = (Actor, RedLine, Event, Source, StatusChange, Actor.history.model, RedLine.history.model)
    return (*(m.objects.count() for m in models), Event.history.model.objects.count())


def written(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "record.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# The loader's behaviour is the same for any file: these tests use the 18-line demo file (the full
# reference record takes some 20 seconds to load), and one test loads the reference record itself.


def test_a_second_run_changes_nothing(capsys):
    call_command("load_reference", file=DEMO_FILE)
    first = counts()
    assert "created" in capsys.readouterr().out
    call_command("load_reference", file=DEMO_FILE)
    assert counts() == first
    assert capsys.readouterr().out == "Reference record already loaded; nothing changed.\n"


def test_a_changed_file_updates_what_changed_and_nothing_else(tmp_path, capsys):
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    call_command("load_reference", file=DEMO_FILE)
    line = RedLine.objects.get(slug="putin-long-range-strikes-2024")
    untouched = RedLine.objects.get(slug="biden-rafah-2024").updated_at
    item = next(r for r in data["red_lines"] if r["slug"] == line.slug)
    item["title"] = "Western long-range strikes on Russian territory"
    item["sources"][0]["note"] = "A new note."
    item["events"][0]["summary"] = "Reworded: Russia's foreign ministry warns of direct participation."
    item["events"].append(
        {
            "kind": "restatement",
            "occurred_on": "2024-11-28",
            "actors": ["vladimir-putin"],
            "summary": "Putin repeats the warning.",
            "sources": [
                {
                    "url": "https://news.example.org/r",
                    "publisher": "E",
                    "title": "T",
                    "published_on": "2024-11-28",
                }
            ],
        }
    )
    events_before = line.events.count()
    call_command("load_reference", file=written(tmp_path, data))
    assert capsys.readouterr().out.endswith("1 red lines updated, 1 events created, 1 events updated.\n")
    line.refresh_from_db()
    assert line.title == "Western long-range strikes on Russian territory"
    assert line.sources.get().note == "A new note."
    assert line.events.count() == events_before + 1
    assert line.events.filter(summary__startswith="Reworded").count() == 1
    assert RedLine.objects.get(slug="biden-rafah-2024").updated_at == untouched


def test_the_demo_command_loads_the_demo_file_the_same_way(capsys):
    call_command("load_demo")
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    assert RedLine.objects.count() == len(data["red_lines"])
    call_command("load_demo")
    assert capsys.readouterr().out.endswith("Demo record already loaded; nothing changed.\n")


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (
            lambda d: d["red_lines"][0]["sources"][0].update(quote=" ".join(["word"] * 13)),
            "quote: A quote is at most 12",
        ),
        (
            lambda d: d["red_lines"][0].update(theatre="atlantis"),
            "theatre: Value 'atlantis' is not a valid choice.",
        ),
        (lambda d: d["red_lines"][0].pop("declared_on"), "lacks the field 'declared_on'"),
        (lambda d: d["red_lines"][0].update(declared_by="nobody"), "No actor 'nobody'"),
    ],
)
def test_a_bad_file_is_refused_with_a_one_line_reason_and_nothing_loaded(tmp_path, mutate, reason):
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    mutate(data)
    with pytest.raises(CommandError) as caught:
        call_command("load_reference", file=written(tmp_path, data))
    assert reason in str(caught.value) and "\n" not in str(caught.value)
    assert not RedLine.objects.exists() and not Actor.objects.exists()


def test_the_reference_record_loads_deep_with_its_theatres_and_every_status_and_category(client):
    call_command("load_reference")
    data = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    stored = dict(RedLine.objects.values_list("slug", "theatre"))
    assert stored == {line["slug"]: line["theatre"] for line in data["red_lines"]}
    assert stored["china-pelosi-taiwan-visit-2022"] == "taiwan-strait"
    expected = sorted(slug for slug, theatre in stored.items() if theatre in ("taiwan-strait", "korea"))
    body = client.get("/api/v1/red-lines/?theatre=taiwan-strait&theatre=korea&page_size=100").json()
    assert expected and sorted(r["slug"] for r in body["results"]) == expected
    assert client.get("/api/v1/red-lines/?theatre=atlantis").status_code == 400
    header = next(iter(client.get("/api/v1/red-lines/?format=csv").streaming_content)).decode()
    assert ",category,theatre,topics," in header
    stats = client.get("/api/v1/stats/").json()
    assert stats["total"] >= 100
    assert client.get("/api/v1/events/").json()["count"] >= 300
    assert all(stats["by_status"][status] > 0 for status in ("active", "crossed", "enforced", "withdrawn"))
    assert all(count > 0 for count in stats["by_category"].values())
    assert len({line["theatre"] for line in data["red_lines"]}) >= 12


def _cited_urls() -> set[str]:
    urls: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("url") and "publisher" in node:
                urls.add(node["url"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(REFERENCE_FILE.read_text(encoding="utf-8")))
    return urls


def _tsv_urls(name: str) -> set[str]:
    import csv

    with (REFERENCE_FILE.parent / name).open(encoding="utf-8", newline="") as fh:
        return {row["url"] for row in csv.DictReader(fh, delimiter="\t")}


def test_every_cited_page_has_the_query_that_found_it_and_unconfirmed_titles_are_listed():
    """A curator can re-find each page, and knows which titles were read from an address."""
    cited = _cited_urls()
    assert cited and cited <= _tsv_urls("sources.tsv")
    to_confirm = _tsv_urls("titles_to_confirm.tsv")
    assert to_confirm and to_confirm <= cited
