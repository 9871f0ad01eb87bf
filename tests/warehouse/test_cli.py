"""`tonearm warehouse export` and `tonearm warehouse query`, run as an operator runs them."""

from __future__ import annotations

import json
from datetime import timedelta

from typer.testing import CliRunner

from tests.warehouse.conftest import DAY, at, make_tracks, make_user, play
from tonearm.cli import build_cli
from tonearm.config import Settings
from tonearm.kit.time import utcnow
from tonearm.runtime import Runtime
from tonearm.warehouse import pseudonym, warehouse_root

cli = build_cli()
YESTERDAY = utcnow().date() - timedelta(days=1)


def _invoke(*args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(cli, ["warehouse", *args])
    return done.exit_code, done.stdout, done.stderr


def _played(runtime: Runtime) -> str:
    [song] = make_tracks(runtime.session_factory, "Song")
    ada = make_user(runtime.session_factory, "ada")
    play(runtime.session_factory, ada, song, at(YESTERDAY, 10))
    play(runtime.session_factory, ada, song, at(DAY, 10), country="DE")
    return ada


def test_export_with_no_day_exports_yesterday(cli_env: Runtime, settings: Settings) -> None:
    _played(cli_env)

    code, out, _ = _invoke("export")

    assert code == 0, out
    path = warehouse_root(settings) / "streams" / f"date={YESTERDAY}" / "streams.parquet"
    assert out.splitlines() == [
        f"{YESTERDAY}: 1 streams, written ({path})",
        "exported 1 days: 1 streams, 1 files written",
    ]


def test_export_since_a_day_prints_a_line_per_day_and_leaves_unchanged_days_alone(
    cli_env: Runtime, settings: Settings
) -> None:
    _played(cli_env)
    assert _invoke("export", "--date", DAY.isoformat())[0] == 0

    code, out, _ = _invoke("export", "--since", DAY.isoformat())

    lines = out.splitlines()
    assert code == 0, out
    assert len(lines) == 8 and lines[-1] == "exported 7 days: 2 streams, 6 files written"
    assert lines[0].startswith(f"{DAY}: 1 streams, unchanged")
    assert lines[-2].startswith(f"{YESTERDAY}: 1 streams, written")


def test_export_refuses_a_day_it_cannot_export_with_status_2(cli_env: Runtime) -> None:
    for args, says in (
        (["--date", "2026-13-01"], "not a day"),
        (["--date", "2026-03-01", "--since", "2026-03-01"], "not both"),
        (["--since", "2001-01-01"], "listening history"),
        (["--date", (YESTERDAY + timedelta(days=2)).isoformat()], "in the future"),
    ):
        code, _, err = _invoke("export", *args)
        assert code == 2 and says in err and "Traceback" not in err, (args, err)


def test_query_prints_a_table(cli_env: Runtime) -> None:
    _played(cli_env)
    _invoke("export", "--since", DAY.isoformat())

    code, out, _ = _invoke("query", "SELECT market, count(*) AS n FROM streams GROUP BY 1 ORDER BY 1")

    assert code == 0, out
    table = [line.split() for line in out.splitlines()]
    assert ["market", "n"] in [[cell for cell in line if cell.isalnum()] for line in table]
    assert ["DE", "1"] in [[cell for cell in line if cell.isalnum()] for line in table]
    assert out.splitlines()[-1] == "2 rows"


def test_query_json_prints_one_object_a_line(cli_env: Runtime, settings: Settings) -> None:
    ada = _played(cli_env)
    _invoke("export", "--date", DAY.isoformat())

    code, out, _ = _invoke("query", 'SELECT "user", market, played_at, date FROM streams', "--json")

    assert code == 0, out
    assert [json.loads(line) for line in out.splitlines()] == [
        {
            "user": pseudonym(settings, ada),
            "market": "DE",
            "played_at": f"{DAY}T10:00:00.000Z",
            "date": DAY.isoformat(),
        }
    ]


def test_bad_sql_is_an_error_line_and_status_2_with_no_traceback(cli_env: Runtime) -> None:
    _played(cli_env)
    _invoke("export")

    code, out, err = _invoke("query", "SELECT FROM WHERE streams")

    assert code == 2 and out == ""
    assert err.startswith("error: Parser Error") and "Traceback" not in err


def test_a_query_before_any_export_says_so(cli_env: Runtime) -> None:
    code, _, err = _invoke("query", "SELECT 1")

    assert code == 2 and "no streams exported yet" in err
