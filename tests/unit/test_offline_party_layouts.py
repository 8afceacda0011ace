"""Party roles on layouts the plain generator does not draw (tests/invoicegen.py ``party_options``).

Each test draws seeded invoices with one party layout (everything else random: language, letterhead,
addressing, traps) and checks the vendor's and the buyer's name and VAT id: the name only in the payment
details, a tagline under the name, "Seller"/"Buyer" columns, the buyer on its heading's row, a person to
the attention of a company, "trading as", legal forms with dots or spaces, "Our VAT no." / "Your VAT no.".
"""

from __future__ import annotations

import random
from typing import Any

from tests.invoicegen import PARTY_LAYOUTS, Generated, generate, party_options
from zapdoc.domain.documents import Extraction, Source
from zapdoc.domain.fields import parse_fields
from zapdoc.domain.templates import template_fields
from zapdoc.extraction.offline import OfflineExtractor
from zapdoc.inputs.pdf import inspect_pdf

INVOICE = (*template_fields("invoice"), *parse_fields("amount_due:amount"))
PARTY_FIELDS = ("vendor_name", "buyer_name", "vendor_vat_id", "buyer_vat_id")


def run(g: Generated) -> dict[str, Any]:
    doc = inspect_pdf(Source("generated.pdf", g.pdf))
    extraction: Extraction = OfflineExtractor().extract(doc, INVOICE)
    return {name: fv.value for name, fv in extraction.values.items()}


def layouts(layout: str, seeds: range = range(12), **fixed: Any) -> list[Generated]:
    """Invoices with ``layout`` on, one per seed, random in everything else (language included)."""
    return [generate(seed, party_options(random.Random(7000 + seed), layout, **fixed)) for seed in seeds]


def wrong(g: Generated, fields: tuple[str, ...] = PARTY_FIELDS) -> list[str]:
    got = run(g)
    return [
        f"{name}: expected {g.truth[name]!r} got {got[name]!r} ({g.options})"
        for name in fields
        if got[name] != g.truth[name]
    ]


def test_a_party_layout_changes_nothing_else_the_seed_draws() -> None:
    from dataclasses import replace

    from tests.invoicegen import Options, random_options

    # GIVEN the options of a seed with a party layout and without
    for layout in PARTY_LAYOUTS:
        with_layout = party_options(random.Random(5), layout)
        plain = random_options(random.Random(5))
        # THEN only the layout differs (random_options itself never draws one: old seeds stay as they were)
        defaults = Options()
        flags = [name for name in PARTY_LAYOUTS if name in Options.__dataclass_fields__]
        reset = {name: getattr(defaults, name) for name in flags}
        assert replace(with_layout, sender=plain.sender, **reset) == plain, layout


def test_our_vat_number_is_the_vendors_and_your_vat_number_the_buyers() -> None:
    # GIVEN "Our VAT no." / "Unsere USt-IdNr." / "Notre n° TVA" / "Ons btw-nummer" and "Your VAT no." / "Ihre
    # USt-IdNr." ... in the info block (under the buyer's heading in reading order), the vendor's own
    # sometimes only there
    for g in layouts("vat_our_your", seeds=range(24)):
        # THEN the issuer's own is the vendor's and the customer's own never is
        assert wrong(g, ("vendor_vat_id", "buyer_vat_id")) == []


def test_the_vendors_own_words_before_a_label_are_found_in_their_examples() -> None:
    from zapdoc.extraction.labels import BUYER_BEFORE, VENDOR_BEFORE, _field_label_data

    for text in _field_label_data()["party_words"]["vendor_before"]["examples"]:
        assert VENDOR_BEFORE.search(text) and not BUYER_BEFORE.search(text), text


def test_a_person_to_the_attention_of_the_buyer_is_neither_its_name_nor_part_of_it() -> None:
    # GIVEN a buyer's block with "Attn:" / "z. Hd." / "À l'attention de" / "t.a.v." and a person over or under
    # the company's line, or a person "c/o" a company
    for g in layouts("attention"):
        # THEN the buyer is the company (the person when mail goes in a company's care), never both joined
        assert wrong(g, ("buyer_name", "vendor_name")) == []


def test_a_registered_name_trading_under_another_is_the_vendor() -> None:
    # GIVEN "Kestrel Group Ltd t/a Kestrel Design" / "handelnd unter" / "h.o.d.n." in the sender's lines and
    # often the trade name alone as the letterhead's big line
    for g in layouts("trading_as"):
        # THEN the vendor is the registered name before the trade name
        assert wrong(g, ("vendor_name",)) == []


