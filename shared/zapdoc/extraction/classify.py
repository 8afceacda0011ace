"""Keyword classifier (invoice, receipt, resume, contract, rfp, other) and a cheap language detector.

The classifier reads the text once: all keywords are one alternation (149 separate patterns each
scanning up to 60,000 characters cost ~26 ms a document).

Both only count words, so they are deterministic and fast; the LLM providers do better on odd
documents, this is the offline baseline and the source of the date order for numeric dates.
"""

from __future__ import annotations

import re
from collections import Counter

from zapdoc.domain.documents import Classification, DocType

_WORD_RE = re.compile(r"[^\W\d_]{1,20}")
_SAMPLE = 60_000

_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "the",
            "and",
            "of",
            "to",
            "for",
            "is",
            "with",
            "on",
            "this",
            "that",
            "are",
            "by",
            "be",
            "your",
            "from",
            "as",
            "at",
            "or",
            "will",
            "you",
            "our",
            "an",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "de",
            "des",
            "du",
            "et",
            "est",
            "pour",
            "une",
            "un",
            "en",
            "au",
            "aux",
            "par",
            "sur",
            "vous",
            "nous",
            "dans",
            "ce",
            "cette",
            "votre",
        ]
    ),
    "de": frozenset(
        [
            "der",
            "die",
            "das",
            "und",
            "ist",
            "für",
            "mit",
            "von",
            "zu",
            "den",
            "dem",
            "des",
            "ein",
            "eine",
            "im",
            "auf",
            "nicht",
            "sie",
            "wir",
            "ihre",
            "bei",
        ]
    ),
    "nl": frozenset(
        [
            "de",
            "het",
            "een",
            "en",
            "van",
            "voor",
            "met",
            "op",
            "is",
            "dat",
            "niet",
            "uw",
            "wij",
            "zijn",
            "te",
            "bij",
            "aan",
            "of",
            "als",
            "naar",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "de",
            "del",
            "y",
            "es",
            "para",
            "con",
            "por",
            "una",
            "un",
            "en",
            "que",
            "su",
            "sus",
            "al",
            "como",
        ]
    ),
    "it": frozenset(
        [
            "il",
            "lo",
            "la",
            "gli",
            "le",
            "di",
            "del",
            "della",
            "e",
            "è",
            "per",
            "con",
            "una",
            "un",
            "in",
            "che",
            "su",
            "al",
            "dei",
        ]
    ),
}


# Stopword -> the languages it is a stopword of, so that each distinct word costs one lookup.
_LANGUAGES_OF: dict[str, tuple[str, ...]] = {
    word: tuple(lang for lang, words in _STOPWORDS.items() if word in words)
    for word in set().union(*_STOPWORDS.values())
}


def detect_language(text: str) -> str:
    """ISO 639-1 code of the language with most stopwords in ``text`` ("en" when nothing stands out)."""
    counts: Counter[str] = Counter()
    for word, times in Counter(_WORD_RE.findall(text[:_SAMPLE])).items():
        languages = _LANGUAGES_OF.get(word)
        if languages is None or not word.islower():
            continue  # not a stopword; or "DE", "LA": country and state codes, not stopwords
        for lang in languages:
            counts[lang] += times
    if not counts:
        return "en"
    lang, best = counts.most_common(1)[0]
    return lang if best >= 2 else "en"


