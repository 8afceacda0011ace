"""Curated labels for the concepts the offline extractor knows, in English, French, German (and Dutch).

A *concept* is what a field means (an invoice number, the grand total, the vendor's VAT id ...) and
how its value looks (its *kind*). Known field names map to concepts; any other field gets a concept
built from its own name and description (``po_number`` / "purchase order" -> "PO Number", "P.O. no",
"Purchase order", "Po-Nummer"), so user-chosen fields are looked for too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from zapdoc.domain.fields import FieldSpec, FieldType

Kind = Literal[
    "id",
    "date",
    "amount",
    "number",
    "currency",
    "iban",
    "vat",
    "email",
    "phone",
    "text",
    "url",
    "list",
    "name",
]
Party = Literal["vendor", "buyer"]

_LETTER_START = r"(?<![^\W\d_])"
_LETTER_END = r"(?![^\W\d_])"


@dataclass(frozen=True)
class Label:
    """A label regex with a weight in (0, 1]: how surely a value next to it is the concept's value."""

    pattern: re.Pattern[str]
    weight: float
    next_lines: bool = True  # may the value sit on the following line(s)?
    source: str = ""  # the regex without its boundaries, for the concept's combined pattern


@dataclass(frozen=True)
class Concept:
    """What a field means: its labels, the value kind, exclusions and the party it belongs to."""

    key: str
    kind: Kind
    labels: tuple[Label, ...]
    exclude_before: re.Pattern[str] | None = None  # text just before a label that disqualifies it
    exclude_after: re.Pattern[str] | None = None  # text just after a label that disqualifies it
    party: Party | None = None
    prefer: Literal["first", "last", "max"] = "first"
    aliases: tuple[str, ...] = field(default=())
    combined: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # One alternation of all labels, strongest first: one scan per line instead of one per label.
        # The word boundary is checked once, before the alternatives, so most positions fail at once.
        order = sorted(range(len(self.labels)), key=lambda i: -self.labels[i].weight)
        alternatives = "|".join(f"(?P<l{i}>{self.labels[i].source})" for i in order)
        source = (
            f"{_LETTER_START}(?=[^\\W\\d_])(?:{alternatives}){_LETTER_END}" if alternatives else r"(?!x)x"
        )
        object.__setattr__(self, "combined", _rx(source))

    def label_of(self, m: re.Match[str]) -> Label:
        """The label a match of ``combined`` came from."""
        return self.labels[int((m.lastgroup or "l0")[1:])]


def _rx(source: str) -> re.Pattern[str]:
    return re.compile(source, re.IGNORECASE)


def labels(*groups: tuple[float, tuple[str, ...]], next_lines: bool = True) -> tuple[Label, ...]:
    """Compile label groups ``(weight, (regex, ...))`` with letter boundaries on both sides."""
    out: list[Label] = []
    for weight, sources in groups:
        for source in sources:
            pattern = _rx(f"{_LETTER_START}(?:{source}){_LETTER_END}")
            out.append(Label(pattern, weight, next_lines and weight >= 0.8, source))
    return tuple(out)


_NO = r"(?:no|nr|num|number|n°|nº|n|#|id|nummer|numéro|numero)\.?"

# ----------------------------------------------------------------------------------------- invoices

INVOICE_NUMBER = Concept(
    "invoice_number",
    "id",
    labels(
        (
            1.0,
            (
                rf"invoice\s?{_NO}",
                r"invoice\s?#",
                rf"inv\.?\s?{_NO}",
                r"rechnungs\s?-?\s?(?:nummer|nr|no)\.?",
                # "Rechnung Nr.", "Handelsrechnung (380) Nr.", "Rechnung des Versicherers (575) Nr."
                r"[^\W\d_]{0,15}(?:rechnung|gutschrift)[^\W\d_]{0,12}(?:\s(?!bestell|liefer|auftrag|gemäß|gemaess|order|kunde|"
                r"vertrag|vom\b)[\w()]{1,25}){0,4}?\s?(?:nr|nummer|no)\.?",
                r"gutschrifts?\s?-?\s?(?:nummer|nr)\.?",
                r"beleg\s?-?\s?(?:nummer|nr)\.?",
                r"facture\s?(?:n°|nº|no|n\.|numéro|numero|num\.?)",
                r"(?:n°|nº|numéro|numero|no)\.?\s?(?:de\s)?(?:la\s)?facture",
                r"avoir\s?(?:n°|nº|no)",
                r"factuur\s?-?\s?(?:nummer|nr|no)\.?",
                r"credit\s?(?:nota|factuur)\s?-?\s?(?:nummer|nr|no)\.?",
                rf"(?:credit\s?note|bill)\s?{_NO}",
                rf"document\s?{_NO}",
            ),
        ),
        (
            0.75,
            (
                r"tax\s?invoice",
                r"invoice",
                r"facture",
                r"rechnung",
                r"factuur",
                r"avoir",
                r"gutschrift",
                r"creditnota",
                r"credit\s?note",
            ),
        ),
    ),
    exclude_after=_rx(r"^\W{0,3}(?:date|datum|period|address|adresse|total|amount|summary|to\b|à\b)"),
)

