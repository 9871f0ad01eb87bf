"""Rightsholders and splits: whom a counted stream of a track pays (its rightsholder, a label or a
distributor), and how that share divides among parties (artists, producers, the publisher,
songwriters), in basis points (1/100 of a percent).

A track's stored splits add up to exactly 10000 bp (100 %). A track with a rightsholder and no
stored splits pays 100 % to the rightsholder itself: one implied split with the rightsholder's
name as party and role 'label'.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict
from decimal import Decimal, InvalidOperation
from typing import cast

from sqlalchemy.orm import Session

from tonearm.catalog import schemas
from tonearm.catalog.media import (
    RIGHTSHOLDER_KINDS,
    SPLIT_ROLES,
    WHOLE_BP,
    RightsholderKind,
    RightsholderRecord,
    RightsRow,
    Split,
    SplitRole,
)
from tonearm.catalog.models import Rightsholder, TrackSplit
from tonearm.catalog.repository import RightsholderRepository
from tonearm.errors import BadRequest, NotFound
from tonearm.kit.ids import new_id, uri
from tonearm.kit.time import utcnow

__all__ = [
    "CatalogRightsholders",
    "bp_of_percent",
    "checked_splits",
    "percent_text",
    "rightsholder_named",
]

_NAME_LENGTH = 200
# Rows read from the database at a time by rights_rows.
_BATCH = 1000


def percent_text(bp: int) -> str:
    """10000 bp as '100 %', 3333 as '33.33 %'."""
    return f"{bp / 100:.2f}".rstrip("0").rstrip(".") + " %"


def bp_of_percent(percent: str | float | Decimal) -> int:
    """A share given in percent, with at most two decimals, in basis points; BadRequest for
    anything else or for a share outside (0, 100]."""
    try:
        exact = Decimal(str(percent).strip().removesuffix("%").strip()) * 100
    except InvalidOperation:
        raise BadRequest(f"a share is a percentage such as 50 or 33.33, not '{str(percent)[:20]}'") from None
    if not exact.is_finite() or exact != exact.to_integral_value():
        raise BadRequest(f"a share takes at most two decimals, not '{str(percent)[:20]}'")
    if not 0 < exact <= WHOLE_BP:
        raise BadRequest(f"a share is more than 0 and at most 100 %, not {str(percent)[:20]} %")
    return int(exact)


def _name(name: str, what: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise BadRequest(f"{what} needs a name")
    if len(cleaned) > _NAME_LENGTH:
        raise BadRequest(f"{what}'s name is longer than {_NAME_LENGTH} characters")
    return cleaned


def _checked(split: Split) -> Split:
    if split.role not in SPLIT_ROLES:
        raise BadRequest(f"a split's role is one of {', '.join(SPLIT_ROLES)}, not '{str(split.role)[:20]}'")
    party = _name(split.party, "a split's party")
    if not 1 <= split.share_bp <= WHOLE_BP:
        raise BadRequest(f"{party}'s share must be more than 0 and at most 100 %")
    return Split(party, split.role, split.share_bp)


def checked_splits(splits: Sequence[Split]) -> tuple[Split, ...]:
    """The splits with their party names tidied; BadRequest unless each party is named, has a
    known role and a share, no party holds the same role twice and the shares add up to 100 %.
    No splits at all is fine: the rightsholder then takes everything."""
    checked = tuple(_checked(split) for split in splits)
    seen: set[tuple[str, str]] = set()
    for split in checked:
        key = (split.party.casefold(), split.role)
        if key in seen:
            raise BadRequest(f"'{split.party}' is named twice as {split.role}: give one share per role")
        seen.add(key)
    total = sum(split.share_bp for split in checked)
    if checked and total != WHOLE_BP:
        raise BadRequest(f"the splits add up to {percent_text(total)}, not 100 %")
    return checked


def rightsholder_named(
    repo: RightsholderRepository, name: str, kind: RightsholderKind, *, any_kind: bool = False
) -> Rightsholder:
    """The rightsholder of this name however it is written, created with `kind` if new;
    BadRequest if it exists with another kind (unless `any_kind`, as for names read from tags)."""
    if kind not in RIGHTSHOLDER_KINDS:
        raise BadRequest(f"a rightsholder is a {' or a '.join(RIGHTSHOLDER_KINDS)}, not '{str(kind)[:20]}'")
    cleaned = _name(name, "a rightsholder")
    holder = repo.ensure(
        id_=new_id(), name=cleaned, name_key=cleaned.casefold(), kind=kind, created_at=utcnow()
    )
    if holder.kind != kind and not any_kind:
        raise BadRequest(f"'{holder.name}' is a {holder.kind}, not a {kind}")
    return holder


def _record(row: Rightsholder) -> RightsholderRecord:
    return RightsholderRecord(row.id, row.name, cast(RightsholderKind, row.kind))


def _split(row: TrackSplit) -> Split:
    return Split(row.party, cast(SplitRole, row.role), row.share_bp)


def _implied(holder: Rightsholder | None) -> tuple[Split, ...]:
    return (Split(holder.name, "label", WHOLE_BP),) if holder is not None else ()


def _missing(repo: RightsholderRepository, track_ids: Sequence[str]) -> None:
    unknown = sorted(set(track_ids) - repo.existing_tracks(track_ids))
    if len(unknown) == 1:
        raise NotFound(f"track '{unknown[0]}' not found")
    if unknown:
        raise NotFound(f"tracks not found: {', '.join(unknown[:5])}" + (", ..." if len(unknown) > 5 else ""))


class CatalogRightsholders:
    def set_rightsholder(
        self, session: Session, track_ids: Sequence[str], name: str, kind: RightsholderKind = "label"
    ) -> RightsholderRecord:
        """Make the rightsholder called `name` (however it is written; created if new) the one
        of every track in `track_ids`. NotFound, and nothing changed, if any track is unknown;
        BadRequest for no tracks, no name, or a kind other than the existing rightsholder's."""
        if not track_ids:
            raise BadRequest("name at least one track")
        repo = RightsholderRepository(session)
        _missing(repo, track_ids)
        holder = rightsholder_named(repo, name, kind)
        repo.assign(list(dict.fromkeys(track_ids)), holder.id)
        return _record(holder)

    def set_splits(self, session: Session, track_id: str, splits: Sequence[Split]) -> None:
        """Replace the track's splits (see `checked_splits` for what is refused, with nothing
        written); no splits gives the rightsholder everything again. NotFound for an unknown track."""
        repo = RightsholderRepository(session)
        _missing(repo, [track_id])
        rows = [
            TrackSplit(track_id=track_id, party=split.party, role=split.role, share_bp=split.share_bp)
            for split in checked_splits(splits)
        ]
        repo.replace_splits(track_id, rows)

    def rightsholder_of(self, session: Session, track_ids: Sequence[str]) -> dict[str, RightsholderRecord]:
        """The rightsholder of each of `track_ids` that has one."""
        found = RightsholderRepository(session).of_tracks(track_ids)
        return {track_id: _record(holder) for track_id, holder in found.items()}

    def splits_of(self, session: Session, track_ids: Sequence[str]) -> dict[str, tuple[Split, ...]]:
        """The splits of each known track in `track_ids`, largest share first: those stored, or
        the implied 100 % to its rightsholder, or none for a track without a rightsholder.
        An unknown track is left out."""
        repo = RightsholderRepository(session)
        stored, holders = repo.splits(track_ids), repo.of_tracks(track_ids)
        return {
            track_id: tuple(map(_split, stored[track_id]))
            if track_id in stored
            else _implied(holders.get(track_id))
            for track_id in repo.existing_tracks(track_ids)
        }

    def get_track_rights(self, session: Session, track_id: str) -> schemas.TrackRights:
        """The track's rightsholder and splits as the admin API shows them; NotFound for an
        unknown track."""
        splits = self.splits_of(session, [track_id]).get(track_id)
        if splits is None:
            raise NotFound(f"track '{track_id}' not found")
        holder = self.rightsholder_of(session, [track_id]).get(track_id)
        return schemas.TrackRights(
            id=track_id,
            uri=uri("track", track_id),
            rightsholder=schemas.RightsholderObject(**asdict(holder)) if holder else None,
            splits=[
                schemas.SplitObject(**asdict(split), share_percent=split.share_bp / 100) for split in splits
            ],
        )

    def album_track_ids(self, session: Session, album_id: str) -> list[str]:
        """The album's tracks in play order; NotFound for an unknown album or one with none."""
        found = RightsholderRepository(session).album_track_ids(album_id)
        if not found:
            raise NotFound(f"album '{album_id}' not found")
        return found

    def rights_rows(self, session: Session) -> Iterator[RightsRow]:
        """One row per party of every track with a rightsholder (one per role, should a party
        hold two), by track id: the implied 100 % to the rightsholder where none is stored.
        Streamed from the database, so the whole catalog is never in memory."""
        repo = RightsholderRepository(session)
        for batch in repo.shares(_BATCH):
            artists = repo.artist_ids(list({row[0] for row in batch}))
            for track_id, holder_id, holder_name, party, role, bp in batch:
                yield RightsRow(
                    track_id=track_id,
                    rightsholder_id=holder_id,
                    rightsholder_name=holder_name,
                    party=party if party is not None else holder_name,
                    role=cast(SplitRole, role or "label"),
                    share_bp=bp if bp is not None else WHOLE_BP,
                    artist_ids=tuple(artists.get(track_id, ())),
                )

    def rightsholders_of_artists(self, session: Session, artist_ids: Sequence[str]) -> set[str]:
        """The ids of the rightsholders of tracks that credit any of `artist_ids`."""
        return RightsholderRepository(session).of_artists(artist_ids) if artist_ids else set()
