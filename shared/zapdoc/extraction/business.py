"""Business-document fields that need more than a label: party-aware VAT ids, emails and phones,
IBANs with checksums, the currency, company names, and totals that must add up.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from decimal import Decimal

from zapdoc.domain.normalize import find_currencies, is_country
from zapdoc.extraction import confidence as cf
from zapdoc.extraction.context import BUYER_HEADING, VENDOR_HEADING, DocContext, Line, heading
from zapdoc.extraction.labels import (
    BUYER_AFTER,
    BUYER_BEFORE,
    CURRENCY,
    IBAN,
    NET_AMOUNT,
    TAX_AMOUNT,
    TOTAL_AMOUNT,
    VENDOR_BEFORE,
    Concept,
    Party,
)
from zapdoc.extraction.layout import STREET_RE as _STREET_RE
from zapdoc.extraction.layout import Role, agrees_with_domain, domain_names, has_postcode_line
from zapdoc.extraction.money import adds_up, cents, money_text
from zapdoc.extraction.patterns import (
    Found,
    find_amounts,
    find_emails,
    find_ibans,
    find_phones,
    find_vat_ids,
    iban_checksum_ok,
    iban_continued,
    iban_shaped,
    tax_id_after_label,
    vat_checksum_ok,
)
from zapdoc.extraction.search import (
    Candidate,
    Parser,
    currency_after_label,
    email_after_label,
    label_candidates,
    name_after_label,
    parser_for,
    phone_after_label,
    select,
)
from zapdoc.extraction.vocabulary import legal_form
from zapdoc.extraction.vocabulary import pattern as vocabulary_pattern
from zapdoc.extraction.vocabulary import source as vocabulary_source


def _label_party(line: Line, start: int, end: int) -> Party | None:
    """The party a label belongs to by its own words ("N° TVA client", "Uw BTW nummer", "Our VAT no.")."""
    before = line.text[max(0, start - 30) : start]
    after = line.text[end : end + 30]
    if VENDOR_BEFORE.search(before):
        return "vendor"
    if BUYER_BEFORE.search(before) or BUYER_AFTER.search(after):
        return "buyer"
    return None


def _party_of(line: Line, start: int, end: int, ctx: DocContext | None = None) -> Party | None:
    """The party of a label: its own words, else the block it stands in, else the line's section."""
    own = _label_party(line, start, end)
    if own is not None:
        return own
    if ctx is not None:
        placed = ctx.layout_party(line.text[start : start + 60])
        if placed is not None:
            return placed
    return line.party


def _wants(concept: Concept, party: Party | None) -> bool:
    if concept.party == "buyer":
        return party == "buyer"
    return party != "buyer"


# ------------------------------------------------------------------------------------------ VAT ids


def vat_candidates(ctx: DocContext, concept: Concept) -> list[Candidate]:
    """Labelled VAT ids (any shape) and pattern VAT ids (country shape) of the concept's party."""
    cands = label_candidates(
        ctx,
        concept,
        tax_id_after_label,
        accept=lambda line, s, e: _wants(concept, _party_of(line, s, e, ctx)),
    )
    ibans = {i for line in ctx.lines for i in _iban_spans(line)}
    for line in ctx.lines:
        for found in find_vat_ids(line.text):
            if (line.index, found.start) in ibans:
                continue
            party = ctx.layout_party(found.raw) or line.party
            prefix = line.text[max(0, found.start - 40) : found.start]
            if VENDOR_BEFORE.search(prefix):
                party = "vendor"  # "Unsere USt-IdNr.: DE...", under the buyer's heading or not
            elif BUYER_BEFORE.search(prefix) or re.search(
                r"(?i)(?:client|customer|kunde|acheteur|buyer)", prefix
            ):
                party = "buyer"
            if not _wants(concept, party):
                continue
            if vat_checksum_ok(str(found.value)) is False:
                continue  # a VAT-id shape without a label and with wrong check digits is not one
            bonus = cf.OWN_PARTY_BONUS if party == concept.party else 0.0
            cands.append(
                Candidate(
                    found.value,
                    cf.VAT_SHAPE_CONFIDENCE + bonus,
                    line.index,
                    line.index,
                    found.start,
                    found.end,
                    weight=0.5,
                )
            )
    return cands


def _iban_spans(line: Line) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for found in find_ibans(line.text):
        spans.extend((line.index, pos) for pos in range(found.start, found.end))
    return spans


# A labelled VAT id or IBAN whose check digits fail is kept for a human to look at, never trusted: it is
# a specimen number, a typo or a misread (the workbook marks values below LOW_CONFIDENCE).


def stacked_candidates(
    ctx: DocContext, concept: Concept, parse: Parser, *, party: Party | None
) -> list[Candidate]:
    """Values printed under their label inside one layout block ("IBAN" over "DE67 1004 ... / 8882 72"),
    which the reading order loses when columns stand side by side; up to two value lines are joined."""
    if ctx.layout is None:
        return []
    out: list[Candidate] = []
    for block in ctx.layout.blocks:
        role = None if block.role is None else ("vendor" if block.role == "sender" else "buyer")
        if party is not None and role not in (party, None):
            continue
        lines = list(block.lines)
        below = ctx.layout.block_below(block)
        if below is not None:
            lines += below.lines[:2]  # a label in smaller print over its value: two blocks, one column
        for i, text in enumerate(lines[:-1]):
            m = concept.combined.search(text)
            if m is None or text[m.end() :].strip(" :.#-–"):
                continue  # not a label alone on its line
            if party == "buyer" and role is None and not BUYER_BEFORE.search(text):
                continue  # a bare "VAT no." in a block of no party is the issuer's (its footer)
            for joined in (f"{lines[i + 1]} {lines[i + 2]}" if i + 2 < len(lines) else None, lines[i + 1]):
                if joined is None:
                    continue
                found = parse(joined)
                if found is None or found.start > 2:
                    continue
                index = ctx.line_of(lines[i + 1][:30], page=block.page)
                if index is not None:
                    out.append(Candidate(found.value, cf.STACKED_LABEL_CONFIDENCE, index, index, 0, 0))
                break
    return out


def extract_vat(ctx: DocContext, concept: Concept) -> Candidate | None:
    cands = vat_candidates(ctx, concept)
    cands += stacked_candidates(ctx, concept, tax_id_after_label, party=concept.party)
    for c in cands:
        if vat_checksum_ok(str(c.value)) is False:
            c.confidence = min(c.confidence, cf.CHECKSUM_FAILED_CONFIDENCE)
            c.note = f"{c.value} does not pass the VAT id check digits"
    # a VAT id printed several times (letterhead and footer) is the issuer's
    counts = Counter(c.value for c in cands)
    for c in cands:
        if counts[c.value] >= 2 and concept.party == "vendor":
            c.confidence = min(cf.REPEATED_CAP, c.confidence + cf.REPEATED_BONUS)
    return select(cands, "first")


# -------------------------------------------------------------------------------------------- IBANs


def _first_iban(text: str) -> Found | None:
    found = find_ibans(text[:60])
    return found[0] if found else None


