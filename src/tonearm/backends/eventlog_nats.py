"""Event log on NATS JetStream (nats:// URLs), shared by every process that reaches the server.

`nats://host:4222?prefix=name&dedupe_window=300` keeps each topic in a stream of its own,
`TONEARM_NAME_TOPIC` on subject `tonearm.name.topic` (without a prefix: `TONEARM_TOPIC` on
`tonearm.topic`), so deployments or test runs sharing a server stay apart. Offsets are the
stream's sequence numbers; the message id travels as `Nats-Msg-Id`, so the server de-duplicates,
and answers a duplicate with the first one's sequence. The server keeps ids for the
`dedupe_window` seconds only (300 unless told, and never longer than the topic's max age):
unlike SQLite, an id sent again after the window is a new message. `stored_at` is the server's
store time. Retention is the stream's MaxAge and MaxBytes, which the server enforces itself and
which counts whole stored messages (subject and headers too), not payload alone.

A group's position is a durable consumer of the topic's stream, named after the group: nobody
pulls from it, its start sequence is the position + 1, so `delivered` (or the ack floor, should
anything ack through it) is the position and `num_pending` the lag, as `nats consumer report`
shows. JetStream cannot move a consumer, so `commit` and `seek` re-create it.

nats-py is asyncio; one event loop on a daemon thread runs it and the methods here wait for it
with a bound, so the synchronous Protocol holds. A server that is down fails calls within a
couple of seconds with `BackendError`: publishing is never buffered while disconnected, and once
the client has given up reconnecting, the next call connects afresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Coroutine, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import orjson

from tonearm.backends.eventlog import (
    Appended,
    ConsumerPosition,
    Message,
    Outgoing,
    Retention,
    TopicStatus,
    check_name,
    event_logs,
)
from tonearm.errors import BackendError

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.aio.msg import Msg
    from nats.js import JetStreamContext
    from nats.js.api import ConsumerConfig, ConsumerInfo, StreamConfig, StreamInfo

__all__ = ["NatsEventLog"]

T = TypeVar("T")
log = logging.getLogger(__name__)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Any one exchange with the server; a call that needs several may take a few of these.
REQUEST_TIMEOUT = 2.0
_TYPE_HEADER = "Tonearm-Type"
_ID_HEADER = "Nats-Msg-Id"
_PREFIX_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
# Parked readers (ephemeral consumers) kept for the next read of the same topic and offset; one
# idle longer than the server's threshold for it is gone there, so it is not reused.
_READERS = 64
_READER_REUSE_SECONDS = 30.0
_READER_THRESHOLD_SECONDS = 120.0
# How often a long pull checks that the connection is still up.
_SLICE_SECONDS = 0.25
# JetStream error codes answered when creating what already exists, or finding what does not.
_STREAM_NAME_IN_USE = 10058


def _spawned_result(task: asyncio.Task[Any]) -> None:
    """Collects a background task's failure so it is logged here, not as 'never retrieved'."""
    if not task.cancelled() and task.exception() is not None:
        log.debug("event log background task failed: %r", task.exception())


class _Loop:
    """An asyncio loop on a daemon thread, which the caller threads hand coroutines to."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="tonearm-nats", daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float) -> T:
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result(timeout)
        except FutureTimeout:
            # Since 3.11 this is the builtin TimeoutError, so it is also what the coroutine itself
            # raised (a pull that went unanswered): only an unfinished future timed out here.
            if future.done():
                raise
            future.cancel()
            raise TimeoutError(f"no answer within {timeout:.1f} s") from None

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self.loop.close()


class _Acks:
    """The server's answers to one batch of publishes, each on the batch inbox + '.index'."""

    def __init__(self, count: int, inbox: str) -> None:
        self.answers: list[dict[str, Any] | None] = [None] * count
        self.done = asyncio.get_running_loop().create_future()
        self.missing_stream = False
        self._cut = len(inbox) + 1
        self._left = count

    async def on_ack(self, msg: Msg) -> None:
        if not msg.data:
            # A status (503: no stream takes the subject) rather than an ack.
            self.missing_stream = True
            self._finish()
            return
        self.answers[int(msg.subject[self._cut :])] = orjson.loads(msg.data)
        self._left -= 1
        if self._left == 0:
            self._finish()

    def _finish(self) -> None:
        if not self.done.done():
            self.done.set_result(None)


