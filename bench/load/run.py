"""Load test: 50 concurrent users mixing dashboard pages, filtered API lists, search, detail and
history, against gunicorn (2 workers) on loopback over the synthetic record on PostgreSQL; then the
same load while an ingestion batch of 1,000 articles runs beside it: 20 feeds served from loopback,
polled, fetched, extracted and analysed by the production Celery worker (concurrency 2, niced like
the compose worker's cpu_shares, at the settings' ingestion rate limits) on Redis.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rl_bench .venv/bin/python bench/load/run.py \
        [--users 50] [--duration 300] [--articles 1000] [--no-ingest] \
        [--think 0.5 2] [--workers 2] [--threads 1] [--ingest-rate 5/s] [--ingest-nice 6]

(generate the record first: manage.py migrate && manage.py generate_synthetic)

Each user loops: pick a page by weight, GET it, record latency and status, then wait a random
think time between the two --think bounds (like locust's `between`); without --think the loop is
closed (no think time: the heaviest load 50 users can make). --threads above 1 runs gunicorn's
gthread worker class with that many threads per worker. Prints requests/s, p50/p95/p99 and errors
overall and per page, for each phase.
"""

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg2
import redis

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def samples(database_url: str) -> dict[str, list[str]]:
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT slug FROM tracker_redline WHERE is_published ORDER BY random() LIMIT 300")
        lines = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT slug FROM tracker_actor ORDER BY random() LIMIT 100")
        actors = [r[0] for r in cur.fetchall()]
    return {"lines": lines, "actors": actors}


WORDS = ["missiles", "strikes", "nuclear", "border", "sanctions", "troops", "drones", "island"]
STATUSES = ["active", "crossed", "enforced", "withdrawn"]
SEVERITIES = ["diplomatic", "economic", "military", "nuclear"]


def page_mix(s: dict[str, list[str]]) -> list[tuple[str, int, object]]:
    """(name, weight, path factory)."""
    line = lambda: random.choice(s["lines"])  # noqa: E731
    actor = lambda: random.choice(s["actors"])  # noqa: E731
    return [
        ("web overview", 8, lambda: "/"),
        (
            "web red-lines filtered",
            10,
            lambda: f"/red-lines/?status={random.choice(STATUSES)}&severity={random.choice(SEVERITIES)}",
        ),
        ("web red-lines search", 6, lambda: f"/red-lines/?q={random.choice(WORDS)}"),
        ("web red-line detail", 12, lambda: f"/red-lines/{line()}/"),
        ("web actor detail", 6, lambda: f"/actors/{actor()}/"),
        (
            "api red-lines filtered",
            12,
            lambda: (
                f"/api/v1/red-lines/?status={random.choice(STATUSES)}&severity={random.choice(SEVERITIES)}&ordering=-declared_on"
            ),
        ),
        ("api red-lines search", 8, lambda: f"/api/v1/red-lines/?q={random.choice(WORDS)}"),
        ("api red-line detail", 12, lambda: f"/api/v1/red-lines/{line()}/"),
        ("api red-line history", 8, lambda: f"/api/v1/red-lines/{line()}/history/"),
        ("api events filtered", 8, lambda: f"/api/v1/events/?kind=crossing&after=2020-01-01&actor={actor()}"),
        ("api actors", 5, lambda: "/api/v1/actors/?kind=state"),
        ("api stats", 3, lambda: "/api/v1/stats/"),
    ]


