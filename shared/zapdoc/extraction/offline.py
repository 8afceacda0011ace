"""The offline extractor: labels in EN/FR/DE (and NL) plus value patterns, deterministic, no network.

It is honest: a field gets a value only when the text shows one (label + valid value scores high,
a pattern alone lower, disagreeing candidates lower still); otherwise the value is None. Every value
carries the page and the source line(s) it was read from.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from zapdoc.domain.documents import Classification, DocumentText, Extraction, FieldValue, TextSegment
from zapdoc.domain.fields import FieldSpec, FieldType
from zapdoc.domain.normalize import normalise
from zapdoc.extraction import business, contracts, people
from zapdoc.extraction import confidence as cf
from zapdoc.extraction import ocr as ocr_mod
from zapdoc.extraction.classify import classify_text, detect_language
from zapdoc.extraction.context import DocContext, Line, build_context
from zapdoc.extraction.labels import (
    CONCEPTS,
    ISSUE_DATE,
    NET_AMOUNT,
    PAYMENT_METHOD,
    TAX_AMOUNT,
    TOTAL_AMOUNT,
    Concept,
    custom_concept,
    known_concept,
)
from zapdoc.extraction.money import adds_up, money_text
from zapdoc.extraction.patterns import find_emails, find_phones
from zapdoc.extraction.search import Candidate, label_candidates, parser_for, select
from zapdoc.extraction.tables import extract_table
from zapdoc.inputs import einvoice
from zapdoc.settings import ExtractionSettings

Special = Callable[[DocContext], Candidate | None]

# Fields read by structure rather than by label (resumes and contracts).
_SPECIAL: dict[str, tuple[frozenset[FieldType], Special]] = {
    "name": (frozenset({FieldType.TEXT}), people.extract_name),
    "full_name": (frozenset({FieldType.TEXT}), people.extract_name),
    "candidate_name": (frozenset({FieldType.TEXT}), people.extract_name),
    "location": (frozenset({FieldType.TEXT}), people.extract_location),
    "website": (frozenset({FieldType.TEXT}), people.extract_website),
    "latest_employer": (frozenset({FieldType.TEXT}), lambda ctx: people.extract_job(ctx, "employer")),
    "latest_position": (frozenset({FieldType.TEXT}), lambda ctx: people.extract_job(ctx, "position")),
    "education_institution": (
        frozenset({FieldType.TEXT}),
        lambda ctx: people.extract_education(ctx, "institution"),
    ),
    "education_degree": (frozenset({FieldType.TEXT}), lambda ctx: people.extract_education(ctx, "degree")),
    "skills": (frozenset({FieldType.LIST, FieldType.TEXT}), people.extract_skills),
    "parties": (frozenset({FieldType.LIST, FieldType.TEXT}), contracts.extract_parties),
    "effective_date": (frozenset({FieldType.DATE, FieldType.TEXT}), contracts.extract_effective_date),
    "jurisdiction": (frozenset({FieldType.TEXT}), contracts.extract_jurisdiction),
    "governing_law": (frozenset({FieldType.TEXT}), contracts.extract_jurisdiction),
    "term": (frozenset({FieldType.TEXT}), contracts.extract_term),
    "contract_title": (frozenset({FieldType.TEXT}), contracts.extract_title),
}


IGNORE_EINVOICE_ENV = "ZAPDOC_IGNORE_EINVOICE"
"""Setting: when true, e-invoice XML is not read and every value comes from the text (to measure it)."""


def ignore_einvoice_from_env(env: Mapping[str, str] | None = None) -> bool:
    """``ZAPDOC_IGNORE_EINVOICE`` read as a flag (1/true/yes/on)."""
    return ExtractionSettings.from_env(env).ignore_einvoice


class OfflineExtractor:
    """Deterministic extractor for the CLI, the tests and as a fallback; implements ``Extractor``.

    E-invoices (``doc.xml``) are read from their XML unless ``ignore_einvoice`` (default: the
    ``ZAPDOC_IGNORE_EINVOICE`` setting), so the text path can be measured on its own. PDFs without a
    text layer are OCR'd with Tesseract when it is installed (``ocr=False`` or ``ZAPDOC_OCR=0`` turn
    that off); each value's confidence is then scaled by the OCR confidence of the line it came from.
    """

    name = "offline"

    def __init__(self, *, ignore_einvoice: bool | None = None, ocr: bool | None = None) -> None:
        self.ignore_einvoice = ignore_einvoice_from_env() if ignore_einvoice is None else ignore_einvoice
        self.ocr = ocr_enabled() if ocr is None else ocr
        self._last_ocr: tuple[tuple[str, int], ocr_mod.OcrResult | str] | None = None

    def extract(self, doc: DocumentText, fields: Sequence[FieldSpec]) -> Extraction:
        scanned = _needs_ocr(doc)
        read = self._ocr(doc) if scanned and self.ocr else None
        again: tuple[ocr_mod.OcrResult, dict[str, FieldValue]] | None = None
        if isinstance(read, ocr_mod.OcrResult):
            doc = _ocr_read(doc, read)
        ctx, values = self._values(doc, fields)
        if isinstance(read, ocr_mod.OcrResult) and _key_unanswered(fields, values):
            # Tesseract's automatic page segmentation can drop a word outright: read the page again with
            # another segmentation and take from it only what the first reading left unread
            again = self._second_reading(doc, fields)
        pictured = None
        if not scanned and doc.pictures and _sender_unanswered(fields, values):
            # the sender's details may be printed in a picture (a letterhead or footer set as an image):
            # read it and extract again (only then: reading pictures costs a Tesseract run)
            pictured = self._image_text(doc)
            if pictured is not None:
                doc = _with_image_text(doc, pictured)
                ctx, values = self._values(doc, fields)
        notes = list(ctx.notes)
        if doc.xml is not None and not self.ignore_einvoice:
            values, xml_notes = _from_einvoice(doc, fields, values)
            notes.extend(xml_notes)
        if pictured is not None:
            _fold_ocr_confidence(values, pictured, only_read=True)
            pages = sorted({line.page for line in pictured.lines})
            notes.append(
                f"text in the images of page {', '.join(map(str, pages))} read by OCR (Tesseract,"
                f" {pictured.languages}): {len(pictured.lines)} lines"
            )
        if isinstance(read, ocr_mod.OcrResult):
            _fold_ocr_confidence(values, read)
            notes.append(
                f"no text layer: read by OCR (Tesseract, {read.languages}),"
                f" mean word confidence {read.confidence:.0%}"
            )
            notes.extend(read.notes)
            if again is not None:
                second, more = again
                filled = {k: v for k, v in more.items() if v.value is not None and values[k].value is None}
                _fold_ocr_confidence(filled, second)
                values.update(filled)
                if filled:
                    notes.append(
                        f"{', '.join(filled)}: read in a second OCR pass (page segmentation"
                        f" {ocr_mod.SECOND_SEGMENTATION}), the first had left them unread"
                    )
        elif isinstance(read, str):
            notes.append(read)
        elif scanned:
            notes.append(
                f"no text layer (scanned?): the offline extractor reads text only; {ocr_mod.HOW_TO_ENABLE}"
            )
        return Extraction(values=values, notes=notes)

    def _values(
        self, doc: DocumentText, fields: Sequence[FieldSpec]
    ) -> tuple[DocContext, dict[str, FieldValue]]:
        ctx = build_context(doc)
        values = {spec.name: self._field(ctx, spec) for spec in fields}
        _check_totals(fields, values)
        if business.is_credit_note(ctx):
            _credit_note_amounts(fields, values)
        return ctx, values

    def classify(self, doc: DocumentText) -> Classification:
        if _needs_ocr(doc) and self.ocr:
            read = self._ocr(doc)
            if isinstance(read, ocr_mod.OcrResult):
                return classify_text("\n\f".join(read.pages))
        return classify_text(doc.text)

    def _second_reading(
        self, doc: DocumentText, fields: Sequence[FieldSpec]
    ) -> tuple[ocr_mod.OcrResult, dict[str, FieldValue]] | None:
        """The values of a scan read again by OCR with ``ocr.SECOND_SEGMENTATION``; None when it fails."""
        assert doc.pdf is not None
        configured = ExtractionSettings.from_env().ocr_budget_s  # a smaller budget set for OCR holds here too
        budget = ocr_mod.SECOND_BUDGET_S if configured is None else min(ocr_mod.SECOND_BUDGET_S, configured)
        try:
            read = ocr_mod.ocr_pdf(
                doc.pdf,
                doc.page_count,
                budget_s=budget,
                segmentation=ocr_mod.SECOND_SEGMENTATION,
            )
        except ocr_mod.OcrUnavailable:
            return None
        except pdfium_errors():
            return None
        return read, self._values(_ocr_read(doc, read), fields)[1]

    def _image_text(self, doc: DocumentText) -> ocr_mod.OcrResult | None:
        """The lines printed in a text PDF's images (a letterhead set as a picture), when OCR is on."""
        if not self.ocr or doc.pdf is None or not doc.pictures:
            return None
        language = detect_language(doc.pages[0] if doc.pages else "")
        try:
            read = ocr_mod.image_text(doc.pdf, doc.page_count, doc.pictures, doc.segments, language=language)
        except pdfium_errors():
            return None
        return read if read is not None and read.lines else None

    def _ocr(self, doc: DocumentText) -> ocr_mod.OcrResult | str:
        """OCR of ``doc`` (or why not), kept for the classify call that follows extract on the same doc."""
        assert doc.pdf is not None
        key = (doc.name, id(doc.pdf))
        if self._last_ocr is not None and self._last_ocr[0] == key:
            return self._last_ocr[1]
        try:
            read: ocr_mod.OcrResult | str = ocr_mod.ocr_pdf(doc.pdf, doc.page_count)
        except ocr_mod.OcrUnavailable as exc:
            read = str(exc)
        except pdfium_errors() as exc:
            read = f"no text layer, and the pages could not be rendered for OCR ({exc})"
        self._last_ocr = (key, read)
        return read

    # ------------------------------------------------------------------------------------------

    def _field(self, ctx: DocContext, spec: FieldSpec) -> FieldValue:
        if spec.type is FieldType.TABLE:
            return _table(ctx, spec)
        cand = _find(ctx, spec)
        if cand is None:
            return FieldValue()
        region = ctx.region if spec.type is FieldType.PHONE or spec.name.endswith("phone") else None
        norm = normalise(spec, cand.value, dayfirst=ctx.dayfirst, region=region)
        if norm.value is None:
            return FieldValue(note=norm.note)
        return FieldValue(
            value=norm.value,
            confidence=round(max(0.0, min(1.0, cand.confidence)), 3),
            evidence=cand.evidence(ctx),
            note=cand.note or norm.note,
        )


