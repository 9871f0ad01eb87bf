"""A synthetic month of counted streams for the royalty benchmark, in the warehouse's layout.

    .venv/bin/python bench/royalties_data.py --streams 100000000 --tracks 1000000 --month 2026-10
        --seed 1 --out DIR [--fraud 0.01]

writes what the royalty run reads (a contract: these paths, columns, types and order):

- `DIR/streams/date=YYYY-MM-DD/streams.parquet`, one file per UTC day of the month, rows by
  played_at then stream_id, row groups of about 1M rows, zstd, strings dictionary-encoded:
  `STREAMS` (stream_id, user, track_id, market, product, played_at, ms_played, device,
  device_type, offline). Counted streams only: ms_played >= 30,000.
- `DIR/rights.parquet`: one row per (track, party), `RIGHTS`. A party is the name credited on
  the track for a share (the label's or publisher's own name; the artist, producer or
  songwriter); the rightsholder is who is paid for it (the label, the publisher, or the
  management that collects for the person), so one rightsholder can hold two parties of a
  track. 1-3 parties a track, share_bp summing to exactly 10,000 per track. 2,000 rightsholders
  (1,100 labels, 500 publishers, 400 managements) with Zipf-like catalogue sizes.
- `DIR/fraud_truth.parquet`: (stream_id, kind) of every injected fraud stream, `FRAUD_TRUTH`.
  Nothing in the streams marks them.

It prints progress to stderr and one JSON line to stdout: streams, users, tracks, fraud streams
by kind, bytes written, seconds. The same arguments give the same files. Other benchmarks and
the tests import `generate`.

**Catalogue.** track_id is 22 base62 characters derived from the track's index alone (not the
seed), so every size and seed names track i alike. Durations are lognormal around 3:25,
45 s to 9 min. Popularity is Zipf (s 1.05) over a seeded permutation of the tracks.

**Listeners.** streams/300 accounts, each with a home market (`MARKETS`), a product (60 %
premium), a personal device (smartphone or computer) and, for about half, a household device
(speaker, tv, computer) shared by the 1-3 members of the household: no device has more than 3
users. Each account has an activity (lognormal) and a chance of listening on a given day; the
month's streams are dealt to (account, day) cells in proportion, at most 100 a cell. A day's
streams come in sessions (about 9 streams each) started at hours weighted by the listener's
local time of day, laid out one after another (a session never overlaps the previous one and
the last ends before midnight); within a session each stream starts when the previous one's
ms_played ends plus 0-20 s. 30 % of a listener's picks come from 30 personal favourites, the
rest from the Zipf; a track is never picked a 50th time on one day. 100 streams of at most
9 min keep a day under 15 h. Offline: 6 % of premium sessions on a smartphone (~2 % of streams).

**Fraud**, `--fraud` of the streams for each of the four kinds, each on accounts of its own that
look like any other (same id shapes, markets, products):
- loop: 250-600 plays a day of one tail track, 30.5-45 s each, gaps jittered 0.5-20 s.
- overfull_day: 400-700 full plays a day of long tracks (4-9 min) in 3-5 overlapping lanes,
  so the day's ms_played adds up to more than 24 h.
- machine_timing: 100-1,500 streams a day from a pool of 300 tracks, one every I ms
  (I fixed per account, 30.5-36 s), ms_played exactly I, start jitter +-10 ms.
- shared_device: listeners like the others, 24 or more of them on one device each.
No account of one kind meets another kind's definition, and no listener meets any.
"""

from __future__ import annotations

import argparse
import calendar
import itertools
import json
import math
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["FRAUD_KINDS", "FRAUD_TRUTH", "RIGHTS", "STREAMS", "generate", "main"]

STREAMS = pa.schema(
    [
        ("stream_id", pa.string()),
        ("user", pa.string()),
        ("track_id", pa.string()),
        ("market", pa.string()),
        ("product", pa.string()),
        ("played_at", pa.timestamp("ms", tz="UTC")),
        ("ms_played", pa.int32()),
        ("device", pa.string()),
        ("device_type", pa.string()),
        ("offline", pa.bool_()),
    ]
)
RIGHTS = pa.schema(
    [
        ("track_id", pa.string()),
        ("rightsholder_id", pa.string()),
        ("rightsholder_name", pa.string()),
        ("party", pa.string()),
        ("role", pa.string()),
        ("share_bp", pa.int32()),
        ("artist_ids", pa.list_(pa.field("element", pa.string()))),
    ]
)
FRAUD_TRUTH = pa.schema([("stream_id", pa.string()), ("kind", pa.string())])
FRAUD_KINDS = ("loop", "overfull_day", "machine_timing", "shared_device")

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
COUNTED_MS = 30_000
ROW_GROUP = 1_000_000
STREAMS_PER_USER = 300

# (code, share of listeners, UTC offset in hours for most of October: summer time in Europe).
MARKETS = (
    ("SE", 0.18, 2),
    ("NO", 0.07, 2),
    ("DK", 0.06, 2),
    ("FI", 0.06, 3),
    ("DE", 0.14, 2),
    ("GB", 0.14, 1),
    ("US", 0.20, -5),
    ("NL", 0.05, 2),
    ("FR", 0.06, 2),
    ("PL", 0.04, 2),
)
PRODUCTS = ("free", "premium")
PREMIUM_SHARE = 0.6
DEVICE_TYPES = ("smartphone", "computer", "speaker", "tv")
SMARTPHONE, COMPUTER, SPEAKER, TV = range(4)
# Sessions started in each local hour, 00-23: a quiet night, a commute bump, an evening peak.
DIURNAL = np.array([1.6, 1.0, 0.6, 0.4, 0.35, 0.45, 1.0, 2.2, 3.2, 3.4, 3.3, 3.4, 3.8, 3.7, 3.6, 3.8, 4.3])
DIURNAL = np.append(DIURNAL, [4.9, 5.2, 5.3, 5.4, 5.0, 4.0, 2.7])
WEEKDAY = np.array([0.97, 0.96, 0.98, 1.0, 1.06, 1.08, 0.99])  # Monday first

