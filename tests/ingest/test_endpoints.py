"""POST /v1/ingest: upload a master, get a playable track; bad uploads get a 4xx and leave nothing."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.auth import bearer, user_token


@pytest.fixture
def client(client: TestClient) -> TestClient:
    """The shared client, signed in as a premium admin in Sweden."""
    client.headers["Authorization"] = f"Bearer {user_token(client.app, 'boss', role='admin')}"
    return client


def _upload(
    client: TestClient, path: Path, name: str | None = None, token: str | None = None, **fields: str
) -> httpx.Response:
    headers = bearer(token) if token else {}
    with path.open("rb") as handle:
        files = {"file": (name or path.name, handle, "application/octet-stream")}
        return client.post("/v1/ingest", files=files, data=fields, headers=headers)


def _blob_files(client: TestClient) -> list[Path]:
    root = Path(client.app.state.settings.resolved_blob_url.removeprefix("file://"))  # type: ignore[attr-defined]
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_an_uploaded_master_becomes_a_playable_track(client: TestClient, tone: Path) -> None:
    response = _upload(client, tone, name="Morning.wav", artists="Ann; Bo", album="Dawn")
    assert response.status_code == 201, response.text
    [result] = response.json()["tracks"]
    assert result["outcome"] == "published"
    assert result["duration_ms"] == 1500
    track = client.get(f"/v1/tracks/{result['id']}").json()
    assert track["name"] == "Morning"
    assert [a["name"] for a in track["artists"]] == ["Ann", "Bo"]
    assert track["album"]["name"] == "Dawn"
    manifest = client.get(f"/v1/tracks/{result['id']}/manifest").json()
    assert [r["rung"] for r in manifest["renditions"]] == [
        "opus_24",
        "vorbis_96",
        "vorbis_160",
        "aac_256",
        "vorbis_320",
        "flac",
    ]
    for rendition in manifest["renditions"]:
        media = client.get(rendition["url"], headers={"Range": "bytes=0-7"})
        assert media.status_code == 206
        assert media.content[:4] in (b"OggS", b"fLaC") or media.content[4:8] == b"ftyp"
    master = client.get(manifest["hls"])
    assert master.status_code == 200
    assert "#EXT-X-STREAM-INF" in master.text


def test_a_free_listener_can_open_no_part_of_the_lossless_hls_variant(client: TestClient, tone: Path) -> None:
    track_id = _upload(client, tone).json()["tracks"][0]["id"]
    premium = client.get(f"/v1/tracks/{track_id}/manifest").json()["hls"]
    assert "flac.m3u8" in client.get(premium).text
    free_listener = bearer(user_token(client.app, "freddie", product="free"))
    free = client.get(f"/v1/tracks/{track_id}/manifest", headers=free_listener).json()["hls"]
    master = client.get(free).text
    assert "fLaC" not in master and "flac" not in master
    query = free.split("?", 1)[1]
    folder = free.split("?", 1)[0].removesuffix("master.m3u8")
    for name in ("flac.m3u8", "flac_init.mp4", "flac_00000.m4s"):
        assert client.get(f"{folder}{name}?{query}").status_code == 403
    aac = client.get(f"{folder}aac_256.m3u8?{query}")
    assert aac.status_code == 200
    segment = next(line for line in aac.text.splitlines() if line.startswith("aac_256_"))
    assert client.get(f"{folder}{segment}").status_code == 200


def test_tags_fill_in_what_the_form_leaves_out(client: TestClient, flac_tone: Path) -> None:
    result = _upload(client, flac_tone).json()["tracks"][0]
    track = client.get(f"/v1/tracks/{result['id']}").json()
    assert track["name"] == "Tagged Song"
    assert track["artists"][0]["name"] == "Tag Artist"
    assert track["album"]["name"] == "Tag Album"
    assert track["album"]["release_date"] == "2019-04"
    assert track["album"]["release_date_precision"] == "month"
    assert track["track_number"] == 3
    assert track["external_ids"]["isrc"] == "USRC17607839"


def test_the_same_master_twice_makes_one_track(client: TestClient, tone: Path) -> None:
    first = _upload(client, tone).json()["tracks"][0]
    blobs_after_first = sorted(_blob_files(client))
    second = _upload(client, tone, name="again.wav").json()["tracks"][0]
    assert second["id"] == first["id"]
    assert second["outcome"] == "duplicate"
    assert sorted(_blob_files(client)) == blobs_after_first
    assert client.get("/v1/browse/new-releases").json()["albums"]["total"] == 1


def test_ingest_shows_in_metrics(client: TestClient, tone: Path) -> None:
    _upload(client, tone)
    metrics = client.get("/metrics").text
    assert 'tonearm_ingest_tracks_total{outcome="published"} 1.0' in metrics
    for stage in ("validate", "tags", "loudness", "transcode", "package", "publish"):
        assert f'tonearm_ingest_stage_duration_seconds_count{{stage="{stage}"}} 1.0' in metrics


@pytest.mark.parametrize(
    ("content", "name", "status", "fragment"),
    [
        (b"", "empty.wav", 400, "empty.wav"),
        (b"RIFF\x00\x00\x00\x00WAVEjunkjunkjunk" * 10, "corrupt.wav", 400, "corrupt.wav"),
        (b"hello, I am text" * 100, "notes.txt", 415, "not a master format"),
        (b"hello, I am text" * 100, "fake.mp3", 400, "fake.mp3"),
    ],
)
def test_bad_files_are_refused_with_the_reason_and_leave_nothing(
    client: TestClient, tmp_path: Path, content: bytes, name: str, status: int, fragment: str
) -> None:
    path = tmp_path / "upload.bin"
    path.write_bytes(content)
    response = _upload(client, path, name=name)
    assert response.status_code == status, response.text
    assert fragment in response.json()["error"]["message"]
    assert _blob_files(client) == []
    assert client.get("/v1/browse/new-releases").json()["albums"]["total"] == 0


def test_a_truncated_flac_is_refused(client: TestClient, flac_tone: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.flac"
    cut.write_bytes(flac_tone.read_bytes()[: flac_tone.stat().st_size // 2])
    response = _upload(client, cut)
    assert response.status_code == 400
    assert "cut.flac" in response.json()["error"]["message"]


def test_a_wav_named_flac_is_refused_as_a_wrong_extension(client: TestClient, tone: Path) -> None:
    response = _upload(client, tone, name="liar.flac")
    assert response.status_code == 400
    assert "named .flac" in response.json()["error"]["message"]


def test_a_master_over_the_length_limit_is_refused(client: TestClient, tmp_path: Path) -> None:
    from tests.ingest.conftest import write_tone

    long_one = write_tone(tmp_path / "long.wav", seconds=61, rate=8000)
    response = _upload(client, long_one)
    assert response.status_code == 413
    assert "longer than the limit of 60 s" in response.json()["error"]["message"]


def test_an_upload_over_the_size_limit_gets_413(client: TestClient) -> None:
    headers = {
        "Content-Length": str(31 * 1024 * 1024),
        "Content-Type": "multipart/form-data; boundary=x",
    }
    response = client.post("/v1/ingest", content=b"--x--\r\n", headers=headers)
    assert response.status_code == 413


@pytest.mark.parametrize("name", ["../../etc/passwd.wav", "..\\evil.wav", "a/b.wav", ".."])
def test_a_path_traversal_file_name_is_refused(client: TestClient, tone: Path, name: str) -> None:
    response = _upload(client, tone, name=name)
    assert response.status_code == 400
    assert "plain name" in response.json()["error"]["message"]
    assert _blob_files(client) == []


def test_ingest_needs_an_admin_or_artist_account(client: TestClient, tone: Path) -> None:
    del client.headers["Authorization"]
    with tone.open("rb") as handle:
        files = {"file": ("t.wav", handle)}
        assert client.post("/v1/ingest", files=files).status_code == 401
        handle.seek(0)
        wrong = client.post("/v1/ingest", files=files, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert "not valid" in wrong.json()["error"]["message"]
    listener = _upload(client, tone, token=user_token(client.app, "just-listening"))
    assert listener.status_code == 403
    assert "only artist and admin accounts" in listener.json()["error"]["message"]
    assert _blob_files(client) == []


def test_an_artist_account_uploads_only_for_its_own_artists(client: TestClient, tone: Path) -> None:
    from tonearm.accounts.service import account
    from tonearm.catalog.service import catalog
    from tonearm.kit.db import unit_of_work

    token = user_token(client.app, "ann", role="artist")
    with unit_of_work(client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        account.link_artist(session, "ann", catalog.ensure_artist(session, "Ann"))
    someone_else = _upload(client, tone, token=token, artists="Bo", album="Not Mine")
    assert someone_else.status_code == 403
    assert "'Bo' is not one of them" in someone_else.json()["error"]["message"]
    assert _blob_files(client) == []
    own = _upload(client, tone, token=token, artists="Ann; Bo", album="Duets")
    assert own.status_code == 201, own.text
    track = client.get(f"/v1/tracks/{own.json()['tracks'][0]['id']}").json()
    assert [a["name"] for a in track["artists"]] == ["Ann", "Bo"]


def test_bad_form_fields_are_named(client: TestClient, tone: Path) -> None:
    response = _upload(client, tone, track_number="three")
    assert response.status_code == 400
    assert "track_number" in response.json()["error"]["message"]
    response = _upload(client, tone, isrc="nope")
    assert response.status_code == 400
    assert "ISRC" in response.json()["error"]["message"]
    assert _blob_files(client) == []


@pytest.mark.parametrize(
    ("args", "name", "codec"),
    [
        (["-ar", "16000", "-ac", "1", "-c:a", "libspeex"], "voice.ogg", "speex"),
        (["-c:a", "adpcm_ms"], "adpcm.wav", "adpcm_ms"),
    ],
)
def test_an_unsupported_codec_gets_415_naming_it(
    client: TestClient, tone: Path, tmp_path: Path, args: list[str], name: str, codec: str
) -> None:
    import subprocess

    encoded = tmp_path / name
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(tone), *args, str(encoded)], check=True)
    response = _upload(client, encoded)
    assert response.status_code == 415
    assert f"unsupported codec '{codec}'" in response.json()["error"]["message"]
    assert _blob_files(client) == []
