"""Small-business invoices in free forms (tests/freeforminvoices.py): every pair of sender and addressee
form, twice over, with the vendor, the buyer, the invoice number and the total right on each.

The forms this adds to the printed families: a one-line imprint at the foot naming the sender without a
legal form ("Marlow Labs · 12 Market Street · Leeds LS1 4AP · billing@marlow.com", layout ``_imprint``), a
logo's word spelled out under it ("GRANITE" over "Granite Engineering"), "Remit payment to:" over the
sender's name and address (parties.json), and a bare "Number" in the invoice's data (field_labels.json).
"""

from __future__ import annotations

from collections import Counter

from tests.freeforminvoices import BUYER_FORMS, VENDOR_FORMS, generate
from tests.printedinvoices import is_right
from zapdoc.domain.documents import Source
from zapdoc.domain.templates import template_fields
from zapdoc.extraction.offline import OfflineExtractor
from zapdoc.inputs.pdf import inspect_pdf

SEEDS = range(2 * len(VENDOR_FORMS) * len(BUYER_FORMS))


def test_every_form_is_drawn() -> None:
    drawn = Counter((inv.vendor_form, inv.buyer_form) for inv in map(generate, SEEDS))
    assert set(drawn) == {(v, b) for v in VENDOR_FORMS for b in BUYER_FORMS}


def test_every_field_of_every_freeform_invoice() -> None:
    # GIVEN invoices of every sender and addressee form
    extractor = OfflineExtractor(ocr=False)
    wrong = []
    for seed in SEEDS:
        inv = generate(seed)
        # WHEN each is extracted offline
        got = extractor.extract(inspect_pdf(Source(f"free-{seed}.pdf", inv.pdf)), template_fields("invoice"))
        # THEN the parties, the number and the total are as printed
        for field, expected in inv.truth.items():
            value = got.values[field].value
            if not is_right(field, expected, value):
                wrong.append(
                    f"seed {seed} {inv.vendor_form}/{inv.buyer_form} {field}: {expected!r} -> {value!r}"
                )
    assert not wrong, "\n".join(wrong)
