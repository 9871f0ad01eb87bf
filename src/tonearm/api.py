"""Every domain's routers, from the domain registry, mounted under one API."""

from __future__ import annotations

from fastapi import FastAPI

from tonearm.domains import plugins
from tonearm.ops import router as ops_router
from tonearm.schemas import ERROR_RESPONSES

__all__ = ["include_routers"]


def include_routers(app: FastAPI) -> None:
    app.include_router(ops_router)
    for plugin in plugins():
        for router in plugin.routers():
            app.include_router(router, responses=ERROR_RESPONSES)
