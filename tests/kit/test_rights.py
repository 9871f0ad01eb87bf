"""The one-pass market list agrees with the per-market rule for any mix of windows."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from tonearm.catalog.models import Right
from tonearm.kit.rights import Availability, availability, available_markets, is_allowed
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


def allowed_in(track_rights: list[Right]) -> set[str]:
    return {market for market in COUNTRIES if is_allowed(track_rights, market, NOW)}


@given(rights)
def test_availability_is_is_allowed_for_every_market(track_rights: list[Right]) -> None:
    assert available_markets(track_rights, NOW) == sorted(allowed_in(track_rights))
    found = availability(track_rights, NOW)
    assert found.worldwide == (len(allowed_in(track_rights)) > len(COUNTRIES) - 5)


@given(st.lists(rights, max_size=4))
def test_an_albums_availability_is_the_union_of_its_tracks(albums_tracks: list[list[Right]]) -> None:
    union = Availability.union([availability(track_rights, NOW) for track_rights in albums_tracks])
    expected = set().union(*(allowed_in(track_rights) for track_rights in albums_tracks))
    assert set(union.expanded()) == expected


def test_a_worldwide_denial_is_a_takedown_everywhere() -> None:
    track_rights = [Right(territory="WW", allowed=True), Right(territory="WW", allowed=False)]
    assert availability(track_rights, NOW) == Availability(())
    assert not is_allowed(track_rights, "SE", NOW)
    assert availability([Right(territory="WW", allowed=True)], NOW) == Availability((WORLDWIDE,))