RECEIPT_NUMBER = Concept(
    "receipt_number",
    "id",
    labels(
        (
            1.0,
            (
                rf"receipt\s?{_NO}",
                rf"(?:transaction|trans|order|booking)\s?(?:id|{_NO})",
                rf"bon\s?-?\s?{_NO}",
                rf"beleg\s?-?\s?{_NO}",
                rf"ticket\s?{_NO}",
                rf"quittung\s?{_NO}",
                rf"reçu\s?{_NO}",
                rf"invoice\s?{_NO}",
            ),
        ),
        (0.7, (r"receipt", r"bon", r"beleg", r"ticket")),
    ),
)

_DATE_OTHER = _rx(
    r"(?:due|order|delivery|ship(?:ping|ment)?|payment|expiry|expiration|birth|start|end|service|leistungs|"
    r"liefer|bestell|auftrags|fälligkeits|zahlungs|livraison|échéance|commande|prestation|limite|check|buchungs|"
    r"valuta|début|debut|fin|period|print|druck|vervaldatum|leverings|order|prélèvement|value|booking|"
    r"version|geburts|eintritts|associée|associated|related|reference|référence|bis|until|to)"
    r"[\s\-./]{0,3}(?:de\s|du\s|d'|of\s)?$"
)

ISSUE_DATE = Concept(
    "issue_date",
    "date",
    labels(
        (
            1.0,
            (
                r"invoice\s?date",
                r"date\s?(?:of\s)?(?:the\s)?invoice",
                r"date\s?of\s?issue",
                r"issue\s?date",
                r"issued\s?(?:on|at)",
                r"billing\s?date",
                r"rechnungs\s?-?\s?datum",
                r"ausstellungs\s?-?\s?datum",
                r"beleg\s?-?\s?datum",
                r"date\s?(?:de\s)?(?:la\s)?factur(?:e|ation)",
                r"date\s?d'\s?émission",
                r"date\s?d'\s?emission",
                r"factuur\s?-?\s?datum",
                r"datum\s?factuur",
                r"receipt\s?date",
                r"document\s?date",
                r"gutschrifts?\s?-?\s?datum",
            ),
        ),
        (
            0.9,
            (
                # "Rechnung Nr. 4711 vom 03.04.2024", "Facture n°123 du 2 juillet 2015", "Invoice # 1 issued"
                r"[^\W\d_]{0,15}(?:rechnung|invoice|facture|factuur|gutschrift|avoir)[^\W\d_]{0,12}"
                r"(?:(?!bestell|liefer|auftrag|gemäß|order|commande|livraison|according|contract|vertrag)[^\n]){0,40}?"
                r"(?:nr\.?|no\.?|n°|nº|#|number|nummer|numéro)\s?[A-Za-z0-9][\w/.\-]{0,30}\s"
                r"(?:vom|du|dated|issued\s?(?:at|on)|van|datée?\s?du|of)",
            ),
        ),
        (0.7, (r"date", r"datum", r"dated", r"fecha", r"data")),
    ),
    exclude_before=_DATE_OTHER,
    exclude_after=_rx(
        r"^\W{0,3}(?:de\s?(?:livraison|commande|début|debut|fin|échéance|prélèvement|la\scommande)|d'échéance|"
        r"limite|of\s(?:delivery|order|service|birth|supply)|der\s(?:lieferung|leistung)|due|"
        r"(?:de\s(?:la\s)?facture\s)?associ|related|"
        r"précédente|d'origine|original|previous|ursprung)"
    ),
    aliases=(
        "invoice_date",
        "date",
        "document_date",
        "receipt_date",
        "purchase_date",
        "bill_date",
        "issued_on",
    ),
)

DUE_DATE = Concept(
    "due_date",
    "date",
    labels(
        (
            1.0,
            (
                r"due\s?date",
                r"date\s?due",
                r"payment\s?due(?:\s?date)?",
                r"due\s?(?:on|by)",
                r"pay(?:able)?\s?(?:by|until|before|no\s?later\s?than)",
                r"remit\s?(?:until|by)",
                r"fälligkeits?\s?-?\s?(?:datum|tag)",
                r"fällig\s?(?:am|bis|zum|ab)",
                r"zahlbar\s?(?:bis|am)",
                r"zahlungsziel",
                r"netto\s?bis",
                r"date\s?d'\s?échéance",
                r"date\s?d'\s?echeance",
                r"échéance\s?(?:le|au)?",
                r"date\s?limite\s?de\s?paiement",
                r"(?:à\s)?payer\s?avant\s?le",
                r"vervaldatum",
                r"uiterste\s?betaaldatum",
                r"betalen\s?voor",
                r"(?:überweisen|zahlen|begleichen|bezahlen)(?:\s[\wäöüß]{1,15}){0,3}?\s?bis\s?(?:spätestens\s)?(?:zum)?",
                r"(?:à\s)?régler\s?(?:avant\s?le|au\s?plus\s?tard\s?le)",
            ),
        ),
        (0.6, (r"due", r"fällig", r"fälligkeit", r"échéance")),
    ),
    aliases=("payment_due_date", "due", "deadline_payment"),
)

