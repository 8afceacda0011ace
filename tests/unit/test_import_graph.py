"""The import graph of ``shared/zapdoc`` and ``functions/*/main.py``: no circle, no arrow from a lower layer
to a higher one, cloud SDKs only in adapters (docs/architecture.md draws the same table).

Every ``import`` and ``from ... import`` statement is read with ``ast``, wherever it is: at module level,
inside a function (the lazy imports that keep cold starts short) and under ``if TYPE_CHECKING:`` (an
annotation is a dependency too, so those obey the same rules; none is exempt). Imports by name at run time
(``importlib.import_module`` in ``bootstrap.preload`` and the CLI's optional commands) are not statements;
what they load in a deployed function is checked by ``tests/unit/test_coldstart.py``.
"""

from __future__ import annotations

import ast
import functools
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# ----------------------------------------------------------------------------------------- the layers
# Lowest first. A module may import its own layer (no circles, checked below) and the layers it names.
BASE = ("base", "domain", "settings", "ports")
ENGINES = ("inputs", "extraction", "llm", "workbook", "mails")
LAYERS: dict[str, tuple[str, ...]] = {
    # the package's version and the structured-log helper: standard library only
    "base": (),
    # the domain model: imports nothing of ours
    "domain": (),
    # the one settings model (pydantic-settings): reads domain types and the price table
    "settings": ("domain",),
    # the narrow interfaces services and engines depend on
    "ports": ("domain",),
    # the pure engines, in this order (each may use the ones before it): reading untrusted input,
    # offline extraction, the provider-neutral LLM engine, the workbook writer, the mails
    "inputs": BASE,
    "extraction": (*BASE, "inputs"),
    "llm": (*BASE, "inputs", "extraction"),
    "workbook": (*BASE, "inputs", "extraction", "llm"),
    "mails": (*BASE, "inputs", "extraction", "llm"),
    # use cases: domain, ports and the engines; never an adapter
    "services": (*BASE, *ENGINES),
    # implementations of the ports on cloud SDKs: domain, ports, their settings; nothing above
    "adapters": BASE,
    # the HTTP API and the Stripe webhook's HTTP shape: services, never an adapter
    "api": (*BASE, *ENGINES, "services"),
    # the one composition root: wires adapters into services and the API
    "bootstrap": (*BASE, *ENGINES, "services", "adapters", "api"),
    # entry points and local-only tools, outermost last
    "client": (*BASE, *ENGINES, "services", "api", "bootstrap"),  # the integrators' HTTP client + commands
    "standins": (*BASE, *ENGINES),  # local HTTP stand-ins of Gemini, OpenAI, SendGrid, Stripe
    "dev": (*BASE, *ENGINES, "services", "adapters", "api", "bootstrap", "client", "standins"),
    "cli": (*BASE, *ENGINES, "services", "bootstrap"),  # `zapdoc`; its sub-commands load by name
    "functions": (*BASE, "services", "api", "bootstrap"),  # functions/*/main.py: thin entry points
}
WIRES_ADAPTERS = {name for name, may in LAYERS.items() if "adapters" in may}
"""Only these may import an adapter (checked: exactly bootstrap and dev)."""


def layer_of(module: str) -> str:
    """The layer of a dotted module name (``functions.<name>`` for a function's main.py)."""
    parts = module.split(".")
    if parts[0] == "functions":
        return "functions"
    if module in ("zapdoc", "zapdoc.logging"):
        return "base"
    if module == "zapdoc.__main__":
        return "cli"
    top = parts[1]
    if top in LAYERS:
        return top
    raise KeyError(module)


# Third-party libraries by kind; "where" is the layers allowed to import them.
SDKS = (
    "google.cloud",
    "google.api_core",
    "google.auth",
    "google.oauth2",
    "google.genai",
    "grpc",
    "firebase_admin",
    "stripe",
    "sendgrid",
    "python_http_client",
    "openai",
)
"""Clients of remote services. Production code imports them only in ``adapters/``; ``dev/`` and
``standins/`` (local-only, never packaged: see tests/unit/test_coldstart.py) drive the emulators and
speak the services' schemes with them."""
HTTP_CLIENTS = ("requests", "urllib3", "httpx")
"""Plain HTTP client libraries: where HTTP is the module's whole job (an adapter calling a URL, the
integrators' API client, the dev tools and stand-ins), never in the domain, engines, services or API."""
WEB_FRAMEWORK = ("flask", "werkzeug", "functions_framework", "cloudevents")
"""Serving HTTP: the API, the functions' entry points, the local front and stand-ins."""
EXTERNAL_RULES: tuple[tuple[str, tuple[str, ...], frozenset[str]], ...] = (
    ("cloud SDK", SDKS, frozenset({"adapters", "dev", "standins"})),
    ("HTTP client library", HTTP_CLIENTS, frozenset({"adapters", "client", "dev", "standins"})),
    ("web framework", WEB_FRAMEWORK, frozenset({"api", "functions", "dev", "standins"})),
)


