"""The player service: each user's devices and player state in the hub, every command checked
against them, and every change pushed to the user's device sockets with the command for the
device it concerns.

Stored per user: `devices:<user>` (what registered, and until when it is listed) and
`state:<user>` (a `PlayerState`). Pushed on the user's topic (their user id), as JSON:
`{"type": "devices", "devices": [...]}` and `{"type": "state", "state": {...}, "commands":
[{"device_id", "action", ...}]}`; a device acts on the commands naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from typing import Any

from tonearm.backends.playerhub import PlayerHub
from tonearm.errors import BadRequest
from tonearm.player.errors import (
    DeviceNotFound,
    NoActiveDevice,
    NothingToPlay,
    VolumeControlDisallowed,
)
from tonearm.player.state import MAX_QUEUE, Device, Entry, PlayerState, RepeatState
from tonearm.player.store import Store, now_ms

__all__ = ["ALIVE_MS", "HEARTBEAT_SECONDS", "PlayerService", "Start", "compact"]

# A live socket keeps its device listed this long, and renews it about every HEARTBEAT_SECONDS
# (each socket at its own moment): a process that dies without closing its sockets lets its
# devices go within ALIVE_MS. Renewals are writes: at 10,000 sockets, one every 30 s was 333
# writes a second, and the commands waiting behind them took a second at p99.
HEARTBEAT_SECONDS = 120
ALIVE_MS = 360_000
PUSHED_QUEUE = 50
# A position report within this of where the server has it changes nothing (and pushes nothing).
DRIFT_MS = 1000

Change = Callable[[PlayerState | None, dict[str, Device], int], PlayerState]
Observer = Callable[[str, PlayerState], None]


@dataclass(frozen=True)
class Start:
    """What to play: a context's playable tracks (in order), its URI, and the track to begin at."""

    context: tuple[Entry, ...]
    context_uri: str | None
    first: int


def compact(state: PlayerState, now: int) -> dict[str, Any]:
    """The state as sockets receive it: ids, not catalog objects; position as of `timestamp`."""
    return {
        "device_id": state.device_id,
        "track_id": state.item.track_id if state.item else None,
        "duration_ms": state.item.duration_ms if state.item else None,
        "from_queue": state.from_queue,
        "context_uri": state.context_uri,
        "position_ms": state.position_at(now),
        "timestamp": now,
        "is_playing": state.is_playing,
        "shuffle_state": state.shuffle,
        "repeat_state": state.repeat,
        "volume_percent": state.volume_percent,
        "queue": [entry.track_id for entry in state.upcoming(PUSHED_QUEUE)],
    }


