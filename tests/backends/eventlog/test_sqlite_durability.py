"""The SQLite event log across processes: a process killed mid-append loses nothing it had
acknowledged, and processes appending to one file at once get distinct, contiguous offsets."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from tonearm.backends.eventlog_sqlite import SqliteEventLog

ROOT = Path(__file__).resolve().parents[3]


def _appender(path: Path, name: str, batches: int) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tests.backends.eventlog.appender", str(path), name, str(batches)]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)


def _acknowledged(lines: list[str]) -> dict[str, int]:
    """Message id -> offset, from the appender's lines (a cut-off last line was never printed whole,
    so it was never acknowledged)."""
    acknowledged: dict[str, int] = {}
    for line in lines:
        if line.endswith("\n"):
            batch = json.loads(line)
            acknowledged.update(zip(batch["ids"], batch["offsets"], strict=True))
    return acknowledged


def _stored(path: Path) -> list[tuple[int, str]]:
    log = SqliteEventLog(path)
    try:
        return [(m.offset, m.id) for m in log.read("plays", after=0, limit=1_000_000)]
    finally:
        log.close()


def _kill_after(path: Path, name: str, lines: int) -> dict[str, int]:
    """Start an appender, SIGKILL it once it has acknowledged `lines` batches, while it is in the
    middle of the next; what it had acknowledged."""
    child = _appender(path, name, batches=0)
    assert child.stdout is not None
    with child.stdout:
        read = [child.stdout.readline() for _ in range(lines)]
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        # From the same buffered reader (communicate() would read the pipe past what it holds).
        read += child.stdout.readlines()
    return _acknowledged(read)


def test_a_process_killed_mid_append_loses_no_acknowledged_message(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    acknowledged: dict[str, int] = {}
    for round_ in range(5):
        acknowledged |= _kill_after(path, f"crash{round_}", lines=20)
        stored = _stored(path)
        offsets, ids = [offset for offset, _ in stored], [message_id for _, message_id in stored]
        assert offsets == list(range(1, len(stored) + 1))
        assert len(set(ids)) == len(ids)
        assert acknowledged.items() <= dict(zip(ids, offsets, strict=True)).items()
        # Only a batch in flight at a kill may be stored unacknowledged, and then all of it.
        assert (len(stored) - len(acknowledged)) % 20 == 0
        assert len(stored) - len(acknowledged) <= 20 * (round_ + 1)


def test_processes_appending_to_one_file_get_distinct_contiguous_offsets(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    children = [_appender(path, f"p{n}", batches=100) for n in range(4)]
    outputs = [child.communicate(timeout=30)[0] for child in children]
    assert [child.returncode for child in children] == [0, 0, 0, 0]
    answered = [_acknowledged(output.splitlines(keepends=True)) for output in outputs]

    every = [offset for acknowledged in answered for offset in acknowledged.values()]
    assert sorted(every) == list(range(1, 4 * 100 * 20 + 1))
    stored = {message_id: offset for offset, message_id in _stored(path)}
    for acknowledged in answered:
        assert acknowledged.items() <= stored.items()
    # The processes did overlap: some process's offsets are spread among another's.
    spans = [max(acknowledged.values()) - min(acknowledged.values()) + 1 for acknowledged in answered]
    assert max(spans) > 100 * 20
