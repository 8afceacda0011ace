"""Ledger contention benchmark (not a test): W writers debiting ONE balance on the Firestore emulator.

    python bench/ledger.py [--writers 32] [--processes 4] [--debits 25] [--baseline /tmp/base]

Starts a Firestore emulator, then runs each scenario as P worker processes (instances, each with its
own ledger queue) of W/P threads; every thread applies ``--debits`` debits of 1 credit with its own
keys, all starting at one instant. Per scenario it prints applied debits per second (wall time from
the start to the last debit), commits attempted per applied debit, p50/p95 latency of one ``apply``,
and checks the money: sum(ledger entries) == balance, every ``balance_after`` >= 0, and the balances
after the debits exactly opening-1 .. opening-applied (each credit taken once). A last scenario gives
the writers fewer credits than they ask for: exactly the opening balance is applied, none overdrawn.

Scenarios: one writer; W writers uncoalesced (``Ledger(coalesce=False)``: one commit per change, the
pre-coalescing algorithm); W writers coalesced (this checkout's default) in one instance and over P;
with ``--baseline PATH``, W
writers on that checkout's ledger (run from its ``shared/``). Target: W=32 coalesced >= 100 debits/s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TARGET = 100.0
MARK = "LEDGER-RESULT "


def worker(args: argparse.Namespace) -> int:
    """One instance: ``--threads`` threads, each ``--debits`` debits on ``--user``, from ``--start-at``."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import firestore

    from zapdoc.adapters.firestore import FirestoreStore
    from zapdoc.services.ledger import Ledger, Outcome

    commits = 0
    lock = threading.Lock()

    class Counted(FirestoreStore):
        def commit(self, writes: Any) -> None:
            nonlocal commits
            with lock:
                commits += 1
            super().commit(writes)

    client = firestore.Client(project=args.project, credentials=AnonymousCredentials())  # type: ignore[no-untyped-call]
    store = Counted(client)
    try:
        ledger = Ledger(store, coalesce=not args.uncoalesced)
    except TypeError:  # a checkout from before coalescing
        ledger = Ledger(store)
    store.get("users/warm-up")  # open the channel before the start
    latencies: list[float] = []
    outcomes: dict[str, int] = {}
    ends: list[float] = []

    def run(thread: int) -> None:
        mine: list[float] = []
        seen: dict[str, int] = {}
        for i in range(args.debits):
            began = time.perf_counter()
            result = ledger.apply(args.user, f"debit:{args.tag}-{thread}-{i}", -1, meta={"bench": True})
            mine.append(time.perf_counter() - began)
            seen[result.outcome.value] = seen.get(result.outcome.value, 0) + 1
        with lock:
            latencies.extend(mine)
            for key, value in seen.items():
                outcomes[key] = outcomes.get(key, 0) + value
            ends.append(time.time())

    threads = [threading.Thread(target=run, args=(t,)) for t in range(args.threads)]
    time.sleep(max(0.0, args.start_at - time.time()))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    applied = outcomes.get(Outcome.APPLIED.value, 0)
    print(MARK + json.dumps({"latencies": latencies, "outcomes": outcomes, "applied": applied,
                             "commits": commits, "end": max(ends)}))  # fmt: skip
    return 0