class PlayerService:
    def __init__(
        self, hub: PlayerHub, *, grace_seconds: float = 30.0, clock: Callable[[], int] = now_ms
    ) -> None:
        self.store = Store(hub)
        self._grace_ms = round(grace_seconds * 1000)
        self._clock = clock
        self._observers: list[Observer] = []

    def observe(self, observer: Observer) -> None:
        """Call observer(user_id, state) after each change of a user's state."""
        self._observers.append(observer)

    # ---- devices ----

    def devices(self, user_id: str) -> list[Device]:
        now = self._clock()
        return [d for d in _devices(self.store.get(_devices_key(user_id))) if d.alive_until_ms > now]

    def listed(self, user_id: str) -> list[dict[str, Any]]:
        """The user's devices as sockets receive them."""
        return _listed(self.devices(user_id), self._clock())

    def connect(self, user_id: str, device: Device) -> None:
        alive = replace(device, alive_until_ms=self._clock() + ALIVE_MS)
        self._change_devices(user_id, lambda found: {**found, device.id: alive})

    def heartbeat(self, user_id: str, device_id: str) -> None:
        self._renew(user_id, device_id, ALIVE_MS)

    def disconnect(self, user_id: str, device_id: str) -> None:
        self._renew(user_id, device_id, self._grace_ms)

    def report_volume(self, user_id: str, device_id: str, volume_percent: int) -> None:
        """The device's own volume changed (its slider)."""
        self._set_device_volume(user_id, device_id, volume_percent)
        state = self.state(user_id)
        if state is not None and state.device_id == device_id:
            self._change(
                user_id, "report", lambda s, _d, now: _loaded(s).at(now, volume_percent=volume_percent)
            )

    def _renew(self, user_id: str, device_id: str, for_ms: int) -> None:
        until = self._clock() + for_ms

        def renew(found: dict[str, Device]) -> dict[str, Device]:
            device = found.get(device_id)
            return found if device is None else {**found, device_id: replace(device, alive_until_ms=until)}

        self._change_devices(user_id, renew)

    def _set_device_volume(self, user_id: str, device_id: str, volume_percent: int) -> None:
        def set_volume(found: dict[str, Device]) -> dict[str, Device]:
            device = found[device_id]
            return {**found, device_id: replace(device, volume_percent=volume_percent)}

        self._change_devices(user_id, set_volume)

    def _change_devices(self, user_id: str, change: Callable[[dict[str, Device]], dict[str, Device]]) -> None:
        now = self._clock()

        def stored(value: Any | None) -> Any:
            live = {d.id: d for d in _devices(value) if d.alive_until_ms > now}
            return [d.as_json() for d in change(live).values()]

        old, new = self.store.update(_devices_key(user_id), stored)
        if _listed(_devices(old), now) != _listed(_devices(new), now):
            self.store.publish(user_id, {"type": "devices", "devices": _listed(_devices(new), now)})

    # ---- state ----

    def state(self, user_id: str) -> PlayerState | None:
        found = self.store.get(_state_key(user_id))
        return None if found is None else PlayerState.from_json(found)

    def playback(self, user_id: str) -> tuple[PlayerState, Device] | None:
        """The state and its device, while that device is listed: what GET /me/player shows."""
        state = self.state(user_id)
        if state is None or state.device_id is None:
            return None
        device = next((d for d in self.devices(user_id) if d.id == state.device_id), None)
        return None if device is None else (state, device)

    def now(self) -> int:
        return self._clock()

    def play(
        self,
        user_id: str,
        *,
        device_id: str | None = None,
        start: Start | None = None,
        position_ms: int | None = None,
    ) -> PlayerState:
        def play(state: PlayerState | None, devices: dict[str, Device], now: int) -> PlayerState:
            target = _target(state, devices, device_id)
            base = (state or PlayerState(device_id=target)).transfer(now, target, play=None)
            if start is not None:
                _within(start.context[start.first], position_ms or 0)
                return base.start(
                    now,
                    context=start.context,
                    context_uri=start.context_uri,
                    first=start.first,
                    position_ms=position_ms or 0,
                )
            if base.item is None:
                if not base.queue:
                    raise NothingToPlay("nothing is loaded to resume: send context_uri or uris")
                return replace(base.advance(now, ended=False), is_playing=True)
            if position_ms is not None:
                base = base.seek(now, _within(base.item, position_ms))
            return base.at(now, is_playing=True)

        return self._change(user_id, "play", play)

    def pause(self, user_id: str, *, device_id: str | None = None) -> PlayerState:
        return self._command(user_id, "pause", device_id, lambda s, now: s.at(now, is_playing=False))

    def seek(self, user_id: str, position_ms: int, *, device_id: str | None = None) -> PlayerState:
        def seek(state: PlayerState, now: int) -> PlayerState:
            return state.seek(now, _within(_item(state), position_ms))

        return self._command(user_id, "seek", device_id, seek)

    def next(self, user_id: str, *, device_id: str | None = None) -> PlayerState:
        return self._command(user_id, "next", device_id, lambda s, now: s.advance(now, ended=False))

    def previous(self, user_id: str, *, device_id: str | None = None) -> PlayerState:
        return self._command(user_id, "previous", device_id, lambda s, now: s.back(now))

    def repeat(self, user_id: str, mode: RepeatState, *, device_id: str | None = None) -> PlayerState:
        return self._command(user_id, "repeat", device_id, lambda s, now: s.at(now, repeat=mode))

    def shuffle(self, user_id: str, on: bool, *, device_id: str | None = None) -> PlayerState:
        return self._command(user_id, "shuffle", device_id, lambda s, now: s.set_shuffle(now, on))

    def volume(self, user_id: str, volume_percent: int, *, device_id: str | None = None) -> PlayerState:
        def volume(state: PlayerState | None, devices: dict[str, Device], now: int) -> PlayerState:
            target = _target(state, devices, device_id)
            if not devices[target].supports_volume:
                raise VolumeControlDisallowed(f"device '{target}' does not let its volume be set")
            return _loaded(state, target).at(now, volume_percent=volume_percent)

        changed = self._change(user_id, "volume", volume)
        assert changed.device_id is not None
        self._set_device_volume(user_id, changed.device_id, volume_percent)
        return changed

    def enqueue(self, user_id: str, entry: Entry, *, device_id: str | None = None) -> PlayerState:
        def enqueue(state: PlayerState, now: int) -> PlayerState:
            if len(state.queue) >= MAX_QUEUE:
                raise BadRequest(f"the queue holds at most {MAX_QUEUE} tracks")
            return state.enqueue(now, entry)

        return self._command(user_id, "queue", device_id, enqueue)

    def transfer(self, user_id: str, device_id: str, *, play: bool | None) -> PlayerState:
        def transfer(state: PlayerState | None, devices: dict[str, Device], now: int) -> PlayerState:
            if device_id not in devices:
                raise DeviceNotFound(f"device '{device_id}' not found")
            return (state or PlayerState(device_id=device_id)).transfer(now, device_id, play=play)

        return self._change(user_id, "transfer", transfer)

    # ---- what devices report ----

    def report_position(
        self, user_id: str, device_id: str, *, track_id: str, position_ms: int, is_playing: bool
    ) -> None:
        """Where the active device really is (it buffered, or its listener paused it there)."""

        def report(state: PlayerState | None, _devices: dict[str, Device], now: int) -> PlayerState:
            state = _reporting(state, device_id, track_id)
            assert state.item is not None
            position = max(0, min(position_ms, state.item.duration_ms))
            close = abs(state.position_at(now) - position) < DRIFT_MS and state.is_playing == is_playing
            return (
                state
                if close
                else replace(state, position_ms=position, updated_at_ms=now, is_playing=is_playing)
            )

        self._report(user_id, "report", report)

    def report_ended(self, user_id: str, device_id: str, *, track_id: str) -> None:
        """The active device finished its track: the next one plays (or the context ends)."""

        def ended(state: PlayerState | None, _devices: dict[str, Device], now: int) -> PlayerState:
            return _reporting(state, device_id, track_id).advance(now, ended=True)

        self._report(user_id, "next", ended)

    def _report(self, user_id: str, action: str, change: Change) -> None:
        # A report from a device no longer active, or about a track no longer playing, is moot.
        with suppress(_Stale):
            self._change(user_id, action, change)

    def _command(
        self,
        user_id: str,
        action: str,
        device_id: str | None,
        change: Callable[[PlayerState, int], PlayerState],
    ) -> PlayerState:
        def command(state: PlayerState | None, devices: dict[str, Device], now: int) -> PlayerState:
            target = _target(state, devices, device_id)
            return change(_loaded(state, target).transfer(now, target, play=None), now)

        return self._change(user_id, action, command)

    def _change(self, user_id: str, action: str, change: Change) -> PlayerState:
        devices = {device.id: device for device in self.devices(user_id)}
        now = self._clock()
        changed: list[PlayerState] = []

        def stored(value: Any | None) -> Any:
            state = change(None if value is None else PlayerState.from_json(value), devices, now)
            changed[:] = [state]
            return state.as_json()

        old, new = self.store.update(_state_key(user_id), stored)
        state = changed[0]
        if old != new:
            before = None if old is None else PlayerState.from_json(old)
            self._push(user_id, before, state, action, now)
        return state

    def _push(self, user_id: str, old: PlayerState | None, new: PlayerState, action: str, now: int) -> None:
        commands = []
        if old is not None and old.device_id and old.device_id != new.device_id:
            commands.append({"device_id": old.device_id, "action": "stop"})
        if action != "report" and new.device_id:
            commands.append({"device_id": new.device_id, "action": action})
        self.store.publish(user_id, {"type": "state", "state": compact(new, now), "commands": commands})
        for observer in self._observers:
            observer(user_id, new)


