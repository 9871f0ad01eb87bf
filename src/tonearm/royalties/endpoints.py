"""Royalty routes: admins read every run and statement; an artist account reads the statements
of its artists' rightsholders (its own tracks' lines only) and its own streams."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from tonearm.accounts import Caller
from tonearm.errors import Forbidden
from tonearm.kit.access import require
from tonearm.kit.db import unit_of_work
from tonearm.kit.time import utcnow
from tonearm.royalties import schemas
from tonearm.royalties.artist_stats import artist_stats
from tonearm.royalties.engine import month_bounds
from tonearm.royalties.service import PublishedRuns, royalties_root

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["royalties"])

Admin = Annotated[Caller, Depends(require(admin=True))]
Run = Annotated[int | None, Query(ge=1, description="a run number (default: the latest)")]


def _published(request: Request) -> PublishedRuns:
    return PublishedRuns(royalties_root(request.app.state.settings))


def _artist(caller: Caller) -> str:
    if caller.role != "artist" or caller.user_id is None:
        raise Forbidden("only an artist account has statements and stats of its own")
    return caller.user_id


@router.get("/admin/royalties", response_model=schemas.Months, summary="Every month with a royalty run")
def months(request: Request, _: Admin) -> schemas.Months:
    return schemas.Months.model_validate({"items": _published(request).months()})


@router.get(
    "/admin/royalties/{month}", response_model=schemas.RunSummary, summary="A month's run: pools, fraud"
)
def summary(request: Request, _: Admin, month: str, run: Run = None) -> schemas.RunSummary:
    return schemas.RunSummary.model_validate(_published(request).summary(_month(month), run))


@router.get(
    "/admin/royalties/{month}/statements/{rightsholder_id}",
    response_model=schemas.Statement,
    summary="A rightsholder's statement for a month",
)
def statement(
    request: Request, _: Admin, month: str, rightsholder_id: str, run: Run = None
) -> schemas.Statement:
    found = _published(request).statement(_month(month), rightsholder_id, run=run)
    return schemas.Statement.model_validate(found)


@router.get(
    "/admin/royalties/{month}/statements/{rightsholder_id}/lines.csv",
    response_class=PlainTextResponse,
    # Plain text on success, JSON errors otherwise: left out of the OpenAPI contract.
    include_in_schema=False,
    summary="A rightsholder's statement lines as CSV",
)
def statement_csv(request: Request, _: Admin, month: str, rightsholder_id: str, run: Run = None) -> str:
    return _published(request).statement_csv(_month(month), rightsholder_id, run=run)


@router.get(
    "/me/artist/statements",
    response_model=schemas.ArtistStatements,
    summary="The statements of the current artist account's own artists",
)
def my_statements(
    request: Request, caller: Annotated[Caller, Depends(require(user=True))]
) -> schemas.ArtistStatements:
    user_id = _artist(caller)
    with unit_of_work(request.app.state.session_factory) as session:
        items = _published(request).artist_statements(session, user_id)
    return schemas.ArtistStatements.model_validate({"items": items})


@router.get(
    "/me/artist/statements/{month}/{rightsholder_id}",
    response_model=schemas.Statement,
    summary="One statement, the current artist account's own tracks' lines",
)
def my_statement(
    request: Request, caller: Annotated[Caller, Depends(require(user=True))], month: str, rightsholder_id: str
) -> schemas.Statement:
    user_id = _artist(caller)
    with unit_of_work(request.app.state.session_factory) as session:
        found = _published(request).artist_statement(session, user_id, _month(month), rightsholder_id)
    return schemas.Statement.model_validate(found)


@router.get(
    "/me/artist/stats",
    response_model=schemas.ArtistStats,
    summary="Streams per day and market, listeners and top tracks of the current artist account's artists",
)
async def my_stats(
    request: Request,
    caller: Annotated[Caller, Depends(require(user=True))],
    days: Annotated[int, Query(ge=1, le=366, description="how many days back from today")] = 28,
) -> schemas.ArtistStats:
    user_id = _artist(caller)
    until = utcnow().date()
    since = until - timedelta(days=days - 1)
    return await run_in_threadpool(
        artist_stats, request.app.state.session_factory, request.app.state.settings, user_id, since, until
    )


def _month(month: str) -> str:
    month_bounds(month)  # a 400 for anything that is not a month
    return month
