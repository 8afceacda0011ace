"""Workbook writer benchmark (not a test): ZapDoc's writer against openpyxl write-only, same run.

    python bench/workbook.py [--rows 10000] [--repeat 3]

A job of ``--rows`` documents with 17 fields (text, dates, amounts, numbers, emails) gives a Results sheet
of 21 columns (File, Pages, 17 fields, Status, Notes) plus the Evidence sheet (one row per value) and the
Summary. The baseline is openpyxl's write-only mode appending exactly the same cell values to the same
sheets as plain values, with no styles, widths, comments or print setup: the cost of writing the cells
alone. Neither clock counts building the input (our documents, the baseline's cell values). Runs
alternate (ours, baseline, ours, ...) and the medians are compared.

Memory: a fresh child process writes the workbook with EVERY value low-confidence (every cell styled,
the comment cap reached) and reports the resident-set high-water mark (VmHWM, reset after imports) above
the interpreter's resident set at that point.

Issue 15, acceptance 3: time <= 1.3x the baseline; peak <= 40 MB above the interpreter.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path

from zapdoc.domain.documents import DocumentResult, Evidence, FieldValue
from zapdoc.domain.fields import FieldSpec, parse_fields

TARGET_RATIO = 1.3
TARGET_MB = 40.0

FIELDS: tuple[FieldSpec, ...] = parse_fields(
    "invoice_number, order_number, issue_date:date, due_date:date, delivery_date:date, vendor_name, "
    "vendor_vat_id, vendor_email:email, vendor_phone:phone, buyer_name, buyer_email:email, iban, "
    "currency:currency, net_amount:amount, tax_amount:amount, total_amount:amount, quantity:number"
)


def results(rows: int, *, low_every: int) -> Iterator[DocumentResult]:
    """``rows`` deterministic documents; every ``low_every``-th value is low-confidence (1 = all)."""
    base = dt.date(2024, 1, 1)
    k = 0
    for i in range(rows):
        values: dict[str, FieldValue] = {}
        for spec in FIELDS:
            k += 1
            confidence = 0.4 if k % low_every == 0 else 0.93
            value: str | Decimal | int | dt.date
            if spec.type.value == "date":
                value = base + dt.timedelta(days=i % 700)
            elif spec.type.value == "amount":
                value = Decimal(f"{100 + i * 1.37 + len(spec.name):.2f}")
            elif spec.type.value == "number":
                value = i % 97
            elif spec.type.value == "email":
                value = f"{spec.name.split('_')[0]}-{i}@northwind-analytics.example"
            elif spec.type.value == "currency":
                value = "EUR"
            else:
                value = f"{spec.name.replace('_', ' ').title()} {i:06d}"
            values[spec.name] = FieldValue(value, confidence, Evidence(1, f"{spec.name}: {value}"))
        yield DocumentResult(f"batch-{i // 1000}/invoice-{i:06d}.pdf", "ok", pages=1 + i % 3, values=values)


def write_ours(target: Path, rows: int, low_every: int, *, stream: bool = False) -> float:
    """Seconds to write the workbook. The documents are built before the clock starts, as the baseline's
    cell values are (``stream``: built as the writer consumes them, for the memory run)."""
    from zapdoc.workbook import WorkbookInfo, write_workbook

    docs: Iterable[DocumentResult] = results(rows, low_every=low_every)
    if not stream:
        docs = list(docs)
    started = time.perf_counter()
    write_workbook(target, FIELDS, docs, info=WorkbookInfo(job_id="bench"))
    return time.perf_counter() - started


def sheet_values(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every sheet's cell values, read back: what the baseline writes."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def write_baseline(target: Path, sheets: dict[str, list[tuple[object, ...]]]) -> float:
    from openpyxl import Workbook

    started = time.perf_counter()
    wb = Workbook(write_only=True)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(target)
    return time.perf_counter() - started


def _status_mb(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def memory_child(rows: int) -> int:
    """Child: write the all-low-confidence workbook; print interpreter RSS and the peak as JSON."""
    import zapdoc.workbook  # noqa: F401  (imports before the baseline)

    with tempfile.TemporaryDirectory() as tmp:
        baseline = _status_mb("VmRSS")
        Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
        seconds = write_ours(Path(tmp) / "all-low.xlsx", rows, low_every=1, stream=True)
        peak = _status_mb("VmHWM")
    print(json.dumps({"baseline_mb": baseline, "peak_mb": peak, "seconds": seconds}))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--low-every", type=int, default=10, help="1 in N values low-confidence (timing)")
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        return memory_child(args.rows)

    columns = 2 + len(FIELDS) + 2
    print(f"workbook writer: {args.rows:,} documents x {columns} Results columns, {len(FIELDS)} values each")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for label, low_every in ((f"1 in {args.low_every} values low-confidence", args.low_every),
                                 ("every value low-confidence", 1)):  # fmt: skip
            ours_path, base_path = Path(tmp) / "ours.xlsx", Path(tmp) / "base.xlsx"
            write_ours(ours_path, args.rows, low_every)  # warm-up, and the cells the baseline writes
            sheets = sheet_values(ours_path)
            cells = sum(len(r) for rows in sheets.values() for r in rows)
            ours_t: list[float] = []
            base_t: list[float] = []
            for _ in range(args.repeat):
                ours_t.append(write_ours(ours_path, args.rows, low_every))
                base_t.append(write_baseline(base_path, sheets))
            ours_s, base_s = statistics.median(ours_t), statistics.median(base_t)
            ratio = ours_s / base_s
            verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
            ok = ok and (ratio <= TARGET_RATIO or low_every == 1)
            print(
                f"  {label}: {cells:,} cells; ours {ours_s:.2f} s, openpyxl write-only {base_s:.2f} s "
                f"(medians of {args.repeat}) = {ratio:.2f}x (target <= {TARGET_RATIO}x: {verdict})"
            )
            del sheets
    out = subprocess.run(
        [sys.executable, __file__, "--memory-child", "--rows", str(args.rows)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    mem = json.loads(out.stdout)
    above = mem["peak_mb"] - mem["baseline_mb"]
    verdict = "PASS" if above <= TARGET_MB else "FAIL"
    print(
        f"  memory, every value low-confidence ({args.rows:,} rows, fresh process): peak RSS "
        f"{mem['peak_mb']:.1f} MB, interpreter {mem['baseline_mb']:.1f} MB -> +{above:.1f} MB "
        f"(target <= {TARGET_MB:.0f} MB: {verdict})"
    )
    return 0 if ok and above <= TARGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