def ocr_enabled(env: Mapping[str, str] | None = None) -> bool:
    """Offline OCR of scans: on unless ``ZAPDOC_OCR`` is 0/false/no/off."""
    return ocr_mod.enabled(env)


def pdfium_errors() -> tuple[type[BaseException], ...]:
    import pypdfium2 as pdfium

    return (pdfium.PdfiumError,)


def _ocr_read(doc: DocumentText, read: ocr_mod.OcrResult) -> DocumentText:
    """``doc`` with the text and layout segments OCR read on its pages."""
    return dataclasses.replace(doc, pages=tuple(read.pages), segments=read.segments(doc.page_count))


KEY_CONCEPTS = frozenset({"invoice_number", "issue_date", "total_amount"})
"""A scan's first OCR reading that leaves one of these unread (when asked for) is read a second time."""


def _key_unanswered(fields: Sequence[FieldSpec], values: Mapping[str, FieldValue]) -> bool:
    for spec in fields:
        concept = known_concept(spec)
        if concept is not None and concept.key in KEY_CONCEPTS and values[spec.name].value is None:
            return True
    return False


def _needs_ocr(doc: DocumentText) -> bool:
    return not doc.has_text_layer and doc.pdf is not None and doc.page_count > 0


def _sender_unanswered(fields: Sequence[FieldSpec], values: Mapping[str, FieldValue]) -> bool:
    """Whether the text layer left the sender's identity or bank account unanswered (its name, its VAT
    id, its IBAN): what a pictured letterhead or footer holds. An e-mail address or phone alone does not
    count, nor a name read unsure: many invoices print no e-mail, most pictures are logos, and reading
    pictures costs a Tesseract run."""
    for spec in fields:
        concept = known_concept(spec)
        value = values.get(spec.name)
        if value is None or concept is None:
            continue
        identity = concept.party == "vendor" and concept.kind in ("name", "vat")
        if not identity and concept.kind != "iban":
            continue
        if value.value is None:
            return True
    return False