def test_a_vendor_named_only_where_to_pay_is_found_there_and_its_letterhead_is_not_the_buyer() -> None:
    # GIVEN no name on top (a logo printed as an image): the letterhead shows the address and contact only,
    # the footer no name either, and the vendor is named only in the payment details ("Please make cheques
    # payable to ...", "Kontoinhaber:", "Chèque à l'ordre de", "Ten name van", a "Remit to:" block)
    for g in layouts("pay_to", seeds=range(16)):
        # THEN the vendor is the one to pay, without the payment words, and the window's address the buyer
        assert wrong(g) == []


def test_a_buyer_on_its_labels_row_is_read_from_the_row() -> None:
    # GIVEN "Bill to: Orion Retail Ltd" / "Rechnungsempfänger: ..." with the address under it, or, without an
    # address window, "Customer:" / "Kunde:" / "Client :" / "Klant:" in the column of info labels with the
    # buyer printed right of it on its row
    for g in layouts("buyer_on_label", seeds=range(16)):
        # THEN the buyer is the value of its row, never the next label ("Fällig am:", "Klantnummer:")
        assert wrong(g, ("buyer_name", "vendor_name")) == []


def test_a_capital_mention_at_the_head_of_the_footer_address_is_not_part_of_the_name() -> None:
    # GIVEN a logo word on top ("HARBOUR"), the buyer only in the info block (no window, no return line) and
    # the footer's address headed by "Harbour Analytics SAS au capital de 10 000 € – RCS Nantes ..."
    fixed = {"lang": "fr", "brand_logo": True, "capital_mention": True, "addressing": "window"}
    for g in layouts("buyer_on_label", seeds=range(24), **fixed):
        # THEN the name stops before the mention (and, the form stated apart there, without it)
        assert wrong(g, ("vendor_name",)) == []


def test_a_slogan_under_the_letterheads_name_is_not_the_name() -> None:
    # GIVEN a tagline ("Reliable design, every day", "Seit 1990 für Sie da") heading the address under the
    # letterhead's big line, sole traders (no legal form) included
    for g in layouts("tagline", seeds=range(20)):
        # THEN the vendor is the big line's name (or the registered one), never the slogan
        assert wrong(g, ("vendor_name",)) == []


def test_a_logo_in_another_case_or_as_initials_gives_the_name_it_stands_for() -> None:
    # GIVEN the letterhead's big line as "kestrel design", "kestrel" or the initials "KD", the full name in
    # the footer or the return line
    for g in layouts("logo_case", seeds=range(12)):
        # THEN the vendor is the name printed in full
        assert wrong(g, ("vendor_name",)) == []


def test_a_legal_form_written_with_dots_or_spaces_is_a_legal_form() -> None:
    # GIVEN the vendor's form as "G.m.b.H.", "G m b H", "S. A. R. L.", "S.à r.l.", "B. V.", "b.v.", "LTD" (a
    # department letterhead over it, so only the form tells the registered name)
    for g in layouts("spaced_form", seeds=range(24)):
        # THEN the registered name with its form is the vendor
        assert wrong(g, ("vendor_name",)) == []


def test_forty_seeds_of_every_party_layout_give_both_parties_and_the_vendors_vat_id() -> None:
    # GIVEN 40 seeded invoices per party layout, everything else drawn at random
    failures = [
        f"{layout} seed {seed}: {problem}"
        for layout in PARTY_LAYOUTS
        for seed, g in zip(range(100, 140), layouts(layout, seeds=range(100, 140)), strict=True)
        for problem in wrong(g, ("vendor_name", "buyer_name", "vendor_vat_id"))
    ]
    # THEN all of them are right
    assert failures == []


def test_a_remit_to_block_names_the_vendor_and_is_never_the_buyers_address() -> None:
    # GIVEN English invoices naming the vendor only where to pay, often as a block ("Remit to:" / name /
    # street / place) that stands high enough on a short invoice to pass for an address block
    for g in layouts("pay_to", seeds=range(40), lang="en"):
        # THEN the name under "Remit to:" is the vendor's and the window's address stays the buyer's
        assert wrong(g) == []


def test_a_sole_traders_logo_in_lower_case_or_initials_gives_the_name_printed_elsewhere() -> None:
    # GIVEN sole traders (no legal form) whose big line is "kestrel design", "kestrel" or "KD", the name
    # printed in full only in the footer (over its stacked "IBAN" label, or heading the footer's address)
    fixed = {"sole_trader": True, "stacked_footer": True, "capital_mention": False}
    for g in layouts("logo_case", seeds=range(24), **fixed):
        # THEN the vendor is the name as the footer writes it (it agrees with the sender's e-mail domain)
        assert wrong(g, ("vendor_name",)) == []