def extract_iban(ctx: DocContext) -> Candidate | None:
    """Labelled IBANs first (checksum failures kept with low confidence and a note), then valid ones."""

    def parse(text: str) -> Found | None:
        valid = find_ibans(text[:80])
        if valid and not text[: valid[0].start].strip(" :.#-–"):
            return valid[0]
        return iban_shaped(text)

    cands: list[Candidate] = []
    for c in label_candidates(
        ctx, IBAN, parse, accept=lambda line, s, e: _label_party(line, s, e) != "buyer"
    ):
        if not iban_checksum_ok(str(c.value)) and c.last_line + 1 < len(ctx.lines):
            whole = iban_continued(str(c.value), ctx.lines[c.last_line + 1].text)
            if whole is not None:  # "IBAN: DE89 3704 0044" / "0532 0130 00": one IBAN over two lines
                c.value, c.last_line = whole, c.last_line + 1
        if len(str(c.value)) < 10:
            continue  # a head cut at the line's end that the next line does not complete: no IBAN
        if not iban_checksum_ok(str(c.value)):
            c.confidence = min(c.confidence, cf.CHECKSUM_FAILED_CONFIDENCE)
            c.note = f"{c.value} does not pass the IBAN checksum"
        cands.append(c)
    cands += stacked_candidates(ctx, IBAN, _first_iban, party="vendor")
    for line in ctx.lines:
        for found in find_ibans(line.text):
            prefix = line.text[max(0, found.start - 40) : found.start]
            if BUYER_BEFORE.search(prefix):
                continue
            cands.append(
                Candidate(
                    found.value, cf.IBAN_SHAPE_CONFIDENCE, line.index, line.index, found.start, found.end
                )
            )
    return select(cands, "first")


# ----------------------------------------------------------------------------------------- currency


def extract_currency(ctx: DocContext, total: Candidate | None) -> Candidate | None:
    """A currency label, else the currency printed on the total's line, else the dominant one."""
    cands = label_candidates(ctx, CURRENCY, currency_after_label)
    if cands:
        return select(cands, "first")
    if total is not None:
        code = line_currency(ctx, total)
        if code is not None:
            return Candidate(
                code, cf.CURRENCY_ON_TOTAL_LINE, total.line, total.last_line, total.start, total.end
            )
        for index in sorted({total.line, total.last_line}):
            printed = find_currencies(ctx.lines[index].text)
            if printed:
                code = _dollar_context(ctx, printed[-1].code)
                return Candidate(
                    code, cf.CURRENCY_SYMBOL_ON_TOTAL, total.line, total.last_line, total.start, total.end
                )
    counts: Counter[str] = Counter()
    first_at: dict[str, int] = {}
    for line in ctx.lines:
        for found in find_currencies(line.text):
            counts[found.code] += 2 if found.kind == "code" else 1
            first_at.setdefault(found.code, line.index)
    if not counts:
        return None
    ranked = counts.most_common(2)
    code, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0
    confidence = cf.CURRENCY_DOMINANT if best >= 2 * max(1, second) else cf.CURRENCY_MIXED
    index = first_at[code]
    return Candidate(_dollar_context(ctx, code), confidence, index, index)


def _dollar_context(ctx: DocContext, code: str) -> str:
    """ "$" means USD unless the document names another dollar (CAD, AUD ...)."""
    if code != "USD":
        return code
    cached = ctx.cache.get("dollar_codes")
    if not isinstance(cached, frozenset):
        cached = frozenset(m.group(0) for m in _DOLLAR_CODES_RE.finditer(ctx.text))
        ctx.cache["dollar_codes"] = cached
    if cached & {"USD", "US$"}:
        return "USD"
    for other in ("CAD", "AUD", "NZD", "HKD", "SGD"):
        if other in cached:
            return other
    cached = ctx.cache.get("dollar_of_country")
    if cached is None:
        cached = ctx.cache["dollar_of_country"] = _dollar_of_country(ctx.text) or "USD"
    return str(cached)


@functools.cache
def _dollar_countries() -> dict[str, str]:
    """Country names (casefolded, in English, French, German, Dutch and Spanish) -> the dollar printed
    there as a bare "$", from CLDR via babel (Australia AUD, Canada CAD, Mexico MXN ...); the United
    States and its short forms -> USD. Built once, ~50 ms."""
    from babel import Locale, UnknownLocaleError
    from babel.numbers import get_currency_symbol, get_territory_currencies

    today = dt.date.today()
    english = Locale.parse("en")
    locales = [english] + [Locale.parse(tag) for tag in ("fr", "de", "nl", "es")]
    names = {"usa": "USD"}
    for territory in english.territories:
        if not (isinstance(territory, str) and len(territory) == 2 and territory.isalpha()):
            continue
        tender = get_territory_currencies(territory, today, tender=True)
        # a dollar ("A$", "CA$" in English) that its own country prints as a bare "$"
        if not tender or not get_currency_symbol(tender[0], english).endswith("$"):
            continue
        code = tender[0]
        if code != "USD":
            try:
                if get_currency_symbol(code, Locale.parse(f"und_{territory}")) != "$":
                    continue
            except (UnknownLocaleError, ValueError):
                continue
        for loc in locales:
            name = loc.territories.get(territory)
            if name:
                names[name.casefold()] = code
    return names


@functools.cache
def _first_words() -> frozenset[str]:
    return frozenset(name.split()[0] for name in _dollar_countries())


_WORDS_RE = re.compile(r"[^\W\d_]+")


def _dollar_of_country(text: str) -> str | None:
    """The dollar a bare "$" means by the countries the document names: AUD when it names Australia and
    no other dollar country nor the United States; None when it names none or several. Names of up to
    four words are looked up word by word (faster than one alternation of every name)."""
    names = _dollar_countries()
    firsts = _first_words()
    words = [w.casefold() for w in _WORDS_RE.findall(text[:20_000])]
    found: set[str] = set()
    for i, word in enumerate(words):
        if word not in firsts:
            continue
        for n in range(1, 5):
            code = names.get(" ".join(words[i : i + n]))
            if code is not None:
                found.add(code)
    found |= {code for code, place in _DOLLAR_PLACES if place.search(text[:20_000])}
    return found.pop() if len(found) == 1 and "USD" not in found else None


# Addresses that say the country without naming it: an Australian state and postcode ("Sydney NSW 2000"),
# a Canadian province and postal code ("Toronto, ON M5V 2T6"), the US state and ZIP code ("TX 78701").
# Hand lists: ISO 3166-2 subdivision codes and the postal formats, which neither babel nor stdnum carry.
_DOLLAR_PLACES = (
    # (the suburb before it; not WA, SA, NT: "Acme SA 1000 Bruxelles" is a company, not Adelaide)
    ("AUD", re.compile(r"[A-Z][a-z]{2,},?\s(?:NSW|VIC|QLD|TAS|ACT)\s\d{4}(?!\d)")),
    (
        "CAD",
        re.compile(
            r"(?<![A-Za-z])(?:AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT),?\s[A-Z]\d[A-Z]\s?\d[A-Z]\d(?![A-Za-z0-9])"
        ),
    ),
    (
        "USD",
        re.compile(
            r"(?<![A-Za-z]),?\s(?:AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|"
            r"NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC)\s\d{5}(?:-\d{4})?(?!\d)"
        ),
    ),
)


# The dollars' codes as printed words, not letters inside an id ("NI3AUDTR-0026" names no currency).
_DOLLAR_CODES_RE = re.compile(r"(?<![A-Za-z0-9])(?:US\$|USD|CAD|AUD|NZD|HKD|SGD)(?![A-Za-z])")


