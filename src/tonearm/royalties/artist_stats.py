"""An artist account's own numbers from the warehouse: streams per day and per market, distinct
listeners (pseudonyms, never users) and top tracks, for the tracks of the account's artists."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session, sessionmaker

from tonearm import warehouse
from tonearm.accounts import account
from tonearm.catalog import catalog
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work
from tonearm.royalties.schemas import ArtistStats, DayStreams, MarketStreams, TopTrack

__all__ = ["artist_stats"]

TOP = 10


def artist_stats(
    session_factory: sessionmaker[Session], settings: Settings, user_id: str, since: date, until: date
) -> ArtistStats:
    with unit_of_work(session_factory) as session:
        artists = account.artist_ids(session, user_id)
        tracks = catalog.track_ids_of_artists(session, artists) if artists else []
        names = {
            track.id: track.name
            for track in catalog.get_tracks(session, tracks, base="")
            if track is not None
        }
    empty = ArtistStats(
        since=since.isoformat(),
        until=until.isoformat(),
        streams=0,
        listeners=0,
        days=[],
        markets=[],
        top_tracks=[],
    )
    if not tracks:
        return empty
    ids = ", ".join("'" + track.replace("'", "''") + "'" for track in tracks)
    where = (
        f"track_id IN ({ids}) AND played_at >= TIMESTAMPTZ '{since.isoformat()} 00:00:00+00' "
        f"AND played_at < TIMESTAMPTZ '{(until + timedelta(days=1)).isoformat()} 00:00:00+00'"
    )
    root = warehouse.warehouse_root(settings)
    try:
        _, total = warehouse.query(
            root, f'SELECT count(*), count(DISTINCT "user") FROM streams WHERE {where}'
        )
        _, days = warehouse.query(
            root,
            f"""SELECT CAST(timezone('UTC', played_at) AS DATE) AS day, count(*), count(DISTINCT "user")
                FROM streams WHERE {where} GROUP BY day ORDER BY day""",
        )
        _, markets = warehouse.query(
            root,
            f"""SELECT market, count(*) AS n, count(DISTINCT "user") FROM streams WHERE {where}
                GROUP BY market ORDER BY n DESC, market""",
        )
        _, top = warehouse.query(
            root,
            f"""SELECT track_id, count(*) AS n, count(DISTINCT "user") FROM streams WHERE {where}
                GROUP BY track_id ORDER BY n DESC, track_id LIMIT {TOP}""",
        )
    except warehouse.NothingExported:
        return empty
    ((streams, listeners),) = total
    return ArtistStats(
        since=since.isoformat(),
        until=until.isoformat(),
        streams=int(streams),
        listeners=int(listeners),
        days=[DayStreams(day=str(day), streams=int(n), listeners=int(u)) for day, n, u in days],
        markets=[MarketStreams(market=str(m), streams=int(n), listeners=int(u)) for m, n, u in markets],
        top_tracks=[
            TopTrack(track_id=str(t), name=names.get(str(t), ""), streams=int(n), listeners=int(u))
            for t, n, u in top
        ],
    )