def _scenario(
    name: str, tree: Path, project: str, env: dict[str, str], *, writers: int, processes: int, debits: int,
    credits: int, uncoalesced: bool = False,
) -> dict[str, Any]:  # fmt: skip
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import firestore

    from zapdoc.adapters.firestore import FirestoreStore
    from zapdoc.services.ledger import Ledger

    user = f"bench-{uuid.uuid4().hex[:10]}"
    anonymous = AnonymousCredentials()  # type: ignore[no-untyped-call]
    store = FirestoreStore(firestore.Client(project=project, credentials=anonymous))
    Ledger(store).ensure_user(user, email=f"{user}@bench.local", initial_credits=credits)
    processes = max(1, min(processes, writers))
    per = [writers // processes + (1 if p < writers % processes else 0) for p in range(processes)]
    start_at = time.time() + 3.0 + 0.4 * processes  # every instance imported and connected by then
    child_env = {**os.environ, **env, "PYTHONPATH": str(tree / "shared")}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--worker",
                "--project",
                project,
                "--user",
                user,
                "--threads",
                str(n),
                "--debits",
                str(debits),
                "--start-at",
                str(start_at),
                "--tag",
                f"p{p}",
                *(["--uncoalesced"] if uncoalesced else []),
            ],
            env=child_env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for p, n in enumerate(per)
        if n
    ]
    parts = []
    for proc in procs:
        out, _ = proc.communicate(timeout=1800)
        lines = [line for line in out.splitlines() if line.startswith(MARK)]
        if proc.returncode != 0 or not lines:
            raise SystemExit(f"{name}: a worker failed (exit {proc.returncode})")
        parts.append(json.loads(lines[-1][len(MARK) :]))
    latencies = sorted(x for p in parts for x in p["latencies"])
    applied = sum(p["applied"] for p in parts)
    commits = sum(p["commits"] for p in parts)
    elapsed = max(p["end"] for p in parts) - start_at
    outcomes: dict[str, int] = {}
    for p in parts:
        for key, value in p["outcomes"].items():
            outcomes[key] = outcomes.get(key, 0) + value
    # the money, read back from the store
    ledger = Ledger(store)
    entries = ledger.entries(user)
    balance = ledger.balance(user)
    afters = sorted(int(e["balance_after"]) for e in entries if e["key"] != "grant:opening")
    exact = sum(int(e["delta"]) for e in entries) == balance == credits - applied
    never_negative = all(int(e["balance_after"]) >= 0 for e in entries)
    chained = afters == list(range(credits - applied, credits))
    return {
        "name": name, "writers": writers, "processes": len(procs), "attempted": writers * debits,
        "applied": applied, "outcomes": outcomes, "seconds": elapsed,
        "rate": applied / elapsed if elapsed > 0 else 0.0,
        "commits_per_debit": commits / applied if applied else float("nan"),
        "p50": statistics.median(latencies) if latencies else 0.0,
        "p95": latencies[max(0, round(0.95 * len(latencies)) - 1)] if latencies else 0.0,
        "balance": balance, "exact": exact, "never_negative": never_negative, "chained": chained,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--writers", type=int, default=32)
    parser.add_argument("--processes", type=int, default=4, help="instances the writers are spread over")
    parser.add_argument("--debits", type=int, default=25, help="debits per writer")
    parser.add_argument("--baseline", type=Path, help="another checkout whose ledger runs the same load")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--project", default="", help=argparse.SUPPRESS)
    parser.add_argument("--user", default="", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--start-at", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--tag", default="", help=argparse.SUPPRESS)
    parser.add_argument("--uncoalesced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)

    sys.path.insert(0, str(REPO / "shared"))
    from zapdoc.dev import emulators

    w, p, d = args.writers, args.processes, args.debits
    with tempfile.TemporaryDirectory(prefix="zapdoc-ledger-bench-") as tmp:
        emu = emulators.start_firestore(log_dir=Path(tmp))
        try:
            os.environ.update(emu.env)
            project = f"demo-ledger-{uuid.uuid4().hex[:6]}"
            plenty = w * d + 10
            runs = [
                _scenario("one writer", REPO, project, emu.env, writers=1, processes=1, debits=w * d // 4,
                          credits=plenty),
                _scenario(f"{w} writers, uncoalesced", REPO, project, emu.env, writers=w, processes=p,
                          debits=d, credits=plenty, uncoalesced=True),
            ]  # fmt: skip
            if args.baseline is not None:
                runs.append(
                    _scenario(f"{w} writers, baseline", args.baseline.resolve(), project, emu.env,
                              writers=w, processes=p, debits=d, credits=plenty)
                )  # fmt: skip
            runs.append(
                _scenario(f"{w} writers, coalesced, 1 instance", REPO, project, emu.env, writers=w,
                          processes=1, debits=d, credits=plenty)
            )  # fmt: skip
            runs.append(
                _scenario(f"{w} writers, coalesced", REPO, project, emu.env, writers=w, processes=p,
                          debits=d, credits=plenty)
            )  # fmt: skip
            short = (w * d) * 6 // 10
            runs.append(
                _scenario(f"{w} writers, coalesced, credit for 60%", REPO, project, emu.env, writers=w,
                          processes=p, debits=d, credits=short)
            )  # fmt: skip
        finally:
            emu.stop()
    print("\nFirestore emulator; W writers = threads spread over P processes (instances); 1-credit debits")
    head = (
        f"{'scenario':<38} {'W':>3} {'P':>2} {'applied':>8} {'refused':>7} {'debits/s':>9} "
        f"{'commits/debit':>13} {'p50 ms':>7} {'p95 ms':>7}  money"
    )
    print(head)
    print("-" * len(head))
    ok = True
    for r in runs:
        money_ok = r["exact"] and r["never_negative"] and r["chained"]
        ok = ok and money_ok
        refused = r["outcomes"].get("insufficient", 0)
        money = (
            f"exact: sum(ledger) == balance == {r['balance']}, never negative, one credit per debit"
            if money_ok
            else f"WRONG (exact={r['exact']}, never_negative={r['never_negative']}, chained={r['chained']})"
        )
        print(
            f"{r['name']:<38} {r['writers']:>3} {r['processes']:>2} {r['applied']:>8} {refused:>7} "
            f"{r['rate']:>9.1f} {r['commits_per_debit']:>13.2f} {r['p50'] * 1000:>7.0f} "
            f"{r['p95'] * 1000:>7.0f}  {money}"
        )
    by = {r["name"]: r for r in runs}
    coalesced = by[f"{w} writers, coalesced"]
    short_run = by[f"{w} writers, coalesced, credit for 60%"]
    ok = ok and short_run["applied"] == (w * d) * 6 // 10 and short_run["balance"] == 0
    verdict = "meets" if coalesced["rate"] >= TARGET else "misses"
    plain = by[f"{w} writers, uncoalesced"]["rate"]
    print(f"\n{w} writers on one balance, coalesced: {coalesced['rate']:.1f} applied debits/s "
          f"({verdict} the >= {TARGET:g}/s target); uncoalesced {plain:.1f}/s, "
          f"one writer {by['one writer']['rate']:.1f}/s")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
