"""The words of table column headers (Description / Qty / Unit price / Amount in EN, FR, DE, NL): what
tells a table's header line, for reading its rows (tables.py) and for ending a party's address section
where a table starts (context.py)."""

from __future__ import annotations

import re

_COLUMN_WORDS: dict[str, str] = {
    "description": r"description|descr\.|item|items|article|artikel|artikelbeschreibung|beschreibung|"
    r"bezeichnung|leistung|désignation|designation|libellé|libelle|produit|product(?:\stitle)?|service|omschrijving|"
    r"prestation|particulars|details",
    "quantity": r"qty|quantity|quantité|quantite|qté|qte|menge|anzahl|aantal|hoeveelheid|nombre|hours|"
    r"stunden|units?",
    # "VK-Preis" (Verkaufspreis) and "Prijs incl. btw" are ordinary German and Dutch column headings
    "unit_price": r"unit\s?price|unit\s?cost|price|rate|prix\s?unitaire|prix\s?u\.?|p\.\s?u\.?(?:\sht)?|"
    r"einzelpreis|e-preis|stückpreis|vk-preis|nettopreis|preis|prijs(?:\sper\sstuk)?|tarif",
    "amount": r"amount|line\s?total|total|montant(?:\sht)?|betrag|gesamtpreis|gesamt|zeilenbetrag|"
    r"nettobetrag|bedrag|prix\s?total|total\s?ht|prijs\sincl\.?\sbtw|summe",
    "tax": r"tax(?:es)?|vat|tva|mwst|ust\.?|btw|steuersatz|tax\s?rate|vat\s?%|%",
    "discount": r"disc\.?\s?%?|discount|rabatt|remise|rem\.|korting",
}
_COLUMN_RES = {
    name: re.compile(rf"(?<![^\W\d_])(?:{words})(?![^\W\d_])", re.IGNORECASE)
    for name, words in _COLUMN_WORDS.items()
}


def header_columns(text: str, *, items: bool = True) -> tuple[str, ...] | None:
    """The numeric column kinds, in print order, of a column header line ("Description  Qty  Unit price
    Amount" -> quantity, unit_price, amount); None when ``text`` is not one. ``items``: a line-item header
    (with a description or quantity column); otherwise any header ("VAT %  Base  Tax  Total")."""
    if len(text) > 160 or len(re.findall(r"\d", text)) > 4:
        return None
    hits: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for kind in ("unit_price", "description", "quantity", "discount", "tax", "amount"):
        for m in _COLUMN_RES[kind].finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            hits.append((m.start(), kind))
    kinds = {k for _, k in hits}
    if len(kinds) < 2 or not kinds & {"quantity", "unit_price", "amount"}:
        return None
    if items and not kinds & {"description", "quantity"}:
        return None
    return tuple(k for _, k in sorted(hits) if k != "description")