_TOTAL_NOT = _rx(
    r"^\W{0,3}(?:ht\b|h\.t\.|hors|net\b|netto|nett\b|excl|exkl|ohne|before|sub|tax(?:es)?\b|tva\b|vat\b|mwst|ust\b|"
    r"ust\.|umsatzsteuer|steuer|btw\b|sans|rabatt|discount|remise|der\s(?:zu|ab)schläge|quantity|qty|items|"
    r"positions|weight|gewicht|menge|pages?\b|hours|stunden|de\s(?:la\s)?tva|taxe|des\staxes|hors\staxe|"
    r"[\w\s]{0,12}(?:excl|hors|ohne|exkl|netto)\b)"
)

TOTAL_AMOUNT = Concept(
    "total_amount",
    "amount",
    labels(
        (
            1.0,
            (
                r"total\s?ttc",
                r"montant\s?(?:total\s?)?ttc",
                r"net\s?à\s?payer\s?ttc",
                r"total\s?(?:incl|including|inkl|inc)\.?\s?(?:of\s)?(?:vat|tax|taxes|mwst|ust|btw)\.?",
                r"total\s?(?:amount\s?)?(?:incl|including|inkl)\.?",
                r"grand\s?total",
                r"total\s?amount(?:\s?due)?",
                r"invoice\s?total",
                r"total\s?invoice(?:\s?amount)?",
                r"gesamt\s?-?\s?betrag(?:\s?brutto)?",
                r"gesamt\s?-?\s?summe(?:\s?brutto)?",
                r"brutto\s?-?\s?(?:summe|betrag|gesamt)",
                r"rechnungs\s?-?\s?(?:summe|betrag)\s?(?:brutto|\(?inkl\.?[^\n]{0,12}?\)?)",
                r"summe\s?(?:brutto|gesamt)",
                r"end\s?-?\s?(?:betrag|summe)",
                r"rechnungs\s?-?\s?betrag",
                r"gesamt\s?(?:inkl|brutto)\.?",
                r"montant\s?total",
                r"total\s?(?:à|a)\s?payer",
                r"total\s?facture",
                r"totaal\s?(?:incl\.?\s?btw|bedrag)?",
                r"factuur\s?totaal",
                r"totaalbedrag",
                r"te\s?betalen",
            ),
        ),
        (0.85, (r"rechnungssumme", r"total\s?eur")),
        # what is still to pay (or was paid) is the total only when nothing else is: on a paid invoice
        # the amount due is 0.00 and the total is still the total
        (
            0.65,
            (
                r"amount\s?due",
                r"total\s?due",
                r"balance\s?due",
                r"due\s?payable",
                r"somme\s?à\s?payer",
                r"montant\s?à\s?payer",
                r"zahlbetrag",
                r"zu\s?zahlen(?:der\s?betrag)?",
                r"amount\s?paid",
                r"total\s?paid",
            ),
        ),
        (
            0.7,
            (r"net\s?à\s?payer", r"solde\s?à\s?payer", r"total", r"gesamt", r"brutto", r"summe", r"totaal"),
        ),
        (0.5, (r"amount", r"betrag", r"montant")),
    ),
    exclude_after=_TOTAL_NOT,
    exclude_before=_rx(r"(?:sub|zwischen|teil|positions|netto|net|tax|vat|steuer|tva|sous)[\s\-]{0,2}$"),
    prefer="max",
    aliases=(
        "total",
        "amount_total",
        "grand_total",
        "gross_amount",
        "invoice_total",
        "total_incl_tax",
        "amount",
    ),
)

AMOUNT_DUE = Concept(
    "amount_due",
    "amount",
    labels(
        (
            1.0,
            (
                r"amount\s?due",
                r"balance\s?due",
                r"total\s?due",
                r"due\s?payable",
                r"zahlbetrag",
                r"zu\s?zahlen(?:der\s?betrag)?",
                r"offener\s?betrag",
                r"solde\s?à\s?payer",
                r"net\s?à\s?payer",
                r"reste\s?à\s?payer",
                r"montant\s?à\s?payer",
                r"somme\s?à\s?payer",
                r"te\s?betalen",
            ),
        ),
    ),
    prefer="last",
    aliases=("balance_due", "amount_payable"),
)

