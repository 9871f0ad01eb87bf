"""The OAuth 2.0 authorization server, on authlib: authorization code (with PKCE), refresh
tokens and client credentials, at Spotify's paths (/authorize, /api/token).

authlib holds the protocol (validation, error codes, PKCE, refresh rotation); this module only
binds it to our tables and to a request that the endpoints have already read.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import OAuth2Request, grants
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from sqlalchemy.orm import Session

from tonearm.accounts.models import AuthorizationCode, OAuthClient, Token, User
from tonearm.accounts.scopes import SCOPES
from tonearm.accounts.service import ACCESS_TOKEN_SECONDS, WEB_CLIENT_ID, account, digest
from tonearm.kit.time import as_utc, utcnow

__all__ = ["CODE_SECONDS", "OAuthServer", "PreparedRequest", "ServerResponse"]

# TLS is the edge's job (nginx terminates it in front of the app), so the app sees plain http
# behind it; authlib would otherwise refuse every such request.
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

CODE_SECONDS = 300
CONFIDENTIAL_METHODS = ("client_secret_basic", "client_secret_post")
ServerResponse = tuple[int, Any, list[tuple[str, str]]]


class PreparedRequest(OAuth2Request):
    """An HTTP request already read by the endpoint: its query and form as plain dicts, its
    headers case-insensitive (authlib asks for "Authorization")."""

    def __init__(
        self, method: str, uri: str, headers: Mapping[str, str], query: dict[str, str], form: dict[str, str]
    ) -> None:
        super().__init__(method, uri, headers=headers)
        self._query, self._form = query, form
        self.payload = BasicOAuth2Payload({**query, **form})

    @property
    def args(self) -> dict[str, str]:
        return self._query

    @property
    def form(self) -> dict[str, str]:
        return self._form


@dataclass
class _Client:
    row: OAuthClient
    # Where this request reached us ("https://music.example.org"): the web player's redirect URI
    # is its own origin, so one registration serves every host name the platform answers on.
    origin: str | None = None
    # This token request proves PKCE, so even an app with a secret may leave it out, as with
    # Spotify (spotipy's SpotifyPKCE sends only the client id).
    proves_pkce: bool = False

    @property
    def client_id(self) -> str:
        return self.row.client_id

    @property
    def public(self) -> bool:
        return self.row.secret_hash is None

    def get_client_id(self) -> str:
        return self.row.client_id

    def get_default_redirect_uri(self) -> str | None:
        if self.row.client_id == WEB_CLIENT_ID:
            return f"{self.origin}/" if self.origin else None
        return self.row.redirect_uris[0] if self.row.redirect_uris else None

    def get_allowed_scope(self, scope: str | None) -> str:
        return " ".join(name for name in (scope or "").split() if name in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        if self.row.client_id == WEB_CLIENT_ID:
            return self.origin is not None and redirect_uri == f"{self.origin}/"
        return redirect_uri in self.row.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        stored = self.row.secret_hash
        return stored is not None and hmac.compare_digest(stored, digest(client_secret))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.public:
            return method == "none"
        return method in CONFIDENTIAL_METHODS or (method == "none" and self.proves_pkce)

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        if grant_type == "client_credentials":
            return not self.public
        return grant_type in ("authorization_code", "refresh_token")


@dataclass
class _Code:
    row: AuthorizationCode

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.row.scope

    @property
    def code_challenge(self) -> str | None:
        return self.row.code_challenge

    @property
    def code_challenge_method(self) -> str | None:
        return self.row.code_challenge_method

    def get_nonce(self) -> None:
        return None

    def get_auth_time(self) -> None:
        return None


@dataclass
class _Refresh:
    row: Token

    def check_client(self, client: _Client) -> bool:
        return self.row.client_id == client.client_id

    def get_scope(self) -> str:
        return self.row.scope

    def is_revoked(self) -> bool:
        return self.row.revoked_at is not None

    def is_expired(self) -> bool:
        expires = self.row.refresh_expires_at
        return expires is None or as_utc(expires) <= utcnow()


class _CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = [*CONFIDENTIAL_METHODS, "none"]
    server: OAuthServer

    def save_authorization_code(self, code: str, request: PreparedRequest) -> None:
        data = request.payload.data
        row = AuthorizationCode(
            code_hash=digest(code),
            client_id=request.client.client_id,
            user_id=request.user.id,
            redirect_uri=data.get("redirect_uri") or "",
            scope=request.client.get_allowed_scope(data.get("scope")),
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
            expires_at=utcnow() + timedelta(seconds=CODE_SECONDS),
            authenticated_at=self.server.authenticated_at,
        )
        self.server.session.add(row)
        self.server.session.flush()

    def query_authorization_code(self, code: str, client: _Client) -> _Code | None:
        session = self.server.session
        row = session.get(AuthorizationCode, digest(code))
        if row is None or row.client_id != client.client_id:
            return None
        if row.used_at is not None:
            # A replayed code: whoever holds it may be an attacker; what it issued is revoked.
            account.revoke_issued_by_code(session, row.code_hash)
            self.server.replayed_code = True
            return None
        if as_utc(row.expires_at) <= utcnow():
            return None
        return _Code(row)

    def delete_authorization_code(self, authorization_code: _Code) -> None:
        # Kept (marked used) rather than deleted, so a second use is recognised as a replay.
        authorization_code.row.used_at = utcnow()

    def authenticate_user(self, authorization_code: _Code) -> User | None:
        return self.server.session.get(User, authorization_code.row.user_id)


class _RefreshGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = [*CONFIDENTIAL_METHODS, "none"]
    # Each refresh hands out a new refresh token and revokes the old pair.
    INCLUDE_NEW_REFRESH_TOKEN = True
    server: OAuthServer

    def authenticate_refresh_token(self, refresh_token: str) -> _Refresh | None:
        row = account.token_by_refresh(self.server.session, refresh_token)
        if row is None:
            return None
        token = _Refresh(row)
        return None if token.is_revoked() or token.is_expired() else token

    def authenticate_user(self, refresh_token: _Refresh) -> User | None:
        user_id = refresh_token.row.user_id
        return self.server.session.get(User, user_id) if user_id else None

    def revoke_old_credential(self, refresh_token: _Refresh) -> None:
        account.revoke_row(refresh_token.row)


class _ClientCredentialsGrant(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = list(CONFIDENTIAL_METHODS)


class _Revocation(RevocationEndpoint):
    """RFC 7009 at /api/revoke: an app revokes a token it holds (the web player, on sign-out,
    its refresh token). Unknown tokens get 200 as well, as the RFC says."""

    CLIENT_AUTH_METHODS = [*CONFIDENTIAL_METHODS, "none"]
    server: OAuthServer

    def query_token(self, token_string: str, token_type_hint: str | None) -> _Refresh | None:
        row = account.token_row(self.server.session, token_string)
        return _Refresh(row) if row is not None else None

    def revoke_token(self, token: _Refresh, request: PreparedRequest) -> None:
        account.revoke_row(token.row)


class OAuthServer(AuthorizationServer):  # type: ignore[misc]
    """One per request: the grants read and write through the request's session.
    `authenticated_at` is when the consenting user typed their password (their browser
    session's sign-in); the code and the tokens it issues carry it."""

    def __init__(
        self, session: Session, origin: str | None = None, *, authenticated_at: datetime | None = None
    ) -> None:
        super().__init__(scopes_supported=list(SCOPES))
        self.session, self.origin = session, origin
        self.authenticated_at = authenticated_at
        self.proves_pkce = False
        self.replayed_code = False
        self.register_grant(_CodeGrant, [CodeChallenge(required=True)])
        self.register_grant(_RefreshGrant)
        self.register_grant(_ClientCredentialsGrant)
        self.register_endpoint(_Revocation)
        self.register_token_generator("default", self._generate)

    def query_client(self, client_id: str) -> _Client | None:
        row = account.get_client(self.session, client_id) if client_id else None
        return _Client(row, self.origin, self.proves_pkce) if row is not None else None

    def create_token_response(self, request: PreparedRequest | None = None) -> ServerResponse:
        self.proves_pkce = request is not None and self._proves_pkce(request)
        return super().create_token_response(request)  # type: ignore[no-any-return]

    def _proves_pkce(self, request: PreparedRequest) -> bool:
        """A code exchange with a verifier (authlib then checks it against the code's challenge),
        or a refresh of tokens that such an exchange issued."""
        form = request.form
        if form.get("grant_type") == "authorization_code":
            return bool(form.get("code_verifier"))
        if form.get("grant_type") == "refresh_token":
            row = account.token_by_refresh(self.session, form.get("refresh_token", ""))
            code = self.session.get(AuthorizationCode, row.code_hash) if row and row.code_hash else None
            return code is not None and code.code_challenge is not None
        return False

    def _generate(
        self,
        *,
        grant_type: str,
        client: _Client,
        user: User | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        return {"token_type": "Bearer", "scope": scope or "", "user": user, "refresh": include_refresh_token}

    def save_token(self, token: dict[str, Any], request: PreparedRequest) -> None:
        user = token.pop("user")
        origin = request.authorization_code or request.refresh_token
        code_hash = authenticated_at = None
        if origin is not None:
            # A rotated pair stays tied to its code: a replay of the code revokes it too, and a
            # PKCE-issued pair stays refreshable without a secret. A refresh is no sign-in: the
            # pair keeps the time of the one it descends from.
            code_hash, authenticated_at = origin.row.code_hash, origin.row.authenticated_at
        issued = account.issue_token(
            self.session,
            client_id=request.client.client_id,
            user_id=user.id if user is not None else None,
            scope=token["scope"],
            refresh=token.pop("refresh") and user is not None,
            code_hash=code_hash,
            authenticated_at=authenticated_at,
        )
        token.update(access_token=issued.access_token, expires_in=ACCESS_TOKEN_SECONDS, scope=issued.scope)
        if issued.refresh_token:
            token["refresh_token"] = issued.refresh_token

    def create_oauth2_request(self, request: PreparedRequest) -> PreparedRequest:
        return request

    def create_json_request(self, request: PreparedRequest) -> PreparedRequest:
        return request

    def handle_response(
        self, status_code: int, payload: Any, headers: list[tuple[str, str]]
    ) -> ServerResponse:
        return status_code, payload, headers

    def send_signal(self, name: str, *args: object, **kwargs: object) -> None:
        return None
