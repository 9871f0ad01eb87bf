"""Every /v1 route is guarded; what a user's account decides (tier, market, explicit content);
admin-only takedowns; the web player's own sign-in."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.accounts.conftest import PASSWORD, pkce_pair, sign_in
from tests.auth import app_token, bearer, user_token
from tests.catalog_factory import make_track, publish
from tests.search.conftest import settle, until
from tonearm.accounts.service import WEB_CLIENT_ID, account
from tonearm.kit.db import unit_of_work

SOME_ID = "0" * 22


@pytest.fixture
def tracks(client: TestClient) -> dict[str, str]:
    with unit_of_work(client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        clean, explicit = publish(
            session,
            make_track("Clean Song", artist_names=("Tidy",)),
            make_track("Rude Song", artist_names=("Tidy",), explicit=True),
        )
    return {"clean": clean, "explicit": explicit}


# The link is the permission: what a share link opens is for visitors who are not signed in.
OPEN_ROUTES = {("get", "/v1/shares/{share_id}"), ("get", "/v1/shares/{share_id}/previews/{track_id}.ogg")}


def test_every_v1_route_answers_401_without_a_token(client: TestClient) -> None:
    paths = {p: ops for p, ops in client.get("/openapi.json").json()["paths"].items() if p.startswith("/v1/")}
    assert len(paths) >= 15
    opened = set()
    for template, operations in paths.items():
        path = re.sub(r"\{[^}]+\}", SOME_ID, template)
        for method in operations:
            answer = client.request(method.upper(), path)
            if (method, template) in OPEN_ROUTES:
                # No token needed, and an unknown link is simply not there.
                assert answer.status_code == 404, f"{method} {template} answered {answer.status_code}"
                opened.add((method, template))
                continue
            assert answer.status_code == 401, f"{method} {template} answered {answer.status_code}"
            assert answer.headers["www-authenticate"].startswith("Bearer")
    assert opened == OPEN_ROUTES


def test_a_free_and_a_premium_user_get_different_manifests(
    client: TestClient, tracks: dict[str, str]
) -> None:
    url = f"/v1/tracks/{tracks['clean']}/manifest"
    premium = client.get(url, headers=bearer(user_token(client.app, "gold", product="premium"))).json()
    free = client.get(url, headers=bearer(user_token(client.app, "tin", product="free"))).json()
    assert [r["rung"] for r in premium["renditions"]] == ["opus_24", "vorbis_320", "flac"]
    assert [r["rung"] for r in free["renditions"]] == ["opus_24"]
    # The user's id is in every signature: a URL is theirs, not anybody's.
    assert (
        parse_qs(urlsplit(free["renditions"][0]["url"]).query)["uid"]
        != parse_qs(urlsplit(premium["renditions"][0]["url"]).query)["uid"]
    )


def test_moving_a_user_to_premium_changes_the_very_next_manifest(
    client: TestClient, tracks: dict[str, str]
) -> None:
    token = bearer(user_token(client.app, "upgrader", product="free"))
    url = f"/v1/tracks/{tracks['clean']}/manifest"
    assert len(client.get(url, headers=token).json()["renditions"]) == 1
    with unit_of_work(client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        account.set_product(session, "upgrader", "premium")
    assert len(client.get(url, headers=token).json()["renditions"]) == 3


def test_a_manifest_needs_the_streaming_scope_and_a_user(client: TestClient, tracks: dict[str, str]) -> None:
    url = f"/v1/tracks/{tracks['clean']}/manifest"
    narrow = client.get(url, headers=bearer(user_token(client.app, "ada", scope="user-read-private")))
    assert narrow.status_code == 403 and "'streaming'" in narrow.json()["error"]["message"]
    as_app = client.get(url, headers=bearer(app_token(client.app)))
    assert as_app.status_code == 403 and "user's access token" in as_app.json()["error"]["message"]


def test_explicit_tracks_are_restricted_for_users_who_turned_them_off(
    client: TestClient, tracks: dict[str, str]
) -> None:
    careful = bearer(user_token(client.app, "careful", explicit_content=False))
    relaxed = bearer(user_token(client.app, "relaxed"))
    rude = client.get(f"/v1/tracks/{tracks['explicit']}", headers=careful).json()
    assert rude["is_playable"] is False and rude["restrictions"] == {"reason": "explicit"}
    clean = client.get(f"/v1/tracks/{tracks['clean']}", headers=careful).json()
    assert clean["is_playable"] is True and clean.get("restrictions") is None
    assert client.get(f"/v1/tracks/{tracks['explicit']}", headers=relaxed).json()["is_playable"] is True
    refused = client.get(f"/v1/tracks/{tracks['explicit']}/manifest", headers=careful)
    assert refused.status_code == 403 and refused.json()["error"]["reason"] == "explicit"
    assert client.get(f"/v1/tracks/{tracks['explicit']}/manifest", headers=relaxed).status_code == 200
    album = client.get(f"/v1/albums/{rude['album']['id']}/tracks", headers=careful).json()
    reasons = {item["name"]: (item.get("restrictions") or {}).get("reason") for item in album["items"]}
    assert reasons == {"Clean Song": None, "Rude Song": "explicit"}


def test_the_users_country_is_the_market(client: TestClient, tracks: dict[str, str]) -> None:
    with unit_of_work(client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        from tonearm.catalog.feed import feed

        feed.take_down(session, tracks["clean"], "NO")
    norwegian = bearer(user_token(client.app, "nora", country="NO"))
    url = f"/v1/tracks/{tracks['clean']}"
    # ?market= cannot move a user to another country; market=from_token is their own.
    assert client.get(url, headers=norwegian, params={"market": "SE"}).json()["restrictions"] == {
        "reason": "market"
    }
    assert client.get(url, headers=norwegian, params={"market": "from_token"}).json()["is_playable"] is False
    # An app's own token has no country: ?market= decides.
    as_app = bearer(app_token(client.app))
    assert client.get(url, headers=as_app, params={"market": "SE"}).json()["is_playable"] is True
    assert client.get(url, headers=as_app, params={"market": "NO"}).json()["is_playable"] is False


def test_an_admin_takes_a_track_down_over_the_api(
    client: TestClient, tracks: dict[str, str], tmp_path: Path
) -> None:
    admin = bearer(user_token(client.app, "boss", role="admin"))
    listener = bearer(user_token(client.app, "ada"))
    manifest = f"/v1/tracks/{tracks['clean']}/manifest"
    issued = client.get(manifest, headers=listener).json()["renditions"][0]["url"]
    blob = tmp_path / "blob"
    blob.write_bytes(b"OggS and the rest")
    client.app.state.blobs.put_file(urlsplit(issued).path.removeprefix("/media/"), blob)  # type: ignore[attr-defined]
    settle(client)

    def found() -> bool:
        body = client.get("/v1/search", params={"q": "clean song", "type": "track"}, headers=listener).json()
        return bool(body["tracks"]["items"])

    assert found()
    refused = client.put(f"/v1/tracks/{tracks['clean']}/takedown", headers=listener)
    assert refused.status_code == 403 and "admin" in refused.json()["error"]["message"]
    assert client.put(f"/v1/tracks/{tracks['clean']}/takedown", headers=admin).status_code == 204
    gone = client.get(manifest, headers=listener)
    assert gone.status_code == 403 and gone.json()["error"]["reason"] == "market"
    assert until(lambda: not found(), timeout=1.0) < 1.0
    # A URL issued before the takedown still plays until its signature's TTL runs out.
    assert client.get(issued, headers={"Range": "bytes=0-3"}).status_code == 206
    assert client.delete(f"/v1/tracks/{tracks['clean']}/takedown", headers=admin).status_code == 204
    assert client.get(manifest, headers=listener).status_code == 200
    unknown = client.put(f"/v1/tracks/{SOME_ID}/takedown", headers=admin, params={"territory": "SE"})
    assert unknown.status_code == 404


def test_the_web_player_signs_in_on_its_own_origin_without_a_consent_page(client: TestClient) -> None:
    make = user_token(client.app, "webby")  # creates the user
    assert make
    sign_in(client, "webby", PASSWORD)
    verifier, challenge = pkce_pair()
    params = {
        "client_id": WEB_CLIENT_ID,
        "response_type": "code",
        "redirect_uri": "http://testserver/",
        "scope": "user-read-private streaming",
        "state": "s1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    answer = client.get("/authorize", params=params, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    location = urlsplit(answer.headers["location"])
    assert (location.netloc, location.path) == ("testserver", "/")
    code = parse_qs(location.query)["code"][0]
    token = client.post(
        "/api/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://testserver/",
            "client_id": WEB_CLIENT_ID,
            "code_verifier": verifier,
        },
    ).json()
    me = client.get("/v1/me", headers=bearer(token["access_token"])).json()
    assert me["display_name"] == "webby" and me["product"] == "premium"
    # Another site cannot borrow the player's identity: its origin is not the player's.
    elsewhere = client.get(
        "/authorize", params={**params, "redirect_uri": "http://evil.example/"}, follow_redirects=False
    )
    assert elsewhere.status_code == 400 and "evil.example" not in elsewhere.headers.get("location", "")


def test_a_premium_first_window_restricts_free_listeners_with_reason_product(client: TestClient) -> None:
    from tonearm.catalog.feed import feed

    with unit_of_work(client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        [track] = publish(session, make_track("Early Access", territories=("JP",)))
        feed.allow(session, track, "SE", premium_only=True)
    free = bearer(user_token(client.app, "tin", product="free"))
    premium = bearer(user_token(client.app, "gold", product="premium"))
    abroad = bearer(user_token(client.app, "abroad", product="premium", country="NO"))
    assert client.get(f"/v1/tracks/{track}", headers=free).json()["restrictions"] == {"reason": "product"}
    assert client.get(f"/v1/tracks/{track}", headers=premium).json()["is_playable"] is True
    assert client.get(f"/v1/tracks/{track}", headers=abroad).json()["restrictions"] == {"reason": "market"}
    refused = client.get(f"/v1/tracks/{track}/manifest", headers=free)
    assert refused.status_code == 403 and refused.json()["error"]["reason"] == "product"
    assert "premium" in refused.json()["error"]["message"]
    assert client.get(f"/v1/tracks/{track}/manifest", headers=premium).status_code == 200


def test_rights_windows_open_and_close_by_the_clock(client: TestClient) -> None:
    from datetime import timedelta

    from tonearm.catalog.feed import feed
    from tonearm.kit.time import utcnow

    now = utcnow()
    with unit_of_work(client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        past, future = publish(
            session,
            make_track("Was Here", territories=("JP",)),
            make_track("Coming Soon", territories=("JP",)),
        )
        feed.allow(session, past, "SE", valid_from=now - timedelta(days=9), valid_to=now - timedelta(days=1))
        feed.allow(session, future, "SE", valid_from=now + timedelta(days=1))
        with pytest.raises(Exception, match="must end after it starts"):
            feed.allow(session, past, "SE", valid_from=now, valid_to=now - timedelta(seconds=1))
    listener = bearer(user_token(client.app, "ada"))
    for track in (past, future):
        assert client.get(f"/v1/tracks/{track}", headers=listener).json()["restrictions"] == {
            "reason": "market"
        }
        assert client.get(f"/v1/tracks/{track}/manifest", headers=listener).status_code == 403


def test_a_wrong_method_names_every_method_of_the_path(client: TestClient) -> None:
    # /v1/me is served by two routers (the profile, and the account's deletion).
    answer = client.put("/v1/me")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "DELETE, GET, HEAD"
