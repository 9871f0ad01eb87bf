"""HLS playlists as served: premium variants dropped for free listeners, URIs signed."""

from __future__ import annotations

from collections.abc import Collection

from tonearm.kit.media_paths import variant_of

__all__ = ["rewrite_playlist"]


def rewrite_playlist(text: str, *, query: str, hidden_variants: Collection[str]) -> str:
    """Append the signed query to every URI; drop the hidden variants from a master playlist."""
    out: list[str] = []
    pending_tag: str | None = None
    for line in text.splitlines():
        if line.startswith("#EXT-X-STREAM-INF"):
            pending_tag = line
            continue
        if line.startswith("#EXT-X-MAP:") and 'URI="' in line:
            name = line.split('URI="', 1)[1].split('"', 1)[0]
            line = line.replace(f'URI="{name}"', f'URI="{name}?{query}"')
        if line and not line.startswith("#"):
            if variant_of(line) in hidden_variants:
                pending_tag = None
                continue
            if pending_tag is not None:
                out.append(pending_tag)
                pending_tag = None
            line = f"{line}?{query}"
        out.append(line)
    return "\n".join(out) + "\n"
