"""`zapdoc extract` on e-invoices: embedded XML and standalone XML files, and --ignore-einvoice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.einvoices import Invoice, facturx_pdf, ubl_xml
from tests.offline_env import offline_provider_env  # noqa: F401  (autouse fixture)
from zapdoc.cli import main


def _rows(path: Path) -> dict[str, dict[str, object]]:
    ws = load_workbook(path)["Results"]
    rows = list(ws.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return {Path(str(r[0])).name: dict(zip(header, r, strict=True)) for r in rows[1:]}


def test_e_invoices_are_read_from_their_xml_and_the_option_reads_the_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a Factur-X PDF whose page prints another number than its XML, and an XRechnung .xml file
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "facturx.pdf").write_bytes(facturx_pdf(Invoice(), page=Invoice().but(number="RE-PAGE-1")))
    (folder / "rechnung.xml").write_bytes(ubl_xml(Invoice(number="XR-2025-17")))
    out, text_out = tmp_path / "xml.xlsx", tmp_path / "text.xlsx"
    # WHEN both are extracted, then again with --ignore-einvoice
    args = ["extract", str(folder), "--template", "invoice", "--jobs", "1", "-q"]
    assert main([*args, "-o", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert main([*args, "-o", str(text_out), "--ignore-einvoice"]) == 0
    # THEN the XML's values are in the workbook, the XML file counts one page, the mismatch is a note
    rows = _rows(out)
    assert rows["facturx.pdf"]["Invoice number"] == "RE-2025-0815"
    assert rows["facturx.pdf"]["Total amount"] == 1487.5
    assert "the page does not show" in str(rows["facturx.pdf"]["Notes"])
    assert rows["rechnung.xml"]["Status"] == "ok"
    assert rows["rechnung.xml"]["Pages"] == 1
    assert rows["rechnung.xml"]["Invoice number"] == "XR-2025-17"
    assert rows["rechnung.xml"]["Vendor VAT ID"] == "DE811569869"
    assert summary["pages"] == 2
    evidence = {r["file"]: r["values"]["invoice_number"]["evidence"]["snippet"] for r in summary["results"]}
    assert any(s.startswith("embedded e-invoice XML") for s in evidence.values())
    # AND with the option, the PDF's values are the page's
    text_rows = _rows(text_out)
    assert text_rows["facturx.pdf"]["Invoice number"] == "RE-PAGE-1"
    assert text_rows["rechnung.xml"]["Invoice number"] == "XR-2025-17"