def _with_image_text(doc: DocumentText, read: ocr_mod.OcrResult) -> DocumentText:
    """``doc`` with the lines OCR read in its images: in the page text before the first row printed below
    them (a letterhead picture comes first, as a printed letterhead would), and as layout segments."""
    pages = list(doc.pages)
    for number in sorted({line.page for line in read.lines}):
        rows = pages[number - 1].splitlines()
        tops = _row_tops(rows, [s for s in doc.segments if s.page == number])
        before: dict[int, list[str]] = {}
        for line in sorted((ln for ln in read.lines if ln.page == number), key=lambda ln: ln.top):
            at = next((i for i, top in enumerate(tops) if top is not None and top > line.top), len(rows))
            before.setdefault(at, []).append(line.text)
        merged: list[str] = []
        for index, row in enumerate(rows):
            merged.extend(before.pop(index, []))
            merged.append(row)
        merged.extend(text for texts in before.values() for text in texts)
        pages[number - 1] = "\n".join(merged)
    segments = doc.segments + tuple(seg for ln in read.lines for seg in ln.pieces())
    return dataclasses.replace(doc, pages=tuple(pages), segments=segments)


def _row_tops(rows: list[str], segments: list[TextSegment]) -> list[float | None]:
    """The top of each page-text row: that of the first segment printed in it (None when none is)."""
    tops: list[float | None] = []
    for row in rows:
        flat = " ".join(row.split())
        tops.append(next((s.top for s in segments if s.text and s.text in flat), None))
    return tops


