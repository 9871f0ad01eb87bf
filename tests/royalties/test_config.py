"""The royalty configuration: the shipped example is the default, and a bad file is refused
with a message naming what is wrong, before any stream is read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tonearm.errors import BadRequest
from tonearm.royalties.config import DEFAULT_CONFIG, load_config, parse_config


def pool(**changes: Any) -> dict[str, Any]:
    return {
        "market": "SE",
        "product": "premium",
        "currency": "SEK",
        "revenue_minor": 100_000,
        "rightsholder_share": 0.52,
    } | changes


def test_the_shipped_example_is_the_default_and_documents_every_pool() -> None:
    config = load_config()
    assert config.source == str(DEFAULT_CONFIG)
    assert {(p.market, p.product) for p in config.pools} >= {("SE", "premium"), ("SE", "free")}
    se = config.pool("SE", "premium")
    assert se is not None and se.pool_minor == se.revenue_minor * 52 // 100
    assert "rightsholder_share" in DEFAULT_CONFIG.read_text() and "#" in DEFAULT_CONFIG.read_text()


def test_the_pool_is_the_share_of_revenue_rounded_down_to_a_minor_unit() -> None:
    config = parse_config({"pool": [pool(revenue_minor=999, rightsholder_share=0.5)]})
    assert config.pools[0].pool_minor == 499


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (pool(revenue_minor=-1), "negative"),
        (pool(market="XX"), "not a market"),
        (pool(market="Sweden"), "not a market"),
        ({k: v for k, v in pool().items() if k != "rightsholder_share"}, "rightsholder_share is missing"),
        (pool(rightsholder_share=1.5), "between 0 and 1"),
        (pool(rightsholder_share=0.123456), "more than 4 decimals"),
        (pool(rightsholder_share="half"), "number between 0 and 1"),
        (pool(revenue_minor=10.5), "whole number"),
        (pool(product="family"), "product must be one of"),
        (pool(currency="kronor"), "ISO 4217"),
        (pool(colour="blue"), "unknown key"),
    ],
)
def test_a_bad_pool_is_refused_with_what_is_wrong(entry: dict[str, Any], message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        parse_config({"pool": [entry]})


def test_a_pool_listed_twice_or_none_at_all_is_refused() -> None:
    with pytest.raises(BadRequest, match="listed twice"):
        parse_config({"pool": [pool(), pool()]})
    with pytest.raises(BadRequest, match="no \\[\\[pool\\]\\]"):
        parse_config({})


def test_fraud_thresholds_must_be_positive_whole_numbers() -> None:
    assert (
        parse_config({"pool": [pool()], "fraud": {"loop_streams_per_day": 7}}).fraud.loop_streams_per_day == 7
    )
    with pytest.raises(BadRequest, match="positive whole number"):
        parse_config({"pool": [pool()], "fraud": {"loop_streams_per_day": 0}})
    with pytest.raises(BadRequest, match="unknown key"):
        parse_config({"pool": [pool()], "fraud": {"loops": 5}})


def test_a_file_that_is_not_toml_or_not_there_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "royalties.toml"
    broken.write_text("[[pool]\nmarket = ")
    with pytest.raises(BadRequest, match="not valid TOML"):
        load_config(broken)
    with pytest.raises(BadRequest, match="does not exist"):
        load_config(tmp_path / "missing.toml")
