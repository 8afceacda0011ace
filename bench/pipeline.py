"""Pipeline benchmark (not a test): jobs of N documents end to end on the local stack, with the Gemini
stand-in answering every call after a fixed latency, against the sequential time N x latency, and the
Firestore reads and writes the functions made per document.

    python bench/pipeline.py [--documents 40,200,1000] [--latency 2] [--baseline /tmp/base]

Starts its own local stack (emulators, functions, stand-ins), warms it with a one-document job, then
submits one zip of N invoices per size, waits for the email and prints the wall time, the sequential
baseline and the ratio. Firestore operations are counted in every function process by
``bench/storecount/sitecustomize.py`` (a wrapper around the Firestore adapter installed at interpreter
start, so it counts a baseline checkout the same way): a ``get`` is one read, a query one read per
document returned (at least one), a commit one write per document written, as Firestore bills them.

``--baseline PATH`` runs the same jobs first on another checkout (e.g. ``git worktree add /tmp/base
742c7c0``) in its own stack, one after the other on the same machine, and prints both side by side
with the ratios: absolute times move with the machine's load, the ratios and the counts do not.
Targets: operations per document >= 40% fewer than the baseline; 1,000 documents >= 35x sequential.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
COUNTER = Path(__file__).resolve().parent / "storecount"

SPEED_TARGET = 35.0
OPS_TARGET = 0.40  # fewer operations per document than the baseline
MARK = "BENCH-RESULT "
PIPELINE = ("intake", "extract", "classify", "assemble", "webhooks")


def _counts(directory: Path) -> dict[str, dict[str, int]]:
    """Totals per function (summed over its processes) as last flushed."""
    totals: dict[str, dict[str, int]] = {}
    for path in directory.glob("*.json"):
        name = path.name.rsplit("-", 1)[0]
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        into = totals.setdefault(name, {})
        for key, value in data.items():
            into[key] = into.get(key, 0) + int(value)
    return totals


def _settled(directory: Path, quiet: float = 2.0, limit: float = 60.0) -> dict[str, dict[str, int]]:
    """The counts once they stopped changing for ``quiet`` seconds (late redeliveries included)."""
    last, since, deadline = _counts(directory), time.monotonic(), time.monotonic() + limit
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = _counts(directory)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
    return last


def _minus(after: dict[str, dict[str, int]], before: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {
        fn: {k: v - before.get(fn, {}).get(k, 0) for k, v in values.items()} for fn, values in after.items()
    }


def _cpu(processes: dict[str, Any]) -> dict[str, float]:
    """CPU seconds (user + system) of each named process with its descendants, from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    own: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        rest = text[text.rindex(")") + 2 :].split()
        children.setdefault(int(rest[1]), []).append(int(entry))
        own[int(entry)] = (int(rest[11]) + int(rest[12])) / ticks
    totals: dict[str, float] = {}
    for name, proc in processes.items():
        total, todo = 0.0, [proc.pid]
        while todo:
            pid = todo.pop()
            total += own.get(pid, 0.0)
            todo.extend(children.get(pid, []))
        totals[name] = total
    return totals


def _ended(rt: Any, job_id: str, limit: float = 600.0) -> None:
    """Wait until the job's end-of-job effects ran and its values were purged (read by this process,
    which counts nothing)."""
    from zapdoc.services import jobs

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        snap = jobs.get_job(rt, job_id)
        if snap is not None and snap.data.get("end_done") is True and snap.data.get("purged") is True:
            return
        time.sleep(0.25)


