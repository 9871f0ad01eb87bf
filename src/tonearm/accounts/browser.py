"""What the accounts pages share with the browser: the signed session cookie, HTML pages from
the templates, small form bodies, and same-site targets after sign-in."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from tonearm.accounts.models import User
from tonearm.errors import BadRequest, SignatureInvalid
from tonearm.kit.signing import KeyRing, SignedQuery

__all__ = [
    "MAX_FORM_BYTES",
    "SESSION_COOKIE",
    "SESSION_SECONDS",
    "end_session",
    "keys",
    "local",
    "page",
    "read_form",
    "signed_in",
    "start_session",
]

SESSION_COOKIE = "tonearm_session"
SESSION_SECONDS = 30 * 24 * 3600
MAX_FORM_BYTES = 16 * 1024
_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape()
)


def keys(request: Request) -> KeyRing:
    ring: KeyRing = request.app.state.keys
    return ring


def signed_in(request: Request) -> tuple[str, datetime] | None:
    """The user id of the browser's session cookie, if it is genuine and current, and when the
    user signed in (typed their password): a session lasts SESSION_SECONDS from then."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    fields = dict(parse_qsl(raw))
    try:
        signed = SignedQuery(exp=int(fields["exp"]), uid=fields["uid"], kid=fields["kid"], sig=fields["sig"])
        keys(request).verify("session", signed)
    except (KeyError, ValueError, SignatureInvalid):
        return None
    return signed.uid, datetime.fromtimestamp(signed.exp - SESSION_SECONDS, UTC)


def start_session(request: Request, response: Response, user: User) -> None:
    signed = keys(request).sign("session", uid=user.id, ttl_seconds=SESSION_SECONDS)
    secure = request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE, signed.encode(), max_age=SESSION_SECONDS, httponly=True, samesite="lax", secure=secure
    )


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE)


def local(target: str | None) -> str:
    """Only same-site paths are followed after sign-in: no open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(_templates.get_template(template).render(**context), status_code=status)


async def read_form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise BadRequest(f"the form is larger than {MAX_FORM_BYTES} bytes")
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
