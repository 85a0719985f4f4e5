"""Test support for ingestion: a local HTTP server with scripted answers, page and feed builders,
and real worker processes (Celery, gunicorn) sharing the test database."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import escape

import pytest
from django.conf import settings

from tests.paths import ROOT

_SUBJECTS = ["The defence minister", "A senior diplomat", "The prime minister", "A government spokesman"]
_VERBS = ["warned", "said", "told reporters", "declared"]
_OBJECTS = [
    "that deliveries of long-range missiles would cross a line",
    "that troops near the border would be answered in kind",
    "that new sanctions would bring corresponding decisions",
    "that strikes on the capital would be treated as an act of war",
    "that the talks could not continue under such pressure",
]


def story(seed: int, sentences: int = 12) -> str:
    """A made-up news text, different for each seed."""
    rng = random.Random(seed)
    words = [
        f"{rng.choice(['northern', 'eastern', 'coastal', 'border'])}-{seed}-{i}" for i in range(sentences)
    ]
    lines = [
        f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} on day {i} in the {words[i]} region "
        f"{rng.choice(_OBJECTS)}, and observers number {seed * 100 + i} noted the change."
        for i in range(sentences)
    ]
    return " ".join(lines)


def article_page(
    title: str, text: str, *, charset: str | None = "utf-8", lang: str = "en", date: str = "2024-09-12"
) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in text.split(". ") if p)
    return (
        f'<!doctype html><html lang="{lang}"><head>{meta}<title>{escape(title)}</title>'
        f'<meta property="article:published_time" content="{date}T08:00:00Z">'
        f'<meta property="og:site_name" content="Example Daily"></head><body>'
        f"<nav><a href='/'>Home</a> <a href='/world'>World</a> <a href='/sport'>Sport</a></nav>"
        f"<article><h1>{escape(title)}</h1>{paragraphs}</article>"
        f"<footer>All rights reserved. Subscribe to our newsletter.</footer></body></html>"
    )


def rss(items: list[dict], title: str = "Example feed") -> bytes:
    parts = []
    for item in items:
        link = f"<link>{escape(item['link'])}</link>" if item.get("link") else ""
        date = f"<pubDate>{item['date']}</pubDate>" if item.get("date") else ""
        parts.append(f"<item><title>{escape(item.get('title', 'Untitled'))}</title>{link}{date}</item>")
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(title)}</title>'
        f"<link>http://example.org/</link><description>test</description>{''.join(parts)}</channel></rss>"
    ).encode()


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drip: float = 0.0  # seconds between single bytes of the body
    chunked: bool = False  # no Content-Length: the size is only known by reading


Handler = Callable[[BaseHTTPRequestHandler], Reply] | Reply | list[Reply]


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 answering scripted replies per path, counting hits."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.hits: Counter[str] = Counter()
        self.requests: dict[str, list[dict[str, str]]] = defaultdict(list)
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body leave as separate writes: with Nagle's algorithm on, the body would
            # wait for the client's delayed ACK of the headers (40 ms a response on Linux).
            disable_nagle_algorithm = True

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path
                server.hits[path] += 1
                server.requests[path].append(dict(self.headers.items()))
                route = server.routes.get(path)
                if route is None:
                    reply = Reply(404, b"not found")
                elif isinstance(route, list):
                    reply = route.pop(0) if len(route) > 1 else route[0]
                elif callable(route):
                    reply = route(self)
                else:
                    reply = route
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    headers = {"Content-Type": "text/html; charset=utf-8", **reply.headers}
                    for key, value in headers.items():
                        self.send_header(key, value)
                    if reply.chunked:
                        self.send_header("Transfer-Encoding", "chunked")
                    elif "Content-Length" not in headers:
                        self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    if reply.chunked:
                        for i in range(0, len(reply.body), 65536):
                            chunk = reply.body[i : i + 65536]
                            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                        self.wfile.write(b"0\r\n\r\n")
                    elif reply.drip:
                        for i in range(len(reply.body)):
                            self.wfile.write(reply.body[i : i + 1])
                            self.wfile.flush()
                            time.sleep(reply.drip)
                    else:
                        self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, handler: Handler) -> str:
        self.routes[path] = handler
        return self.url(path)

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def html(body: str, charset: str = "utf-8", **kw) -> Reply:
    return Reply(body=body.encode(charset), headers={"Content-Type": f"text/html; charset={charset}"}, **kw)


def feed_reply(body: bytes, headers: dict[str, str] | None = None, **kw) -> Reply:
    return Reply(body=body, headers={"Content-Type": "application/rss+xml", **(headers or {})}, **kw)


# --- real processes ----------------------------------------------------------------------------


def redis_url() -> str:
    """Redis DB 5 on the host of REDIS_URL (or the local default); fail clearly when unreachable."""
    import redis

    base = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    url = base.rsplit("/", 1)[0] + "/5" if base.count("/") >= 3 else base + "/5"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is not reachable at {url} ({exc}); start redis-server for the integration tests")
    return url


def database_url(name: str | None = None) -> str:
    """The URL of the test database (pytest-django renamed it), or of database `name` on the same
    server, for subprocesses. A host that is a directory is a Unix socket (the embedded server's)."""
    db = settings.DATABASES["default"]
    user, password = db.get("USER") or "postgres", db.get("PASSWORD") or ""
    auth = f"{user}:{password}" if password else user
    host, port, name = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432, name or db["NAME"]
    if host.startswith("/"):
        return f"postgres://{auth}@/{name}?host={quote(host)}&port={port}"
    return f"postgres://{auth}@{host}:{port}/{name}"


def process_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tracker.settings",
        DATABASE_URL=database_url(),
        REDIS_URL=redis_url(),
        CELERY_TASK_ALWAYS_EAGER="false",
        FETCH_ALLOW_LOOPBACK="true",
        FETCH_TIMEOUT="3",
        FETCH_DEADLINE="3",
        CONN_MAX_AGE="0",
        TESTING="true",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class Process:
    """A subprocess in its own session (so its whole group can be killed), logging to a file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path):
        self.name = name
        self.log = log_dir / f"{name}.log"
        self._log_file = self.log.open("wb")
        self.popen = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT, start_new_session=True
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, text: str, timeout: float = 30) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if text in self.output():
                return
            if self.popen.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"{self.name} did not say {text!r} in {timeout}s:\n{self.output()[-3000:]}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)
        self._log_file.close()

    def stop(self) -> None:
        self.kill(signal.SIGTERM)


def celery_worker(name: str, env: dict[str, str], log_dir: Path, concurrency: int = 2) -> Process:
    args = [sys.executable, "-m", "celery", "-A", "tracker", "worker", "-Q", "poll,fetch,analyse,celery"]
    args += ["-c", str(concurrency), "-n", f"{name}@%h", "-l", "INFO", "--without-gossip", "--without-mingle"]
    return Process(name, args, env, log_dir)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server of our own (a free port unless given), so stopping it disturbs nobody."""

    def __init__(self, workdir: Path | str, port: int | None = None) -> None:
        self.workdir, self.port = str(workdir), port or free_port()
        self.proc: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", self.workdir],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.up, 10, f"redis on {self.port} did not start", interval=0.1)

    def up(self) -> bool:
        ping = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True)
        return ping.stdout.strip() == "PONG"

    def stop(self) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def wait_until(predicate: Callable[[], bool], timeout: float, message: str, interval: float = 0.2) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(message)


@pytest.fixture
def eager_tasks():
    """Run Celery tasks in-process whatever REDIS_URL says; retries run in-process too (`.get()` re-raises)."""
    from tracker.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, False
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def local_server():
    with LocalServer() as server:
        yield server


@pytest.fixture
def fetch_settings(settings):
    settings.FETCH_ALLOW_LOOPBACK = True
    settings.FETCH_ALLOW_PRIVATE = False
    settings.FETCH_TIMEOUT = 1.0
    settings.FETCH_DEADLINE = 2.0
    return settings
