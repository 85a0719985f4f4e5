"""Benchmark the public API against a synthetic record on PostgreSQL and gunicorn on loopback.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rl_bench .venv/bin/python bench/api/run.py
    (generate the record first:  ... manage.py migrate && ... manage.py generate_synthetic)

For each endpoint it measures p50/p95 latency (sequential requests) and requests/s (concurrent
clients), times the bare SQL the same request runs (captured in-process, replayed with psycopg2)
and prints API p50 / SQL p50. Every figure is the median of --runs runs.

Anonymous reads are cached per record version (api/read_cache.py), so it prints two tables:
"cold" gives every request a unique, ignored `nocache=N` parameter (so neither the response nor
the count cache can answer: each request runs the view and its SQL), "warm" repeats the same
paths (answered from the cache after the first). --mode cold|warm|both (default both).
"""

import argparse
import http.client
import io
import logging
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def get(port: int, path: str) -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path)
    response = conn.getresponse()
    size = len(response.read())
    conn.close()
    return response.status, size


_BUST = iter(range(1, 10**12))


def busted(path: str, cold: bool) -> str:
    """With `cold`, a unique parameter the API ignores, so no cache can answer the request."""
    if not cold:
        return path
    return f"{path}{'&' if '?' in path else '?'}nocache={next(_BUST)}-{os.getpid()}-{time.time_ns()}"


def sequential(port: int, paths: list[str], n: int, cold: bool = False) -> list[float]:
    timings = []
    for i in range(n):
        start = time.perf_counter()
        code, _ = get(port, busted(paths[i % len(paths)], cold))
        timings.append((time.perf_counter() - start) * 1000)
        if code != 200:
            raise SystemExit(f"{paths[i % len(paths)]} answered {code}")
    return timings


def throughput(port: int, paths: list[str], clients: int, seconds: float, cold: bool = False) -> float:
    done = [0] * clients
    stop = time.perf_counter() + seconds

    def worker(i: int) -> None:
        j = i
        while time.perf_counter() < stop:
            get(port, busted(paths[j % len(paths)], cold))
            done[i] += 1
            j += clients

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - started)


def cpu_calibration() -> float:
    """Seconds for 10 million pure-Python additions: compares this machine's speed with another's."""
    start = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - start


def stats_uncached_ms(n: int = 10) -> float:
    """Median of `n` stats requests in-process with the cache emptied before each: the figures' real cost.

    Over HTTP the stats row is answered from the per-version figure cache, which `nocache` cannot bust.
    """
    from django.core.cache import cache
    from django.test import Client

    client = Client()
    timings = []
    for _ in range(n):
        cache.clear()
        start = time.perf_counter()
        response = client.get("/api/v1/stats/")
        timings.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"/api/v1/stats/ answered {response.status_code}")
    return statistics.median(timings)


