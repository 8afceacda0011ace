"""The OpenAPI description, tested against the running API with schemathesis (bounded run).

Every operation gets generated requests (valid and invalid); the API must never answer 5xx and its
responses must match the description. The API runs over real HTTP on in-memory adapters.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import functions_framework
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from werkzeug.serving import make_server

from tests.api_support import api_context, fake_token
from tests.pipeline_support import memory_world
from zapdoc import bootstrap
from zapdoc.api import app as api_app

ROOT = Path(__file__).resolve().parents[2]
schema = schemathesis.openapi.from_path(ROOT / "openapi/openapi.yaml")
TOKEN = fake_token("schemathesis-user")


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    world = memory_world()
    bootstrap.install(world.rt)
    bootstrap.install(api=api_context(world.rt))
    app = functions_framework.create_app(  # type: ignore[no-untyped-call]
        target="api", source=str(ROOT / "functions/api/main.py"), signature_type="http"
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    bootstrap.reset()


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_api_conforms_to_its_openapi_description(case: Any, base_url: str) -> None:
    # Every check runs (no 5xx, status codes, content types, response schemas, invalid data rejected)
    # except "valid data accepted": schema-valid requests may still name an unknown template or pack.
    case.call_and_validate(
        base_url=base_url,
        headers={"Authorization": f"Bearer {TOKEN}"},
        excluded_checks=[positive_data_acceptance],
    )


def as_regex(path: str) -> str:
    return "^" + re.sub(r"\{[a-z_]+\}", "([A-Za-z0-9_-]{1,64})", path) + "$"


def test_the_description_covers_every_route() -> None:
    paths = schema.raw_schema["paths"]
    described = {(m.upper(), as_regex(p)) for p, ops in paths.items() for m in ops if m != "parameters"}
    routed = {(method, rx.pattern) for method, rx, _ in api_app.ROUTES}
    assert described == routed
    assert len(routed) == 21
