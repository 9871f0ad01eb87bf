"""Spotify's user objects."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["ExplicitContent", "Followers", "PrivateUser", "PublicUser", "TokenResponse"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Followers(_Frozen):
    href: str | None = None
    total: int = 0


class ExplicitContent(_Frozen):
    filter_enabled: bool
    filter_locked: bool = False


class PublicUser(_Frozen):
    display_name: str | None
    external_urls: dict[str, str]
    followers: Followers
    href: str
    id: str
    images: list[dict[str, object]] = []
    type: str = "user"
    uri: str


class PrivateUser(PublicUser):
    country: str | None = None
    email: str | None = None
    explicit_content: ExplicitContent | None = None
    product: str | None = None
    # Beyond Spotify's: listener, artist or admin (the web player shows the artist portal by it).
    role: str | None = None


class TokenResponse(_Frozen):
    access_token: str
    token_type: str
    scope: str
    expires_in: int
    refresh_token: str | None = None
