"""Every domain's router, mounted under one API."""

from __future__ import annotations

from fastapi import FastAPI

from tonearm.accounts.apps_endpoints import router as apps_router
from tonearm.accounts.endpoints import pages as accounts_pages
from tonearm.accounts.endpoints import router as accounts_router
from tonearm.accounts.privacy_endpoints import router as privacy_router
from tonearm.catalog.endpoints import admin_router as catalog_admin_router
from tonearm.catalog.endpoints import router as catalog_router
from tonearm.delivery.endpoints import router as delivery_router
from tonearm.ingest.endpoints import router as ingest_router
from tonearm.listening.endpoints import router as listening_router
from tonearm.ops import router as ops_router
from tonearm.schemas import ERROR_RESPONSES
from tonearm.search.endpoints import router as search_router

__all__ = ["include_routers"]


def include_routers(app: FastAPI) -> None:
    app.include_router(ops_router)
    app.include_router(accounts_pages)
    routers = (
        accounts_router,
        apps_router,
        privacy_router,
        catalog_router,
        catalog_admin_router,
        delivery_router,
        ingest_router,
        listening_router,
        search_router,
    )
    for router in routers:
        app.include_router(router, responses=ERROR_RESPONSES)
