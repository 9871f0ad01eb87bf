"""All SQL of the accounts domain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tonearm.accounts.models import AuthorizationCode, OAuthClient, Token, User, UserArtist

__all__ = ["AccountsRepository"]


class AccountsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: object) -> None:
        self.session.add(row)
        self.session.flush()

    def user(self, user_id: str) -> User | None:
        return self.session.get(User, user_id)

    def user_by_name(self, name: str) -> User | None:
        return self.session.scalars(select(User).where(User.name == name)).first()

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
        self, *, now: datetime, code_hash: str | None = None, user_id: str | None = None
    ) -> int:
        query = update(Token).where(Token.revoked_at.is_(None))
        if code_hash is not None:
            query = query.where(Token.code_hash == code_hash)
        if user_id is not None:
            query = query.where(Token.user_id == user_id)
        return self.session.execute(query.values(revoked_at=now)).rowcount  # type: ignore[attr-defined,no-any-return]