def line_currency(ctx: DocContext, cand: Candidate) -> str | None:
    """The one currency printed on the line(s) a candidate was read from, if exactly one: its label's line
    and its value's line (the lines between belong to other rows where the text layer put the value far
    from its label: "Total" ... "Total in USD" ... "6.982,93 €")."""
    codes = {
        _dollar_context(ctx, c.code)
        for index in sorted({cand.line, cand.last_line})
        for c in find_currencies(ctx.lines[index].text)
    }
    return codes.pop() if len(codes) == 1 else None


def document_currency(ctx: DocContext) -> str | None:
    """The currency most amounts are printed in (line items, net, tax, totals): one per document."""
    cached = ctx.cache.get("document_currency")
    if cached is None:
        counts: Counter[str] = Counter()
        for line in ctx.lines:
            found = find_currencies(line.text)
            if len({c.code for c in found}) == 1 and re.search(r"\d[.,]\d{2}(?!\d)", line.text):
                counts[_dollar_context(ctx, found[0].code)] += 1
        ranked = counts.most_common(2)
        cached = ranked[0][0] if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]) else ""
        ctx.cache["document_currency"] = cached
    return str(cached) or None


def _amount_of(ctx: DocContext, concept: Concept) -> Decimal | None:
    if concept is TAX_AMOUNT:
        best = extract_tax(ctx)
    else:
        best = select(label_candidates(ctx, concept, parser_for("amount", ctx)), concept.prefer)
    return best.value if best is not None and isinstance(best.value, Decimal) else None


def extract_total(ctx: DocContext) -> Candidate | None:
    """The grand total: labelled amounts in the document's currency (a total converted to a second
    currency is not the total), never a zero amount due of a paid invoice when another total is
    printed, and the one that net + tax add up to when the document prints both."""
    cached = ctx.cache.get("total")
    if cached is None:
        cands = label_candidates(ctx, TOTAL_AMOUNT, parser_for("amount", ctx))
        main = document_currency(ctx)
        if main is not None:
            same = [c for c in cands if line_currency(ctx, c) in (main, None)]
            cands = same or cands
        nonzero = [c for c in cands if isinstance(c.value, Decimal) and abs(c.value) >= 0.005]
        cands = nonzero or cands
        net, tax = _amount_of(ctx, NET_AMOUNT), _amount_of(ctx, TAX_AMOUNT)
        best: Candidate | None = None
        if net is not None and tax is not None:
            adding = [c for c in cands if isinstance(c.value, Decimal) and adds_up(net, tax, c.value)]
            if adding:
                best = select(adding, TOTAL_AMOUNT.prefer)
                if best is not None:
                    best.confidence = max(best.confidence, cf.SUM_AGREES_CONFIDENCE)
            elif cands:
                chosen = select(cands, TOTAL_AMOUNT.prefer)
                if chosen is not None and isinstance(chosen.value, Decimal):
                    added = money_text(cents(net) + cents(tax))
                    chosen.note = (
                        f"net {money_text(net)} + tax {money_text(tax)} = {added}, "
                        f"but the total printed is {money_text(chosen.value)}"
                    )
                best = chosen
        if best is None:
            best = select(cands, TOTAL_AMOUNT.prefer)
        cached = best or False
        ctx.cache["total"] = cached
    return cached if isinstance(cached, Candidate) else None


def extract_tax(ctx: DocContext) -> Candidate | None:
    """The tax amount after its label; on a VAT breakdown row ("19 % MwSt. 376,37 71,51 447,88": base,
    tax, gross, where base + tax = gross to the cent) the middle amount, not the last one."""
    cands = label_candidates(ctx, TAX_AMOUNT, parser_for("amount", ctx))
    for c in cands:
        if c.line == c.last_line and isinstance(c.value, Decimal):
            _breakdown_tax(ctx.lines[c.line].text, c)
    return _per_rate_sum(ctx, cands) or select(cands, TAX_AMOUNT.prefer)


_RATE_RE = re.compile(r"(\d{1,2}(?:[.,]\d{1,2})?)\s?%")


def _per_rate_sum(ctx: DocContext, cands: list[Candidate]) -> Candidate | None:
    """Tax printed per rate on consecutive lines ("VAT 7% 12.60" / "VAT 19% 95.00"): the tax amount is
    their sum (as EN 16931 sums its VAT breakdown), taken when a printed net plus it is a printed total."""
    rows: list[list[Candidate]] = []
    for c in sorted(cands, key=lambda c: c.line):
        if (
            c.line != c.last_line
            or not isinstance(c.value, Decimal)
            or not _RATE_RE.search(ctx.lines[c.line].text)
        ):
            continue
        if rows and c.line == rows[-1][-1].line + 1:
            rows[-1].append(c)
        elif not rows or c.line != rows[-1][-1].line:
            rows.append([c])
    runs = [r for r in rows if len(r) >= 2]
    runs = [r for r in runs if len({_RATE_RE.findall(ctx.lines[c.line].text)[0] for c in r}) == len(r)]
    if not runs:
        return None
    amount = parser_for("amount", ctx)
    nets = [c.value for c in label_candidates(ctx, NET_AMOUNT, amount) if isinstance(c.value, Decimal)]
    totals = [c.value for c in label_candidates(ctx, TOTAL_AMOUNT, amount) if isinstance(c.value, Decimal)]
    for run in runs:
        parts = [c.value for c in run if isinstance(c.value, Decimal)]
        summed = sum(parts, Decimal("0"))
        if any(adds_up(net, summed, total) for net in nets for total in totals):
            note = "sum of the tax per rate: " + " + ".join(money_text(p) for p in parts)
            confidence = min(c.confidence for c in run)
            return Candidate(summed, confidence, run[0].line, run[-1].line, note=note)
    return None


def _breakdown_tax(text: str, cand: Candidate) -> None:
    amounts = [f.value for f in find_amounts(text) if isinstance(f.value, Decimal)]
    for base, tax, gross in zip(amounts, amounts[1:], amounts[2:], strict=False):
        if (
            cand.value in (base, gross)
            and 0 < abs(tax) < abs(base)
            and adds_up(base, tax, gross, slack=Decimal("0"))
        ):
            cand.value = tax
            cand.note = f"VAT breakdown row: {money_text(base)} + {money_text(tax)} = {money_text(gross)}"
            return


_CREDIT_NOTE_RE = re.compile(
    r"(?i)(?<![^\W\d_])(?:credit\s?note|credit\s?memo|avoir|facture\s?d'avoir|gutschrift|creditnota|creditfactuur)"
    r"(?![^\W\d_])"
)


def is_credit_note(ctx: DocContext) -> bool:
    """A credit note names itself in its title lines (the first lines of page 1). A corrected invoice
    ("Rechnungskorrektur", UNTDID 1001 code 384) is an invoice: its signs stay as printed."""
    return any(_CREDIT_NOTE_RE.search(line.text) for line in ctx.lines[:25] if line.page == 1)


# ----------------------------------------------------------------------------------- emails, phones

_FAX_RE = re.compile(r"(?i)(?:fax|télécopie|telefax)\W{0,3}$")
# Registration and account numbers look like phones ("SIRET 512 345 678 00019"): never take them for one.
_REGISTRY_RE = re.compile(
    r"(?i)(?:siret|siren|rcs|hrb|hra|kvk|btw|ust|vat|tva|iban|bic|swift|konto|account|a/c|ref|no|nr|n°)[\s.:#-]{0,3}$"
)


