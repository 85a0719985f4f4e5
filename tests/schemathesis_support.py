"""Schemathesis settings shared by the schema tests: every check on, a fixed seed.

One thing a schema cannot say is whether a value names something that exists (`"declared_by":
"0"`), or a rule between fields or with the world (an event dated before its line, a feed host
that does not resolve, credentials of no account). Schemathesis advises allowing 400 for such
operations (`st explain ST202`); `state_dependent_rejection` then narrows it back: a schema-valid
request may be refused only by naming one of those fields.
"""

from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis import CheckContext, Response
from schemathesis.config import SchemathesisConfig

ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429"]
_LINE = {"declared_by", "addressees", "restates", "slug", "declared_on", "detail"}
_EVENT = {"red_line", "actors", "occurred_on", "detail"}
_ACTOR = {"affiliation", "slug", "detail"}
# Per operation, the fields whose validity depends on the stored record (or the network).
STATE_DEPENDENT = {
    "POST /api/v1/red-lines/": _LINE,
    "PATCH /api/v1/red-lines/{slug}/": _LINE,
    "POST /api/v1/events/": _EVENT,
    "PATCH /api/v1/events/{id}/": _EVENT,
    "POST /api/v1/actors/": _ACTOR,
    "PATCH /api/v1/actors/{slug}/": _ACTOR,
    "POST /api/v1/candidates/{id}/accept/": {"declarer", "red_line", "addressees", "actors", "detail"},
    # A date before the line was declared.
    "GET /api/v1/red-lines/{slug}/": {"as_of"},
    "GET /api/v1/red-lines/{slug}/history/": {"as_of"},
    # `url` alone, or `title` with `text`: one of the two forms.
    "POST /api/v1/articles/": {"url", "title", "text"},
    # The feed's host must resolve to a public address.
    "POST /api/v1/feeds/": {"url"},
    # Well-formed credentials of no account.
    "POST /api/v1/auth/token/": {"non_field_errors"},
}

SCHEMATHESIS_CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 16,
        # Django refuses U+0000 in every text field and query value ("Null characters are not allowed").
        "generation": {"allow-x00": False},
        "operations": [
            {
                "include-name": name,
                "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]}},
            }
            for name in STATE_DEPENDENT
        ],
    }
)


def state_dependent_rejection(ctx: CheckContext, response: Response, case: Any) -> bool | None:
    """A 400 to schema-valid data of a STATE_DEPENDENT operation names only its state-dependent fields."""
    allowed = STATE_DEPENDENT.get(f"{case.method} {case.operation.path}")
    if allowed is None or response.status_code != 400 or case.meta is None:
        return None
    if not case.meta.generation.mode.is_positive:
        return None
    blamed = set(response.json())
    assert blamed <= allowed, f"The 400 names {sorted(blamed - allowed)}: the schema could have said so."
    return None


# `format: uri` (RFC 3986) takes hosts Django's URLValidator refuses (a label over 63 characters, no
# top-level domain); generated URLs are ones both accept, so a refusal is never the generator's doing.
schemathesis.openapi.format(
    "uri",
    st.from_regex(r"\Ahttps://[a-z0-9]{1,20}\.(org|com|int)(/[a-z0-9._~-]{0,30})?\Z", fullmatch=True),
)