NET_AMOUNT = Concept(
    "net_amount",
    "amount",
    labels(
        (
            1.0,
            (
                r"total\s?h\.?t\.?",
                r"montant\s?(?:total\s?)?h\.?t\.?",
                r"total\s?hors\s?tax(?:es?)?",
                r"net\s?total",
                r"total\s?net",
                r"net\s?amount",
                r"amount\s?net",
                r"total\s?(?:excl|excluding|exkl)\.?\s?(?:of\s)?(?:vat|tax|taxes|mwst|ust|btw)?\.?",
                r"netto\s?-?\s?(?:betrag|summe|gesamt|wert)",
                r"(?:rechnungs|gesamt)\s?-?\s?summe\s?(?:netto|\(?(?:excl|exkl|ohne)\.?[^\n]{0,12}?\)?)",
                r"summe\s?netto",
                r"gesamt\s?netto",
                r"gesamtbetrag\s?netto",
                r"exclusief\s?btw",
                r"totaal\s?excl\.?\s?btw",
                r"total\s?before\s?tax",
            ),
        ),
        (
            0.85,
            (
                r"sub\s?-?\s?total(?:\s?excl\.?[^\n]{0,10})?",
                r"zwischen\s?-?\s?summe",
                r"warenwert",
                r"subtotaal",
                r"sous\s?-?\s?total",
            ),
        ),
        (0.7, (r"netto", r"net", r"ht")),
    ),
    # "Net 30 days" / "Net 30" are payment terms, not the net amount
    exclude_after=_rx(
        r"^\W{0,3}(?:\d{1,3}\s?(?:days|tage|jours|dagen)|\d{1,3}\s*$|à\spayer|a\spayer|payable)"
    ),
    prefer="last",
    aliases=("subtotal", "net_total", "amount_excl_tax", "total_excl_tax", "total_net"),
)

TAX_AMOUNT = Concept(
    "tax_amount",
    "amount",
    labels(
        (
            1.0,
            (
                r"total\s?(?:tva|taxes|tax|vat|mwst|ust|btw)",
                r"(?:tva|vat|tax|mwst|ust|btw)\s?total",
                r"montant\s?(?:de\s?la\s?)?(?:tva|taxes?)",
                r"(?:vat|tax|gst)\s?amount",
                r"steuer\s?-?\s?betrag",
                r"mehrwertsteuer(?:\s?-?\s?betrag)?",
                r"umsatzsteuer(?:\s?-?\s?betrag)?",
                r"summe\s?(?:mwst|ust|umsatzsteuer|steuer)",
                r"(?:zzgl|zuzüglich|plus|enthaltene)\.?\s?(?:\d{1,2}(?:[.,]\d{1,2})?\s?%\s?)?(?:mwst|ust|umsatzsteuer|vat|tva)\.?",
                r"btw\s?bedrag",
                r"sales\s?tax",
            ),
        ),
        (0.75, (r"tva", r"vat", r"tax", r"mwst", r"ust", r"btw", r"taxes", r"gst")),
    ),
    exclude_after=_rx(
        r"^[\s.:\-]{0,3}%|^\W{0,3}(?:id|reg|no\b|nr|n°|number|nummer|code|intra|identif|rate|satz|ident|-?\s?id|payée|acquittée|"
        r"exempt|clause|identifier|category|kategorie|aufschlüsselung|breakdown|détail|detail|[a-z]{2}\s?\d{2})"
    ),
    exclude_before=_rx(
        r"(?:n°|no\.?|numéro|nummer|excl\.?|incl\.?|inkl\.?|inklusive|including|ohne|before|hors|exclusief|inclusief|uw|your|"
        r"netto\w{0,10}\s?\(?|brutto\w{0,10}\s?\(?|summe\s?\(?|total\s?\(?)[\s\-:]{0,3}$"
    ),
    prefer="last",
    aliases=("vat_amount", "tax", "vat", "total_tax", "tax_total"),
)

