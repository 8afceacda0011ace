"""ZapDoc: PDFs (or zips of PDFs) in, a clean typed Excel workbook out."""

__version__ = "0.1.0"