# ----------------------------------------------------------------------------------------- the graph


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported name (a module of ours, resolved, or the third-party dotted name)
    line: int
    ours: bool
    type_only: bool


def modules_under(root: Path) -> dict[str, Path]:
    """Every module of ``root``: ``shared/zapdoc/**.py`` as ``zapdoc.*``, ``functions/<n>/main.py`` as
    ``functions.<n>``."""
    found: dict[str, Path] = {}
    shared = root / "shared"
    for path in sorted((shared / "zapdoc").rglob("*.py")):
        parts = list(path.relative_to(shared).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    for path in sorted((root / "functions").glob("*/main.py")):
        found[f"functions.{path.parent.name}"] = path
    return found


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", "")
            if name == "TYPE_CHECKING":
                for inner in node.body:
                    lines.update(range(inner.lineno, (inner.end_lineno or inner.lineno) + 1))
    return lines


def imports_of(module: str, path: Path, known: Mapping[str, Path]) -> Iterator[Import]:
    """Each import statement of ``module``, wherever it stands (module level, function, TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    type_only = _type_checking_lines(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def ours(name: str) -> str | None:
        while name:
            if name in known:
                return name
            name = name.rpartition(".")[0]
        return None

    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            # `from a import b` imports a.b when b is a module, else a
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        for name in names:
            if name.split(".")[0] == "zapdoc":
                target = ours(name)
                if target is not None and target != module:
                    yield Import(module, target, node.lineno, True, node.lineno in type_only)
            else:
                yield Import(module, name, node.lineno, False, node.lineno in type_only)


@functools.cache
def graph(root: Path) -> tuple[dict[str, Path], list[Import]]:
    known = modules_under(root)
    edges = list(dict.fromkeys(imp for m, path in known.items() for imp in imports_of(m, path, known)))
    return known, edges


def circles(known: Mapping[str, Path], edges: list[Import]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    succ: dict[str, list[str]] = {m: [] for m in known}
    for e in edges:
        if e.ours:
            succ[e.source].append(e.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in known:
        if start in index:
            continue
        work: list[tuple[str, int]] = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            recurse = False
            for j in range(i, len(succ[node])):
                nxt = succ[node][j]
                if nxt not in index:
                    work.append((node, j + 1))
                    work.append((nxt, 0))
                    recurse = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if recurse:
                continue
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


def where(e: Import, known: Mapping[str, Path], root: Path) -> str:
    return f"{known[e.source].relative_to(root)}:{e.line}"


def layer_violations(known: Mapping[str, Path], edges: list[Import], root: Path) -> list[str]:
    problems: list[str] = []
    for e in edges:
        src = layer_of(e.source)
        if e.ours:
            dst = layer_of(e.target)
            if dst != src and dst not in LAYERS[src]:
                allowed = ", ".join(LAYERS[src]) or "nothing of ours"
                problems.append(
                    f"{where(e, known, root)}: {e.source} imports {e.target}: layer {src!r} may import "
                    f"only {allowed} (not {dst!r})"
                )
            continue
        for kind, prefixes, allowed_in in EXTERNAL_RULES:
            if src not in allowed_in and any(e.target == p or e.target.startswith(p + ".") for p in prefixes):
                problems.append(
                    f"{where(e, known, root)}: {e.source} imports {e.target}: a {kind} may be imported "
                    f"only in {', '.join(sorted(allowed_in))} (this is {src!r})"
                )
    return problems


def circle_report(known: Mapping[str, Path], edges: list[Import], root: Path) -> list[str]:
    out: list[str] = []
    for component in circles(known, edges):
        members = set(component)
        inner = dict.fromkeys(
            f"{where(e, known, root)} {e.source} -> {e.target}"
            for e in edges
            if e.ours and e.source in members and e.target in members
        )
        lines = "; ".join(inner)
        out.append(f"import circle of {len(component)} modules {component}: {lines}")
    return out


# ----------------------------------------------------------------------------------------- the tests


def test_every_module_belongs_to_a_layer() -> None:
    known, _ = graph(ROOT)
    unplaced = []
    for module in known:
        try:
            layer_of(module)
        except KeyError:
            unplaced.append(module)
    assert not unplaced, f"modules in no layer (add them to LAYERS in {Path(__file__).name}): {unplaced}"
    assert {layer_of(m) for m in known} == set(LAYERS), "a layer of the table has no module"


def test_the_import_graph_has_no_circle() -> None:
    known, edges = graph(ROOT)
    report = circle_report(known, edges, ROOT)
    assert not report, "\n".join(report)


def test_no_import_runs_up_the_layers_and_sdks_stay_in_adapters() -> None:
    known, edges = graph(ROOT)
    problems = layer_violations(known, edges, ROOT)
    assert not problems, "\n".join(problems)


def test_only_bootstrap_and_dev_wire_adapters() -> None:
    assert {"bootstrap", "dev"} == WIRES_ADAPTERS
    # and the domain imports nothing of ours at all
    assert LAYERS["domain"] == ()


# A small fake tree for the checker itself: it must see what it is written to see (a lazy import inside a
# function, a TYPE_CHECKING import, a circle, an SDK in a service, a relative import).
FAKE = {
    "shared/zapdoc/__init__.py": "",
    "shared/zapdoc/domain/__init__.py": "",
    "shared/zapdoc/domain/jobs.py": "def f():\n    from zapdoc.services import intake\n",
    "shared/zapdoc/services/__init__.py": "",
    "shared/zapdoc/services/intake.py": "from . import ledger\nimport stripe\n",
    "shared/zapdoc/services/ledger.py": (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from zapdoc.services.intake import x\n"
    ),
    "shared/zapdoc/api/__init__.py": "",
    "shared/zapdoc/api/app.py": "from zapdoc.adapters.gcs import GcsBlobs\nimport requests\n",
    "shared/zapdoc/adapters/__init__.py": "",
    "shared/zapdoc/adapters/gcs.py": "from google.cloud import storage\nfrom zapdoc.domain import jobs\n",
    "functions/intake/main.py": "from zapdoc.dev import crashpoints\n",
    "shared/zapdoc/dev/__init__.py": "",
    "shared/zapdoc/dev/crashpoints.py": "import functions_framework\nfrom zapdoc.adapters import gcs\n",
}


def test_the_checker_sees_lazy_type_only_and_relative_imports_circles_and_sdks(tmp_path: Path) -> None:
    # GIVEN a tree with one of each wrong arrow (and two right ones: adapters -> domain, dev -> adapters)
    for rel, text in FAKE.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    known, edges = graph(tmp_path)
    # WHEN the rules are checked
    problems = layer_violations(known, edges, tmp_path)
    report = circle_report(known, edges, tmp_path)
    # THEN each wrong arrow is named with its file, line and rule, and nothing else is
    expected = [
        "shared/zapdoc/domain/jobs.py:2: zapdoc.domain.jobs imports zapdoc.services.intake: layer 'domain'",
        "shared/zapdoc/services/intake.py:2: zapdoc.services.intake imports stripe: a cloud SDK",
        "shared/zapdoc/api/app.py:1: zapdoc.api.app imports zapdoc.adapters.gcs: layer 'api'",
        "shared/zapdoc/api/app.py:2: zapdoc.api.app imports requests: a HTTP client library",
        "functions/intake/main.py:1: functions.intake imports zapdoc.dev.crashpoints: layer 'functions'",
    ]
    assert len(problems) == len(expected), "\n".join(problems)
    for want in expected:
        assert any(p.startswith(want) for p in problems), (want, problems)
    # AND the circle through the relative import and the TYPE_CHECKING import is found
    assert len(report) == 1 and "['zapdoc.services.intake', 'zapdoc.services.ledger']" in report[0]
    type_only = [e for e in edges if e.type_only]
    assert [(e.source, e.target) for e in type_only] == [("zapdoc.services.ledger", "zapdoc.services.intake")]


if __name__ == "__main__":  # print the layer-to-layer arrows of the real tree
    known, edges = graph(ROOT)
    arrows = sorted({(layer_of(e.source), layer_of(e.target)) for e in edges if e.ours})
    for a, b in arrows:
        if a != b:
            print(f"{a:>10} -> {b}")
    sys.exit(0)
