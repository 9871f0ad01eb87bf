from __future__ import annotations

from tonearm.kit.lru import LruMap


def test_the_least_recently_used_entry_goes_first() -> None:
    cache: LruMap[str, int] = LruMap(capacity=2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c"), len(cache)) == (1, 3, 2)
