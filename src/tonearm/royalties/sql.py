"""The royalty run as SQL: one list of steps that DuckDB and Spark both execute, so the two give
the same statements by construction (integer arithmetic only, deterministic tie-breaks).

Inputs are three relations the engine provides: `streams_raw` (the warehouse's Parquet), `rights`
(one row per track and party) and `pools` (market, product, currency, pool_minor). Each step is a
named SELECT over the inputs and earlier steps; the engine materialises each one.

Money is split by largest remainder everywhere: each share is rounded down, and the minor units
left over go one each to the largest remainders (ties by id), so every split sums exactly to what
was split. Pro-rata splits each pool over its tracks by counted streams; user-centric splits each
pool equally over its listeners, and each listener's part over the tracks they played.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tonearm.royalties.config import FraudRules

__all__ = ["DUCKDB", "SPARK", "Dialect", "Step", "steps"]

# The order reasons are given in when a stream trips more than one rule.
REASONS = ("loop", "overfull_day", "machine_timing", "shared_device")
UNCLAIMED = "unclaimed"


@dataclass(frozen=True)
class Dialect:
    name: str
    big: str  # an integer type wide enough for pool x streams
    int_div: str  # "{a} // {b}" or "{a} div {b}"
    epoch_ms: str  # milliseconds since the epoch of a timestamp

    def div(self, a: str, b: str) -> str:
        return self.int_div.format(a=a, b=b)

    def ms(self, column: str) -> str:
        return self.epoch_ms.format(column=column)


DUCKDB = Dialect("duckdb", "HUGEINT", "({a}) // ({b})", "epoch_ms({column})")
SPARK = Dialect("spark", "DECIMAL(38,0)", "CAST(({a}) div ({b}) AS BIGINT)", "unix_millis({column})")


@dataclass(frozen=True)
class Step:
    name: str
    sql: str
    # Kept for the writer (statement lines, reports); the others are intermediate.
    output: bool = False


def steps(dialect: Dialect, month_start: date, month_end: date, rules: FraudRules) -> Sequence[Step]:
    d = dialect
    return (
        # One row per group of a listener's streams of one track on one day on one device: every
        # fraud rule is keyed by a part of that, so everything after this reads these rows.
        Step(
            "base",
            f"""
            SELECT market, product, "user" AS listener, track_id, device,
                   CAST(played_at AS DATE) AS day, count(*) AS n, CAST(sum(ms_played) AS BIGINT) AS ms
            FROM streams_raw
            WHERE played_at >= TIMESTAMP '{month_start.isoformat()} 00:00:00'
              AND played_at < TIMESTAMP '{month_end.isoformat()} 00:00:00'
            GROUP BY market, product, "user", track_id, device, CAST(played_at AS DATE)
            """,
        ),
        Step(
            "loops",
            f"""
            SELECT listener, track_id, day FROM base GROUP BY listener, track_id, day
            HAVING sum(n) > {rules.loop_streams_per_day}
            """,
        ),
        Step(
            "listener_days",
            """
            SELECT listener, day, CAST(sum(n) AS BIGINT) AS n, CAST(sum(ms) AS BIGINT) AS ms
            FROM base GROUP BY listener, day
            """,
        ),
        Step(
            "overfull",
            f"SELECT listener, day FROM listener_days WHERE ms > {rules.max_ms_per_day}",
        ),
        # Only days busy enough to judge are read again stream by stream, for their gaps.
        Step(
            "regular",
            f"""
            SELECT listener, day FROM (
                SELECT s.listener, s.day,
                       s.at_ms - lag(s.at_ms) OVER (
                           PARTITION BY s.listener, s.day ORDER BY s.at_ms, s.stream_id) AS gap
                FROM (
                    SELECT r.stream_id, r."user" AS listener, CAST(r.played_at AS DATE) AS day,
                           {d.ms("r.played_at")} AS at_ms
                    FROM streams_raw r
                    JOIN (SELECT listener, day FROM listener_days
                          WHERE n >= {rules.regular_min_streams}) busy
                      ON r."user" = busy.listener AND CAST(r.played_at AS DATE) = busy.day
                    WHERE r.played_at >= TIMESTAMP '{month_start.isoformat()} 00:00:00'
                      AND r.played_at < TIMESTAMP '{month_end.isoformat()} 00:00:00'
                ) s
            ) gaps
            GROUP BY listener, day
            HAVING count(gap) >= {rules.regular_min_streams - 1}
               AND stddev_pop(gap) < {rules.regular_max_jitter_ms}
            """,
        ),
        Step(
            "shared_devices",
            f"""
            SELECT device FROM (SELECT DISTINCT device, listener FROM base WHERE device <> '') pairs
            GROUP BY device HAVING count(*) > {rules.device_max_accounts}
            """,
        ),
        Step(
            "classified",
            """
            SELECT b.market, b.product, b.listener, b.track_id, b.n,
                   CASE WHEN l.listener IS NOT NULL THEN 'loop'
                        WHEN o.listener IS NOT NULL THEN 'overfull_day'
                        WHEN r.listener IS NOT NULL THEN 'machine_timing'
                        WHEN s.device IS NOT NULL THEN 'shared_device'
                   END AS reason
            FROM base b
            LEFT JOIN loops l ON b.listener = l.listener AND b.track_id = l.track_id AND b.day = l.day
            LEFT JOIN overfull o ON b.listener = o.listener AND b.day = o.day
            LEFT JOIN regular r ON b.listener = r.listener AND b.day = r.day
            LEFT JOIN shared_devices s ON b.device = s.device
            """,
        ),
        Step(
            "listener_tracks",
            """
            SELECT market, product, listener, track_id, CAST(sum(n) AS BIGINT) AS streams
            FROM classified WHERE reason IS NULL GROUP BY market, product, listener, track_id
            """,
        ),
        Step(
            "track_streams",
            """
            SELECT market, product, track_id, CAST(sum(streams) AS BIGINT) AS streams
            FROM listener_tracks GROUP BY market, product, track_id
            """,
        ),
        Step(
            "pro_rata_tracks",
            largest_remainder(
                d,
                """SELECT t.market, t.product, t.track_id, t.streams, t.streams AS weight,
                          p.pool_minor AS money, t.track_id AS tiebreak
                   FROM track_streams t JOIN pools p ON t.market = p.market AND t.product = p.product""",
                keys=("market", "product"),
                columns=("market", "product", "track_id", "streams"),
            ),
        ),
        # User-centric, first: each pool's money in equal parts over its listeners ...
        Step(
            "listener_money",
            largest_remainder(
                d,
                """SELECT l.market, l.product, l.listener, 1 AS weight, p.pool_minor AS money,
                          l.listener AS tiebreak
                   FROM (SELECT market, product, listener FROM listener_tracks
                         GROUP BY market, product, listener) l
                   JOIN pools p ON l.market = p.market AND l.product = p.product""",
                keys=("market", "product"),
                columns=("market", "product", "listener"),
            ),
        ),
        # ... then each listener's part over what that listener played.
        Step(
            "user_centric_parts",
            largest_remainder(
                d,
                """SELECT t.market, t.product, t.listener, t.track_id, t.streams AS weight,
                          m.amount_minor AS money, t.track_id AS tiebreak
                   FROM listener_tracks t JOIN listener_money m
                     ON t.market = m.market AND t.product = m.product AND t.listener = m.listener""",
                keys=("market", "product", "listener"),
                columns=("market", "product", "track_id"),
            ),
        ),
        Step(
            "user_centric_tracks",
            """
            SELECT u.market, u.product, u.track_id, t.streams,
                   CAST(sum(u.amount_minor) AS BIGINT) AS amount_minor
            FROM user_centric_parts u JOIN track_streams t
              ON u.market = t.market AND u.product = t.product AND u.track_id = t.track_id
            GROUP BY u.market, u.product, u.track_id, t.streams
            """,
        ),
        Step(
            "holders",
            """
            SELECT track_id, min(rightsholder_id) AS rightsholder_id,
                   min(rightsholder_name) AS rightsholder_name
            FROM rights GROUP BY track_id
            """,
        ),
        Step("lines", _lines(), output=True),
        Step(
            "party_lines",
            largest_remainder(
                d,
                f"""SELECT l.model, l.rightsholder_id, l.track_id, l.market, l.product, l.currency,
                           coalesce(r.party, l.rightsholder_name) AS party,
                           coalesce(r.role, 'label') AS role,
                           coalesce(r.share_bp, 10000) AS share_bp,
                           coalesce(r.share_bp, 10000) AS weight, l.amount_minor AS money,
                           concat(coalesce(r.party, l.rightsholder_name), '/', coalesce(r.role, 'label'))
                             AS tiebreak
                    FROM lines l LEFT JOIN rights r
                      ON l.track_id = r.track_id AND l.rightsholder_id <> '{UNCLAIMED}'""",
                keys=("model", "rightsholder_id", "track_id", "market", "product"),
                columns=(
                    "model",
                    "rightsholder_id",
                    "track_id",
                    "market",
                    "product",
                    "currency",
                    "party",
                    "role",
                    "share_bp",
                ),
            ),
            output=True,
        ),
        Step(
            "fraud",
            """
            SELECT c.market, c.product, c.reason, CAST(sum(c.n) AS BIGINT) AS streams,
                   count(DISTINCT c.listener) AS accounts,
                   max(p.pool_minor) AS pool_minor, max(a.streams) AS pool_streams
            FROM classified c
            JOIN (SELECT market, product, CAST(sum(n) AS BIGINT) AS streams
                  FROM classified GROUP BY market, product) a
              ON c.market = a.market AND c.product = a.product
            LEFT JOIN pools p ON c.market = p.market AND c.product = p.product
            WHERE c.reason IS NOT NULL
            GROUP BY c.market, c.product, c.reason
            """,
            output=True,
        ),
        Step(
            "pool_summary",
            """
            SELECT p.market, p.product, p.currency, p.pool_minor,
                   CAST(coalesce(s.streams, 0) AS BIGINT) AS streams, coalesce(s.paid, 0) AS paid_minor,
                   coalesce(u.paid, 0) AS user_centric_paid_minor,
                   coalesce(f.streams, 0) AS filtered_streams
            FROM pools p
            LEFT JOIN (SELECT market, product, CAST(sum(streams) AS BIGINT) AS streams,
                              CAST(sum(amount_minor) AS BIGINT) AS paid
                       FROM pro_rata_tracks GROUP BY market, product) s
              ON p.market = s.market AND p.product = s.product
            LEFT JOIN (SELECT market, product, CAST(sum(amount_minor) AS BIGINT) AS paid
                       FROM user_centric_tracks GROUP BY market, product) u
              ON p.market = u.market AND p.product = u.product
            LEFT JOIN (SELECT market, product, CAST(sum(n) AS BIGINT) AS streams FROM classified
                       WHERE reason IS NOT NULL GROUP BY market, product) f
              ON p.market = f.market AND p.product = f.product
            """,
            output=True,
        ),
        Step(
            "unpooled",
            """
            SELECT c.market, c.product, CAST(sum(c.n) AS BIGINT) AS streams FROM classified c
            LEFT JOIN pools p ON c.market = p.market AND c.product = p.product
            WHERE p.market IS NULL AND c.reason IS NULL GROUP BY c.market, c.product
            """,
            output=True,
        ),
    )


def _lines() -> str:
    """Statement lines of both models: per rightsholder, track, market and product."""
    per_model = []
    for model, table in (("pro_rata", "pro_rata_tracks"), ("user_centric", "user_centric_tracks")):
        per_model.append(
            f"""SELECT '{model}' AS model, coalesce(h.rightsholder_id, '{UNCLAIMED}') AS rightsholder_id,
                       coalesce(h.rightsholder_name, 'Unclaimed (no rightsholder on record)')
                         AS rightsholder_name,
                       t.track_id, t.market, t.product, p.currency, t.streams, t.amount_minor
                FROM {table} t
                JOIN pools p ON t.market = p.market AND t.product = p.product
                LEFT JOIN holders h ON t.track_id = h.track_id"""
        )
    return "\nUNION ALL\n".join(per_model)


def largest_remainder(d: Dialect, source: str, *, keys: Sequence[str], columns: Sequence[str]) -> str:
    """`source` has `weight`, `money` (the same on every row of a group of `keys`) and `tiebreak`;
    the result has `columns` and `amount_minor`: money split over the group's rows by weight,
    rounded down, the left-over minor units one each to the largest remainders."""
    group = ", ".join(keys)
    kept = ", ".join(columns)
    carried = ", ".join(dict.fromkeys((*keys, *columns)))
    return f"""
        SELECT {kept},
               CAST(floor_amount + CASE WHEN place <= leftover THEN 1 ELSE 0 END AS BIGINT) AS amount_minor
        FROM (
            SELECT {carried}, floor_amount,
                   money - sum(floor_amount) OVER (PARTITION BY {group}) AS leftover,
                   row_number() OVER (PARTITION BY {group} ORDER BY remainder DESC, tiebreak) AS place
            FROM (
                SELECT {carried}, tiebreak, money,
                       {d.div(f"CAST(money AS {d.big}) * weight", "weight_sum")} AS floor_amount,
                       (CAST(money AS {d.big}) * weight) % weight_sum AS remainder
                FROM (
                    SELECT src.*, sum(weight) OVER (PARTITION BY {group}) AS weight_sum
                    FROM ({source}) src
                ) weighted
            ) floored
        ) placed
        """
