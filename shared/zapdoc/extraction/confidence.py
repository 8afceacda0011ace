"""How sure the offline extractor is of a value, by the way it was found: every confidence in one place.

Values below ``LOW_CONFIDENCE`` (0.6, ``zapdoc.domain.documents``) are shaded in the workbook for review,
so the numbers here are calibrated against that line: ``bench/accuracy.py`` prints, per confidence band,
how often the values are right, and the values below it must be right less often than the rest (on the
corpus, text path: 73.9% of 138 below vs 97.5% of 746 at or above). A value that fails its check digits
stays below the line whatever found it. Bonuses and penalties move a candidate among its rivals; the
result is always clamped to [0, 1].
"""

from __future__ import annotations

from zapdoc.domain.documents import LOW_CONFIDENCE

__all__ = ["LOW_CONFIDENCE"]

# ------------------------------------------------------------------------------- labels (search.py)
LABEL_BASE = 0.5  # a value beside a label: LABEL_BASE + LABEL_SPAN * the label's weight (0.95 at most)
LABEL_SPAN = 0.45
LABEL_STRONG_WEIGHT = 0.7  # labels at least this strong may have their value in a column under them
COLUMN_PENALTY = 0.2  # the value under the label in a column of labels and values
MIDDLE_COLUMN_PENALTY = 0.25  # a middle column's value standing alone on the line under the header
MIDDLE_COLUMN_DATE_PENALTY = 0.3  # the one date of that line
PAIRED_PENALTY = 0.2  # labels in one line, values in the next, paired by position
ROW_NEIGHBOUR_PENALTY = 0.05  # the value right of the label on its printed row, on another text line
STEP_PENALTY = 0.06  # per line between a strong label and its value
WEAK_STEP_PENALTY = 0.15  # a weak label's value not on its own line
# select(): candidates within NEAR of the best are equals; agreement adds, rivals within RIVAL subtract
NEAR = 0.02
RIVAL = 0.05
AGREEMENT_BONUS = 0.03
AGREEMENT_CAP = 0.98
RIVAL_PENALTY_FIRST = 0.15  # a rival with another value for a "first" field (ids, dates, names)
RIVAL_PENALTY = 0.1  # a rival for a "last"/"max" field (amounts)
FLOOR = 0.05

# --------------------------------------------------------------------------- identifiers (business.py)
CHECKSUM_FAILED_CONFIDENCE = 0.35  # a VAT id or IBAN that fails its check digits (specimen, typo, misread)
STACKED_LABEL_CONFIDENCE = 0.7  # a label over its value in one column of a block (footers)
VAT_SHAPE_CONFIDENCE = 0.6  # a VAT-id shape without a label (valid check digits)
OWN_PARTY_BONUS = 0.05  # ... in the section of the party asked for
REPEATED_BONUS = 0.05  # the vendor's VAT id printed more than once (letterhead and footer)
REPEATED_CAP = 0.95
IBAN_SHAPE_CONFIDENCE = 0.75  # an IBAN shape with a valid checksum, no label
CONTACT_IN_SECTION_CONFIDENCE = 0.55  # an e-mail or phone without label, in the party's section
CONTACT_ELSEWHERE_CONFIDENCE = 0.5  # ... outside it

# -------------------------------------------------------------------------------------------- currency
CURRENCY_ON_TOTAL_LINE = 0.85  # the currency code printed on the total's line
CURRENCY_SYMBOL_ON_TOTAL = 0.7  # a currency symbol there
CURRENCY_DOMINANT = 0.7  # the currency printed most often, at least twice as often as the next
CURRENCY_MIXED = 0.5  # the most frequent of several currencies

# --------------------------------------------------------------------------------------------- amounts
SUM_AGREES_CONFIDENCE = 0.92  # a total, net and tax that add up
SUM_DISAGREES_CAP = 0.5  # a total smaller than the net amount
DERIVED_NET_CONFIDENCE = 0.55  # a net amount not printed as such: the total minus the printed tax (to check)

