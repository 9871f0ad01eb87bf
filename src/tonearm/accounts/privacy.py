"""A user's rights over their personal data (GDPR articles 15, 17 and 20): a copy of everything
the platform holds about them, and its erasure.

The accounts rows (profile, linked artists, apps owned, tokens and codes) are exported and
erased here; every other domain's personal data through the provider it registered
(`kit.personal_data`), handed in as a value: the app keeps them on `app.state.personal_data`,
the CLI builds them from the domain registry. Providers' sections join the export at its top
level. Secrets never leave: the export drops every column that holds a hash, so a copy of it
hands out no credential.

Erasure runs every provider, then removes the accounts rows (the user row last), and records a
`user.erased` event in the same unit of work. It keeps what is not personal: the apps the user
registered (their owner becomes nobody), which other users may have authorised, and whatever
anonymous aggregates the providers keep.

A user's own request is never one bare call: it needs their password (or a sign-in within
RECENT_SIGN_IN) and only marks the account to go GRACE later; signing in again or cancelling
calls it off, and `accounts.tasks` erases what is due. Operators erase at once (the CLI).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from tonearm.accounts.models import Token
from tonearm.accounts.repository import AccountsRepository
from tonearm.accounts.service import FIRST_PARTY_CLIENTS, Caller, account
from tonearm.catalog import catalog as catalog_service
from tonearm.errors import BadRequest, Forbidden
from tonearm.events import USER_ERASED, make
from tonearm.kit.db import Base
from tonearm.kit.ids import uri
from tonearm.kit.outbox import emit
from tonearm.kit.personal_data import PersonalDataProvider
from tonearm.kit.time import as_utc, iso_ms, utcnow

__all__ = [
    "EXPORT_FILE",
    "EXPORT_FORMAT",
    "GRACE",
    "RECENT_SIGN_IN",
    "Erasure",
    "LinkedArtist",
    "PasswordRequired",
    "PersonalData",
    "PrivacyService",
    "Providers",
    "ScheduledErasure",
    "WrongPassword",
    "check_providers",
    "privacy",
]

EXPORT_FORMAT = "tonearm-export/1"
EXPORT_FILE = "tonearm-export.json"
# How long a user's own erasure request waits, in which signing in again calls it off.
GRACE = timedelta(days=7)
# A sign-in this recent proves the user is at the keyboard, as their password would.
RECENT_SIGN_IN = timedelta(minutes=5)
Providers = Sequence[PersonalDataProvider]
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
{sections}
Times are UTC, ISO 8601. The format is "{format}".
"""


class PasswordRequired(BadRequest):
    """Raised when a user asks to erase their account with neither their password nor a recent
    sign-in."""


class WrongPassword(Forbidden):
    """Raised when the password sent to confirm an account's erasure is not the user's."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class LinkedArtist(_Frozen):
    id: str
    uri: str
    name: str | None


class PersonalData(_Frozen):
    """The export: all the platform holds about one user. Besides these accounts parts, one
    top-level key per section of each registered provider (listening_history, ...)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    format: str = EXPORT_FORMAT
    exported_at: str
    user: dict[str, Any]
    artists: list[LinkedArtist]
    apps: list[dict[str, Any]]
    tokens: list[dict[str, Any]]
    authorization_codes: list[dict[str, Any]]


class Erasure(_Frozen):
    """How many rows of each kind an erasure removed (or, for apps, released)."""

    user: int
    tokens: int
    authorization_codes: int
    artist_links: int
    apps_released: int
    # Rows each provider removed, by provider name, in the order they ran.
    providers: dict[str, int]


class ScheduledErasure(_Frozen):
    """An account waiting out its grace period: it is erased at `erase_at` (ISO 8601 UTC)
    unless the user signs in again or cancels (DELETE /v1/me/erasure) first."""

    erase_at: str


