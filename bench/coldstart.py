"""Cold start of each function, two ways, in fresh processes, median of N runs, all in the same run:

- **start**: importing its deployed source (functions_framework + its main.py, which preloads the client
  libraries and our modules its first event needs) — what Cloud Functions waits for before it routes;
- **ready**: start plus everything the first event still needs before it can do its work: the rest of
  its preload list (nothing, when preloading is complete) and building its runtime from the settings
  (adapters are created, nothing connects); for ``api`` also the one-time work of its first request (the
  request/response models of its costliest route are built on first use: ``FIRST_REQUEST``).

Each is printed as a ratio to functions_framework plus the client libraries that function really uses
(issue 15: <= 1.1x) and to a bare functions_framework import (issue 12), and again with the function's
preload switched off (every client library then loads on the first event: the older design), so the
trade-off between a fast start and a fast first event is in the same table. A last column, for information
only, divides ready by functions_framework + the SDKs + pydantic (``LIBS``: the settings model needs it in
every function; the LLM SDK already loads it), so what our own code costs shows apart from what pydantic
itself costs. Each function is packaged first (``zapdoc package``: the allow-listed package and main.py)
and imported from its own folder, behind the import gate of ``zapdoc.dev.packaging`` (only the production
lockfile's distributions), as are the baselines. Neither side creates a client (no credentials lookup).
``--clock cpu`` times the process's CPU instead of elapsed time, for a machine other work loads.

    .venv/bin/python bench/coldstart.py [--runs 7] [--json] [--only api,intake] [--clock wall|cpu]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "shared"))

from zapdoc import bootstrap  # noqa: E402
from zapdoc.dev.packaging import function_names, import_gate, package_function  # noqa: E402

DEPLOYED_ENV = {
    "GOOGLE_CLOUD_PROJECT": "coldstart-bench",
    "ZAPDOC_LLM_PROVIDER": "gemini",
    "ZAPDOC_SIGNER_EMAIL": "signer@coldstart-bench.iam.gserviceaccount.com",
    "STRIPE_WEBHOOK_SECRET": "whsec_coldstart",
    "STRIPE_SECRET_KEY": "sk_test_coldstart",
}
LIBS = ("pydantic", "pydantic.main")
"""Not an SDK: the library of our settings and API models (informational ratio ``ready_vs_libs``)."""
SDK_PREFIXES = (
    "google.",
    "openai",
    "stripe",
    "sendgrid",
    "firebase_admin",
    "openpyxl",
    "pypdf",
    "urllib3",
    "certifi",
)
FIRST_REQUEST = ("POST", "/v1/jobs")
"""The API's request models are built on first use (``defer_build``): its first request builds its own
route's models and the error model. The bench counts the route whose models cost most to build (measured:
POST /v1/jobs, 1.9 ms; the cheapest routes 0.3 ms), so ``ready`` bounds the first request's one-time work."""
API_FIRST_REQUEST = f"""bootstrap.api_context()
from zapdoc.api import app as _app, models as _models
_route = next(r for r in _app.ROUTES if (r.method, r.path) == {FIRST_REQUEST!r})
for _model in (_models.Error, _route.body, _route.query, _route.response):
    if _model is not None:
        _model.model_rebuild()"""
FIRST_EVENT = {
    "api": API_FIRST_REQUEST,
    "stripe_webhook": "bootstrap.runtime(); bootstrap.event_verifier()",
    "webhooks": "bootstrap.runtime(); bootstrap.webhook_sender()",
}
"""What the first event builds before its work (default: the pipeline runtime)."""

PATHS = """
import sys, time, json, importlib
sys.path[:] = [p for p in sys.path if not p.rstrip("/").endswith("shared")]
{gate}
"""
FUNCTION = (
    PATHS
    + """
sys.path.insert(0, {target!r})
t0 = {clock}()
import functions_framework, importlib.util
{lazy_patch}
spec = importlib.util.spec_from_file_location("main", {main!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
t1 = {clock}()
lazy = [n for n in {first_event!r} if n not in sys.modules]
for name in lazy:
    importlib.import_module(name)
from zapdoc import bootstrap
{build}
t2 = {clock}()
print(json.dumps({{"start": t1 - t0, "ready": t2 - t0, "lazy": lazy}}))
"""
)
BASELINE = (
    PATHS
    + """
t0 = {clock}()
import functions_framework
for name in {sdks!r}:
    importlib.import_module(name)
print(json.dumps({{"start": {clock}() - t0}}))
"""
)


GATE = import_gate(ROOT)
"""Every process (function and baselines) imports only what a deployed function has: the standard library,
its folder and the production lockfile's distributions (this venv's dev tools would otherwise change what
libraries pull in, e.g. httpx loads its command line when rich is installed)."""


def timed(code: str, cwd: Path) -> dict[str, Any]:
    env = {"PATH": "/usr/bin:/bin", **DEPLOYED_ENV}
    out = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, cwd=cwd, env=env, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"measurement failed in {cwd}:\n{out.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def sdks_of(name: str) -> tuple[str, ...]:
    return tuple(m for m in bootstrap.preload_modules(name, DEPLOYED_ENV) if m.startswith(SDK_PREFIXES))


