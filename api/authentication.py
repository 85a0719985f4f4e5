"""Token authentication against stored digests (kept apart from views: DRF imports it from settings)."""

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from tracker.models import ApiToken
from tracker.services.tokens import api_token_find


class HashedTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, checked against the stored SHA-256 digests."""

    def authenticate_credentials(self, key: str) -> tuple[object, ApiToken]:
        token = api_token_find(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return token.user, token
