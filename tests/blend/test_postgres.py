"""A blend's whole life on PostgreSQL: the row locks, the pair and due queries, the cascades."""

from __future__ import annotations

import pytest

from tests.blend.conftest import Blends
from tonearm.blend.tasks import REFRESH_AGE, refresh_blends
from tonearm.kit.time import utcnow

pytestmark = pytest.mark.postgres


def test_a_blend_is_invited_accepted_refreshed_and_left_on_postgresql(postgres_api: Blends) -> None:
    api = postgres_api
    api.stream("ann", 0, times=2)
    api.save("bob", 0, 1)
    accepted = api.accepted("ann", "bob")
    assert api.mixed("bob", accepted["id"]) == [(0, "both"), (1, "invitee")]
    assert api.call("bob", "POST", "/v1/me/blends", json={"user_id": api.user_id("ann")}).status_code == 400
    assert refresh_blends(api.factory()) == []
    api.save("ann", 2)
    [done] = refresh_blends(api.factory(), now=utcnow() + 2 * REFRESH_AGE)
    assert done.changed is True and api.songs_in("bob", accepted["playlist"]["id"]) == [0, 2, 1]
    assert api.call("ann", "DELETE", f"/v1/blends/{accepted['id']}").status_code == 204
    assert api.blend("bob", accepted["id"])["status"] == "ended"
    assert refresh_blends(api.factory(), every=True) == []