def extract_contact(ctx: DocContext, concept: Concept, kind: str) -> Candidate | None:
    """An email or phone of the concept's party: labelled first, then any printed (not the other party's)."""
    reader = email_after_label if kind == "email" else phone_after_label
    cands = label_candidates(
        ctx, concept, reader, accept=lambda line, s, e: _wants(concept, _party_of(line, s, e, ctx))
    )
    finder = find_emails if kind == "email" else find_phones
    for line in ctx.lines:
        for found in finder(line.text):
            if not _wants(concept, ctx.layout_party(found.raw) or line.party):
                continue
            prefix = line.text[max(0, found.start - 12) : found.start]
            if kind == "phone" and (_FAX_RE.search(prefix) or _REGISTRY_RE.search(prefix)):
                continue
            conf = (
                cf.CONTACT_IN_SECTION_CONFIDENCE
                if concept.party is None or line.party == concept.party
                else cf.CONTACT_ELSEWHERE_CONFIDENCE
            )
            cands.append(
                Candidate(found.value, conf, line.index, line.index, found.start, found.end, weight=0.3)
            )
    return select(cands, "first")


# --------------------------------------------------------------------------------- company names

# Legal forms are data (vocabulary/legal_forms.json), matched case-sensitively.
_LEGAL_FORM = legal_form()
_COMPANY_RE = re.compile(rf"([A-ZÀ-ÖØ-Þ0-9][\w&'’.,\- ]{{0,60}}?\s{_LEGAL_FORM})(?![\w])")
_SENDER_LINE_RE = re.compile(
    r"^(.{2,60}?)\s?(?:·|•|●|\||–| - )\s?.{0,80}(?<!\d)\d{4,5}\s[^\W\d_]"
    r"|^([^,\d]{2,50}),\s[^,]{3,40}\d[^,]{0,10},\s?(?:[A-Z]{1,2}-?)?\d{4,5}\s[^\W\d_]"
)
# A label's first word, not a name. Words that start compounds ("Rechnungsdatum", "Geschäftsführer") match
# as prefixes; words that also start company names match whole ("Tel." but "Telford Glasbau", "VAT" but
# "Vattenfall", "Total:" but "TotalEnergies", "IBAN" but "Ibanez", "Summe" but "Summerfield", "Konto" but
# "Kontor", "capital social" but "Capital One").
_NOT_NAME_RE = re.compile(
    r"(?i)^(?:invoice|rechnung|facture|factuur|seite|datum|e-?mail|www|http|"
    r"ust|steuer|registergericht|handelsregister|geschäftsführ|sitz|siège|konto(?!r)|"
    r"amtsgericht|vorstand|aufsichtsrat|siret|rcs|kvk|btw|description|beschreibung|pos\b|"
    r"qty|menge|quantity|amount|betrag|beträge|seller|buyer|verkäufer|käufer|name\b|"
    r"anschrift|address|adresse|nummer|number|no\b|nr\b|incoterms|ihre?\b|votre|our\b|unsere|bemerkung|"
    r"hinweis|gln\b|copyright|\(c\)|©|bankverbindung|bank\s(?:details|account)|zahlung|"
    r"(?:kunden|customer|client|order|bestell|lief)\s?-?\s?(?:nr|no|nummer|number|id)|globale|mwst|netto|brutto|"
    r"abweichend|warenempfänger|sales\scontact|contact\b|kontakt|ansprechpartner|capital\s(?:social|de|of)\b|"
    r"(?:page|dates?|tel(?:efon(?:nummer)?|efax|ephone|ex)?|fax(?:nummer)?|iban|bic|total(?:s|betrag)?|summen?|"
    r"vat(?:in)?|tva|siren|"
    r"payments?|your)(?![^\W\d_]))"
)
_NAME_STOP_RE = re.compile(
    r"\s(?:Beträge|Betrag|Hinweis|Datum|Date|Seite|Page|Rechnungs\w*|Invoice\w*|Kunden-?nr\w*|Kundennummer|"
    r"Customer|Tel\.?|Fax|E-?Mail|USt\w*|VAT|Steuer\w*|Nr\.|No\.|Lief-Nr\w*|Referenz|Reference|GLN)\b.*$"
)


# "© 2024", "Copyright (c) 2019-2024", "(C) 2024": what stands before the holder's name
_COPYRIGHT_RE = re.compile(
    r"(?i)^\W{0,2}(?:copyright\s?)?(?:\(c\)|©)?\s?(?:copyright\s)?(?<=[)©\s])\s?(?:(?:19|20)\d{2}(?:\s?[-–]\s?(?:19|20)\d{2})?,?\s)?"
)


# Running text that names the issuer: right after "Your bill from", "Thank you for shopping with",
# "Facture émise par" ...; right before "is registered in", "ist im Handelsregister eingetragen" ...
_ISSUER_BEFORE_RE = re.compile(
    rf"(?i)(?<![^\W\d_])(?:{vocabulary_source('parties', 'issuer_before')})\s+(?=\w)"
)
_ISSUER_AFTER_RE = re.compile(rf"(?i)\s(?:{vocabulary_source('parties', 'issuer_after')})(?![^\W\d_])")
_PHRASE_NAME_END_RE = re.compile(r"[,;:!?()|]|\s[-–·]\s|\.(?=\s|$)")
_SENTENCE_START_RE = re.compile(r"[.!?;]\s|\s[-–·|]\s")


def _issuer_phrases(ctx: DocContext) -> list[Candidate]:
    """Names the text itself says issued the document: "This invoice was issued by Harbour Digital Inc.",
    "Thank you for shopping with Meridian Books!", "Kestrel Widgets Ltd is registered in England and
    Wales" (parties.json ``issuer_before`` / ``issuer_after``). A name with a legal form is read whole;
    else it runs to the next punctuation, at most six words, starting with a capital or a digit."""
    out: list[Candidate] = []
    for line in ctx.lines:
        text = line.text
        for m in _ISSUER_BEFORE_RE.finditer(text):
            start = m.end()
            if not (text[start].isupper() or text[start].isdigit()):
                continue  # "thank you for choosing us"
            company = _COMPANY_RE.match(text, start)
            if company is not None:
                name = company.group(1)
            else:
                stop = _PHRASE_NAME_END_RE.search(text, start)
                name = text[start : stop.start() if stop else len(text)]
            name = name.strip(" ,")
            if len(name.split()) <= 6 and _plausible_name(name):
                out.append(
                    Candidate(
                        name, cf.ISSUER_PHRASE_CONFIDENCE, line.index, line.index, start, start + len(name)
                    )
                )
        after = _ISSUER_AFTER_RE.search(text)
        if after is not None:
            head = text[: after.start()]
            name = _SENTENCE_START_RE.split(head)[-1].strip(" ,")
            start = len(head) - len(name)
            if name and name[0].isupper() and len(name.split()) <= 6 and _plausible_name(name):
                out.append(
                    Candidate(
                        name, cf.ISSUER_PHRASE_CONFIDENCE, line.index, line.index, start, start + len(name)
                    )
                )
    return out


