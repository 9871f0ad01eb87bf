"""Accounts tables: users, the apps that act for them, and OAuth codes and tokens.

Secrets (passwords, client secrets, codes, tokens) are stored only as hashes: a copy of the
database hands out no credential.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tonearm.kit.caller import FREE, PRODUCTS, ROLES
from tonearm.kit.db import Base
from tonearm.kit.time import utcnow

__all__ = ["AuthorizationCode", "OAuthClient", "Token", "User", "UserArtist"]

ID = String(22)
HASH = String(64)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"product IN ({', '.join(map(repr, PRODUCTS))})", name="product"),
        CheckConstraint(f"role IN ({', '.join(map(repr, ROLES))})", name="role"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    # The sign-in name; display_name is what others see.
    name: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    password_hash: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    product: Mapped[str] = mapped_column(String(8), default=FREE)
    role: Mapped[str] = mapped_column(String(8), default="listener")
    explicit_content: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The user asked for their account to be erased: it goes at this moment, unless they sign
    # in again first (the grace period).
    erasure_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)


class UserArtist(Base):
    """The catalog artists an artist account speaks for (may upload masters for)."""

    __tablename__ = "user_artists"

    user_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    artist_id: Mapped[str] = mapped_column(ID, ForeignKey("artists.id", ondelete="CASCADE"), primary_key=True)


class OAuthClient(Base):
    """A registered app. No secret hash means a public client (a browser or mobile app), which
    must use PKCE."""

    __tablename__ = "oauth_clients"

    client_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    secret_hash: Mapped[str | None] = mapped_column(HASH)
    name: Mapped[str] = mapped_column(String(200))
    redirect_uris: Mapped[list[str]] = mapped_column(JSON)
    owner_id: Mapped[str | None] = mapped_column(ID, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuthorizationCode(Base):
    __tablename__ = "oauth_codes"

    code_hash: Mapped[str] = mapped_column(HASH, primary_key=True)
    client_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("oauth_clients.client_id", ondelete="CASCADE")
    )
    user_id: Mapped[str] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"))
    redirect_uri: Mapped[str] = mapped_column(String(2000))
    scope: Mapped[str] = mapped_column(String(2000))
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    code_challenge_method: Mapped[str | None] = mapped_column(String(8))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # A code is single-use; a second use revokes what the first one issued (RFC 6749 4.1.2).
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the user last typed their password in the browser session that consented.
    authenticated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Token(Base):
    """An access token and its refresh token, issued together to one app for one user (or to the
    app itself, for client credentials)."""

    __tablename__ = "oauth_tokens"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    access_hash: Mapped[str] = mapped_column(HASH, unique=True)
    refresh_hash: Mapped[str | None] = mapped_column(HASH, unique=True)
    client_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("oauth_clients.client_id", ondelete="CASCADE")
    )
    user_id: Mapped[str | None] = mapped_column(ID, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The code that issued it, so a replayed code can revoke it.
    code_hash: Mapped[str | None] = mapped_column(HASH, index=True)
    scope: Mapped[str] = mapped_column(String(2000))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    refresh_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When the user typed their password for the sign-in this token descends from (kept
    # across refreshes); None for tokens issued without one (the CLI's, an app's own).
    authenticated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
