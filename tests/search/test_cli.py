"""`tonearm search reindex` and `tonearm catalog takedown|restore`, run as commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.catalog_factory import make_track, publish
from tests.search.test_replica import follow, names
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work
from tonearm.runtime import open_runtime
from tonearm.search.replica import SearchReplica

TONEARM = str(Path(sys.executable).parent / "tonearm")


def tonearm(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TONEARM_DATA_DIR": str(data_dir)}
    return subprocess.run([TONEARM, *args], env=env, capture_output=True, text=True, timeout=60)


def test_reindex_then_takedown_and_restore(tmp_path: Path) -> None:
    runtime = open_runtime(Settings(data_dir=tmp_path))
    with unit_of_work(runtime.session_factory) as session:
        [track_id] = publish(session, make_track("Command Line Song", artist_names=("Shell",)))
    done = tonearm(tmp_path, "search", "reindex")
    assert done.returncode == 0, done.stderr
    assert "indexed 4 documents" in done.stdout
    replica = SearchReplica(tmp_path / "search", runtime.session_factory, runtime.event_log)
    follow(replica)
    assert names(replica, "command line") == ["Command Line Song"]

    # A command writes its event to the outbox; a server's relay (here, `follow`) sends it on.
    down = tonearm(tmp_path, "catalog", "takedown", f"tonearm:track:{track_id}", "--territory", "SE")
    assert down.returncode == 0 and "taken down" in down.stdout
    follow(replica)
    assert names(replica, "command line", market="SE") == []
    assert names(replica, "command line", market="NO") == ["Command Line Song"]
    assert tonearm(tmp_path, "catalog", "restore", track_id).returncode == 0
    follow(replica)
    assert names(replica, "command line", market="SE") == ["Command Line Song"]
    runtime.close()


def test_takedown_of_an_unknown_or_malformed_id_says_so(tmp_path: Path) -> None:
    unknown = tonearm(tmp_path, "catalog", "takedown", "0" * 22)
    assert unknown.returncode == 1 and f"track '{'0' * 22}' not found" in unknown.stderr
    malformed = tonearm(tmp_path, "catalog", "takedown", "nope")
    assert malformed.returncode == 1 and "invalid track id" in malformed.stderr


def test_catalog_allow_opens_a_premium_first_window(tmp_path: Path) -> None:
    from tonearm.catalog.service import catalog
    from tonearm.kit.rights import Audience

    runtime = open_runtime(Settings(data_dir=tmp_path))
    with unit_of_work(runtime.session_factory) as session:
        [track_id] = publish(session, make_track("Premiere", territories=("JP",)))
    opened = tonearm(tmp_path, "catalog", "allow", track_id, "--territory", "SE", "--premium-only")
    assert opened.returncode == 0 and "for premium listeners" in opened.stdout, opened.stderr
    with unit_of_work(runtime.session_factory) as session:
        free = catalog.get_track(session, track_id, base="", market="SE", audience=Audience(product="free"))
        premium = catalog.get_track(
            session, track_id, base="", market="SE", audience=Audience(product="premium")
        )
    assert free.restrictions is not None and free.restrictions.reason == "product"
    assert premium.is_playable is True
    backwards = tonearm(tmp_path, "catalog", "allow", track_id, "--from", "2030-01-02", "--to", "2030-01-01")
    assert backwards.returncode == 1 and "must end after it starts" in backwards.stderr
    runtime.close()