def _plausible_name(text: str) -> bool:
    text = text.strip(" ,;:")
    if not 2 <= len(text) <= 80 or _NOT_NAME_RE.match(text) or ":" in text or text[0] in "(-–•§":
        return False
    if _STREET_RE.search(text) or "§" in text or re.search(r"(?i)\bname$", text):
        return False
    if heading(BUYER_HEADING, text) or heading(VENDOR_HEADING, text):
        return False
    letters = sum(ch.isalpha() for ch in text)
    digits = sum(ch.isdigit() for ch in text)
    return letters >= 2 and digits <= letters // 3 and "@" not in text


def _trim_name(text: str) -> str:
    return _NAME_STOP_RE.sub("", text).strip(" ,;-–")


def extract_party_name(ctx: DocContext, concept: Concept) -> Candidate | None:
    """The vendor's or buyer's name: a "Name:" label in its section, the line under its heading, the
    sender line above a window address, or a company name with a legal form."""
    cands: list[Candidate] = []
    for c in label_candidates(ctx, concept, name_after_label):
        line = ctx.lines[c.line]
        generic = c.weight < 1.0
        if generic and line.party != concept.party:
            continue  # a bare "Name:" only counts inside the party's section
        c.value = _trim_name(str(c.value))
        if _plausible_name(str(c.value)):
            cands.append(c)
    lines = ctx.lines
    for line in lines:
        if line.party == concept.party and (line.index == 0 or lines[line.index - 1].party != concept.party):
            # first lines of a party section (the heading itself, then the name; ids and labels skipped)
            same = re.match(r"^\W{0,3}[^\W\d_][^:]{2,40}:\s?(\S.{1,80})$", line.text)
            if same and _plausible_name(_trim_name(same.group(1))):
                # "Sold By : ACME Ltd.": the name on the heading line
                name = _trim_name(same.group(1))
                cands.append(
                    Candidate(
                        name, cf.HEADING_NAME_CONFIDENCE, line.index, line.index, same.start(1), same.end(1)
                    )
                )
                continue
            for j in range(line.index + 1, min(line.index + 5, len(lines))):
                raw = lines[j].text
                text = _trim_name(raw)
                if lines[j].party != concept.party:
                    break
                if (text != raw and len(text.split()) < 2) or _ATTENTION_RE.match(raw):
                    continue  # too little left after cutting a label off to be a name; "Attn: ..."
                if _plausible_name(text) and not re.match(r"^\d", text):
                    cands.append(Candidate(text.strip(" ,"), cf.HEADING_NAME_CONFIDENCE, j, j, 0, len(text)))
                    break
    for line in lines[:60]:
        m = _SENDER_LINE_RE.match(line.text)
        sender = (m.group(1) or m.group(2) or "") if m else ""
        if not sender or not _plausible_name(sender) or re.search(r"\d", sender):
            continue
        if concept.party == "vendor":
            cands.append(
                Candidate(
                    sender.strip(" ,"), cf.SENDER_LINE_CONFIDENCE, line.index, line.index, 0, len(sender)
                )
            )
        elif line.index + 1 < len(lines):
            # the window-envelope address under the sender line starts with the buyer
            text = _trim_name(lines[line.index + 1].text)
            if _plausible_name(text) and not re.match(r"^\d", text):
                cands.append(
                    Candidate(text, cf.WINDOW_NAME_CONFIDENCE, line.index + 1, line.index + 1, 0, len(text))
                )
        break
    cands.extend(_layout_names(ctx, concept))
    if concept.party == "vendor":
        cands.extend(_account_holders(ctx))
    if concept.key == "merchant_name" and not cands:
        for line in lines[:3]:
            text = _trim_name(line.text)
            if _plausible_name(text) and not re.match(r"^\d", text):
                cands.append(Candidate(text, cf.FIRST_LINE_MERCHANT, line.index, line.index, 0, len(text)))
                break
    registered: list[Candidate] = []
    if concept.party == "vendor":
        registered = _registered_names(ctx)
        cands.extend(registered)
        cands.extend(_issuer_phrases(ctx))
        for line in lines:
            copyright_line = _COPYRIGHT_RE.match(line.text)
            if copyright_line:
                # the holder of the page's copyright: a last resort (a template maker's notice also reads so)
                held = _COMPANY_RE.match(line.text, copyright_line.end())
                if held and _plausible_name(held.group(1)):
                    cands.append(
                        Candidate(
                            held.group(1).strip(" ,"),
                            cf.COPYRIGHT_HOLDER_CONFIDENCE,
                            line.index,
                            line.index,
                            held.start(1),
                            held.end(1),
                        )
                    )
                continue
            if line.party == "buyer":
                continue
            m = _COMPANY_RE.search(line.text)
            if m and _plausible_name(m.group(1)):
                name = re.sub(r"^(?:.*?:\s)", "", m.group(1)).strip(" ,")
                name = _after_holder_label(name)
                if _plausible_name(name):
                    position = cf.COMPANY_NEAR_TOP_BONUS if line.index < 15 else 0.0
                    cands.append(
                        Candidate(
                            name,
                            cf.COMPANY_NAME_CONFIDENCE + position,
                            line.index,
                            line.index,
                            m.start(1),
                            m.end(1),
                        )
                    )
    cands = _within_cells(ctx, cands)
    others = _other_party_names(ctx, concept)
    if others:
        cands = [c for c in cands if _fold(str(c.value)) not in others]
    if concept.party == "vendor":
        _domain_agreement(ctx, cands)
    best = select(cands, "first")
    if best is None:
        return None
    best = _registered_form(_spelled_out(best, cands), cands)
    best = _department_of(best, [c for c in registered if c in cands])
    for c in cands:
        if c.note == _FOOTER_ADDRESS:
            c.note = ""
    best = _as_written(ctx, _complete_name(ctx, best))
    if concept.party != "vendor":
        return best
    return _without_stated_form(ctx, _behind_trade_name(ctx, best))


def _within_cells(ctx: DocContext, cands: list[Candidate]) -> list[Candidate]:
    """Names cut at the column gap they run across: where the text layer joins the cells of a printed row
    ("Kestrel Design | Orion Retail Ltd", two party blocks side by side), a name read from the joined line
    ends where its cell ends; one whose cell leaves nothing plausible is dropped."""
    if ctx.layout is None:
        return cands
    out: list[Candidate] = []
    for c in cands:
        if c.line != c.last_line:
            out.append(c)
            continue
        line = ctx.lines[c.line]
        cells = ctx.layout.row_cells(line.text, line.page)
        value = str(c.value)
        at = line.text.find(value)
        if cells is None or at < 0:
            out.append(c)
            continue
        cell_end = next((b for a, b, _ in cells if a <= at < b), None)
        if cell_end is None or at + len(value) <= cell_end:
            out.append(c)
            continue
        piece = _trim_name(line.text[at:cell_end]).strip(" ,")
        if _plausible_name(piece):
            c.value, c.start, c.end = piece, at, at + len(piece)
            out.append(c)
    return out


def _behind_trade_name(ctx: DocContext, best: Candidate) -> Candidate:
    """The registered name when the chosen one trades under another: "Kestrel Group Ltd t/a Kestrel Design"
    names "Kestrel Group Ltd" (EN 16931 keeps the seller's name, BT-27, apart from its trading name, BT-28),
    whether the whole phrase or the trade name alone ("KESTREL DESIGN" on top) was chosen."""
    value = str(best.value)
    m = _TRADING_AS_RE.search(value)
    if m is not None and _plausible_name(value[: m.start()]):
        best.value = value[: m.start()].strip(" ,")
        best.end = best.start + len(best.value)
        return best
    folded = _fold(value)
    if len(folded) < 3:
        return best
    for line in ctx.lines:
        m = _TRADING_AS_RE.search(line.text)
        if m is None:
            continue
        registered = _RETURN_SPLIT_RE.split(line.text[: m.start()])[-1].strip(" ,")
        trade = _RETURN_SPLIT_RE.split(line.text[m.end() :], maxsplit=1)[0]
        if _plausible_name(registered) and _fold(trade).startswith(folded):
            start = m.start() - len(registered)
            return Candidate(registered, best.confidence, line.index, line.index, start, m.start())
    return best


