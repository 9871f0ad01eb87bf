"""Sign-up and sign-in pages, the OAuth endpoints at Spotify's paths (/authorize, /api/token),
and the user objects (/v1/me, /v1/users/{id})."""

from __future__ import annotations

import hmac
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from tonearm.accounts import schemas
from tonearm.accounts.models import User
from tonearm.accounts.oauth import OAuthServer, PreparedRequest
from tonearm.accounts.scopes import SCOPES
from tonearm.accounts.service import FIRST_PARTY_CLIENTS, Caller, account
from tonearm.errors import BadRequest, SignatureInvalid, TonearmError, TooManyRequests
from tonearm.kit.access import require
from tonearm.kit.db import unit_of_work
from tonearm.kit.ids import parse_id, uri
from tonearm.kit.signing import KeyRing, SignedQuery
from tonearm.kit.web import BaseUrl, DbSession

__all__ = ["SESSION_COOKIE", "pages", "router"]

router = APIRouter(prefix="/v1", tags=["users"])
pages = APIRouter(tags=["accounts"], include_in_schema=False)

SESSION_COOKIE = "tonearm_session"
SESSION_SECONDS = 30 * 24 * 3600
MAX_FORM_BYTES = 16 * 1024
_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape()
)


# ---- the user objects ----
def _public(user: User, base: str) -> dict[str, Any]:
    return {
        "display_name": user.display_name,
        "external_urls": {"spotify": f"{base}/#/user/{user.id}"},
        "followers": {"href": None, "total": 0},
        "href": f"{base}/v1/users/{user.id}",
        "id": user.id,
        "images": [],
        "type": "user",
        "uri": uri("user", user.id),
    }


@router.get(
    "/me", response_model=schemas.PrivateUser, response_model_exclude_none=True, summary="Current user"
)
async def me(
    session: DbSession, base: BaseUrl, caller: Annotated[Caller, Depends(require("user-read-private"))]
) -> schemas.PrivateUser:
    if caller.user_id is None:
        raise BadRequest("a client-credentials token acts for no user: /v1/me needs a user's token")
    user = account.get_user(session, caller.user_id)
    return schemas.PrivateUser(
        **_public(user, base),
        country=user.country,
        email=user.email if "user-read-email" in caller.scopes else None,
        explicit_content=schemas.ExplicitContent(filter_enabled=not user.explicit_content),
        product=user.product,
    )


@router.get("/users/{user_id}", response_model=schemas.PublicUser, summary="A user's public profile")
async def user_profile(
    user_id: str, session: DbSession, base: BaseUrl, _caller: Annotated[Caller, Depends(require())]
) -> schemas.PublicUser:
    return schemas.PublicUser(**_public(account.get_user(session, parse_id(user_id, "user")), base))


# ---- browser sessions ----
def _keys(request: Request) -> KeyRing:
    return request.app.state.keys  # type: ignore[no-any-return]


def _signed_in(request: Request) -> tuple[str, datetime] | None:
    """The user id of the browser's session cookie, if it is genuine and current, and when the
    user signed in (typed their password): a session lasts SESSION_SECONDS from then."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    fields = dict(parse_qsl(raw))
    try:
        signed = SignedQuery(exp=int(fields["exp"]), uid=fields["uid"], kid=fields["kid"], sig=fields["sig"])
        _keys(request).verify("session", signed)
    except (KeyError, ValueError, SignatureInvalid):
        return None
    return signed.uid, datetime.fromtimestamp(signed.exp - SESSION_SECONDS, UTC)


def _start_session(request: Request, response: Response, user: User) -> None:
    signed = _keys(request).sign("session", uid=user.id, ttl_seconds=SESSION_SECONDS)
    secure = request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE, signed.encode(), max_age=SESSION_SECONDS, httponly=True, samesite="lax", secure=secure
    )


def _csrf(request: Request, user_id: str) -> str:
    """A form token tied to the signed-in user, so another site cannot post the consent form."""
    secret = _keys(request).keys[_keys(request).active]
    return hmac.new(secret, f"csrf\n{user_id}".encode(), "sha256").hexdigest()


def _local(target: str | None) -> str:
    """Only same-site paths are followed after sign-in: no open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(_templates.get_template(template).render(**context), status_code=status)


async def _form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise BadRequest(f"the form is larger than {MAX_FORM_BYTES} bytes")
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


@pages.get("/login")
async def login_page(next: str = "/") -> HTMLResponse:
    return _page("login.html", next=_local(next))


@pages.post("/login")
async def login(request: Request) -> Response:
    form = await _form(request)
    target = _local(form.get("next"))
    user, error = None, None
    with unit_of_work(request.app.state.session_factory) as session:
        try:
            user = account.authenticate(session, form.get("name", ""), form.get("password", ""))
        except TonearmError as failed:
            # Caught inside the unit of work, so the failed attempt's count is committed.
            error = failed
    if user is None:
        message, status = (error.message, error.status) if error else ("sign-in failed", 401)
        page = _page("login.html", status, next=target, error=message, name=form.get("name", ""))
        if isinstance(error, TooManyRequests):
            page.headers["Retry-After"] = str(math.ceil(error.retry_after))
        return page
    response = RedirectResponse(target, status_code=303)
    _start_session(request, response, user)
    return response


