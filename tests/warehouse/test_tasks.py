"""The hourly export job: yesterday and the 30 days before it, rewriting only what changed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from tests.warehouse.conftest import at, play, rows
from tonearm.config import Settings
from tonearm.kit.time import utcnow
from tonearm.warehouse import warehouse_root
from tonearm.warehouse.layout import partitions
from tonearm.warehouse.plugin import plugin
from tonearm.warehouse.tasks import ExportJob, export_recent, recent_days

NOW = utcnow()
YESTERDAY = NOW.date() - timedelta(days=1)


def test_a_pass_exports_yesterday_and_the_30_days_before_it(settings: Settings) -> None:
    days = recent_days(settings, NOW)

    assert days == [YESTERDAY - timedelta(days=back) for back in range(30, -1, -1)]


def test_a_short_listening_history_keeps_the_pass_to_the_days_it_holds_whole(settings: Settings) -> None:
    short = settings.model_copy(update={"listening_history_days": 10})

    days = recent_days(short, NOW)

    assert days[0] == NOW.date() - timedelta(days=9) and days[-1] == YESTERDAY


def test_a_second_pass_over_unchanged_plays_writes_nothing_and_a_late_play_rewrites_its_day(
    session_factory: sessionmaker[Session], settings: Settings, song_and_ada: tuple[str, str]
) -> None:
    song, ada = song_and_ada
    late_day = YESTERDAY - timedelta(days=29)
    play(session_factory, ada, song, at(YESTERDAY, 5))

    assert export_recent(session_factory, settings, NOW) == 31
    assert export_recent(session_factory, settings, NOW) == 0
    play(session_factory, ada, song, at(late_day, 5))  # made offline a month ago, sent now
    assert export_recent(session_factory, settings, NOW) == 1

    found = partitions(warehouse_root(settings))
    assert len(found) == 31 and len(rows(found[late_day])) == 1 and len(rows(found[YESTERDAY])) == 1


def test_the_plugin_runs_the_job_in_one_process_at_a_time(
    session_factory: sessionmaker[Session], settings: Settings
) -> None:
    class Platform:
        def __init__(self) -> None:
            self.settings, self.session_factory = settings, session_factory

    [job] = plugin.jobs(Platform())  # type: ignore[arg-type]

    assert isinstance(job, ExportJob) and job.loop.lease_name == "worker:warehouse-export"
    assert job.run_once() == 31