def _as_written(ctx: DocContext, best: Candidate) -> Candidate:
    """A name taken from a logo line in capitals ("HARBOUR CONSULTING") as the text writes it elsewhere
    ("Harbour Consulting" in the footer), when it does; a logo word alone ("LINDEN") as the whole name a
    sender's line starts with ("Linden Logistics")."""
    value = str(best.value)
    if not (value.isupper() or value.islower()) or len(value) < 4:
        return best
    if ctx.layout is not None and len(value.split()) <= 2:
        head = re.compile(rf"(?i)^{re.escape(value)}\s[^\W\d_]")
        for block in ctx.layout.of_role("sender"):
            for printed in block.lines:
                name = _RETURN_SPLIT_RE.split(printed, maxsplit=1)[0].strip(" ,")
                if (
                    head.match(name)
                    and _plausible_name(name)
                    and not re.search(r"\d", name)
                    and not name.isupper()
                    and len(name.split()) <= 6
                ):
                    best.value = name
                    return best
    needle = re.compile(rf"(?<![^\W\d_]){re.escape(value)}(?![^\W\d_])", re.IGNORECASE)
    for line in ctx.lines:
        m = needle.search(line.text)
        if m and m.group(0)[0].isupper() and not m.group(0).isupper():  # "Harbour Design", not an e-mail
            best.value = m.group(0)
            break
    return best


def _spelled_out(best: Candidate, cands: list[Candidate]) -> Candidate:
    """The name a logo's initials stand for ("CS" on top, "Cobalt Systems" in the footer or return line):
    a candidate whose words, without the legal form, start with those letters."""
    value = str(best.value)
    if not re.fullmatch(r"[A-Z]{2,4}", value):
        return best
    for c in cands:
        words = _LEGAL_END_RE.sub("", str(c.value)).split()
        if c is not best and len(words) == len(value) and "".join(w[0] for w in words).upper() == value:
            c.confidence = max(c.confidence, best.confidence)
            return c
    return best


def _registered_form(best: Candidate, cands: list[Candidate]) -> Candidate:
    """The name with its legal form when another candidate prints it so: a letterhead's "NORDLICHT" or
    "Nordlicht Consulting" is "Nordlicht Consulting GmbH" in the footer (the registered name)."""
    if _LEGAL_END_RE.search(str(best.value)):
        return best
    head = _fold(str(best.value))
    for c in cands:
        text = str(c.value)
        fuller = _LEGAL_END_RE.search(text) or c.note == _FOOTER_ADDRESS  # also a sole trader's full name
        if c is not best and fuller and _fold(text).startswith(head) and len(head) >= 3:
            c.confidence = max(c.confidence, best.confidence)
            return c
    return best


# A company name with its legal form at the head of a line that carries registration, tax or bank data
# ("Free SAS au capital de ... RCS Paris", "Nordlicht GmbH · HRB 1234 · USt-IdNr. DE..."): the issuer's
# registered name, printed where the law asks for it.
_PIECE_SPLIT_RE = re.compile(r"\s?(?:·|•|●|\||–|—|−|;)\s|\s-\s|,\s(?=[A-Z])")


def _registered_names(ctx: DocContext) -> list[Candidate]:
    from zapdoc.extraction.layout import registration_text

    out: list[Candidate] = []
    for line in ctx.lines:
        if line.party == "buyer" or not registration_text(line.text):
            continue
        if ctx.layout_party(line.text[:60]) == "buyer":
            continue
        offset = 0
        for piece in _PIECE_SPLIT_RE.split(line.text):
            start = line.text.find(piece, offset)
            offset = max(offset, start + len(piece))
            m = _COMPANY_RE.match(piece.strip())
            if m is None:
                continue
            name = _after_holder_label(m.group(1).strip(" ,"))
            if _plausible_name(name) and not re.search(r"\d", name) and not registration_text(name):
                at = line.text.find(name, max(start, 0))
                out.append(
                    Candidate(name, cf.REGISTERED_NAME_CONFIDENCE, line.index, line.index, at, at + len(name))
                )
                break
    return out


def _department_of(best: Candidate, registered: list[Candidate]) -> Candidate:
    """The registered name rather than a department or trade line that starts with its name: "Free Service
    Abonné" on the sender's address is the customer service of "Free SAS" (the registration footer)."""
    if _LEGAL_END_RE.search(str(best.value)):
        return best
    chosen = _fold(str(best.value))
    for c in registered:
        core = _fold(_LEGAL_END_RE.sub("", str(c.value)))
        if len(core) >= 3 and chosen != core and chosen.startswith(core):
            c.confidence = max(c.confidence, best.confidence)
            return c
    return best


def _without_stated_form(ctx: DocContext, best: Candidate) -> Candidate:
    """The vendor's name without a legal form the document states apart in a mention of its own: in
    "Free SAS au capital de 3 441 812 €", or a footer's "SARL au capital de 120 000 €" under a letterhead
    "Au bon moulin SARL", the words "... au capital de" state the forme juridique and the capital. French
    law lists them beside the dénomination, not in it (the company's name on a French invoice must be
    followed by its form and capital, as two more mentions), and Factur-X/EN 16931 samples of the French
    standards forum give the seller's name without the form. A form that no mention states apart stays
    ("Atelier Lumière SARL" alone keeps its "SARL")."""
    value = str(best.value)
    for line in ctx.lines:
        for m in _FORM_MENTION_RE.finditer(line.text):
            form = m.group(1)
            if len(value) - len(form) <= 3 or not value.upper().endswith(f" {form.upper()}"):
                continue
            name = value[: -len(form)].rstrip(" ,")
            before = re.split(r"\s[-–·|]\s|,\s", line.text[: m.start()].rstrip(" ,-–·|"))[-1]
            named = before.strip() and not re.search(r"[\d:]", before)  # not "APE : 4778C - SARL au ..."
            if named and not _fold(before).endswith(_fold(name)):
                continue  # the mention of another company ("Orion SAS au capital de ...")
            best.value = name
            best.end = best.start + len(name)
            return best
    return best


# Agreement of a name with the issuer's own web or e-mail domain ("Au bon moulin" and aubonmoulin.fr): an
# exact match of the name (without its legal form) or a name that starts with the domain's name.


def _domain_names(ctx: DocContext) -> set[str]:
    """The names of the web and e-mail domains printed outside the buyer's section and block."""
    cached = ctx.cache.get("domain_names")
    if isinstance(cached, set):
        return cached
    names: set[str] = set()
    for line in ctx.lines:
        if line.party == "buyer":
            continue
        text = line.text
        found = domain_names(text) if ("@" in text or "://" in text or "www" in text.lower()) else []
        if found and ctx.layout_party(line.text[:60]) != "buyer":
            names.update(found)
    ctx.cache["domain_names"] = names
    return names


