"""Adapters registered by URL scheme; an unknown scheme lists the known ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar
from urllib.parse import urlsplit

__all__ = ["SchemeRegistry"]

T = TypeVar("T")


class SchemeRegistry(Generic[T]):
    def __init__(self, concern: str) -> None:
        self.concern = concern
        self._factories: dict[str, Callable[[str], T]] = {}

    def register(self, scheme: str) -> Callable[[Callable[[str], T]], Callable[[str], T]]:
        def decorate(factory: Callable[[str], T]) -> Callable[[str], T]:
            if scheme in self._factories:
                raise ValueError(f"{self.concern} scheme '{scheme}' is registered twice")
            self._factories[scheme] = factory
            return factory

        return decorate

    def open(self, url: str) -> T:
        scheme = urlsplit(url).scheme
        factory = self._factories.get(scheme)
        if factory is None:
            known = ", ".join(sorted(self._factories)) or "none"
            raise ValueError(f"unknown {self.concern} URL scheme '{scheme}' in '{url}'; known: {known}")
        return factory(url)