def run_child(args: argparse.Namespace) -> int:
    """Run every size on one stack of the checkout this interpreter imports ``zapdoc`` from."""
    sys.path.insert(0, str(REPO))
    from tests.pipeline_support import FIELDS, invoice_pdf, zip_of
    from zapdoc.dev.paths import repo_root
    from zapdoc.dev.stack import LocalStack, StackOptions
    from zapdoc.dev.submit import submit

    try:  # where the submitting client's runtime is built moved to bootstrap; a baseline may predate it
        from zapdoc.bootstrap import client_runtime  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        from zapdoc.dev.submit import client_runtime  # type: ignore[attr-defined,no-redef,unused-ignore]

    sizes = [int(n) for n in str(args.documents).split(",")]
    with tempfile.TemporaryDirectory(prefix="zapdoc-bench-") as tmp:
        work = Path(tmp)
        counts_dir = work / "counts"
        counts_dir.mkdir()
        os.environ["BENCH_STORE_COUNTS"] = str(counts_dir)  # the stack's processes count (not this one)
        options = StackOptions(
            state_dir=work / "state",
            outbox=work / "outbox",
            project=f"demo-bench-{uuid.uuid4().hex[:6]}",
            provider="gemini",
            gemini_latency=args.latency,
            threads=args.threads,
            sweep_every=3600,
            delivery=args.delivery,
        )
        print(f"[{repo_root()}] starting the local stack ...", file=sys.stderr, flush=True)
        stack = LocalStack(options).start()
        results: list[dict[str, Any]] = []
        try:
            rt = client_runtime(stack.client_env)
            warm = work / "warm.pdf"  # warm the instances with a one-document job, as min-instances would
            warm.write_bytes(invoice_pdf("W-1", "1.00"))
            submit(rt, [warm], FIELDS, email="warm@zapdoc.local", credits=10, wait=120)
            for n in sizes:
                for mail in options.outbox.glob("*.eml"):
                    mail.unlink()
                inner = {f"inv-{i:04d}.pdf": invoice_pdf(f"B-{1000 + i}", f"{i}.25") for i in range(n)}
                upload = work / f"batch-{n}.zip"
                upload.write_bytes(zip_of(inner))
                before = _settled(counts_dir)
                cpu_before = _cpu(stack.processes)
                started = time.monotonic()
                result = submit(
                    rt, [upload], FIELDS, email=f"bench-{n}@zapdoc.local", credits=10 * n, wait=900
                )
                deadline = time.monotonic() + 60
                while not list(options.outbox.glob("*.eml")) and time.monotonic() < deadline:
                    time.sleep(0.05)
                elapsed = time.monotonic() - started
                _ended(rt, result.job_id)  # the end-of-job work after the mail (analytics, purge) counts too
                ops = _minus(_settled(counts_dir), before)
                cpu_after = _cpu(stack.processes)
                cpu = {k: v - cpu_before.get(k, 0.0) for k, v in cpu_after.items()}
                results.append(
                    {"documents": n, "seconds": elapsed, "status": result.status, "charged": result.charged,
                     "ops": ops, "cpu": cpu}
                )  # fmt: skip
                print(f"[{repo_root()}] {n} documents: {elapsed:.2f} s", file=sys.stderr, flush=True)
        finally:
            stack.stop()
    print(MARK + json.dumps({"tree": str(repo_root()), "latency": args.latency, "results": results}))
    return 0 if all(r["status"] == "delivered" for r in results) else 1


def _run_tree(tree: Path, args: argparse.Namespace) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "BENCH_STORE_COUNTS"}
    env["PYTHONPATH"] = os.pathsep.join([str(COUNTER), str(tree / "shared")])
    argv = [
        sys.executable, str(Path(__file__).resolve()), "--child", "--documents", args.documents,
        "--latency", str(args.latency), "--threads", str(args.threads), "--delivery", args.delivery,
    ]  # fmt: skip
    proc = subprocess.run(argv, env=env, stdout=subprocess.PIPE, text=True, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(MARK)]
    if not lines:
        raise SystemExit(f"the bench on {tree} printed no result (exit {proc.returncode})")
    data: dict[str, Any] = json.loads(lines[-1][len(MARK) :])
    data["exit"] = proc.returncode
    return data


