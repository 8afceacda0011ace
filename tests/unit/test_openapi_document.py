"""openapi/openapi.yaml is generated from the route table and models: CI fails when it drifts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import yaml  # type: ignore[import-untyped]

from zapdoc.api import app as api_app
from zapdoc.api import http as H
from zapdoc.dev.openapi import document, render

ROOT = Path(__file__).resolve().parents[2]
CHECKED_IN = ROOT / "openapi" / "openapi.yaml"


def test_the_checked_in_document_is_what_the_code_generates() -> None:
    # GIVEN the routes and models WHEN the document is generated in memory THEN it is the file in git
    assert CHECKED_IN.read_text(encoding="utf-8") == render(), "run `make openapi` and commit the result"


def test_the_check_script_fails_on_a_difference(tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, str(ROOT / "scripts/gen-openapi"), "--check"], check=False, capture_output=True
    )
    assert ok.returncode == 0, ok.stdout.decode() + ok.stderr.decode()
    # a copy of the repository layout whose file lost one line is refused with a diff
    (tmp_path / "openapi").mkdir()
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts/gen-openapi").write_text((ROOT / "scripts/gen-openapi").read_text())
    (tmp_path / "shared").symlink_to(ROOT / "shared")
    lines = CHECKED_IN.read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "openapi/openapi.yaml").write_text("".join(lines[:-1]))
    bad = subprocess.run(
        [sys.executable, str(tmp_path / "scripts/gen-openapi"), "--check"],
        check=False,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    assert lines[-1].strip() in bad.stdout


def test_every_route_is_described_with_every_status_it_can_answer() -> None:
    doc = document()
    described = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops if m not in ("servers",)}
    routed = {(r.method, r.path) for r in api_app.ROUTES}
    assert described - routed == {("POST", "/stripe_webhook")}
    assert routed <= described
    for route in api_app.ROUTES:
        responses = doc["paths"][route.path][route.method.lower()]["responses"]
        assert set(responses) == {str(route.status), *map(str, route.statuses())}
        assert {"401", "500", "503"} <= set(responses)


def test_every_error_status_lists_its_codes_and_the_envelope() -> None:
    responses = document()["components"]["responses"]
    for status, codes in H.ERROR_CODES.items():
        described = responses[f"E{status}"]
        assert all(f"`{code}`" in described["description"] for code in codes)
        assert described["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "Retry-After" in responses["E503"]["headers"]
    assert "Allow" in responses["E405"]["headers"]


def test_limits_come_from_the_models_once() -> None:
    # the request schemas carry the same bounds the models enforce
    schemas = yaml.safe_load(CHECKED_IN.read_text(encoding="utf-8"))["components"]["schemas"]
    files = schemas["JobCreateRequest"]["properties"]["files"]
    assert (files["minItems"], files["maxItems"]) == (1, 50)
    name = schemas["FieldSpec"]["properties"]["name"]
    assert (name["maxLength"], name["pattern"]) == (64, "[0-9A-Za-z]")
    assert "options" not in schemas["JobCreateRequest"]["properties"]
    assert schemas["JobCreateRequest"]["additionalProperties"] is False


def test_the_document_is_valid_json_schema_where_it_holds_schemas() -> None:
    doc = document()
    for name, schema in doc["components"]["schemas"].items():
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema, name
