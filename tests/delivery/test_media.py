"""The media route: signed, ranged, immutable bytes; HLS playlists signed and tier-filtered."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tonearm.kit.caller import Product
from tonearm.kit.media_paths import signature_scope
from tonearm.kit.signing import KeyRing

PAYLOAD = bytes(range(256)) * 1000  # 256,000 bytes
KEY = "audio/0123abcd.ogg"
HLS = "hls/pkg1v1/"
MASTER = """#EXTM3U
#EXT-X-VERSION:7
#EXT-X-STREAM-INF:BANDWIDTH=30000,CODECS="opus"
opus_24.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=270000,CODECS="mp4a.40.2"
aac_256.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=1000000,CODECS="fLaC"
flac.m3u8
"""
MEDIA = """#EXTM3U
#EXT-X-TARGETDURATION:6
#EXT-X-MAP:URI="{variant}_init.mp4"
#EXTINF:6.0,
{variant}_00000.m4s
#EXT-X-ENDLIST
"""


def _put(client: TestClient, tmp_path: Path, key: str, data: bytes) -> None:
    source = tmp_path / "upload"
    source.write_bytes(data)
    client.app.state.blobs.put_file(key, source)  # type: ignore[attr-defined]


@pytest.fixture
def media(client: TestClient, tmp_path: Path) -> TestClient:
    _put(client, tmp_path, KEY, PAYLOAD)
    _put(client, tmp_path, HLS + "master.m3u8", MASTER.encode())
    for variant in ("opus_24", "aac_256", "flac"):
        _put(client, tmp_path, f"{HLS}{variant}.m3u8", MEDIA.format(variant=variant).encode())
        _put(client, tmp_path, f"{HLS}{variant}_00000.m4s", b"segment-" + variant.encode())
    return client


def _url(
    client: TestClient, key: str, *, tier: Product = "premium", ttl: int = 60, now: float | None = None
) -> str:
    keys: KeyRing = client.app.state.keys  # type: ignore[attr-defined]
    query = keys.sign(signature_scope(key, tier), uid="u1", ttl_seconds=ttl, now=now)
    return f"/media/{key}?{query.encode()}"


def test_a_whole_file_is_served_with_immutable_caching(media: TestClient) -> None:
    response = media.get(_url(media, KEY))
    assert response.status_code == 200
    assert response.content == PAYLOAD
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-type"] == "audio/ogg"
    assert response.headers["etag"]


def test_a_byte_range_gets_206_with_exactly_those_bytes(media: TestClient) -> None:
    response = media.get(_url(media, KEY), headers={"Range": "bytes=1000-102399"})
    assert response.status_code == 206
    assert response.content == PAYLOAD[1000:102400]
    assert response.headers["content-range"] == f"bytes 1000-102399/{len(PAYLOAD)}"
    assert response.headers["content-length"] == str(102400 - 1000)


@pytest.mark.parametrize(
    ("header", "expected"),
    [("bytes=-100", PAYLOAD[-100:]), ("bytes=255990-", PAYLOAD[255990:]), ("bytes=0-999999", PAYLOAD)],
)
def test_suffix_open_and_overlong_ranges_are_clamped(media: TestClient, header: str, expected: bytes) -> None:
    response = media.get(_url(media, KEY), headers={"Range": header})
    assert response.status_code == 206
    assert response.content == expected


def test_a_range_past_the_end_gets_416(media: TestClient) -> None:
    response = media.get(_url(media, KEY), headers={"Range": f"bytes={len(PAYLOAD)}-"})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(PAYLOAD)}"
    assert "past the end" in response.json()["error"]["message"]


def test_several_ranges_at_once_are_refused_clearly(media: TestClient) -> None:
    response = media.get(_url(media, KEY), headers={"Range": "bytes=0-1,5-6"})
    assert response.status_code == 400
    assert "one byte range" in response.json()["error"]["message"]


def test_head_sends_headers_without_a_body(media: TestClient) -> None:
    response = media.head(_url(media, KEY))
    assert response.status_code == 200
    assert response.headers["content-length"] == str(len(PAYLOAD))
    assert response.content == b""


def test_a_matching_etag_gets_304(media: TestClient) -> None:
    url = _url(media, KEY)
    etag = media.get(url).headers["etag"]
    assert media.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_a_tampered_signature_gets_403(media: TestClient) -> None:
    url = _url(media, KEY).replace("uid=u1", "uid=u2")
    response = media.get(url)
    assert response.status_code == 403
    assert "does not match" in response.json()["error"]["message"]


def test_an_expired_signature_gets_403(media: TestClient) -> None:
    response = media.get(_url(media, KEY, ttl=10, now=1_000_000))
    assert response.status_code == 403
    assert "expired" in response.json()["error"]["message"]


def test_a_url_for_one_file_does_not_open_another(media: TestClient) -> None:
    url = _url(media, KEY).replace(KEY, "audio/other.ogg")
    assert media.get(url).status_code == 403


def test_an_unsigned_request_gets_403(media: TestClient) -> None:
    response = media.get(f"/media/{KEY}")
    assert response.status_code == 403
    assert "exp, uid, kid and sig" in response.json()["error"]["message"]


def test_a_signed_url_for_a_missing_object_gets_404(media: TestClient) -> None:
    assert media.get(_url(media, "audio/missing.ogg")).status_code == 404


def test_a_traversal_key_is_not_found_rather_than_served(media: TestClient) -> None:
    response = media.get(_url(media, "audio/../../../etc/passwd"))
    assert response.status_code in (403, 404)


def test_the_premium_master_playlist_lists_every_variant_signed(media: TestClient) -> None:
    url = _url(media, HLS + "master.m3u8")
    query = url.split("?", 1)[1]
    text = media.get(url).text
    assert f"opus_24.m3u8?{query}" in text
    assert f"flac.m3u8?{query}" in text


def test_a_free_listeners_master_playlist_has_no_lossless_variant(media: TestClient) -> None:
    text = media.get(_url(media, HLS + "master.m3u8", tier="free")).text
    assert "aac_256.m3u8?" in text
    assert "flac" not in text and "fLaC" not in text


def test_segments_open_with_the_folder_signature_and_init_maps_are_signed(media: TestClient) -> None:
    master_url = _url(media, HLS + "master.m3u8", tier="free")
    query = master_url.split("?", 1)[1]
    playlist = media.get(f"/media/{HLS}aac_256.m3u8?{query}").text
    assert f'URI="aac_256_init.mp4?{query}"' in playlist
    assert f"aac_256_00000.m4s?{query}" in playlist
    segment = media.get(f"/media/{HLS}aac_256_00000.m4s?{query}")
    assert segment.content == b"segment-aac_256"


def test_a_free_signature_does_not_open_premium_segments(media: TestClient) -> None:
    query = _url(media, HLS + "master.m3u8", tier="free").split("?", 1)[1]
    response = media.get(f"/media/{HLS}flac_00000.m4s?{query}")
    assert response.status_code == 403
    assert "premium" in response.json()["error"]["message"]


def test_bytes_served_show_in_metrics(media: TestClient) -> None:
    media.get(_url(media, KEY), headers={"Range": "bytes=0-999"})
    metrics = media.get("/metrics").text
    assert "tonearm_media_bytes_served_total 1000.0" in metrics
    assert 'route="/media"' in metrics


def test_behind_nginx_the_file_is_handed_over_with_x_accel_redirect(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tonearm.app import create_app

    edge = settings.model_copy(update={"accel_redirect_prefix": "/_blobs/"})
    with TestClient(create_app(edge)) as client:
        _put(client, tmp_path, KEY, PAYLOAD)
        response = client.get(_url(client, KEY), headers={"Range": "bytes=0-99"})
        assert response.headers["x-accel-redirect"] == f"/_blobs/{KEY}"
        assert response.content == b""
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        tampered = client.get(_url(client, KEY).replace("uid=u1", "uid=u2"))
        assert tampered.status_code == 403
        assert "x-accel-redirect" not in tampered.headers
