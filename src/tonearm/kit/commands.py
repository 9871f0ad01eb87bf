"""What a domain's CLI commands stand on: the settings, the platform opened for one command, and
a unit of work that turns a domain error into a message and exit status 1.

The composition root (`tonearm.cli`) makes one `Commands` with the function that opens the
platform and hands it to every domain's command module, so domains never import the runtime.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

import typer
from sqlalchemy.orm import Session

from tonearm.config import Settings
from tonearm.errors import TonearmError
from tonearm.kit.db import unit_of_work
from tonearm.kit.logs import configure_logging
from tonearm.kit.personal_data import PersonalDataProvider
from tonearm.kit.plugin import Platform

__all__ = ["Commands"]

T = TypeVar("T")


class Commands:
    def __init__(
        self,
        open_platform: Callable[[Settings], Platform],
        personal_data: Callable[[], Sequence[PersonalDataProvider]],
    ) -> None:
        self._open = open_platform
        # Every registered domain's provider: what an operator's erasure or export goes through.
        self.personal_data = personal_data

    def settings(self) -> Settings:
        return Settings()

    @contextmanager
    def platform(self, *, quiet: bool = True) -> Iterator[Platform]:
        """The platform for the length of a command; `quiet` keeps info log lines out of a
        command's own output (progress bars, tables)."""
        settings = self.settings()
        configure_logging(json=settings.log_json, level=logging.WARNING if quiet else logging.INFO)
        platform = self._open(settings)
        try:
            yield platform
        finally:
            platform.close()

    def in_unit_of_work(self, change: Callable[[Session], T]) -> T:
        """Run `change` in one transaction; a domain error is printed and exits with status 1."""
        with self.platform() as platform:
            try:
                with unit_of_work(platform.session_factory) as session:
                    return change(session)
            except TonearmError as error:
                typer.echo(f"error: {error.message}", err=True)
                raise typer.Exit(1) from None