def test_the_dot_of_a_legal_form_stays_on_an_account_holders_name() -> None:
    # GIVEN "Please make cheques payable to Orion Consulting Ltd." / "Pay to: ... Ltd." as the only name
    for g in layouts("pay_to", seeds=range(24), lang="en", spaced_form=True):
        # THEN the name keeps the form as written ("Ltd."), only a sentence's full stop would go
        assert wrong(g, ("vendor_name",)) == []


def test_a_marketplace_invoice_names_its_seller_as_the_vendor_not_the_platform() -> None:
    # GIVEN the platform's brand on top ("Shopora", www.shopora.example), the seller under "Sold by:" /
    # "Verkauft von:" / "Vendu par :" / "Verkocht door:" (on the heading's row or under it) with its address
    # and VAT id, the buyer in the envelope window or under "Bill to", and the platform's registration in
    # the footer ("Shopora Europe S.à r.l. · RCS Luxembourg ... · Marketplace operated by ...")
    for g in layouts("marketplace", seeds=range(24)):
        # THEN the vendor is the seller, and the window's address is still the buyer
        assert wrong(g) == []


def test_a_vendor_named_only_under_the_closing_words_is_the_company_that_signs() -> None:
    # GIVEN no name on top (a logo image: the address and contact only), none in the footer, and the letter
    # closing "Kind regards," / "Mit freundlichen Grüßen" / "Cordialement," / "Met vriendelijke groet," over
    # the signer and, in small print, the company (sole traders without a legal form included)
    for g in layouts("closing", seeds=range(24)):
        # THEN the vendor is the company under the signer, never the signer
        assert wrong(g) == []


def test_the_signer_alone_under_the_closing_words_is_not_taken_for_the_company() -> None:
    from zapdoc.extraction.business import _signing_company

    # GIVEN signature lines: the signer and the company; the signer, a job title, a company named like the
    # sender's domain; the signer alone
    # THEN the company's line is the one read, and the signer alone gives nothing
    assert _signing_company(["Emma Janssen", "Quartz Design"], set()) == ["Quartz Design"]
    assert _signing_company(["Anna Berger", "Kestrel Design Ltd", "Managing Director"], set()) == [
        "Kestrel Design Ltd"
    ]
    assert _signing_company(["Louis Martin", "Harbour Analytics", "Gérant"], {"harbour"}) == [
        "Harbour Analytics"
    ]
    assert _signing_company(["Julia Keller"], set()) == []


def test_a_sidebar_holding_the_vendors_name_address_and_bank_details_gives_the_vendor() -> None:
    # GIVEN a tall column left of the body: the name in bold over the address, contact, VAT and bank groups
    # in small print (sole traders included), no letterhead and no footer, the buyer in the body's window
    # or under "Bill to" in larger print than the sidebar's name
    for g in layouts("sidebar", seeds=range(24)):
        # THEN the vendor is the name over the sidebar's address
        assert wrong(g) == []


def test_a_letterhead_name_tracked_out_with_spaces_is_read_as_its_words() -> None:
    # GIVEN the letterhead's big line tracked out, typed with spaces ("K E S T R E L   D E S I G N   L T D":
    # the text layer keeps one space between letters and words alike) or set by character spacing, often
    # the only place the name is printed (no return line, no name in the footer)
    for g in layouts("letter_spaced", seeds=range(24)):
        # THEN the vendor is the name in words, parted where the gap between letters is wider
        assert wrong(g) == []


def test_letters_of_a_tracked_out_line_are_joined_into_words_by_their_gaps() -> None:
    from zapdoc.inputs.layout import _tracked, _untracked

    # GIVEN letters one unit apart and words three units apart (boxes: left, right, top, height)
    text = "K E S T R E L   L T D"
    lefts = {i: 10.0 * i for i in range(len(text))}

    def box(i: int) -> tuple[float, float, float, float]:
        return lefts[i], lefts[i] + 6.0, 0.0, 18.0

    # THEN the line is tracked and reads as its words; an ordinary line is not tracked
    assert _tracked("K E S T R E L L T D") and not _tracked("A B Ltd") and not _tracked("1 2 3 4")
    assert _untracked(text, 0, len(text) - 1, box) == "KESTREL LTD"


def test_a_name_set_over_two_lines_of_the_letterheads_big_print_is_one_name() -> None:
    # GIVEN the letterhead's name in big type over two lines ("Kestrel" / "Design Ltd", "FJORD" / "SYSTEMS
    # GMBH", sole traders' "Linden" / "Analytics"), often the only place the name is printed
    for g in layouts("name_two_lines", seeds=range(24)):
        # THEN the vendor is both lines joined
        assert wrong(g) == []