CLOCKS = {"wall": "time.perf_counter", "cpu": "time.process_time"}
"""``wall``: elapsed time (what a request waits); ``cpu``: the process's CPU time, steadier when other work
loads the machine (an import is CPU-bound once its files are cached)."""


def measure(name: str, out: Path, runs: int, clock: str = CLOCKS["wall"]) -> dict[str, Any]:
    """Medians of ``runs`` interleaved fresh processes of ``name`` and its baselines, timed by ``clock``."""
    target = package_function(name, out)
    function = FUNCTION.format(
        target=str(target),
        main=str(target / "main.py"),
        first_event=bootstrap.preload_modules(name, DEPLOYED_ENV),
        build=FIRST_EVENT.get(name, "bootstrap.runtime()"),
        gate=GATE,
        clock=clock,
        lazy_patch="",
    )
    # the same function with its start-up preload switched off (the design before preloading: every
    # client library loads on the first event instead); bootstrap's own import stays inside the timing
    lazy_function = FUNCTION.format(
        target=str(target),
        main=str(target / "main.py"),
        first_event=bootstrap.preload_modules(name, DEPLOYED_ENV),
        build=FIRST_EVENT.get(name, "bootstrap.runtime()"),
        gate=GATE,
        clock=clock,
        lazy_patch="import zapdoc.bootstrap as _b; _b.preload = lambda function: None",
    )
    sdks = sdks_of(name)
    starts: list[float] = []
    readies: list[float] = []
    bases: list[float] = []
    bares: list[float] = []
    libs: list[float] = []
    lazy_starts: list[float] = []
    lazy_readies: list[float] = []
    lazy: list[str] = []
    for _ in range(runs):  # interleaved, so load on the machine hits all five alike
        got = timed(function, target)
        starts.append(got["start"])
        readies.append(got["ready"])
        lazy = got["lazy"]
        unloaded = timed(lazy_function, target)
        lazy_starts.append(unloaded["start"])
        lazy_readies.append(unloaded["ready"])
        bases.append(timed(BASELINE.format(sdks=sdks, gate=GATE, clock=clock), target)["start"])
        bares.append(timed(BASELINE.format(sdks=(), gate=GATE, clock=clock), target)["start"])
        libs.append(timed(BASELINE.format(sdks=sdks + LIBS, gate=GATE, clock=clock), target)["start"])
    start, ready = statistics.median(starts), statistics.median(readies)
    base, bare, lib = statistics.median(bases), statistics.median(bares), statistics.median(libs)
    return {
        "function": name,
        "start_s": start,
        "ready_s": ready,
        "ff_sdks_s": base,
        "bare_ff_s": bare,
        "ff_sdks_pydantic_s": lib,
        "start_vs_sdks": start / base,
        "ready_vs_sdks": ready / base,
        "start_vs_bare": start / bare,
        "ready_vs_bare": ready / bare,
        "ready_vs_libs": ready / lib,
        "no_preload_start_vs_bare": statistics.median(lazy_starts) / bare,
        "no_preload_ready_vs_bare": statistics.median(lazy_readies) / bare,
        "no_preload_ready_vs_sdks": statistics.median(lazy_readies) / base,
        "sdks": list(sdks),
        "loaded_on_first_event": lazy,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per measurement (>= 5)")
    parser.add_argument("--only", default="", help="comma-separated function names")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall", help="what is timed")
    args = parser.parse_args()
    runs = max(5, args.runs)
    names = [n for n in function_names() if not args.only or n in args.only.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        rows = [measure(name, Path(tmp), runs, CLOCKS[args.clock]) for name in names]
    if args.json:
        print(json.dumps({"runs": runs, "clock": args.clock, "functions": rows}, indent=2))
        return 0
    print(f"{args.clock} time, median of {runs} fresh processes each, interleaved; ratios in the same run")
    print(
        f"{'function':<15}{'start s':>8}{'ready s':>8}{'ff+SDKs':>8}{'bare ff':>8}"
        f"{'start/SDKs':>11}{'ready/SDKs':>11}{'start/ff':>9}{'ready/ff':>9}{'ready/+pyd':>11}  SDKs"
    )
    for r in rows:
        print(
            f"{r['function']:<15}{r['start_s']:>8.3f}{r['ready_s']:>8.3f}{r['ff_sdks_s']:>8.3f}"
            f"{r['bare_ff_s']:>8.3f}{r['start_vs_sdks']:>10.2f}x{r['ready_vs_sdks']:>10.2f}x"
            f"{r['start_vs_bare']:>8.2f}x{r['ready_vs_bare']:>8.2f}x{r['ready_vs_libs']:>10.2f}x"
            f"  {', '.join(r['sdks'])}"
        )
        print(
            f"{'':<15}without the preload: start/ff {r['no_preload_start_vs_bare']:.2f}x, "
            f"ready/ff {r['no_preload_ready_vs_bare']:.2f}x, ready/SDKs {r['no_preload_ready_vs_sdks']:.2f}x"
        )
        if r["loaded_on_first_event"]:
            print(f"{'':<15}first event still loads: {', '.join(r['loaded_on_first_event'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
