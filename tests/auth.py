"""Tokens for tests: an app's own (client credentials) and users' (through the CLI's app)."""

from __future__ import annotations

from typing import Any

from tonearm.accounts.scopes import SCOPES
from tonearm.accounts.service import account
from tonearm.kit.db import unit_of_work

EVERY_SCOPE = " ".join(SCOPES)
PASSWORD = "correct horse battery"


def _factory(app: Any) -> Any:
    return app.state.session_factory


def app_token(app: Any) -> str:
    """A client-credentials token of a registered confidential app: acts for no user, so the
    catalog answers for ?market= rather than for a user's country."""
    with unit_of_work(_factory(app)) as session:
        client, _secret = account.create_client(session, "Test suite", redirect_uris=[])
        return account.issue_token(
            session, client_id=client.client_id, user_id=None, scope="", refresh=False
        ).access_token


def user_token(
    app: Any,
    name: str = "listener",
    *,
    product: str = "premium",
    country: str = "SE",
    role: str = "listener",
    explicit_content: bool = True,
    scope: str = EVERY_SCOPE,
) -> str:
    """A token for the user `name` (created on first use with these fields)."""
    with unit_of_work(_factory(app)) as session:
        try:
            account.get_by_name(session, name)
        except Exception:
            account.create_user(
                session,
                name,
                password=PASSWORD,
                country=country,
                product=product,
                role=role,
                explicit_content=explicit_content,
            )
    with unit_of_work(_factory(app)) as session:
        return account.token_for_name(session, name, scope=scope).access_token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