def _pipeline_ops(ops: dict[str, dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for fn, values in ops.items():
        if fn in PIPELINE:
            for key, value in values.items():
                total[key] = total.get(key, 0) + value
    return total


def _print(runs: list[tuple[str, dict[str, Any]]]) -> bool:
    latency = runs[-1][1]["latency"]
    ok = True
    print(f"\nGemini stand-in latency {latency:g} s per call; instances warmed by a 1-document job")
    print("Firestore operations are those of the pipeline functions (intake, extract, classify, assemble,")
    print("webhooks): reads = documents read (queries: documents returned, at least 1), writes = documents")
    print("written; per document of the job.\n")
    head = (
        f"{'tree':<10} {'docs':>5} {'status':<10} {'seconds':>8} {'seq. s':>7} {'speed-up':>8} "
        f"{'reads/doc':>9} {'writes/doc':>10} {'ops/doc':>8} {'commits/doc':>11} {'conflicts':>9}"
    )
    print(head)
    print("-" * len(head))
    by_size: dict[int, dict[str, dict[str, Any]]] = {}
    for label, data in runs:
        for r in data["results"]:
            n = r["documents"]
            t = _pipeline_ops(r["ops"])
            reads, writes = t.get("reads", 0), t.get("writes", 0)
            seq = n * latency
            row = {
                "speed": seq / r["seconds"] if r["seconds"] else 0.0,
                "ops": (reads + writes) / n,
            }
            by_size.setdefault(n, {})[label] = row
            print(
                f"{label:<10} {n:>5} {r['status']:<10} {r['seconds']:>8.2f} {seq:>7.0f} "
                f"{row['speed']:>7.1f}x {reads / n:>9.2f} {writes / n:>10.2f} {row['ops']:>8.2f} "
                f"{t.get('commits', 0) / n:>11.2f} {t.get('conflicts', 0):>9}"
            )
            ok = ok and r["status"] == "delivered"
    print("\nper function, operations per document (reads + writes), largest job:")
    for label, data in runs:
        r = data["results"][-1]
        n = r["documents"]
        parts = ", ".join(
            f"{fn} {(v.get('reads', 0) + v.get('writes', 0)) / n:.2f} "
            f"({v.get('reads', 0) / n:.2f}r+{v.get('writes', 0) / n:.2f}w)"
            for fn, v in sorted(r["ops"].items())
            if fn in PIPELINE and (v.get("reads", 0) or v.get("writes", 0))
        )
        print(f"  {label}: {parts}")
    print(
        "\nCPU milliseconds per document (process and its children, upload -> settled counts), largest job:"
    )
    for label, data in runs:
        r = data["results"][-1]
        n = r["documents"]
        cpu = r.get("cpu") or {}
        parts = ", ".join(
            f"{k} {v * 1000 / n:.1f}" for k, v in sorted(cpu.items(), key=lambda kv: -kv[1]) if v
        )
        print(f"  {label}: total {sum(cpu.values()) * 1000 / n:.1f} ms: {parts}")
    print("\nby collection, operations per document, largest job:")
    for label, data in runs:
        r = data["results"][-1]
        n = r["documents"]
        for fn, v in sorted(r["ops"].items()):
            if fn not in PIPELINE:
                continue
            kinds = ", ".join(f"{k} {c / n:.2f}" for k, c in sorted(v.items()) if " " in k and c)
            if kinds:
                print(f"  {label} {fn}: {kinds}")
    if len(runs) == 2:
        print("\nagainst the baseline:")
        base, this = runs[0][0], runs[1][0]
        for n, rows in sorted(by_size.items()):
            if base in rows and this in rows:
                fewer = 1 - rows[this]["ops"] / rows[base]["ops"] if rows[base]["ops"] else 0.0
                faster = rows[this]["speed"] / rows[base]["speed"] if rows[base]["speed"] else 0.0
                verdict = "meets" if fewer >= OPS_TARGET else "misses"
                print(
                    f"  {n:>5} documents: ops/doc {rows[base]['ops']:.2f} -> {rows[this]['ops']:.2f} "
                    f"({fewer:.0%} fewer, {verdict} the >= {OPS_TARGET:.0%} target); "
                    f"speed-up {rows[base]['speed']:.1f}x -> {rows[this]['speed']:.1f}x ({faster:.2f}x)"
                )
    for n, rows in sorted(by_size.items()):
        if n >= 1000 and runs[-1][0] in rows:
            speed = rows[runs[-1][0]]["speed"]
            verdict = "meets" if speed >= SPEED_TARGET else "misses"
            print(f"\n{n} documents at {latency:g} s per call: {speed:.1f}x sequential "
                  f"({verdict} the >= {SPEED_TARGET:g}x target)")  # fmt: skip
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", default="40", help="job sizes, comma-separated (e.g. 40,200,1000)")
    parser.add_argument("--latency", type=float, default=1.0, help="seconds per Gemini stand-in call")
    parser.add_argument(
        "--threads",
        type=int,
        default=80,
        help="request threads per function server (and relayed pushes "
        "in flight per subscription): one instance at a request concurrency of 80",
    )
    parser.add_argument(
        "--delivery",
        choices=("relay", "push"),
        default="relay",
        help="relay: pull + push relay with production-like fan-out (default); push: emulator push "
        "subscriptions, which keep at most 2 requests in flight per subscription",
    )
    parser.add_argument("--baseline", type=Path, help="another checkout to run first, side by side")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return run_child(args)
    runs: list[tuple[str, dict[str, Any]]] = []
    if args.baseline is not None:
        runs.append(("baseline", _run_tree(args.baseline.resolve(), args)))
    runs.append(("this", _run_tree(REPO, args)))
    ok = _print(runs)
    return 0 if ok and all(d["exit"] == 0 for _, d in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
