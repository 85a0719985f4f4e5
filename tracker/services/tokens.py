"""API tokens: issue (the key is returned once), find by key, revoke.

Keys are 256 random bits, so a plain SHA-256 digest is enough to store them safely (a slow password
hash protects guessable secrets); lookups go by the digest's unique index. The ``rlt_`` prefix lets
secret scanners and people recognise a leaked key.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from tracker.models import ApiToken

KEY_PREFIX = "rlt_"
SHOWN_PREFIX_LENGTH = 8
LAST_USED_RESOLUTION = timedelta(minutes=5)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_issue(*, user: AbstractBaseUser, name: str = "") -> IssuedToken:
    """A new key for ``user``, replacing the user's earlier keys. The key is not stored anywhere."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        ApiToken.objects.filter(user=user).delete()
        token = ApiToken.objects.create(
            user=user, prefix=key[:SHOWN_PREFIX_LENGTH], digest=key_digest(key), name=name[:100]
        )
    return IssuedToken(token=token, key=key)


def api_token_find(*, key: str) -> ApiToken | None:
    """The token with this key (its user loaded), noting when it was last used (to the 5 minutes)."""
    token = ApiToken.objects.select_related("user").filter(digest=key_digest(key)).first()
    if token is not None:
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
    return token


def api_token_revoke(*, user: AbstractBaseUser) -> int:
    """Revoke every key of ``user``; returns how many there were."""
    return ApiToken.objects.filter(user=user).delete()[0]
