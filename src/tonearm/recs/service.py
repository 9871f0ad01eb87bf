"""Recommendations: the made-for-you lists, radio, Home, seeded recommendations and related
artists, all picked by the newest trained model (`training`) through one picker (`picking`),
and every item with its reasons. One service per process holds the loaded model:

    recs = RecsService(ModelStore(blobs))
    recs.made_for_you(session, user_id, moment=..., shaper_for=...)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from tonearm.catalog import ArtistFull, catalog
from tonearm.errors import BadRequest, NotFound
from tonearm.kit.ids import uri
from tonearm.kit.time import as_utc, iso_ms
from tonearm.playlists import playlists
from tonearm.recs import home as home_view
from tonearm.recs import lists, radio, schemas, seeded
from tonearm.recs.lists import LIST_AGE, PRODUCTS, Built
from tonearm.recs.models import MadeForYou
from tonearm.recs.picking import Moment, Picker
from tonearm.recs.radio import MAX_PAGE, StationNotFound
from tonearm.recs.reasons import as_json
from tonearm.recs.repository import RecsRepository
from tonearm.recs.shapes import Shaper
from tonearm.recs.sources import listener
from tonearm.recs.training import ModelStore

__all__ = ["MAX_TASTE", "RecsService", "export_user"]

MAX_TASTE = 20


class RecsService:
    def __init__(self, models: ModelStore) -> None:
        self.models = models

    def picker(self, session: Session, user_id: str, moment: Moment) -> Picker:
        current = self.models.current(session)
        return Picker(
            session,
            listener(session, user_id),
            self.models.catalogue(session),
            None if current is None else current[1],
            moment,
        )

    def shaper(self, session: Session, picker: Picker, base: str) -> Shaper:
        return Shaper(session, picker.found, base, picker.who.market, picker.who.audience)

    # ---- made for you ----

    def build(self, session: Session, user_id: str, product: str, moment: Moment) -> list[Built]:
        if product not in PRODUCTS:
            raise BadRequest(f"product must be one of {', '.join(PRODUCTS)}")
        current = self.models.current(session)
        return lists.build(self.picker(session, user_id, moment), product, model_id=current and current[0])

    def made_for_you(
        self, session: Session, user_id: str, moment: Moment, *, base: str
    ) -> list[schemas.MadeForYouList]:
        """The listener's lists; a product they have none of yet (or one past its age) is built
        now, so a new listener has theirs at once."""
        repo = RecsRepository(session)
        have = repo.lists(user_id)
        for product in PRODUCTS:
            of_product = [row for row in have if row.product == product]
            if not of_product or any(
                moment.at - as_utc(row.built_at) > LIST_AGE[product] for row in of_product
            ):
                self.build(session, user_id, product, moment)
        picker = self.picker(session, user_id, moment)
        shaper = self.shaper(session, picker, base)
        return [self._shaped(session, row, shaper) for row in repo.lists(user_id)]

    def made_for_you_by_playlist(
        self, session: Session, user_id: str, playlist_id: str, moment: Moment, *, base: str
    ) -> schemas.MadeForYouList:
        row = RecsRepository(session).list_by_playlist(playlist_id)
        if row is None or row.user_id != user_id:
            raise NotFound(f"playlist '{playlist_id[:40]}' is not one of your made-for-you lists")
        picker = self.picker(session, user_id, moment)
        return self._shaped(session, row, self.shaper(session, picker, base))

    def _shaped(self, session: Session, row: MadeForYou, shaper: Shaper) -> schemas.MadeForYouList:
        picks = RecsRepository(session).picks(row.user_id, row.key)
        playlist = None
        if row.playlist_id is not None:
            playlist = schemas.ListPlaylist(
                id=row.playlist_id,
                uri=uri("playlist", row.playlist_id),
                href=f"{shaper.base}/v1/playlists/{row.playlist_id}",
                snapshot_id=_snapshot(session, row.playlist_id, row.user_id),
            )
        return schemas.MadeForYouList(
            key=row.key,
            product=row.product,  # type: ignore[arg-type]
            title=row.title,
            description=row.description,
            built_at=iso_ms(as_utc(row.built_at)),
            playlist=playlist,
            tracks=shaper.tracks([(pick.track_id, pick.reasons) for pick in picks]),
        )

    # ---- radio ----

    def start_radio(
        self, session: Session, user_id: str, seed_uri: str, moment: Moment, *, base: str, limit: int
    ) -> schemas.Station:
        picker = self.picker(session, user_id, moment)
        station = radio.start(session, picker, seed_uri)
        return self._page(session, picker, station.id, 0, limit, base)

    def radio_page(
        self,
        session: Session,
        user_id: str,
        station_id: str,
        moment: Moment,
        *,
        base: str,
        offset: int,
        limit: int,
    ) -> schemas.Station:
        picker = self.picker(session, user_id, moment)
        return self._page(session, picker, station_id, offset, limit, base)

    def _page(
        self, session: Session, picker: Picker, station_id: str, offset: int, limit: int, base: str
    ) -> schemas.Station:
        if not 1 <= limit <= MAX_PAGE:
            raise BadRequest(f"limit must be between 1 and {MAX_PAGE}")
        repo = RecsRepository(session)
        station = repo.station(station_id)
        if station is None or station.user_id != picker.who.user_id:
            raise StationNotFound(f"radio station '{station_id[:40]}' not found")
        radio.extend_to(session, picker, station, offset + limit)
        session.flush()
        rows = list(repo.station_tracks(station.id))[offset : offset + limit]
        href = f"{base}/v1/me/radio/{station.id}"
        return schemas.Station(
            id=station.id,
            href=href,
            seed_uri=station.seed_uri,
            title=station.title,
            offset=offset,
            tracks=self.shaper(session, picker, base).tracks([(row.track_id, row.reasons) for row in rows]),
            next=f"{href}?offset={offset + len(rows)}&limit={limit}",
        )

    # ---- home ----

    def home(self, session: Session, user_id: str, moment: Moment, *, base: str) -> schemas.HomeView:
        made = self.made_for_you(session, user_id, moment, base=base)
        picker = self.picker(session, user_id, moment)
        return home_view.home(picker, self.shaper(session, picker, base), made)

    # ---- seeded, related, genres ----

    def recommendations(
        self,
        session: Session,
        user_id: str,
        moment: Moment,
        *,
        base: str,
        artists: Sequence[str],
        tracks: Sequence[str],
        genres: Sequence[str],
        tuning: seeded.Tuning,
        limit: int,
    ) -> schemas.Recommendations:
        picker = self.picker(session, user_id, moment)
        result = seeded.recommend(
            picker, artists=artists, tracks=tracks, genre_names=genres, tuning=tuning, limit=limit
        )
        shaper = self.shaper(session, picker, base)
        return schemas.Recommendations(
            seeds=[
                schemas.RecommendationSeed(
                    afterFilteringSize=kept,
                    afterRelinkingSize=kept,
                    href=None if kind == "genre" else f"{base}/v1/{kind}s/{id_}",
                    id=id_,
                    initialPoolSize=pool,
                    type=kind,  # type: ignore[arg-type]
                )
                for kind, id_, pool, kept in result.seeds
            ],
            tracks=shaper.tracks([(pick.item, as_json(pick.reasons)) for pick in result.picks]),
        )

    def related_artists(
        self, session: Session, user_id: str, artist_id: str, moment: Moment, *, base: str
    ) -> list[ArtistFull]:
        picker = self.picker(session, user_id, moment)
        ids = seeded.related_artists(picker, artist_id)
        return [artist for artist in catalog.get_artists(session, ids, base=base) if artist is not None]

    def genre_seeds(self, session: Session) -> list[str]:
        return seeded.genres(self.models.catalogue(session))

    # ---- taste (onboarding) ----

    def taste(
        self, session: Session, user_id: str, moment: Moment, *, base: str
    ) -> tuple[list[ArtistFull], list[ArtistFull]]:
        picked = RecsRepository(session).onboarding(user_id)
        suggested = home_view.suggested_artists(self.picker(session, user_id, moment))
        shaped = catalog.get_artists(session, [*picked, *suggested], base=base)
        return [a for a in shaped[: len(picked)] if a], [a for a in shaped[len(picked) :] if a]

    def set_taste(self, session: Session, user_id: str, artist_ids: Sequence[str]) -> None:
        ids = list(dict.fromkeys(artist_ids))
        if not 1 <= len(ids) <= MAX_TASTE:
            raise BadRequest(f"pick 1 to {MAX_TASTE} artists, got {len(ids)}")
        known = {a.id for a in catalog.get_artists(session, ids, base="") if a is not None}
        unknown = [a for a in ids if a not in known]
        if unknown:
            raise NotFound(f"artist '{unknown[0][:40]}' not found")
        RecsRepository(session).replace_onboarding(user_id, ids)
        for row in RecsRepository(session).lists(user_id):
            row.built_at = as_utc(row.built_at) - max(LIST_AGE.values()) * 2  # rebuilt at the next ask

    # ---- personal data ----

    def erase_user(self, session: Session, user_id: str) -> int:
        return RecsRepository(session).erase_user(user_id)


def _snapshot(session: Session, playlist_id: str, user_id: str) -> str | None:
    try:
        return playlists.get(session, playlist_id, user_id).snapshot_id
    except NotFound:
        return None


def export_user(session: Session, user_id: str) -> dict[str, Any]:
    repo = RecsRepository(session)
    return {
        "made_for_you": [
            {
                "key": row.key,
                "title": row.title,
                "built_at": iso_ms(as_utc(row.built_at)),
                "tracks": [
                    {"track_id": p.track_id, "reasons": p.reasons} for p in repo.picks(user_id, row.key)
                ],
            }
            for row in repo.lists(user_id)
        ],
        "onboarding_artists": repo.onboarding(user_id),
        "radio_stations": [
            {"seed_uri": s.seed_uri, "title": s.title, "created_at": iso_ms(as_utc(s.created_at))}
            for s in repo.stations_of(user_id)
        ],
    }
