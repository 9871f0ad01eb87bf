"""Structured logs: key=value lines for people, JSON lines for machines."""

from __future__ import annotations

import logging

import structlog

__all__ = ["configure_logging", "get_logger"]


def configure_logging(*, json: bool = False, level: int = logging.INFO) -> None:
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        # Not cached: `tonearm run` quiets the demo build, then logs normally while serving.
        cache_logger_on_first_use=False,
    )


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)  # type: ignore[no-any-return]
