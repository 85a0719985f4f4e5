"""Ingestion benchmark: prints its figures. Not part of the test suite.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rl_ingest_bench \
        .venv/bin/python bench/ingest/run.py [--articles 1000] [--feeds 20] [--store 1000000]

1. End to end: a local server with N realistic article pages across F feeds; one Celery worker
   (concurrency 2, queues poll and fetch) on Redis DB 6 polls, fetches, extracts and dedups them.
   Articles per second from the first poll queued to the last article settled; the worker's CPU time
   per article and the load average (the machine may be shared: a busy one slows the figure down);
   peak worker memory as PSS, which splits each shared page among the processes sharing it, so the
   sum over the main and pool processes is what the worker costs the machine.
2. Extraction alone (decode + trafilatura + language), per article: median and p95.
3. Duplicate lookup (exact hash, then MinHash LSH bands) with 10k, 100k and 1M stored articles.
The database named in DATABASE_URL is created if missing and emptied first: never point it at real data.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
BENCH_REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rl_ingest_bench")
os.environ.update(REDIS_URL=BENCH_REDIS, CELERY_TASK_ALWAYS_EAGER="false", FETCH_ALLOW_LOOPBACK="true")
# The worker's capacity, not its production pace: without this the per-worker rate limits (5/s) hold
# the batch back, and tasks wait in the queue past the bench's timeout. bench/load keeps the limits.
os.environ.setdefault("INGEST_FETCH_RATE", "")
os.environ.setdefault("INGEST_ANALYSE_RATE", "")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

WORDS = [
    "minister",
    "warned",
    "government",
    "talks",
    "border",
    "missile",
    "deliveries",
    "response",
    "alliance",
    "sanctions",
    "troops",
    "capital",
    "officials",
    "statement",
    "region",
    "ceasefire",
    "weapons",
    "territory",
    "strike",
    "defence",
    "council",
    "spokesman",
    "agreement",
    "pressure",
    "decision",
    "envoy",
    "summit",
    "security",
    "forces",
    "negotiations",
    "conflict",
    "allies",
]


def paragraph(rng: random.Random, sentences: int) -> str:
    out = []
    for _ in range(sentences):
        words = [rng.choice(WORDS) for _ in range(rng.randint(12, 24))]
        out.append(" ".join(words).capitalize() + f" {rng.randint(1, 99999)}.")
    return " ".join(out)


def page(i: int) -> bytes:
    """A news page of about 25 KB: header, navigation, article, related links, comments, footer."""
    rng = random.Random(i)
    nav = "".join(f"<li><a href='/section/{k}'>Section {k}</a></li>" for k in range(40))
    body = "".join(f"<p>{paragraph(rng, rng.randint(3, 6))}</p>" for _ in range(rng.randint(8, 14)))
    related = "".join(
        f"<li><a href='/story/{rng.randint(1, 10**6)}'>{paragraph(rng, 1)[:80]}</a></li>" for _ in range(15)
    )
    comments = "".join(
        f"<div class='comment'><b>reader{k}</b><p>{paragraph(rng, 1)}</p></div>" for k in range(6)
    )
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Story {i} - Example Daily</title>"
        f"<meta property='og:site_name' content='Example Daily'><meta property='article:published_time' "
        f"content='2024-0{1 + i % 9}-1{i % 9}T08:00:00Z'><script>var ads = {{slot: {i}}};</script>"
        f"<style>body{{font-family:serif}} .nav li{{display:inline}}</style></head><body>"
        f"<header><div class='logo'>Example Daily</div><ul class='nav'>{nav}</ul></header>"
        f"<main><article><h1>Story {i}: {paragraph(rng, 1)[:70]}</h1><div class='byline'>By Staff</div>{body}</article>"
        f"<aside><h3>Related</h3><ul>{related}</ul></aside><section class='comments'>{comments}</section></main>"
        f"<footer><p>Copyright Example Daily. All rights reserved.</p><ul>{nav}</ul></footer></body></html>"
    ).encode()


def rss_for(items: list[tuple[str, str]]) -> bytes:
    entries = "".join(f"<item><title>{t}</title><link>{u}</link></item>" for t, u in items)
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Feed</title>{entries}</channel></rss>".encode()


def setup_database() -> None:
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        conn = psycopg2.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
            if not cur.fetchone():
                cur.execute(f'CREATE DATABASE "{db["NAME"]}"')
        conn.close()
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)


def empty_ingest_tables() -> None:
    """Empty the ingestion tables with TRUNCATE ... CASCADE, which empties every table referencing
    them too (sources, candidates: the bench database holds nothing else); deleting a million
    articles row by row through the ORM takes minutes."""
    from django.db import connection

    from tracker.models import Article, ArticleBand, Feed, FeedPoll, FetchLog

    models = (FetchLog, ArticleBand, FeedPoll, Article, Feed)
    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {', '.join(m._meta.db_table for m in models)} RESTART IDENTITY CASCADE")


def memory(pids: list[int], per_process: dict[int, int] | None = None) -> tuple[int, int]:
    """(PSS summed over the processes, largest single RSS): PSS splits pages shared after fork fairly.
    ``per_process`` collects the peak PSS of each pid."""
    pss, rss = 0, 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    value = int(line.split()[1]) * 1024
                    pss += value
                    if per_process is not None:
                        per_process[pid] = max(per_process.get(pid, 0), value)
                elif line.startswith("Rss:"):
                    rss = max(rss, int(line.split()[1]) * 1024)
        except OSError:
            pass
    return pss, rss


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a live process (all its threads), in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def end_to_end(n_articles: int, n_feeds: int) -> None:
    import redis
    from django.utils import timezone

    from tests.ingest_support import LocalServer, Reply
    from tracker.celery import app
    from tracker.models import Article, Feed

    redis.Redis.from_url(BENCH_REDIS).flushdb()
    empty_ingest_tables()
    with LocalServer() as server:
        per_feed = n_articles // n_feeds
        for f in range(n_feeds):
            items = []
            for k in range(per_feed):
                i = f * per_feed + k
                server.route(f"/story/{i}", Reply(body=page(i)))
                items.append((f"Story {i}", server.url(f"/story/{i}")))
            server.route(
                f"/feed/{f}.xml", Reply(body=rss_for(items), headers={"Content-Type": "application/rss+xml"})
            )
            Feed.objects.create(url=server.url(f"/feed/{f}.xml"), next_poll_at=timezone.now())
        env = {**os.environ, "CONN_MAX_AGE": "60"}
        log = open("/tmp/bench-ingest-worker.log", "wb")  # noqa: SIM115 (the worker writes to it until killed)
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tracker",
                "worker",
                "-Q",
                "poll,fetch",
                "-c",
                "2",
                "-l",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            time.sleep(6)  # let the worker boot before the clock starts
            cpu_at_start = {pid: cpu_seconds(pid) for pid in group_pids(worker.pid)}
            started = time.monotonic()
            with app.connection_for_write(BENCH_REDIS) as connection:
                app.send_task("tracker.tasks.poll_due_feeds", connection=connection)
            peak, peak_rss, done, pids, polls, each = 0, 0, 0, [], 0, {}
            while time.monotonic() - started < 600:
                if polls % 8 == 0:
                    pids = group_pids(worker.pid)
                polls += 1
                pss, rss = memory(pids, each)
                cpu = {pid: cpu_seconds(pid) for pid in pids}
                peak, peak_rss = max(peak, pss), max(peak_rss, rss)
                done = Article.objects.exclude(state=Article.State.DISCOVERED).count()
                if done >= n_articles:
                    break
                time.sleep(0.25)
            elapsed = time.monotonic() - started
            cpu = {pid: cpu_seconds(pid) or cpu.get(pid, 0.0) for pid in pids}
            load = os.getloadavg()[0]
        finally:
            os.killpg(worker.pid, 15)
            worker.wait(timeout=30)
        states = dict(
            Article.objects.values_list("state").annotate(n=__import__("django").db.models.Count("id"))
        )
        print(
            f"end to end: {done} articles in {elapsed:.1f} s = {done / elapsed:.1f} articles/s "
            f"(1 worker, concurrency 2); states {states}"
        )
        worker_cpu = sum(cpu.values()) - sum(cpu_at_start.get(pid, 0.0) for pid in cpu)
        print(
            f"worker CPU: {worker_cpu * 1000 / max(done, 1):.1f} ms per article (main + pool processes); "
            f"load average at the end {load:.1f} on {os.cpu_count()} CPUs"
        )
        print(
            f"peak worker memory: {peak / 2**20:.0f} MB PSS for main + 2 pool processes together, "
            f"the pool sharing what main loaded before forking "
            f"(largest single process RSS {peak_rss / 2**20:.0f} MB); peak PSS per process: "
            + ", ".join(
                f"{'main' if pid == worker.pid else pid} {value / 2**20:.0f} MB"
                for pid, value in sorted(each.items())
            )
        )


def extraction(n: int) -> None:
    from tracker.ingest.extract import article_extract

    pages = [page(i) for i in range(n)]
    article_extract(body=pages[0], content_type="text/html; charset=utf-8")
    times = []
    for body in pages:
        t = time.perf_counter()
        article_extract(body=body, content_type="text/html; charset=utf-8")
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(
        f"extraction per article ({n} pages, ~{len(pages[0]) // 1024} KB each): median {statistics.median(times):.1f} ms, "
        f"p95 {times[int(0.95 * len(times))]:.1f} ms"
    )


def store_fill(upto: int, have: int) -> int:
    """Add synthetic original articles (with LSH bands) until the store holds ``upto``; COPY for speed."""
    import io
    import uuid

    from django.db import connection

    from tracker.models import Article, ArticleBand

    rng = random.Random(have)
    batch = 50_000
    art_table, band_table = Article._meta.db_table, ArticleBand._meta.db_table
    with connection.cursor() as cur:
        while have < upto:
            n = min(batch, upto - have)
            cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {art_table}")
            base = cur.fetchone()[0]
            arts, bands = io.StringIO(), io.StringIO()
            for k in range(n):
                pk = base + k + 1
                arts.write(
                    f"{pk}\thttps://bench.example.org/{uuid.uuid4().hex}\tanalysed\t{uuid.uuid4().hex}{uuid.uuid4().hex}\n"
                )
                for _ in range(8):
                    bands.write(f"{pk}\t{rng.getrandbits(64) - 2**63}\n")
            arts.seek(0)
            bands.seek(0)
            cur.copy_expert(
                f"COPY {art_table} (id, canonical_url, state, content_hash, url, title, publisher, language, text, "
                f"error, attempts, created_at, updated_at) FROM STDIN",
                _ArticleRows(arts),
            )
            cur.copy_expert(f"COPY {band_table} (article_id, value) FROM STDIN", bands)
            have += n
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{art_table}', 'id'), (SELECT MAX(id) FROM {art_table}))"
        )
        cur.execute(f"ANALYZE {art_table}; ANALYZE {band_table}")
    return have


class _ArticleRows:
    """Feeds COPY the columns the model needs, with fixed values for the ones the lookup ignores."""

    def __init__(self, source):
        self.lines = iter(source.getvalue().splitlines())
        self.buffer = b""

    def read(self, size=-1):
        while size < 0 or len(self.buffer) < size:
            line = next(self.lines, None)
            if line is None:
                break
            self.buffer += (
                line + "\t\t\t\ten\t\t\t0\t2024-01-01 00:00:00+00\t2024-01-01 00:00:00+00\n"
            ).encode()
        out, self.buffer = (self.buffer, b"") if size < 0 else (self.buffer[:size], self.buffer[size:])
        return out

    readline = read


def dedup_lookup(store_sizes: list[int]) -> None:
    from tests.ingest_support import story
    from tracker.ingest.articles import duplicate_find
    from tracker.ingest.dedup import fingerprint

    empty_ingest_tables()
    have = 0
    probes = [story(900_000 + i, 15) for i in range(200)]
    for size in store_sizes:
        t = time.monotonic()
        have = store_fill(size, have)
        fill = time.monotonic() - t
        for text in probes[:10]:
            duplicate_find(print_=fingerprint(text))
        times, prints = [], []
        for text in probes:
            t = time.perf_counter()
            print_ = fingerprint(text)
            t2 = time.perf_counter()
            duplicate_find(print_=print_)
            times.append((time.perf_counter() - t2) * 1000)
            prints.append((t2 - t) * 1000)
        times.sort()
        print(
            f"duplicate lookup with {have:>9,} stored: median {statistics.median(times):.2f} ms, "
            f"p95 {times[int(0.95 * len(times))]:.2f} ms (store filled in {fill:.0f} s; "
            f"fingerprint of the text, once per article, median {statistics.median(prints):.2f} ms)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--store", type=int, default=1_000_000)
    parser.add_argument("--skip", action="append", default=[], choices=["e2e", "extract", "dedup"])
    args = parser.parse_args()
    import django

    django.setup()
    setup_database()
    if "extract" not in args.skip:
        extraction(args.articles)
    if "e2e" not in args.skip:
        end_to_end(args.articles, args.feeds)
    if "dedup" not in args.skip:
        sizes = [s for s in (10_000, 100_000, args.store) if s <= args.store]
        dedup_lookup(sorted(set(sizes)))


if __name__ == "__main__":
    main()
