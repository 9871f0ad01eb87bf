"""The OpenAPI document is the contract: generated requests against every read operation never
get a server error, and every response matches its documented status and schema."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.auth import bearer, user_token
from tests.catalog_factory import make_track, publish
from tonearm.app import create_app
from tonearm.config import Settings
from tonearm.kit.db import unit_of_work


def _app_with_a_small_catalog():  # type: ignore[no-untyped-def]
    # Built at import: schemathesis makes one test per operation from the schema at collection.
    folder = Path(tempfile.mkdtemp(prefix="tonearm-contract-"))
    app = create_app(Settings(data_dir=folder, signing_keys="k1:secret", rate_limit_url="off"))
    with unit_of_work(app.state.session_factory) as session:
        publish(session, *(make_track(f"Song {n}", track_number=n) for n in range(1, 4)))
    return app, user_token(app, "contract")


APP, TOKEN = _app_with_a_small_catalog()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.include(method="GET").parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_read_operations_keep_their_documented_contract(case: schemathesis.Case) -> None:
    # A schema-valid value can still be no country or no known id; those get a 400 or 404.
    case.call_and_validate(headers=bearer(TOKEN), excluded_checks=[positive_data_acceptance])
