"""Issue 2 acceptance 5: every hostile input is one error row with a clear reason; the rest still succeed."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.badinputs import bad_input_suite, good_pdf
from tests.offline_env import offline_provider_env  # noqa: F401  (autouse fixture)
from zapdoc.cli import main


@pytest.mark.timeout(180)  # hang guard for the whole run, not a speed assertion
def test_bad_inputs_become_error_rows_and_good_documents_still_succeed(tmp_path: Path) -> None:
    # GIVEN a folder holding every hostile input of the suite next to a good PDF
    folder = tmp_path / "in"
    folder.mkdir()
    suite = bad_input_suite()
    for case in suite:
        (folder / case.file).write_bytes(case.data)
    name, data = good_pdf(name="fine.pdf")
    (folder / name).write_bytes(data)
    out = tmp_path / "out.xlsx"

    # WHEN the whole folder is extracted in one run
    code = main(["extract", str(folder), "--fields", "invoice_number, total:amount", "-o", str(out), "-q"])

    # THEN the workbook is written with one error row per bad document, each with its reason
    assert code == 0
    rows = list(load_workbook(out)["Results"].iter_rows(values_only=True))
    header = list(rows[0])
    by_file = {str(r[0]).removeprefix(f"{folder}/"): dict(zip(header, r, strict=True)) for r in rows[1:]}
    expected_errors = {doc: words for case in suite for doc, words in case.errors.items()}
    expected_ok = {doc: pages for case in suite for doc, pages in case.ok.items()} | {"fine.pdf": 1}
    assert set(by_file) == set(expected_errors) | set(expected_ok)
    for doc, words in expected_errors.items():
        row = by_file[doc]
        assert row["Status"] == "error", doc
        assert words.lower() in str(row["Notes"]).lower(), (doc, row["Notes"])
    for doc, pages in expected_ok.items():
        assert by_file[doc]["Status"] == "ok", (doc, by_file[doc]["Notes"])
        assert by_file[doc]["Pages"] == pages, doc
