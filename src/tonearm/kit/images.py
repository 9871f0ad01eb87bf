"""Cover images: checking an uploaded JPEG, drawing a cover for what has none, and the 2×2
mosaic a playlist shows until its owner uploads one. Pillow does the pixels."""

from __future__ import annotations

import colorsys
import hashlib
import io
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from tonearm.errors import UnsupportedMedia

__all__ = ["COVER_SIZES", "check_jpeg", "content_key", "drawn_cover", "mosaic"]

# Spotify hands out three sizes of every cover; a client picks the one its layout needs.
COVER_SIZES = (640, 300, 64)
# Decoding a huge image costs memory before any check can refuse it: far beyond any cover.
_MOST_PIXELS = 4096 * 4096


def check_jpeg(data: bytes) -> tuple[int, int]:
    """The (width, height) of a JPEG, or UnsupportedMedia saying why it is not one."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "JPEG":
                raise UnsupportedMedia(f"the image must be a JPEG, not {image.format or 'unknown'}")
            if image.width * image.height > _MOST_PIXELS:
                raise UnsupportedMedia(f"the image is {image.width}×{image.height}: at most 4096×4096")
            image.load()  # a truncated or corrupt JPEG fails here, not when it is shown
            return image.width, image.height
    except UnidentifiedImageError:
        raise UnsupportedMedia("the image is not a JPEG (not an image Tonearm can read)") from None
    except (OSError, SyntaxError) as error:
        raise UnsupportedMedia(f"the JPEG is corrupt: {error}") from None


def content_key(parts: Sequence[str]) -> str:
    """A short name that changes whenever what it names changes: cover URLs carry it, so they can
    be cached for good."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]


def _seed(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def _hsl(hue: float, saturation: float, lightness: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hls_to_rgb(hue / 360, lightness, saturation)
    return round(r * 255), round(g * 255), round(b * 255)


def drawn_cover(seed: str, label: str, size: int) -> bytes:
    """A cover for something that has none: a diagonal gradient in colours taken from `seed`
    (the same for the same album everywhere) with the label's first letter."""
    n = _seed(seed)
    first = _hsl(n % 360, 0.55, 0.42)
    second = _hsl((n % 360 + 40 + (n >> 9) % 120) % 360, 0.60, 0.22)
    # A two-by-two gradient stretched bilinearly is a smooth diagonal ramp.
    ramp = Image.new("RGB", (2, 2))
    ramp.putdata([first, _mix(first, second), _mix(first, second), second])
    image = ramp.resize((size, size), Image.Resampling.BILINEAR)
    letter = label.strip()[:1].upper()
    if letter:
        font = ImageFont.load_default(size=size * 0.5)
        ImageDraw.Draw(image).text((size / 2, size / 2), letter, font=font, fill=(255, 255, 255), anchor="mm")
    return _jpeg(image)


def _mix(a: tuple[int, int, int], b: tuple[int, int, int]) -> tuple[int, int, int]:
    return (a[0] + b[0]) // 2, (a[1] + b[1]) // 2, (a[2] + b[2]) // 2


def mosaic(covers: Sequence[bytes], size: int) -> bytes:
    """Four covers in a 2×2 grid (as a playlist without its own cover shows its first albums)."""
    if len(covers) != 4:
        raise ValueError(f"a mosaic takes four covers, got {len(covers)}")
    half = size // 2
    grid = Image.new("RGB", (size, size))
    for index, data in enumerate(covers):
        with Image.open(io.BytesIO(data)) as cover:
            tile = cover.convert("RGB").resize((half, half), Image.Resampling.LANCZOS)
        grid.paste(tile, ((index % 2) * half, (index // 2) * half))
    return _jpeg(grid)


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()