_VAT_LABELS = labels(
    (
        1.0,
        (
            r"u\.?\s?st\.?\s?-?\s?id\.?\s?-?\s?(?:nr|nummer|no)?\.?",
            r"ust\.?\s?-?\s?ident\s?-?\s?nr\.?",
            r"umsatzsteuer\s?-?\s?(?:identifikations)?\s?-?\s?(?:nummer|nr|id)\.?",
            r"vat\s?(?:reg(?:istration|\.)?\s?)?(?:id|no|nr|number|#|n°)\.?",
            r"vat\s?-?\s?id",
            r"vat",
            r"(?:n°|no|numéro|numero)\.?\s?(?:de\s)?(?:d'identification\s)?tva(?:\s?intra\s?-?\s?communautaire)?",
            r"tva\s?intra\s?-?\s?communautaire",
            r"identifiant\s?tva",
            r"tva",
            r"btw\s?-?\s?(?:nummer|nr|no|id)?\.?",
            r"mwst\s?-?\s?(?:nr|nummer)\.?",
            r"gstin",
            r"tax\s?(?:id|reg(?:istration)?\s?(?:no|number))",
            r"steuer\s?-?\s?id",
            r"ide\s?(?:tva)?",
        ),
    ),
)
BUYER_BEFORE = _rx(
    r"(?:client|customer|buyer|käufer|kunden?|acheteur|uw|your|votre|ihre?|destinataire|empfänger|"
    r"leistungsempfänger|purchaser|recipient)\W{0,3}(?:[\w.]+\W{0,3}){0,2}$"
)
BUYER_AFTER = _rx(r"^\W{0,3}(?:client|du\sclient|de\sl'acheteur|customer|des\skunden|acheteur|buyer)")

VENDOR_VAT_ID = Concept(
    "vendor_vat_id",
    "vat",
    _VAT_LABELS,
    party="vendor",
    aliases=(
        "vat_id",
        "vat_number",
        "tax_id",
        "supplier_vat_id",
        "seller_vat_id",
        "merchant_vat_id",
        "vendor_tax_id",
    ),
)
BUYER_VAT_ID = Concept(
    "buyer_vat_id",
    "vat",
    _VAT_LABELS,
    party="buyer",
    aliases=("customer_vat_id", "client_vat_id", "buyer_tax_id"),
)

IBAN = Concept(
    "iban",
    "iban",
    labels(
        (1.0, (r"iban(?:\s?-?\s?(?:nr|no|number|code|nummer))?\.?",)),
        (0.8, (r"bankverbindung(?:en)?", r"bank\s?details", r"coordonnées\s?bancaires", r"bankgegevens")),
        (
            0.7,
            (
                r"bank\s?account(?:\s?(?:no|number|nr))?\.?",
                r"account\s?(?:no|number)\.?",
                r"konto(?:nummer|\s?-?\s?nr)?\.?",
                r"compte",
                r"rekening(?:nummer)?",
            ),
        ),
    ),
    aliases=("bank_account", "iban_number", "account_iban"),
)

CURRENCY = Concept(
    "currency",
    "currency",
    labels(
        (
            1.0,
            (
                r"currency",
                r"währung",
                r"devise",
                r"monnaie",
                r"valuta",
                r"beträge\s?in",
                r"betrag\s?in",
                r"amounts?\s?(?:are\s)?in",
                r"prices?\s?(?:are\s)?in",
                r"montants?\s?(?:exprimés\s)?en",
                r"all\s?(?:charges|amounts|prices)[\w\s]{0,30}?\sin",
            ),
        ),
    ),
    aliases=("currency_code",),
)

ORDER_NUMBER = Concept(
    "order_number",
    "id",
    labels(
        (
            1.0,
            (
                rf"(?:purchase\s?)?order\s?(?:{_NO}|ref(?:erence)?\.?)",
                rf"p\.?\s?o\.?\s?(?:{_NO})",
                r"your\s?order(?:\s?(?:no|number|ref))?\.?",
                r"bestell\s?-?\s?(?:nummer|nr|no)\.?",
                r"(?:ihre\s)?(?:auftrags|bestell)\s?-?\s?(?:nummer|nr)\.?",
                r"ihre\s?bestellung(?:\s?(?:nr|vom))?\.?",
                r"(?:n°|numéro|numero|no)\.?\s?(?:de\s|du\s)?(?:bon\s?de\s?)?commande",
                r"bon\s?de\s?commande",
                r"commande\s?(?:n°|no|nº)",
                r"votre\s?commande",
                r"ordernummer",
                r"order\s?id",
            ),
        ),
        (0.75, (r"bestellung", r"votre\s?référence", r"your\s?reference", r"commande", r"order", r"po")),
    ),
    exclude_after=_rx(r"^\W{0,3}(?:date|datum|vom)\b"),
    aliases=("purchase_order", "order_no", "order_id", "purchase_order_number"),
)

