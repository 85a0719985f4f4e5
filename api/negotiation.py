"""Content negotiation: the URL's `?format=` is the caller's explicit choice and wins over Accept."""

from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer


class URLFormatFirstNegotiation(DefaultContentNegotiation):
    """`?format=csv` answers CSV whatever the Accept header says (a browser or a client library
    sends its own); a format the endpoint does not have is a 406 that names the ones it has.
    Without `?format=`, DRF's negotiation on Accept applies."""

    def select_renderer(
        self, request, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        fmt = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if not fmt:
            return super().select_renderer(request, renderers, format_suffix)
        for renderer in renderers:
            if renderer.format == fmt:
                return renderer, renderer.media_type
        known = ", ".join(dict.fromkeys(r.format for r in renderers))
        raise NotAcceptable(f'Unknown format "{fmt}": this endpoint answers {known}.')