# ------------------------------------------------------------------------------------------ party names
HEADING_NAME_CONFIDENCE = 0.6  # the first name-like line under a party heading ("Sold by: ACME Ltd")
SENDER_LINE_CONFIDENCE = 0.55  # the one-line sender address "ACME Ltd · 1 High St · Leeds" (text only)
WINDOW_NAME_CONFIDENCE = 0.5  # the line under it: the addressee in the envelope window (text only)
FIRST_LINE_MERCHANT = 0.4  # a receipt's first line as the merchant
COMPANY_NAME_CONFIDENCE = 0.45  # a name with a legal form anywhere
COMPANY_NEAR_TOP_BONUS = 0.05  # ... in the first lines
REGISTERED_NAME_CONFIDENCE = 0.6  # a name with its legal form heading a registration line
ACCOUNT_HOLDER_CONFIDENCE = 0.5  # the holder of the account the invoice is paid into
ISSUER_PHRASE_CONFIDENCE = 0.48  # "Your bill from X", "X is registered in England": the text names its issuer
COPYRIGHT_HOLDER_CONFIDENCE = 0.3  # "© 2024 Northwind Software Inc.": the issuer when nothing else names it
LEGAL_FORM_BONUS = 0.05  # a layout name that carries a legal form
DOMAIN_MATCH_BONUS = 0.05  # a name equal to the issuer's web or e-mail domain name
DOMAIN_PREFIX_BONUS = 0.03  # a name that starts with it
LAYOUT_NAME_CONFIDENCE: dict[str, float] = {  # a party's name from its layout block, by how it was found
    "heading": 0.75,  # under "Bill to", "Verkäufer" ...
    "heading values": 0.75,  # the value column beside a heading over labels
    "window": 0.72,  # the envelope-window address
    "address": 0.66,  # the sender's address block above the window
    "return address": 0.66,  # the one-line sender address over the window
    "name over address": 0.6,  # a line in larger print right over the sender's address (a sidebar's top)
    "letterhead": 0.52,  # the top block with the largest print (often a logo line or a page title)
    "footer": 0.5,  # the registration footer (names there carry a legal form)
    "imprint": 0.5,  # the one-line "name · street · place · contact" at the page's foot
    "closing": 0.45,  # the company signing under "Kind regards," (a last resort: often only the signer)
}
LAYOUT_NAME_OTHER = 0.55
PAYMENT_KEYWORD_CONFIDENCE = 0.45  # a payment means named on a line with an amount

# ------------------------------------------------------------------------------- fallbacks (offline.py)
UNLABELLED_FALLBACK = 0.4  # a value of the right kind found without any label
TABLE_CONFIDENCE = 0.5  # a table read from line items (columns guessed from the layout of the text)

# ------------------------------------------------------------------------------------ resumes (people.py)
PERSON_NAME = 0.75  # the name at the top of a resume
PERSON_EMAIL_TOP = 0.9  # an e-mail address in the resume's first lines
PERSON_EMAIL_LOWER = 0.7  # ... further down
PERSON_PHONE_CONTACT_LINE = 0.85  # a phone number on the contact line under the name
PERSON_PHONE_LABELLED = 0.8  # a phone number after its label
PERSON_LOCATION = 0.7  # the place on the contact line
PERSON_SITE = 0.75  # a personal website
PERSON_SITE_OTHER = 0.5  # any other link
PERSON_JOB = 0.6  # the latest employer or position: the first entry of the experience section
PERSON_EDUCATION = 0.65  # the institution or degree of the first education entry
PERSON_SKILLS = 0.55  # a skills list (exact sets are rarely right)

# --------------------------------------------------------------------------------- contracts (contracts.py)
CONTRACT_DATE_LABELLED = 0.8  # an effective date with its words
CONTRACT_DATE_FIRST = 0.4  # the first date of the document
GOVERNING_LAW = 0.75  # "governed by the laws of ..."
GOVERNING_LAW_WEAK = 0.45
GOVERNING_LAW_PLACE = 0.6  # a state or country named after "laws of" without the full phrase
CONTRACT_TERM = 0.55  # the term read from a duration phrase
CONTRACT_TITLE = 0.55  # the title line of a contract
CONTRACT_PARTIES = 0.6  # two or more parties named in the preamble
CONTRACT_PARTY_ONE = 0.4  # only one