def _domain_agreement(ctx: DocContext, cands: list[Candidate]) -> None:
    domains = {d for d in _domain_names(ctx) if len(d) >= 3}
    if not domains:
        return
    for c in cands:
        core = _fold(_LEGAL_END_RE.sub("", str(c.value)))
        if core in domains:
            c.confidence += cf.DOMAIN_MATCH_BONUS
        elif agrees_with_domain(core, domains):
            c.confidence += cf.DOMAIN_PREFIX_BONUS


# Names from the layout: the block's role says whose name it is; how sure depends on how it was found.
_LEGAL_END_RE = re.compile(rf"\s{_LEGAL_FORM}\.?$")
_FORM_END_RE = re.compile(rf"\s({_LEGAL_FORM})$")
_FORM_MENTION_RE = re.compile(
    rf"(?<![^\W\d_])({_LEGAL_FORM})\s(?:{vocabulary_source('legal_forms', 'form_mentions')})(?![^\W\d_])",
    re.IGNORECASE,
)
_SALUTATION_RE = re.compile(
    r"(?i)^(?:herrn?|frau|mr\.?|mrs\.?|ms\.?|miss|dr\.?|m\.|mme\.?|monsieur|madame|mademoiselle|dhr\.?|mevr\.?|"
    r"de\sheer|mevrouw|firma)$"
)
_RETURN_SPLIT_RE = re.compile(r"\s?(?:·|•|●|\||–|—|,)\s|\s-\s")


_OPTIONAL_SPACE = r"\s?"  # "z.Hd." and "z. Hd."
# A line naming whom a party's mail goes to the attention or in the care of ("Attn: Anna Berger", "z. Hd.
# Frau Keller", "c/o Orion Retail Ltd"): never the party's name, nor the rest of it (parties.json).
_ATTENTION_RE = re.compile(
    rf"(?i)^\W{{0,3}}(?:{vocabulary_source('parties', 'attention', space=_OPTIONAL_SPACE)})(?![^\W\d_])"
)
# "Kestrel Group Ltd trading as Kestrel Design", "t/a", "h.o.d.n.": a registered name, then its trade name.
_TRADING_AS_RE = re.compile(rf"(?i)\s(?:{vocabulary_source('parties', 'trading_as')})(?![^\W\d_])\s?")
# a contact line's first word, whole: "Web: ..." is contact, "Weber Logistik AG" and "Telford Ltd" are names
_CONTACT_LINE_RE = re.compile(
    r"(?i)^(?:tel(?:efon|ephone)?|t[ée]l[ée]phone|phone|fon|fax|mobile?|mob|e-?mail|courriel|www|"
    r"web(?:site|seite)?|https?)(?![^\W\d_])|@"
)


def _fold(text: str) -> str:
    return re.sub(r"[\W_]", "", text).casefold()


def _continues(name: str, nxt: str) -> bool:
    """Whether ``nxt`` carries on a name printed over two lines ("MVM Musterhafter" / "Versicherungsverein
    Musterstadt a.G."): a short line without digits that ends the name with the legal form the first
    lacks, or with the rest of a form a narrow column broke ("Linden Bau GmbH" / "& Co. KG", "Fjord UG" /
    "(haftungsbeschränkt)", "Hansa Handel" / "SE")."""
    if _ATTENTION_RE.match(nxt) or len(nxt) > 60 or re.search(r"[\d:@]", nxt) or _STREET_RE.search(nxt):
        return False
    joined = _LEGAL_END_RE.search(f"{name} {nxt.strip()}")
    if joined is None:
        return False
    return not _LEGAL_END_RE.search(name) or joined.start() < len(name)


def _block_name(
    lines: list[str], *, return_line: bool, legal_only: bool, domains: set[str] | None = None
) -> tuple[str, str] | None:
    """(name, first printed line) of a party block: its first plausible line, a lone salutation joined to
    the name under it, a name continued on the next line joined to it."""
    for i, raw in enumerate(lines[:5]):
        if _ATTENTION_RE.match(raw):
            continue  # "Attn: Anna Berger" over or under the company's name
        text = _RETURN_SPLIT_RE.split(raw, maxsplit=1)[0] if return_line else raw
        text = _trim_name(text).strip(" ,")
        mention = _FORM_MENTION_RE.search(text)
        if mention is not None:
            text = text[: mention.end(1)]  # "Harbour SAS au capital de 10 000 €": the name and its form
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if _SALUTATION_RE.match(text) and nxt and _plausible_name(nxt):
            return f"{text} {nxt.strip()}", raw
        if (
            not _plausible_name(text)
            or re.match(r"^\d", text)
            or is_country(text)
            or _CONTACT_LINE_RE.search(text)
            or has_postcode_line([text])  # "Bristol BS1 5TR", "50667 Köln": where the party is, not who
        ):
            continue
        if legal_only:
            m = _COMPANY_RE.search(text)
            if not m:
                # a footer line without a legal form names the issuer when its web or e-mail domain does
                # ("Willow Software" over "IBAN", billing@willow.fr)
                if domains and "." not in text and agrees_with_domain(text, domains):
                    return text, raw
                continue
            text = re.sub(r"^(?:.*?:\s)", "", m.group(1)).strip(" ,")
        if nxt and _continues(text, nxt):
            return f"{text} {nxt.strip()}", raw
        return text, raw
    return None


def _layout_names(ctx: DocContext, concept: Concept) -> list[Candidate]:
    if ctx.layout is None or concept.party is None:
        return []
    role: Role = "sender" if concept.party == "vendor" else "addressee"
    out: list[Candidate] = []
    for block in ctx.layout.of_role(role):
        # a footer line names the sender when it carries a legal form, or heads the sender's address
        # (name, street, postcode and city: a sole trader's "Harbour Design / 4 Mill Lane / Leeds LS1 4AP")
        footer_address = block.reason == "footer" and has_postcode_line(block.lines[1:4])
        lines = block.party_lines
        if block.reason == "closing":
            lines = _signing_company(lines, _domain_names(ctx))
        joined = block.reason in ("letterhead", "name over address") and _name_over_lines(lines)
        if joined:
            lines = [" ".join(line.strip() for line in lines)]  # "Kestrel" / "Design" in big print
        above = ctx.layout.letterhead_above(block) if block.reason == "address" else None
        if above is not None and lines and not _names_alike(lines[0], above.lines[0]):
            lines = lines[1:]  # a slogan under the letterhead's name ("Quality design since 1982")
        found = _block_name(
            lines,
            return_line=block.reason in ("return address", "imprint") or footer_address,
            legal_only=block.reason == "footer" and not footer_address,
            domains=_domain_names(ctx) if block.reason == "footer" else None,
        )
        if found is None:
            continue
        name, printed = found
        if joined:
            printed = block.lines[0]
        elif block.reason == "letterhead":
            # a logo's word spelled out under it in smaller print: "GRANITE" over "Granite Engineering"
            under = ctx.layout.block_below(block)
            fuller = under.lines[0].strip() if under is not None else ""
            if (
                fuller.casefold().startswith(name.casefold() + " ")
                and _plausible_name(fuller)
                and not re.search(r"\d", fuller)
                and not _CONTACT_LINE_RE.search(fuller)
            ):
                name = printed = fuller
        if block.reason == "letterhead" and not (
            _LEGAL_END_RE.search(name) or ctx.layout.looks_like_sender(block)
        ):
            continue  # a big line on top is a sender's only with an address, contact or a legal form
        index = ctx.line_of(printed[:40], page=block.page)
        if index is None:
            continue
        confidence = cf.LAYOUT_NAME_CONFIDENCE.get(block.reason, cf.LAYOUT_NAME_OTHER)
        if _LEGAL_END_RE.search(name):
            confidence += cf.LEGAL_FORM_BONUS
        out.append(
            Candidate(
                name,
                confidence,
                index,
                index,
                0,
                len(printed),
                note=_FOOTER_ADDRESS if footer_address else "",
            )
        )
    return out


