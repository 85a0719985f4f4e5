"""Anonymous GETs of public reads answered from the cache until the record changes.

The key is (path and query, negotiated media type, record version): any write anywhere changes the
version, so a cached answer is never stale. Signed-in users, the browsable API, streamed exports
and anything but a 200 always go through the view.
"""

from typing import Any

from django.core.cache import cache
from django.http import HttpResponse
from rest_framework.request import Request

from tracker.selectors.read_cache import READ_CACHE_SECONDS, read_cache_key

UNCACHED_FORMATS = {"api", "csv", "jsonl"}


class CachedReadMixin:
    """Mix into an APIView: its GET handler is served from the read cache for anonymous users."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]  # auth, throttles, negotiation
        renderer = getattr(request, "accepted_renderer", None)
        if (
            request.method != "GET"
            or request.user.is_authenticated
            or getattr(renderer, "format", None) in UNCACHED_FORMATS
        ):
            return
        handler = self.get  # type: ignore[attr-defined]
        key = read_cache_key("api", request.get_full_path(), request.accepted_media_type)

        def cached_get(req: Request, *a: Any, **kw: Any) -> Any:
            found = cache.get(key)
            if found is not None:
                content, content_type = found
                return HttpResponse(content, content_type=content_type)
            response = handler(req, *a, **kw)
            if response.status_code == 200 and not response.streaming:
                response.accepted_renderer = renderer
                response.accepted_media_type = request.accepted_media_type
                response.renderer_context = self.get_renderer_context()  # type: ignore[attr-defined]
                response.render()
                cache.set(key, (response.content, response["Content-Type"]), READ_CACHE_SECONDS)
            return response

        self.get = cached_get