def check_providers(providers: Providers) -> None:
    """ValueError when two providers share a name or an export section, or one takes a name or
    section of accounts' own (which are not a provider's to export or erase)."""
    names, sections = {"accounts"}, set(PersonalData.model_fields)
    for provider in providers:
        if provider.name in names:
            raise ValueError(f"a personal-data provider named '{provider.name}' is registered twice")
        if taken := sections.intersection(provider.sections):
            raise ValueError(f"provider '{provider.name}' claims the export section '{min(taken)}', taken")
        names.add(provider.name)
        sections.update(provider.sections)


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

    # ---- the copy ----
    def export(
        self, session: Session, user_id: str, *, providers: Providers, now: datetime | None = None
    ) -> PersonalData:
        check_providers(providers)
        user = account.get_user(session, user_id)
        queries = AccountsRepository(session)
        tokens, codes = queries.tokens_of(user_id), queries.codes_of(user_id)
        client_ids = {row.client_id for row in tokens if row.client_id} | {row.client_id for row in codes}
        names = queries.app_names(client_ids)
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
            **self._sections(session, user_id, providers),
        )

    @staticmethod
    def _sections(session: Session, user_id: str, providers: Providers) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for provider in providers:
            part = provider.export(session, user_id)
            if undeclared := set(part) - set(provider.sections):
                raise ValueError(
                    f"provider '{provider.name}' exported an undeclared section '{min(undeclared)}'"
                )
            found.update(part)
        return found

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

    def export_zip(self, data: PersonalData, *, providers: Providers) -> bytes:
        """The export as a zip: the JSON and a README that says what each part is."""
        sections = "".join(
            f"  {section:<20} kept by Tonearm's {provider.name}\n"
            for provider in providers
            for section in provider.sections
        )
        readme = _README.format(
            file=EXPORT_FILE, when=data.exported_at, format=data.format, sections=sections
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                EXPORT_FILE, json.dumps(data.model_dump(mode="json"), indent=2, ensure_ascii=False)
            )
            archive.writestr("README.txt", readme)
        return buffer.getvalue()

    # ---- erasure ----
    def erase(self, session: Session, user_id: str, *, providers: Providers) -> Erasure:
        """Delete the user and everything keyed to them, now: every provider's part, then the
        accounts rows; `user.erased` goes out if the caller commits. The caller should call
        account.forget_callers() after the commit, so this process stops honouring their tokens
        at once."""
        check_providers(providers)
        account.get_user(session, user_id)
        erased = {provider.name: provider.erase(session, user_id) for provider in providers}
        counts = AccountsRepository(session).erase_user(user_id)
        emit(session, make(USER_ERASED, {"user_id": user_id, "providers": [*erased, "accounts"]}))
        account.forget_callers()
        return Erasure(**counts, providers=erased)

    def erase_if_due(
        self, session: Session, user_id: str, *, providers: Providers, now: datetime | None = None
    ) -> Erasure | None:
        """Erase the user if their scheduled erasure is due; None when it is not (any more):
        they signed in meanwhile, or another process got there first."""
        user = AccountsRepository(session).user_for_update(user_id)
        due = user.erasure_due_at if user is not None else None
        if due is None or as_utc(due) > (now or utcnow()):
            return None
        return self.erase(session, user_id, providers=providers)

    def due_erasures(self, session: Session, *, now: datetime | None = None, limit: int = 100) -> list[str]:
        return AccountsRepository(session).due_for_erasure(now or utcnow(), limit)

    def schedule_erasure(
        self,
        session: Session,
        user_id: str,
        *,
        password: str | None,
        signed_in_at: datetime | None,
        now: datetime | None = None,
    ) -> ScheduledErasure:
        """Mark the account to be erased GRACE from now (an earlier mark stays), once the user
        proves it is them: their password, or a sign-in within RECENT_SIGN_IN. A wrong password
        counts towards the sign-in lock, so the caller commits even when this raises it."""
        now = now or utcnow()
        user = account.get_user(session, user_id)
        if password:
            if not account.check_password(user, password, now=now):
                raise WrongPassword("that is not your password: nothing was scheduled")
        elif signed_in_at is None or now - signed_in_at > RECENT_SIGN_IN:
            minutes = int(RECENT_SIGN_IN.total_seconds() // 60)
            raise PasswordRequired(
                'to delete your account, send your password as {"password": "..."} '
                f"(or sign in again and ask within {minutes} minutes)"
            )
        user.erasure_due_at = user.erasure_due_at or now + GRACE
        return ScheduledErasure(erase_at=iso_ms(user.erasure_due_at))

    def scheduled_erasure(self, session: Session, user_id: str) -> ScheduledErasure | None:
        due = account.get_user(session, user_id).erasure_due_at
        return ScheduledErasure(erase_at=iso_ms(due)) if due is not None else None

    def cancel_erasure(self, session: Session, user_id: str) -> bool:
        """Call off the user's scheduled erasure; False when none was scheduled."""
        user = account.get_user(session, user_id)
        scheduled, user.erasure_due_at = user.erasure_due_at is not None, None
        return scheduled


privacy = PrivacyService()
