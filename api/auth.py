"""API tokens: obtain one with a username and password, revoke it; brute force is locked out by axes.

Keys are *stored hashed, shown once and revocable* (``tracker.services.tokens``): every successful
``POST /api/v1/auth/token/`` issues a fresh key (revoking the previous one) and that response is
the only place the key ever appears (admin shows its prefix); ``DELETE`` revokes the caller's
token, and admins can revoke any token in admin. Clients send ``Authorization: Token <key>``.
"""

from django.contrib.auth import authenticate
from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from tracker.access import is_curator
from tracker.middleware import lockout_response
from tracker.services.tokens import api_token_issue, api_token_revoke


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


TokenOut = inline_serializer(
    "IssuedToken",
    {
        "token": serializers.CharField(),
        "username": serializers.CharField(),
        "is_curator": serializers.BooleanField(),
    },
)


class TokenView(APIView):
    """``POST`` credentials → a new token (shown once). ``DELETE`` → revoke the token in use."""

    throttle_scope = "auth"
    throttle_classes = [ScopedRateThrottle]

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "DELETE" else [AllowAny()]

    @extend_schema(request=CredentialsSerializer, responses={201: TokenOut}, auth=[])
    def post(self, request: Request) -> Response:
        data = CredentialsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        django_request = request._request  # axes records and locks out on the plain HttpRequest
        user = authenticate(
            request=django_request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if getattr(django_request, "axes_locked_out", False):
            return lockout_response(django_request)
        if user is None or not user.is_active:
            return Response(
                {"non_field_errors": ["Unable to sign in with these credentials."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        issued = api_token_issue(user=user, name="POST /api/v1/auth/token/")
        return Response(
            {"token": issued.key, "username": user.get_username(), "is_curator": is_curator(user)},
            status=status.HTTP_201_CREATED,
            headers={"Cache-Control": "no-store"},  # the only copy of the key: no cache may keep it
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        api_token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [path("auth/token/", TokenView.as_view(), name="api-token")]
