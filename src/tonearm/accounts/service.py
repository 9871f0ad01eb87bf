"""Users, apps and tokens: who may do what, and for whom.

Tokens are opaque random strings; the database keeps their SHA-256, so a copy of it hands out no
credential, and a token is revoked by marking its row.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from tonearm.accounts.models import OAuthClient, Token, User, UserArtist
from tonearm.accounts.repository import AccountsRepository
from tonearm.accounts.scopes import parse_scope
from tonearm.errors import BadRequest, NotFound, TooManyRequests, Unauthorized
from tonearm.kit.caller import (
    CLI_CLIENT_ID,
    FIRST_PARTY_CLIENTS,
    FREE,
    PRODUCTS,
    ROLES,
    WEB_CLIENT_ID,
    Caller,
    Product,
    Role,
)
from tonearm.kit.ids import new_id
from tonearm.kit.logs import get_logger
from tonearm.kit.lru import LruMap
from tonearm.kit.passwords import hash_password, needs_rehash, verify_password
from tonearm.kit.territories import parse_market
from tonearm.kit.time import as_utc, utcnow

__all__ = [
    "ACCESS_TOKEN_SECONDS",
    "CLI_CLIENT_ID",
    "FIRST_PARTY_CLIENTS",
    "PRODUCTS",
    "ROLES",
    "WEB_CLIENT_ID",
    "AccountService",
    "Caller",
    "IssuedToken",
    "account",
    "digest",
]

ACCESS_TOKEN_SECONDS = 3600
REFRESH_TOKEN_DAYS = 60
MIN_PASSWORD = 8
# Repeated wrong passwords lock the account: 5 free tries, then 30 s, doubling, at most 1 h.
FREE_TRIES, FIRST_LOCK_SECONDS, LONGEST_LOCK_SECONDS = 5, 30, 3600
MAX_URI = 2000
CALLER_CACHE_SECONDS, CALLER_CACHE_SIZE = 5.0, 10_000
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
log = get_logger(__name__)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _token(prefix: str) -> str:
    return f"{prefix}{secrets.token_urlsafe(32)}"


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    refresh_token: str | None
    expires_in: int
    scope: str


class AccountService:
    def __init__(self) -> None:
        # Recently seen tokens, so most requests skip two reads: (good until, caller). A revoke or
        # a user change in this process drops them at once; other processes within the TTL.
        self._callers: LruMap[str, tuple[float, Caller]] = LruMap(CALLER_CACHE_SIZE)

    def forget_callers(self) -> None:
        """Drop the remembered tokens (after a user's product, role or existence changed)."""
        self._callers.clear()

    # ---- users ----
    def create_user(
        self,
        session: Session,
        name: str,
        *,
        password: str,
        country: str,
        product: str = FREE,
        role: str = "listener",
        display_name: str | None = None,
        email: str | None = None,
        explicit_content: bool = True,
    ) -> User:
        repo = AccountsRepository(session)
        name = name.strip().lower()
        if not _NAME.match(name):
            raise BadRequest("name must be 2-64 lowercase letters, digits, '.', '_' or '-'")
        if len(password) < MIN_PASSWORD:
            raise BadRequest(f"password must be at least {MIN_PASSWORD} characters")
        if repo.user_by_name(name) is not None:
            raise BadRequest(f"the name '{name}' is taken")
        user = User(
            id=new_id(),
            name=name,
            display_name=(display_name or name).strip()[:200],
            email=email,
            password_hash=hash_password(password),
            country=parse_market(country),
            product=self._product(product),
            role=self._role(role),
            explicit_content=explicit_content,
            failed_logins=0,
        )
        repo.add(user)
        return user

    def get_user(self, session: Session, user_id: str) -> User:
        user = AccountsRepository(session).user(user_id)
        if user is None:
            raise NotFound(f"no user with id '{user_id[:40]}'")
        return user

    def display_names(self, session: Session, user_ids: Sequence[str]) -> dict[str, str]:
        """The name each known user shows to others (unknown ids are left out)."""
        return AccountsRepository(session).display_names(user_ids) if user_ids else {}

    def get_by_name(self, session: Session, name: str) -> User:
        user = AccountsRepository(session).user_by_name(name.strip().lower())
        if user is None:
            raise NotFound(f"no user named '{name[:64]}'")
        return user

    def list_users(self, session: Session) -> list[User]:
        return list(AccountsRepository(session).users())

    def set_product(self, session: Session, name: str, product: str) -> User:
        user = self.get_by_name(session, name)
        user.product = self._product(product)
        self.forget_callers()
        return user

    def link_artist(self, session: Session, name: str, artist_id: str) -> None:
        user = self.get_by_name(session, name)
        AccountsRepository(session).add(UserArtist(user_id=user.id, artist_id=artist_id))

    def artist_ids(self, session: Session, user_id: str) -> list[str]:
        return AccountsRepository(session).artist_ids(user_id)

    def authenticate(
        self, session: Session, name: str, password: str, *, now: datetime | None = None
    ) -> User:
        """The user if the password is right: a sign-in, which calls off an erasure the user
        asked for (the grace period is for changing one's mind). Wrong guesses lock the account
        for a while, and the answer for a locked account does not reveal whether it was right."""
        user = AccountsRepository(session).user_by_name(name.strip().lower())
        if not self.check_password(user, password, now=now) or user is None:
            raise Unauthorized("wrong name or password")
        if user.erasure_due_at is not None:
            user.erasure_due_at = None
            log.info("scheduled erasure cancelled by a sign-in", user_id=user.id)
        return user

    def check_password(self, user: User | None, password: str, *, now: datetime | None = None) -> bool:
        """Whether `password` is the user's. A wrong one counts towards the lock; a locked
        account raises TooManyRequests whatever the password. The caller commits either way."""
        now = now or utcnow()
        if user is not None and user.locked_until is not None and as_utc(user.locked_until) > now:
            wait = (as_utc(user.locked_until) - now).total_seconds()
            raise TooManyRequests("too many wrong passwords: try again later", retry_after=wait)
        if user is None or not verify_password(user.password_hash if user else None, password):
            if user is not None:
                self._count_failure(user, now)
            return False
        user.failed_logins, user.locked_until = 0, None
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        return True

    def _count_failure(self, user: User, now: datetime) -> None:
        user.failed_logins += 1
        over = user.failed_logins - FREE_TRIES
        if over >= 0:
            seconds = min(LONGEST_LOCK_SECONDS, FIRST_LOCK_SECONDS * 2**over)
            user.locked_until = now + timedelta(seconds=seconds)

    @staticmethod
    def _product(value: str) -> Product:
        if value not in PRODUCTS:
            raise BadRequest(f"product must be one of {', '.join(PRODUCTS)}, got '{value[:20]}'")
        return value  # type: ignore[return-value]

    @staticmethod
    def _role(value: str) -> Role:
        if value not in ROLES:
            raise BadRequest(f"role must be one of {', '.join(ROLES)}, got '{value[:20]}'")
        return value  # type: ignore[return-value]

    # ---- apps ----
    def create_client(
        self,
        session: Session,
        name: str,
        *,
        redirect_uris: list[str],
        confidential: bool = True,
        owner_id: str | None = None,
        client_id: str | None = None,
    ) -> tuple[OAuthClient, str | None]:
        """A registered app and its secret (shown once; None for a public client)."""
        if not name.strip():
            raise BadRequest("an app needs a name")
        for uri in redirect_uris:
            if len(uri) > MAX_URI or not re.match(r"^[a-z][a-z0-9+.-]*://[^\s#]+$", uri):
                raise BadRequest(
                    f"redirect URI '{uri[:100]}' must be absolute, without a fragment, "
                    f"at most {MAX_URI} characters"
                )
        secret = secrets.token_hex(16) if confidential else None
        client = OAuthClient(
            client_id=client_id or secrets.token_hex(16),
            secret_hash=digest(secret) if secret else None,
            name=name.strip()[:200],
            redirect_uris=list(dict.fromkeys(redirect_uris)),
            owner_id=owner_id,
        )
        AccountsRepository(session).add(client)
        return client, secret

    def get_client(self, session: Session, client_id: str) -> OAuthClient | None:
        return AccountsRepository(session).client(client_id)

    def clients_of(self, session: Session, owner_id: str) -> list[OAuthClient]:
        return list(AccountsRepository(session).clients_of(owner_id))

    def delete_client(self, session: Session, owner_id: str, client_id: str) -> None:
        """Delete one of the owner's apps; its tokens go with it. Another owner's app is "not
        found", so ids cannot be probed."""
        repo = AccountsRepository(session)
        client = repo.client(client_id)
        if client is None or client.owner_id != owner_id:
            raise NotFound(f"you have no app with client id '{client_id[:40]}'")
        repo.revoke_tokens(now=utcnow(), client_id=client_id)
        repo.delete(client)
        self.forget_callers()

    # ---- tokens ----
    def issue_token(
        self,
        session: Session,
        *,
        client_id: str | None,
        user_id: str | None,
        scope: str,
        refresh: bool = True,
        code_hash: str | None = None,
        authenticated_at: datetime | None = None,
        now: datetime | None = None,
    ) -> IssuedToken:
        """A new token pair; `authenticated_at` is when the user typed their password for the
        sign-in it comes from (None when they did not: an operator's token, an app's own)."""
        now = now or utcnow()
        scopes = " ".join(parse_scope(scope))
        access = _token("tA.")
        refresh_token = _token("tR.") if refresh and user_id else None
        AccountsRepository(session).add(
            Token(
                id=new_id(),
                access_hash=digest(access),
                refresh_hash=digest(refresh_token) if refresh_token else None,
                client_id=client_id,
                user_id=user_id,
                code_hash=code_hash,
                authenticated_at=authenticated_at,
                scope=scopes,
                expires_at=now + timedelta(seconds=ACCESS_TOKEN_SECONDS),
                refresh_expires_at=now + timedelta(days=REFRESH_TOKEN_DAYS) if refresh_token else None,
            )
        )
        return IssuedToken(access, refresh_token, ACCESS_TOKEN_SECONDS, scopes)

    def ensure_first_party_clients(self, session: Session) -> None:
        """Register the platform's own apps (the CLI and the web player) if they are missing."""
        for client_id, name in ((CLI_CLIENT_ID, "Tonearm CLI"), (WEB_CLIENT_ID, "Tonearm web player")):
            if self.get_client(session, client_id) is None:
                self.create_client(session, name, redirect_uris=[], confidential=False, client_id=client_id)

    def token_for_name(self, session: Session, name: str, *, scope: str) -> IssuedToken:
        """For operators and scripts (`tonearm users token`): a token as the CLI's own app."""
        user = self.get_by_name(session, name)
        self.ensure_first_party_clients(session)
        return self.issue_token(session, client_id=CLI_CLIENT_ID, user_id=user.id, scope=scope, refresh=False)

    def remembered_caller(self, access_token: str) -> Caller | None:
        """Who a token acts for, if it was looked up in the last few seconds: no database."""
        remembered = self._callers.get(digest(access_token))
        if remembered is not None and remembered[0] > time.monotonic():
            return remembered[1]
        return None

    def caller(self, session: Session, access_token: str, *, now: datetime | None = None) -> Caller:
        """Who a bearer token acts for; 401 when it is unknown, expired or revoked."""
        if now is None and (remembered := self.remembered_caller(access_token)) is not None:
            return remembered
        key = digest(access_token)
        now = now or utcnow()
        caller, expires_at = self._look_up(session, key, now)
        fresh_for = min(CALLER_CACHE_SECONDS, (expires_at - now).total_seconds())
        self._callers.put(key, (time.monotonic() + fresh_for, caller))
        return caller

    def _look_up(self, session: Session, key: str, now: datetime) -> tuple[Caller, datetime]:
        repo = AccountsRepository(session)
        token = repo.token_by_access(key)
        if token is None:
            raise Unauthorized("the access token is not valid")
        if token.revoked_at is not None:
            raise Unauthorized("the access token has been revoked")
        expires_at = as_utc(token.expires_at)
        if expires_at <= now:
            raise Unauthorized("the access token expired")
        scopes = frozenset(token.scope.split())
        if token.user_id is None:
            return Caller(user_id=None, client_id=token.client_id, scopes=scopes), expires_at
        user = repo.user(token.user_id)
        if user is None:
            raise Unauthorized("the access token's user no longer exists")
        caller = Caller(
            user_id=user.id,
            client_id=token.client_id,
            scopes=scopes,
            role=user.role,  # type: ignore[arg-type]
            product=user.product,  # type: ignore[arg-type]
            country=user.country,
            explicit_content=user.explicit_content,
        )
        return caller, expires_at

    def signed_in_at(self, session: Session, access_token: str) -> datetime | None:
        """When the user typed their password for the sign-in this token comes from."""
        row = AccountsRepository(session).token_by_access(digest(access_token))
        return as_utc(row.authenticated_at) if row is not None and row.authenticated_at else None

    def token_by_refresh(self, session: Session, refresh_token: str) -> Token | None:
        return AccountsRepository(session).token_by_refresh(digest(refresh_token))

    def token_row(self, session: Session, token: str) -> Token | None:
        """The row of an access or a refresh token."""
        repo = AccountsRepository(session)
        return repo.token_by_access(digest(token)) or repo.token_by_refresh(digest(token))

    def revoke(self, session: Session, token: str, *, now: datetime | None = None) -> bool:
        """Revoke an access or refresh token (and its pair); False when unknown."""
        row = self.token_row(session, token)
        if row is None:
            return False
        self.revoke_row(row, now=now)
        return True

    def revoke_row(self, row: Token, *, now: datetime | None = None) -> None:
        row.revoked_at = row.revoked_at or now or utcnow()
        self._callers.pop(row.access_hash)

    def revoke_issued_by_code(self, session: Session, code_hash: str) -> int:
        self.forget_callers()
        return AccountsRepository(session).revoke_tokens(now=utcnow(), code_hash=code_hash)


account = AccountService()