@dataclass
class _Reader:
    """An ephemeral consumer that has handed out every message up to `handed`; `buffered` holds
    messages already pulled past it (a `wait` that saw one keeps it for the next `read`)."""

    topic: str
    stream: str
    consumer: str
    handed: int
    buffered: list[Message] = field(default_factory=list)
    used: float = field(default_factory=time.monotonic)

    def take(self, limit: int) -> list[Message]:
        taken, self.buffered = self.buffered[:limit], self.buffered[limit:]
        if taken:
            self.handed = taken[-1].offset
        return taken


class _Pull:
    """The messages one pull request brings, up to the status that ends it; `full` when the
    server delivered the whole batch, so more may be waiting."""

    def __init__(self, reader: _Reader, batch: int) -> None:
        self.messages: list[Message] = []
        self.failure = ""
        self.full = False
        self.done = asyncio.get_running_loop().create_future()
        self._reader = reader
        self._batch = batch
        self._delivered = 0

    async def on_msg(self, msg: Msg) -> None:
        status = msg.headers.get("Status") if msg.headers else None
        if status is None:
            message = _message(self._reader.topic, msg)
            # A consumer started past the stream's end begins at its end: skip what was asked past.
            if message.offset > self._reader.handed:
                self.messages.append(message)
            # Skipped messages count too: the server sends no status after a full batch, so
            # waiting for `batch` kept ones would hang until the request timed out.
            self._delivered += 1
            if self._delivered < self._batch:
                return
            self.full = True
        elif status == "100":
            return
        elif status not in ("404", "408"):
            assert msg.headers is not None
            self.failure = f"{status} {msg.headers.get('Description', '')}"
        if not self.done.done():
            self.done.set_result(None)


def _message(topic: str, msg: Msg) -> Message:
    headers = msg.headers or {}
    return Message(
        topic=topic,
        offset=msg.metadata.sequence.stream,
        id=headers.get(_ID_HEADER, ""),
        type=headers.get(_TYPE_HEADER, ""),
        payload=msg.data,
        stored_at=_stored_at(msg),
    )