def capture_sql(paths: list[str]) -> dict[str, list[str]]:
    """The SQL each request runs, captured by running it in-process through Django."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["*"]
    logging.disable(logging.INFO)
    settings.DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = True
    client = Client()
    found = {}
    for path in paths:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
            if response.streaming:
                b"".join(response.streaming_content)
        found[path] = [q["sql"] for q in ctx.captured_queries]
    return found


def sql_timings(dsn: str, statements: dict[str, list[str]], paths: list[str], n: int) -> list[float]:
    import psycopg2

    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    cur = conn.cursor()
    timings = []
    for i in range(n):
        start = time.perf_counter()
        for sql in statements[paths[i % len(paths)]]:
            if sql.startswith(
                "COPY "
            ):  # the CSV export's COPY ... TO STDOUT: read its bytes, as the API does
                cur.copy_expert(sql, io.BytesIO())
                continue
            cur.execute(sql)
            if cur.description:
                cur.fetchall()
        timings.append((time.perf_counter() - start) * 1000)
    conn.close()
    return timings


def endpoints(dsn: str) -> dict[str, list[str]]:
    import psycopg2

    conn = psycopg2.connect(dsn)
    cur = conn.cursor()
    cur.execute("SELECT slug FROM tracker_redline WHERE is_published ORDER BY random() LIMIT 50")
    slugs = [r[0] for r in cur.fetchall()]
    conn.close()
    if not slugs:
        raise SystemExit("No published red lines: run manage.py generate_synthetic on this database first.")
    rng = random.Random(5)
    filters = [
        {"status": "crossed", "severity": "military", "page_size": 50},
        {"category": "weapons_transfer", "declared_after": "2015-01-01", "page_size": 50},
        {"status": "active", "ordering": "-updated_at", "page_size": 50},
    ]
    queries = ["cruise missiles", "naval blockade", "energy embargo", "nuclear doctrine", "fighter jets"]
    return {
        "red-line list (50)": [
            "/api/v1/red-lines/?page_size=50",
            *[f"/api/v1/red-lines/?page_size=50&page={p}" for p in (2, 7, 40)],
        ],
        "red-line list, filtered": [f"/api/v1/red-lines/?{urlencode(f)}" for f in filters],
        "red-line detail": [f"/api/v1/red-lines/{s}/" for s in slugs],
        "history": [f"/api/v1/red-lines/{s}/history/" for s in rng.sample(slugs, len(slugs))],
        "q search": [f"/api/v1/red-lines/?{urlencode({'q': q, 'page_size': 50})}" for q in queries],
        "stats": ["/api/v1/stats/"],
        "CSV export (10k rows)": [
            "/api/v1/red-lines/?format=csv&declared_after=2020-01-01&declared_before=2022-09-01"
        ],
    }


def _stop_on_sigterm() -> None:
    import signal

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=8931)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=100, help="Sequential requests per endpoint per run.")
    parser.add_argument("--clients", type=int, default=4, help="Concurrent clients for requests/s.")
    parser.add_argument("--seconds", type=float, default=4.0, help="Duration of each throughput run.")
    parser.add_argument("--mode", choices=["cold", "warm", "both"], default="both")
    args = parser.parse_args()
    _stop_on_sigterm()  # so `finally` stops gunicorn
    dsn = os.environ.get("DATABASE_URL", "")
    if not dsn.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to the PostgreSQL database holding the synthetic record.")

    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-0123456789abcdef",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "API_ANON_RATE": "100000000/hour",
        "LOG_LEVEL": "WARNING",
        "SECURE_SSL_REDIRECT": "false",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "tracker.wsgi:application",
            "--workers", "2",
            "--bind", f"127.0.0.1:{args.port}",
            "--no-control-socket",
            "--log-level", "warning",
        ],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                get(args.port, "/api/v1/")
                break
            except OSError:
                time.sleep(0.2)
        targets = endpoints(dsn)
        all_paths = [p for paths in targets.values() for p in paths]
        statements = capture_sql(all_paths)
        for paths in targets.values():  # warm both workers and PostgreSQL's cache
            for path in paths:
                get(args.port, path)
                get(args.port, path)
        floor = {
            path: percentile(sequential(args.port, [path], 200), 50) for path in ("/healthz", "/api/v1/")
        }
        print(
            f"machine: 10M pure-Python additions in {cpu_calibration():.2f} s; per-request floor through "
            f"HTTP and gunicorn: /healthz {floor['/healthz']:.1f} ms, /api/v1/ (DRF, no SQL) "
            f"{floor['/api/v1/']:.1f} ms; API-SQL is the request's time outside PostgreSQL"
        )
        modes = ["cold", "warm"] if args.mode == "both" else [args.mode]
        sql_by: dict[str, list[float]] = {}
        for mode in modes:
            cold = mode == "cold"
            results: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
            for _ in range(args.runs):
                for name, paths in targets.items():
                    heavy = name.startswith("CSV") or name == "stats"
                    n = 5 if name.startswith("CSV") else (20 if heavy else args.requests)
                    api = sequential(args.port, paths, n, cold)
                    # The SQL is the same in both modes (the cold one): replay it once, not twice.
                    sql = sql_timings(dsn, statements, paths, n) if cold or mode == modes[0] else sql_by[name]
                    sql_by[name] = sql
                    rps = (
                        throughput(args.port, paths, args.clients, args.seconds, cold)
                        if not name.startswith("CSV")
                        else 0.0
                    )
                    results[name].append(
                        {
                            "p50": percentile(api, 50),
                            "p95": percentile(api, 95),
                            "rps": rps,
                            "sql": percentile(sql, 50),
                            "queries": len(statements[paths[0]]),
                        }
                    )
            label = (
                "COLD: every request a cache miss (runs the view and all its SQL)"
                if cold
                else "WARM: repeated paths, answered from the read cache (API/SQL vs the cold SQL)"
            )
            print(
                f"\nAPI benchmark, {label}\n"
                f"gunicorn 2 workers on loopback, {args.clients} clients for req/s, median of {args.runs} runs"
            )
            print(
                f"{'endpoint':26} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'SQL ms':>8} {'API/SQL':>8} {'API-SQL':>8} {'queries':>8}"
            )
            for name, runs in results.items():
                med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                ratio = med["p50"] / med["sql"] if med["sql"] else float("nan")
                rps = f"{med['rps']:8.0f}" if med["rps"] else f"{'-':>8}"
                print(
                    f"{name:26} {med['p50']:8.1f} {med['p95']:8.1f} {rps} {med['sql']:8.1f} {ratio:8.2f} "
                    f"{med['p50'] - med['sql']:8.1f} {med['queries']:8.0f}",
                    flush=True,
                )
            if cold:
                print(
                    f"{'stats, figures uncached':26} {stats_uncached_ms():8.1f}   (in-process, cache emptied before each)"
                )
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
