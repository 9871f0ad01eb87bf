"""A user's rights over their personal data (GDPR articles 15, 17 and 20): a copy of everything
the platform holds about them, and its erasure.

Everything keyed by a user id is listed here, domain by domain: the accounts rows (profile,
linked artists, apps owned, tokens and codes) and each domain's personal data through its own
service (listening history). A domain that starts keeping personal data adds itself to both
`export` and `erase`. Secrets never leave: the export drops every column that holds a hash, so a
copy of it hands out no credential.

Erasure keeps what is not personal: the anonymous play tallies royalties are paid from, and the
apps the user registered (their owner becomes nobody), which other users may have authorised.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from tonearm.accounts.models import Token
from tonearm.accounts.repository import AccountsRepository
from tonearm.accounts.service import FIRST_PARTY_CLIENTS, Caller, account
from tonearm.catalog import catalog as catalog_service
from tonearm.errors import Forbidden
from tonearm.kit.db import Base
from tonearm.kit.ids import uri
from tonearm.kit.time import iso_ms, utcnow
from tonearm.listening import PlayRecord
from tonearm.listening import listening as listening_service

__all__ = [
    "EXPORT_FILE",
    "EXPORT_FORMAT",
    "Erasure",
    "LinkedArtist",
    "PersonalData",
    "PrivacyService",
    "privacy",
]

EXPORT_FORMAT = "tonearm-export/1"
EXPORT_FILE = "tonearm-export.json"
# A PKCE challenge is not a secret, but it is derived from one and says nothing about the user.
_WITHHELD = frozenset({"code_challenge", "code_challenge_method"})
_README = """\
Tonearm: a copy of your personal data
=====================================

{file} holds everything Tonearm keeps about your account, as of {when}:

  user                 your profile (every field except your password, which is kept only as
                       a one-way hash and is not included)
  artists              the catalog artists your account speaks for
  apps                 the apps you registered (their secrets are not included)
  tokens               the access granted to apps on your behalf: which app, what scope, when it
                       was issued, when it expires and whether it was revoked (the tokens
                       themselves are not included)
  authorization_codes  sign-in codes issued to apps for you
  listening_history    every play we still hold (history older than the retention period is
                       deleted; the anonymous daily counts that pay royalties hold no user)

Times are UTC, ISO 8601. The format is "{format}".
"""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class LinkedArtist(_Frozen):
    id: str
    uri: str
    name: str | None


class PersonalData(_Frozen):
    """The export: all the platform holds about one user."""

    format: str = EXPORT_FORMAT
    exported_at: str
    user: dict[str, Any]
    artists: list[LinkedArtist]
    apps: list[dict[str, Any]]
    tokens: list[dict[str, Any]]
    authorization_codes: list[dict[str, Any]]
    listening_history: list[PlayRecord]


class Erasure(_Frozen):
    """How many rows of each kind an erasure removed (or, for apps, released)."""

    user: int
    tokens: int
    authorization_codes: int
    artist_links: int
    apps_released: int
    plays: int


def _value(value: object) -> object:
    return iso_ms(value) if isinstance(value, datetime) else value


def _columns(row: Base) -> dict[str, Any]:
    """Every column of the row, except the hashes of secrets (and what is derived from them)."""
    return {
        column.key: _value(getattr(row, column.key))
        for column in row.__mapper__.column_attrs
        if not column.key.endswith("_hash") and column.key not in _WITHHELD
    }


class PrivacyService:
    def check_caller(self, caller: Caller) -> str:
        """The caller's user id, if the platform's own app acts for them: only the web player
        and the CLI may hand out or erase a whole account, whatever scopes another app holds."""
        if caller.user_id is None:
            raise Forbidden("this needs a user's access token; an app's own token acts for no user")
        if caller.client_id not in FIRST_PARTY_CLIENTS:
            raise Forbidden(
                "only Tonearm's own apps (the web player or the tonearm CLI) may export or delete "
                "an account; sign in there to do it"
            )
        return caller.user_id

    def export(self, session: Session, user_id: str, *, now: datetime | None = None) -> PersonalData:
        user = account.get_user(session, user_id)
        queries = AccountsRepository(session)
        tokens, codes = queries.tokens_of(user_id), queries.codes_of(user_id)
        names = queries.app_names({row.client_id for row in [*tokens, *codes] if row.client_id})
        return PersonalData(
            exported_at=iso_ms(now or utcnow()),
            user=_columns(user),
            artists=self._artists(session, account.artist_ids(session, user_id)),
            apps=[
                {**_columns(app), "confidential": app.secret_hash is not None}
                for app in queries.clients_of(user_id)
            ],
            tokens=[self._token(row, names) for row in tokens],
            authorization_codes=[{**_columns(row), "app_name": names.get(row.client_id)} for row in codes],
            listening_history=listening_service.history(session, user_id),
        )

    @staticmethod
    def _token(row: Token, names: dict[str, str]) -> dict[str, Any]:
        shown = _columns(row)
        shown["issued_at"] = shown.pop("created_at")
        return {
            **shown,
            "app_name": names.get(row.client_id or ""),
            "has_refresh_token": bool(row.refresh_hash),
        }

    @staticmethod
    def _artists(session: Session, artist_ids: list[str]) -> list[LinkedArtist]:
        found = catalog_service.get_artists(session, artist_ids, base="") if artist_ids else []
        return [
            LinkedArtist(id=artist_id, uri=uri("artist", artist_id), name=artist.name if artist else None)
            for artist_id, artist in zip(artist_ids, found, strict=True)
        ]

    def export_zip(self, data: PersonalData) -> bytes:
        """The export as a zip: the JSON and a README that says what each part is."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                EXPORT_FILE, json.dumps(data.model_dump(mode="json"), indent=2, ensure_ascii=False)
            )
            readme = _README.format(file=EXPORT_FILE, when=data.exported_at, format=data.format)
            archive.writestr("README.txt", readme)
        return buffer.getvalue()

    def erase(self, session: Session, user_id: str) -> Erasure:
        """Delete the user and everything keyed to them. The caller commits, and should call
        account.forget_callers() after it, so this process stops honouring their tokens at once."""
        account.get_user(session, user_id)
        plays = listening_service.erase_user(session, user_id)
        counts = AccountsRepository(session).erase_user(user_id)
        account.forget_callers()
        return Erasure(plays=plays, **counts)


privacy = PrivacyService()