# Keyword -> weight per document type. Phrases are matched on lower-cased text with word boundaries.
_KEYWORDS: dict[DocType, dict[str, float]] = {
    "invoice": {
        "invoice": 3,
        "tax invoice": 2,
        "invoice number": 3,
        "invoice date": 3,
        "bill to": 2,
        "due date": 2,
        "amount due": 2,
        "vat": 1,
        "subtotal": 1,
        "iban": 1.5,
        "payment terms": 1.5,
        "total": 0.5,
        "facture": 3,
        "total ttc": 3,
        "total ht": 2,
        "tva": 1,
        "échéance": 1.5,
        "date de facture": 3,
        "rechnung": 3,
        "rechnungsnummer": 3,
        "rechnungsdatum": 3,
        "mwst": 1.5,
        "ust": 1,
        "gesamtbetrag": 2,
        "zahlbar": 1.5,
        "nettobetrag": 1.5,
        "bruttosumme": 2,
        "factuur": 3,
        "btw": 1,
        "credit note": 2,
        "gutschrift": 2,
        "avoir": 1,
        "handelsrechnung": 3,
        "zahlungsbedingungen": 1.5,
        "steuerbetrag": 1.5,
    },
    "receipt": {
        "receipt": 4,
        "payment receipt": 4,
        "cash": 1.5,
        "change": 1,
        "card": 0.5,
        "thank you for your purchase": 3,
        "quittung": 4,
        "kassenbon": 4,
        "bon": 0.5,
        "reçu": 3,
        "ticket de caisse": 4,
        "paid": 1,
        "payment received": 2,
        "visa": 0.5,
        "mastercard": 0.5,
        "cashier": 2,
        "kasse": 1.5,
        "bar": 0.3,
        "tip": 1,
        "trinkgeld": 2,
        "payment mode": 1.5,
        "rückgeld": 3,
        "vielen dank für ihren einkauf": 3,
        "bon-nr": 3,
        "change due": 3,
        "thank you for shopping": 3,
        "merci de votre visite": 3,
        "rendu": 1.5,
        "espèces": 1.5,
        "ec-karte": 1.5,
        "girocard": 1.5,
        "summe": 0.5,
    },
    "resume": {
        "resume": 3,
        "curriculum vitae": 4,
        "cv": 2,
        "experience": 2,
        "work experience": 3,
        "education": 2,
        "skills": 2,
        "projects": 1,
        "publications": 1,
        "university": 1.5,
        "intern": 1,
        "linkedin": 2,
        "github": 1,
        "lebenslauf": 4,
        "berufserfahrung": 3,
        "ausbildung": 1.5,
        "kenntnisse": 1.5,
        "expérience": 2,
        "formation": 1.5,
        "compétences": 2,
        "bachelor": 1,
        "master": 1,
        "phd": 1.5,
        "gpa": 2,
        "languages": 1,
        "certifications": 1.5,
        "references": 0.5,
        "objective": 1,
        "summary": 0.5,
    },
    "contract": {
        "agreement": 2,
        "contract": 2,
        "confidentiality": 2,
        "non-disclosure": 3,
        "confidential information": 3,
        "parties": 2,
        "party": 1,
        "hereby": 1.5,
        "governed by": 2.5,
        "governing law": 3,
        "laws of the state": 2.5,
        "in witness whereof": 3,
        "term": 0.5,
        "terminate": 1,
        "termination": 1.5,
        "whereas": 2,
        "shall": 0.5,
        "indemnify": 1,
        "indemnification": 1,
        "vertrag": 3,
        "vereinbarung": 2,
        "vertragsparteien": 3,
        "contrat": 3,
        "les parties": 2,
        "entre les soussignés": 3,
        "effective date": 2,
        "signature": 0.5,
        "signed": 0.5,
        "recipient": 0.5,
    },
    "rfp": {
        "request for proposal": 5,
        "request for proposals": 5,
        "rfp": 4,
        "request for quotation": 4,
        "rfq": 3,
        "request for information": 3,
        "tender": 3,
        "solicitation": 3,
        "proposals": 2,
        "proposal": 1,
        "submission deadline": 3,
        "scope of work": 2.5,
        "statement of work": 2,
        "evaluation criteria": 3,
        "bidders": 2.5,
        "bidder": 2,
        "offerors": 2.5,
        "appel d'offres": 5,
        "cahier des charges": 3,
        "ausschreibung": 5,
        "leistungsverzeichnis": 3,
        "vergabe": 2,
        "angebotsfrist": 3,
        "deadline": 1,
    },
}

_HEAD = 1500


def _bounded(phrase: str) -> str:
    return rf"(?<![^\W_]){re.escape(phrase)}(?![^\W_])"


# Keyword -> the (type, weight) pairs it scores for.
_WEIGHTS: dict[str, list[tuple[DocType, float]]] = {}
for _doc_type, _words in _KEYWORDS.items():
    for _word, _weight in _words.items():
        _WEIGHTS.setdefault(_word, []).append((_doc_type, _weight))
# One pass: every keyword in one alternation, longest first. A match also counts the keywords printed
# inside it ("invoice number" is an "invoice" too), as separate patterns each finding it would.
_COMBINED = re.compile(
    r"(?<![^\W_])(?:"
    + "|".join(re.escape(k) for k in sorted(_WEIGHTS, key=len, reverse=True))
    + r")(?![^\W_])",
    re.IGNORECASE,
)
_INSIDE: dict[str, tuple[str, ...]] = {
    k: tuple(k2 for k2 in _WEIGHTS if re.search(_bounded(k2), k, re.IGNORECASE)) for k in _WEIGHTS
}


def _scores(text: str) -> dict[DocType, float]:
    """Weighted keyword score per type, in one scan of the sample: repeats count with diminishing
    returns, a keyword in the heading (first 1,500 characters) counts double."""
    sample = text[:_SAMPLE]
    hits: Counter[str] = Counter()
    in_head: set[str] = set()
    for m in _COMBINED.finditer(sample):
        word = m.group(0).lower()
        inside = _INSIDE.get(word) or _INSIDE.get(word.casefold()) or ()
        for k in inside:
            hits[k] += 1
            if m.start() < _HEAD:
                in_head.add(k)
    scores: dict[DocType, float] = dict.fromkeys(_KEYWORDS, 0.0)
    for word, count in hits.items():
        for doc_type, weight in _WEIGHTS[word]:
            scores[doc_type] += weight * (1 + min(count - 1, 4) * 0.25)
            if word in in_head:
                scores[doc_type] += weight
    return scores


def classify_text(text: str) -> Classification:
    """The document type by weighted keywords in EN/FR/DE; "other" when no type stands out."""
    scores = _scores(text)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    best_type, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if best < 6:
        return Classification(doc_type="other", confidence=round(0.5 + 0.05 * (6 - best) / 6, 2))
    margin = (best - second) / best
    confidence = round(min(0.95, 0.5 + 0.45 * margin + min(best, 40) / 400), 2)
    return Classification(doc_type=best_type, confidence=confidence)
