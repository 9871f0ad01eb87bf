"""package_hls(): fMP4 segments and playlists a browser player can use as they are."""

from __future__ import annotations

import hashlib
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from scipy.signal import resample_poly

from tests.audio.conftest import Ladder, SplitLadders
from tests.audio.test_gapless import assert_aligned
from tonearm.audio import AudioError, HlsPackage, Rendition, master_playlist_for, package_hls
from tonearm.audio.decode import frame_to_float
from tonearm.audio.package import LEAD_IN_TAG, media_segments

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


@pytest.fixture(scope="module")
def package_44k(split_44k: SplitLadders, tmp_path_factory: pytest.TempPathFactory) -> HlsPackage:
    """AAC and FLAC at 44.1 kHz, Opus at 48 kHz: timelines of different timescales."""
    folder = tmp_path_factory.mktemp("hls44") / "track"
    return package_hls(list(split_44k.first.values()), folder, segment_seconds=SEGMENT_SECONDS)


def decode_timed(fmp4: Path) -> tuple[np.ndarray, int, Fraction]:
    """Every decoded sample of a joined fMP4, its rate and the presentation time of the first
    one (from the fragments' timestamps), checking that the decoded frames are contiguous."""
    with av.open(str(fmp4)) as container:
        stream = container.streams.audio[0]
        chunks, first, expected = [], None, None
        for frame in container.decode(stream):
            assert frame.pts is not None and frame.time_base is not None
            at = frame.pts * Fraction(frame.time_base)
            if first is None:
                first = at
            else:
                assert at == expected, "the decoded frames are not contiguous"
            expected = at + Fraction(frame.samples, frame.sample_rate)
            rate = frame.sample_rate
            chunks.append(frame_to_float(frame))
    assert first is not None
    return np.concatenate(chunks), rate, first


def at_rate(audio: np.ndarray, rate: int, wanted: int) -> np.ndarray:
    return audio if rate == wanted else resample_poly(audio, wanted // 300, rate // 300, axis=0)


@pytest.mark.parametrize("case", ["48k", "44k"])
def test_every_variant_plays_the_first_real_sample_at_the_same_time(
    request: pytest.FixtureRequest, case: str, tmp_path: Path
) -> None:
    """A player can switch variants mid-track without a skip or a repeat: decoded with the
    fragments' timestamps honoured, the music starts at one presentation time in all of them."""
    if case == "48k":
        package: HlsPackage = request.getfixturevalue("package")
        ladder: Ladder = request.getfixturevalue("ladder_48k")
        renditions, master, master_rate = ladder.renditions, ladder.master, ladder.rate
    else:
        package = request.getfixturevalue("package_44k")
        split: SplitLadders = request.getfixturevalue("split_44k")
        renditions, master, master_rate = split.first, split.master, split.rate
    starts: dict[str, Fraction] = {}
    for variant in package.variants:
        rendition: Rendition = renditions[variant.rung_name]
        audio, rate, first = decode_timed(joined_fmp4(package, variant.playlist, tmp_path / "v.mp4"))
        # No decoder skips anything: the lead-in (AAC priming, Opus pre-skip) is on the timeline.
        assert len(audio) == rendition.encoder_delay + rendition.samples + rendition.padding
        # ...and the music does start `encoder_delay` samples in.
        window = slice(rate // 4, rate)
        music = audio[rendition.encoder_delay :]
        assert_aligned(music[window], at_rate(master, master_rate, rate)[window], variant.rung_name)
        starts[variant.rung_name] = first + Fraction(rendition.encoder_delay, rate)
    assert set(starts) == {"aac_256", "opus_24", "flac"}
    aac = starts["aac_256"]
    assert aac > 0  # the AAC priming is the longest lead-in
    for name, start in starts.items():
        assert abs(start - aac) <= Fraction(1, 48_000), (name, float(start), float(aac))


def test_playlist_times_are_media_times_and_note_the_lead_in(
    package_44k: HlsPackage, split_44k: SplitLadders, tmp_path: Path
) -> None:
    """From the second segment on, each segment's playlist start is its first timestamp, and
    every media playlist names the shared lead-in (the web player keeps one timeline for it)."""
    lead_ins = set()
    for variant in package_44k.variants:
        text = (package_44k.directory / variant.playlist).read_text()
        tags = [line for line in text.splitlines() if line.startswith(LEAD_IN_TAG)]
        assert len(tags) == 1
        lead_ins.add(float(tags[0][len(LEAD_IN_TAG) :]))
        init = (package_44k.directory / f"{variant.rung_name}_init.mp4").read_bytes()
        playlist_start = 0.0
        for index, (duration, uri) in enumerate(media_segments(package_44k.directory / variant.playlist)):
            one = tmp_path / "one.mp4"
            one.write_bytes(init + (package_44k.directory / uri).read_bytes())
            with av.open(str(one)) as container:
                packet = next(p for p in container.demux(container.streams.audio[0]) if p.size)
                assert packet.pts is not None and packet.time_base is not None
                first = float(packet.pts * packet.time_base)
            if index > 0:
                assert first == pytest.approx(playlist_start, abs=1e-5), (uri, first, playlist_start)
            playlist_start += duration
    aac = split_44k.first["aac_256"]
    assert len(lead_ins) == 1
    assert lead_ins.pop() == pytest.approx(aac.encoder_delay / aac.sample_rate, abs=1e-9)


def test_only_renditions_present_are_packaged(ladder_48k: Ladder, tmp_path: Path) -> None:
    package = package_hls([ladder_48k.renditions["aac_256"]], tmp_path / "aac-only")
    assert [v.rung_name for v in package.variants] == ["aac_256"]
    assert uris(master_playlist_for(package, include_premium=False)) == ["aac_256.m3u8"]


def test_packaging_nothing_a_browser_can_play_is_an_error(ladder_48k: Ladder, tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="no rendition"):
        package_hls([ladder_48k.renditions["vorbis_96"]], tmp_path / "ogg-only")
