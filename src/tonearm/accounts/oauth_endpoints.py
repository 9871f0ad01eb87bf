"""The OAuth 2.0 endpoints at Spotify's paths: /authorize (the consent page for a signed-in
browser, and its answer), /api/token and /api/revoke (RFC 7009). The protocol itself is
`accounts.oauth`'s; these routes only read the request and render what it decides."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from tonearm.accounts import schemas
from tonearm.accounts.browser import keys, page, read_form, signed_in
from tonearm.accounts.oauth import OAuthServer, PreparedRequest
from tonearm.accounts.scopes import SCOPES
from tonearm.accounts.service import FIRST_PARTY_CLIENTS, account
from tonearm.errors import BadRequest
from tonearm.kit.db import unit_of_work

__all__ = ["router"]

router = APIRouter(tags=["accounts"], include_in_schema=False)


def _server(request: Request, session: Session, authenticated_at: datetime | None = None) -> OAuthServer:
    configured: str = request.app.state.settings.public_url
    origin = (configured or f"{request.url.scheme}://{request.url.netloc}").rstrip("/")
    return OAuthServer(session, origin=origin, authenticated_at=authenticated_at)


def _prepared(request: Request, form: dict[str, str] | None = None) -> PreparedRequest:
    return PreparedRequest(
        request.method, str(request.url), request.headers, dict(request.query_params), form or {}
    )


def _answer(status: int, body: Any, headers: list[tuple[str, str]]) -> Response:
    if status in (301, 302, 303):
        return RedirectResponse(dict(headers)["Location"], status_code=303)
    return JSONResponse(body, status_code=status, headers={**dict(headers), "Cache-Control": "no-store"})


def _csrf(request: Request, user_id: str) -> str:
    """A form token tied to the signed-in user, so another site cannot post the consent form."""
    ring = keys(request)
    return hmac.new(ring.keys[ring.active], f"csrf\n{user_id}".encode(), "sha256").hexdigest()


def _check_pkce(client_public: bool, query: dict[str, str]) -> str | None:
    if client_public and not query.get("code_challenge"):
        return "a public app must send code_challenge (PKCE)"
    if query.get("code_challenge") and query.get("code_challenge_method", "plain") != "S256":
        return "code_challenge_method must be S256"
    return None


# The routes that write do it in a worker thread (a sync route, or run_in_threadpool after the
# form is read): the event loop must never wait for SQLite's write lock (kit.web says why).
@router.get("/authorize")
def authorize_page(request: Request) -> Response:
    session_of = signed_in(request)
    if session_of is None:
        return RedirectResponse(
            "/login?" + urlencode({"next": str(request.url.path) + "?" + request.url.query})
        )
    user_id, authenticated_at = session_of
    query = dict(request.query_params)
    with unit_of_work(request.app.state.session_factory) as session:
        server = _server(request, session, authenticated_at)
        user = account.get_user(session, user_id)
        prepared = _prepared(request)
        try:
            grant = server.get_consent_grant(request=prepared, end_user=user)
        except Exception as error:  # authlib's OAuth2Error: shown, never redirected to an unchecked URI
            return page("error.html", 400, message=getattr(error, "description", None) or str(error))
        problem = _check_pkce(grant.client.public, query)
        if problem:
            return page("error.html", 400, message=problem)
        if grant.client.client_id in FIRST_PARTY_CLIENTS:
            # Our own player asks no consent of its own users, as Spotify's does not.
            answer = server.create_authorization_response(request=prepared, grant_user=user, grant=grant)
            return _answer(*answer)
        scopes = [(name, SCOPES[name]) for name in grant.client.get_allowed_scope(query.get("scope")).split()]
        return page(
            "consent.html",
            app=grant.client.row.name,
            user=user.display_name,
            scopes=scopes,
            fields=query,
            csrf=_csrf(request, user.id),
        )


@router.post("/authorize")
async def authorize(request: Request) -> Response:
    session_of = signed_in(request)
    form = await read_form(request)
    if session_of is None or not hmac.compare_digest(form.pop("csrf", ""), _csrf(request, session_of[0])):
        return page("error.html", 403, message="sign in again: this consent form is not yours or has expired")
    allowed = form.pop("decision", "") == "allow"
    prepared = PreparedRequest("GET", str(request.url), request.headers, form, {})
    return await run_in_threadpool(_consent, request, form, prepared, session_of, allowed)


def _consent(
    request: Request,
    form: dict[str, str],
    prepared: PreparedRequest,
    session_of: tuple[str, datetime],
    allowed: bool,
) -> Response:
    user_id, authenticated_at = session_of
    with unit_of_work(request.app.state.session_factory) as session:
        server = _server(request, session, authenticated_at)
        user = account.get_user(session, user_id)
        try:
            grant = server.get_consent_grant(request=prepared, end_user=user)
        except Exception as error:
            return page("error.html", 400, message=getattr(error, "description", None) or str(error))
        if problem := _check_pkce(grant.client.public, form):
            return page("error.html", 400, message=problem)
        answer = server.create_authorization_response(
            request=prepared, grant_user=user if allowed else None, grant=grant
        )
    return _answer(*answer)


@router.post("/api/token", response_model=schemas.TokenResponse)
async def token(request: Request) -> Response:
    if "client_secret" in request.query_params or "code_verifier" in request.query_params:
        raise BadRequest("secrets belong in the Authorization header or the form body, never in the URL")
    form = await read_form(request)
    return await run_in_threadpool(_token, request, form)


def _token(request: Request, form: dict[str, str]) -> Response:
    with unit_of_work(request.app.state.session_factory) as session:
        server = _server(request, session)
        answer = server.create_token_response(_prepared(request, form))
    return _answer(*answer)


@router.post("/api/revoke")
async def revoke(request: Request) -> Response:
    """RFC 7009: the app revokes an access or refresh token it holds (and so its pair)."""
    form = await read_form(request)
    return await run_in_threadpool(_revoke, request, form)


def _revoke(request: Request, form: dict[str, str]) -> Response:
    with unit_of_work(request.app.state.session_factory) as session:
        answer = _server(request, session).create_endpoint_response("revocation", _prepared(request, form))
    return _answer(*answer)
