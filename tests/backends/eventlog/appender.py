"""A child process for the SQLite durability tests: appends batches to a log file and prints, for
each acknowledged batch, one JSON line of its ids and offsets; stops after `batches` (0: never).

    python -m tests.backends.eventlog.appender PATH NAME BATCHES
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

from tonearm.backends.eventlog import Outgoing
from tonearm.backends.eventlog_sqlite import SqliteEventLog

BATCH = 20


def main(path: Path, name: str, batches: int) -> None:
    log = SqliteEventLog(path)
    numbers = range(batches) if batches else itertools.count()
    for number in numbers:
        ids = [f"{name}-{number}-{n}" for n in range(BATCH)]
        answers = log.append("plays", [Outgoing(id=i, type="t", payload=i.encode() * 10) for i in ids])
        line = {"ids": ids, "offsets": [a.offset for a in answers]}
        # Printed only once the append returned: a line on stdout is an acknowledged batch.
        print(json.dumps(line), flush=True)
    log.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]))