@pages.get("/signup")
async def signup_page(next: str = "/") -> HTMLResponse:
    return _page("signup.html", next=_local(next), form={})


@pages.post("/signup")
async def signup(request: Request) -> Response:
    form = await _form(request)
    target = _local(form.get("next"))
    try:
        with unit_of_work(request.app.state.session_factory) as session:
            user = account.create_user(
                session,
                form.get("name", ""),
                password=form.get("password", ""),
                country=form.get("country", ""),
                display_name=form.get("display_name") or None,
                email=form.get("email") or None,
                # An unticked checkbox is not sent at all.
                explicit_content=form.get("explicit_content") == "on",
            )
    except TonearmError as error:
        return _page("signup.html", error.status, next=target, error=error.message, form=form)
    response = RedirectResponse(target, status_code=303)
    _start_session(request, response, user)
    return response


@pages.post("/logout")
async def logout() -> Response:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# ---- OAuth ----
def _server(request: Request, session: Any, authenticated_at: datetime | None = None) -> OAuthServer:
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


def _check_pkce(client_public: bool, query: dict[str, str]) -> str | None:
    if client_public and not query.get("code_challenge"):
        return "a public app must send code_challenge (PKCE)"
    if query.get("code_challenge") and query.get("code_challenge_method", "plain") != "S256":
        return "code_challenge_method must be S256"
    return None


@pages.get("/authorize")
async def authorize_page(request: Request) -> Response:
    signed_in = _signed_in(request)
    if signed_in is None:
        return RedirectResponse(
            "/login?" + urlencode({"next": str(request.url.path) + "?" + request.url.query})
        )
    user_id, authenticated_at = signed_in
    query = dict(request.query_params)
    with unit_of_work(request.app.state.session_factory) as session:
        server = _server(request, session, authenticated_at)
        user = account.get_user(session, user_id)
        prepared = _prepared(request)
        try:
            grant = server.get_consent_grant(request=prepared, end_user=user)
        except Exception as error:  # authlib's OAuth2Error: shown, never redirected to an unchecked URI
            return _page("error.html", 400, message=getattr(error, "description", None) or str(error))
        problem = _check_pkce(grant.client.public, query)
        if problem:
            return _page("error.html", 400, message=problem)
        if grant.client.client_id in FIRST_PARTY_CLIENTS:
            # Our own player asks no consent of its own users, as Spotify's does not.
            answer = server.create_authorization_response(request=prepared, grant_user=user, grant=grant)
            return _answer(*answer)
        scopes = [(name, SCOPES[name]) for name in grant.client.get_allowed_scope(query.get("scope")).split()]
        return _page(
            "consent.html",
            app=grant.client.row.name,
            user=user.display_name,
            scopes=scopes,
            fields=query,
            csrf=_csrf(request, user.id),
        )


@pages.post("/authorize")
async def authorize(request: Request) -> Response:
    signed_in = _signed_in(request)
    form = await _form(request)
    if signed_in is None or not hmac.compare_digest(form.pop("csrf", ""), _csrf(request, signed_in[0])):
        return _page(
            "error.html", 403, message="sign in again: this consent form is not yours or has expired"
        )
    user_id, authenticated_at = signed_in
    allowed = form.pop("decision", "") == "allow"
    prepared = PreparedRequest("GET", str(request.url), request.headers, form, {})
    with unit_of_work(request.app.state.session_factory) as session:
        server = _server(request, session, authenticated_at)
        user = account.get_user(session, user_id)
        try:
            grant = server.get_consent_grant(request=prepared, end_user=user)
        except Exception as error:
            return _page("error.html", 400, message=getattr(error, "description", None) or str(error))
        if problem := _check_pkce(grant.client.public, form):
            return _page("error.html", 400, message=problem)
        answer = server.create_authorization_response(
            request=prepared, grant_user=user if allowed else None, grant=grant
        )
    return _answer(*answer)


@pages.post("/api/token", response_model=schemas.TokenResponse)
async def token(request: Request) -> Response:
    if "client_secret" in request.query_params or "code_verifier" in request.query_params:
        raise BadRequest("secrets belong in the Authorization header or the form body, never in the URL")
    form = await _form(request)
    with unit_of_work(request.app.state.session_factory) as session:
        server = _server(request, session)
        answer = server.create_token_response(_prepared(request, form))
    return _answer(*answer)


@pages.post("/api/revoke")
async def revoke(request: Request) -> Response:
    """RFC 7009: the app revokes an access or refresh token it holds (and so its pair)."""
    form = await _form(request)
    with unit_of_work(request.app.state.session_factory) as session:
        answer = _server(request, session).create_endpoint_response("revocation", _prepared(request, form))
    return _answer(*answer)
