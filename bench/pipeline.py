"""Pipeline benchmark (not a test): a 40-document job end to end on the local stack, with the Gemini
stand-in answering every call after a fixed latency, against the sequential time 40 x latency.

    python bench/pipeline.py [--documents 40] [--latency 1.0]

Starts its own local stack (emulators, functions, stand-ins), submits one zip of N invoices, waits for
the email, prints the wall time, the sequential baseline and the ratio. Target: >= 5x faster.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.pipeline_support import FIELDS, invoice_pdf, zip_of  # noqa: E402
from zapdoc.bootstrap import client_runtime  # noqa: E402
from zapdoc.dev.stack import LocalStack, StackOptions  # noqa: E402
from zapdoc.dev.submit import submit  # noqa: E402

TARGET = 5.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=40)
    parser.add_argument("--latency", type=float, default=1.0, help="seconds per Gemini stand-in call")
    parser.add_argument("--threads", type=int, default=32, help="request threads per function server")
    parser.add_argument(
        "--delivery",
        choices=("relay", "push"),
        default="relay",
        help="relay: pull + push relay with production-like fan-out (default); push: emulator push "
        "subscriptions, which keep at most 2 requests in flight per subscription",
    )
    parser.add_argument("--cold", action="store_true", help="skip the one-document warm-up job")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="zapdoc-bench-") as tmp:
        work = Path(tmp)
        inner = {f"inv-{i:03d}.pdf": invoice_pdf(f"B-{1000 + i}", f"{i}.25") for i in range(args.documents)}
        upload = work / "batch.zip"
        upload.write_bytes(zip_of(inner))
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
        print("starting the local stack ...", flush=True)
        stack = LocalStack(options).start()
        try:
            rt = client_runtime(stack.client_env)
            if not args.cold:  # warm the instances with a one-document job, as min-instances would
                warm = work / "warm.pdf"
                warm.write_bytes(invoice_pdf("W-1", "1.00"))
                submit(rt, [warm], FIELDS, email="warm@zapdoc.local", credits=10, wait=120)
                for mail in options.outbox.glob("*.eml"):
                    mail.unlink()
            started = time.monotonic()
            result = submit(rt, [upload], FIELDS, email="bench@zapdoc.local", credits=10_000, wait=600)
            deadline = time.monotonic() + 60
            while not list(options.outbox.glob("*.eml")) and time.monotonic() < deadline:
                time.sleep(0.05)
            elapsed = time.monotonic() - started
        finally:
            stack.stop()
    sequential = args.documents * args.latency
    ratio = sequential / elapsed if elapsed else 0.0
    print(f"job status: {result.status}, documents: {args.documents}, charged: {result.charged}")
    warmth = "cold" if args.cold else "warmed by a 1-document job"
    print(f"Pub/Sub delivery: {args.delivery}; instances {warmth}")
    print(f"end to end (upload -> email):  {elapsed:8.2f} s")
    print(f"sequential baseline ({args.documents} x {args.latency:g} s): {sequential:8.2f} s")
    verdict = "meets" if ratio >= TARGET else "misses"
    print(f"speed-up: {ratio:.1f}x ({verdict} the >= {TARGET:g}x target)")
    return 0 if result.status == "delivered" else 1


if __name__ == "__main__":
    sys.exit(main())
