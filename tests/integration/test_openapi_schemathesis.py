"""The OpenAPI description, tested against the running API with schemathesis (bounded run).

Every operation under ``/v1`` gets generated requests (valid and invalid) and every check schemathesis
has runs on each answer, valid-data acceptance included: no 5xx, documented statuses, content types
and headers, response schemas, invalid data rejected, valid data accepted, 405 for methods a path does
not serve. The API runs over real HTTP on in-memory adapters. Seeded (derandomized) and bounded.

What JSON Schema cannot say is taught to the generator, never to the checks: a spec string's grammar
(format ``zapdoc-fields``), names unique once normalised, and that ``https-url`` host names resolve to
a public address (a DNS stand-in answers every name with one: this machine has no DNS).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import functions_framework
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import providers as hypothesis_providers
from hypothesis.internal.constants_ast import Constants
from schemathesis.core.parameters import ParameterLocation
from werkzeug.serving import make_server

from tests.api_support import WEBHOOK_SECRET, api_context, fake_token, sign
from tests.pipeline_support import function_client, memory_world
from zapdoc import bootstrap
from zapdoc.api import models as M
from zapdoc.domain.errors import UsageError
from zapdoc.domain.fields import normalise_name
from zapdoc.services.paging import encode_cursor

ROOT = Path(__file__).resolve().parents[2]
schema = schemathesis.openapi.from_path(ROOT / "openapi/openapi.yaml").include(path_regex="^/v1/")
TOKEN = fake_token("schemathesis-user")
PUBLIC = "93.184.215.14"  # what the DNS stand-in answers for every host name

# -------------------------------------------------------------------- what the schema cannot say

_name = st.from_regex(r"\A[a-z][a-z0-9_]{0,20}\Z")
_note = st.from_regex(r"\A[A-Za-z0-9 .]{1,40}\Z").map(str.strip).filter(bool)


@st.composite
def field_spec_strings(draw: st.DrawFn) -> str:
    """Valid ``fields`` spec strings: unique names, optional types, notes and a table."""
    names = draw(st.lists(_name, min_size=1, max_size=6, unique_by=normalise_name))
    items = []
    for i, name in enumerate(names):
        if i == 0 and draw(st.booleans()):
            columns = draw(st.lists(_name, min_size=1, max_size=3, unique_by=normalise_name))
            types = [draw(st.sampled_from(M.COLUMN_TYPES)) for _ in columns]
            items.append(
                f"{name}:table[{', '.join(f'{c}:{t}' for c, t in zip(columns, types, strict=True))}]"
            )
            continue
        item = name
        if draw(st.booleans()):
            item += ":" + draw(st.sampled_from([t for t in M.FIELD_TYPES if t not in M.TABLE_TYPES]))
        if draw(st.booleans()):
            item += f" ({draw(_note)})"
        items.append(item)
    return ", ".join(items)


https_urls = st.builds(
    "https://{}.example.com/{}".format,
    st.from_regex(r"\A[a-z][a-z0-9-]{0,20}[a-z0-9]\Z"),
    st.from_regex(r"\A[A-Za-z0-9/_-]{0,30}\Z"),
)
cursors = st.builds(
    lambda at, item: encode_cursor((at, item)),
    st.datetimes(timezones=st.just(dt.UTC)),
    st.from_regex(r"\A[A-Za-z0-9_-]{1,64}\Z"),
)  # a next_cursor as the API issues them: any such position is valid
schemathesis.openapi.format("zapdoc-fields", field_spec_strings())
schemathesis.openapi.format("zapdoc-cursor", cursors)
schemathesis.openapi.format("https-url", https_urls)


def distinct_names(fields: Any) -> Any:
    """``fields`` with every entry whose name repeats an earlier one (once normalised, as the domain
    compares them) left out, in columns too: a rule no JSON Schema keyword states. What is left stays
    schema-valid (at least one entry remains, none is added)."""
    if not isinstance(fields, list):
        return fields
    seen: set[str] = set()
    kept = []
    for item in fields:
        name = item.get("name") if isinstance(item, dict) else None
        try:
            key = normalise_name(name) if isinstance(name, str) else None
        except UsageError:
            key = None  # a name the domain refuses is for the checks to judge
        if key is not None and key in seen:
            continue
        if key is not None:
            seen.add(key)
        if isinstance(item, dict) and isinstance(item.get("columns"), list):
            kept.append({**item, "columns": distinct_names(item["columns"])})
        else:
            kept.append(item)
    return kept


@schema.hook("map_body")
def unique_field_names(ctx: Any, body: Any) -> Any:
    """Generated bodies (fuzzing) name each field once."""
    if isinstance(body, dict) and "fields" in body:
        return {**body, "fields": distinct_names(body["fields"])}
    return body


def _body_is_positive(case: Any) -> bool:
    component = case.meta.components.get(ParameterLocation.BODY) if case.meta else None
    return component is not None and component.mode.is_positive


_real_getaddrinfo = socket.getaddrinfo


def _dns_stand_in(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
    """The internet's DNS as the test sees it: every host name resolves to one public address (this
    machine has no DNS); addresses and localhost resolve as usual."""
    if isinstance(host, str) and host != "localhost" and not _is_address(host):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, port))]
    return _real_getaddrinfo(host, port, *args, **kwargs)


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


@pytest.fixture(autouse=True, scope="module")
def _generation_independent_of_imports() -> Iterator[None]:
    """The same cases whatever else the process imported. Hypothesis mixes "local constants" into its
    draws (about 1 in 20): literals of every non-test module of this repository found in
    ``sys.modules`` when a case is drawn. With other test files in the same process (tests/integration:
    1229 constants alone, 2205 after test_openai_standin.py), the derandomized run drew other cases, and
    the fuzzing found cases a run of this file alone never sends. The pool is pinned to empty (and its
    per-constraints cache cleared) for this module: derandomized means these cases, in any process."""
    assert hasattr(hypothesis_providers, "_get_local_constants"), "hypothesis moved its local constants"
    empty = Constants()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(hypothesis_providers, "_get_local_constants", lambda: empty)
        hypothesis_providers.CONSTANTS_CACHE.cache.clear()
        try:
            yield
        finally:
            hypothesis_providers.CONSTANTS_CACHE.cache.clear()


# --------------------------------------------------------------------------------------- the API


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    assert ipaddress.ip_address(PUBLIC).is_global
    world = memory_world()
    bootstrap.install(world.rt)
    # enough credits that a valid job is never refused for the balance (402 stays documented)
    bootstrap.install(api=api_context(world.rt, free_credits=1_000_000))
    socket.getaddrinfo = _dns_stand_in
    app = functions_framework.create_app(  # type: ignore[no-untyped-call]
        target="api", source=str(ROOT / "functions/api/main.py"), signature_type="http"
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        socket.getaddrinfo = _real_getaddrinfo
        bootstrap.reset()


@schema.auth()
class BearerToken:
    """The test user's token on every case, except one whose negation removes Authorization
    (schemathesis leaves those unauthenticated: they must be answered 401)."""

    def get(self, case: Any, ctx: Any) -> str:
        return TOKEN

    def set(self, case: Any, data: str, ctx: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


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
    # The coverage phase builds its cases without the body hooks: its valid bodies (a "maximum items"
    # fields list, say) get the same rule here. Setting the body re-derives the case's mode.
    # Only a body the rule changes is set again: setting it re-derives the mode even when nothing
    # changed, and a left-out optional body (NOT_SET) set back came out "negative", expected refused.
    if _body_is_positive(case) and (fixed := unique_field_names(None, case.body)) is not case.body:
        case.body = fixed
    # Every check runs, valid data accepted included (nothing excluded). The token comes from the auth
    # provider above, not from headers given here: those would also land on a negative case that leaves
    # Authorization out on purpose, which then goes out valid, is answered 200 and fails as "accepted".
    case.call_and_validate(base_url=base_url)


def test_the_description_is_the_generated_one() -> None:
    from zapdoc.dev.openapi import document

    assert schema.raw_schema["paths"].keys() == document()["paths"].keys()


# ------------------------------------------------------------------------------ the Stripe webhook

webhook_schema = schemathesis.openapi.from_path(ROOT / "openapi/openapi.yaml").include(
    path_regex="^/stripe_webhook$"
)


@pytest.fixture(scope="module")
def webhook_base_url() -> Iterator[str]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
        bootstrap.reset(settings_only=True)
        bootstrap.install(memory_world().rt)
        app = functions_framework.create_app(  # type: ignore[no-untyped-call]
            target="stripe_webhook",
            source=str(ROOT / "functions/stripe_webhook/main.py"),
            signature_type="http",
        )
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            thread.join(timeout=10)
            bootstrap.reset()


def stripe_signature(raw: bytes) -> str:
    """Stripe's scheme over any raw bytes: ``t=<now>,v1=HMAC-SHA256(secret, "<t>.<body>")``."""
    t = int(time.time())
    mac = hmac.new(WEBHOOK_SECRET.encode(), f"{t}.".encode() + raw, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


@webhook_schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_the_stripe_webhook_conforms_to_its_openapi_description(case: Any, webhook_base_url: str) -> None:
    # What the schema cannot say, taught to the request, never to the checks: a Stripe-Signature is an
    # HMAC over the exact raw body. A case that carries the header gets a valid signature for the body
    # as sent (Stripe's scheme, the endpoint's secret); a case without it goes unsigned (it must be
    # refused). Every check runs on the answer, valid data accepted included.
    kwargs = case.as_transport_kwargs(base_url=webhook_base_url)
    headers = {str(k): str(v) for k, v in (kwargs.pop("headers", None) or {}).items()}
    if "json" in kwargs:
        raw = json.dumps(kwargs.pop("json"), separators=(",", ":")).encode()
        headers["Content-Type"] = "application/json"
    else:
        data = kwargs.pop("data", b"")
        raw = data.encode() if isinstance(data, str) else bytes(data or b"")
    if "Stripe-Signature" in headers:
        headers["Stripe-Signature"] = stripe_signature(raw)
    response = requests.request(**kwargs, data=raw, headers=headers, timeout=30)
    case.validate_response(response, headers=headers, transport_kwargs={**kwargs, "headers": headers})


def test_the_webhook_fuzzing_covers_signed_events_that_are_applied_and_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The run above is not vacuous: the spec makes a signed, well-formed event of a type ZapDoc ignores
    # answer 200, and the same event without its data.object answer 400 (what positive and negative
    # data acceptance then check on every generated case).
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    bootstrap.reset(settings_only=True)
    bootstrap.install(memory_world().rt)
    try:
        client = function_client("stripe_webhook", "http")
        ok = sign({"id": "evt_1", "type": "customer.created", "data": {"object": {}}})
        bad = sign({"id": "evt_2", "type": "customer.created", "data": {}})
        no_id = sign({"id": "", "type": "customer.created", "data": {"object": {}}})
        answers = [
            client.post("/", data=s.body, headers={"Stripe-Signature": s.header}) for s in (ok, bad, no_id)
        ]
    finally:
        bootstrap.reset()
    assert [a.status_code for a in answers] == [200, 400, 400]
    assert answers[0].get_json() == {"received": True, "action": "ignored"}
    assert [a.get_json()["error"]["code"] for a in answers[1:]] == ["malformed_event", "malformed_event"]
