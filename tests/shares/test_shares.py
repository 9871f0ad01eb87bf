"""Share links: made for what the maker can see, opened signed out as JSON and as a page with
30-second previews that really are 30 seconds of the track, stopped by expiry and revocation,
and exposing nothing but what they name."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.auth import bearer, user_token
from tests.catalog_factory import make_track, publish
from tonearm.catalog.models import Right
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work
from tonearm.kit.time import utcnow
from tonearm.shares.models import ShareLink


@dataclass
class Shares:
    client: TestClient
    long_track: str  # real audio, 34 s
    fake_tracks: list[str]  # catalog rows only (no audio)

    def call(self, user: str | None, method: str, path: str, **kwargs: Any) -> Any:
        headers = bearer(user_token(self.client.app, user)) if user else {"Authorization": ""}
        return self.client.request(method, path, headers=headers, **kwargs)

    def share(self, user: str, uri: str, expires_in_s: int | None = None) -> dict[str, Any]:
        answer = self.call(user, "POST", "/v1/shares", json={"uri": uri, "expires_in_s": expires_in_s})
        assert answer.status_code == 201, answer.text
        return dict(answer.json())


@pytest.fixture(scope="module")
def shares(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shares]:
    from tonearm.app import create_app
    from tonearm.ingest.demo import ingest_demo

    folder = tmp_path_factory.mktemp("shares")
    app = create_app(Settings(data_dir=folder / "var", rate_limit_url="off", signing_keys="k1:secret"))
    with TestClient(app, base_url="http://testserver") as client:
        [long_track] = ingest_demo(app.state.runtime.ingest_context(), seconds=34, count=1)
        with unit_of_work(app.state.session_factory) as session:
            fakes = publish(
                session, *(make_track(f"Row {n}", album_name="Rows", track_number=n + 1) for n in range(3))
            )
        yield Shares(client, long_track.id, fakes)


def _seconds(audio: bytes, tmp_path: Path) -> float:
    clip = tmp_path / "preview.ogg"
    clip.write_bytes(audio)
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(clip)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(probe.stdout)


def test_a_shared_track_opens_signed_out_with_a_30_second_preview(shares: Shares, tmp_path: Path) -> None:
    link = shares.share("ada", f"spotify:track:{shares.long_track}")
    assert link["url"] == f"http://testserver/s/{link['id']}" and link["expires_at"] is None
    opened = shares.call(None, "GET", f"/v1/shares/{link['id']}")
    assert opened.status_code == 200, opened.text
    item = opened.json()
    assert item["type"] == "track" and item["images"][0]["url"].endswith("/640.jpg")
    [track] = item["tracks"]
    assert track["id"] == shares.long_track and track["preview_url"]
    audio = shares.call(None, "GET", track["preview_url"].removeprefix("http://testserver"))
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/ogg"
    assert 29.5 <= _seconds(audio.content, tmp_path) <= 30.5  # the track is 34 s

    page = shares.call(None, "GET", f"/s/{link['id']}")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert item["name"] in page.text and track["preview_url"] in page.text


def test_a_shared_playlist_shows_its_items_and_a_private_one_only_through_the_link(shares: Shares) -> None:
    made = shares.call("ada", "POST", "/v1/me/playlists", json={"name": "Secret <b>mix</b>", "public": False})
    playlist = made.json()
    uris = [f"tonearm:track:{t}" for t in (shares.long_track, *shares.fake_tracks)]
    shares.call("ada", "POST", f"/v1/playlists/{playlist['id']}/tracks", json={"uris": uris})
    assert shares.call("bob", "GET", f"/v1/playlists/{playlist['id']}").status_code == 404
    # Bob cannot share what he cannot see.
    refused = shares.call("bob", "POST", "/v1/shares", json={"uri": f"spotify:playlist:{playlist['id']}"})
    assert refused.status_code == 404

    link = shares.share("ada", f"http://testserver/#/playlist/{playlist['id']}")
    item = shares.call(None, "GET", f"/v1/shares/{link['id']}").json()
    assert item["name"] == "Secret <b>mix</b>" and item["total_tracks"] == 4
    assert [t["id"] for t in item["tracks"]] == [shares.long_track, *shares.fake_tracks]
    assert item["byline"].startswith("A playlist by")
    # The page escapes what users typed.
    page = shares.call(None, "GET", f"/s/{link['id']}").text
    assert "Secret &lt;b&gt;mix&lt;/b&gt;" in page and "<b>mix</b>" not in page
    # The link exposes exactly what it names: no preview of a track it does not show.
    other = shares.share("ada", f"spotify:track:{shares.fake_tracks[0]}")
    stray = f"/v1/shares/{other['id']}/previews/{shares.long_track}.ogg"
    assert shares.call(None, "GET", stray).status_code == 404


def test_an_expired_link_stops_and_a_revoked_one_is_gone(shares: Shares) -> None:
    link = shares.share("ada", f"spotify:album:{_album_of(shares, shares.fake_tracks[0])}", expires_in_s=3600)
    assert link["expires_at"]
    assert shares.call(None, "GET", f"/v1/shares/{link['id']}").status_code == 200
    with unit_of_work(shares.client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        row = session.get(ShareLink, link["id"])
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
    expired = shares.call(None, "GET", f"/v1/shares/{link['id']}")
    assert expired.status_code == 410 and "expired" in expired.json()["error"]["message"]
    page = shares.call(None, "GET", f"/s/{link['id']}")
    assert page.status_code == 410 and "expired" in page.text

    kept = shares.share("ada", f"spotify:track:{shares.fake_tracks[1]}")
    assert shares.call("bob", "DELETE", f"/v1/shares/{kept['id']}").status_code == 404  # not his
    assert shares.call(None, "GET", f"/v1/shares/{kept['id']}").status_code == 200
    assert shares.call("ada", "DELETE", f"/v1/shares/{kept['id']}").status_code == 204
    assert shares.call(None, "GET", f"/v1/shares/{kept['id']}").status_code == 404
    assert shares.call(None, "GET", f"/s/{kept['id']}").status_code == 404
    mine = shares.call("ada", "GET", "/v1/me/shares?limit=50").json()
    assert kept["id"] not in [s["id"] for s in mine["items"]] and mine["total"] == len(mine["items"])


def test_a_takedown_stops_the_next_preview(shares: Shares) -> None:
    link = shares.share("carol", f"spotify:track:{shares.long_track}")
    [track] = shares.call(None, "GET", f"/v1/shares/{link['id']}").json()["tracks"]
    path = track["preview_url"].removeprefix("http://testserver")
    assert shares.call(None, "GET", path).status_code == 200
    with unit_of_work(shares.client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        session.add(Right(track_id=shares.long_track, territory="SE", allowed=False))
    try:
        [shown] = shares.call(None, "GET", f"/v1/shares/{link['id']}").json()["tracks"]
        assert shown["preview_url"] is None
        assert shares.call(None, "GET", path).status_code == 404
    finally:
        with unit_of_work(shares.client.app.state.session_factory) as session:  # type: ignore[attr-defined]
            session.query(Right).filter_by(track_id=shares.long_track, territory="SE").delete()


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"uri": "spotify:artist:0000000000000000000000"}, 400),
        ({"uri": "not a uri"}, 400),
        ({"uri": f"spotify:track:{'0' * 22}"}, 404),
        ({"uri": f"spotify:playlist:{'0' * 22}"}, 404),
        ({"uri": "spotify:track:x", "expires_in_s": 5}, 400),
        ({"uri": "spotify:track:x", "expires_in_s": "soon"}, 400),
    ],
)
def test_bad_share_requests_get_a_clear_4xx(shares: Shares, body: dict[str, Any], status: int) -> None:
    body = {**body, "uri": str(body["uri"]).replace(":x", f":{shares.fake_tracks[0]}")}
    answer = shares.call("ada", "POST", "/v1/shares", json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["message"]


def test_links_need_a_user_to_make_and_are_in_the_export_and_go_with_erasure(shares: Shares) -> None:
    from tonearm.accounts.privacy import privacy

    anonymous = shares.call(
        None, "POST", "/v1/shares", json={"uri": f"spotify:track:{shares.fake_tracks[0]}"}
    )
    assert anonymous.status_code == 401
    link = shares.share("dora", f"spotify:track:{shares.fake_tracks[2]}")
    app = shares.client.app
    dora = shares.call("dora", "GET", "/v1/me").json()["id"]
    providers = app.state.personal_data  # type: ignore[attr-defined]
    with unit_of_work(app.state.session_factory) as session:  # type: ignore[attr-defined]
        exported = privacy.export(session, dora, providers=providers).model_dump()
    assert [s["id"] for s in exported["share_links"]] == [link["id"]]
    with unit_of_work(app.state.session_factory) as session:  # type: ignore[attr-defined]
        privacy.erase(session, dora, providers=providers)
    assert shares.call(None, "GET", f"/v1/shares/{link['id']}").status_code == 404


def _album_of(shares: Shares, track_id: str) -> str:
    return str(shares.call("ada", "GET", f"/v1/tracks/{track_id}").json()["album"]["id"])