_EMAIL_LABELS = labels(
    (1.0, (r"e\s?-?\s?mail(?:\s?address)?", r"courriel", r"mail", r"email\s?id", r"contact"))
)
_PHONE_LABELS = labels(
    (
        1.0,
        (
            r"tel(?:ephone|efon)?(?:\s?(?:no|nr|number))?\.?",
            r"t[ée]l[ée]phone",
            r"tél\.?",
            r"phone(?:\s?(?:no|number))?\.?",
            r"fon",
            r"mobile?(?:\s?(?:no|number))?",
            r"handy",
            r"cell",
            r"customer\s?care",
            r"hotline",
        ),
    ),
)
VENDOR_EMAIL = Concept(
    "vendor_email",
    "email",
    _EMAIL_LABELS,
    party="vendor",
    aliases=("supplier_email", "seller_email", "merchant_email"),
)
VENDOR_PHONE = Concept(
    "vendor_phone",
    "phone",
    _PHONE_LABELS,
    party="vendor",
    aliases=("supplier_phone", "seller_phone", "merchant_phone"),
)
BUYER_EMAIL = Concept(
    "buyer_email", "email", _EMAIL_LABELS, party="buyer", aliases=("customer_email", "client_email")
)
BUYER_PHONE = Concept(
    "buyer_phone", "phone", _PHONE_LABELS, party="buyer", aliases=("customer_phone", "client_phone")
)

VENDOR_NAME = Concept(
    "vendor_name",
    "name",
    labels(
        (1.0, (r"(?:vendor|seller|supplier|company|merchant)\s?name", r"raison\s?sociale", r"firmenname")),
        (0.7, (r"name", r"nom", r"firma")),
    ),
    party="vendor",
    aliases=(
        "supplier_name",
        "seller_name",
        "vendor",
        "supplier",
        "seller",
        "company_name",
        "issuer_name",
    ),
)
# A receipt's merchant: like a vendor, and receipts print the shop's name as their first line.
MERCHANT_NAME = Concept(
    "merchant_name",
    "name",
    VENDOR_NAME.labels,
    party="vendor",
    aliases=("merchant", "shop_name", "store_name"),
)
BUYER_NAME = Concept(
    "buyer_name",
    "name",
    labels(
        (1.0, (r"(?:customer|client|buyer)\s?name", r"nom\s?du\s?client", r"kunden\s?-?\s?name")),
        (0.7, (r"name", r"nom")),
    ),
    party="buyer",
    aliases=("customer_name", "client_name", "customer", "buyer", "bill_to"),
)

PAYMENT_METHOD = Concept(
    "payment_method",
    "text",
    labels(
        (
            1.0,
            (
                r"payment\s?(?:method|mode|type)",
                r"paid\s?(?:by|with|through)",
                r"zahlungs\s?-?\s?(?:art|weise|mittel)",
                r"bezahlt\s?(?:mit|per)",
                r"mode\s?de\s?(?:paiement|règlement)",
                r"moyen\s?de\s?paiement",
                r"betaalwijze",
            ),
        ),
    ),
    aliases=("payment_type", "paid_by"),
)

# --------------------------------------------------------------------------------------------- rfps

RFP_REFERENCE = Concept(
    "reference_number",
    "id",
    labels(
        (
            1.0,
            (
                rf"(?:rfp|rfq|rfi|tender|solicitation|bid|itt)\s?(?:{_NO}|ref(?:erence)?\.?)",
                r"reference\s?(?:number|no)\.?",
                r"ref(?:erence)?\.?\s?(?:no|#)?",
                r"référence",
                r"aktenzeichen",
                r"vergabe\s?-?\s?(?:nummer|nr)\.?",
            ),
        ),
    ),
    aliases=("rfp_number", "tender_reference", "reference"),
)
SUBMISSION_DEADLINE = Concept(
    "submission_deadline",
    "date",
    labels(
        (
            1.0,
            (
                r"(?:submission|proposal|response|bid|tender)s?\s?(?:deadline|due(?:\s?date)?|closing\s?date)",
                r"deadline\s?(?:for\s)?(?:submission|proposals|responses|bids)",
                r"proposals?\s?(?:are\s)?due",
                r"closing\s?date",
                r"due\s?date",
                r"date\s?limite\s?(?:de\s)?(?:remise|dépôt|réception)(?:\s?des\s?offres)?",
                r"angebots\s?-?\s?frist",
                r"abgabe\s?-?\s?(?:frist|termin)",
                r"einreichungs\s?-?\s?frist",
            ),
        ),
        (0.6, (r"deadline",)),
    ),
    exclude_before=_rx(r"(?:question|clarification|inquir)\w{0,4}\s?$"),
    exclude_after=_rx(r"^\W{0,3}(?:for\s)?(?:questions|clarification|inquiries)"),
    aliases=("deadline", "closing_date", "response_deadline"),
)
QUESTIONS_DEADLINE = Concept(
    "questions_deadline",
    "date",
    labels(
        (
            1.0,
            (
                r"(?:deadline|due\s?date|last\s?date)\s?for\s?(?:questions|clarifications?|inquiries|queries)",
                r"(?:questions|clarifications?|inquiries|queries)\s?(?:deadline|due(?:\s?date)?|must\s?be\s?(?:received|submitted)\s?by)",
                r"date\s?limite\s?(?:des\s|pour\s(?:les\s)?)?questions",
                r"fragen\s?bis",
                r"frist\s?für\s?(?:bieter)?fragen",
            ),
        ),
    ),
)
BUDGET = Concept(
    "budget",
    "amount",
    labels(
        (
            1.0,
            (
                r"(?:estimated\s)?budget",
                r"(?:estimated|total|maximum)\s?(?:contract\s)?value",
                r"not\s?to\s?exceed",
                r"montant\s?estimé",
                r"valeur\s?estimée",
                r"geschätzter\s?(?:auftrags)?wert",
            ),
        ),
    ),
    prefer="max",
    aliases=("estimated_value", "contract_value"),
)
ISSUER = Concept(
    "issuer",
    "name",
    labels(
        (
            1.0,
            (
                r"issued\s?by",
                r"issuing\s?(?:organi[sz]ation|agency|authority)",
                r"contracting\s?authority",
                r"pouvoir\s?adjudicateur",
                r"auftraggeber",
                r"vergabestelle",
            ),
        )
    ),
    aliases=("issuing_organisation", "agency", "buyer_organisation"),
)
CONTACT_NAME = Concept(
    "contact_name",
    "name",
    labels(
        (
            1.0,
            (
                r"contact\s?(?:person|name)?",
                r"point\s?of\s?contact",
                r"ansprechpartner(?:in)?",
                r"interlocuteur",
            ),
        )
    ),
)
CONTACT_EMAIL = Concept("contact_email", "email", _EMAIL_LABELS)
CONTACT_PHONE = Concept("contact_phone", "phone", _PHONE_LABELS)

