"""A client generated from the served schema (openapi-python-client) reads the record from a live server.

openapi-python-client 0.29.1 still types operations whose `security` lists `{}` as needing an
`AuthenticatedClient` (upstream issue #1372); at run time a plain `Client` works, and is what an
anonymous reader uses here.
"""

import importlib
import json
import subprocess
import sys
from pathlib import Path
from urllib.request import urlopen

import pytest

from bench.synthetic import synthetic_record_generate

GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture
def generated_client(live_server, tmp_path, monkeypatch):
    """The client package generated from this server's /api/schema/, imported from a tmp dir."""
    with urlopen(f"{live_server.url}/api/schema/?format=json") as answer:
        (tmp_path / "schema.json").write_text(json.dumps(json.load(answer)))
    (tmp_path / "config.json").write_text(json.dumps({"post_hooks": []}))
    subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(tmp_path / "schema.json"),
            "--config",
            str(tmp_path / "config.json"),
            "--output-path",
            str(tmp_path / "rlt_client"),
            "--meta",
            "none",
        ],
        check=True,
        capture_output=True,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("rlt_client")
    for name in [m for m in sys.modules if m == "rlt_client" or m.startswith("rlt_client.")]:
        del sys.modules[name]


@pytest.mark.usefixtures("fixed_day")
@pytest.mark.django_db(transaction=True)
def test_a_generated_client_reads_lines_a_lines_history_and_pages_through_events(
    generated_client, live_server
):
    synthetic_record_generate(actors=4, red_lines=5, events=12, seed=3)
    lines_api = importlib.import_module("rlt_client.api.v1.v1_red_lines_list")
    detail_api = importlib.import_module("rlt_client.api.v1.v1_red_lines_retrieve")
    history_api = importlib.import_module("rlt_client.api.v1.v1_red_lines_history_retrieve")
    events_api = importlib.import_module("rlt_client.api.v1.v1_events_list")
    client = generated_client.Client(base_url=live_server.url, raise_on_unexpected_status=True)

    lines = lines_api.sync(client=client)
    assert lines.count == 5
    slug = lines.results[0].slug

    line = detail_api.sync(slug, client=client)
    history = history_api.sync(slug, client=client)
    assert line.slug == history.red_line == slug
    assert history.status == line.status
    assert history.timeline[0].type_.value == "declaration"
    assert [e.id for e in line.events] == [t.event_id for t in history.timeline if t.type_.value == "event"]

    seen, page = [], 1
    while True:
        events = events_api.sync(client=client, page=page, page_size=5)
        seen += [event.id for event in events.results]
        if not events.next_:
            break
        page += 1
    assert page == 3
    assert len(seen) == len(set(seen)) == events.count == 12

    missing = detail_api.sync_detailed("no-such-line", client=client)
    assert missing.status_code == 404
    assert missing.parsed.detail
