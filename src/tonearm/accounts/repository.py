"""All SQL of the accounts domain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from tonearm.accounts.models import AuthorizationCode, OAuthClient, Token, User, UserArtist
from tonearm.kit.db import Base

__all__ = ["AccountsRepository"]


class AccountsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: object) -> None:
        self.session.add(row)
        self.session.flush()

    def user(self, user_id: str) -> User | None:
        return self.session.get(User, user_id)

    def display_names(self, user_ids: Sequence[str]) -> dict[str, str]:
        query = select(User.id, User.display_name).where(User.id.in_(set(user_ids)))
        return {user_id: name for user_id, name in self.session.execute(query)}

    def user_by_name(self, name: str) -> User | None:
        return self.session.scalars(select(User).where(User.name == name)).first()

    def user_for_update(self, user_id: str) -> User | None:
        """The user, locked until the transaction ends (on PostgreSQL), so a sign-in that would
        call off their erasure waits for it, or it for the sign-in."""
        return self.session.scalars(select(User).where(User.id == user_id).with_for_update()).first()

    def due_for_erasure(self, now: datetime, limit: int) -> list[str]:
        """The ids of users whose scheduled erasure is due at `now`, earliest first."""
        query = select(User.id).where(User.erasure_due_at <= now).order_by(User.erasure_due_at)
        return list(self.session.scalars(query.limit(limit)))

    def users(self) -> Sequence[User]:
        return self.session.scalars(select(User).order_by(User.name)).all()

    def artist_ids(self, user_id: str) -> list[str]:
        query = select(UserArtist.artist_id).where(UserArtist.user_id == user_id)
        return list(self.session.scalars(query))

    def client(self, client_id: str) -> OAuthClient | None:
        return self.session.get(OAuthClient, client_id)

    def code(self, code_hash: str) -> AuthorizationCode | None:
        return self.session.get(AuthorizationCode, code_hash)

    def token_by_access(self, access_hash: str) -> Token | None:
        return self.session.scalars(select(Token).where(Token.access_hash == access_hash)).first()

    def token_by_refresh(self, refresh_hash: str) -> Token | None:
        return self.session.scalars(select(Token).where(Token.refresh_hash == refresh_hash)).first()

    def revoke_tokens(
        self,
        *,
        now: datetime,
        code_hash: str | None = None,
        user_id: str | None = None,
        client_id: str | None = None,
    ) -> int:
        query = update(Token).where(Token.revoked_at.is_(None))
        if client_id is not None:
            query = query.where(Token.client_id == client_id)
        if code_hash is not None:
            query = query.where(Token.code_hash == code_hash)
        if user_id is not None:
            query = query.where(Token.user_id == user_id)
        return self.session.execute(query.values(revoked_at=now)).rowcount  # type: ignore[attr-defined,no-any-return]

    def clients_of(self, owner_id: str) -> Sequence[OAuthClient]:
        query = select(OAuthClient).where(OAuthClient.owner_id == owner_id).order_by(OAuthClient.created_at)
        return self.session.scalars(query).all()

    def delete(self, row: object) -> None:
        self.session.delete(row)
        self.session.flush()

    def tokens_of(self, user_id: str) -> Sequence[Token]:
        query = select(Token).where(Token.user_id == user_id).order_by(Token.created_at, Token.id)
        return self.session.scalars(query).all()

    def codes_of(self, user_id: str) -> Sequence[AuthorizationCode]:
        query = select(AuthorizationCode).where(AuthorizationCode.user_id == user_id)
        return self.session.scalars(query.order_by(AuthorizationCode.expires_at)).all()

    def app_names(self, client_ids: set[str]) -> dict[str, str]:
        query = select(OAuthClient.client_id, OAuthClient.name).where(OAuthClient.client_id.in_(client_ids))
        return {client_id: name for client_id, name in self.session.execute(query)}

    def _delete_where(self, model: type[Base], column: Any, user_id: str) -> int:
        query = delete(model).where(column == user_id).execution_options(synchronize_session=False)
        return self.session.execute(query).rowcount  # type: ignore[attr-defined,no-any-return]

    def erase_user(self, user_id: str) -> dict[str, int]:
        """Delete the user and every row keyed to them; the apps they own stay, ownerless."""
        released = self.session.execute(
            update(OAuthClient).where(OAuthClient.owner_id == user_id).values(owner_id=None)
        ).rowcount  # type: ignore[attr-defined]
        counts = {
            "tokens": self._delete_where(Token, Token.user_id, user_id),
            "authorization_codes": self._delete_where(AuthorizationCode, AuthorizationCode.user_id, user_id),
            "artist_links": self._delete_where(UserArtist, UserArtist.user_id, user_id),
            "apps_released": released,
        }
        counts["user"] = self._delete_where(User, User.id, user_id)
        self.session.expire_all()
        return counts