# ---------------------------------------------------------------------------------- person / resume

PERSON_EMAIL = Concept("email", "email", _EMAIL_LABELS, aliases=("email_address", "e_mail", "mail"))
PERSON_PHONE = Concept(
    "phone", "phone", _PHONE_LABELS, aliases=("phone_number", "telephone", "mobile", "tel")
)

CONCEPTS: tuple[Concept, ...] = (
    INVOICE_NUMBER,
    RECEIPT_NUMBER,
    ISSUE_DATE,
    DUE_DATE,
    TOTAL_AMOUNT,
    AMOUNT_DUE,
    NET_AMOUNT,
    TAX_AMOUNT,
    VENDOR_VAT_ID,
    BUYER_VAT_ID,
    IBAN,
    CURRENCY,
    ORDER_NUMBER,
    VENDOR_EMAIL,
    VENDOR_PHONE,
    BUYER_EMAIL,
    BUYER_PHONE,
    VENDOR_NAME,
    MERCHANT_NAME,
    BUYER_NAME,
    PAYMENT_METHOD,
    RFP_REFERENCE,
    SUBMISSION_DEADLINE,
    QUESTIONS_DEADLINE,
    BUDGET,
    ISSUER,
    CONTACT_NAME,
    CONTACT_EMAIL,
    CONTACT_PHONE,
    PERSON_EMAIL,
    PERSON_PHONE,
)

_BY_NAME: dict[str, Concept] = {}
for _c in CONCEPTS:
    _BY_NAME[_c.key] = _c
    for _alias in _c.aliases:
        _BY_NAME.setdefault(_alias, _c)

# Concepts whose meaning is only clear in their field type: a ``date`` field called "date" is the issue
# date, an ``amount`` called "amount" the total.
_TYPE_OK: dict[Kind, frozenset[FieldType]] = {
    "id": frozenset({FieldType.TEXT, FieldType.NUMBER}),
    "date": frozenset({FieldType.DATE, FieldType.TEXT}),
    "amount": frozenset({FieldType.AMOUNT, FieldType.NUMBER}),
    "number": frozenset({FieldType.NUMBER, FieldType.AMOUNT}),
    "currency": frozenset({FieldType.CURRENCY, FieldType.TEXT}),
    "iban": frozenset({FieldType.TEXT}),
    "vat": frozenset({FieldType.TEXT}),
    "email": frozenset({FieldType.EMAIL, FieldType.TEXT}),
    "phone": frozenset({FieldType.PHONE, FieldType.TEXT}),
    "text": frozenset({FieldType.TEXT}),
    "url": frozenset({FieldType.TEXT}),
    "list": frozenset({FieldType.LIST, FieldType.TEXT}),
    "name": frozenset({FieldType.TEXT}),
}


def known_concept(spec: FieldSpec) -> Concept | None:
    """The curated concept for a field name (or alias) when the field's type fits it."""
    concept = _BY_NAME.get(spec.name)
    if concept is None or spec.type not in _TYPE_OK[concept.kind]:
        return None
    return concept


# ------------------------------------------------------------------------------- user-chosen fields

