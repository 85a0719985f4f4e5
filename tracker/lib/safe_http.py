"""The safe HTTP client for untrusted URLs (feeds, articles, webhooks): public addresses only,
bounded in time, size and redirects.

Every hop of a fetch is checked before any byte is sent: the host is resolved and each of its
addresses must be public (not private, loopback, link-local, reserved, multicast or unspecified).
The same check runs again inside the connection, on the addresses actually dialled, so a DNS answer
that changes between check and connect (rebinding) cannot slip through. Settings:

- ``FETCH_ALLOW_LOOPBACK``: allow 127.0.0.0/8 and ::1 (tests serve pages from the loopback).
- ``FETCH_ALLOW_PRIVATE``: allow loopback and private ranges too (intranet feeds).
- ``FETCH_TIMEOUT``: connect timeout and the longest silence while reading, in seconds.
- ``FETCH_DEADLINE``: the most a whole fetch may take, redirects included (a server that sends a
  byte a second never trips a read timeout, so this is what stops it).
- ``FETCH_MAX_BYTES``: the largest (decoded) body accepted.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings
from django.core.exceptions import ValidationError
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError as Urllib3Error

MAX_REDIRECTS = 5
USER_AGENT = "RedLineTracker/1.0 (feed reader; +https://github.com/)"
_REDIRECT_CODES = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024


class FetchError(Exception):
    """A fetch that did not produce a usable body. ``transient`` errors are worth retrying."""

    def __init__(self, message: str, *, transient: bool = False, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.transient = transient
        self.status_code = status_code


class BlockedAddress(FetchError):
    """The URL resolves to an address the fetcher must not reach (SSRF protection)."""


@dataclass
class FetchResult:
    url: str
    status_code: int
    headers: dict[str, str]
    body: bytes = b""
    duration_ms: int = 0
    redirects: list[str] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.status_code == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def _allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_multicast or ip.is_unspecified:
        return False
    if ip.is_loopback:
        return bool(settings.FETCH_ALLOW_LOOPBACK or settings.FETCH_ALLOW_PRIVATE)
    if ip.is_link_local:
        # Cloud metadata lives at 169.254.169.254: never reachable, whatever the settings.
        return False
    if ip.is_private and settings.FETCH_ALLOW_PRIVATE:
        return True
    return ip.is_global


def resolve_public(host: str, port: int) -> list[tuple]:
    """Resolve ``host`` and return its socket addresses, or raise BlockedAddress if any is not allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host!r}: {exc}", transient=True) from exc
    if not infos:
        raise FetchError(f"host {host!r} has no address", transient=True)
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not _allowed(ip):
            raise BlockedAddress(f"refused: {host} resolves to non-public address {ip}")
    return infos


