"""`tonearm events status` and `tonearm events replay CONSUMER --from OFFSET|TIME`: the event log
as an operator sees it, and rebuilding one consumer's effect from a point on."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

import typer
from sqlalchemy import func, select

from tonearm.domains import plugins
from tonearm.kit.commands import Commands
from tonearm.kit.consumers import Consumer, replay
from tonearm.kit.outbox import OutboxRow
from tonearm.kit.plugin import Platform
from tonearm.kit.time import as_utc, iso_ms, utcnow

__all__ = ["event_commands"]


def _consumers(platform: Platform) -> dict[str, Consumer]:
    """Every registered domain's consumers, by group name."""
    return {consumer.name: consumer for plugin in plugins() for consumer in plugin.consumers(platform)}


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def _retention(max_age_seconds: float | None, max_bytes: int | None) -> str:
    parts = []
    if max_age_seconds is not None:
        days = max_age_seconds / 86400
        parts.append(f"{days:g} days" if days >= 1 else f"{max_age_seconds:g} s")
    if max_bytes is not None:
        parts.append(_size(max_bytes))
    return ", ".join(parts) or "kept"


def _status(platform: Platform) -> dict[str, object]:
    log = platform.event_log
    now = utcnow()
    topics = [
        {
            "topic": t.topic,
            "first_offset": t.first_offset,
            "head": t.last_offset,
            "messages": t.messages,
            "bytes": t.bytes,
            "retention": {
                "max_age_seconds": t.retention.max_age_seconds,
                "max_bytes": t.retention.max_bytes,
            },
        }
        for t in log.status()
    ]
    known = _consumers(platform)
    positions = {(c.group, c.topic): c for c in log.consumers()}
    consumers = []
    for group, topic in sorted(set(positions) | {(c.name, c.topic) for c in known.values()}):
        found = positions.get((group, topic))
        position = found.position if found else 0
        lag = found.lag if found else sum(t.messages for t in log.status() if t.topic == topic)
        unread = log.read(topic, after=position, limit=1) if lag else []
        behind = (now - unread[0].stored_at).total_seconds() if unread else 0.0
        consumers.append(
            {
                "consumer": group,
                "topic": topic,
                "position": position,
                "lag": lag,
                "behind_seconds": round(behind, 3),
                "registered": group in known,
            }
        )
    with platform.session_factory() as session:
        waiting = session.scalar(select(func.count()).select_from(OutboxRow)) or 0
    return {"at": iso_ms(now), "topics": topics, "consumers": consumers, "outbox_waiting": waiting}


def _table(rows: Sequence[Sequence[object]]) -> str:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows
    )


def _print_status(status: dict[str, object]) -> None:
    topics: list[dict[str, object]] = status["topics"]  # type: ignore[assignment]
    rows: list[list[object]] = [["topic", "first", "head", "messages", "size", "retention"]]
    for t in topics:
        retention: dict[str, object] = t["retention"]  # type: ignore[assignment]
        rows.append(
            [
                t["topic"],
                t["first_offset"],
                t["head"],
                t["messages"],
                _size(int(str(t["bytes"]))),
                _retention(retention["max_age_seconds"], retention["max_bytes"]),  # type: ignore[arg-type]
            ]
        )
    typer.echo(_table(rows))
    consumers: list[dict[str, object]] = status["consumers"]  # type: ignore[assignment]
    rows = [["consumer", "topic", "position", "lag", "behind", "state"]]
    for c in consumers:
        caught_up = c["lag"] == 0
        state = "caught up" if caught_up else "behind"
        if not c["registered"]:
            state += " (no domain runs it)"
        rows.append(
            [c["consumer"], c["topic"], c["position"], c["lag"], f"{c['behind_seconds']:.1f} s", state]
        )
    typer.echo("")
    typer.echo(_table(rows) if consumers else "no consumers")
    typer.echo(f"\noutbox: {status['outbox_waiting']} events waiting to be relayed")


def _start_offset(platform: Platform, topic: str, start: str) -> int:
    """`--from`: an offset (replay what comes after it; 0 is the beginning) or an ISO 8601 time."""
    if start.isdigit():
        return int(start)
    try:
        moment = datetime.fromisoformat(start.replace("Z", "+00:00"))
    except ValueError:
        wrong = f"'{start}' is neither an offset nor an ISO 8601 time"
        raise typer.BadParameter(wrong, param_hint="--from") from None
    return platform.event_log.offset_at(topic, as_utc(moment))


def event_commands(commands: Commands) -> typer.Typer:
    app = typer.Typer(help="The event log: topics, consumers and replays.")

    @app.command("status")
    def status(
        as_json: Annotated[bool, typer.Option("--json", help="one JSON object")] = False,
    ) -> None:
        """Each topic's head and retention, each consumer's position and lag, the outbox backlog."""
        with commands.platform() as platform:
            found = _status(platform)
        if as_json:
            typer.echo(json.dumps(found))
        else:
            _print_status(found)

    @app.command("replay")
    def replay_consumer(
        consumer: Annotated[str, typer.Argument(help="the consumer's name (see `tonearm events status`)")],
        start: Annotated[str, typer.Option("--from", help="an offset (0: the start) or an ISO 8601 time")],
    ) -> None:
        """Rebuild a consumer's effect from a point on: what it derived from there is dropped and
        the events are applied again (a running server hands the consumer over meanwhile)."""
        with commands.platform() as platform:
            known = _consumers(platform)
            if consumer not in known:
                typer.echo(
                    f"error: no consumer '{consumer}'; there are: {', '.join(sorted(known))}", err=True
                )
                raise typer.Exit(1)
            chosen = known[consumer]
            after = _start_offset(platform, chosen.topic, start)
            position = replay(chosen, platform.event_log, platform.session_factory, after=after)
        typer.echo(f"replayed {consumer} on {chosen.topic} from offset {after + 1}: now at {position}")

    return app
