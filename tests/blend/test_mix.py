"""The mixing rule on its own: shared tracks first, then the members' tracks in turns, never a
track twice, at most 50, and no artist crowding ten tracks in a row."""

from __future__ import annotations

from tonearm.blend import mix
from tonearm.blend.mix import MAX_TRACKS


def _plain(picks: list[object]) -> list[tuple[str, str]]:
    return [(pick.track_id, pick.reason) for pick in picks]  # type: ignore[attr-defined]


def test_tracks_both_have_come_first_by_their_combined_rank_then_the_members_take_turns() -> None:
    inviter = ["a1", "s1", "a2", "s2", "a3", "s3"]
    invitee = ["s2", "b1", "s1", "b2", "s3"]
    assert _plain(mix(inviter, invitee, {})) == [
        ("s1", "both"),  # ranks 1 + 2
        ("s2", "both"),  # ranks 3 + 0: the same sum, later in the inviter's list
        ("s3", "both"),  # ranks 5 + 4
        ("a1", "inviter"),
        ("b1", "invitee"),
        ("a2", "inviter"),
        ("b2", "invitee"),
        ("a3", "inviter"),
    ]


def test_no_track_is_picked_twice_even_when_a_member_lists_it_twice() -> None:
    picks = mix(["x", "y", "x", "z"], ["y", "w", "w"], {})
    ids = [pick.track_id for pick in picks]
    assert sorted(ids) == ["w", "x", "y", "z"] and ids[0] == "y"


def test_at_most_fifty_tracks() -> None:
    picks = mix([f"a{n}" for n in range(40)], [f"b{n}" for n in range(40)], {})
    assert len(picks) == MAX_TRACKS
    assert [pick.track_id for pick in picks[:4]] == ["a0", "b0", "a1", "b1"]


def test_an_artist_has_at_most_two_tracks_in_any_ten_while_others_can_fill_in() -> None:
    inviter = [f"loud{n}" for n in range(4)]
    invitee = [f"b{n}" for n in range(14)]
    artists = {**{f"loud{n}": ("Loud",) for n in range(4)}, **{f"b{n}": (f"B{n}",) for n in range(14)}}
    ids = [pick.track_id for pick in mix(inviter, invitee, artists)]
    assert sorted(ids) == sorted(inviter + invitee)  # spaced out, not dropped
    for start in range(len(ids) - 9):
        assert sum(track_id.startswith("loud") for track_id in ids[start : start + 10]) <= 2, ids


def test_a_library_of_one_artist_is_kept_whole() -> None:
    artists = {track_id: ("Only",) for track_id in ("a", "b", "c", "d")}
    assert [pick.track_id for pick in mix(["a", "b"], ["c", "d"], artists)] == ["a", "c", "b", "d"]


def test_nothing_in_makes_nothing_out() -> None:
    assert mix([], [], {}) == []
    assert _plain(mix([], ["b"], {})) == [("b", "invitee")]
