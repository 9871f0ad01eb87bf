"""package_hls(): fMP4 segments and playlists a browser player can use as they are."""

from __future__ import annotations

import hashlib
from pathlib import Path

import av
import pytest

from tests.audio.conftest import Ladder
from tonearm.audio import AudioError, HlsPackage, master_playlist_for, package_hls
from tonearm.audio.package import media_segments

SEGMENT_SECONDS = 1.0


@pytest.fixture(scope="module")
def package(ladder_48k: Ladder, tmp_path_factory: pytest.TempPathFactory) -> HlsPackage:
    folder = tmp_path_factory.mktemp("hls") / "track"
    return package_hls(list(ladder_48k.renditions.values()), folder, segment_seconds=SEGMENT_SECONDS)


def uris(playlist: str) -> list[str]:
    lines = playlist.splitlines()
    maps = [line.split('URI="')[1].rstrip('"') for line in lines if line.startswith("#EXT-X-MAP")]
    return maps + [line for line in lines if line and not line.startswith("#")]


def packets(path: Path) -> list[bytes]:
    with av.open(str(path)) as container:
        return [bytes(p) for p in container.demux(container.streams.audio[0]) if p.size]


def joined_fmp4(package: HlsPackage, playlist: str, target: Path) -> Path:
    text = (package.directory / playlist).read_text()
    target.write_bytes(b"".join((package.directory / uri).read_bytes() for uri in uris(text)))
    return target


def test_the_web_player_gets_aac_opus_and_premium_flac(package: HlsPackage) -> None:
    variants = [(v.rung_name, v.codec_string, v.playlist, v.premium) for v in package.variants]
    assert variants == [
        ("aac_256", "mp4a.40.2", "aac_256.m3u8", False),
        ("opus_24", "opus", "opus_24.m3u8", False),
        ("flac", "fLaC", "flac.m3u8", True),
    ]
    assert package.master_playlist == "master.m3u8"


def test_the_master_playlist_lists_every_variant_with_codecs_and_bandwidth(package: HlsPackage) -> None:
    text = (package.directory / package.master_playlist).read_text()
    assert text == master_playlist_for(package, include_premium=True)
    assert text.startswith("#EXTM3U\n")
    for variant in package.variants:
        assert (
            f'#EXT-X-STREAM-INF:BANDWIDTH={variant.bandwidth},CODECS="{variant.codec_string}"\n{variant.playlist}\n'
            in text
        )


def test_free_listeners_get_a_master_playlist_without_premium_variants(package: HlsPackage) -> None:
    text = master_playlist_for(package, include_premium=False)
    assert uris(text) == ["aac_256.m3u8", "opus_24.m3u8"]
    assert "fLaC" not in text


def test_every_uri_is_a_bare_file_name_that_exists(package: HlsPackage) -> None:
    playlists = [package.master_playlist, *(v.playlist for v in package.variants)]
    for playlist in playlists:
        for uri in uris((package.directory / playlist).read_text()):
            assert "/" not in uri and ":" not in uri, uri
            assert (package.directory / uri).is_file(), uri


def test_media_playlists_are_fmp4_vod_with_bounded_segments(package: HlsPackage) -> None:
    for variant in package.variants:
        text = (package.directory / variant.playlist).read_text()
        assert "#EXT-X-PLAYLIST-TYPE:VOD" in text and text.rstrip().endswith("#EXT-X-ENDLIST")
        assert uris(text)[0] == f"{variant.rung_name}_init.mp4"
        segments = media_segments(package.directory / variant.playlist)
        assert len(segments) >= 4
        assert all(uri.startswith(f"{variant.rung_name}_") and uri.endswith(".m4s") for _, uri in segments)
        assert max(duration for duration, _ in segments) < SEGMENT_SECONDS + 0.1


def test_streams_are_copied_not_reencoded(package: HlsPackage, ladder_48k: Ladder, tmp_path: Path) -> None:
    for variant in package.variants:
        source = ladder_48k.renditions[variant.rung_name].path
        fmp4 = joined_fmp4(package, variant.playlist, tmp_path / f"{variant.rung_name}.mp4")
        assert packets(fmp4) == packets(source), variant.rung_name


def test_bandwidth_follows_the_bitrates(package: HlsPackage) -> None:
    bandwidth = {v.rung_name: v.bandwidth for v in package.variants}
    assert bandwidth["opus_24"] < bandwidth["aac_256"] < bandwidth["flac"]
    assert 200_000 < bandwidth["aac_256"] < 350_000


def test_the_same_renditions_package_to_the_same_bytes(
    package: HlsPackage, ladder_48k: Ladder, tmp_path: Path
) -> None:
    again = package_hls(
        list(ladder_48k.renditions.values()), tmp_path / "again", segment_seconds=SEGMENT_SECONDS
    )
    assert again.variants == package.variants
    for path in sorted(package.directory.iterdir()):
        assert digest(path) == digest(again.directory / path.name), path.name


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_only_renditions_present_are_packaged(ladder_48k: Ladder, tmp_path: Path) -> None:
    package = package_hls([ladder_48k.renditions["aac_256"]], tmp_path / "aac-only")
    assert [v.rung_name for v in package.variants] == ["aac_256"]
    assert uris(master_playlist_for(package, include_premium=False)) == ["aac_256.m3u8"]


def test_packaging_nothing_a_browser_can_play_is_an_error(ladder_48k: Ladder, tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="no rendition"):
        package_hls([ladder_48k.renditions["vorbis_96"]], tmp_path / "ogg-only")