def _fold_ocr_confidence(
    values: dict[str, FieldValue], read: ocr_mod.OcrResult, *, only_read: bool = False
) -> None:
    """Scale each value's confidence by the OCR confidence of the line(s) it was read from. With
    ``only_read`` (OCR of a text PDF's images) only values read from an OCR'd line are touched."""
    lines = read.line_confidence()
    mean = read.confidence
    for value in values.values():
        if value.value is None or value.evidence is None or value.evidence.page is None:
            continue
        page = value.evidence.page
        found: list[float] = []
        for raw_part in value.evidence.snippet.replace("…", " / ").split(" / "):
            part = raw_part.strip()
            if not part:
                continue
            exact = lines.get((page, part))
            if exact is not None:
                found.append(exact)
                continue
            found.extend(
                c
                for (p, text), c in lines.items()
                if p == page and (part in text or (not only_read and text in part))
            )
        if only_read and not found:
            continue
        factor = min(found) if found else mean
        value.confidence = round(value.confidence * factor, 3)
        ocr_note = (
            f"read by OCR {'from an image on the page ' if only_read else ''}({factor:.0%} sure of the text)"
        )
        value.note = f"{value.note}; {ocr_note}" if value.note else ocr_note


def _from_einvoice(
    doc: DocumentText, fields: Sequence[FieldSpec], text_values: dict[str, FieldValue]
) -> tuple[dict[str, FieldValue], list[str]]:
    """The e-invoice's values over the text path's, cross-checked against the page (PDFs only)."""
    assert doc.xml is not None
    standalone = doc.pdf is None
    source = einvoice.STANDALONE_EVIDENCE if standalone else einvoice.EVIDENCE
    try:
        invoice = einvoice.read_einvoice(doc.xml)
    except einvoice.EInvoiceError as exc:
        return text_values, [f"the {source} could not be read ({exc}); values are from the page text"]
    applied = einvoice.apply_einvoice(
        invoice, fields, text_values, "" if standalone else doc.text, source=source
    )
    return applied.values, applied.notes


def _find(ctx: DocContext, spec: FieldSpec) -> Candidate | None:
    special = _SPECIAL.get(spec.name)
    if special is not None and spec.type in special[0]:
        return special[1](ctx)
    concept = known_concept(spec)
    if concept is None:
        return _custom(ctx, spec)
    return _known(ctx, concept)


def _known(ctx: DocContext, concept: Concept) -> Candidate | None:
    kind = concept.kind
    if concept is TOTAL_AMOUNT:
        return business.extract_total(ctx)
    if concept is TAX_AMOUNT:
        return business.extract_tax(ctx)
    if kind == "currency":
        return business.extract_currency(ctx, business.extract_total(ctx))
    if kind == "iban":
        return business.extract_iban(ctx)
    if kind == "vat":
        return business.extract_vat(ctx, concept)
    if kind in ("email", "phone"):
        if concept.party is None and concept.key in ("email", "phone"):
            return people.extract_email(ctx) if kind == "email" else people.extract_phone(ctx)
        return business.extract_contact(ctx, concept, kind)
    if kind == "name" and concept.party is not None:
        return business.extract_party_name(ctx, concept)
    accept = _not_in_a_date_label(ctx) if kind == "id" else None
    cands = label_candidates(ctx, concept, parser_for(kind, ctx), accept=accept)
    best = select(cands, concept.prefer)
    if best is None and concept is ISSUE_DATE:
        best = _first_date(ctx)
    if best is None and concept is PAYMENT_METHOD:
        best = business.payment_keyword(ctx)
    return best


_DATE_CONCEPTS = tuple(c for c in CONCEPTS if c.kind == "date")


