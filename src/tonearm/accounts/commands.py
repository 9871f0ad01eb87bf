"""`tonearm users ...` and `tonearm apps create`: accounts and apps, by an operator."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from tonearm.accounts.privacy import privacy
from tonearm.accounts.service import account
from tonearm.catalog import catalog as catalog_service
from tonearm.errors import TonearmError
from tonearm.kit.caller import FREE, PRODUCTS, ROLES
from tonearm.kit.commands import Commands
from tonearm.kit.ids import parse_id

__all__ = ["apps_commands", "users_commands"]


def _artist_id(session: Session, id_or_name: str) -> str:
    """A catalog artist's id, given it or the artist's name (created if the catalog has none)."""
    try:
        return catalog_service.get_artist(session, parse_id(id_or_name, "artist"), base="").id
    except TonearmError:
        return catalog_service.ensure_artist(session, id_or_name)


def users_commands(commands: Commands) -> typer.Typer:
    app = typer.Typer(help="User accounts.")

    @app.command("create")
    def create(
        name: Annotated[str, typer.Argument(help="the name to sign in with")],
        password: Annotated[str, typer.Option(help="at least 8 characters")],
        country: Annotated[str, typer.Option(help="ISO country: decides the market")],
        product: Annotated[str, typer.Option(help=" or ".join(PRODUCTS))] = FREE,
        role: Annotated[str, typer.Option(help=", ".join(ROLES))] = "listener",
        display_name: Annotated[str | None, typer.Option(help="what others see")] = None,
        email: Annotated[str | None, typer.Option()] = None,
        artist: Annotated[
            list[str] | None,
            typer.Option(help="an artist (catalog id or name) an artist account speaks for; repeatable"),
        ] = None,
    ) -> None:
        """Create a user."""

        def change(session: Session) -> None:
            user = account.create_user(
                session,
                name,
                password=password,
                country=country,
                product=product,
                role=role,
                display_name=display_name,
                email=email,
            )
            for wanted in artist or []:
                account.link_artist(session, user.name, _artist_id(session, wanted))
            typer.echo(f"created {user.name} ({user.id}): {user.product}, {user.role}, {user.country}")

        commands.in_unit_of_work(change)

    @app.command("set-product")
    def set_product(name: str, product: Annotated[str, typer.Argument(help=" or ".join(PRODUCTS))]) -> None:
        """Move a user to free or premium."""
        changed = commands.in_unit_of_work(
            lambda session: account.set_product(session, name, product).product
        )
        typer.echo(f"{name}: {changed}")

    @app.command("list")
    def list_users() -> None:
        """Every user: name, id, product, role, country."""

        def show(session: Session) -> None:
            for user in account.list_users(session):
                typer.echo(f"{user.name}\t{user.id}\t{user.product}\t{user.role}\t{user.country}")

        commands.in_unit_of_work(show)

    @app.command("erase")
    def erase(
        name: str,
        yes: Annotated[bool, typer.Option("--yes", help="do not ask for confirmation")] = False,
    ) -> None:
        """Erase a user's account and all their personal data now, in every domain (no grace
        period: this is the operator's tool; users ask with DELETE /v1/me)."""
        if not yes:
            typer.confirm(f"Erase {name} and all their personal data for good?", abort=True)
        providers = tuple(commands.personal_data())

        def change(session: Session) -> None:
            erasure = privacy.erase(session, account.get_by_name(session, name).id, providers=providers)
            parts = ", ".join(f"{part} {rows}" for part, rows in erasure.providers.items())
            typer.echo(
                f"erased {name}: {erasure.tokens} tokens, {erasure.artist_links} artist links, "
                f"{erasure.apps_released} apps released" + (f"; {parts}" if parts else "")
            )

        commands.in_unit_of_work(change)

    @app.command("token")
    def token(
        name: str,
        scope: Annotated[
            str, typer.Option(help='space-separated scopes, e.g. "user-read-private streaming"')
        ] = "",
    ) -> None:
        """Print an access token for a user (valid one hour), for operators and scripts."""
        issued = commands.in_unit_of_work(lambda session: account.token_for_name(session, name, scope=scope))
        typer.echo(issued.access_token)

    return app


def apps_commands(commands: Commands) -> typer.Typer:
    app = typer.Typer(help="Third-party apps (OAuth clients).")

    @app.command("create")
    def create(
        name: str,
        redirect_uri: Annotated[
            list[str] | None, typer.Option(help="allowed redirect URI (repeatable)")
        ] = None,
        public: Annotated[bool, typer.Option(help="a browser or mobile app: no secret, PKCE only")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="print client_id and secret as JSON")] = False,
    ) -> None:
        """Register an app; its secret is shown once."""

        def change(session: Session) -> dict[str, object]:
            client, secret = account.create_client(
                session, name, redirect_uris=redirect_uri or [], confidential=not public
            )
            return {
                "client_id": client.client_id,
                "client_secret": secret,
                "redirect_uris": client.redirect_uris,
            }

        shown = commands.in_unit_of_work(change)
        typer.echo(json.dumps(shown) if as_json else "\n".join(f"{k}: {v}" for k, v in shown.items()))

    return app
