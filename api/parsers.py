"""Request bodies: JSON only, size-capped (413), anything else a 400 with a message."""

import json

from django.conf import settings
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import BaseParser, JSONParser


class PayloadTooLarge(APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def max_body_bytes() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440


class LimitedJSONParser(JSONParser):
    """JSON with a size cap, checked on the declared length and again on the bytes read."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_body_bytes()
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        if stream is None:
            return {}
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.loads(body.decode(encoding))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"The body is not valid JSON: {exc}") from None


class NotJSONParser(BaseParser):
    """Catches every other content type so it gets a clear 400 instead of a parser mismatch."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        raise ParseError(
            f"Send a JSON body with Content-Type: application/json (got {media_type or 'none'})."
        )
