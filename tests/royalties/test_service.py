"""The royalty run on the platform: counted plays go through the warehouse to statements; admins
read every statement, an artist account only its own artists' lines and stats; the command line
prints the summary with the JSON object last; bad months and replays change nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.auth import bearer, user_token
from tests.listening.conftest import apply_events, make_tracks, make_user, play, play_events
from tonearm.accounts import account
from tonearm.catalog import catalog
from tonearm.config import Settings
from tonearm.errors import BadRequest
from tonearm.kit.db import unit_of_work
from tonearm.kit.time import utcnow
from tonearm.royalties.service import RoyaltiesService

TONEARM = str(Path(sys.executable).parent / "tonearm")
NOW = utcnow()
THIS_MONTH = NOW.strftime("%Y-%m")
# The tenth of last month: a closed month, and well within the 90 days of plays kept.
LAST = (NOW.replace(day=1) - timedelta(days=1)).replace(day=10, hour=12, minute=0, second=0, microsecond=0)
LAST_MONTH = LAST.strftime("%Y-%m")


@pytest.fixture
def api(settings: Settings) -> Iterator[TestClient]:
    from tonearm.app import create_app

    with TestClient(create_app(settings), base_url="http://testserver") as client:
        yield client


def factory(api: TestClient) -> sessionmaker[Session]:
    return api.app.state.session_factory  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def month(api: TestClient) -> dict[str, str]:
    """Ann's song (Ann Records) played three times, Bo's (Bo Records) once, last month."""
    sessions = factory(api)
    ann_song, bo_song = make_tracks(sessions, "Ann Song", "Bo Song")
    ada, cy = make_user(sessions, "ada"), make_user(sessions, "cy")
    for n, (user, track) in enumerate([(ada, ann_song), (cy, ann_song), (ada, ann_song), (cy, bo_song)]):
        play(sessions, user, track, LAST + timedelta(minutes=5 * n))
    with unit_of_work(sessions) as session:
        ann_records = catalog.set_rightsholder(session, [ann_song], "Ann Records").id
        bo_records = catalog.set_rightsholder(session, [bo_song], "Bo Records").id
    tokens = {
        "admin": user_token(api.app, "root", role="admin"),
        "ann": user_token(api.app, "ann", role="artist"),
        "listener": user_token(api.app, "lis"),
    }
    with unit_of_work(sessions) as session:
        account.link_artist(session, "ann", catalog.ensure_artist(session, "Ann Song Band"))
    return {
        "ann_song": ann_song,
        "bo_song": bo_song,
        "ann_records": ann_records,
        "bo_records": bo_records,
        "ada": ada,
        **tokens,
    }


def service(api: TestClient) -> RoyaltiesService:
    return RoyaltiesService(api.app.state.settings, factory(api))  # type: ignore[attr-defined]


def test_plays_become_statements_that_pay_the_pool_to_the_cent(
    api: TestClient, month: dict[str, str]
) -> None:
    result = service(api).run(LAST_MONTH)
    (pool,) = [p for p in result.summary["pools"] if p["streams"]]
    assert (pool["market"], pool["product"], pool["streams"]) == ("SE", "premium", 4)
    assert pool["paid_minor"] == pool["pool_minor"] > 0
    statement = service(api).published.statement(LAST_MONTH, month["ann_records"])
    assert statement["rightsholder"]["name"] == "Ann Records"
    assert [(line["track_id"], line["streams"]) for line in statement["lines"]] == [(month["ann_song"], 3)]
    # Three streams of four: three quarters of the pool, rounded by largest remainder.
    assert statement["totals"][0]["amount_minor"] in (
        pool["pool_minor"] * 3 // 4,
        pool["pool_minor"] * 3 // 4 + 1,
    )


def test_admins_read_runs_and_statements_and_nobody_else_does(api: TestClient, month: dict[str, str]) -> None:
    service(api).run(LAST_MONTH)
    admin, ann = bearer(month["admin"]), bearer(month["ann"])
    months = api.get("/v1/admin/royalties", headers=admin)
    assert months.status_code == 200 and months.json()["items"][0]["month"] == LAST_MONTH
    summary = api.get(f"/v1/admin/royalties/{LAST_MONTH}", headers=admin).json()
    assert summary["run"] == 1 and summary["provisional"] is False
    path = f"/v1/admin/royalties/{LAST_MONTH}/statements/{month['bo_records']}"
    assert api.get(path, headers=admin).json()["lines"][0]["track_id"] == month["bo_song"]
    assert api.get(f"{path}/lines.csv", headers=admin).text.startswith("track_id,market,product")
    assert api.get(path, headers=ann).status_code == 403
    assert api.get(f"/v1/admin/royalties/{LAST_MONTH}", headers=bearer(month["listener"])).status_code == 403
    assert api.get("/v1/admin/royalties/2026-13", headers=admin).status_code == 400
    assert api.get("/v1/admin/royalties/1999-01", headers=admin).status_code == 404
    assert api.get(f"/v1/admin/royalties/{LAST_MONTH}/statements/nobody", headers=admin).status_code == 404


def test_an_artist_sees_its_own_statements_and_stats_and_nobody_elses(
    api: TestClient, month: dict[str, str]
) -> None:
    service(api).run(LAST_MONTH)
    ann = bearer(month["ann"])
    mine = api.get("/v1/me/artist/statements", headers=ann).json()["items"]
    assert [(row["month"], row["rightsholder"]["name"], row["streams"]) for row in mine] == [
        (LAST_MONTH, "Ann Records", 3)
    ]
    one = api.get(f"/v1/me/artist/statements/{LAST_MONTH}/{month['ann_records']}", headers=ann)
    assert one.status_code == 200 and [line["track_id"] for line in one.json()["lines"]] == [
        month["ann_song"]
    ]
    others = api.get(f"/v1/me/artist/statements/{LAST_MONTH}/{month['bo_records']}", headers=ann)
    assert others.status_code == 404
    stats = api.get("/v1/me/artist/stats", params={"days": 60}, headers=ann).json()
    assert stats["streams"] == 3 and stats["listeners"] == 2
    assert stats["markets"] == [{"market": "SE", "streams": 3, "listeners": 2}]
    assert stats["top_tracks"][0]["name"] == "Ann Song"
    listener = bearer(month["listener"])
    assert api.get("/v1/me/artist/statements", headers=listener).status_code == 403
    assert api.get("/v1/me/artist/stats", headers=listener).status_code == 403


def test_replayed_events_change_nothing(api: TestClient, month: dict[str, str]) -> None:
    sessions = factory(api)
    events = play_events(month["ada"], month["bo_song"], LAST + timedelta(hours=2))
    apply_events(sessions, events)
    first = service(api).run(LAST_MONTH)
    apply_events(sessions, events)  # the same events delivered again
    again = service(api).run(LAST_MONTH)
    assert again.identical_to == first.summary["run"]


def test_an_open_month_runs_only_as_provisional(api: TestClient, month: dict[str, str]) -> None:
    play(factory(api), month["ada"], month["ann_song"], NOW - timedelta(minutes=5))
    with pytest.raises(BadRequest, match="still open"):
        service(api).run(THIS_MONTH)
    assert service(api).published.months() == []
    result = service(api).run(THIS_MONTH, provisional=True)
    assert result.summary["provisional"] is True
    with pytest.raises(BadRequest, match="is closed"):
        service(api).run(LAST_MONTH, provisional=True)


def test_the_command_prints_the_summary_and_ends_with_one_json_object(
    api: TestClient, month: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "TONEARM_DATA_DIR": str(settings.data_dir),
        "TONEARM_SIGNING_KEYS": settings.signing_keys,
    }
    done = subprocess.run(
        [TONEARM, "royalties", "run", "--month", LAST_MONTH, "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    last = json.loads(done.stdout.strip().splitlines()[-1])
    (pool,) = [p for p in last["pools"] if p["streams"]]
    assert pool["paid_minor"] == pool["pool_minor"] and pool["currency"] == "SEK"
    assert last["filtered_streams"] == 0 and Path(last["paths"]["statements"]).is_dir()
    assert "SE/premium" in done.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[pool]]\nmarket = "SE"\nproduct = "premium"\ncurrency = "SEK"\nrevenue_minor = -5\n'
        "rightsholder_share = 0.5\n"
    )
    refused = subprocess.run(
        [TONEARM, "royalties", "run", "--month", LAST_MONTH, "--config", str(bad)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 1 and "negative" in refused.stderr
