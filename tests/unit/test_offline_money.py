"""Money checks in Decimal cents (extraction/money.py): exact where floats are not."""

from __future__ import annotations

from decimal import Decimal
from decimal import Decimal as D

from tests.invoicegen import generate
from zapdoc.domain.documents import DocumentText, Source
from zapdoc.domain.fields import parse_fields
from zapdoc.extraction.money import adds_up, cents, money_text, multiplies_out
from zapdoc.extraction.offline import OfflineExtractor
from zapdoc.inputs.pdf import inspect_pdf


def test_sums_are_exact_in_cents() -> None:
    # floats: 0.1 + 0.2 == 0.30000000000000004; amounts are Decimals read from the printed digits
    assert 0.1 + 0.2 != 0.3
    assert adds_up(D("0.1"), D("0.2"), D("0.3"), slack=Decimal("0"))
    assert adds_up(D("573.00"), D("108.87"), D("681.87"), slack=Decimal("0"))
    assert adds_up(D("9999999999.99"), D("0.01"), D("10000000000.00"), slack=Decimal("0"))
    assert adds_up(D("-573.00"), D("-108.87"), D("-681.87"))  # a credit note printed negative
    assert not adds_up(D("573.00"), D("108.87"), D("681.90"))
    assert cents(D("1005.555")) == Decimal("1005.56")  # half-up, as printed
    assert money_text(D("0.1") + D("0.2")) == "0.30"


def test_line_items_multiply_out_with_fractional_quantities() -> None:
    assert multiplies_out(3, D("191.00"), D("573.00"))
    assert multiplies_out(D("1.5"), D("80.0"), D("120.0"))
    assert multiplies_out(D("0.25"), D("19.99"), D("5.00"))  # 4.9975 rounds to the printed 5.00
    assert not multiplies_out(3, D("191.00"), D("600.00"))


def test_a_total_that_net_and_tax_do_not_make_gets_a_note() -> None:
    doc = DocumentText("x.pdf", ("Net amount 100.10 EUR\nVAT 19.02 EUR\nTotal 119.00 EUR",), 1)
    got = OfflineExtractor().extract(
        doc, parse_fields("net_amount:amount, tax_amount:amount, total_amount:amount")
    )
    assert got.values["total_amount"].value == Decimal("119.0")
    assert "net 100.10 + tax 19.02 = 119.12" in got.values["total_amount"].note


def test_generated_invoices_add_up_to_the_cent() -> None:
    fields = parse_fields("net_amount:amount, tax_amount:amount, total_amount:amount")
    for seed in range(700, 712):
        g = generate(seed)
        got = OfflineExtractor().extract(inspect_pdf(Source("g.pdf", g.pdf)), fields).values
        net, tax, total = (got[k].value for k in ("net_amount", "tax_amount", "total_amount"))
        assert isinstance(net, Decimal) and isinstance(tax, Decimal) and isinstance(total, Decimal)
        assert cents(net) + cents(tax) == cents(total), (seed, net, tax, total)
        assert cents(total) == cents(g.truth["total_amount"])


def test_a_german_insurance_premium_invoice_reads_premium_tax_and_total() -> None:
    # GIVEN a premium invoice (Beitragsrechnung): the premium is the "Beitrag", its tax the
    # Versicherungsteuer (written here, not taken from any corpus document)
    text = "\n".join(
        (
            "Beitragsrechnung Hausratversicherung Nr. 77.001.2",
            "Hausrat Grunddeckung 120,00 €",
            "Glasbruch 30,00 €",
            "Gesamtbeitrag 150,00 €",
            "Versicherungsteuer 19 % 28,50 €",
            "Rechnungsbeitrag 178,50 €",
        )
    )
    fields = parse_fields("net_amount:amount, tax_amount:amount, total_amount:amount")
    got = OfflineExtractor().extract(DocumentText("b.pdf", (text,), 1), fields).values
    amounts = (got["net_amount"].value, got["tax_amount"].value, got["total_amount"].value)
    assert amounts == (150.0, 28.5, 178.5)


def test_a_vat_breakdown_row_gives_the_tax_not_the_gross() -> None:
    # GIVEN a VAT row that prints base, tax and gross after its label
    text = "Nettobetrag 250,00 €\n19 % MwSt.: 250,00 47,50 297,50\nGesamtbetrag 297,50 €"
    fields = parse_fields("net_amount:amount, tax_amount:amount, total_amount:amount")
    got = OfflineExtractor().extract(DocumentText("r.pdf", (text,), 1), fields).values
    # THEN the tax is the middle amount (base + tax = gross), with a note
    assert got["tax_amount"].value == Decimal("47.5")
    assert "VAT breakdown row" in got["tax_amount"].note
    assert got["total_amount"].value == Decimal("297.5")