def _name_over_lines(lines: list[str]) -> bool:
    """Whether a letterhead's big print of two or three short lines is one name set over them ("Kestrel" /
    "Design", "Atelier Rivage" / "Consulting SARL"): each line a plausible name without digits, contact or
    place, the whole as long as a name."""
    return (
        2 <= len(lines) <= 3
        and len(" ".join(lines)) <= 50
        and all(
            _plausible_name(line)
            and not re.search(r"[\d@:/]", line)
            and not _CONTACT_LINE_RE.search(line)
            and not is_country(line)
            for line in lines
        )
    )


def _signing_company(lines: list[str], domains: set[str]) -> list[str]:
    """Of the lines signing a letter (the signer, a job title, the company), the company's: the one with a
    legal form, else the one named like the sender's web or e-mail domain, else the last of two or more
    (the company is printed under the signer); nothing when only the signer signs."""
    plausible = [line for line in lines[:4] if _plausible_name(line) and not re.search(r"[\d@]", line)]
    for line in plausible:
        if _LEGAL_END_RE.search(line) or _COMPANY_RE.search(line):
            return [line]
    for line in plausible:
        if agrees_with_domain(line, domains):
            return [line]
    return plausible[-1:] if len(plausible) >= 2 else []


_HOLDER_LABEL_RE = vocabulary_pattern("parties")


def _after_holder_label(name: str) -> str:
    """A company name read with the payment words before it ("Please make cheques payable to Sable Ltd",
    "Ten name van Linden B.V."): the name after the account holder's label."""
    holder = _HOLDER_LABEL_RE.search(name)
    return name[holder.end() :].strip(" :,") if holder is not None else name


def _names_alike(line: str, big: str) -> bool:
    """Whether the first line of an address under a letterhead's big line names the party too: it carries
    a legal form or starts with the big line's first word ("Nordlicht Software GmbH" under "NORDLICHT")."""
    if _LEGAL_END_RE.search(line) or _COMPANY_RE.search(line):
        return True
    first, head = line.split(maxsplit=1), big.split(maxsplit=1)
    return bool(first and head) and _fold(first[0]) == _fold(head[0])


# Marks a name read from the head of the sender's address in the footer (cleared before it is returned).
_FOOTER_ADDRESS = "\x00footer address"


# The holder of the account the invoice is paid into is usually its issuer, but payment processors and
# factoring banks hold accounts too: a fallback below every name read from the layout or a name label.


def _account_holders(ctx: DocContext) -> list[Candidate]:
    """The bank account holder named in the payment details ("Titulaire du compte : NETPRESSE")."""
    from zapdoc.extraction.vocabulary import pattern

    out: list[Candidate] = []
    labels = pattern("parties")
    lines = ctx.lines
    for line in lines:
        for m in labels.finditer(line.text):
            at, offset, rest = line.index, m.end(), line.text[m.end() :]
            if not rest.strip(" :") and at + 1 < len(lines):
                at, offset, rest = at + 1, 0, lines[at + 1].text  # "Remit to:" over the name
            found = name_after_label(rest)
            if found is None or found.start > 4:
                continue
            name = _trim_name(_RETURN_SPLIT_RE.split(str(found.value), maxsplit=1)[0]).strip(" ,")
            form = _FORM_END_RE.search(name)
            if not (form and form.group(1).endswith(".")):
                name = name.rstrip(".")  # a sentence's full stop, not the dot of "Ltd." or "B.V."
            if _plausible_name(name) and not re.search(r"\d", name):
                start = offset + found.start
                out.append(Candidate(name, cf.ACCOUNT_HOLDER_CONFIDENCE, at, at, start, start + len(name)))
    return out


def _other_party_names(ctx: DocContext, concept: Concept) -> set[str]:
    """Names the layout gives the other party (the addressee is not the vendor, however company-like)."""
    if ctx.layout is None or concept.party is None:
        return set()
    other: Role = "addressee" if concept.party == "vendor" else "sender"
    names: set[str] = set()
    for block in ctx.layout.of_role(other):
        if block.reason in ("heading", "heading values", "window"):
            found = _block_name(block.party_lines, return_line=False, legal_only=False)
            if found is not None:
                names.add(_fold(found[0]))
    return names


def _whole_elsewhere(ctx: DocContext, value: str, nxt: Line) -> bool:
    """Whether a short line under a name ends it as a narrow column wrapped it ("Übersetzungsbüro Sabine" /
    "Krüger"): the document prints the name and that line as one, whole, on another line (a footer)."""
    rest = nxt.text.strip(" ,")
    if not rest or len(rest.split()) > 2 or re.search(r"[\d:@/]", rest):
        return False
    whole = re.compile(rf"(?<![^\W\d_]){re.escape(f'{value} {rest}')}(?![^\W\d_])")
    return any(
        other.index not in (nxt.index, nxt.index - 1) and whole.search(other.text) for other in ctx.lines
    )


def _complete_name(ctx: DocContext, best: Candidate) -> Candidate:
    """A chosen name that is a whole line: join a lone salutation or a continuation line under it."""
    value = str(best.value)
    line = ctx.lines[best.last_line]
    nxt = ctx.lines[best.last_line + 1] if best.last_line + 1 < len(ctx.lines) else None
    if nxt is None or nxt.page != line.page or value not in line.text or (" " in value and value in nxt.text):
        return best
    if line.text.strip(" ,").endswith(value) and (
        (_SALUTATION_RE.match(value) and _plausible_name(nxt.text))
        or _continues(value, nxt.text)
        or _whole_elsewhere(ctx, value, nxt)
    ):
        best.value = f"{value} {nxt.text.strip(' ,')}"
        best.last_line = nxt.index
    return best


# --------------------------------------------------------------------------------- payment method

_PAYMENT_RE = re.compile(
    r"(?i)(?<![^\W\d_])(cash|bar(?:geld|zahlung)?|espèces|card|credit\scard|debit\scard|karte|kartenzahlung|"
    r"ec-karte|girocard|visa|mastercard|maestro|amex|american\sexpress|carte\sbancaire|cb|paypal|apple\spay|"
    r"google\spay|virement|bank\stransfer|überweisung|lastschrift|sepa|chèque|cheque|check)(?![^\W\d_])"
)


def payment_keyword(ctx: DocContext) -> Candidate | None:
    """A payment means named on a line with an amount ("Bar 5,00", "VISA **** 1234 12.50"): low confidence."""
    for line in ctx.lines:
        m = _PAYMENT_RE.search(line.text)
        if m and (re.search(r"\d[.,]\d{2}", line.text) or len(line.text) <= 30):
            return Candidate(
                m.group(1), cf.PAYMENT_KEYWORD_CONFIDENCE, line.index, line.index, m.start(1), m.end(1)
            )
    return None
