"""The daily refresh: a blend is mixed again once a day (by the hourly job or `tonearm blend
refresh`), and its playlist gets a new snapshot only when what the members play and save moved
the mix; an ended blend is left alone; one refresh that fails does not stop the others."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.blend.conftest import Blends
from tonearm.blend import Pick, blend
from tonearm.blend.tasks import REFRESH_AGE, BlendRefreshJob, refresh_blends
from tonearm.cli import build_cli
from tonearm.config import Settings
from tonearm.kit.time import utcnow

TOMORROW = REFRESH_AGE + timedelta(hours=1)


def test_a_refresh_makes_a_new_snapshot_only_when_the_mix_changed(api: Blends) -> None:
    api.stream("ann", 0, times=2)
    api.save("bob", 1)
    accepted = api.accepted("ann", "bob")
    playlist_id = accepted["playlist"]["id"]
    versions = api.snapshot_count("ann", playlist_id)

    [same] = refresh_blends(api.factory(), now=utcnow() + TOMORROW)
    assert same.changed is False and same.snapshot_id == accepted["playlist"]["snapshot_id"]
    assert api.snapshot_count("ann", playlist_id) == versions

    api.save("bob", 2)
    api.stream("bob", 0)
    [moved] = refresh_blends(api.factory(), every=True)

    assert moved.changed is True and api.snapshot_count("bob", playlist_id) == versions + 1
    assert api.songs_in("bob", playlist_id) == [0, 2, 1]
    shown = api.blend("ann", accepted["id"])
    assert shown["playlist"]["snapshot_id"] == moved.snapshot_id
    assert api.mixed("ann", accepted["id"]) == [(0, "both"), (2, "invitee"), (1, "invitee")]
    assert shown["refreshed_at"] >= accepted["refreshed_at"]


def test_a_blend_refreshed_within_a_day_is_not_due(api: Blends) -> None:
    api.save("ann", 0)
    api.accepted("ann", "bob")
    api.save("bob", 1)
    assert refresh_blends(api.factory()) == []
    assert refresh_blends(api.factory(), now=utcnow() + REFRESH_AGE - timedelta(minutes=5)) == []
    [done] = refresh_blends(api.factory(), now=utcnow() + TOMORROW)
    assert done.changed is True


def test_a_refresh_puts_the_mix_back_over_hand_edits(api: Blends) -> None:
    api.save("ann", 0, 1)
    accepted = api.accepted("ann", "bob")
    playlist_id = accepted["playlist"]["id"]
    api.call("bob", "PUT", f"/v1/playlists/{playlist_id}/tracks", json={"uris": api.uris(5)})
    [done] = refresh_blends(api.factory(), every=True)
    assert done.changed is True
    assert api.songs_in("ann", playlist_id) == [n for n, _ in api.mixed("ann", accepted["id"])]
    assert sorted(api.songs_in("ann", playlist_id)) == [0, 1]


def test_an_ended_blend_is_not_refreshed(api: Blends) -> None:
    api.save("ann", 0)
    accepted = api.accepted("ann", "bob")
    playlist_id = accepted["playlist"]["id"]
    api.call("bob", "DELETE", f"/v1/blends/{accepted['id']}")
    versions = api.snapshot_count("ann", playlist_id)
    api.save("ann", 3)
    assert refresh_blends(api.factory(), every=True) == []
    assert api.snapshot_count("ann", playlist_id) == versions and api.songs_in("ann", playlist_id) == [0]


def _two_blends(api: Blends) -> tuple[dict[str, Any], dict[str, Any]]:
    """ann's blend with bob (ann saved song 0), and cat's with dan (cat saved song 1)."""
    api.save("ann", 0)
    first = api.accepted("ann", "bob")
    api.save("cat", 1)
    return first, api.accepted("cat", "dan")


def test_one_failing_refresh_leaves_its_last_mix_and_the_others_go_on(
    api: Blends, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken, working = _two_blends(api)
    api.save("ann", 2)
    api.save("cat", 3)
    rule = blend.rule

    def fails_for_ann(
        inviter: list[str], invitee: list[str], artists: dict[str, tuple[str, ...]]
    ) -> list[Pick]:
        if api.tracks[0] in inviter:
            raise RuntimeError("a broken rule")
        return rule(inviter, invitee, artists)

    monkeypatch.setattr(blend, "rule", fails_for_ann)
    job = BlendRefreshJob(api.factory())
    assert job.run_once() == 0  # nothing due yet
    with monkeypatch.context() as later:
        later.setattr("tonearm.blend.tasks.utcnow", lambda: utcnow() + TOMORROW)
        assert job.run_once() == 1
    assert api.songs_in("ann", broken["playlist"]["id"]) == [0]
    assert api.songs_in("cat", working["playlist"]["id"]) == [3, 1]


def test_the_command_refreshes_every_active_blend_and_says_what_changed(
    api: Blends, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    changing, steady = _two_blends(api)
    api.save("bob", 2)
    monkeypatch.setenv("TONEARM_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("TONEARM_SIGNING_KEYS", settings.signing_keys)

    due = CliRunner().invoke(build_cli(), ["blend", "refresh"])
    assert due.exit_code == 0, due.output
    assert due.output.strip().splitlines()[-1].startswith("refreshed 0 due")

    done = CliRunner().invoke(build_cli(), ["blend", "refresh", "--all"])

    assert done.exit_code == 0, done.output
    lines = done.output.strip().splitlines()
    snapshot = api.blend("ann", changing["id"])["playlist"]["snapshot_id"]
    assert f"{changing['id']}: 2 tracks, new snapshot {snapshot}" in lines
    assert f"{steady['id']}: 1 tracks, unchanged" in lines
    assert lines[-1] == "refreshed 2 active blends; 1 playlists changed"
