"""Offline downloads over the API as the web player uses them: register a device with its
public key, ask for an album, download its files encrypted for the device, check in; and every
way it is refused (free accounts, a sixth device, someone else's device, an expired licence,
bad input) with a clear 4xx."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from tests.listening.test_events import eventually
from tests.offline.conftest import Offline, device_key, jwk, spki
from tonearm.accounts import account
from tonearm.catalog import catalog_feed
from tonearm.kit.time import as_utc, iso_ms, utcnow
from tonearm.listening import listening
from tonearm.offline import crypto
from tonearm.offline.models import OfflineLicence, OfflineTrack

DEVICES = "/v1/me/offline/devices"


def _album(offline: Offline, user: str = "ada", number: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    device = offline.register(user, number)
    return device, offline.licence(user, device["id"], f"tonearm:album:{offline.album}")


def _expire(offline: Offline, licence_id: str, days_ago: float) -> None:
    with offline.session() as session:
        session.execute(
            update(OfflineLicence)
            .where(OfflineLicence.id == licence_id)
            .values(expires_at=utcnow() - timedelta(days=days_ago))
        )


def _error(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    return dict(answer.json()["error"])


def test_an_album_downloads_as_files_only_the_device_can_open(offline: Offline) -> None:
    device, licence = _album(offline)
    assert licence["status"] == "active" and licence["uri"] == f"tonearm:album:{offline.album}"
    assert [track["id"] for track in licence["tracks"]] == offline.tracks
    assert licence["unavailable"] == [
        {"id": offline.elsewhere, "uri": f"tonearm:track:{offline.elsewhere}", "reason": "market"}
    ]
    track = offline.tracks[0]
    [entry] = [t for t in licence["tracks"] if t["id"] == track]
    answer = offline.client.get(
        entry["file_url"].removeprefix("http://testserver"),
        headers={"Authorization": f"Bearer {offline.token('ada')}"},
    )
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/octet-stream"
    assert answer.headers["x-tonearm-rung"] == "aac_256"
    assert int(answer.headers["content-length"]) == len(answer.content)
    assert crypto.open_file(answer.content, device_key(1)) == offline.audio[track]
    header, _head = crypto.parse_header(answer.content)
    assert header.media_type == 'audio/mp4; codecs="mp4a.40.2"' and header.track_id == track
    assert header.chunks == 4  # 1 MiB chunks, the last one shorter
    with pytest.raises(crypto.TamperedFile):
        crypto.open_file(answer.content, device_key(2))
    # Downloaded again: the same bytes (one nonce per rendition, the key wrapped once).
    assert offline.file("ada", device["id"], track).content == answer.content


def test_a_tampered_download_decrypts_to_nothing(offline: Offline) -> None:
    device, _licence = _album(offline)
    data = bytearray(offline.file("ada", device["id"], offline.tracks[1]).content)
    data[len(data) // 2] ^= 0x80
    with pytest.raises(crypto.TamperedFile, match="chunk 1"):
        crypto.open_file(bytes(data), device_key(1))


def test_a_file_for_one_device_is_refused_to_another_and_its_key_opens_nothing(offline: Offline) -> None:
    laptop, _licence = _album(offline)
    phone = offline.register("ada", 2, name="Phone")
    error = _error(offline.file("ada", phone["id"], offline.tracks[0]), 404)
    assert "not licensed to this device" in error["message"]
    offline.licence("ada", phone["id"], f"tonearm:track:{offline.tracks[0]}")
    on_laptop = offline.file("ada", laptop["id"], offline.tracks[0]).content
    on_phone = offline.file("ada", phone["id"], offline.tracks[0]).content
    assert on_laptop != on_phone
    with pytest.raises(crypto.TamperedFile):
        crypto.open_file(on_laptop, device_key(2))
    assert crypto.open_file(on_phone, device_key(2)) == offline.audio[offline.tracks[0]]


def test_another_account_cannot_see_or_use_my_device(offline: Offline) -> None:
    device, licence = _album(offline)
    mine = f"{DEVICES}/{device['id']}"
    for method, path in (
        ("POST", f"{mine}/check-in"),
        ("GET", f"{mine}/licences"),
        ("GET", f"{mine}/tracks/{offline.tracks[0]}/file"),
        ("DELETE", mine),
        ("DELETE", f"{mine}/licences/{licence['id']}"),
    ):
        assert "of yours" in _error(offline.call("bo", method, path), 404)["message"], (method, path)
    assert (
        offline.call(
            "bo", "POST", f"{mine}/licences", json={"uri": f"tonearm:album:{offline.album}"}
        ).status_code
        == 404
    )
    assert offline.call("bo", "GET", DEVICES).json()["items"] == []
    assert offline.call("ada", "GET", f"{mine}/licences").json()["items"][0]["id"] == licence["id"]


def test_a_free_account_is_told_premium_is_required(offline: Offline) -> None:
    offline.token("cy", product="free")
    answer = offline.call("cy", "POST", DEVICES, json={"public_key": jwk(3)})
    assert _error(answer, 403)["reason"] == "PREMIUM_REQUIRED"
    assert offline.call("cy", "GET", DEVICES).json() == {"items": [], "total": 0, "limit": 5}


def test_a_sixth_device_is_refused_naming_the_limit_and_how_to_remove_one(offline: Offline) -> None:
    ids = [offline.register("ada", number, name=f"Device {number}")["id"] for number in range(1, 6)]
    # The same key again is the same device, not a new one.
    assert offline.register("ada", 1)["id"] == ids[0]
    answer = offline.call("ada", "POST", DEVICES, json={"public_key": spki(6)})
    error = _error(answer, 409)
    assert error["reason"] == "DEVICE_LIMIT"
    assert (
        "at most 5 devices" in error["message"] and "DELETE /v1/me/offline/devices/{id}" in error["message"]
    )
    listed = offline.call("ada", "GET", DEVICES).json()
    assert [item["id"] for item in listed["items"]] == ids and listed["limit"] == 5
    assert offline.call("ada", "DELETE", f"{DEVICES}/{ids[2]}").status_code == 204
    assert offline.call("ada", "POST", DEVICES, json={"public_key": spki(6)}).status_code == 201


def test_a_removed_device_takes_its_licences_and_keys_with_it(offline: Offline) -> None:
    device, _licence = _album(offline)
    assert offline.call("ada", "DELETE", f"{DEVICES}/{device['id']}").status_code == 204
    assert offline.file("ada", device["id"], offline.tracks[0]).status_code == 404
    again = offline.register("ada", 1)
    assert again["id"] != device["id"] and again["tracks"] == 0


def test_a_check_in_renews_the_licence_for_30_days(offline: Offline) -> None:
    device, licence = _album(offline)
    _expire(offline, licence["id"], days_ago=-2)  # two days left
    done = offline.check_in("ada", device["id"])
    [summary] = done["licences"]
    assert summary["status"] == "active" and summary["total"] == 3 and done["revoked"] == []
    left = _days_left(summary["expires_at"])
    assert 29.9 < left <= 30.0
    listed = offline.call("ada", "GET", DEVICES).json()["items"][0]
    assert listed["last_check_in_at"] == done["checked_in_at"] and listed["tracks"] == 3


def _days_left(stamp: str) -> float:
    from datetime import datetime

    return (datetime.fromisoformat(stamp.replace("Z", "+00:00")) - utcnow()) / timedelta(days=1)


def test_an_expired_licence_gives_no_key_until_it_is_asked_for_again(offline: Offline) -> None:
    device, licence = _album(offline)
    before = offline.file("ada", device["id"], offline.tracks[0]).content
    _expire(offline, licence["id"], days_ago=1)
    error = _error(offline.file("ada", device["id"], offline.tracks[0]), 403)
    assert error["reason"] == "LICENCE_EXPIRED" and "expired at" in error["message"]
    [summary] = offline.check_in("ada", device["id"])["licences"]
    assert summary["status"] == "expired"  # a check-in does not bring an expired licence back
    assert offline.file("ada", device["id"], offline.tracks[0]).status_code == 403
    renewed = offline.licence("ada", device["id"], f"tonearm:album:{offline.album}", status=200)
    assert renewed["id"] == licence["id"] and renewed["status"] == "active"
    # The files downloaded before open as they did: the device's keys were kept.
    assert offline.file("ada", device["id"], offline.tracks[0]).content == before


def test_a_takedown_revokes_the_track_at_the_next_check_in(offline: Offline) -> None:
    device, _licence = _album(offline)
    gone = offline.tracks[1]
    with offline.session() as session:
        catalog_feed.take_down(session, gone, None)
    # Refused at once, and taken off the device when it checks in.
    assert _error(offline.file("ada", device["id"], gone), 403)["reason"] == "market"
    done = offline.check_in("ada", device["id"])
    assert [(r["id"], r["reason"]) for r in done["revoked"]] == [(gone, "market")]
    assert done["licences"][0]["total"] == 2
    assert offline.file("ada", device["id"], gone).status_code == 404
    # Told again at the next check-in (a device that missed the answer still learns it).
    assert [r["id"] for r in offline.check_in("ada", device["id"])["revoked"]] == [gone]
    assert offline.file("ada", device["id"], offline.tracks[0]).status_code == 200


def test_a_downgrade_to_free_revokes_every_licence_at_the_next_check_in(offline: Offline) -> None:
    device, _licence = _album(offline)
    with offline.session() as session:
        account.set_product(session, "ada", "free")
    done = offline.check_in("ada", device["id"])
    assert done["licences"] == []
    assert sorted(r["id"] for r in done["revoked"]) == sorted(offline.tracks)
    assert {r["reason"] for r in done["revoked"]} == {"premium_required"}
    assert _error(offline.file("ada", device["id"], offline.tracks[0]), 403)["reason"] == "PREMIUM_REQUIRED"
    refused = offline.call(
        "ada", "POST", f"{DEVICES}/{device['id']}/licences", json={"uri": f"tonearm:album:{offline.album}"}
    )
    assert _error(refused, 403)["reason"] == "PREMIUM_REQUIRED"


def test_removing_a_download_takes_its_tracks_off_the_device(offline: Offline) -> None:
    device, album = _album(offline)
    single = offline.licence("ada", device["id"], f"spotify:track:{offline.tracks[0]}")
    path = f"{DEVICES}/{device['id']}/licences/{album['id']}"
    assert offline.call("ada", "DELETE", path).status_code == 204
    assert offline.call("ada", "DELETE", path).status_code == 404
    revoked = offline.check_in("ada", device["id"])["revoked"]
    assert sorted(r["id"] for r in revoked) == sorted(offline.tracks[1:])
    assert {r["reason"] for r in revoked} == {"unlicensed"}
    # The track the other licence names stays.
    assert offline.file("ada", device["id"], single["tracks"][0]["id"]).status_code == 200


def test_a_playlist_downloads_its_playable_tracks(offline: Offline) -> None:
    token = {"Authorization": f"Bearer {offline.token('ada')}"}
    made = offline.client.post(
        "/v1/me/playlists", json={"name": "Plane", "public": False}, headers=token
    ).json()
    uris = [f"tonearm:track:{t}" for t in (offline.tracks[2], offline.tracks[1], offline.tracks[0])]
    assert (
        offline.client.post(
            f"/v1/playlists/{made['id']}/tracks", json={"uris": uris}, headers=token
        ).status_code
        == 201
    )
    with offline.session() as session:
        catalog_feed.take_down(session, offline.tracks[1], None)
    device = offline.register("ada", 1)
    licence = offline.licence("ada", device["id"], f"tonearm:playlist:{made['id']}")
    # In the playlist's order, each once, and only what may play.
    assert [t["id"] for t in licence["tracks"]] == [offline.tracks[2], offline.tracks[0]]
    assert [(u["id"], u["reason"]) for u in licence["unavailable"]] == [(offline.tracks[1], "market")]
    # Someone else's private playlist is not there for them.
    other = offline.register("bo", 2)
    offline.licence("bo", other["id"], f"tonearm:playlist:{made['id']}", status=404)


def test_a_track_not_playable_here_cannot_be_downloaded(offline: Offline) -> None:
    device = offline.register("ada", 1)
    answer = offline.call(
        "ada",
        "POST",
        f"{DEVICES}/{device['id']}/licences",
        json={"uri": f"tonearm:track:{offline.elsewhere}"},
    )
    assert _error(answer, 403)["reason"] == "market"


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"uri": f"tonearm:album:{'0' * 22}"}, 404, "not found"),
        ({"uri": f"tonearm:track:{'0' * 22}"}, 404, "not found"),
        ({"uri": "tonearm:artist:" + "A" * 22}, 400, "track or album or playlist"),
        ({"uri": "nonsense"}, 400, ""),
        ({"uri": 5}, 400, "uri"),
        ({}, 400, "uri"),
        ([1, 2], 400, ""),
    ],
)
def test_a_bad_licence_request_gets_a_clear_4xx(offline: Offline, body: Any, status: int, says: str) -> None:
    device = offline.register("ada", 1)
    answer = offline.call("ada", "POST", f"{DEVICES}/{device['id']}/licences", json=body)
    assert says in _error(answer, status)["message"]


@pytest.mark.parametrize(
    ("content", "status", "says"),
    [
        (b'{"public_key": 12}', 400, "public_key"),
        (b'{"public_key": "AAAA"}', 400, "SubjectPublicKeyInfo"),
        (b'{"public_key": {"kty": "RSA"}}', 400, '"n" and "e"'),
        (b'{"name": "", "public_key": "AAAA"}', 400, "name"),
        (b"{not json", 400, ""),
        (b'{"public_key": "' + b"A" * 20_000 + b'"}', 413, "at most"),
    ],
)
def test_a_bad_device_gets_a_clear_4xx(offline: Offline, content: bytes, status: int, says: str) -> None:
    answer = offline.call(
        "ada", "POST", DEVICES, content=content, headers={"Content-Type": "application/json"}
    )
    assert says in _error(answer, status)["message"]


def test_unknown_and_malformed_ids_get_a_404_or_a_400(offline: Offline) -> None:
    device, _licence = _album(offline)
    unknown = "0" * 22
    assert offline.call("ada", "POST", f"{DEVICES}/{unknown}/check-in").status_code == 404
    assert offline.call("ada", "POST", f"{DEVICES}/nope/check-in").status_code == 400
    assert offline.file("ada", device["id"], unknown).status_code == 404
    assert offline.file("ada", device["id"], "x").status_code == 400
    wrong_rung = offline.call(
        "ada", "GET", f"{DEVICES}/{device['id']}/tracks/{offline.tracks[0]}/file?rung=mp3_9000"
    )
    assert "it has" in _error(wrong_rung, 404)["message"]
    assert (
        offline.call(
            "ada", "GET", f"{DEVICES}/{device['id']}/tracks/{offline.tracks[0]}/file?rung=NO!"
        ).status_code
        == 400
    )
    opus = offline.call(
        "ada", "GET", f"{DEVICES}/{device['id']}/tracks/{offline.tracks[0]}/file?rung=opus_24"
    )
    # The catalog names an Opus rendition this test never stored: not a 500.
    assert "no stored 'opus_24' audio" in _error(opus, 404)["message"]


def test_a_play_made_offline_3_days_ago_comes_back_counted_at_its_own_time(offline: Offline) -> None:
    device, _licence = _album(offline)
    track = offline.tracks[0]
    start = utcnow().replace(microsecond=0) - timedelta(days=3)
    events = [
        {
            "type": kind,
            "event_id": f"plane-{kind}",
            "track_id": f"tonearm:track:{track}",
            "context_uri": f"tonearm:album:{offline.album}",
            "device_id": device["id"],
            "position_ms": ms,
            "ms_played": ms,
            "timestamp": iso_ms(start + timedelta(milliseconds=ms)),
            "offline": True,
        }
        for kind, ms in (("play.start", 0), ("play.end", 45_000))
    ]
    answer = offline.call("ada", "POST", "/v1/me/player/events", json={"events": events})
    assert [e["status"] for e in answer.json()["events"]] == ["accepted", "accepted"], answer.text

    def recently_played() -> list[dict[str, Any]]:
        return list(offline.call("ada", "GET", "/v1/me/player/recently-played").json()["items"])

    eventually(lambda: len(recently_played()) == 1)
    assert recently_played()[0]["played_at"] == iso_ms(start)
    with offline.session() as session:
        counted = list(listening.counted_streams(session, start - timedelta(hours=1), utcnow()))
    assert [(c.track_id, c.offline, c.played_at) for c in counted] == [(track, True, start)]

    # The play also tells the device's list what was played last (what eviction spares).
    def last_played() -> Any:
        with offline.session() as session:
            row = session.get(OfflineTrack, (device["id"], track))
            return row.last_played_at if row else None

    eventually(lambda: last_played() is not None)
    assert abs((as_utc(last_played()) - start).total_seconds()) < 60


def test_a_takedown_after_the_days_full_check_reaches_the_device_through_the_catalog_topic(
    offline: Offline,
) -> None:
    device, _licence = _album(offline)
    assert offline.check_in("ada", device["id"])["revoked"] == []  # the day's full check
    gone = offline.tracks[2]
    with offline.session() as session:
        catalog_feed.take_down(session, gone, None)

    def revoked() -> list[str]:
        return [r["id"] for r in offline.check_in("ada", device["id"])["revoked"]]

    eventually(lambda: revoked() == [gone])