_SYNONYMS: dict[str, str] = {
    "number": r"(?:number|no|nr|num|nummer|numéro|numero|n°|nº|#)\.?",
    "no": r"(?:number|no|nr|num|nummer|numéro|n°|#)\.?",
    "num": r"(?:number|no|nr|num|nummer|numéro|n°|#)\.?",
    "nr": r"(?:number|no|nr|num|nummer|numéro|n°|#)\.?",
    "id": r"(?:id|identifier|number|no|nr|nummer|n°)\.?",
    "date": r"(?:date|datum|dated)",
    "amount": r"(?:amount|betrag|montant|total|sum|summe)",
    "name": r"(?:name|nom|naam)",
    "email": r"(?:e\s?-?\s?mail|courriel)",
    "phone": r"(?:phone|tel|telefon|téléphone)\.?",
    "delivery": r"(?:delivery|liefer(?:ung)?s?|livraison)",
    "order": r"(?:order|bestell(?:ung)?|commande|auftrags?)",
    "customer": r"(?:customer|client|kunden?)",
    "reference": r"(?:reference|ref|referenz|référence)\.?",
    "ref": r"(?:reference|ref|referenz|référence)\.?",
    "tax": r"(?:tax|vat|mwst|tva|ust|steuer)",
    "vat": r"(?:vat|mwst|tva|ust|btw)",
    "due": r"(?:due|fällig(?:keit)?s?|échéance)",
    "contract": r"(?:contract|vertrags?|contrat)",
    "account": r"(?:account|konto|compte)",
    "project": r"(?:project|projekt|projet)",
    "start": r"(?:start|begin|beginn|début)",
    "end": r"(?:end|ende|fin)",
    "total": r"(?:total|gesamt|summe|montant\s?total)",
    "price": r"(?:price|preis|prix)",
    "quantity": r"(?:quantity|qty|menge|quantité|qté)",
    "address": r"(?:address|adresse|anschrift)",
    "payment": r"(?:payment|zahlung|paiement)",
    "terms": r"(?:terms|bedingungen|conditions)",
}
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "for",
        "to",
        "in",
        "on",
        "at",
        "by",
        "and",
        "or",
        "with",
        "from",
        "as",
        "is",
        "are",
        "be",
        "this",
        "that",
        "which",
        "its",
        "it",
        "der",
        "die",
        "das",
        "des",
        "den",
        "dem",
        "und",
        "oder",
        "für",
        "von",
        "zu",
        "im",
        "am",
        "le",
        "la",
        "les",
        "de",
        "du",
        "des",
        "et",
        "ou",
        "pour",
        "un",
        "une",
        "en",
        "sur",
        "par",
    ]
)


def _token_regex(token: str) -> str:
    if token in _SYNONYMS:
        return _SYNONYMS[token]
    if len(token) <= 3 and token.isalpha():
        # abbreviations: "po" matches "PO", "P.O.", "P. O."
        return r"\.?\s?".join(re.escape(ch) for ch in token) + r"\.?"
    return re.escape(token)


def _phrase(tokens: list[str]) -> str:
    return r"[\s\-_.]{0,3}".join(_token_regex(t) for t in tokens)


_FIELD_KIND: dict[FieldType, Kind] = {
    FieldType.TEXT: "text",
    FieldType.NUMBER: "number",
    FieldType.AMOUNT: "amount",
    FieldType.CURRENCY: "currency",
    FieldType.DATE: "date",
    FieldType.EMAIL: "email",
    FieldType.PHONE: "phone",
    FieldType.LIST: "list",
    FieldType.TABLE: "text",
}


def custom_concept(spec: FieldSpec) -> Concept:
    """A concept for a field we have no curated labels for: its name and description become labels."""
    tokens = [t for t in spec.name.lower().split("_") if t]
    groups: list[tuple[float, tuple[str, ...]]] = []
    if tokens:
        groups.append((1.0, (_phrase(tokens),)))
        if len(tokens) > 1 and tokens[-1] in _SYNONYMS:
            # German compounds: "Lieferdatum", "Bestellnummer"
            groups.append((0.9, (_token_regex(tokens[0]) + r"\w{0,3}" + _SYNONYMS[tokens[-1]],)))
    words = [w for w in re.findall(r"[^\W\d_]+", spec.description.lower()) if w not in _STOPWORDS][:5]
    if words and words != tokens:
        groups.append((0.9, (_phrase(words),)))
        if len(words) > 1:
            initials = "".join(w[0] for w in words[:3])
            # "purchase order" -> "PO number", "P.O. no"
            if tokens and len(tokens) > 1 and tokens[-1] in _SYNONYMS:
                groups.append((0.9, (_token_regex(initials) + r"[\s\-_.]{0,3}" + _SYNONYMS[tokens[-1]],)))
            groups.append((0.8, (_phrase(words) + r"(?:[\s\-_.]{0,3}" + _SYNONYMS["number"] + ")?",)))
    return Concept(spec.name, _FIELD_KIND[spec.type], labels(*groups))
