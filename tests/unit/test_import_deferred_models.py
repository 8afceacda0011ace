"""The API's models are built on first use (``defer_build``, for the cold start): an instance serves
requests from several threads, so the first uses may be concurrent. Each must get the model's own
validator and serializer, never a half-built one or its base class's (pydantic's rebuild is locked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys, threading
from pydantic import ValidationError
from zapdoc.api import models as M

deferred = [M.ColumnSpec, M.Error, M.Credits]
before = [m.__pydantic_complete__ for m in deferred]
barrier = threading.Barrier(16)
results = []

def first_use():
    barrier.wait()
    column = M.ColumnSpec.model_validate({"name": "Total", "type": "text"})
    try:
        M.ColumnSpec.model_validate({"name": "Total", "unknown": 1})
        refused = False
    except ValidationError as exc:
        refused = [e["type"] for e in exc.errors()] == ["extra_forbidden"]
    error = M.dump(M.Error, {"error": {"code": "not_found", "message": "no such job"}})
    credits = M.dump(M.Credits, {"charged": 3, "refunded": 1})
    results.append((column.name, refused, error["error"]["code"], credits))

threads = [threading.Thread(target=first_use) for _ in range(16)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps({"before": before, "results": results}))
"""


def test_concurrent_first_uses_of_deferred_api_models_validate_and_serialise_alike() -> None:
    # GIVEN a fresh process in which the API's models are not built yet
    # WHEN 16 threads use three of them for the first time at once
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        cwd=ROOT / "shared",
        check=False,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    data = json.loads(out.stdout.strip().splitlines()[-1])
    # THEN none was built at import, and every thread got each model's own answer
    assert data["before"] == [False, False, False]
    expected = ["Total", True, "not_found", {"charged": 3, "refunded": 1}]
    assert data["results"] == [expected] * 16
