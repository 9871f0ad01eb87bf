"""create_app(settings): opens the backends, puts them on app.state, mounts the routers."""

from __future__ import annotations

import gc
import math
import re
import time
import weakref
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from tonearm.api import include_routers
from tonearm.audio.ladder import LADDER
from tonearm.backends.ratelimit import open_rate_limiter
from tonearm.config import Settings
from tonearm.delivery.media import MediaApp
from tonearm.domains import plugins
from tonearm.errors import BackendError, TonearmError, TooManyRequests, Unauthorized
from tonearm.events import TOPICS
from tonearm.kit.consumers import ConsumerRunner
from tonearm.kit.limits import RateLimits
from tonearm.kit.logs import get_logger
from tonearm.kit.media_paths import MEDIA_PREFIX
from tonearm.kit.metrics import Metrics
from tonearm.kit.plugin import Job
from tonearm.kit.relay import OutboxRelay
from tonearm.runtime import Runtime, open_runtime

__all__ = ["WEB_DIST", "app_from_env", "create_app"]

WEB_DIST = Path(__file__).parent / "web" / "dist"
# How soon a client may try again when a backend (the event log, the database) is down.
BACKEND_RETRY_SECONDS = 2
log = get_logger(__name__)


def _error(
    status: int, message: str, headers: Mapping[str, str] | None = None, **extra: object
) -> JSONResponse:
    body = {"error": {"status": status, "message": message, **extra}}
    return JSONResponse(body, status_code=status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TonearmError)
    async def tonearm_error(_request: Request, error: TonearmError) -> JSONResponse:
        extra = {"reason": error.reason} if error.reason else {}
        headers = None
        if isinstance(error, TooManyRequests):
            headers = {"Retry-After": str(max(1, math.ceil(error.retry_after)))}
        elif isinstance(error, BackendError):
            headers = {"Retry-After": str(BACKEND_RETRY_SECONDS)}
        elif isinstance(error, Unauthorized):
            headers = {"WWW-Authenticate": 'Bearer realm="tonearm"'}
        return _error(error.status, error.message, headers=headers, **extra)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        return _error(400, f"{where}: {first.get('msg', 'invalid value')}")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        headers = error.headers
        if error.status_code == 405:
            headers = {**(headers or {}), "Allow": ", ".join(_allowed_methods(app, request.url.path))}
        return _error(error.status_code, str(error.detail), headers=headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error", path=request.url.path)
        return _error(500, "internal server error")


def _allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method some route serves at `path`. Starlette's own 405 names only the first
    router's, and one path (/v1/me) is served by several domains' routers."""
    if not hasattr(app.state, "route_methods"):
        table = []
        for template, operations in app.openapi()["paths"].items():
            pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
            methods = {method.upper() for method in operations}
            table.append((pattern, methods | ({"HEAD"} if "GET" in methods else set())))
        app.state.route_methods = table
    allowed = {
        method for pattern, methods in app.state.route_methods if pattern.match(path) for method in methods
    }
    return sorted(allowed)


class EdgeMiddleware:
    """Outermost layer: sends /media straight to the media app, strips trailing slashes, times
    every request by its route template."""

    def __init__(self, app: Any, media: MediaApp, metrics: Metrics) -> None:
        self.app, self.media, self.metrics = app, media, metrics

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith(MEDIA_PREFIX):
            await self._timed(self.media, scope, receive, send, "/media")
            return
        if len(path) > 1 and path.endswith("/") and path.startswith("/v1/"):
            scope = {**scope, "path": path.rstrip("/"), "raw_path": path.rstrip("/").encode()}
        await self._timed(self.app, scope, receive, send, None)

    async def _timed(
        self, app: Any, scope: dict[str, Any], receive: Any, send: Any, route: str | None
    ) -> None:
        started, status = time.perf_counter(), [500]

        async def send_and_note(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_and_note)
        finally:
            template = route or str(getattr(scope.get("route"), "path", "unmatched"))
            self.metrics.observe_request(scope["method"], template, status[0], time.perf_counter() - started)


def _rate_limits(settings: Settings) -> RateLimits:
    url = settings.rate_limit_url
    return RateLimits(None if url == "off" else open_rate_limiter(url))


def _close(runtime: Runtime, rate_limits: RateLimits) -> None:
    rate_limits.close()
    runtime.close()


def create_app(settings: Settings) -> FastAPI:
    runtime = open_runtime(settings)
    for topic in TOPICS:
        runtime.event_log.ensure_topic(topic, runtime.retention())
    # Started in this order and stopped in reverse: the relay feeds the log the consumers read.
    jobs: list[Job] = [OutboxRelay(runtime.session_factory, runtime.event_log)]

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        for job in jobs:
            job.start()
        yield
        for job in reversed(jobs):
            job.stop()

    app = FastAPI(title="Tonearm", version="0.1.0", redirect_slashes=False, lifespan=lifespan)
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.session_factory = runtime.session_factory
    app.state.blobs = runtime.blobs
    app.state.keys = runtime.keys
    app.state.metrics = runtime.metrics
    app.state.event_log = runtime.event_log
    app.state.rate_limits = _rate_limits(settings)
    # The backends live as long as the app, not one lifespan: a test client (or schemathesis)
    # may run several lifespans of one app, and each restarts the jobs on the same backends.
    weakref.finalize(app, _close, runtime, app.state.rate_limits)
    registered = plugins()
    for plugin in registered:
        if plugin.on_app is not None:
            jobs.extend(plugin.on_app(app, runtime) or ())
        jobs.extend(plugin.jobs(runtime))
        jobs.extend(
            ConsumerRunner(c, runtime.event_log, runtime.session_factory) for c in plugin.consumers(runtime)
        )
    app.state.personal_data = tuple(p.personal_data() for p in registered if p.personal_data is not None)
    app.state.consumers = [job for job in jobs if isinstance(job, ConsumerRunner)]
    _install_error_handlers(app)
    include_routers(app)
    if WEB_DIST.is_dir():
        app.mount("/", StaticFiles(directory=WEB_DIST, html=True), name="web")
    media = MediaApp(
        blobs=app.state.blobs,
        keys=app.state.keys,
        metrics=app.state.metrics,
        premium_variants={rung.name for rung in LADDER if rung.premium},
        accel_redirect_prefix=settings.accel_redirect_prefix,
    )
    app.add_middleware(EdgeMiddleware, media=media, metrics=app.state.metrics)
    return app


def app_from_env() -> FastAPI:
    """The factory each server worker process calls: settings from the environment."""
    app = create_app(Settings())
    # Everything imported so far lives as long as the process; keeping it out of the cyclic
    # collector's scans makes each collection proportional to request garbage only.
    gc.collect()
    gc.freeze()
    return app
