"""Print Word documents (.docx) to PDF with LibreOffice Writer, as a small business exports the invoice it
typed into a Word template: page header and footer, tab stops, layout tables, text frames, Writer's PDF
text layer. Every document of a call goes through ONE headless soffice run (starting it costs seconds, a
page a fraction of one), in a profile of its own so parallel runs do not collide
(tests/sheetinvoices.soffice_to_pdf, shared with the Calc-printed invoices).
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from docx.document import Document

from tests.sheetinvoices import soffice_to_pdf

SWRITER = Path("/usr/lib/libreoffice/program/swriter")


def writer_available() -> bool:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    return soffice is not None and (SWRITER.exists() or Path(soffice).resolve().with_name("swriter").exists())


def need_writer() -> None:
    """Skip the calling test where LibreOffice Writer is missing (``make test`` installs it)."""
    if not writer_available():
        pytest.skip(
            "needs LibreOffice Writer: scripts/install-desktop-tools.sh (apt-get install libreoffice-writer)"
        )


def docx_to_pdfs(documents: Sequence[Document | bytes], timeout: float = 300) -> list[bytes]:
    """The PDF bytes of each Word document (a python-docx ``Document`` or .docx bytes), in order."""
    with tempfile.TemporaryDirectory(prefix="zapdoc-docx-") as tmp:
        base = Path(tmp)
        paths = []
        for i, document in enumerate(documents):
            path = base / f"doc-{i}.docx"
            if isinstance(document, bytes):
                path.write_bytes(document)
            else:
                buffer = io.BytesIO()
                document.save(buffer)
                path.write_bytes(buffer.getvalue())
            paths.append(path)
        soffice_to_pdf(paths, base, timeout)
        return [(base / f"{path.stem}.pdf").read_bytes() for path in paths]
