"""Operations routes: health and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy import text

from tonearm.kit.web import DbSession

__all__ = ["router"]

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz(session: DbSession) -> dict[str, str]:
    session.execute(text("select 1"))
    return {"status": "ok"}


@router.get("/metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """What the whole server counted: with several worker processes, the sum over all of them,
    whichever one answers (see `kit.metrics`)."""
    body = request.app.state.metrics.render()
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")
