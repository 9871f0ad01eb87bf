"""Manifests: what a listener may play of a track, as URLs signed for them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from tonearm.audio.loudness import Loudness as MeasuredLoudness
from tonearm.audio.loudness import gain_to_target
from tonearm.catalog import RenditionRef, TrackMedia
from tonearm.catalog import catalog as catalog_service
from tonearm.delivery import schemas
from tonearm.kit.caller import Product, is_premium
from tonearm.kit.media_paths import MEDIA_PREFIX, signature_scope
from tonearm.kit.rights import Audience
from tonearm.kit.signing import KeyRing, SignedQuery

__all__ = ["DeliveryService", "Listener", "delivery"]


@dataclass(frozen=True)
class Listener:
    """Who asks: their id goes into every signature, their tier decides the renditions."""

    user_id: str
    tier: Product
    explicit_content: bool = True


class DeliveryService:
    def manifest(
        self,
        session: Session,
        track_id: str,
        *,
        listener: Listener,
        market: str | None,
        base: str,
        keys: KeyRing,
        ttl_seconds: int,
        target_lufs: float,
    ) -> schemas.Manifest:
        media = catalog_service.media(
            session,
            track_id,
            market=market,
            audience=Audience(product=listener.tier, explicit_content=listener.explicit_content),
        )
        allowed = [r for r in media.renditions if is_premium(listener.tier) or not r.premium]
        signed = [self._sign(keys, r.storage_key, listener, ttl_seconds) for r in allowed]
        return schemas.Manifest(
            track_id=media.track_id,
            duration_ms=media.duration_ms,
            renditions=[
                _rendition(r, f"{base}{MEDIA_PREFIX}{r.storage_key}?{q.encode()}")
                for r, q in zip(allowed, signed, strict=True)
            ],
            hls=self._hls_url(media, listener, base, keys, ttl_seconds),
            loudness=_loudness(media, target_lufs),
            expires_at=min((q.exp for q in signed), default=0),
        )

    def _sign(self, keys: KeyRing, key: str, listener: Listener, ttl: int) -> SignedQuery:
        return keys.sign(signature_scope(key, listener.tier), uid=listener.user_id, ttl_seconds=ttl)

    def _hls_url(
        self, media: TrackMedia, listener: Listener, base: str, keys: KeyRing, ttl: int
    ) -> str | None:
        if media.hls is None:
            return None
        key = f"{media.hls.prefix}master.m3u8"
        return f"{base}{MEDIA_PREFIX}{key}?{self._sign(keys, key, listener, ttl).encode()}"


def _rendition(ref: RenditionRef, url: str) -> schemas.Rendition:
    # The catalog's record carries more (storage key, tier); the manifest shows what a player needs.
    shown = {name: getattr(ref, name) for name in schemas.Rendition.model_fields if name != "url"}
    return schemas.Rendition(url=url, **shown)


def _loudness(media: TrackMedia, target_lufs: float) -> schemas.Loudness:
    measured = MeasuredLoudness(integrated_lufs=media.integrated_lufs, true_peak_dbtp=media.true_peak_dbtp)
    return schemas.Loudness(
        integrated_lufs=media.integrated_lufs,
        true_peak_dbtp=media.true_peak_dbtp,
        gain_db=round(gain_to_target(measured, target_lufs), 2),
    )


delivery = DeliveryService()