ZIPF_S = 1.05
DURATION_MEDIAN_MS, DURATION_SIGMA = 205_000, 0.33
DURATION_MIN_MS, DURATION_MAX_MS = 45_000, 540_000
FULL_PLAY_SHARE = 0.75
FAVOURITES, FAVOURITE_SHARE = 30, 0.3
DAY_CAP = 100  # a listener's streams a day: 100 x 9 min < 16 h
REPEAT_CAP = 49  # a listener's plays of one track a day
SESSION_STREAMS = 9
SESSION_BREAK_MS = 120_000
GAP_JITTER_MS = 20_000
HOME_DEVICE_SHARE, HOME_DEVICE_USE = 0.5, 0.3
OFFLINE_SESSION = 0.06
HOUSEHOLD_SIZES, HOUSEHOLD_WEIGHTS = (1, 2, 3), (0.62, 0.24, 0.14)

LOOP_PLAYS, LOOP_DAYS = (250, 600), 6
OVERFULL_PLAYS, OVERFULL_DAYS, LANE_MS = (400, 700), 5, 80_000_000
LONG_TRACK_MS = 240_000
MACHINE_PLAYS, MACHINE_DAYS, MACHINE_POOL = (100, 1_500), 8, 300
FARM_MIN_ACCOUNTS, FARM_STREAMS, FARM_PER_DEVICE, FARM_DAY_CAP = 24, 150, 35, 40

HOLDERS = {"label": 1_100, "publisher": 500, "management": 400}
ROLES = ("artist", "producer", "publisher", "songwriter", "label")
# Who is credited on a track, by pattern (share of tracks): the label always, first.
PARTY_PATTERNS = (
    (("label",), 0.35),
    (("label", "artist"), 0.25),
    (("label", "publisher"), 0.15),
    (("label", "artist", "producer"), 0.10),
    (("label", "publisher", "songwriter"), 0.10),
    (("label", "artist", "publisher"), 0.05),
)
WORD_LIST = (
    "Aurora Birch Cobalt Delta Ember Fjord Glacier Harbor Iris Juniper Kestrel Lumen Meridian "
    "Nordic Obsidian Polar Quartz Raven Saga Tundra Umber Vega Willow Yonder Zenith Amber Basalt "
    "Cinder Dune Echo Falcon Granite Heather Indigo Jade Krona Lantern Marble Nova Onyx Pine "
    "Quiet Ridge Solstice Tide Ursa Velvet Winter Aspen Boreal Crescent Drift Elm Frost Gale "
    "Halo Isle Lark Moss North Orbit Prism Rune Slate Thistle Vale Wren"
)
WORDS = WORD_LIST.split()
SUFFIXES = {
    "label": ("Records", "Recordings", "Music", "Sound", "Audio"),
    "publisher": ("Music Publishing", "Songs", "Publishing", "Editions"),
    "management": ("Management", "Artist Services", "Rights Management"),
}
SYLLABLE_LIST = (
    "al ba ca da el fi ga ha is jo ka li ma no ol pe ra sa ti ul va wi yo ze an be ci de en fa "
    "gi ho in ju ke lo mi ni or pa"
)
SYLLABLES = SYLLABLE_LIST.split()
SURNAME_ENDINGS = ("son", "berg", "ström", "lund", "")

ALPHABET = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BASE62_PAIRS = np.frombuffer(bytes(c for a in ALPHABET for b in ALPHABET for c in (a, b)), np.uint16)
HEX_PAIRS = np.frombuffer("".join(f"{i:02x}" for i in range(256)).encode(), np.uint16)
TRACK_SALTS = (0x7261636B5F6869, 0x7261636B5F6C6F)  # seed-free: track i is the same everywhere


# ---- ids: bijective hashes of indices, spelled out without Python strings ----


def mix(values: np.ndarray, salt: int) -> np.ndarray:
    """splitmix64's finaliser of values + salt: a bijection of uint64, so distinct in, distinct out."""
    x = values.astype(np.uint64) + np.uint64(salt % 2**64)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def base62(values: np.ndarray) -> np.ndarray:
    """Each uint64 as 11 base62 characters (62**11 > 2**64, so no two values share a spelling)."""
    pairs = np.empty((len(values), 6), np.uint16)
    rest = values.copy()
    for column in range(5, 0, -1):
        pairs[:, column] = BASE62_PAIRS[rest % np.uint64(3844)]
        rest //= np.uint64(3844)
    pairs[:, 0] = BASE62_PAIRS[rest]  # below 22: "0" and one character, the "0" dropped
    return pairs.view(np.uint8).reshape(len(values), 12)[:, 1:]


def hex16(values: np.ndarray) -> np.ndarray:
    big_endian = values.astype(">u8").view(np.uint8).reshape(len(values), 8)
    return HEX_PAIRS[big_endian].view(np.uint8).reshape(len(values), 16)