def url_check(url: str) -> tuple[str, int]:
    """Check scheme and host of ``url`` and that it resolves to allowed addresses; return (host, port)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"invalid URL: {exc}") from exc
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"refused: only http and https URLs are fetched, not {parts.scheme or 'none'!r}")
    if not parts.hostname:
        raise FetchError("invalid URL: no host")
    if parts.username or parts.password:
        raise FetchError("refused: URLs with credentials are not fetched")
    port = port or (443 if parts.scheme == "https" else 80)
    resolve_public(parts.hostname, port)
    return parts.hostname, port


def public_url_validator(url: str) -> None:
    """A model field validator: a URL that `url_check` refuses is refused when saved, not at its
    first use. A host that does not resolve right now is let through; every use checks it again."""
    try:
        url_check(url)
    except FetchError as exc:
        if not exc.transient:
            raise ValidationError(exc.message, code="url_not_public") from None


def _dial_checked(conn: HTTPConnection) -> socket.socket:
    last_error: OSError | None = None
    for family, socktype, proto, _name, address in resolve_public(conn._dns_host, conn.port):
        sock = socket.socket(family, socktype, proto)
        try:
            sock.settimeout(conn.timeout if isinstance(conn.timeout, int | float) else None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.connect(address)
            return sock
        except OSError as exc:
            sock.close()
            last_error = exc
    raise urllib3.exceptions.NewConnectionError(conn, f"Failed to establish a new connection: {last_error}")


class _CheckedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _dial_checked(self)


class _CheckedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _dial_checked(self)


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


_pool: urllib3.PoolManager | None = None


def checked_pool_manager() -> urllib3.PoolManager:
    """The shared pool whose connections dial only addresses `resolve_public` allows."""
    global _pool
    if _pool is None:
        manager = urllib3.PoolManager(num_pools=50, maxsize=4, retries=False)
        manager.pool_classes_by_scheme = {"http": _CheckedHTTPPool, "https": _CheckedHTTPSPool}
        _pool = manager
    return _pool


def fetch(url: str, *, headers: dict[str, str] | None = None) -> FetchResult:
    """GET ``url`` following at most MAX_REDIRECTS redirects, each hop checked; raise FetchError.

    A 304 is returned (with an empty body) for conditional requests; any other status outside
    200-299 raises, transient for 5xx, 429 and 408.
    """
    started = time.monotonic()
    deadline = started + float(settings.FETCH_DEADLINE)
    timeout = float(settings.FETCH_TIMEOUT)
    request_headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    request_headers.update(headers or {})
    redirects: list[str] = []
    seen = {url}
    current = url
    while True:
        url_check(current)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"deadline of {settings.FETCH_DEADLINE}s exceeded", transient=True)
        try:
            response = checked_pool_manager().request(
                "GET",
                current,
                headers=request_headers,
                redirect=False,
                retries=False,
                preload_content=False,
                timeout=urllib3.Timeout(connect=min(timeout, remaining), read=min(timeout, remaining)),
            )
        except BlockedAddress:
            raise
        except urllib3.exceptions.NewConnectionError as exc:
            if isinstance(exc.__context__, BlockedAddress):
                raise exc.__context__ from None
            raise FetchError(f"connection failed: {exc}", transient=True) from exc
        except Urllib3Error as exc:
            raise FetchError(f"request failed: {exc.__class__.__name__}: {exc}", transient=True) from exc
        try:
            status = response.status
            response_headers = {k.lower(): v for k, v in response.headers.items()}
            if status in _REDIRECT_CODES and "location" in response_headers:
                target = urljoin(current, response_headers["location"].strip())
                redirects.append(target)
                if len(redirects) > MAX_REDIRECTS:
                    raise FetchError(f"too many redirects (more than {MAX_REDIRECTS})")
                if target in seen:
                    raise FetchError(f"redirect loop at {target}")
                seen.add(target)
                current = target
                continue
            result = FetchResult(
                url=current, status_code=status, headers=response_headers, redirects=redirects
            )
            if status == 304:
                result.duration_ms = int((time.monotonic() - started) * 1000)
                return result
            if not 200 <= status < 300:
                transient = status >= 500 or status in (408, 429)
                raise FetchError(f"HTTP {status}", transient=transient, status_code=status)
            result.body = _read_capped(response, deadline)
            result.duration_ms = int((time.monotonic() - started) * 1000)
            return result
        finally:
            _release(response)


def _release(response: urllib3.BaseHTTPResponse) -> None:
    """Give the connection back for reuse only if the response was read to its end (or is tiny)."""
    declared = response.headers.get("content-length", "")
    try:
        if not response.isclosed() and declared.isdigit() and int(declared) <= _CHUNK:
            response.drain_conn()
        elif not response.isclosed():
            response.close()
    except (Urllib3Error, OSError):
        response.close()
    response.release_conn()


def _read_capped(response: urllib3.BaseHTTPResponse, deadline: float) -> bytes:
    cap = int(settings.FETCH_MAX_BYTES)
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        response.close()
        raise FetchError(f"body too large: {declared} bytes declared, limit {cap}")
    parts: list[bytes] = []
    size = 0
    try:
        while True:
            if time.monotonic() > deadline:
                response.close()
                raise FetchError(
                    f"deadline of {settings.FETCH_DEADLINE}s exceeded while reading", transient=True
                )
            chunk = response.read1(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > cap:
                response.close()
                raise FetchError(f"body too large: more than {cap} bytes")
            parts.append(chunk)
    except (Urllib3Error, OSError) as exc:
        response.close()
        raise FetchError(f"read failed: {exc.__class__.__name__}: {exc}", transient=True) from exc
    return b"".join(parts)