def user_loop(port: int, mix, stop: threading.Event, out: list, think: tuple[float, float] | None) -> None:
    names = [m[0] for m in mix]
    weights = [m[1] for m in mix]
    factories = {m[0]: m[2] for m in mix}
    while not stop.is_set():
        name = random.choices(names, weights)[0]
        path = factories[name]()
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path, headers={"Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            status = response.status
            conn.close()
        except Exception as exc:  # a refused or timed-out request is an error in the figures
            status = f"{type(exc).__name__}"
        out.append((name, time.perf_counter() - started, status, started))
        if think:
            stop.wait(random.uniform(*think))


def run_load(
    port: int, mix, users: int, duration: float, think: tuple[float, float] | None
) -> tuple[list, float]:
    results: list = []
    stop = threading.Event()
    threads = [
        threading.Thread(target=user_loop, args=(port, mix, stop, results, think), daemon=True)
        for _ in range(users)
    ]
    started = time.monotonic()
    busy, own = _cpu_seconds(), time.process_time()
    for t in threads:
        t.start()
    time.sleep(duration)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    elapsed = time.monotonic() - started
    cores = os.cpu_count() or 1
    print(
        f"CPU while it ran: {(_cpu_seconds() - busy) / elapsed / cores * 100:.0f} % of {cores} cores busy, "
        f"{(time.process_time() - own) / elapsed / cores * 100:.0f} % of them this load generator's own"
    )
    return results, elapsed


def timeline(title: str, results: list, started: float, step: float = 30.0) -> None:
    """Latency by slice of the phase: when the slow requests came."""
    print(f"\n{title}, by {step:.0f} s slice (when sent): n, p50, p95, p99, max ms")
    slices: dict[int, list[float]] = {}
    for r in results:
        slices.setdefault(int((r[3] - started) // step), []).append(r[1] * 1000)
    for k in sorted(slices):
        ms = slices[k]
        print(
            f"  {k * step:>5.0f}-{(k + 1) * step:<5.0f}{len(ms):>6}{percentile(ms, 50):>7.0f}"
            f"{percentile(ms, 95):>7.0f}{percentile(ms, 99):>7.0f}{max(ms):>7.0f}"
        )


def _cpu_seconds() -> float:
    """Busy CPU seconds of the whole machine so far (user, nice, system, irq, softirq from /proc/stat)."""
    with open("/proc/stat") as stat:
        fields = stat.readline().split()[1:8]
    user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in fields)
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def report(title: str, results: list, elapsed: float) -> dict:

    errors = [r for r in results if r[2] != 200]
    lat = [r[1] * 1000 for r in results]
    summary = {
        "requests": len(results),
        "rps": len(results) / elapsed,
        "p50": percentile(lat, 50),
        "p95": percentile(lat, 95),
        "p99": percentile(lat, 99),
        "errors": len(errors),
    }
    print(f"\n## {title}: {summary['requests']} requests in {elapsed:.0f} s")
    print(f"{'page':<26}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name in sorted({r[0] for r in results}):
        rows = [r for r in results if r[0] == name]
        ms = [r[1] * 1000 for r in rows]
        bad = sum(1 for r in rows if r[2] != 200)
        print(
            f"{name:<26}{len(rows):>7}{percentile(ms, 50):>9.0f}{percentile(ms, 95):>9.0f}{percentile(ms, 99):>9.0f}{bad:>8}"
        )
    print(
        f"{'ALL':<26}{len(results):>7}{summary['p50']:>9.0f}{summary['p95']:>9.0f}{summary['p99']:>9.0f}{len(errors):>8}"
    )
    print(
        f"requests/s: {summary['rps']:.1f}   errors: {len(errors)} ({sorted({str(e[2]) for e in errors})[:5]})"
    )
    return summary


BATCH = r"""
import json, random, sys, time, uuid
import django; django.setup()
from tracker.celery import app
from django.utils import timezone
from tests.ingest_support import LocalServer, article_page, feed_reply, html, rss
from tracker.models import Article, Feed
articles = [json.loads(l) for l in open("tracker/analysis/eval/articles.jsonl")]
sentences = [s.strip() + "." for a in articles for s in a["text"].split(".") if len(s.split()) > 6]
n, n_feeds = int(sys.argv[1]), int(sys.argv[2])
run = uuid.uuid4().hex  # a fresh batch each run: earlier runs' articles would make these duplicates
with LocalServer() as server:
    feeds = []
    for f in range(n_feeds):
        items = []
        for i in range(f, n, n_feeds):
            rng = random.Random(f"{run}-{i}")
            text = " ".join(rng.sample(sentences, 12)) + f" Bench note {run} {i}."
            link = server.route(f"/{run}/story/{i}", html(article_page(f"Load bench story {i}", text)))
            items.append({"title": f"Load bench story {i}", "link": link})
        url = server.route(f"/{run}/feed/{f}.xml", feed_reply(rss(items)))
        feeds.append(Feed.objects.create(url=url, title=f"Load bench {f}", next_poll_at=timezone.now()).pk)
    prefix = server.url(f"/{run}/")
    with app.connection_for_write() as connection:
        for feed_id in feeds:  # what beat's poll-due-feeds does each minute
            app.send_task("tracker.tasks.poll_feed", args=[feed_id], connection=connection)
    print("READY", flush=True)
    started = time.monotonic()
    settled = Article.objects.filter(canonical_url__startswith=prefix, state__in=["analysed", "duplicate", "failed"])
    while (done := settled.count()) < n and time.monotonic() - started < 3600:
        time.sleep(0.5)
    states = dict(Article.objects.filter(canonical_url__startswith=prefix).values_list("state").annotate(n=django.db.models.Count("id")))
    print(json.dumps({"articles": done, "seconds": time.monotonic() - started, "states": states}), flush=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=300.0)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--no-ingest", action="store_true")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        metavar=("MIN", "MAX"),
        help="seconds of think time between a user's requests, drawn uniformly (e.g. 0.5 2)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker; above 1: gthread")
    parser.add_argument("--feeds", type=int, default=20, help="feeds the batch's articles come from")
    parser.add_argument(
        "--ingest-nice",
        type=int,
        default=6,
        help="CPU niceness of the Celery worker; 6 weighs like the compose worker's cpu_shares 256 vs 1024",
    )
    parser.add_argument(
        "--ingest-rate",
        help="the worker's fetch and analyse rate limit (INGEST_FETCH_RATE, INGEST_ANALYSE_RATE), e.g. 10/s; "
        "'' for none; default: the settings' default",
    )
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/7",
        help="Redis for the shared read cache, as in production (emptied first)",
    )
    parser.add_argument(
        "--broker", default="redis://127.0.0.1:6379/5", help="Redis for the Celery broker (emptied first)"
    )
    args = parser.parse_args()
    think = tuple(args.think) if args.think else None
    if think and not 0 <= think[0] <= think[1]:
        parser.error("--think MIN MAX needs 0 <= MIN <= MAX")
    worker_args = ["--workers", str(args.workers)]
    if args.threads > 1:
        worker_args += ["--worker-class", "gthread", "--threads", str(args.threads)]
    shape = (
        f"{args.workers} gthread workers x {args.threads} threads"
        if args.threads > 1
        else f"{args.workers} sync workers"
    )
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("set DATABASE_URL to the PostgreSQL database holding the synthetic record")
    env = {
        **os.environ,
        "DEBUG": "false",
        "TESTING": "true",  # plain static storage: no collectstatic needed for a loopback run
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "REDIS_URL": args.broker,
        "REDIS_CACHE_URL": args.redis,
        "FETCH_ALLOW_LOOPBACK": "true",
        "API_ANON_RATE": "100000000/hour",
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "PYTHONWARNINGS": "ignore",
    }

    if args.ingest_rate is not None:
        env.update(INGEST_FETCH_RATE=args.ingest_rate, INGEST_ANALYSE_RATE=args.ingest_rate)

    def cache_emptied() -> None:
        """Each phase starts from an empty read cache, so neither inherits the other's cached pages."""
        redis.Redis.from_url(args.redis).flushdb()

    redis.Redis.from_url(args.broker).flushdb()

    port = free_port()
    log = open("/tmp/bench-load-gunicorn.log", "w")  # noqa: SIM115
    web = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "tracker.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            *worker_args,
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    # The production worker (docker-compose.yml), idle through the first phase as it would be.
    worker_log = open("/tmp/bench-load-worker.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [str(BIN / "celery"), "-A", "tracker", "worker", "-Q", "poll,fetch,analyse,celery"]
        + ["--concurrency", "2", "--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
        preexec_fn=lambda: os.nice(args.ingest_nice),
        cwd=ROOT,
        env=env,
        stdout=worker_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        mix = page_mix(samples(database_url))
        with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
            cur.execute("SELECT (SELECT count(*) FROM tracker_event), (SELECT count(*) FROM tracker_redline)")
            events, lines = cur.fetchone()
        pacing = f"think time {think[0]:g}-{think[1]:g} s" if think else "closed loop, no think time"
        print(
            f"record: {lines:,} red lines, {events:,} events; gunicorn {shape}; {args.users} users, "
            f"{pacing}; {args.duration:.0f} s per phase; read cache "
            f"{'in Redis ' + args.redis if args.redis else 'in each worker'}"
        )
        run_load(port, mix, args.users, 10, think)  # warm-up of the processes, not counted
        if not args.no_ingest:
            # A worker that has run a while: its pool processes hold the analyser's index already
            # (the first analysis after a start builds it: 13 s on 100,000 lines).
            warm = subprocess.run(
                [sys.executable, "-c", BATCH, "8", "4"],
                cwd=ROOT,
                env={**env, "LOG_LEVEL": "WARNING"},
                capture_output=True,
                text=True,
                timeout=600,
            )
            if warm.returncode:
                sys.exit(f"the warm-up batch failed: {warm.stderr.strip().splitlines()[-1:]}")
        cache_emptied()
        base_started = time.perf_counter()
        base_results, elapsed = run_load(port, mix, args.users, args.duration, think)
        base = report("load alone", base_results, elapsed)
        timeline("load alone", base_results, base_started)
        if args.no_ingest:
            return
        # The batch: its feeds and pages served from a process of their own (the load's threads
        # would share a GIL with them), polled, fetched, extracted and analysed by the worker.
        ingest = subprocess.Popen(
            [sys.executable, "-c", BATCH, str(args.articles), str(args.feeds)],
            cwd=ROOT,
            env={**env, "LOG_LEVEL": "WARNING"},
            stdout=subprocess.PIPE,
            text=True,
        )
        while ingest.stdout.readline().strip() != "READY":  # measure while articles actually flow
            if ingest.poll() is not None:
                sys.exit("the ingestion batch failed to start")
        cache_emptied()
        batch_started = time.perf_counter()
        batch_window = [batch_started, None]

        def batch_end() -> None:  # the batch's last line comes when its last article is stored
            ingest_out.extend(ingest.stdout.read().strip().splitlines())
            batch_window[1] = time.perf_counter()

        ingest_out: list[str] = []
        watcher = threading.Thread(target=batch_end, daemon=True)
        watcher.start()
        busy_results, elapsed = run_load(port, mix, args.users, args.duration, think)
        busy = report(f"load while ingesting {args.articles} articles", busy_results, elapsed)
        timeline("load with the batch (it started at 0)", busy_results, batch_started)
        running = ingest.poll() is None
        watcher.join(timeout=60 if running else 5)  # a minute's grace for the batch's last articles
        if ingest.poll() is None:
            ingest.kill()
        end = batch_window[1] or time.perf_counter()
        during = [r for r in busy_results if batch_started <= r[3] <= end]
        phases = [("load alone", base, "whole phase", busy)]
        if during:
            # Both phases start from an empty read cache: the batch's window is compared with the
            # same seconds from the start of the phase without it.
            window = end - batch_started
            title = f"only the requests sent while the batch ran ({window:.0f} s)"
            same = [r for r in base_results if base_started <= r[3] <= base_started + window]
            reference = report(
                f"load alone, its first {window:.0f} s (the reference for the batch's window)", same, window
            )
            phases.append(
                (
                    f"load alone, first {window:.0f} s",
                    reference,
                    "while the batch ran",
                    report(title, during, window),
                )
            )
        print(f"\ningestion batch {'still running' if running else 'had finished'} when the load phase ended")
        if ingest_out:
            done = json.loads(ingest_out[-1])
            print(
                f"\ningestion: {done['articles']} articles in {done['seconds']:.0f} s "
                f"({done['articles'] / done['seconds']:.1f}/s; worker nice {args.ingest_nice}, rate limit "
                f"{env.get('INGEST_ANALYSE_RATE', 'the default')}); states {done['states']}"
            )
        for before_label, before, label, figures in phases:
            print(f"\n{before_label} -> {label}:")
            for key in ("rps", "p50", "p95", "p99"):
                change = (figures[key] - before[key]) / before[key] * 100 if before[key] else 0.0
                print(f"{key}: {before[key]:.1f} -> {figures[key]:.1f} ({change:+.0f} %)")
    finally:
        web.terminate()
        os.killpg(worker.pid, signal.SIGKILL)  # a warm shutdown would wait for the tasks running
        web.wait(timeout=30)
        worker.wait(timeout=30)
        log.close()
        worker_log.close()


if __name__ == "__main__":
    main()