def strings(chars: np.ndarray) -> pa.StringArray:
    """Rows of a (n, width) array of ASCII bytes as an Arrow string array, without Python strs."""
    count, width = chars.shape
    offsets = np.arange(0, (count + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(chars)
    return pa.StringArray.from_buffers(count, pa.py_buffer(offsets), pa.py_buffer(data))


def base62_ids(indices: np.ndarray, salts: tuple[int, int]) -> pa.StringArray:
    """22-character ids, as Tonearm's; the last 11 characters alone are unique."""
    halves = [base62(mix(indices, salt)) for salt in salts]
    return strings(np.concatenate(halves, axis=1))


def hex_ids(count: int, salts: tuple[int, int]) -> pa.StringArray:
    """32-hex pseudonyms of 0..count-1."""
    indices = np.arange(count, dtype=np.uint64)
    return strings(np.concatenate([hex16(mix(indices, salt)) for salt in salts], axis=1))


def salts(rng: np.random.Generator) -> tuple[int, int]:
    first, second = rng.integers(0, 2**63, 2)
    return int(first), int(second)


# ---- the world: tracks, accounts, devices ----


@dataclass
class Catalogue:
    ids: pa.StringArray
    duration: np.ndarray  # ms, int32
    by_rank: np.ndarray  # track index of each popularity rank
    cdf: np.ndarray  # cumulative Zipf weight by rank
    long: np.ndarray  # tracks of LONG_TRACK_MS or more

    def popular(self, rng: np.random.Generator, count: int) -> np.ndarray:
        ranks = np.searchsorted(self.cdf, rng.random(count), side="right")
        return self.by_rank[np.minimum(ranks, len(self.by_rank) - 1)]


def catalogue(rng: np.random.Generator, tracks: int) -> Catalogue:
    duration = rng.lognormal(math.log(DURATION_MEDIAN_MS), DURATION_SIGMA, tracks)
    duration = np.clip(duration, DURATION_MIN_MS, DURATION_MAX_MS).astype(np.int32)
    weights = np.arange(1, tracks + 1, dtype=np.float64) ** -ZIPF_S
    cdf = np.cumsum(weights)
    return Catalogue(
        ids=base62_ids(np.arange(tracks), TRACK_SALTS),
        duration=duration,
        by_rank=rng.permutation(tracks).astype(np.int32),
        cdf=cdf / cdf[-1],
        long=np.flatnonzero(duration >= LONG_TRACK_MS).astype(np.int32),
    )


@dataclass
class Accounts:
    """Every account (listeners first, then the fraud accounts by kind) and every device."""

    ids: pa.StringArray
    market: np.ndarray  # int8 into MARKETS
    product: np.ndarray  # int8 into PRODUCTS
    personal: np.ndarray  # each account's own device
    home: np.ndarray  # the household's device, or -1
    favourites: np.ndarray  # (listeners, FAVOURITES) track indices
    device_ids: pa.StringArray
    device_type: np.ndarray  # int8 into DEVICE_TYPES


@dataclass
class Plan:
    """Who streams how much on which day: listener cells and the fraud accounts' runs."""

    listeners: np.ndarray  # (days, listeners) streams per cell
    farm: np.ndarray  # (days, farm accounts) streams per cell
    farm_first: int  # the first farm account's index
    runs: dict[str, Runs]


@dataclass
class Runs:
    """One fraud kind's account-days: whose, which day, how many streams, and per-account
    parameters (the looped track, the track pool, the machine's interval)."""

    account: np.ndarray
    day: np.ndarray
    count: np.ndarray
    first: int  # index of the kind's first account
    tracks: np.ndarray  # (accounts, pool) tracks each account plays
    interval: np.ndarray  # ms per account (machine_timing)

    @property
    def accounts(self) -> int:
        return len(self.tracks)


def weighted(rng: np.random.Generator, count: int, weights: tuple[float, ...]) -> np.ndarray:
    shares = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(shares), count, p=shares / shares.sum()).astype(np.int8)


def households(rng: np.random.Generator, listeners: int) -> np.ndarray:
    """Each listener's household number: households of 1-3 consecutive listeners."""
    sizes = rng.choice(HOUSEHOLD_SIZES, listeners, p=HOUSEHOLD_WEIGHTS)
    return np.repeat(np.arange(listeners), sizes)[:listeners]


def listener_devices(rng: np.random.Generator, listeners: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(personal device, household device or -1, device types): devices 0..listeners-1 are
    personal, the household devices follow."""
    household = households(rng, listeners)
    has_home = rng.random(household[-1] + 1) < HOME_DEVICE_SHARE
    home_number = np.cumsum(has_home) - 1
    home = np.where(has_home[household], listeners + home_number[household], -1)
    types = np.concatenate(
        [
            np.where(rng.random(listeners) < 0.72, SMARTPHONE, COMPUTER),
            weighted(rng, int(has_home.sum()), (0.0, 0.2, 0.5, 0.3)),
        ]
    ).astype(np.int8)
    return np.arange(listeners), home, types


def population(rng: np.random.Generator, cat: Catalogue, listeners: int, fraud: dict[str, int]) -> Accounts:
    """Listeners (the farm accounts among them, last), then the loop, overfull and machine
    accounts, each of those with a device of its own."""
    bots = sum(fraud[kind] for kind in FRAUD_KINDS if kind != "shared_device")
    total = listeners + bots
    personal, home, types = listener_devices(rng, listeners)
    bot_devices = len(types) + np.arange(bots)
    types = np.concatenate([types, np.where(rng.random(bots) < 0.7, COMPUTER, SMARTPHONE).astype(np.int8)])
    return Accounts(
        ids=hex_ids(total, salts(rng)),
        market=weighted(rng, total, tuple(share for _, share, _ in MARKETS)),
        product=(rng.random(total) < PREMIUM_SHARE).astype(np.int8),
        personal=np.concatenate([personal, bot_devices]),
        home=np.concatenate([home, np.full(bots, -1)]),
        favourites=cat.popular(rng, listeners * FAVOURITES).reshape(listeners, FAVOURITES),
        device_ids=hex_ids(len(types), salts(rng)),
        device_type=types,
    )


def share_farm_devices(rng: np.random.Generator, people: Accounts, first: int, count: int) -> None:
    """Put the farm accounts first..first+count-1 on devices of their own, 24 or more a device."""
    farms = max(1, count // FARM_PER_DEVICE)
    device = len(people.device_type) + np.arange(count) % farms
    people.personal[first : first + count] = device
    people.home[first : first + count] = -1
    types = np.where(rng.random(farms) < 0.6, SMARTPHONE, COMPUTER).astype(np.int8)
    people.device_type = np.concatenate([people.device_type, types])
    people.device_ids = hex_ids(len(people.device_type), salts(rng))


# ---- the plan: how many streams each account plays on each day ----


def deal(
    rng: np.random.Generator, total: int, weights: np.ndarray, cap: int, counts: np.ndarray
) -> np.ndarray:
    """Add `total` streams to `counts` in proportion to `weights`, no cell above `cap`."""
    left = total
    while left:
        room = weights * (counts < cap)
        if not room.any():
            raise ValueError(f"{total} streams do not fit {cap} a cell in {np.count_nonzero(weights)} cells")
        counts += rng.multinomial(left, room / room.sum())
        over = np.maximum(counts - cap, 0)
        counts -= over
        left = int(over.sum())
    return counts


def day_weights(days: list[date]) -> np.ndarray:
    return WEEKDAY[[day.weekday() for day in days]]


def cells(rng: np.random.Generator, accounts: int, days: list[date], total: int, cap: int) -> np.ndarray:
    """(days, accounts) stream counts summing to total: lognormal activity, a daily chance of
    listening, the weekly rhythm."""
    activity = rng.lognormal(0.0, 0.8, accounts)
    chance = rng.beta(1.6, 1.2, accounts)
    active = rng.random((len(days), accounts)) < chance
    weights = (day_weights(days)[:, None] * activity[None, :] * active).ravel()
    counts = np.zeros(weights.shape, np.int64)
    return deal(rng, total, weights, cap, counts).reshape(len(days), accounts).astype(np.int32)


def farm_cells(rng: np.random.Generator, accounts: int, days: list[date], total: int) -> np.ndarray:
    """As `cells`, but every farm account streams at least once in the month."""
    counts = np.zeros((len(days), accounts), np.int64)
    counts[rng.integers(0, len(days), accounts), np.arange(accounts)] = 1
    weights = np.repeat(day_weights(days), accounts) * rng.lognormal(0.0, 0.5, len(days) * accounts)
    counts = deal(rng, total - accounts, weights, FARM_DAY_CAP, counts.ravel())
    return counts.reshape(len(days), accounts).astype(np.int32)


def split_total(rng: np.random.Generator, total: int, low: int, high: int, kind: str) -> np.ndarray:
    """Run lengths in [low, high] summing to exactly total."""
    if total < low:
        raise ValueError(f"{total} {kind} streams are fewer than one account-day of them ({low})")
    runs = min(max(round(total / ((low + high) / 2)), -(-total // high)), total // low)
    counts = np.full(runs, low, np.int64)
    weights = rng.random(runs) + 0.05
    while left := total - int(counts.sum()):
        room = high - counts
        counts += np.minimum(rng.multinomial(left, weights * room / (weights * room).sum()), room)
    return counts


def assign_runs(
    rng: np.random.Generator, counts: np.ndarray, days: int, days_each: int, first: int, pool: np.ndarray
) -> Runs:
    """Deal run lengths to accounts (about days_each days each, never two runs on one day)."""
    accounts = max(1, -(-len(counts) // days_each))
    order = np.argsort(rng.random((accounts, days)), axis=1)
    run = np.arange(len(counts))
    account, slot = run % accounts, run // accounts
    return Runs(
        account=first + account,
        day=order[account, slot],
        count=counts,
        first=first,
        tracks=pool[:accounts],
        interval=rng.integers(30_500, 36_001, accounts),
    )


def fraud_runs(rng: np.random.Generator, cat: Catalogue, wanted: int, days: int) -> dict[str, list]:
    """Per kind: run lengths, days per account and each account's tracks."""
    tail = cat.by_rank[len(cat.by_rank) // 10 :]
    if len(cat.long) < 100:
        raise ValueError(f"{len(cat.long)} tracks of 4 min or more; overfull_day accounts need 100")
    loops = split_total(rng, wanted, *LOOP_PLAYS, "loop")
    overfull = split_total(rng, wanted, *OVERFULL_PLAYS, "overfull_day")
    machine = split_total(rng, wanted, *MACHINE_PLAYS, "machine_timing")
    return {
        "loop": [loops, LOOP_DAYS, rng.choice(tail, (len(loops), 1))],
        "overfull_day": [overfull, OVERFULL_DAYS, rng.choice(cat.long, (len(overfull), 100))],
        "machine_timing": [machine, MACHINE_DAYS, rng.choice(tail, (len(machine), MACHINE_POOL))],
    }


def month_days(month: str) -> list[date]:
    year, number = (int(part) for part in month.split("-"))
    return [date(year, number, day) for day in range(1, calendar.monthrange(year, number)[1] + 1)]


@dataclass
class World:
    days: list[date]
    cat: Catalogue
    people: Accounts
    plan: Plan


def world(rng: np.random.Generator, streams: int, tracks: int, month: str, fraud: float) -> World:
    days = month_days(month)
    cat = catalogue(rng, tracks)
    wanted = round(streams * fraud)
    kinds = fraud_runs(rng, cat, wanted, len(days)) if wanted else {}
    farm = max(FARM_MIN_ACCOUNTS, round(wanted / FARM_STREAMS)) if wanted else 0
    if farm > wanted:
        raise ValueError(f"{wanted} shared_device streams are fewer than its {farm} accounts")
    bots = {kind: max(1, -(-len(lengths) // each)) for kind, (lengths, each, _) in kinds.items()}
    listeners = max(1, round(streams / STREAMS_PER_USER) - farm - sum(bots.values())) + farm
    people = population(rng, cat, listeners, bots | {"shared_device": farm})
    share_farm_devices(rng, people, listeners - farm, farm)
    first, planned = listeners, {}
    for kind, (lengths, each, pool) in kinds.items():
        planned[kind] = assign_runs(rng, lengths, len(days), each, first, pool)
        first += planned[kind].accounts
    plan = Plan(
        listeners=cells(rng, listeners - farm, days, streams - 4 * wanted, DAY_CAP),
        farm=farm_cells(rng, farm, days, wanted) if farm else np.zeros((len(days), 0), np.int32),
        farm_first=listeners - farm,
        runs=planned,
    )
    return World(days=days, cat=cat, people=people, plan=plan)


# ---- a day's streams ----


@dataclass
class Rows:
    user: np.ndarray
    track: np.ndarray
    played_at: np.ndarray  # ms since the epoch
    ms_played: np.ndarray
    device: np.ndarray
    offline: np.ndarray
    kind: np.ndarray  # 0 for listeners, 1 + FRAUD_KINDS index

    @classmethod
    def concat(cls, parts: list[Rows]) -> Rows:
        parts = [part for part in parts if len(part.user)] or [cls.empty()]
        return cls(*(np.concatenate([getattr(part, f.name) for part in parts]) for f in fields(cls)))

    @classmethod
    def empty(cls) -> Rows:
        none = np.zeros(0, np.int64)
        return cls(none, none, none, none, none, none.astype(bool), none.astype(np.int8))

    def take(self, order: np.ndarray) -> Rows:
        return Rows(*(getattr(self, f.name)[order] for f in fields(self)))


def group_starts(counts: np.ndarray) -> np.ndarray:
    return np.cumsum(counts) - counts


def within(values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Exclusive running sum of values, restarting at every True in `first`."""
    before = np.cumsum(values) - values
    group = np.cumsum(first) - 1
    return before - before[np.flatnonzero(first)][group]


def session_starts(
    rng: np.random.Generator, w: World, user: np.ndarray, span: np.ndarray, first: np.ndarray
) -> np.ndarray:
    """Start (ms into the day) of each session, given each session's user (grouped), span and
    the user's first session: hours by local time of day, in order, never overlapping, the last
    ending before midnight."""
    offsets = np.array([offset for _, _, offset in MARKETS])
    local = (np.arange(24)[None, :] + offsets[:, None]) % 24
    cdf = np.cumsum(DIURNAL[local], axis=1)
    cdf /= cdf[:, -1:]
    hour = (rng.random(len(user))[:, None] > cdf[w.people.market[user]]).sum(axis=1)
    wanted = hour * HOUR_MS + rng.integers(0, HOUR_MS, len(user))
    group = np.cumsum(first) - 1
    wanted = np.sort((group << 27) + wanted) & ((1 << 27) - 1)  # in order within each user
    span = span + SESSION_BREAK_MS
    before = within(span, first)
    after = np.add.reduceat(span, np.flatnonzero(first))[group] - before
    lift = np.int64(1 << 31) * group
    earliest = np.maximum.accumulate(wanted - before + lift) - lift + before
    return np.minimum(earliest, DAY_MS - after)


def cap_repeats(rng: np.random.Generator, w: World, user: np.ndarray, track: np.ndarray) -> None:
    """Re-pick any track a listener would play a 50th time today (in place)."""
    while True:
        key = user.astype(np.int64) * len(w.cat.duration) + track
        order = np.argsort(key, kind="stable")
        ordered = key[order]
        first = np.r_[True, ordered[1:] != ordered[:-1]]
        rank = np.arange(len(key)) - np.maximum.accumulate(np.where(first, np.arange(len(key)), 0))
        again = order[rank >= REPEAT_CAP]
        if not len(again):
            return
        track[again] = w.cat.popular(rng, len(again))


def pick_tracks(rng: np.random.Generator, w: World, user: np.ndarray, counts: np.ndarray) -> np.ndarray:
    track = w.cat.popular(rng, len(user))
    favourite = np.flatnonzero(rng.random(len(user)) < FAVOURITE_SHARE)
    track[favourite] = w.people.favourites[user[favourite], rng.integers(0, FAVOURITES, len(favourite))]
    heavy = np.repeat(counts >= REPEAT_CAP, counts)
    if heavy.any():
        picked = track[heavy]
        cap_repeats(rng, w, user[heavy], picked)
        track[heavy] = picked
    return track


def played_ms(rng: np.random.Generator, duration: np.ndarray) -> np.ndarray:
    partial = rng.random(len(duration)) >= FULL_PLAY_SHARE
    cut = COUNTED_MS + (rng.random(len(duration)) * (duration - COUNTED_MS)).astype(np.int32)
    return np.where(partial, cut, duration).astype(np.int32)


def listening(rng: np.random.Generator, w: World, users: np.ndarray, counts: np.ndarray, kind: int) -> Rows:
    """One day of listeners' streams, `counts[i]` of them for account users[i]."""
    if not len(users):
        return Rows.empty()
    user = np.repeat(users, counts)
    first_of_user = np.zeros(len(user), bool)
    first_of_user[group_starts(counts)] = True
    opens = first_of_user | (rng.random(len(user)) < 1 / SESSION_STREAMS)
    session = np.cumsum(opens) - 1
    session_user = user[opens]
    home = w.people.home[session_user]
    at_home = (home >= 0) & (rng.random(len(session_user)) < HOME_DEVICE_USE)
    device = np.where(at_home, home, w.people.personal[session_user])
    offline = (
        (w.people.product[session_user] == 1)
        & (w.people.device_type[device] == SMARTPHONE)
        & (rng.random(len(session_user)) < OFFLINE_SESSION)
    )
    track = pick_tracks(rng, w, user, counts)
    ms = played_ms(rng, w.cat.duration[track])
    step = ms.astype(np.int64) + rng.integers(0, GAP_JITTER_MS + 1, len(user))
    span = np.add.reduceat(step, np.flatnonzero(opens))
    start = session_starts(rng, w, session_user, span, first_of_user[opens])
    played_at = start[session] + within(step, opens)
    return Rows(
        user, track, played_at, ms, device[session], offline[session], np.full(len(user), kind, np.int8)
    )


def run_layout(rng: np.random.Generator, counts: np.ndarray, step: np.ndarray) -> np.ndarray:
    """ms into the day of each stream of back-to-back runs, each started where it fits."""
    opens = np.zeros(len(step), bool)
    opens[group_starts(counts)] = True
    span = np.add.reduceat(step, np.flatnonzero(opens))
    start = (rng.random(len(counts)) * (DAY_MS - span)).astype(np.int64)
    return np.repeat(start, counts) + within(step, opens)


def bot_rows(
    user: np.ndarray, track: np.ndarray, at: np.ndarray, ms: np.ndarray, w: World, kind: str
) -> Rows:
    return Rows(
        user=user,
        track=track,
        played_at=at,
        ms_played=ms.astype(np.int32),
        device=w.people.personal[user],
        offline=np.zeros(len(user), bool),
        kind=np.full(len(user), 1 + FRAUD_KINDS.index(kind), np.int8),
    )


def loop_rows(rng: np.random.Generator, w: World, runs: Runs, today: np.ndarray) -> Rows:
    counts = runs.count[today]
    user = np.repeat(runs.account[today], counts)
    ms = rng.integers(30_500, 45_001, len(user))
    at = run_layout(rng, counts, ms + rng.integers(500, 20_001, len(user)))
    return bot_rows(user, runs.tracks[user - runs.first, 0], at, ms, w, "loop")


def overfull_rows(rng: np.random.Generator, w: World, runs: Runs, today: np.ndarray) -> Rows:
    """Each account-day split into 3-5 lanes that play at the same time."""
    counts = runs.count[today]
    lanes = -(-counts * (DURATION_MAX_MS + GAP_JITTER_MS) // LANE_MS)
    lane_counts = (counts[:, None] + np.arange(lanes.max())[None, :]) // lanes[:, None]
    lane_counts = np.where(np.arange(lanes.max())[None, :] < lanes[:, None], lane_counts, 0).ravel()
    user = np.repeat(np.repeat(runs.account[today], lanes.max()), lane_counts)
    track = runs.tracks[user - runs.first, rng.integers(0, runs.tracks.shape[1], len(user))]
    ms = w.cat.duration[track]
    at = run_layout(rng, lane_counts[lane_counts > 0], ms + rng.integers(0, GAP_JITTER_MS + 1, len(user)))
    return bot_rows(user, track, at, ms, w, "overfull_day")


def machine_rows(rng: np.random.Generator, w: World, runs: Runs, today: np.ndarray) -> Rows:
    counts = runs.count[today]
    user = np.repeat(runs.account[today], counts)
    ms = runs.interval[user - runs.first]
    track = runs.tracks[user - runs.first, rng.integers(0, MACHINE_POOL, len(user))]
    at = run_layout(rng, counts, ms + rng.integers(-10, 11, len(user)))
    return bot_rows(user, track, at, ms, w, "machine_timing")


BOTS: dict[str, Callable[[np.random.Generator, World, Runs, np.ndarray], Rows]] = {
    "loop": loop_rows,
    "overfull_day": overfull_rows,
    "machine_timing": machine_rows,
}


def day_rows(rng: np.random.Generator, w: World, day: int) -> Rows:
    plan = w.plan
    listeners = np.flatnonzero(plan.listeners[day])
    farm = np.flatnonzero(plan.farm[day])
    parts = [
        listening(rng, w, listeners, plan.listeners[day, listeners], 0),
        listening(
            rng, w, plan.farm_first + farm, plan.farm[day, farm], 1 + FRAUD_KINDS.index("shared_device")
        ),
    ]
    for kind, kind_runs in plan.runs.items():
        today = np.flatnonzero(kind_runs.day == day)
        if len(today):
            parts.append(BOTS[kind](rng, w, kind_runs, today))
    return Rows.concat(parts)


# ---- writing ----

DICTIONARY_COLUMNS = ["user", "track_id", "market", "product", "device", "device_type"]
MARKET_NAMES = pa.array([code for code, _, _ in MARKETS])
PRODUCT_NAMES = pa.array(PRODUCTS)
DEVICE_TYPE_NAMES = pa.array(DEVICE_TYPES)


def parquet_writer(path: Path, schema: pa.Schema, dictionary: list[str]) -> pq.ParquetWriter:
    path.parent.mkdir(parents=True, exist_ok=True)
    return pq.ParquetWriter(
        path,
        schema,
        compression="zstd",
        use_dictionary=dictionary,
        # A row group's distinct users and tracks run to a few MB; the default 1 MiB would fall
        # back to plain encoding part-way through the chunk.
        dictionary_pagesize_limit=64 << 20,
        column_encoding={"played_at": "DELTA_BINARY_PACKED"} if "played_at" in schema.names else None,
    )


def stream_table(w: World, rows: Rows, ids: pa.StringArray, start: int, stop: int) -> pa.Table:
    part = rows.take(np.arange(start, stop))
    people = w.people
    columns = [
        ids[start:stop],
        people.ids.take(part.user),
        w.cat.ids.take(part.track),
        MARKET_NAMES.take(people.market[part.user]),
        PRODUCT_NAMES.take(people.product[part.user]),
        pa.array(part.played_at, pa.timestamp("ms", tz="UTC")),
        pa.array(part.ms_played, pa.int32()),
        people.device_ids.take(part.device),
        DEVICE_TYPE_NAMES.take(people.device_type[part.device]),
        pa.array(part.offline),
    ]
    return pa.Table.from_arrays(columns, schema=STREAMS)


def stream_ids(numbers: np.ndarray, salt: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    return mix(numbers, salt[0]), mix(numbers, salt[1])


def write_day(path: Path, w: World, rows: Rows, numbers: np.ndarray, salt: tuple[int, int]) -> pa.Table:
    """Write one day's rows, by played_at then stream_id; return its fraud truth rows."""
    high, low = stream_ids(numbers, salt)
    order = np.lexsort((low, high, rows.played_at))
    rows, high, low = rows.take(order), high[order], low[order]
    ids = strings(np.concatenate([base62(high), base62(low)], axis=1))
    groups = max(1, round(len(order) / ROW_GROUP))
    bounds = np.linspace(0, len(order), groups + 1).astype(np.int64)
    with parquet_writer(path, STREAMS, DICTIONARY_COLUMNS) as writer:
        for start, stop in itertools.pairwise(bounds):
            writer.write_table(stream_table(w, rows, ids, int(start), int(stop)), row_group_size=ROW_GROUP)
    fraud = np.flatnonzero(rows.kind > 0)
    kinds = pa.array(np.array(FRAUD_KINDS)[rows.kind[fraud] - 1])
    return pa.table([ids.take(pa.array(fraud)), kinds], schema=FRAUD_TRUTH)


# ---- rights ----


@dataclass
class Holders:
    ids: pa.StringArray
    names: list[str]
    first: dict[str, int]  # index of each kind's first holder

    def zipf(self, rng: np.random.Generator, kind: str, count: int) -> np.ndarray:
        size = HOLDERS[kind]
        return self.first[kind] + zipf_pick(rng, size, count, 1.0)


def zipf_pick(rng: np.random.Generator, size: int, count: int, s: float) -> np.ndarray:
    """Indices in 0..size-1, Zipf by a seeded rank order."""
    cdf = np.cumsum(np.arange(1, size + 1, dtype=np.float64) ** -s)
    ranks = np.minimum(np.searchsorted(cdf / cdf[-1], rng.random(count), side="right"), size - 1)
    return rng.permutation(size)[ranks]


def holders(rng: np.random.Generator) -> Holders:
    total = sum(HOLDERS.values())
    stems = rng.permutation([(a, b) for a in WORDS for b in WORDS if a != b])[:total]
    names, first = [], {}
    for kind, count in HOLDERS.items():
        first[kind] = len(names)
        suffixes = SUFFIXES[kind]
        names += [
            f"{a} {b} {suffixes[i % len(suffixes)]}" for i, (a, b) in enumerate(stems[len(names) :][:count])
        ]
    return Holders(ids=base62_ids(np.arange(total), salts(rng)), names=names, first=first)


def person_names(rng: np.random.Generator, count: int) -> list[str]:
    """Distinct made-up names: syllable pairs for first names, pairs and an ending for surnames."""
    firsts = [(a + b).capitalize() for a in SYLLABLES for b in SYLLABLES]
    lasts = [(a + b + end).capitalize() for a in SYLLABLES for b in SYLLABLES for end in SURNAME_ENDINGS]
    picked = rng.choice(len(firsts) * len(lasts), count, replace=False)
    return [f"{firsts[i % len(firsts)]} {lasts[i // len(firsts)]}" for i in picked.tolist()]


def shares(rng: np.random.Generator, parties: np.ndarray) -> np.ndarray:
    """(tracks, 3) basis points: the label's first, the rest split, each row summing to 10,000."""
    label = np.where(
        parties == 2, 50 * rng.integers(100, 171, len(parties)), 50 * rng.integers(80, 141, len(parties))
    )
    label = np.where(parties == 1, 10_000, label)
    rest = 10_000 - label
    second = np.where(parties == 3, 50 * np.round(rest * rng.uniform(0.4, 0.75, len(parties)) / 50), rest)
    second = np.clip(second, np.minimum(rest, 50), np.maximum(rest - 50 * (parties == 3), 0))
    return np.stack([label, second, rest - second], axis=1).astype(np.int32)


def rights_table(rng: np.random.Generator, cat: Catalogue) -> pa.Table:
    """One row per (track, party); see the module docstring for who a party is."""
    tracks = len(cat.duration)
    rh = holders(rng)
    people = max(200, tracks // 4)
    artists = max(100, tracks // 8)
    names = person_names(rng, people)
    artist_ids = base62_ids(np.arange(artists), salts(rng))
    artist_label = rh.zipf(rng, "label", artists)
    agent = rh.zipf(rng, "management", people)
    artist = zipf_pick(rng, artists, tracks, 0.9)
    featured = np.where(rng.random(tracks) < 0.12, (artist + rng.integers(1, artists, tracks)) % artists, -1)
    other = (artist + rng.integers(1, people, tracks)) % people  # a producer or songwriter, not the artist
    pattern = rng.choice(len(PARTY_PATTERNS), tracks, p=[share for _, share in PARTY_PATTERNS])
    parties = np.array([len(roles) for roles, _ in PARTY_PATTERNS])[pattern]
    role_table = np.array(
        [[ROLES.index(r) for r in roles] + [-1] * (3 - len(roles)) for roles, _ in PARTY_PATTERNS]
    )
    track = np.repeat(np.arange(tracks), parties)
    slot = np.arange(len(track)) - group_starts(parties)[track]
    role = role_table[pattern[track], slot]
    person = np.where(role == ROLES.index("artist"), artist[track], other[track])
    publisher = rh.zipf(rng, "publisher", tracks)[track]
    company = np.where(role == ROLES.index("label"), artist_label[artist[track]], publisher)
    is_company = (role == ROLES.index("label")) | (role == ROLES.index("publisher"))
    payee = np.where(is_company, company, agent[person])
    all_names = pa.array(rh.names + names)
    party = np.where(is_company, company, len(rh.names) + person)
    credited = 1 + (featured[track] >= 0)
    values = np.repeat(artist[track], credited)
    second = group_starts(credited)[credited == 2] + 1
    values[second] = featured[track][credited == 2]
    offsets = np.concatenate([[0], np.cumsum(credited)]).astype(np.int32)
    columns = [
        cat.ids.take(track),
        rh.ids.take(payee),
        all_names.take(payee),
        all_names.take(party),
        pa.array(ROLES).take(role),
        pa.array(shares(rng, parties)[track, slot], pa.int32()),
        pa.ListArray.from_arrays(pa.array(offsets), artist_ids.take(values)),
    ]
    return pa.Table.from_arrays(columns, schema=RIGHTS)


# ---- the whole month ----


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def write_rights(rng: np.random.Generator, w: World, out: Path) -> Path:
    path = out / "rights.parquet"
    with parquet_writer(path, RIGHTS, ["rightsholder_id", "rightsholder_name", "party", "role"]) as writer:
        writer.write_table(rights_table(rng, w.cat), row_group_size=ROW_GROUP)
    return path


def write_days(
    seed: np.random.SeedSequence, w: World, out: Path, started: float
) -> Iterator[tuple[Path, pa.Table]]:
    salt = salts(np.random.default_rng(seed.spawn(1)[0]))
    numbered = 0
    for index, (day, day_seed) in enumerate(zip(w.days, seed.spawn(len(w.days)), strict=True)):
        rows = day_rows(np.random.default_rng(day_seed), w, index)
        rows.played_at += int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
        path = out / "streams" / f"date={day.isoformat()}" / "streams.parquet"
        numbers = np.arange(numbered, numbered + len(rows.user), dtype=np.uint64)
        truth = write_day(path, w, rows, numbers, salt)
        numbered += len(rows.user)
        say(f"{day}: {len(rows.user):,} streams, {numbered:,} so far, {time.monotonic() - started:.0f} s")
        yield path, truth


def generate(
    out: Path,
    *,
    streams: int = 100_000_000,
    tracks: int = 1_000_000,
    month: str = "2026-10",
    seed: int = 1,
    fraud: float = 0.01,
) -> dict[str, object]:
    """Write the month under `out` (see the module docstring); return the summary line's fields."""
    started = time.monotonic()
    root = np.random.SeedSequence(seed)
    world_seed, rights_seed, days_seed = root.spawn(3)
    w = world(np.random.default_rng(world_seed), streams, tracks, month, fraud)
    say(f"world: {len(w.people.market):,} accounts, {tracks:,} tracks, {time.monotonic() - started:.1f} s")
    written = [write_rights(np.random.default_rng(rights_seed), w, out)]
    truths = []
    for path, truth in write_days(days_seed, w, out, started):
        written.append(path)
        truths.append(truth)
    truth = pa.concat_tables(truths) if truths else FRAUD_TRUTH.empty_table()
    truth_path = out / "fraud_truth.parquet"
    pq.write_table(truth, truth_path, compression="zstd")
    written.append(truth_path)
    kinds = truth.column("kind").to_numpy(zero_copy_only=False)
    return {
        "streams": sum(pq.ParquetFile(path).metadata.num_rows for path in written[1:-1]),
        "users": len(w.people.market),
        "tracks": tracks,
        "fraud": {kind: int((kinds == kind).sum()) for kind in FRAUD_KINDS},
        "bytes": sum(path.stat().st_size for path in written),
        "seconds": round(time.monotonic() - started, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--streams", type=int, default=100_000_000)
    parser.add_argument("--tracks", type=int, default=1_000_000)
    parser.add_argument("--month", default="2026-10", help="YYYY-MM")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fraud", type=float, default=0.01, help="share of the streams for each fraud kind")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    summary = generate(
        args.out, streams=args.streams, tracks=args.tracks, month=args.month, seed=args.seed, fraud=args.fraud
    )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
