"""Offline accuracy on the evaluation corpus meets the acceptance targets (skipped without the corpus).

Runs the same measurement as ``bench/accuracy.py`` on the whole corpus (developed-on and held-out):
the six key invoice fields >= 95%, vendor_name and buyer_name >= 85%, resume email + phone >= 90%
(normalised match), and values marked low-confidence are right less often than the rest (calibration).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from zapdoc.extraction.offline import OfflineExtractor

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT.parent / "shared" / "corpus" / "manifest.jsonl"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not MANIFEST.exists(), reason="evaluation corpus ../shared/corpus is not here"),
]


def _bench() -> ModuleType:
    """bench/accuracy.py loaded as a module (bench/ is scripts, not a package)."""
    name = "zapdoc_bench_accuracy"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "accuracy.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_offline_accuracy_meets_the_acceptance_targets() -> None:
    # GIVEN the corpus and the offline extractor
    bench = _bench()
    # WHEN every document is extracted with its template and compared with the ground truth
    report = bench.run(MANIFEST, OfflineExtractor(ignore_einvoice=True), None)
    # THEN both acceptance aggregates meet their targets, and no document failed to open
    invoice = report.targets["invoice"]
    resume = report.targets["resume"]
    vendor, buyer = report.targets["vendor_name"], report.targets["buyer_name"]
    assert invoice.total >= 300
    assert resume.total >= 15
    assert invoice.correct / invoice.total >= 0.95, bench.render(report, "offline", False)
    assert buyer.correct / buyer.total >= 0.85, bench.render(report, "offline", False)
    assert vendor.correct / vendor.total >= 0.85, bench.render(report, "offline", False)
    assert resume.correct / resume.total >= 0.90, bench.render(report, "offline", False)
    assert report.failed == []
    # AND a value below LOW_CONFIDENCE is more often wrong than one at or above it
    low, high, calibrated = bench.calibration(report.bands)
    assert calibrated and low.total >= 50, (low, high)
    # AND both parts of the split are there, the held-out one about 30%
    held_out = report.parts[bench.HELD_OUT].documents
    assert 0.2 * report.documents <= held_out <= 0.4 * report.documents


def test_bench_prints_skipping_without_a_corpus(tmp_path: Path) -> None:
    lines: list[str] = []
    assert _bench().main([str(tmp_path / "missing.jsonl")], out=lines.append) == 0
    assert lines == ["corpus not found, skipping"]
