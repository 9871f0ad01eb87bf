"""Offline downloads under a licence: premium listeners register up to 5 devices (each with its
public key), ask for a track, album or playlist on one, and check in to renew.

A licence names the tracks the listener may play (their country, product and explicit setting,
now) and lasts 30 days; a check-in renews every licence still running and answers what was
revoked. A check-in reads playability from the catalog as it is then: for the tracks the
catalog topic named since the device's last check-in (takedowns, rights changes: a consumer
notes them), and once a day for every track the device holds (a rights window that closes by
time has no event). A downgrade to free takes everything off at the next check-in. A device holds at most
10,000 tracks; a licence that would pass that evicts the device's least recently played tracks
(plays come from the playback topic, offline ones included) to make room.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tonearm.accounts import Caller, is_premium
from tonearm.backends.blobs import BlobStore
from tonearm.catalog import RenditionRef
from tonearm.catalog import catalog as catalog_service
from tonearm.errors import BadRequest, NotFound, NotPlayable
from tonearm.kit.ids import new_id, parse_uri_of, uri
from tonearm.kit.rights import Audience
from tonearm.kit.time import as_utc, iso_ms, utcnow
from tonearm.offline import crypto
from tonearm.offline.errors import DeviceLimitReached, LicenceExpired, PremiumRequired
from tonearm.offline.models import OfflineDevice, OfflineLicence, OfflineRevocation
from tonearm.offline.repository import OfflineRepository
from tonearm.playlists import MAX_ITEMS, playlists

__all__ = [
    "LICENCE_LIFETIME",
    "LICENSED_KINDS",
    "MAX_DEVICES",
    "MAX_TRACKS_PER_DEVICE",
    "CheckIn",
    "Download",
    "IssuedLicence",
    "LicenceCount",
    "LicenceState",
    "OfflineService",
    "offline",
]

LICENCE_LIFETIME = timedelta(days=30)
MAX_DEVICES = 5
MAX_TRACKS_PER_DEVICE = 10_000
LICENSED_KINDS = ("track", "album", "playlist")
# How often a check-in reads every held track's playability again, not only the changed ones.
FULL_CHECK_EVERY = timedelta(days=1)
# Revocations are told at every check-in this long: a device away longer has no live licence.
REVOCATIONS_KEPT = LICENCE_LIFETIME
# What a file is downloaded as when the device names no rung: AAC first (the web player's
# `<audio>` plays the .m4a whole), then what else a browser plays from one file.
PREFERRED_RUNGS = ("aac_256", "opus_24", "flac", "vorbis_320", "vorbis_160", "vorbis_96")
MEDIA_TYPES = {
    "aac": 'audio/mp4; codecs="mp4a.40.2"',
    "opus": 'audio/ogg; codecs="opus"',
    "vorbis": 'audio/ogg; codecs="vorbis"',
    "flac": "audio/flac",
}
GONE = "gone"  # the catalog no longer has the track
EVICTED = "evicted"
UNLICENSED = "unlicensed"  # no licence of the device names it any more
PREMIUM_REQUIRED = "premium_required"


@dataclass(frozen=True)
class LicenceState:
    licence: OfflineLicence
    track_ids: tuple[str, ...]
    status: str  # active, expired


@dataclass(frozen=True)
class LicenceCount:
    licence: OfflineLicence
    status: str
    total: int
    expires_at: datetime


@dataclass(frozen=True)
class IssuedLicence:
    state: LicenceState
    created: bool
    # Tracks of the item the listener may not play here now, with the catalog's reason.
    unavailable: dict[str, str] = field(default_factory=dict)
    evicted: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckIn:
    device: OfflineDevice
    at: datetime
    licences: list[LicenceCount]
    revoked: list[OfflineRevocation]


@dataclass(frozen=True)
class Download:
    header: crypto.FileHeader
    rung: str
    size: int  # bytes of the encrypted file
    _content_key: bytes
    _storage_key: str
    _blobs: BlobStore

    def chunks(self) -> Iterator[bytes]:
        def read(start: int, length: int) -> bytes:
            return self._blobs.read_range(self._storage_key, start, length)

        return crypto.encrypt_chunks(self.header, self._content_key, read)


def _audience(caller: Caller) -> Audience:
    return Audience(product=caller.product, explicit_content=caller.explicit_content)


def _user(caller: Caller) -> str:
    if caller.user_id is None:
        raise BadRequest("offline downloads are a user's: this token acts for no user")
    return caller.user_id


def _premium(caller: Caller) -> str:
    if not is_premium(caller.product):
        raise PremiumRequired()
    return _user(caller)


def _status(licence: OfflineLicence, at: datetime) -> str:
    return "active" if as_utc(licence.expires_at) > at else "expired"


class OfflineService:
    # ---- devices ----

    def register(
        self, session: Session, caller: Caller, *, name: str, public_key: Any, now: datetime | None = None
    ) -> tuple[OfflineDevice, bool]:
        """A device for the caller with this public key; the one already registered with the
        same key if there is one (then `False`)."""
        user_id = _premium(caller)
        try:
            der = crypto.public_key_der(public_key)
        except crypto.BadPublicKey as error:
            raise BadRequest(str(error)) from None
        repo = OfflineRepository(session)
        known = repo.device_by_key(user_id, crypto.fingerprint(der))
        if known is not None:
            return known, False
        if len(repo.devices_of(user_id)) >= MAX_DEVICES:
            raise DeviceLimitReached(
                f"at most {MAX_DEVICES} devices per account can hold downloads: remove one first "
                "(GET /v1/me/offline/devices lists them, DELETE /v1/me/offline/devices/{id} removes one)"
            )
        device = OfflineDevice(
            id=new_id(),
            user_id=user_id,
            name=name,
            public_key=der,
            key_fingerprint=crypto.fingerprint(der),
            created_at=now or utcnow(),
            last_check_in_at=None,
        )
        repo.add(device)
        return device, True

    def devices(self, session: Session, user_id: str) -> list[tuple[OfflineDevice, int]]:
        repo = OfflineRepository(session)
        devices = repo.devices_of(user_id)
        counts = repo.track_counts([device.id for device in devices])
        return [(device, counts.get(device.id, 0)) for device in devices]

    def device_of(self, session: Session, user_id: str, device_id: str) -> OfflineDevice:
        """The user's device; to anyone else it is not there (404)."""
        device = OfflineRepository(session).device(device_id)
        if device is None or device.user_id != user_id:
            raise NotFound(
                f"no offline device '{device_id}' of yours (GET /v1/me/offline/devices lists them)"
            )
        return device

    def remove_device(self, session: Session, user_id: str, device_id: str) -> None:
        """The device goes, with its licences and keys: what it downloaded no longer opens."""
        OfflineRepository(session).delete_device(self.device_of(session, user_id, device_id).id)

    # ---- licences ----

    def issue(
        self, session: Session, caller: Caller, device_id: str, item_uri: str, *, now: datetime | None = None
    ) -> IssuedLicence:
        """A licence on the device for what `item_uri` names (a track, album or playlist), or
        the one it had renewed and brought up to date with the item's tracks."""
        device = self.device_of(session, _premium(caller), device_id)
        kind, item_id = parse_uri_of(item_uri, LICENSED_KINDS)
        wanted = self._tracks_of(session, caller, kind, item_id)
        unavailable = self._unplayable(session, caller, wanted)
        playable = [track_id for track_id in wanted if track_id not in unavailable]
        if kind == "track" and unavailable.get(item_id) == GONE:
            raise NotFound(f"track '{item_id}' not found")
        if kind == "track" and not playable:
            raise NotPlayable(
                f"track '{item_id}' cannot be downloaded: it is not playable here", unavailable[item_id]
            )
        at, repo = now or utcnow(), OfflineRepository(session)
        licence, created = repo.licence_for(device.id, kind, item_id), False
        if licence is None:
            licence, created = self._new_licence(repo, device, kind, item_id, at), True
        licence.issued_at, licence.expires_at = at, at + LICENCE_LIFETIME
        evicted = self._hold(repo, device, playable, at)
        repo.set_licensed_tracks(licence, playable)
        self._drop_orphans(repo, device, at)
        state = LicenceState(licence, tuple(playable), "active")
        return IssuedLicence(state, created, unavailable, tuple(evicted))

    def licences(
        self, session: Session, user_id: str, device_id: str, *, now: datetime | None = None
    ) -> list[LicenceState]:
        device = self.device_of(session, user_id, device_id)
        return self._states(OfflineRepository(session), device, now or utcnow())

    def remove_licence(self, session: Session, user_id: str, device_id: str, licence_id: str) -> None:
        """The licence goes; tracks no other licence of the device names leave it."""
        device = self.device_of(session, user_id, device_id)
        repo = OfflineRepository(session)
        licence = repo.licence(licence_id)
        if licence is None or licence.device_id != device.id:
            raise NotFound(f"no licence '{licence_id}' on this device")
        repo.delete_licence(licence.id)
        self._drop_orphans(repo, device, utcnow())

    def check_in(
        self, session: Session, caller: Caller, device_id: str, *, now: datetime | None = None
    ) -> CheckIn:
        """Renew the device's running licences and take off it what may no longer play: every
        track when the account is no longer premium."""
        device = self.device_of(session, _user(caller), device_id)
        at, repo = now or utcnow(), OfflineRepository(session)
        repo.drop_revocations_before(device.id, at - REVOCATIONS_KEPT)
        licences = repo.licences_of(device.id)
        if is_premium(caller.product):
            reasons = self._unplayable(session, caller, self._to_check(repo, device, at))
        else:
            reasons = dict.fromkeys(repo.track_ids(device.id), PREMIUM_REQUIRED)
            for licence in licences:
                repo.delete_licence(licence.id)
            licences = []
        if reasons:
            repo.remove_tracks(device.id, list(reasons))
            repo.revoke(device.id, reasons, at)
        renewed = at + LICENCE_LIFETIME
        running = {licence.id for licence in licences if _status(licence, at) == "active"}
        repo.renew(sorted(running), renewed)  # one statement, however many licences
        device.last_check_in_at = at
        sizes = repo.licence_sizes([licence.id for licence in licences])
        counted = [
            LicenceCount(
                licence,
                "active" if licence.id in running else "expired",
                sizes.get(licence.id, 0),
                renewed if licence.id in running else as_utc(licence.expires_at),
            )
            for licence in licences
        ]
        return CheckIn(device, at, counted, repo.revocations(device.id))

    def _to_check(self, repo: OfflineRepository, device: OfflineDevice, at: datetime) -> list[str]:
        """Every held track once a day (a rights window closes by time, and has no event; the
        listener's country or explicit setting may have changed); in between, the held tracks
        the catalog topic named since the device's last check-in."""
        last = device.full_check_at
        if last is None or as_utc(last) <= at - FULL_CHECK_EVERY or device.last_check_in_at is None:
            device.full_check_at = at
            return repo.track_ids(device.id)
        return repo.changed_held(device.id, as_utc(device.last_check_in_at))

    def note_rights_changed(self, session: Session, track_ids: Sequence[str]) -> None:
        """The catalog topic named these tracks (taken down, rights changed): the next check-in
        of a device holding one reads its playability again."""
        if track_ids:
            at = utcnow()
            OfflineRepository(session).note_rights_changed(
                track_ids, at, forget_before=at - 2 * FULL_CHECK_EVERY
            )

    # ---- files ----

    def download(
        self,
        session: Session,
        caller: Caller,
        device_id: str,
        track_id: str,
        *,
        blobs: BlobStore,
        rung: str | None = None,
        now: datetime | None = None,
    ) -> Download:
        """The track's file encrypted for the device, while a licence of it there runs."""
        device = self.device_of(session, _premium(caller), device_id)
        repo = OfflineRepository(session)
        keys = repo.key_of(device.id, track_id)
        if keys is None:
            raise NotFound(f"track '{track_id}' is not licensed to this device: ask for a licence first")
        expiries = [as_utc(moment) for moment in repo.licence_expiries(device.id, track_id)]
        if not any(moment > (now or utcnow()) for moment in expiries):
            raise LicenceExpired(
                f"the licence of track '{track_id}' on this device expired at {iso_ms(max(expiries))}: "
                "check in (POST /v1/me/offline/devices/{id}/check-in) or ask for the licence again"
            )
        media = catalog_service.media(session, track_id, market=caller.country, audience=_audience(caller))
        rendition = _pick(media.renditions, rung, track_id)
        content_key, wrapped_key = keys
        try:
            plain_size = blobs.size(rendition.storage_key)
        except FileNotFoundError:
            raise NotFound(f"track '{track_id}' has no stored '{rendition.rung}' audio") from None
        header = crypto.FileHeader(
            plain_size=plain_size,
            nonce=crypto.nonce_for(content_key, rendition.storage_key),
            wrapped_key=wrapped_key,
            media_type=MEDIA_TYPES.get(rendition.codec, "application/octet-stream"),
            track_id=track_id,
        )
        size = crypto.encrypted_size(header)
        return Download(header, rendition.rung, size, content_key, rendition.storage_key, blobs)

    # ---- plays (from the playback topic) ----

    def note_plays(self, session: Session, plays: dict[tuple[str, str], datetime]) -> None:
        """The latest play of each (user, track): what eviction orders a device's tracks by."""
        repo = OfflineRepository(session)
        holders = repo.users_with_devices(sorted({user_id for user_id, _track in plays}))
        for (user_id, track_id), at in plays.items():
            if user_id in holders:
                repo.played(user_id, track_id, at)

    # ---- personal data ----

    def export_user(self, session: Session, user_id: str) -> dict[str, Any]:
        repo = OfflineRepository(session)
        licences = repo.licences_of_user(user_id)
        counts = repo.licensed_tracks([licence.id for licence in licences])
        return {
            "offline_devices": [
                _described_device(device) for device, _count in self.devices(session, user_id)
            ],
            "offline_licences": [
                {
                    "id": licence.id,
                    "device_id": licence.device_id,
                    "uri": uri(licence.kind, licence.item_id),
                    "issued_at": iso_ms(licence.issued_at),
                    "expires_at": iso_ms(licence.expires_at),
                    "tracks": len(counts[licence.id]),
                }
                for licence in licences
            ],
            "offline_tracks": [
                {
                    "device_id": device_id,
                    "uri": uri("track", track_id),
                    "added_at": iso_ms(added_at),
                    "last_played_at": iso_ms(played_at) if played_at else None,
                }
                for device_id, track_id, added_at, played_at in repo.tracks_of_user(user_id)
            ],
        }

    def erase_user(self, session: Session, user_id: str) -> int:
        return OfflineRepository(session).erase(user_id)

    # ---- the parts ----

    def _tracks_of(self, session: Session, caller: Caller, kind: str, item_id: str) -> list[str]:
        """The item's tracks in order, each once; 404 for an item that is not there for the caller."""
        if kind == "track":
            return [item_id]
        if kind == "album":
            found = catalog_service.track_ids_of_album(session, item_id)
        else:
            items, _total = playlists.items(session, item_id, caller.user_id, offset=0, limit=MAX_ITEMS)
            found = [item.track_id for item in items]
        return list(dict.fromkeys(found))[:MAX_TRACKS_PER_DEVICE]

    def _unplayable(self, session: Session, caller: Caller, track_ids: Sequence[str]) -> dict[str, str]:
        """Why each track may not play for the caller now (the catalog's reason, or gone)."""
        if not track_ids:
            return {}
        found = catalog_service.restrictions(
            session, track_ids, market=caller.country, audience=_audience(caller)
        )
        return {
            track_id: found.get(track_id) or GONE
            for track_id in track_ids
            if track_id not in found or found[track_id] is not None
        }

    def _new_licence(
        self, repo: OfflineRepository, device: OfflineDevice, kind: str, item_id: str, at: datetime
    ) -> OfflineLicence:
        licence = OfflineLicence(
            id=new_id(),
            device_id=device.id,
            user_id=device.user_id,
            kind=kind,
            item_id=item_id,
            issued_at=at,
            expires_at=at + LICENCE_LIFETIME,
        )
        repo.add(licence)
        return licence

    def _hold(
        self, repo: OfflineRepository, device: OfflineDevice, coming: Sequence[str], at: datetime
    ) -> list[str]:
        """Put the tracks on the device, each new one with a content key of its own, evicting
        the least recently played ones it holds beyond the limit (never one of those coming)."""
        held, keep = set(repo.track_ids(device.id)), set(coming)
        overflow = len(held | keep) - MAX_TRACKS_PER_DEVICE
        victims: list[str] = []
        if overflow > 0:
            candidates = repo.least_recently_played(device.id, overflow + len(keep & held))
            victims = [track_id for track_id in candidates if track_id not in keep][:overflow]
            repo.remove_tracks(device.id, victims)
            repo.revoke(device.id, dict.fromkeys(victims, EVICTED), at)
        rows = []
        for track_id in keep - held:
            content_key = crypto.new_content_key()
            rows.append(
                {
                    "device_id": device.id,
                    "track_id": track_id,
                    "content_key": content_key,
                    "wrapped_key": crypto.wrap_key(device.public_key, content_key),
                    "added_at": at,
                    "last_played_at": None,
                }
            )
        repo.add_tracks(rows)
        repo.forget_revocations(device.id, list(coming))
        return victims

    def _drop_orphans(self, repo: OfflineRepository, device: OfflineDevice, at: datetime) -> None:
        orphans = repo.orphans(device.id)
        if orphans:
            repo.remove_tracks(device.id, orphans)
            repo.revoke(device.id, dict.fromkeys(orphans, UNLICENSED), at)

    def _states(self, repo: OfflineRepository, device: OfflineDevice, at: datetime) -> list[LicenceState]:
        licences = repo.licences_of(device.id)
        tracks = repo.licensed_tracks([licence.id for licence in licences])
        return [
            LicenceState(licence, tuple(tracks[licence.id]), _status(licence, at)) for licence in licences
        ]


def _pick(renditions: Sequence[RenditionRef], rung: str | None, track_id: str) -> RenditionRef:
    by_rung = {rendition.rung: rendition for rendition in renditions}
    if rung is not None:
        if rung not in by_rung:
            raise NotFound(
                f"track '{track_id}' has no rendition '{rung}'; it has {', '.join(sorted(by_rung))}"
            )
        return by_rung[rung]
    for name in PREFERRED_RUNGS:
        if name in by_rung:
            return by_rung[name]
    if not renditions:
        raise NotFound(f"track '{track_id}' has no audio to download yet")
    return renditions[0]


def _described_device(device: OfflineDevice) -> dict[str, Any]:
    return {
        "id": device.id,
        "name": device.name,
        "key_fingerprint": device.key_fingerprint,
        "created_at": iso_ms(device.created_at),
        "last_check_in_at": iso_ms(device.last_check_in_at) if device.last_check_in_at else None,
    }


offline = OfflineService()
