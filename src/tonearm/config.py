"""Settings: one object, built from TONEARM_* environment variables, passed in, never global."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TONEARM_", frozen=True)

    data_dir: Path = Path("./var")
    # Empty means a SQLite file inside data_dir.
    database_url: str = ""
    # Empty means a folder inside data_dir.
    blob_url: str = ""
    public_url: str = ""
    # "kid:secret,kid:secret"; the first signs, all verify. Empty: a key kept in data_dir.
    signing_keys: str = ""
    media_url_ttl_seconds: int = Field(default=3600, gt=0)
    max_master_seconds: float = Field(default=1200.0, gt=0)
    max_master_bytes: int = Field(default=1024 * 1024 * 1024, gt=0)
    max_upload_bytes: int = Field(default=1024 * 1024 * 1024, gt=0)
    loudness_target_lufs: float = -14.0
    transcode_workers: int = Field(default=2, gt=0)
    # When nginx fronts the app, hand it the file with X-Accel-Redirect instead of sending bytes.
    accel_redirect_prefix: str = ""
    log_json: bool = False
    # Where request quotas are counted: "memory://" (this process), "redis://host:6379/0" (shared
    # by every process), or "off" (no limits: benchmarks and load tests).
    rate_limit_url: str = "memory://"
    # Where player state lives and how it reaches each device's socket: "" (this process), or
    # "redis://host:6379/0" (shared by every process and node; `?namespace=` keeps keys apart).
    player_fanout_url: str = ""
    # How long a device stays listed after its connection closes (a reload, a tunnel).
    player_device_grace_seconds: float = Field(default=30.0, ge=0)
    # How long each user's listening history (every play) is kept; older plays are deleted by
    # `tonearm listening retention` or the retention job. The anonymous daily tallies stay.
    listening_history_days: int = Field(default=90, gt=0)
    # The event log: "sqlite:///path" (empty: a file in data_dir), or "nats://host:4222".
    event_log_url: str = ""
    # How long the log keeps each topic's events, and how many bytes of them at most. Consumers
    # that fall further behind rebuild from the catalog (search) or lose what they missed.
    event_retention_days: float = Field(default=30.0, gt=0)
    event_retention_bytes: int = Field(default=2 * 1024 * 1024 * 1024, gt=0)
    # The scheme of the URIs Tonearm returns: "tonearm" (tonearm:track:<id>) or "spotify"
    # (spotify:track:<id>, for clients that parse Spotify's URIs). Requests may use either.
    uri_scheme: Literal["tonearm", "spotify"] = "tonearm"
    # argon2id's cost for new password hashes: argon2-cffi's defaults (RFC 9106, low memory).
    password_hash_time_cost: int = Field(default=3, ge=1)
    password_hash_memory_kib: int = Field(default=65536, ge=8 * 4)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'tonearm.db').resolve()}"

    @property
    def resolved_event_log_url(self) -> str:
        return self.event_log_url or f"sqlite:///{(self.data_dir / 'events.db').resolve()}"

    @property
    def search_dir(self) -> Path:
        """Where this node's search replica lives (always local disk)."""
        return self.data_dir / "search"

    @property
    def resolved_blob_url(self) -> str:
        return self.blob_url or (self.data_dir / "blobs").resolve().as_uri()
