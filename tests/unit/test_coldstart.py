"""Each packaged function, imported in a fresh process exactly as deployed (its own folder only, no
repository on the path): it imports cleanly without ``zapdoc.dev``, ``zapdoc.standins`` or test helpers,
ships none of them, and loads at start exactly the client libraries its preload list names."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from zapdoc import bootstrap
from zapdoc.dev.packaging import function_names, package_function

# Client libraries whose presence at start is checked (imported by name; a function that loads one it
# does not use pays for it on every cold start).
WATCHED = (
    "google.cloud.firestore",
    "google.cloud.storage",
    "google.cloud.pubsub_v1",
    "google.genai",
    "openai",
    "stripe",
    "sendgrid",
    "firebase_admin",
    "openpyxl",
    "pypdf",
    "pypdfium2",
)
# The deployed configuration: Gemini on Vertex AI for the LLM functions.
DEPLOYED_ENV = {"GOOGLE_CLOUD_PROJECT": "coldstart-test", "ZAPDOC_LLM_PROVIDER": "gemini"}

PROBE = """
import importlib.util, json, sys
sys.path[:] = [p for p in sys.path if not p.rstrip("/").endswith("shared")]
sys.path.insert(0, {target!r})
spec = importlib.util.spec_from_file_location("main", {main!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
import zapdoc
print(json.dumps({{
    "zapdoc": zapdoc.__file__,
    "modules": sorted(m for m in sys.modules if m in {watched!r}),
    "forbidden": sorted(m for m in sys.modules
                        if m.startswith(("zapdoc.dev", "zapdoc.standins", "tests")) or m == "tests"),
    "has_target": hasattr(module, {name!r}),
}}))
"""


def load_fresh(target: Path, name: str) -> dict[str, object]:
    code = PROBE.format(target=str(target), main=str(target / "main.py"), watched=WATCHED, name=name)
    env = {"PATH": "/usr/bin:/bin", **DEPLOYED_ENV}
    result = subprocess.run(
        [sys.executable, "-I", "-c", code],
        capture_output=True,
        text=True,
        cwd=target,
        env=env,
        check=False,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    data: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


@pytest.mark.parametrize("name", function_names())
def test_each_packaged_function_imports_alone_and_preloads_exactly_its_sdks(
    tmp_path: Path, name: str
) -> None:
    # GIVEN the function's deployable source (entry point + zapdoc package + requirements)
    target = package_function(name, tmp_path)
    shipped = {p.relative_to(target).parts[1] for p in (target / "zapdoc").rglob("*") if p.is_dir()}
    assert not shipped & {"dev", "standins"}
    assert not (target / "tests").exists()
    # WHEN it is imported in a fresh process with only that folder on the path
    loaded = load_fresh(target, name)
    # THEN it imports from the package copy, loads no dev/test module, defines its entry point
    assert str(loaded["zapdoc"]).startswith(str(target))
    assert loaded["forbidden"] == []
    assert loaded["has_target"] is True
    # AND it loaded exactly the SDKs its preload list names (the provider's when it needs one)
    expected = set(bootstrap.preload_modules(name, DEPLOYED_ENV)) & set(WATCHED)
    modules = loaded["modules"]
    assert isinstance(modules, list)
    assert set(modules) == expected


def test_the_llm_functions_load_the_llm_sdk_at_start_and_the_others_never() -> None:
    for name in function_names():
        modules = bootstrap.preload_modules(name, DEPLOYED_ENV)
        assert ("google.genai" in modules) == (name in {"extract", "classify"})
    offline = bootstrap.preload_modules(
        "extract", {"GOOGLE_CLOUD_PROJECT": "p", "ZAPDOC_LLM_PROVIDER": "offline"}
    )
    assert "google.genai" not in offline and "zapdoc.extraction.offline" in offline
