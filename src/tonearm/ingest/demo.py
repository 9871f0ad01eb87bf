"""The demo catalog: four artists, six albums, 32 tracks from the project's own synthesizer,
published through the same ingest pipeline as any master."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tonearm.audio import SynthSpec, spec_for_demo, synthesize
from tonearm.ingest.schemas import Hints, IngestResult
from tonearm.ingest.tasks import IngestContext, ingest_master

__all__ = ["DEMO_ALBUMS", "DemoAlbum", "demo_tracks", "ingest_demo"]


@dataclass(frozen=True)
class DemoAlbum:
    artist: str
    name: str
    album_type: str
    release_date: str
    genre: str
    titles: tuple[str, ...]


DEMO_ALBUMS = (
    DemoAlbum(
        "Marigold Static",
        "Paper Satellites",
        "album",
        "2024-03-15",
        "synthpop",
        (
            "Paper Satellites",
            "Low Tide Radio",
            "Neon Orchard",
            "Glass Weather",
            "Slow Comet",
            "Afterglow Mile",
        ),
    ),
    DemoAlbum(
        "Marigold Static",
        "Night Ferry",
        "single",
        "2025-06",
        "synthpop",
        ("Night Ferry", "Harbour Lights"),
    ),
    DemoAlbum(
        "The Low Orbitals",
        "Gravity Assist",
        "album",
        "2023-09-01",
        "space rock",
        ("Gravity Assist", "Perihelion", "Cold Start", "Telemetry", "Ion Drift", "Lagrange Point"),
    ),
    DemoAlbum(
        "Ines Varga",
        "Quiet Rooms",
        "album",
        "2022",
        "ambient",
        ("Quiet Rooms", "Linen", "Morning Static", "Saltwater Hymn", "Thread", "Small Hours"),
    ),
    DemoAlbum(
        "Copper Lanterns",
        "Brass & Bramble",
        "album",
        "2021-11-05",
        "folk",
        (
            "Brass & Bramble",
            "Kettle Song",
            "Hollow Road",
            "Lantern Fair",
            "Ember Waltz",
            "Crow's Reel",
        ),
    ),
    DemoAlbum(
        "Copper Lanterns",
        "Winter Fieldnotes",
        "compilation",
        "2025-01-20",
        "folk",
        (
            "Frost Ledger",
            "Chimney Smoke",
            "Snowblind Jig",
            "Last Ferry Home",
            "Candle Count",
            "Rime",
        ),
    ),
)


@dataclass(frozen=True)
class DemoTrack:
    album: DemoAlbum
    title: str
    number: int
    spec: SynthSpec


def demo_tracks(seconds: float | None = None, count: int | None = None) -> Iterator[DemoTrack]:
    """The demo tracks in album order; `seconds` and `count` make a short catalog for tests."""
    index = 0
    for album in DEMO_ALBUMS:
        for number, title in enumerate(album.titles, start=1):
            spec = spec_for_demo(index)
            if seconds is not None:
                spec = SynthSpec(**{**spec.__dict__, "seconds": seconds})
            if count is not None and index >= count:
                return
            yield DemoTrack(album, title, number, spec)
            index += 1


def _hints(track: DemoTrack) -> Hints:
    return Hints(
        name=track.title,
        artists=(track.album.artist,),
        album=track.album.name,
        album_artists=(track.album.artist,),
        album_type=track.album.album_type,
        release_date=track.album.release_date,
        track_number=track.number,
        genres=(track.album.genre,),
        tempo_bpm=track.spec.tempo_bpm,
        key=track.spec.key,
        mode=track.spec.mode,
    )


def ingest_demo(
    ctx: IngestContext,
    *,
    seconds: float | None = None,
    count: int | None = None,
    on_track: Callable[[IngestResult], None] = lambda _result: None,
) -> list[IngestResult]:
    results = []
    with tempfile.TemporaryDirectory(prefix="tonearm-demo-") as folder:
        for track in demo_tracks(seconds, count):
            master = Path(folder) / f"{track.album.name}-{track.number:02d}.wav"
            synthesize(track.spec, master)
            result = ingest_master(ctx, master, file_name=master.name, hints=_hints(track))
            master.unlink()
            on_track(result)
            results.append(result)
    return results
