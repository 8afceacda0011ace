"""Offline classifier speed and agreement: ms per document now vs a git revision, on ../shared/corpus.

    python bench/classify.py [--baseline GIT_REF] [--repeat N]

Reads every corpus PDF's text once, classifies each N times with this checkout's classifier, then runs
the same in a subprocess on revision GIT_REF (default: the parent commit of the one-pass classifier is
whatever you name) and prints both, the ratio, and how many documents get the same type.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, os.environ.get("ZAPDOC_BENCH_SHARED") or str(ROOT / "shared"))

from zapdoc.domain.documents import Source  # noqa: E402
from zapdoc.extraction.classify import classify_text  # noqa: E402
from zapdoc.inputs.pdf import inspect_pdf  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"


def measure(repeat: int) -> dict[str, object]:
    files = sorted(CORPUS.glob("*/*.pdf"))
    texts = [inspect_pdf(Source(f.name, f.read_bytes())).text for f in files]
    started = time.perf_counter()
    labels: list[str] = []
    for _ in range(repeat):
        labels = [classify_text(t).doc_type for t in texts]
    seconds = (time.perf_counter() - started) / repeat
    return {"documents": len(texts), "ms_per_document": 1000 * seconds / max(1, len(texts)), "labels": labels}


def at_revision(ref: str, repeat: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="zapdoc-classify-") as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", ref, "shared"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        env = {**os.environ, "ZAPDOC_BENCH_SHARED": str(Path(tmp) / "shared")}
        done = subprocess.run(
            [sys.executable, __file__, "--json", "--repeat", str(repeat)],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--baseline", default=None, metavar="GIT_REF")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not CORPUS.exists():
        print("corpus not found, skipping")
        return 0
    now = measure(max(1, args.repeat))
    if args.json:
        print(json.dumps(now))
        return 0
    print(f"classifier now: {now['ms_per_document']:.2f} ms per document ({now['documents']} documents)")
    if args.baseline:
        before = at_revision(args.baseline, max(1, args.repeat))
        same = sum(a == b for a, b in zip(now["labels"], before["labels"], strict=True))  # type: ignore[call-overload]
        ratio = float(now["ms_per_document"]) / float(before["ms_per_document"])  # type: ignore[arg-type]
        print(
            f"classifier at {args.baseline}: {before['ms_per_document']:.2f} ms per document; "
            f"now / then = {ratio:.2f}x; same type for {same}/{now['documents']} documents"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
