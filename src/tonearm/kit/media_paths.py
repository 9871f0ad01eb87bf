"""Where media lives under /media, and what one signature covers.

A file rendition's signature covers its own key. An HLS package is a folder of playlists and
segments that reference each other by relative name, so one signature covers the whole folder
and the tier it was issued for: a free listener's signature does not open premium variants.
"""

from __future__ import annotations

from tonearm.kit.caller import Product

__all__ = ["HLS_ROOT", "MEDIA_PREFIX", "hls_folder", "signature_scope", "variant_of"]

MEDIA_PREFIX = "/media/"
HLS_ROOT = "hls"


def hls_folder(key: str) -> str | None:
    """'hls/<package>/' for a key inside an HLS package, else None."""
    parts = key.split("/")
    if len(parts) >= 3 and parts[0] == HLS_ROOT:
        return f"{parts[0]}/{parts[1]}/"
    return None


def signature_scope(key: str, tier: Product) -> str:
    folder = hls_folder(key)
    return f"{MEDIA_PREFIX}{folder}|{tier}" if folder else f"{MEDIA_PREFIX}{key}"


def variant_of(file_name: str) -> str:
    """The variant an HLS package file belongs to, from the packager's names:
    '<variant>.m3u8', '<variant>_init.mp4' and '<variant>_<n>.m4s' ('master' for the master)."""
    name = file_name.rsplit("/", 1)[-1].split("?", 1)[0]
    if name.endswith(".m3u8"):
        return name.removesuffix(".m3u8")
    return name.rsplit("_", 1)[0]
