"""One suite over every event log adapter (SQLite and NATS JetStream), so they cannot drift apart:
each rule of `tonearm.backends.eventlog` and each method of its Protocol."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from tests.backends.eventlog.conftest import NATS_URL, OpenLog
from tonearm.backends.eventlog import (
    Appended,
    ConsumerPosition,
    EventLog,
    Outgoing,
    Retention,
    TopicStatus,
    open_event_log,
)
from tonearm.errors import BackendError


def _outgoing(*ids: str, size: int = 8) -> list[Outgoing]:
    return [Outgoing(id=i, type="playback.progressed", payload=i.encode().ljust(size, b".")) for i in ids]


def _numbered(first: int, last: int, size: int = 8) -> list[Outgoing]:
    return _outgoing(*(f"m-{n}" for n in range(first, last + 1)), size=size)


def _answered(answers: list[Appended]) -> list[tuple[int, bool]]:
    """(offset, duplicate) per message, short to compare."""
    return [(answer.offset, answer.duplicate) for answer in answers]


def _status(log: EventLog, topic: str) -> TopicStatus:
    return next(status for status in log.status() if status.topic == topic)


def _offsets(log: EventLog, topic: str, after: int = 0) -> list[int]:
    return [message.offset for message in log.read(topic, after=after)]


def _retained(log: EventLog, topic: str, done: Callable[[TopicStatus], bool]) -> TopicStatus:
    """The topic once retention has been applied: on `enforce_retention` where the log trims on
    request, within a short wait where the server trims by itself."""
    deadline = time.monotonic() + 3
    while True:
        log.enforce_retention(topic)
        status = _status(log, topic)
        if done(status) or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def _later(seconds: float, action: Callable[[], object]) -> threading.Thread:
    def run() -> None:
        time.sleep(seconds)
        action()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


# -- offsets and appends --------------------------------------------------------------------------


def test_the_log_implements_the_protocol(log: EventLog) -> None:
    assert isinstance(log, EventLog)


def test_offsets_run_from_1_in_append_order_with_one_answer_per_message(log: EventLog) -> None:
    assert _answered(log.append("plays", _numbered(1, 3))) == [(1, False), (2, False), (3, False)]
    assert _answered(log.append("plays", _numbered(4, 5))) == [(4, False), (5, False)]
    messages = log.read("plays", after=0)
    assert [(m.offset, m.id) for m in messages] == [(n, f"m-{n}") for n in range(1, 6)]
    assert {(m.topic, m.type) for m in messages} == {("plays", "playback.progressed")}
    assert messages[0].payload == b"m-1....."


def test_a_message_keeps_its_payload_type_and_a_utc_store_time(log: EventLog) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    started = Outgoing(id="a", type="playback.started", payload=b'{"x": 1}')
    log.append("plays", [started, *_outgoing("b", size=0)])
    first, second = log.read("plays", after=0)
    assert (first.type, first.payload, second.payload) == ("playback.started", b'{"x": 1}', b"b")
    assert first.stored_at.utcoffset() == timedelta(0)
    assert before <= first.stored_at <= second.stored_at <= datetime.now(UTC) + timedelta(seconds=1)


def test_an_empty_append_stores_nothing(log: EventLog) -> None:
    assert log.append("plays", []) == []
    assert log.read("plays", after=0) == []


def test_appending_to_an_unknown_topic_creates_it_keeping_everything(log: EventLog) -> None:
    log.append("fresh", _numbered(1, 2))
    status = _status(log, "fresh")
    assert (status.first_offset, status.last_offset, status.messages) == (1, 2, 2)
    assert status.retention == Retention()


def test_a_duplicate_id_in_one_batch_is_answered_with_the_earlier_offset(log: EventLog) -> None:
    answers = _answered(log.append("plays", _outgoing("a", "b", "a", "c", "b")))
    assert answers == [(1, False), (2, False), (1, True), (3, False), (2, True)]
    assert [m.id for m in log.read("plays", after=0)] == ["a", "b", "c"]


def test_a_duplicate_id_in_a_later_batch_is_answered_with_the_earlier_offset(log: EventLog) -> None:
    log.append("plays", _outgoing("a", "b"))
    assert _answered(log.append("plays", _outgoing("b", "c", "a"))) == [(2, True), (3, False), (1, True)]
    # Duplicates take no offset: the next message follows on.
    assert log.append("plays", _outgoing("d")) == [Appended(4, False)]
    assert _offsets(log, "plays") == [1, 2, 3, 4]


def test_another_log_on_the_same_url_sees_acknowledged_appends_and_their_ids(open_log: OpenLog) -> None:
    writer, other = open_log(), open_log()
    writer.append("plays", _outgoing("a", "b"))
    assert [m.id for m in other.read("plays", after=0)] == ["a", "b"]
    assert other.append("plays", _outgoing("b", "c")) == [Appended(2, True), Appended(3, False)]
    assert writer.append("plays", _outgoing("c")) == [Appended(3, True)]


def test_concurrent_appends_from_threads_get_distinct_contiguous_offsets(open_log: OpenLog) -> None:
    logs = [open_log(), open_log()]
    answers: list[list[Appended]] = []
    start = threading.Barrier(6)

    def append(worker: int) -> None:
        start.wait()
        for batch in range(10):
            ids = [f"{worker}-{batch}-{n}" for n in range(5)]
            answers.append(logs[worker % 2].append("plays", _outgoing(*ids)))

    workers = [threading.Thread(target=append, args=(worker,)) for worker in range(6)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    offsets = sorted(answer.offset for batch in answers for answer in batch)
    assert offsets == list(range(1, 301))
    # Each batch is stored in order, whatever ran in between.
    assert all([a.offset for a in batch] == sorted(a.offset for a in batch) for batch in answers)
    assert _offsets(logs[0], "plays") == list(range(1, 301))


def test_topics_are_kept_apart(log: EventLog) -> None:
    log.append("plays", _outgoing("a", "b"))
    assert log.append("skips", _outgoing("a")) == [Appended(1, False)]
    assert [m.id for m in log.read("skips", after=0)] == ["a"]
    assert [s.topic for s in log.status()] == ["plays", "skips"]


# -- reading and waiting --------------------------------------------------------------------------


def test_read_returns_messages_after_an_offset_oldest_first_up_to_the_limit(log: EventLog) -> None:
    log.append("plays", _numbered(1, 10))
    assert _offsets(log, "plays", after=3)[:4] == [4, 5, 6, 7]
    assert [m.offset for m in log.read("plays", after=3, limit=4)] == [4, 5, 6, 7]
    assert [m.offset for m in log.read("plays", after=7, limit=4)] == [8, 9, 10]
    assert log.read("plays", after=0, limit=0) == []


def test_reading_past_the_head_returns_only_what_arrives_beyond_the_offset(log: EventLog) -> None:
    log.append("plays", _numbered(1, 3))
    assert log.read("plays", after=3) == []
    assert log.read("plays", after=5) == []
    assert not log.wait("plays", after=5, timeout=0.2)
    log.append("plays", _numbered(4, 5))
    # Offsets 4 and 5 are not above 5: still nothing, and no hang.
    assert not log.wait("plays", after=5, timeout=0.2)
    assert log.read("plays", after=5) == []
    log.append("plays", _numbered(6, 7))
    assert log.wait("plays", after=5, timeout=2)
    assert _offsets(log, "plays", after=5) == [6, 7]


def test_an_unknown_topic_reads_empty_and_waits_in_vain(log: EventLog) -> None:
    assert log.read("nothing", after=0) == []
    assert not log.wait("nothing", after=0, timeout=0.1)
    assert log.offset_at("nothing", datetime.now(UTC)) == 0
    assert log.position("group", "nothing") == 0


def test_wait_answers_at_once_when_a_message_is_already_there(log: EventLog) -> None:
    log.append("plays", _numbered(1, 2))
    started = time.monotonic()
    assert log.wait("plays", after=1, timeout=5)
    assert time.monotonic() - started < 1
    # Waiting does not consume: the message is still read.
    assert _offsets(log, "plays", after=1) == [2]


def test_wait_wakes_when_another_thread_appends(log: EventLog) -> None:
    log.append("plays", _numbered(1, 1))
    started = time.monotonic()
    appender = _later(0.2, lambda: log.append("plays", _numbered(2, 2)))
    assert log.wait("plays", after=1, timeout=5)
    appender.join()
    assert 0.15 < time.monotonic() - started < 2
    assert _offsets(log, "plays", after=1) == [2]


def test_wait_wakes_when_another_log_on_the_same_url_appends(open_log: OpenLog) -> None:
    waiter, writer = open_log(), open_log()
    started = time.monotonic()
    appender = _later(0.2, lambda: writer.append("plays", _numbered(1, 1)))
    assert waiter.wait("plays", after=0, timeout=5)
    appender.join()
    assert time.monotonic() - started < 2


def test_wait_times_out_without_an_append(log: EventLog) -> None:
    log.append("plays", _numbered(1, 1))
    started = time.monotonic()
    assert not log.wait("plays", after=1, timeout=0.3)
    assert 0.29 < time.monotonic() - started < 1.5
    assert not log.wait("plays", after=1, timeout=0)


# -- time -----------------------------------------------------------------------------------------


def test_offset_at_is_the_offset_before_the_first_message_stored_at_or_after_a_time(log: EventLog) -> None:
    before = datetime.now(UTC)
    log.append("plays", _numbered(1, 3))
    between = datetime.now(UTC)
    time.sleep(0.01)
    log.append("plays", _numbered(4, 5))
    assert log.offset_at("plays", before - timedelta(hours=1)) == 0
    assert log.offset_at("plays", between) == 3
    assert log.offset_at("plays", datetime.now(UTC) + timedelta(hours=1)) == 5
    # A naive time is UTC, as stored_at is.
    assert log.offset_at("plays", between.replace(tzinfo=None)) == 3


def test_replaying_after_offset_at_a_messages_store_time_includes_it(log: EventLog) -> None:
    for n in range(1, 21):
        log.append("plays", _numbered(n, n))
    for message in log.read("plays", after=0):
        replay = log.read("plays", after=log.offset_at("plays", message.stored_at))
        assert message.offset in [m.offset for m in replay]


# -- consumer groups ------------------------------------------------------------------------------


def test_a_new_group_starts_at_position_0(log: EventLog) -> None:
    log.append("plays", _numbered(1, 3))
    assert log.position("stats", "plays") == 0


def test_commit_moves_the_position_forward_only(log: EventLog) -> None:
    log.append("plays", _numbered(1, 5))
    log.commit("stats", "plays", 3)
    assert log.position("stats", "plays") == 3
    # A late commit from a slower worker does not move it back.
    log.commit("stats", "plays", 2)
    assert log.position("stats", "plays") == 3
    log.commit("stats", "plays", 5)
    assert log.position("stats", "plays") == 5


def test_seek_moves_the_position_backwards_too(log: EventLog) -> None:
    log.append("plays", _numbered(1, 5))
    log.commit("stats", "plays", 4)
    log.seek("stats", "plays", 1)
    assert log.position("stats", "plays") == 1
    assert _offsets(log, "plays", after=log.position("stats", "plays")) == [2, 3, 4, 5]
    log.seek("stats", "plays", 0)
    assert log.position("stats", "plays") == 0
    log.seek("stats", "plays", 3)
    assert log.position("stats", "plays") == 3


def test_groups_keep_separate_positions(log: EventLog) -> None:
    log.append("plays", _numbered(1, 5))
    log.commit("stats", "plays", 2)
    log.commit("history", "plays", 4)
    assert (log.position("stats", "plays"), log.position("history", "plays")) == (2, 4)


def test_another_log_on_the_same_url_shares_group_positions(open_log: OpenLog) -> None:
    first, second = open_log(), open_log()
    first.append("plays", _numbered(1, 5))
    first.commit("stats", "plays", 3)
    assert second.position("stats", "plays") == 3
    second.commit("stats", "plays", 1)
    assert first.position("stats", "plays") == 3


def test_a_position_past_the_head_is_clamped_to_the_head(log: EventLog) -> None:
    log.append("plays", _numbered(1, 3))
    log.commit("stats", "plays", 10)
    assert log.position("stats", "plays") == 3
    log.seek("history", "plays", 99)
    assert log.position("history", "plays") == 3


def test_a_position_on_an_empty_topic_stays_at_0(log: EventLog) -> None:
    log.ensure_topic("plays")
    log.seek("stats", "plays", 5)
    assert log.position("stats", "plays") == 0


def test_a_negative_offset_is_an_error(log: EventLog) -> None:
    log.append("plays", _numbered(1, 3))
    with pytest.raises(ValueError, match="offset"):
        log.commit("stats", "plays", -1)
    with pytest.raises(ValueError, match="offset"):
        log.seek("stats", "plays", -1)


# -- retention ------------------------------------------------------------------------------------


def test_age_retention_drops_the_messages_older_than_max_age(log: EventLog) -> None:
    log.ensure_topic("plays", Retention(max_age_seconds=1.0))
    log.append("plays", _numbered(1, 3))
    time.sleep(1.05)
    log.append("plays", _numbered(4, 5))
    dropped = log.enforce_retention("plays")
    # SQLite trims when asked; JetStream trims by itself and answers 0.
    assert dropped in (0, 3)
    status = _retained(log, "plays", lambda s: s.first_offset > 1)
    assert (status.first_offset, status.last_offset, status.messages) == (4, 5, 2)
    assert _offsets(log, "plays") == [4, 5]


def test_offsets_are_not_reused_once_retention_has_emptied_a_topic(log: EventLog) -> None:
    log.ensure_topic("plays", Retention(max_age_seconds=0.3))
    log.append("plays", _numbered(1, 2))
    time.sleep(0.35)
    status = _retained(log, "plays", lambda s: s.messages == 0)
    assert (status.first_offset, status.last_offset, status.messages, status.bytes) == (3, 2, 0, 0)
    assert log.append("plays", _numbered(3, 3)) == [Appended(3, False)]


def test_size_retention_keeps_the_newest_messages_within_max_bytes(log: EventLog) -> None:
    log.ensure_topic("plays", Retention(max_bytes=4000))
    for n in range(1, 11):
        log.append("plays", _numbered(n, n, size=1000))
    status = _retained(log, "plays", lambda s: s.bytes <= 4000)
    # JetStream counts whole stored messages (subject and headers too), SQLite payloads only, so
    # how many fit differs; either way the oldest went and the newest stayed.
    assert status.bytes <= 4000
    assert status.last_offset == 10
    assert 2 <= status.messages <= 4
    assert status.first_offset == 11 - status.messages
    assert _offsets(log, "plays") == list(range(status.first_offset, 11))


def test_a_reader_behind_retention_reads_from_the_first_offset_and_can_count_what_it_missed(
    log: EventLog,
) -> None:
    log.ensure_topic("plays", Retention(max_age_seconds=1.0))
    log.append("plays", _numbered(1, 3))
    log.commit("stats", "plays", 1)
    time.sleep(1.05)
    log.append("plays", _numbered(4, 5))
    first = _retained(log, "plays", lambda s: s.first_offset > 1).first_offset
    position = log.position("stats", "plays")
    assert position == 1
    messages = log.read("plays", after=position)
    assert [m.offset for m in messages] == [4, 5]
    assert messages[0].offset - (position + 1) == first - position - 1 == 2
    # A group placed below what is retained sits just before the oldest.
    log.seek("history", "plays", 1)
    assert log.position("history", "plays") == 3


def test_ensure_topic_sets_the_retention_of_an_existing_topic_and_keeps_its_messages(log: EventLog) -> None:
    log.ensure_topic("plays")
    log.append("plays", _numbered(1, 3))
    log.ensure_topic("plays", Retention(max_age_seconds=3600, max_bytes=1_000_000))
    log.ensure_topic("plays", Retention(max_age_seconds=3600, max_bytes=1_000_000))
    status = _status(log, "plays")
    assert status.retention == Retention(max_age_seconds=3600, max_bytes=1_000_000)
    assert status.messages == 3
    log.ensure_topic("plays")
    assert _status(log, "plays").retention == Retention()


def test_enforcing_retention_on_a_topic_that_keeps_everything_drops_nothing(log: EventLog) -> None:
    log.append("plays", _numbered(1, 3))
    assert log.enforce_retention("plays") == 0
    assert log.enforce_retention("nothing") == 0
    assert _offsets(log, "plays") == [1, 2, 3]


# -- reports --------------------------------------------------------------------------------------


def test_status_shows_each_topics_offsets_size_and_retention(log: EventLog) -> None:
    log.ensure_topic("empty", Retention(max_age_seconds=60))
    log.append("plays", _numbered(1, 4, size=100))
    empty, plays = log.status()
    assert empty == TopicStatus("empty", 1, 0, 0, 0, Retention(max_age_seconds=60))
    assert (plays.topic, plays.first_offset, plays.last_offset, plays.messages) == ("plays", 1, 4, 4)
    # At least the payloads; JetStream adds what it stores with them.
    assert 400 <= plays.bytes < 1000
    assert plays.retention == Retention()


def test_consumers_show_each_groups_position_and_lag(log: EventLog) -> None:
    log.append("plays", _numbered(1, 5))
    log.append("skips", _numbered(1, 2))
    log.commit("stats", "plays", 2)
    log.commit("history", "plays", 5)
    log.seek("stats", "skips", 0)
    assert log.consumers() == [
        ConsumerPosition("history", "plays", 5, 0),
        ConsumerPosition("stats", "plays", 2, 3),
        ConsumerPosition("stats", "skips", 0, 2),
    ]
    log.append("plays", _numbered(6, 7))
    assert [c.lag for c in log.consumers()] == [2, 5, 2]


def test_lag_counts_only_retained_messages(log: EventLog) -> None:
    log.ensure_topic("plays", Retention(max_age_seconds=1.0))
    log.append("plays", _numbered(1, 3))
    log.seek("stats", "plays", 0)
    time.sleep(1.05)
    log.append("plays", _numbered(4, 5))
    _retained(log, "plays", lambda s: s.first_offset > 1)
    assert log.consumers() == [ConsumerPosition("stats", "plays", 0, 2)]


# -- names, options and lifecycle -----------------------------------------------------------------

BAD_NAMES = ["", "Plays", "plays.eu", "plays eu", "plays*", ">", "x" * 65, "spielt-ä"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_bad_topic_name_is_a_value_error(log: EventLog, name: str) -> None:
    calls: list[Callable[[], object]] = [
        lambda: log.ensure_topic(name),
        lambda: log.append(name, _outgoing("a")),
        lambda: log.read(name, after=0),
        lambda: log.wait(name, after=0, timeout=0),
        lambda: log.offset_at(name, datetime.now(UTC)),
        lambda: log.position("stats", name),
        lambda: log.commit("stats", name, 1),
        lambda: log.seek("stats", name, 1),
        lambda: log.enforce_retention(name),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="topic name"):
            call()


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_bad_group_name_is_a_value_error(log: EventLog, name: str) -> None:
    log.append("plays", _outgoing("a"))
    for call in (
        lambda: log.position(name, "plays"),
        lambda: log.commit(name, "plays", 1),
        lambda: log.seek(name, "plays", 1),
    ):
        with pytest.raises(ValueError, match="group name"):
            call()


def test_names_at_the_limits_are_accepted(log: EventLog) -> None:
    name = "a-z_0-9" + "x" * 57
    assert log.append(name, _outgoing("a")) == [Appended(1, False)]
    log.commit(name, name, 1)
    assert log.position(name, name) == 1


def _with_query(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}"


def test_an_unknown_url_option_is_an_error_naming_the_known_ones(event_log_url: str) -> None:
    with pytest.raises(ValueError, match=r"unknown event log option\(s\) \['colour'\].*known: "):
        open_event_log(_with_query(event_log_url, "colour=blue"))


def test_a_dedupe_window_that_is_not_seconds_is_an_error_naming_it(event_log_url: str) -> None:
    with pytest.raises(ValueError, match="dedupe_window='soon'"):
        open_event_log(_with_query(event_log_url, "dedupe_window=soon"))
    with pytest.raises(ValueError, match="dedupe_window must be positive"):
        open_event_log(_with_query(event_log_url, "dedupe_window=0"))


def test_an_unknown_scheme_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="known: nats, sqlite"):
        open_event_log("kafka://127.0.0.1:9092")


def test_a_bad_nats_prefix_is_an_error() -> None:
    with pytest.raises(ValueError, match="prefix 'Bench_1'"):
        open_event_log(f"{NATS_URL}?prefix=Bench_1")


def test_an_sqlite_url_must_name_a_file() -> None:
    with pytest.raises(ValueError, match="names a file"):
        open_event_log("sqlite:///:memory:")


def test_a_closed_log_raises_backend_error(open_log: OpenLog) -> None:
    log = open_log()
    log.append("plays", _outgoing("a"))
    log.close()
    with pytest.raises(BackendError, match="closed"):
        log.append("plays", _outgoing("b"))
    with pytest.raises(BackendError, match="closed"):
        log.read("plays", after=0)
    log.close()
