"""The player's state as pure values: how each command changes it, and the position read off
the clock."""

from __future__ import annotations

from tonearm.player.state import HISTORY_LENGTH, Entry, PlayerState

ALBUM = tuple(Entry(f"t{n}", 100_000) for n in range(5))
EXTRA = Entry("extra", 50_000)


def _playing(first: int = 0) -> PlayerState:
    return PlayerState(device_id="d").start(
        1000, context=ALBUM, context_uri="tonearm:album:x", first=first, position_ms=0
    )


def test_the_position_moves_with_the_clock_only_while_playing_and_stops_at_the_end() -> None:
    state = _playing()
    assert state.position_at(1000) == 0 and state.position_at(3500) == 2500
    assert state.position_at(10_000_000) == 100_000
    paused = state.at(3500, is_playing=False)
    assert paused.position_at(9000) == 2500


def test_next_plays_the_queue_first_then_the_context_where_it_was() -> None:
    state = _playing().enqueue(2000, EXTRA)
    after = state.advance(3000, ended=False)
    assert after.item == EXTRA and after.from_queue and after.queue == ()
    assert after.advance(4000, ended=False).item == ALBUM[1]
    assert after.history == ("t0",)


def test_the_end_of_the_context_stops_unless_repeating_it() -> None:
    last = _playing(first=4)
    stopped = last.advance(5000, ended=True)
    assert stopped.item == ALBUM[4] and not stopped.is_playing and stopped.position_ms == 0
    again = last.at(2000, repeat="context").advance(5000, ended=True)
    assert again.item == ALBUM[0] and again.is_playing


def test_repeat_track_replays_an_ended_track_but_a_skip_still_moves_on() -> None:
    state = _playing().at(2000, repeat="track")
    assert state.advance(3000, ended=True).item == ALBUM[0]
    assert state.advance(3000, ended=False).item == ALBUM[1]


def test_previous_goes_back_a_track_early_on_and_to_the_start_later() -> None:
    second = _playing(first=1)
    assert second.back(2000).item == ALBUM[0]
    restarted = second.back(10_000)
    assert restarted.item == ALBUM[1] and restarted.position_ms == 0
    assert _playing().back(1500).item == ALBUM[0]


def test_previous_from_a_queued_track_returns_it_to_the_head_of_the_queue() -> None:
    queued = _playing(first=2).enqueue(1500, EXTRA).advance(2000, ended=False)
    back = queued.back(2500)
    assert back.item == ALBUM[2] and back.queue == (EXTRA,)


def test_shuffle_keeps_the_current_track_first_and_every_track_once() -> None:
    state = _playing(first=3).set_shuffle(2000, True)
    assert state.order[0] == 3 and sorted(state.order) == list(range(5)) and state.index == 0
    unshuffled = state.set_shuffle(3000, False)
    assert unshuffled.order == tuple(range(5)) and unshuffled.index == 3


def test_transfer_keeps_the_position_queue_and_playing_unless_told() -> None:
    state = _playing().enqueue(1000, EXTRA)
    moved = state.transfer(6000, "other", play=None)
    assert moved.device_id == "other" and moved.position_ms == 5000 and moved.queue == (EXTRA,)
    assert moved.is_playing
    assert not state.transfer(6000, "other", play=False).is_playing


def test_history_keeps_the_last_fifty_tracks() -> None:
    state = _playing().at(1000, repeat="context")
    for moment in range(HISTORY_LENGTH + 10):
        state = state.advance(2000 + moment, ended=False)
    assert len(state.history) == HISTORY_LENGTH


def test_a_state_survives_its_json() -> None:
    state = _playing(first=2).enqueue(1500, EXTRA).set_shuffle(1600, True)
    assert PlayerState.from_json(state.as_json()) == state
