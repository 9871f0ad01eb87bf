"""Several people edit one playlist at once, each from the version they last saw.

The property test drives random interleavings of adds, removes and moves from three users
through the real service and database, each edit naming the (often stale) snapshot its
positions refer to, and checks what a user would notice: nothing added is lost, nothing
removed comes back, a move never duplicates an item, every user ends on the same list, and
every snapshot in the history is the list as it was when that edit was made.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from tests.catalog_factory import make_track, publish
from tonearm.accounts import account
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work
from tonearm.playlists import Removal, playlists
from tonearm.runtime import open_runtime

USERS = ("owner", "ada", "bo")
TRACKS = 80


@dataclass
class World:
    factory: sessionmaker[Session]
    users: dict[str, str]
    tracks: list[str]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    runtime = open_runtime(Settings(data_dir=Path(tmp_path_factory.mktemp("collab")) / "var"))
    with unit_of_work(runtime.session_factory) as session:
        users = {
            name: account.create_user(session, name, password="pw-long-enough", country="SE").id
            for name in USERS
        }
        tracks = publish(session, *(make_track(f"T{n}", track_number=n + 1) for n in range(TRACKS)))
    yield World(runtime.session_factory, users, tracks)
    runtime.close()


@dataclass
class Replica:
    """What one user's client holds: the version it last saw and its list then."""

    snapshot_id: str
    tracks: list[str] = field(default_factory=list)


def _current(world: World, playlist_id: str) -> tuple[str, list[str]]:
    with unit_of_work(world.factory) as session:
        playlist = playlists.get(session, playlist_id, world.users["owner"])
        items, _ = playlists.items(session, playlist_id, world.users["owner"], offset=0, limit=10_000)
        return playlist.snapshot_id, [item.track_id for item in items]


def _new_playlist(world: World) -> str:
    with unit_of_work(world.factory) as session:
        playlist = playlists.create(
            session, world.users["owner"], name="Party", public=False, collaborative=True
        )
        for name in USERS[1:]:
            playlists.invite(session, playlist.id, world.users["owner"], world.users[name])
        return playlist.id


# An edit: who, what, and numbers that pick positions within that user's (stale) view.
edits = st.lists(
    st.tuples(
        st.sampled_from(USERS),
        st.sampled_from(("add", "add", "remove", "move", "refresh")),
        st.integers(0, 1000),
        st.integers(0, 1000),
        st.integers(1, 3),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=edits)
def test_concurrent_edits_converge_and_lose_nothing(
    world: World, script: list[tuple[str, str, int, int, int]]
) -> None:
    playlist_id = _new_playlist(world)
    start, _ = _current(world, playlist_id)
    replicas = {name: Replica(start) for name in USERS}
    fresh = iter(world.tracks)
    added: set[str] = set()
    removed: set[str] = set()
    seen: dict[str, list[str]] = {start: []}  # the list right after each edit, by snapshot

    for name, kind, a, b, length in script:
        replica, user = replicas[name], world.users[name]
        view = replica.tracks
        with unit_of_work(world.factory) as session:
            if kind == "add":
                track = next(fresh)
                snapshot = playlists.add(
                    session,
                    playlist_id,
                    user,
                    [track],
                    position=a % (len(view) + 1),
                    snapshot_id=replica.snapshot_id,
                )
                added.add(track)
            elif kind == "remove" and view:
                position = a % len(view)
                snapshot = playlists.remove(
                    session,
                    playlist_id,
                    user,
                    [Removal(view[position], (position,))],
                    snapshot_id=replica.snapshot_id,
                )
                removed.add(view[position])
            elif kind == "move" and view:
                range_start = a % len(view)
                size = min(length, len(view) - range_start)
                snapshot = playlists.reorder(
                    session,
                    playlist_id,
                    user,
                    range_start=range_start,
                    insert_before=b % (len(view) + 1),
                    range_length=size,
                    snapshot_id=replica.snapshot_id,
                )
            else:
                snapshot = None
        current_snapshot, current = _current(world, playlist_id)
        if snapshot is not None:
            assert snapshot == current_snapshot
            seen[snapshot] = current
        # The editor's client takes the answer as its new view; a refresh does the same.
        if snapshot is not None or kind == "refresh":
            replicas[name] = Replica(current_snapshot, current)

    final_snapshot, final = _current(world, playlist_id)
    assert len(final) == len(set(final)), "a move duplicated an item"
    assert set(final) == added - removed, "an added item was lost, or a removed one came back"
    for replica in replicas.values():
        replica.snapshot_id, replica.tracks = final_snapshot, final
    assert len({tuple(r.tracks) for r in replicas.values()}) == 1
    with unit_of_work(world.factory) as session:
        for snapshot, expected in seen.items():
            at = playlists.state_at(session, playlist_id, world.users["ada"], snapshot)
            assert [item.track_id for item in at] == expected, f"snapshot {snapshot} is not the list it was"


def test_an_insert_from_a_stale_view_lands_next_to_the_item_it_was_next_to(world: World) -> None:
    playlist_id = _new_playlist(world)
    owner, ada = world.users["owner"], world.users["ada"]
    a, b, c, x, y = world.tracks[:5]
    with unit_of_work(world.factory) as session:
        seen = playlists.add(session, playlist_id, owner, [a, b, c])
    with unit_of_work(world.factory) as session:
        # Someone else puts y at the front: every position after it shifts by one.
        playlists.add(session, playlist_id, owner, [y], position=0)
    with unit_of_work(world.factory) as session:
        # Ada, who saw [a, b, c], inserts x before c (position 2 of what she saw).
        playlists.add(session, playlist_id, ada, [x], position=2, snapshot_id=seen)
    assert _current(world, playlist_id)[1] == [y, a, b, x, c]


def test_a_stale_removal_by_position_removes_the_item_that_was_there(world: World) -> None:
    playlist_id = _new_playlist(world)
    owner, ada = world.users["owner"], world.users["ada"]
    a, b, c, y = world.tracks[:4]
    with unit_of_work(world.factory) as session:
        seen = playlists.add(session, playlist_id, owner, [a, b, c])
    with unit_of_work(world.factory) as session:
        playlists.add(session, playlist_id, owner, [y], position=0)
    with unit_of_work(world.factory) as session:
        playlists.remove(session, playlist_id, ada, [Removal(b, (1,))], snapshot_id=seen)
    assert _current(world, playlist_id)[1] == [y, a, c]