def _stored_at(msg: Msg) -> datetime:
    """The server's store time cut to the microsecond. nats-py's `metadata.timestamp` rounds the
    nanoseconds to the nearest microsecond, half the time past the true time; the server compares
    nanoseconds, so `offset_at(m.stored_at)` then answered m's own offset and skipped m."""
    from nats.aio.msg import Msg as NatsMsg

    assert msg.reply is not None
    tokens = msg.reply.split(".")
    # $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending> from
    # older servers; newer ones add the domain and account hash that Msg.Ack's indexes count.
    nanos = int(tokens[7] if len(tokens) == 9 else tokens[NatsMsg.Ack.Timestamp])
    return _EPOCH + timedelta(microseconds=nanos // 1000)


def _position_of(info: ConsumerInfo) -> int:
    """A group's position from its durable: the ack floor while anything delivered is unacked,
    else the last delivered (a consumer created at sequence n + 1 reports n delivered)."""
    floor, delivered = info.ack_floor, info.delivered
    if info.num_ack_pending and floor is not None:
        return floor.stream_seq
    return delivered.stream_seq if delivered is not None else 0


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class NatsEventLog:
    def __init__(self, servers: str, *, prefix: str = "", dedupe_window: float = 300.0) -> None:
        import nats.errors

        if prefix and (len(prefix) > 32 or not set(prefix) <= _PREFIX_CHARS):
            raise ValueError(f"event log prefix '{prefix[:40]}' must be 1-32 of a-z, 0-9 and '-'")
        if dedupe_window <= 0:
            raise ValueError(f"dedupe_window must be positive, got {dedupe_window}")
        self._servers = servers
        self._prefix = prefix
        self._dedupe_window = dedupe_window
        parts = urlsplit(servers)
        self._where = f"{parts.scheme}://{parts.hostname}:{parts.port or 4222}"
        self._errors = (nats.errors.Error, OSError, TimeoutError)
        self._loop = _Loop()
        self._nc: Client | None = None
        self._connecting: asyncio.Lock | None = None
        self._readers: OrderedDict[tuple[str, int], _Reader] = OrderedDict()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False

    # -- the synchronous Protocol ---------------------------------------------------------------

    def ensure_topic(self, topic: str, retention: Retention = Retention()) -> None:
        check_name(topic)
        self._call("ensure_topic", self._ensure(topic, retention, replace=True))

    def append(self, topic: str, messages: Sequence[Outgoing]) -> list[Appended]:
        """An unknown topic is created, keeping everything."""
        check_name(topic)
        if not messages:
            return []
        return self._call("append", self._append(topic, messages), extra=len(messages) / 5000)

    def read(self, topic: str, *, after: int, limit: int = 1000) -> list[Message]:
        check_name(topic)
        if limit <= 0:
            return []
        return self._call("read", self._read(topic, after, limit), extra=limit / 20_000)

    def wait(self, topic: str, *, after: int, timeout: float) -> bool:
        check_name(topic)
        return self._call("wait", self._wait(topic, after, max(timeout, 0.0)), extra=max(timeout, 0.0))

    def offset_at(self, topic: str, moment: datetime) -> int:
        check_name(topic)
        return self._call("offset_at", self._offset_at(topic, _utc(moment)))

    def position(self, group: str, topic: str) -> int:
        check_name(group, "group")
        check_name(topic)
        return self._call("position", self._position(group, topic))

    def commit(self, group: str, topic: str, offset: int) -> None:
        """Positions only move forward here (a late commit from a slower worker is ignored); an
        offset beyond the newest message is taken as the newest."""
        self._check_place(group, topic, offset)
        self._call("commit", self._commit(group, topic, offset))

    def seek(self, group: str, topic: str, offset: int) -> None:
        """The position is kept within what the topic holds, as with `commit`."""
        self._check_place(group, topic, offset)
        self._call("seek", self._place(group, topic, offset))

    def enforce_retention(self, topic: str) -> int:
        """The server trims streams by itself, so there is nothing to do here."""
        check_name(topic)
        return 0

    def status(self) -> list[TopicStatus]:
        return self._call("status", self._status())

    def consumers(self) -> list[ConsumerPosition]:
        return self._call("consumers", self._consumers())

    def delete_topic(self, topic: str) -> None:
        """Drop the topic's stream with its messages and groups (for tests and operators)."""
        check_name(topic)
        self._call("delete_topic", self._delete_topic(topic))

    def close(self) -> None:
        if self._closed:
            return
        with contextlib.suppress(*self._errors):
            self._loop.run(self._shutdown(), REQUEST_TIMEOUT + 1)
        self._closed = True
        self._loop.stop()

    @staticmethod
    def _check_place(group: str, topic: str, offset: int) -> None:
        check_name(group, "group")
        check_name(topic)
        if offset < 0:
            raise ValueError(f"an offset is 0 or more, got {offset}")

    def _call(self, action: str, coroutine: Coroutine[Any, Any, T], *, extra: float = 0.0) -> T:
        if self._closed:
            coroutine.close()
            raise BackendError(f"event log on {self._where} is closed")
        try:
            return self._loop.run(coroutine, 4 * REQUEST_TIMEOUT + extra)
        except self._errors as error:
            detail = str(error) or type(error).__name__
            raise BackendError(f"event log {action} failed on {self._where}: {detail}") from error

    # -- naming ---------------------------------------------------------------------------------

    def _stream(self, topic: str) -> str:
        return "_".join(["TONEARM", *([self._prefix] if self._prefix else []), topic]).upper()

    def _subject(self, topic: str) -> str:
        return ".".join(["tonearm", *([self._prefix] if self._prefix else []), topic])

    def _topic_of(self, info: StreamInfo) -> str | None:
        """The topic a stream holds, if it is one of this prefix's."""
        subjects, base = info.config.subjects or [], self._subject("")
        if len(subjects) != 1 or not subjects[0].startswith(base):
            return None
        topic = subjects[0][len(base) :]
        try:
            check_name(topic)
        except ValueError:
            return None
        return topic if info.config.name == self._stream(topic) else None

    # -- connection -----------------------------------------------------------------------------

    async def _js(self) -> JetStreamContext:
        return (await self._client()).jetstream(timeout=REQUEST_TIMEOUT)

    async def _client(self) -> Client:
        nc = self._nc
        if nc is None or nc.is_closed:
            if self._connecting is None:
                self._connecting = asyncio.Lock()
            async with self._connecting:
                if self._nc is None or self._nc.is_closed:
                    self._nc = await self._connect()
            nc = self._nc
        if not nc.is_connected:
            raise BackendError(f"event log on {self._where} is not connected (reconnecting)")
        return nc

    async def _connect(self) -> Client:
        import nats

        self._readers.clear()
        # Two quick attempts at each (re)connect, then the client closes and the next call
        # starts a new one: a call never waits on a reconnect loop. pending_size=0 refuses
        # publishes while disconnected instead of buffering them to send later, unanswered.
        return await nats.connect(
            servers=self._servers,
            name="tonearm-event-log",
            connect_timeout=1,
            reconnect_time_wait=0.5,
            max_reconnect_attempts=1,
            ping_interval=10,
            max_outstanding_pings=2,
            pending_size=0,
            drain_timeout=2,
            error_cb=self._on_error,
            disconnected_cb=self._forget_readers,
            reconnected_cb=self._forget_readers,
        )

    @staticmethod
    async def _on_error(error: Exception) -> None:
        # Each failure also fails the call that met it, as a BackendError; no need to shout here.
        log.debug("nats client: %r", error)

    async def _forget_readers(self) -> None:
        # After a reconnect the server may have lost the ephemeral consumers (a restart).
        self._readers.clear()

    def _spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(_spawned_result)

    async def _shutdown(self) -> None:
        nc, readers = self._nc, list(self._readers.values())
        self._readers.clear()
        if nc is None or nc.is_closed:
            return
        if nc.is_connected:
            js = nc.jetstream(timeout=REQUEST_TIMEOUT)
            await asyncio.gather(
                *(js.delete_consumer(r.stream, r.consumer) for r in readers),
                *self._tasks,
                return_exceptions=True,
            )
            with contextlib.suppress(*self._errors):
                await nc.drain()
        await nc.close()

    # -- streams --------------------------------------------------------------------------------

    def _stream_config(self, topic: str, retention: Retention) -> StreamConfig:
        from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig

        max_age = retention.max_age_seconds
        return StreamConfig(
            name=self._stream(topic),
            subjects=[self._subject(topic)],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            discard=DiscardPolicy.OLD,
            num_replicas=1,
            max_age=max_age,
            max_bytes=-1 if retention.max_bytes is None else retention.max_bytes,
            # The server requires the id window to fit within the age limit.
            duplicate_window=min(self._dedupe_window, max_age) if max_age else self._dedupe_window,
        )

    async def _ensure(self, topic: str, retention: Retention, *, replace: bool) -> None:
        """Create the topic's stream; with `replace`, set the retention of one that exists."""
        from nats.js.errors import BadRequestError

        js, config = await self._js(), self._stream_config(topic, retention)
        try:
            await js.add_stream(config)
        except BadRequestError as error:
            if error.err_code != _STREAM_NAME_IN_USE:
                raise
            existing = await js.stream_info(config.name or "")
            if existing.config.subjects != config.subjects:
                raise BackendError(f"stream {config.name} exists for other subjects") from error
            if replace:
                await js.update_stream(config)

    async def _delete_topic(self, topic: str) -> None:
        from nats.js.errors import NotFoundError

        for key in [key for key in self._readers if key[0] == topic]:
            del self._readers[key]
        with contextlib.suppress(NotFoundError):
            await (await self._js()).delete_stream(self._stream(topic))

    async def _our_streams(self) -> list[tuple[str, StreamInfo]]:
        js, found, offset = await self._js(), [], 0
        while page := await js.streams_info(offset):
            offset += len(page)
            found += [(topic, info) for info in page if (topic := self._topic_of(info)) is not None]
        return sorted(found, key=lambda pair: pair[0])

    async def _status(self) -> list[TopicStatus]:
        return [_topic_status(topic, info) for topic, info in await self._our_streams()]

    # -- appends --------------------------------------------------------------------------------

    async def _append(self, topic: str, messages: Sequence[Outgoing]) -> list[Appended]:
        nc = await self._client()
        answers = await self._publish(nc, topic, messages)
        if answers is None:
            # No stream takes the subject, so nothing was stored: create it and send again.
            await self._ensure(topic, Retention(), replace=False)
            answers = await self._publish(nc, topic, messages)
        if answers is None:
            raise BackendError(f"no stream stores {self._subject(topic)} on {self._where}")
        return answers

    async def _publish(self, nc: Client, topic: str, messages: Sequence[Outgoing]) -> list[Appended] | None:
        """Publish the whole batch before awaiting any ack: the server answers each in turn, and
        one round trip per batch instead of per message is what makes appends fast."""
        inbox, subject = nc.new_inbox(), self._subject(topic)
        acks = _Acks(len(messages), inbox)
        subscription = await nc.subscribe(f"{inbox}.*", cb=acks.on_ack)
        try:
            for index, message in enumerate(messages):
                headers = {_ID_HEADER: message.id, _TYPE_HEADER: message.type}
                await nc.publish(subject, message.payload, reply=f"{inbox}.{index}", headers=headers)
            await self._until(nc, acks.done, REQUEST_TIMEOUT + len(messages) / 5000)
        finally:
            await subscription.unsubscribe()
        return None if acks.missing_stream else [self._appended(answer) for answer in acks.answers]

    def _appended(self, answer: dict[str, Any] | None) -> Appended:
        if answer is None or "error" in answer:
            detail = answer["error"].get("description", answer["error"]) if answer else "no answer"
            raise BackendError(f"event log append refused on {self._where}: {detail}")
        return Appended(offset=int(answer["seq"]), duplicate=bool(answer.get("duplicate")))

    # -- reading --------------------------------------------------------------------------------

    async def _read(self, topic: str, after: int, limit: int) -> list[Message]:
        nc = await self._client()
        reader = await self._reader(topic, after)
        if reader is None:
            return []
        while len(reader.buffered) < limit:
            pull = await self._pull(nc, reader, limit - len(reader.buffered), expires=0.0)
            reader.buffered += pull.messages
            # A short batch is all there is; a full one short of `limit` skipped what was asked past.
            if not pull.full:
                break
        taken = reader.take(limit)
        self._park(reader)
        return taken

    async def _wait(self, topic: str, after: int, timeout: float) -> bool:
        nc, loop = await self._client(), asyncio.get_running_loop()
        deadline = loop.time() + timeout
        reader = await self._reader(topic, after)
        while reader is None and loop.time() < deadline:
            # The topic does not exist yet; look again until it does or time is up.
            await asyncio.sleep(min(_SLICE_SECONDS, deadline - loop.time()))
            reader = await self._reader(topic, after)
        if reader is None:
            return False
        while not reader.buffered:
            pull = await self._pull(nc, reader, 1, expires=deadline - loop.time())
            reader.buffered += pull.messages
            if loop.time() >= deadline:
                break
        self._park(reader)
        return bool(reader.buffered)

    async def _reader(self, topic: str, after: int) -> _Reader | None:
        """The parked reader positioned at `after`, or a new one; None when there is no topic."""
        reader = self._readers.pop((topic, after), None)
        if reader is not None and time.monotonic() - reader.used < _READER_REUSE_SECONDS:
            return reader
        if reader is not None:
            self._drop(reader)
        return await self._new_reader(topic, after)

    async def _new_reader(self, topic: str, after: int) -> _Reader | None:
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
        from nats.js.errors import NotFoundError

        config = ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
            opt_start_seq=after + 1,
            ack_policy=AckPolicy.NONE,
            inactive_threshold=_READER_THRESHOLD_SECONDS,
            mem_storage=True,
            num_replicas=1,
        )
        stream = self._stream(topic)
        try:
            info = await (await self._js()).add_consumer(stream, config)
        except NotFoundError:
            return None
        return _Reader(topic=topic, stream=stream, consumer=info.name, handed=after)

    def _park(self, reader: _Reader) -> None:
        reader.used = time.monotonic()
        key = (reader.topic, reader.handed)
        if key in self._readers:
            self._drop(self._readers.pop(key))
        self._readers[key] = reader
        while len(self._readers) > _READERS:
            self._drop(self._readers.popitem(last=False)[1])

    def _drop(self, reader: _Reader) -> None:
        async def delete() -> None:
            await (await self._js()).delete_consumer(reader.stream, reader.consumer)

        self._spawn(delete())

    async def _pull(self, nc: Client, reader: _Reader, batch: int, *, expires: float) -> _Pull:
        """A pull of up to `batch` messages: those there now (no `expires`), or the first to
        arrive within `expires` seconds. A reader that fails is not parked again, so it is never
        reused."""
        pull = _Pull(reader, batch)
        inbox = nc.new_inbox()
        subscription = await nc.subscribe(inbox, cb=pull.on_msg)
        request: dict[str, Any] = {"batch": batch}
        if expires >= 0.001:
            request["expires"] = int(expires * 1e9)
        else:
            request["no_wait"] = True
        try:
            await nc.publish(
                f"$JS.API.CONSUMER.MSG.NEXT.{reader.stream}.{reader.consumer}",
                orjson.dumps(request),
                reply=inbox,
            )
            await self._until(nc, pull.done, max(expires, 0.0) + REQUEST_TIMEOUT)
        except BaseException:
            self._drop(reader)
            raise
        finally:
            await subscription.unsubscribe()
        if pull.failure:
            raise BackendError(f"event log read failed on {self._where}: {pull.failure}")
        return pull

    async def _until(self, nc: Client, done: asyncio.Future[None], timeout: float) -> None:
        """Wait for `done`, but give up as soon as the connection drops."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not done.done():
            if not nc.is_connected:
                raise BackendError(f"event log lost its connection to {self._where}")
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"no answer from the server within {timeout:.1f} s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(done), min(remaining, _SLICE_SECONDS))

    async def _offset_at(self, topic: str, moment: datetime) -> int:
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
        from nats.js.errors import NotFoundError

        # A consumer asked to start at a time reports the sequence before its first as delivered.
        config = ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_TIME,
            opt_start_time=moment,
            ack_policy=AckPolicy.NONE,
            inactive_threshold=5.0,
            mem_storage=True,
            num_replicas=1,
        )
        js, stream = await self._js(), self._stream(topic)
        try:
            info = await js.add_consumer(stream, config)
        except NotFoundError:
            return 0
        self._spawn(js.delete_consumer(stream, info.name))
        return info.delivered.stream_seq if info.delivered else 0

    # -- consumer positions ---------------------------------------------------------------------

    async def _position(self, group: str, topic: str) -> int:
        from nats.js.errors import NotFoundError

        try:
            info = await (await self._js()).consumer_info(self._stream(topic), group)
        except NotFoundError:
            return 0
        return _position_of(info)

    async def _commit(self, group: str, topic: str, offset: int) -> None:
        if offset > await self._position(group, topic):
            await self._place(group, topic, offset)

    async def _place(self, group: str, topic: str, offset: int) -> None:
        """Re-create the group's durable to start after `offset` (the server keeps the start
        within the stream). A write creates an unknown topic, as `append` does."""
        from nats.js.errors import BadRequestError, NotFoundError

        js, stream, config = await self._js(), self._stream(topic), _durable(group, offset)
        for attempt in range(3):
            with contextlib.suppress(NotFoundError):
                await js.delete_consumer(stream, group)
            try:
                await js.add_consumer(stream, config)
                return
            except NotFoundError:
                await self._ensure(topic, Retention(), replace=False)
            except BadRequestError:
                # Another process re-created the group in between: delete theirs and try again.
                if attempt == 2:
                    raise
        raise BackendError(f"event log could not place group {group} on {self._where}")

    async def _consumers(self) -> list[ConsumerPosition]:
        js, found = await self._js(), []
        for topic, stream in await self._our_streams():
            for info in await js.consumers_info(stream.config.name or ""):
                if info.config.durable_name:
                    lag = (info.num_pending or 0) + (info.num_ack_pending or 0)
                    found.append(ConsumerPosition(info.config.durable_name, topic, _position_of(info), lag))
        return sorted(found, key=lambda c: (c.group, c.topic))


def _durable(group: str, offset: int) -> ConsumerConfig:
    from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

    # AckPolicy.ALL: should anything pull through the durable, one ack moves the position.
    return ConsumerConfig(
        durable_name=group,
        description=f"Tonearm consumer group {group}: its position is the ack floor",
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE if offset else DeliverPolicy.ALL,
        opt_start_seq=offset + 1 if offset else None,
        ack_policy=AckPolicy.ALL,
        headers_only=True,
    )


def _topic_status(topic: str, info: StreamInfo) -> TopicStatus:
    state, config = info.state, info.config
    max_bytes = config.max_bytes if config.max_bytes is not None and config.max_bytes >= 0 else None
    return TopicStatus(
        topic=topic,
        # An empty stream reports first 0 (never written) or last + 1 (emptied); either way the
        # Protocol's empty topic has first = last + 1.
        first_offset=state.first_seq if state.messages else state.last_seq + 1,
        last_offset=state.last_seq,
        messages=state.messages,
        bytes=state.bytes,
        retention=Retention(max_age_seconds=config.max_age or None, max_bytes=max_bytes),
    )


def _split_options(url: str) -> tuple[str, str, float]:
    """The server URL without Tonearm's own query options, the prefix and the dedupe window."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    prefix = query.pop("prefix", "")
    window = query.pop("dedupe_window", "300")
    if query:
        raise ValueError(
            f"unknown event log option(s) {sorted(query)} in '{url}'; known: prefix, dedupe_window"
        )
    try:
        seconds = float(window)
    except ValueError:
        raise ValueError(f"event log option dedupe_window={window!r} in '{url}' is not seconds") from None
    return urlunsplit(parts._replace(query="")), prefix, seconds


@event_logs.register("nats")
def _open(url: str) -> NatsEventLog:
    servers, prefix, window = _split_options(url)
    return NatsEventLog(servers, prefix=prefix, dedupe_window=window)