class _Stale(Exception):
    """A device's report that no longer applies."""


def _reporting(state: PlayerState | None, device_id: str, track_id: str) -> PlayerState:
    if state is None or state.device_id != device_id or state.item is None or state.item.track_id != track_id:
        raise _Stale
    return state


def _target(state: PlayerState | None, devices: dict[str, Device], device_id: str | None) -> str:
    """The device a command acts on: the one named (if it is the user's and listed), else the
    active one."""
    if device_id is not None:
        if device_id not in devices:
            raise DeviceNotFound(f"device '{device_id}' not found")
        return device_id
    if state is None or state.device_id not in devices:
        raise NoActiveDevice("no active device: open a player, or name a device_id")
    return state.device_id


def _loaded(state: PlayerState | None, device_id: str | None = None) -> PlayerState:
    if state is None:
        if device_id is None:
            raise NoActiveDevice("no active device: open a player, or name a device_id")
        return PlayerState(device_id=device_id)
    return state


def _item(state: PlayerState) -> Entry:
    if state.item is None:
        raise NothingToPlay("nothing is playing")
    return state.item


def _within(entry: Entry, position_ms: int) -> int:
    if position_ms < 0:
        raise BadRequest("position_ms must be at least 0")
    if position_ms >= entry.duration_ms:
        raise BadRequest(
            f"position_ms {position_ms} is past the end of the track ({entry.duration_ms} ms long)"
        )
    return position_ms


def _devices(value: Any | None) -> list[Device]:
    return [Device.from_json(d) for d in value or ()]


def _listed(devices: list[Device], now: int) -> list[dict[str, Any]]:
    """Devices as pushed to sockets: what a devices menu shows (not their deadlines)."""
    return [
        {k: v for k, v in d.as_json().items() if k != "alive_until_ms"}
        for d in devices
        if d.alive_until_ms > now
    ]


def _devices_key(user_id: str) -> str:
    return f"devices:{user_id}"


def _state_key(user_id: str) -> str:
    return f"state:{user_id}"
