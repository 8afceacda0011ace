"""Generate the example PDFs in this folder (invoices, receipts, resumes; English, French, German).

Layout: ``invoices/``, ``receipts/``, ``resumes/``, ``examples.zip`` holding all of them under ``batch/``
and ``invoices.zip`` holding the invoices and receipts only.

Run ``python examples/make_examples.py`` to rebuild them; output is deterministic (reportlab invariant
mode), so the committed files only change when this script does. All names and numbers are fictitious.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

HERE = Path(__file__).resolve().parent
W, H = A4


@dataclass(frozen=True)
class Invoice:
    filename: str
    title: str
    vendor: Sequence[str]
    buyer_label: str
    buyer: Sequence[str]
    meta: Sequence[tuple[str, str]]
    headers: Sequence[str]
    items: Sequence[tuple[str, str, str, str]]
    totals: Sequence[tuple[str, str]]
    footer: Sequence[str]


def _text(
    c: canvas.Canvas, x: float, y: float, lines: Sequence[str], size: float = 9.5, bold: bool = False
) -> float:
    c.setFont("Helvetica-Bold" if bold else "Helvetica", size)
    for line in lines:
        c.drawString(x, y, line)
        y -= size * 1.45
    return y


def draw_invoice(inv: Invoice) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    c.setTitle(inv.title)
    c.setFillColorRGB(0.19, 0.33, 0.59)
    c.rect(0, H - 70, W, 70, fill=1, stroke=0)
    c.setFillColorRGB(1, 1, 1)
    c.setFont("Helvetica-Bold", 22)
    c.drawString(50, H - 47, inv.title)
    c.setFillColorRGB(0, 0, 0)
    _text(c, 50, H - 100, inv.vendor)
    _text(c, 330, H - 100, [inv.buyer_label], bold=True)
    _text(c, 330, H - 114, inv.buyer)
    y = H - 215
    for label, value in inv.meta:
        c.setFont("Helvetica-Bold", 9.5)
        c.drawString(50, y, label)
        c.setFont("Helvetica", 9.5)
        c.drawString(170, y, value)
        y -= 14
    y -= 16
    cols = (50, 330, 400, 490)
    c.setFillColorRGB(0.9, 0.92, 0.96)
    c.rect(45, y - 5, W - 90, 18, fill=1, stroke=0)
    c.setFillColorRGB(0, 0, 0)
    c.setFont("Helvetica-Bold", 9.5)
    for x, h in zip(cols, inv.headers, strict=True):
        c.drawString(x, y, h)
    y -= 20
    c.setFont("Helvetica", 9.5)
    for row in inv.items:
        for i, (x, v) in enumerate(zip(cols, row, strict=True)):
            if i == 0:
                c.drawString(x, y, v)
            else:
                c.drawRightString(x + 60, y, v)
        y -= 15
    c.line(45, y + 5, W - 45, y + 5)
    y -= 12
    for label, value in inv.totals:
        c.setFont("Helvetica-Bold" if label == inv.totals[-1][0] else "Helvetica", 10)
        c.drawString(330, y, label)
        c.drawRightString(550, y, value)
        y -= 15
    _text(c, 50, 110, inv.footer, size=8.5)
    c.showPage()
    c.save()
    return buf.getvalue()


INVOICES = [
    Invoice(
        filename="invoice-en.pdf",
        title="INVOICE",
        vendor=[
            "Northwind Analytics Ltd",
            "14 Harbour Street",
            "Bristol BS1 4RN, United Kingdom",
            "VAT No: GB 123 4567 89",
            "billing@northwind-analytics.example",
            "Tel: +44 117 496 0321",
        ],
        buyer_label="Bill to",
        buyer=["Contoso Retail GmbH", "Friedrichstraße 12", "10117 Berlin, Germany", "VAT: DE 811 907 980"],
        meta=[
            ("Invoice No:", "NWA-2024-0412"),
            ("Invoice date:", "3 April 2024"),
            ("Due date:", "3 May 2024"),
            ("PO Number:", "PO-77812"),
            ("Currency:", "GBP"),
        ],
        headers=["Description", "Qty", "Unit price", "Amount"],
        items=[
            ("Data pipeline audit", "1", "2,400.00", "2,400.00"),
            ("Dashboard design (hours)", "12", "95.00", "1,140.00"),
            ("Cloud hosting, April", "1", "310.50", "310.50"),
        ],
        totals=[("Subtotal", "£3,850.50"), ("VAT 20%", "£770.10"), ("Total due", "£4,620.60")],
        footer=[
            "Payment within 30 days by bank transfer.",
            "IBAN: GB33 BUKB 2020 1555 5555 55   BIC: BUKBGB22",
            "Northwind Analytics Ltd, registered in England and Wales no. 09876543.",
        ],
    ),
    Invoice(
        filename="facture-fr.pdf",
        title="FACTURE",
        vendor=[
            "Atelier Lumière SARL",
            "27 rue des Tanneurs",
            "69002 Lyon, France",
            "N° TVA intracommunautaire : FR40303265045",
            "contact@atelier-lumiere.example",
            "Tél. : 04 72 10 20 30",
        ],
        buyer_label="Client",
        buyer=["Boulangerie Martin", "5 place du Marché", "38000 Grenoble"],
        meta=[
            ("Facture n° :", "F-2024-0187"),
            ("Date de facture :", "15/03/2024"),
            ("Échéance :", "14/04/2024"),
            ("Bon de commande :", "BC-5521"),
        ],
        headers=["Désignation", "Qté", "Prix unitaire", "Montant HT"],
        items=[
            ("Suspension laiton, modèle Orsay", "4", "189,00", "756,00"),
            ("Pose et raccordement", "1", "240,00", "240,00"),
            ("Ampoules LED 2700K", "8", "12,50", "100,00"),
        ],
        totals=[("Total HT", "1 096,00 €"), ("TVA 20 %", "219,20 €"), ("Total TTC", "1 315,20 €")],
        footer=[
            "Règlement par virement à réception de facture.",
            "IBAN : FR76 3000 6000 0112 3456 7890 189   BIC : AGRIFRPP",
            "Atelier Lumière SARL au capital de 10 000 € - RCS Lyon 812 345 678",
        ],
    ),
    Invoice(
        filename="rechnung-de.pdf",
        title="RECHNUNG",
        vendor=[
            "Bergmann Werkzeuge GmbH",
            "Industriestraße 8",
            "70565 Stuttgart",
            "USt-IdNr.: DE136695976",
            "info@bergmann-werkzeuge.example",
            "Telefon: +49 711 123456-0",
        ],
        buyer_label="Rechnungsempfänger",
        buyer=["Schreinerei Vogel", "Hauptstraße 3", "72072 Tübingen"],
        meta=[
            ("Rechnungsnummer:", "RE-24-00931"),
            ("Rechnungsdatum:", "02.04.2024"),
            ("Fälligkeitsdatum:", "16.04.2024"),
            ("Bestellnummer:", "B-4410"),
        ],
        headers=["Bezeichnung", "Menge", "Einzelpreis", "Betrag"],
        items=[
            ("Akku-Bohrschrauber 18V", "2", "149,90", "299,80"),
            ("Bitsatz 32-teilig", "5", "19,95", "99,75"),
            ("Werkbank Buche 150 cm", "1", "489,00", "489,00"),
        ],
        totals=[
            ("Nettobetrag", "888,55 EUR"),
            ("MwSt. 19 %", "168,82 EUR"),
            ("Gesamtbetrag", "1.057,37 EUR"),
        ],
        footer=[
            "Zahlbar innerhalb von 14 Tagen ohne Abzug.",
            "IBAN: DE89 3704 0044 0532 0130 00   BIC: COBADEFFXXX",
            "Bergmann Werkzeuge GmbH, Amtsgericht Stuttgart HRB 123456",
        ],
    ),
]


def draw_receipt(filename: str, lines: Sequence[str]) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(226, 480), invariant=True)
    c.setFont("Courier", 8.5)
    y = 460.0
    for line in lines:
        c.drawString(12, y, line)
        y -= 12
    c.showPage()
    c.save()
    return buf.getvalue()


RECEIPTS = {
    "receipt-en.pdf": [
        "      GREEN LEAF CAFE",
        "   221 Market St, Seattle WA",
        "   Tel: (206) 555-0143",
        "",
        "Receipt #: 004512",
        "Date: 04/12/2024  08:41",
        "",
        "Oat latte          2 x 4.75",
        "                        9.50",
        "Blueberry muffin        3.25",
        "Avocado toast          11.00",
        "--------------------------",
        "Subtotal               23.75",
        "Sales tax 10.1%         2.40",
        "TOTAL           USD    26.15",
        "",
        "Paid by: VISA ****4821",
        "   Thank you, come again!",
    ],
    "ticket-fr.pdf": [
        "     LIBRAIRIE DU PORT",
        "  3 quai Saint-Pierre, Nantes",
        "  SIRET 512 345 678 00019",
        "  TVA FR83512345678",
        "",
        "Ticket n° 2024-11-07-118",
        "Date : 07/11/2024 16:22",
        "",
        "Roman poche           8,90",
        "Carnet de notes       6,50",
        "--------------------------",
        "Total TTC           15,40 EUR",
        "dont TVA 5,5 %        0,80",
        "",
        "Paiement : Carte bancaire",
        "     Merci de votre visite",
    ],
}


def draw_resume(
    filename: str, name: str, contact: Sequence[str], sections: Sequence[tuple[str, Sequence[str]]]
) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    c.setFont("Helvetica-Bold", 20)
    c.drawString(50, H - 60, name)
    y = _text(c, 50, H - 80, contact, size=9.5)
    for title, lines in sections:
        y -= 10
        c.setFont("Helvetica-Bold", 12)
        c.drawString(50, y, title)
        c.line(50, y - 3, W - 50, y - 3)
        y = _text(c, 50, y - 18, lines, size=9.5)
    c.showPage()
    c.save()
    return buf.getvalue()


RESUMES = {
    "resume-en.pdf": (
        "Priya Raman",
        ["Toronto, Canada", "priya.raman@example.com  |  +1 416 555 0199  |  priyaraman.example.dev"],
        [
            (
                "Experience",
                [
                    "Senior Data Engineer, Maple Logistics Inc. — 2021 – present",
                    "  Built streaming ingestion for 40M events/day; cut warehouse cost by 35%.",
                    "Data Engineer, Lakeshore Bank — 2017 – 2021",
                    "  Migrated batch ETL to Airflow; owned data quality checks.",
                ],
            ),
            (
                "Education",
                [
                    "University of Waterloo — MSc Computer Science, 2017",
                    "University of Toronto — BSc Mathematics, 2015",
                ],
            ),
            ("Skills", ["Python, SQL, Apache Spark, Airflow, Kafka, Terraform, Google Cloud"]),
        ],
    ),
    "cv-fr.pdf": (
        "Julien Morel",
        ["Bordeaux, France", "E-mail : julien.morel@example.fr  —  Tél. : 06 12 34 56 78"],
        [
            (
                "Expérience professionnelle",
                [
                    "Chef de projet digital, Vignobles Duval — depuis 2020",
                    "  Refonte du site marchand, +40 % de ventes en ligne.",
                    "Consultant junior, Cabinet Arcole — 2017 – 2020",
                ],
            ),
            ("Formation", ["Université de Bordeaux — Master Management des systèmes d'information, 2017"]),
            ("Compétences", ["Gestion de projet, Scrum, SQL, Google Analytics, Figma"]),
        ],
    ),
}


def build(out_dir: Path = HERE) -> list[Path]:
    """Write every example PDF and examples.zip into ``out_dir``; return the paths written."""
    files: dict[str, bytes] = {}
    for inv in INVOICES:
        files[f"invoices/{inv.filename}"] = draw_invoice(inv)
    for fname, lines in RECEIPTS.items():
        files[f"receipts/{fname}"] = draw_receipt(fname, lines)
    for fname, (name, contact, sections) in RESUMES.items():
        files[f"resumes/{fname}"] = draw_resume(fname, name, contact, sections)
    written: list[Path] = []
    for fname, data in files.items():
        path = out_dir / fname
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    # examples.zip holds everything (mixed types); invoices.zip only what the invoice template fits, for
    # the quick start (a job charges every page, so it should not carry CVs into an invoice job)
    for zname, keep in (("examples.zip", ("invoices/", "receipts/", "resumes/")),
                        ("invoices.zip", ("invoices/", "receipts/"))):  # fmt: skip
        zpath = out_dir / zname
        with zipfile.ZipFile(zpath, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for fname, data in sorted(files.items()):
                if not fname.startswith(keep):
                    continue
                info = zipfile.ZipInfo(f"batch/{Path(fname).name}", date_time=(2024, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
        written.append(zpath)
    return written


if __name__ == "__main__":
    for p in build():
        print(p.relative_to(HERE.parent))
