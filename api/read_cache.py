"""Anonymous GETs of public reads answered from the read cache until the record changes.

The cache is the one the dashboard uses too (tracker.lib.response_cache); the API adds the
negotiated media type to the key. Signed-in users, the browsable API, streamed exports and anything
but a 200 always go through the view.
"""

from typing import Any

from rest_framework.request import Request

from tracker.lib.response_cache import cached_response

UNCACHED_FORMATS = {"api", "csv", "jsonl"}


class CachedReadMixin:
    """Mix into an APIView: its GET handler is served from the read cache for anonymous users."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]  # auth, throttles, negotiation
        renderer = getattr(request, "accepted_renderer", None)
        if request.method != "GET" or getattr(renderer, "format", None) in UNCACHED_FORMATS:
            return
        handler = self.get  # type: ignore[attr-defined]

        def rendered_get(req: Request, *a: Any, **kw: Any) -> Any:
            response = handler(req, *a, **kw)
            if response.status_code == 200 and not response.streaming:
                response.accepted_renderer = renderer
                response.accepted_media_type = request.accepted_media_type
                response.renderer_context = self.get_renderer_context()  # type: ignore[attr-defined]
                response.render()
            return response

        def cached_get(req: Request, *a: Any, **kw: Any) -> Any:
            return cached_response(
                req, lambda: rendered_get(req, *a, **kw), prefix="api", variant=[request.accepted_media_type]
            )

        self.get = cached_get
