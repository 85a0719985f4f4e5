"""Whole responses to anonymous reads, cached until the record changes: dashboard pages and API reads.

The dashboard's views (`tracker.views.cache_anonymous_page`) and the API's (`api.read_cache`) each
wrap `cached_response` with what else their answers vary on.

The key is (scheme, host, path with its query in a stable order, whatever else the answer varies on,
record version): any write anywhere changes the version, so a cached answer is never stale and one
edit retires every cached page at once. Only the body and its content headers are stored; the
middleware around the view adds the per-request headers (request id, CSP, security) to every
answer, cached or not. Requests with a session or a signed-in user always go through the view, and
only a plain 200 that sets no cookie, renders no CSRF token and is not marked private is stored.
The key doubles as a weak ETag, so a revalidating client gets a 304 for one version query.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags, urlencode

from tracker.selectors.dashboard import record_version, record_version_pinned
from tracker.selectors.read_cache import READ_CACHE_SECONDS, read_cache_key

STORED_HEADERS = ("Content-Type", "Vary")


def is_anonymous_read(request: Any) -> bool:
    """A GET or HEAD by nobody signed in and without a session (a Django or DRF request)."""
    if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def normalised_url(request: Any) -> str:
    """Scheme, host and path with the query's names in order (values of one name keep theirs)."""
    pairs = sorted(((k, v) for k, values in request.GET.lists() for v in values), key=lambda p: p[0])
    return f"{request.scheme}://{request.get_host()}{request.path}?{urlencode(pairs)}"


def _storable(request: Any, response: HttpResponse) -> bool:
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # the page holds a CSRF token
        and not (session is not None and session.modified)
        and not any(word in response.get("Cache-Control", "") for word in ("private", "no-store"))
    )


def _already_held(request: Any, etag: str) -> bool:
    """The client revalidates the very answer this key names (weak comparison, RFC 9110)."""
    asked = parse_etags(request.META.get("HTTP_IF_NONE_MATCH", ""))
    return etag.removeprefix("W/") in (tag.removeprefix("W/") for tag in asked)


def cached_response(
    request: Any,
    respond: Callable[[], HttpResponse],
    *,
    prefix: str,
    variant: Sequence[str] = (),
) -> HttpResponse:
    """`respond()`'s answer to an anonymous read, from the cache while the record is unchanged.

    `variant` names what else the answer depends on (negotiated media type, htmx headers).
    `respond` must return a finished response (a DRF response rendered).
    """
    if not is_anonymous_read(request):
        return respond()
    version = record_version()
    key = read_cache_key(prefix, normalised_url(request), *variant, version=version)
    etag = f'W/"{key.partition(":")[2][:40]}"'
    if _already_held(request, etag):
        response: HttpResponse = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    found = cache.get(key)
    if found is not None:
        content, headers = found
        response = HttpResponse(content)
        for name, value in headers.items():
            response[name] = value
    else:
        with record_version_pinned(version):  # counts and figures inside reuse it, no second query
            response = respond()
        if not _storable(request, response):
            return response
        headers = {name: response[name] for name in STORED_HEADERS if response.has_header(name)}
        cache.set(key, (response.content, headers), READ_CACHE_SECONDS)
    response["ETag"] = etag
    return response
