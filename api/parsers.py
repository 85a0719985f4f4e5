"""Request bodies: JSON only, size-capped (413) and depth-capped (400), anything else a 400 with a message."""

import json
from typing import Any

from django.conf import settings
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import BaseParser, JSONParser


class PayloadTooLarge(APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


# The deepest body the API takes is a line with its list of sources (3 levels); 32 leaves room and
# keeps recursive code (validation, rendering of errors, the audit log) far from Python's stack limit.
MAX_JSON_DEPTH = 32


def max_body_bytes() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """True when lists and objects nest deeper than `limit` (`[]` is 1 deep); walked without recursion."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


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
        too_deep = f"The JSON body nests lists or objects deeper than {MAX_JSON_DEPTH} levels."
        try:
            data = json.loads(body.decode(encoding))
        except RecursionError:
            raise ParseError(too_deep) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"The body is not valid JSON: {exc}") from None
        if json_depth_exceeds(data, MAX_JSON_DEPTH):
            raise ParseError(too_deep)
        return data


class NotJSONParser(BaseParser):
    """Catches every other content type so it gets a clear 400 instead of a parser mismatch."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        raise ParseError(
            f"Send a JSON body with Content-Type: application/json (got {media_type or 'none'})."
        )
