"""Cold start of each function: the import of its deployed source (functions_framework + its main.py,
which preloads what it uses) over a baseline of functions_framework plus the client libraries that
function really uses, both in fresh processes, median of N runs, in the same run.

    .venv/bin/python bench/coldstart.py [--runs 7] [--json]

The ratio is what issue 15 asks about: <= 1.1x means our own code adds at most 10% over the SDKs the
function cannot do without. Each function is packaged first (``zapdoc package``) and imported from its
own folder, as Cloud Functions would.
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
from zapdoc.dev.packaging import function_names, package_function  # noqa: E402

DEPLOYED_ENV = {"GOOGLE_CLOUD_PROJECT": "coldstart-bench", "ZAPDOC_LLM_PROVIDER": "gemini"}
SDK_PREFIXES = ("google.", "openai", "stripe", "sendgrid", "firebase_admin", "openpyxl", "pypdf")

FUNCTION = """
import sys, time
sys.path[:] = [p for p in sys.path if not p.rstrip("/").endswith("shared")]
sys.path.insert(0, {target!r})
t0 = time.perf_counter()
import functions_framework, importlib.util
spec = importlib.util.spec_from_file_location("main", {main!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(time.perf_counter() - t0)
"""
BASELINE = """
import sys, time, importlib
sys.path[:] = [p for p in sys.path if not p.rstrip("/").endswith("shared")]
t0 = time.perf_counter()
import functions_framework
for name in {sdks!r}:
    importlib.import_module(name)
print(time.perf_counter() - t0)
"""


def timed(code: str, cwd: Path) -> float:
    env = {"PATH": "/usr/bin:/bin", **DEPLOYED_ENV}
    out = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, cwd=cwd, env=env, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def median_of(code: str, cwd: Path, runs: int) -> float:
    return statistics.median(timed(code, cwd) for _ in range(runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per measurement (>= 5)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    runs = max(5, args.runs)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        bare = median_of(BASELINE.format(sdks=()), Path(tmp), runs)
        for name in function_names():
            target = package_function(name, Path(tmp))
            sdks = tuple(
                m for m in bootstrap.preload_modules(name, DEPLOYED_ENV) if m.startswith(SDK_PREFIXES)
            )
            # interleave the two measurements so load on the machine hits both alike
            fn_times: list[float] = []
            base_times: list[float] = []
            for _ in range(runs):
                fn_times.append(
                    timed(FUNCTION.format(target=str(target), main=str(target / "main.py")), target)
                )
                base_times.append(timed(BASELINE.format(sdks=sdks), target))
            fn, base = statistics.median(fn_times), statistics.median(base_times)
            rows.append({"function": name, "function_s": fn, "baseline_s": base, "ratio": fn / base,
                         "vs_bare_ff": fn / bare, "sdks": list(sdks)})  # fmt: skip
    if args.json:
        print(json.dumps({"bare_functions_framework_s": bare, "runs": runs, "functions": rows}, indent=2))
        return 0
    print(f"bare functions_framework import: {bare:.3f} s (median of {runs} fresh processes)")
    print(f"{'function':<16}{'import s':>10}{'ff+SDKs s':>11}{'ratio':>8}{'vs bare ff':>12}  SDKs")
    for r in rows:
        print(
            f"{r['function']:<16}{r['function_s']:>10.3f}{r['baseline_s']:>11.3f}{r['ratio']:>7.2f}x"
            f"{r['vs_bare_ff']:>11.2f}x  {', '.join(r['sdks'])}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
