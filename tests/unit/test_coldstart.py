"""Each packaged function, imported in a fresh process exactly as deployed: its own folder (main.py and
the package copy), the standard library and the distributions of the production lockfile
(``requirements/functions.lock``) and nothing else — an import gate refuses every other top-level module,
so a dev or test dependency installed in this venv cannot hide a missing one. It imports cleanly without
``zapdoc.dev``, ``zapdoc.standins``, the client, the CLI or test helpers, ships none of them, no shipped
file imports one (even lazily), and it loads at start exactly the client libraries its preload list
names."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from zapdoc import bootstrap
from zapdoc.dev.packaging import SHIPPED, SHIPPED_FOR, function_names, import_gate, package_function

ROOT = Path(__file__).resolve().parents[2]
LOCAL_ONLY = ("zapdoc.dev", "zapdoc.standins", "zapdoc.client", "zapdoc.cli", "zapdoc.__main__", "tests")
"""Modules no deployed function may ship, import or load."""

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
import json, sys
sys.path[:] = [p for p in sys.path if not p.rstrip("/").endswith("shared")]
sys.path.insert(0, {target!r})
{gate}
import importlib.util
spec = importlib.util.spec_from_file_location("main", {main!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
import zapdoc
print(json.dumps({{
    "zapdoc": zapdoc.__file__,
    "modules": sorted(m for m in sys.modules if m in {watched!r}),
    "forbidden": sorted(m for m in sys.modules if m.startswith({local_only!r})),
    "outside_package": sorted(m for m, mod in list(sys.modules.items())
                              if m.startswith("zapdoc") and not str(getattr(mod, "__file__", "") or "")
                              .startswith({target!r})),
    "refused": sorted(set(REFUSED)),
    "has_target": hasattr(module, {name!r}),
}}))
"""


def load_fresh(
    target: Path, name: str, main: Path | None = None, env: dict[str, str] | None = None
) -> dict[str, object]:
    code = PROBE.format(
        target=str(target),
        main=str(main or target / "main.py"),
        watched=WATCHED,
        name=name,
        gate=import_gate(ROOT),
        local_only=LOCAL_ONLY,
    )
    env = {"PATH": "/usr/bin:/bin", **(env or DEPLOYED_ENV)}
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


def shipped_imports(target: Path) -> list[str]:
    """Every import statement in the package copy naming a local-only module: ``file:line module``."""
    found = []
    for path in sorted((target / "zapdoc").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                base = node.module or ""
                names = [base, *(f"{base}.{a.name}" for a in node.names)]
            local = [n for n in names if n in LOCAL_ONLY or n.startswith(tuple(f"{m}." for m in LOCAL_ONLY))]
            if local:
                found.append(f"{path.relative_to(target)}:{node.lineno} {local[0]}")
    return found


def top_levels_imported(target: Path) -> set[str]:
    """The top-level names the package copy's own import statements name (``x`` of ``import x.y``)."""
    tops: set[str] = set()
    for path in (target / "zapdoc").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                tops.update(a.name.partition(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                tops.add(node.module.partition(".")[0])
    return tops


@pytest.mark.parametrize("name", function_names())
def test_each_packaged_function_imports_alone_and_preloads_exactly_its_sdks(
    tmp_path: Path, name: str
) -> None:
    # GIVEN the function's deployable source (entry point + the allow-listed package + requirements)
    target = package_function(name, tmp_path)
    package = target / "zapdoc"
    shipped = {str(p.relative_to(package)) for p in package.rglob("*") if p.parent.name != "__pycache__"}
    parts = {*SHIPPED, *SHIPPED_FOR.get(name, ())}
    assert {s for s in shipped if "/" not in s} == {p.partition("/")[0] for p in parts}
    assert {s for s in shipped if s.startswith("adapters/")} == {
        p for p in parts if p.startswith("adapters/")
    }
    local = [str(p) for p in target.rglob("*") if p.name in ("dev", "standins", "client", "tests", "cli.py")]
    assert local == [] and not list(target.rglob("*.pyc"))
    assert not (package / "adapters" / "memory.py").exists()  # the CLI's and the tests' in-memory store
    # AND no shipped file imports a local-only module, not even inside a function
    assert shipped_imports(target) == []
    # WHEN it is imported in a fresh process that can load only that folder, the standard library and
    # the production lockfile's distributions
    loaded = load_fresh(target, name)
    # THEN it imports from the package copy, loads no dev/test module, defines its entry point
    assert str(loaded["zapdoc"]).startswith(str(target))
    assert loaded["forbidden"] == [] and loaded["outside_package"] == []
    assert loaded["has_target"] is True
    # AND nothing our shipped code imports was refused by the gate (libraries' optional imports, e.g.
    # simplejson or brotli, are refused and take their fallback, as in production)
    refused = loaded["refused"]
    assert isinstance(refused, list)
    assert sorted(set(refused) & top_levels_imported(target)) == []
    # AND it loaded exactly the SDKs its preload list names (the provider's when it needs one)
    expected = set(bootstrap.preload_modules(name, DEPLOYED_ENV)) & set(WATCHED)
    modules = loaded["modules"]
    assert isinstance(modules, list)
    assert set(modules) == expected


def test_the_gate_refuses_what_the_production_lockfile_lacks(tmp_path: Path) -> None:
    # GIVEN a packaged function whose entry point also imports a dev-only library (installed in this
    # venv: pytest) and a local-only module of ours
    target = package_function("sweep", tmp_path)
    bad = target / "bad_main.py"
    bad.write_text((target / "main.py").read_text() + "\nimport pytest\n")
    # WHEN it is imported through the same probe, THEN the import fails naming the library
    with pytest.raises(AssertionError, match="pytest is not in the production lockfile"):
        load_fresh(target, "sweep", main=bad)
    # AND a shipped file importing zapdoc.dev lazily is caught by the source scan
    (target / "zapdoc" / "services" / "sneaky.py").write_text("def f():\n    from zapdoc.dev import stack\n")
    assert shipped_imports(target) == ["zapdoc/services/sneaky.py:2 zapdoc.dev"]


def test_the_llm_functions_load_the_llm_sdk_at_start_and_the_others_never() -> None:
    for name in function_names():
        modules = bootstrap.preload_modules(name, DEPLOYED_ENV)
        assert ("google.genai" in modules) == (name in {"extract", "classify"})
    offline = bootstrap.preload_modules(
        "extract", {"GOOGLE_CLOUD_PROJECT": "p", "ZAPDOC_LLM_PROVIDER": "offline"}
    )
    assert "google.genai" not in offline and "zapdoc.extraction.offline" in offline


@pytest.mark.parametrize(
    ("provider", "sdk"), [("openai", "openai"), ("gemini", "google.genai"), ("offline", None)]
)
def test_an_llm_function_loads_at_start_the_sdk_of_its_configured_provider_only(
    tmp_path: Path, provider: str, sdk: str | None
) -> None:
    # GIVEN the extract function deployed with one provider
    env = {"GOOGLE_CLOUD_PROJECT": "coldstart-test", "ZAPDOC_LLM_PROVIDER": provider}
    target = package_function("extract", tmp_path)
    # WHEN it is imported in a fresh process, as deployed
    loaded = load_fresh(target, "extract", env=env)
    # THEN it loaded that provider's SDK and no other LLM SDK (the first document pays for none)
    modules = loaded["modules"]
    assert isinstance(modules, list)
    assert {m for m in modules if m in ("openai", "google.genai")} == ({sdk} if sdk else set())
    assert set(modules) == set(bootstrap.preload_modules("extract", env)) & set(WATCHED)
