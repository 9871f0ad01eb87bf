"""The sign-up and sign-in pages (/signup, /login) and signing out (/logout): they start and
end the browser session that /authorize reads."""

from __future__ import annotations

import math

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from tonearm.accounts.browser import end_session, local, page, read_form, start_session
from tonearm.accounts.service import account
from tonearm.errors import TonearmError, TooManyRequests
from tonearm.kit.db import unit_of_work

__all__ = ["router"]

router = APIRouter(tags=["accounts"], include_in_schema=False)


@router.get("/login")
async def login_page(next: str = "/") -> HTMLResponse:
    return page("login.html", next=local(next))


@router.post("/login")
async def login(request: Request) -> Response:
    return await run_in_threadpool(_login, request, await read_form(request))


# The writes run in a worker thread: the event loop must never wait for SQLite's write lock
# (kit.web says why).
def _login(request: Request, form: dict[str, str]) -> Response:
    target = local(form.get("next"))
    user, error = None, None
    with unit_of_work(request.app.state.session_factory) as session:
        try:
            user = account.authenticate(session, form.get("name", ""), form.get("password", ""))
        except TonearmError as failed:
            # Caught inside the unit of work, so the failed attempt's count is committed.
            error = failed
    if user is None:
        message, status = (error.message, error.status) if error else ("sign-in failed", 401)
        shown = page("login.html", status, next=target, error=message, name=form.get("name", ""))
        if isinstance(error, TooManyRequests):
            shown.headers["Retry-After"] = str(math.ceil(error.retry_after))
        return shown
    response = RedirectResponse(target, status_code=303)
    start_session(request, response, user)
    return response


@router.get("/signup")
async def signup_page(next: str = "/") -> HTMLResponse:
    return page("signup.html", next=local(next), form={})


@router.post("/signup")
async def signup(request: Request) -> Response:
    return await run_in_threadpool(_signup, request, await read_form(request))


def _signup(request: Request, form: dict[str, str]) -> Response:
    target = local(form.get("next"))
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
        return page("signup.html", error.status, next=target, error=error.message, form=form)
    response = RedirectResponse(target, status_code=303)
    start_session(request, response, user)
    return response


@router.post("/logout")
async def logout() -> Response:
    response = RedirectResponse("/", status_code=303)
    end_session(response)
    return response
