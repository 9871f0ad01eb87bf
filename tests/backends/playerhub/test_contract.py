"""One suite over every player hub adapter (in process and Redis), so they cannot drift apart."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from tonearm.backends.playerhub import PlayerHub, open_player_hub


def _open(request: pytest.FixtureRequest) -> PlayerHub:
    url = "memory://" if request.param == "memory" else request.getfixturevalue("redis_url")
    return open_player_hub(url)


@pytest.fixture(params=["memory", "redis"])
def hub(request: pytest.FixtureRequest) -> Iterator[PlayerHub]:
    opened = _open(request)
    yield opened
    opened.close()


def _heard(hub: PlayerHub) -> tuple[list[tuple[str, bytes]], threading.Event]:
    heard: list[tuple[str, bytes]] = []
    arrived = threading.Event()

    def deliver(topic: str, message: bytes) -> None:
        heard.append((topic, message))
        arrived.set()

    hub.listen(deliver)
    return heard, arrived


def test_the_hub_implements_the_protocol(hub: PlayerHub) -> None:
    assert isinstance(hub, PlayerHub)


def test_an_absent_key_reads_as_none(hub: PlayerHub) -> None:
    assert hub.read("state:nobody") is None


def test_the_first_write_expects_version_0_and_makes_version_1(hub: PlayerHub) -> None:
    assert hub.write("state:ada", b'{"a":1}', expected=0)
    found = hub.read("state:ada")
    assert found is not None and found.version == 1 and found.value == b'{"a":1}'


def test_a_write_naming_a_stale_version_changes_nothing(hub: PlayerHub) -> None:
    hub.write("state:ada", b"one", expected=0)
    hub.write("state:ada", b"two", expected=1)
    assert not hub.write("state:ada", b"lost", expected=1)
    assert not hub.write("state:ada", b"lost", expected=0)
    found = hub.read("state:ada")
    assert found is not None and (found.version, found.value) == (2, b"two")


def test_delete_forgets_a_key_and_an_absent_one_is_no_error(hub: PlayerHub) -> None:
    hub.write("state:ada", b"one", expected=0)
    hub.delete("state:ada")
    hub.delete("state:never")
    assert hub.read("state:ada") is None
    assert hub.write("state:ada", b"again", expected=0)


def test_a_key_with_a_ttl_expires(hub: PlayerHub) -> None:
    hub.write("session:x", b"v", expected=0, ttl_seconds=0.2)
    assert hub.read("session:x") is not None
    time.sleep(0.35)
    assert hub.read("session:x") is None


def test_concurrent_writers_never_lose_an_increment(hub: PlayerHub) -> None:
    def bump(times: int) -> None:
        for _ in range(times):
            while True:
                found = hub.read("counter")
                count = int(found.value) if found else 0
                if hub.write("counter", str(count + 1).encode(), expected=found.version if found else 0):
                    break

    workers = [threading.Thread(target=bump, args=(50,)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    found = hub.read("counter")
    assert found is not None and int(found.value) == 200 and found.version == 200


def test_a_published_message_reaches_the_listener_with_its_topic(hub: PlayerHub) -> None:
    heard, arrived = _heard(hub)
    time.sleep(0.1)  # Redis: the subscription is confirmed asynchronously
    hub.publish("user-1", b'{"type":"state"}')
    assert arrived.wait(5)
    assert heard == [("user-1", b'{"type":"state"}')]
    hub.stop_listening()


def test_after_stop_listening_nothing_more_is_delivered(hub: PlayerHub) -> None:
    heard, _arrived = _heard(hub)
    hub.stop_listening()
    hub.publish("user-1", b"late")
    time.sleep(0.3)
    assert heard == []


@pytest.mark.parametrize("hub", ["redis"], indirect=True)
def test_two_hubs_on_one_redis_share_state_and_messages(hub: PlayerHub, redis_url: str) -> None:
    other = open_player_hub(redis_url)
    try:
        heard, arrived = _heard(other)
        time.sleep(0.1)
        hub.write("state:ada", b"from one", expected=0)
        hub.publish("ada", b"changed")
        assert arrived.wait(5) and heard == [("ada", b"changed")]
        found = other.read("state:ada")
        assert found is not None and found.value == b"from one"
    finally:
        other.close()


def test_an_unknown_scheme_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="known: memory, redis"):
        open_player_hub("carrier-pigeon://coop")
