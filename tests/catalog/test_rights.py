"""The one-pass market list agrees with the per-market rule for any mix of windows."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from tonearm.catalog.models import Right
from tonearm.catalog.rights import available_markets, is_allowed, playable_markets
from tonearm.kit.territories import COUNTRIES, WORLDWIDE
from tonearm.kit.time import utcnow

NOW = utcnow()
SOME = ["WW", "SE", "DE", "US", "JP"]
edges = st.one_of(st.none(), st.integers(-3, 3).map(lambda days: NOW + timedelta(days=days)))
rights = st.lists(
    st.builds(
        lambda territory, allowed, start, end: Right(
            track_id="t", territory=territory, allowed=allowed, valid_from=start, valid_to=end
        ),
        st.sampled_from(SOME),
        st.booleans(),
        edges,
        edges,
    ),
    max_size=5,
)


@given(rights)
def test_playable_markets_is_is_allowed_for_every_market(track_rights: list[Right]) -> None:
    expected = sorted(market for market in COUNTRIES if is_allowed(track_rights, market, NOW))
    assert available_markets(track_rights, NOW) == expected
    markets = playable_markets(track_rights, NOW)
    assert (markets == (WORLDWIDE,)) == (len(expected) == len(COUNTRIES))


def test_a_worldwide_denial_is_a_takedown_everywhere() -> None:
    track_rights = [Right(territory="WW", allowed=True), Right(territory="WW", allowed=False)]
    assert playable_markets(track_rights, NOW) == ()
    assert not is_allowed(track_rights, "SE", NOW)
