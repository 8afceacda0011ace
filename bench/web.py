"""Lighthouse 12.2.3 on the web app of a local stack: Performance, Accessibility and Best Practices
scores and the bytes transferred on the first load (targets: each score >= 95, first load <= 200 KB).

    .venv/bin/python bench/web.py [--url http://127.0.0.1:8780/] [--runs 1]

Without --url it starts a local stack with the API (emulators, functions, Auth emulator) and stops it
after. Lighthouse comes from bench/lighthouse (npm, lockfile) and runs on Node 20 with the machine's
Chromium (/usr/bin/chromium). This is a benchmark, not a test: it prints numbers, it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LH_DIR = ROOT / "bench" / "lighthouse"
TARGET_SCORE = 95
TARGET_BYTES = 200 * 1024


def lighthouse_bin() -> Path:
    binary = LH_DIR / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=LH_DIR, check=True)
    return binary


def run_lighthouse(url: str, out: Path) -> dict[str, object]:
    chrome = os.environ.get("ZAPDOC_CHROMIUM", "/usr/bin/chromium")
    flags = "--headless=new --no-sandbox --disable-background-networking --disable-dev-shm-usage"
    subprocess.run(
        [str(lighthouse_bin()), url, "--output=json", f"--output-path={out}", "--quiet",
         "--only-categories=performance,accessibility,best-practices", f"--chrome-flags={flags}"],
        env={**os.environ, "CHROME_PATH": chrome}, check=True, timeout=600,
    )  # fmt: skip
    report: dict[str, object] = json.loads(out.read_text())
    return report


def summarise(report: dict[str, object]) -> dict[str, float]:
    cats = report["categories"]
    audits = report["audits"]
    assert isinstance(cats, dict)
    assert isinstance(audits, dict)
    items = audits["network-requests"]["details"]["items"]
    return {
        "performance": round(cats["performance"]["score"] * 100),
        "accessibility": round(cats["accessibility"]["score"] * 100),
        "best-practices": round(cats["best-practices"]["score"] * 100),
        "first_load_bytes": sum(int(i.get("transferSize") or 0) for i in items),
        "requests": len(items),
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="web app URL of a running stack (default: start one)")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    stack = None
    url = args.url
    if not url:
        sys.path.insert(0, str(ROOT / "shared"))
        from zapdoc.dev.stack import LocalStack, StackOptions

        tmp = Path(tempfile.mkdtemp(prefix="zapdoc-bench-web-"))
        stack = LocalStack(StackOptions(state_dir=tmp / "state", outbox=tmp / "outbox", api=True)).start()
        url = stack.urls["web"]
    try:
        for run in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp_dir:
                got = summarise(run_lighthouse(url, Path(tmp_dir) / "report.json"))
            ok = all(got[k] >= TARGET_SCORE for k in ("performance", "accessibility", "best-practices"))
            verdict = "met" if ok else "NOT met"
            kb = got["first_load_bytes"] / 1024
            print(
                f"run {run + 1}: performance {got['performance']}, accessibility {got['accessibility']}, "
                f"best practices {got['best-practices']} (target >= {TARGET_SCORE}: {verdict}); "
                f"first load {kb:.1f} KB transferred in {got['requests']} requests "
                f"({got['first_load_bytes'] / TARGET_BYTES:.2f}x the {TARGET_BYTES // 1024} KB target); "
                f"LCP {got['lcp_ms']} ms"
            )
    finally:
        if stack is not None:
            stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
