"""The offline API's shapes: devices, licences, check-ins."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints

from tonearm.schemas import Frozen

__all__ = [
    "CheckInResult",
    "Device",
    "Devices",
    "Licence",
    "LicenceSummary",
    "LicenceTrack",
    "Licences",
    "NewDevice",
    "NewLicence",
    "Revocation",
    "Unavailable",
]

Spki = Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class NewDevice(Frozen):
    name: str = Field("Web player", min_length=1, max_length=100)
    # WebCrypto's exportKey("jwk") of the public key, or exportKey("spki") in base64.
    public_key: dict[str, Any] | Spki = Field(
        description='RSA-OAEP (SHA-256) public key, 2048-4096 bits: a JWK ({"kty": "RSA", "n", "e", '
        '"alg": "RSA-OAEP-256"}) or the DER SubjectPublicKeyInfo in base64'
    )


class Device(Frozen):
    id: str
    name: str
    key_fingerprint: str  # SHA-256 of the SPKI, hex
    created_at: str
    last_check_in_at: str | None
    tracks: int


class Devices(Frozen):
    items: list[Device]
    total: int
    limit: int  # how many devices an account may have


class NewLicence(Frozen):
    uri: str = Field(min_length=1, max_length=300, description="a track, album or playlist URI or link")


class LicenceTrack(Frozen):
    id: str
    uri: str
    file_url: str  # the encrypted file, for this device only


class Unavailable(Frozen):
    id: str
    uri: str
    reason: str  # market, product, explicit, gone


class Licence(Frozen):
    id: str
    uri: str
    device_id: str
    status: str  # active, expired
    issued_at: str
    expires_at: str
    total: int
    tracks: list[LicenceTrack]
    # Tracks of the item not licensed, as the listener may not play them here now.
    unavailable: list[Unavailable] = []
    # Track ids taken off the device to keep it within 10,000 tracks (least recently played).
    evicted: list[str] = []


class Licences(Frozen):
    items: list[Licence]


class LicenceSummary(Frozen):
    id: str
    uri: str
    status: str
    expires_at: str
    total: int


class Revocation(Frozen):
    id: str
    uri: str
    # market, product, explicit (the catalog's), gone, evicted, unlicensed, premium_required
    reason: str
    revoked_at: str


class CheckInResult(Frozen):
    device_id: str
    checked_in_at: str
    licences: list[LicenceSummary]
    # Tracks to delete from the device (told at every check-in for 30 days).
    revoked: list[Revocation]
