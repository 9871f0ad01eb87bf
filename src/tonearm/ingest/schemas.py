"""What a caller may say about a master, and what ingest says back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict

from tonearm.kit.ids import uri

__all__ = ["Hints", "IngestOutcome", "IngestResult"]


@dataclass(frozen=True)
class Hints:
    """Metadata that overrides the master's tags (from the CLI, the upload form or the demo)."""

    name: str | None = None
    artists: tuple[str, ...] = ()
    album: str | None = None
    album_artists: tuple[str, ...] = ()
    album_type: str | None = None
    release_date: str | None = None
    disc_number: int | None = None
    track_number: int | None = None
    explicit: bool | None = None
    isrc: str | None = None
    territories: tuple[str, ...] = ("WW",)
    genres: tuple[str, ...] = ()
    tempo_bpm: float | None = None
    key: int | None = None
    mode: int | None = None
    extra: dict[str, str] = field(default_factory=dict)


IngestOutcome = Literal["published", "duplicate"]


class IngestResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    duration_ms: int
    outcome: IngestOutcome
    uri: str
    file: str
    warnings: list[str] = []

    @classmethod
    def of(
        cls,
        track_id: str,
        name: str,
        duration_ms: int,
        outcome: IngestOutcome,
        *,
        file: str,
        warnings: Sequence[str] = (),
    ) -> IngestResult:
        return cls(
            id=track_id,
            name=name,
            duration_ms=duration_ms,
            outcome=outcome,
            uri=uri("track", track_id),
            file=file,
            warnings=list(warnings),
        )
