"""All SQL of the recommendations domain."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tonearm.recs.models import MadeForYou, Onboarding, Pick, Station, StationTrack, TrainedModel

__all__ = ["RecsRepository"]


class RecsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: object) -> None:
        self.session.add(row)

    # ---- models ----

    def latest_model(self) -> TrainedModel | None:
        query = select(TrainedModel).order_by(TrainedModel.trained_at.desc(), TrainedModel.id.desc()).limit(1)
        return self.session.scalars(query).first()

    def models_before(self, keep: TrainedModel) -> Sequence[TrainedModel]:
        query = select(TrainedModel).where(
            TrainedModel.id != keep.id, TrainedModel.trained_at <= keep.trained_at
        )
        return self.session.scalars(query).all()

    def delete(self, row: object) -> None:
        self.session.delete(row)

    # ---- made-for-you lists ----

    def lists(self, user_id: str) -> Sequence[MadeForYou]:
        query = select(MadeForYou).where(MadeForYou.user_id == user_id).order_by(MadeForYou.key)
        return self.session.scalars(query).all()

    def list_of(self, user_id: str, key: str) -> MadeForYou | None:
        return self.session.get(MadeForYou, (user_id, key))

    def list_by_playlist(self, playlist_id: str) -> MadeForYou | None:
        return self.session.scalars(select(MadeForYou).where(MadeForYou.playlist_id == playlist_id)).first()

    def picks(self, user_id: str, key: str) -> Sequence[Pick]:
        query = select(Pick).where(Pick.user_id == user_id, Pick.key == key).order_by(Pick.position)
        return self.session.scalars(query).all()

    def replace_picks(
        self, user_id: str, key: str, picks: Sequence[tuple[str, list[dict[str, Any]]]]
    ) -> None:
        self.session.execute(delete(Pick).where(Pick.user_id == user_id, Pick.key == key))
        self.session.add_all(
            Pick(user_id=user_id, key=key, position=position, track_id=track_id, reasons=reasons)
            for position, (track_id, reasons) in enumerate(picks)
        )

    def drop_list(self, found: MadeForYou) -> None:
        self.session.execute(delete(Pick).where(Pick.user_id == found.user_id, Pick.key == found.key))
        self.session.delete(found)

    def users_with_lists(self, product: str) -> list[str]:
        query = select(MadeForYou.user_id).where(MadeForYou.product == product).distinct()
        return list(self.session.scalars(query))

    # ---- onboarding ----

    def onboarding(self, user_id: str) -> list[str]:
        query = (
            select(Onboarding.artist_id).where(Onboarding.user_id == user_id).order_by(Onboarding.picked_at)
        )
        return list(self.session.scalars(query))

    def replace_onboarding(self, user_id: str, artist_ids: Sequence[str]) -> None:
        self.session.execute(delete(Onboarding).where(Onboarding.user_id == user_id))
        self.session.add_all(Onboarding(user_id=user_id, artist_id=artist_id) for artist_id in artist_ids)

    # ---- radio ----

    def station(self, station_id: str) -> Station | None:
        return self.session.get(Station, station_id)

    def station_tracks(self, station_id: str) -> Sequence[StationTrack]:
        query = (
            select(StationTrack).where(StationTrack.station_id == station_id).order_by(StationTrack.position)
        )
        return self.session.scalars(query).all()

    def station_length(self, station_id: str) -> int:
        query = select(func.count()).select_from(StationTrack).where(StationTrack.station_id == station_id)
        return int(self.session.scalar(query) or 0)

    def stations_of(self, user_id: str) -> Sequence[Station]:
        query = select(Station).where(Station.user_id == user_id).order_by(Station.created_at.desc())
        return self.session.scalars(query).all()

    # ---- personal data ----

    def erase_user(self, user_id: str) -> int:
        erased = 0
        for station in self.stations_of(user_id):
            self.session.execute(delete(StationTrack).where(StationTrack.station_id == station.id))
            self.session.delete(station)
            erased += 1
        for table in (Pick, MadeForYou, Onboarding):
            result = self.session.execute(delete(table).where(table.user_id == user_id))
            erased += int(getattr(result, "rowcount", 0) or 0)
        return erased