def _not_in_a_date_label(ctx: DocContext) -> Callable[[Line, int, int], bool]:
    """A veto for an id label that is part of a date label: "facture" in "Date de facture", "Rechnung" in
    "Datum der Rechnung", "invoice" in "Invoice date" (the value after it is a date, not a number). A date
    label that holds the number ("Rechnung Nr. 4711 vom") does not veto. Spans cached per line."""
    spans: dict[int, list[tuple[int, int]]] = ctx.cache.setdefault("date_label_spans", {})  # type: ignore[assignment]

    def accept(line: Line, start: int, end: int) -> bool:
        found = spans.get(line.index)
        if found is None:
            found = [
                (m.start(), m.end())
                for concept in _DATE_CONCEPTS
                for m in concept.combined.finditer(line.text)
                if not any(ch.isdigit() for ch in m.group(0))
            ]
            spans[line.index] = found
        return not any(a <= start and end <= b and (a, b) != (start, end) for a, b in found)

    return accept


def _first_date(ctx: DocContext) -> Candidate | None:
    """Pattern alone: the first plausible date near the top of the first page (low confidence)."""
    parse = parser_for("date", ctx)
    for line in ctx.lines[:40]:
        if line.page != 1:
            break
        found = parse(line.text)
        if found is None:
            continue
        before = line.text[max(0, found.start - 30) : found.start]
        if ISSUE_DATE.exclude_before is not None and ISSUE_DATE.exclude_before.search(before.rstrip(" :")):
            continue
        return Candidate(found.value, cf.UNLABELLED_FALLBACK, line.index, line.index, found.start, found.end)
    return None


def _custom(ctx: DocContext, spec: FieldSpec) -> Candidate | None:
    """A user-chosen field: its name and description as labels, then (email/phone) its pattern alone."""
    concept = custom_concept(spec)
    best = select(label_candidates(ctx, concept, parser_for(concept.kind, ctx)), "first")
    if best is not None:
        return best
    if spec.type in (FieldType.EMAIL, FieldType.PHONE):
        finder = find_emails if spec.type is FieldType.EMAIL else find_phones
        found = [(line, f) for line in ctx.lines for f in finder(line.text)]
        distinct = {f.value for _, f in found}
        if len(distinct) == 1:
            line, f = found[0]
            return Candidate(f.value, cf.UNLABELLED_FALLBACK, line.index, line.index, f.start, f.end)
    return None


def _table(ctx: DocContext, spec: FieldSpec) -> FieldValue:
    result = extract_table(ctx, spec)
    if result is None:
        return FieldValue()
    rows, first, last = result
    norm = normalise(spec, rows, dayfirst=ctx.dayfirst)
    if not norm.value:
        return FieldValue(note=norm.note)
    return FieldValue(
        value=norm.value, confidence=cf.TABLE_CONFIDENCE, evidence=ctx.evidence(first, last), note=norm.note
    )


_MONEY_FIELDS = ("total_amount", "net_amount", "tax_amount", "amount_due")


def _credit_note_amounts(fields: Sequence[FieldSpec], values: dict[str, FieldValue]) -> None:
    """A credit note's amounts are positive, its type says what they mean (EN 16931, UBL CreditNote):
    a page that prints "-218,48" on a credit note gives 218.48, with a note."""
    for spec in fields:
        fv = values.get(spec.name)
        if spec.name in _MONEY_FIELDS and fv is not None and isinstance(fv.value, Decimal) and fv.value < 0:
            fv.value = -fv.value
            fv.note = (fv.note + "; " if fv.note else "") + "credit note: printed negative, given as positive"


def _check_totals(fields: Sequence[FieldSpec], values: dict[str, FieldValue]) -> None:
    """Net + tax = total raises all three; a total smaller than the net lowers the total."""
    names = {f.name for f in fields}
    keys = [c.key for c in (NET_AMOUNT, TAX_AMOUNT, TOTAL_AMOUNT)]
    if not all(k in names for k in keys):
        return
    net, tax, total = (values[k] for k in keys)
    if net.value is None and isinstance(tax.value, Decimal) and isinstance(total.value, Decimal):
        # net + tax = total: with the total and the tax printed, the net is their difference
        # ("Charges $4.11 / Tax $0.00 / Total $4.11" names no subtotal), marked for review
        if 0 <= tax.value <= total.value:
            net.value = total.value - tax.value
            net.confidence = cf.DERIVED_NET_CONFIDENCE
            net.evidence = total.evidence
            net.note = f"not printed as such: total {money_text(total.value)} - tax {money_text(tax.value)}"
        return
    if not all(isinstance(v.value, Decimal) for v in (net, tax, total)):
        return
    assert isinstance(net.value, Decimal)
    assert isinstance(tax.value, Decimal)
    assert isinstance(total.value, Decimal)
    if adds_up(net.value, tax.value, total.value):
        for v in (net, tax, total):
            v.confidence = max(v.confidence, cf.SUM_AGREES_CONFIDENCE)
    elif total.value < net.value:
        total.confidence = min(total.confidence, cf.SUM_DISAGREES_CAP)
