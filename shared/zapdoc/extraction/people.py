"""Resume fields: the candidate's name and contact line, latest job, latest education, skills.

Resumes have few labels; their structure is a header (name, then a contact line) and sections
("Experience", "Education", "Skills" in EN/FR/DE) whose first entry is the latest.
"""

from __future__ import annotations

import re

from zapdoc.domain.normalize import find_dates
from zapdoc.extraction import confidence as cf
from zapdoc.extraction.context import DocContext
from zapdoc.extraction.dates import find_ranges, ongoing_pattern
from zapdoc.extraction.patterns import find_emails, find_phones, find_urls
from zapdoc.extraction.search import Candidate

_HEADINGS: dict[str, str] = {
    "experience": r"(?:work\s|professional\s|relevant\s)?experience|employment(?:\shistory)?|work\shistory|"
    r"career|berufserfahrung|berufliche\serfahrung|berufspraxis|expérience(?:s)?(?:\sprofessionnelle(?:s)?)?|"
    r"parcours\sprofessionnel|werkervaring",
    "education": r"education|academic\sbackground|qualifications|studies|ausbildung|bildung|studium|"
    r"formation(?:s)?|études|opleiding",
    "skills": r"(?:technical\s|key\s|core\s)?skills|competencies|technologies|kenntnisse|fähigkeiten|"
    r"compétences|vaardigheden|expertise",
    "other": r"projects?|publications?|awards?|honou?rs|selected\shonou?rs|certifications?|languages?|"
    r"interests|references|volunteer(?:ing)?|summary|profile|objective|about(?:\sme)?|activities|"
    r"extracurricular\sactivities|teaching|talks|patents|contact|sprachen|projekte|langues|projets|"
    r"centres\sd'intérêt|hobbies",
}
_HEADING_RES = {k: re.compile(rf"^(?:{v})\s?:?$", re.IGNORECASE) for k, v in _HEADINGS.items()}

_POSITION_WORDS = re.compile(
    r"(?i)(?<![^\W\d_])(?:intern|internship|engineer|developer|manager|director|founder|co-founder|cto|ceo|cfo|coo|"
    r"analyst|scientist|consultant|researcher|research\sassistant|lead|head|designer|architect|specialist|assistant|"
    r"associate|officer|president|vp|professor|lecturer|student|teacher|administrator|coordinator|technician|"
    r"programmer|owner|partner|fellow|postdoc|editor|writer|accountant|nurse|clerk|supervisor|chief|"
    r"stagiaire|ingénieur|développeur|chef|responsable|directeur|directrice|conseiller)(?![^\W\d_])"
    # German titles are compounds: "Softwareentwickler", "Projektleiterin"
    r"|(?i:[^\W\d_]{0,20}(?:werkstudent|praktikant|entwickler|ingenieur|leiter|berater|referent|kaufmann|"
    r"kauffrau|techniker|architekt|manager)(?:in)?(?![^\W\d_]))"
)
_DEGREE_RE = re.compile(
    r"(?<![^\W\d_])(Ph\.?\s?D\.?|D\.?Phil|M\.?\s?Sc\.?|B\.?\s?Sc\.?|M\.?\s?Eng\.?|B\.?\s?Eng\.?|M\.?B\.?A\.?|"
    r"B\.?\s?S\.?|M\.?\s?S\.?|B\.?\s?A\.?|M\.?\s?A\.?|LL\.?M\.?|LL\.?B\.?|J\.?D\.?|M\.?D\.?|"
    r"Bachelor(?:'s)?(?:\sof\s\w+)?|Master(?:'s)?(?:\sof\s\w+)?|Doctor(?:ate)?(?:\sof\s\w+)?|Diplom(?:-\w+)?|"
    r"Licence|Maîtrise|Doctorat|BTS|DUT|Abitur|Associate(?:'s)?\sDegree|High\sSchool\sDiploma)(?![^\W\d_])"
)
_INSTITUTION_RE = re.compile(
    r"(?i)(?:universit(?:y|ät|é|e|eit|à|ad)|college|institute|institut|school|hochschule|academy|académie|"
    r"polytechnic|polytechnique|école|ecole|fachhochschule|\bETH\b|\bMIT\b|\bEPFL\b)"
)
_DATE_RANGE_RE = re.compile(
    r"(?i)(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}\.?\s)?(?:19|20)\d{2}"
    r"\s?(?:–|-|—|to|bis|à)\s?(?:(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}\.?\s)?"
    r"(?:19|20)\d{2})"
)
_SPLIT_RE = re.compile(r"\s?[|•·]\s?|\s{2,}")
_NAME_RE = re.compile(r"^[A-ZÀ-ÖØ-Þ][\w'’.-]{0,30}(?:\s[A-ZÀ-ÖØ-Þ][\w'’.-]{0,30}){1,3}$")
_NOT_PERSON = re.compile(
    r"(?i)(?:curriculum|vitae|resume|résumé|lebenslauf|updated|page|welcome|invoice|rechnung|facture|agreement)"
)
_LOCATION_RE = re.compile(r"^[A-ZÀ-ÖØ-Þ][\w .'’-]{1,40},\s?[A-Z][\w .'’-]{1,30}$")


def _sections(ctx: DocContext) -> dict[str, int]:
    """Index of the first heading line of each section kind."""
    found: dict[str, int] = {}
    for line in ctx.lines:
        text = line.text.strip()
        if len(text) > 45:
            continue
        for kind, pattern in _HEADING_RES.items():
            if pattern.match(text):
                found.setdefault(kind, line.index)
                break
    return found


def _is_heading(text: str) -> bool:
    text = text.strip()
    return len(text) <= 45 and any(p.match(text) for p in _HEADING_RES.values())


def _entry_lines(ctx: DocContext, section: str, count: int = 4) -> list[tuple[int, str]]:
    """The first lines of a section's first entry (bullets and headings excluded)."""
    start = _sections(ctx).get(section)
    if start is None:
        return []
    out: list[tuple[int, str]] = []
    for line in ctx.lines[start + 1 : start + 12]:
        text = line.text
        if _is_heading(text):
            break
        if re.match(r"^[•◦◆▪►■●*\-–]\s", text):
            if out:
                break
            continue
        out.append((line.index, text))
        if len(out) >= count:
            break
    return out


def _strip_dates_places(text: str) -> str:
    for r in reversed(find_ranges(text)):
        text = text[: r.span[0]] + " " + text[r.span[1] :]
    text = _DATE_RANGE_RE.sub(" ", text)
    for d in reversed(find_dates(text)):
        text = text[: d.start] + text[d.end :]
    text = ongoing_pattern().sub(" ", text)
    # "Company – City, ST": the part after a dash is a place
    text = re.split(r"\s[–—]\s", text)[0]
    return re.sub(r"\s+", " ", text).strip(" ,–-|")


def _header_lines(ctx: DocContext) -> list[int]:
    return [line.index for line in ctx.lines[:12] if line.page == 1]


def extract_name(ctx: DocContext) -> Candidate | None:
    for i in _header_lines(ctx):
        text = ctx.lines[i].text.strip()
        if _NAME_RE.match(text) and not _NOT_PERSON.search(text) and not _is_heading(text):
            return Candidate(text, cf.PERSON_NAME, i, i, 0, len(text))
    return None


def _contact_line(ctx: DocContext) -> int | None:
    for i in _header_lines(ctx):
        if find_emails(ctx.lines[i].text):
            return i
    return None


def extract_email(ctx: DocContext) -> Candidate | None:
    for line in ctx.lines:
        emails = find_emails(line.text)
        if emails:
            e = emails[0]
            conf = cf.PERSON_EMAIL_TOP if line.index < 12 else cf.PERSON_EMAIL_LOWER
            return Candidate(e.value, conf, line.index, line.index, e.start, e.end)
    return None


def extract_phone(ctx: DocContext) -> Candidate | None:
    for i in _header_lines(ctx):
        phones = find_phones(ctx.lines[i].text)
        if phones:
            p = phones[0]
            return Candidate(p.value, cf.PERSON_PHONE_CONTACT_LINE, i, i, p.start, p.end)
    labelled = re.compile(r"(?i)(?:phone|tel|mobile|téléphone|telefon|handy)\.?\s?:?\s?")
    for line in ctx.lines:
        m = labelled.search(line.text)
        if m:
            phones = find_phones(line.text[m.end() :], strict=False)
            if phones and phones[0].start <= 3:
                p = phones[0]
                return Candidate(
                    p.value,
                    cf.PERSON_PHONE_LABELLED,
                    line.index,
                    line.index,
                    m.end() + p.start,
                    m.end() + p.end,
                )
    return None


def _contact_parts(ctx: DocContext) -> tuple[int, list[str]] | None:
    i = _contact_line(ctx)
    if i is None:
        return None
    parts = [p.strip() for p in _SPLIT_RE.split(ctx.lines[i].text) if p.strip()]
    return i, parts


def extract_location(ctx: DocContext) -> Candidate | None:
    contact = _contact_parts(ctx)
    if contact is None:
        return None
    i, parts = contact
    for part in parts:
        # text before the email on an unseparated line: "San Francisco, CA john.doe@x.com"
        place = re.split(r"\s(?=\S+@)", part)[0]
        if _LOCATION_RE.match(place) and not find_emails(place):
            return Candidate(place, cf.PERSON_LOCATION, i, i)
    return None


def extract_website(ctx: DocContext) -> Candidate | None:
    contact = _contact_parts(ctx)
    if contact is None:
        return None
    i, _ = contact
    text = ctx.lines[i].text
    emails = find_emails(text)
    urls = [u for u in find_urls(text) if not any(e.start <= u.start < e.end for e in emails)]
    personal = [
        u for u in urls if not re.search(r"(?i)linkedin|github|twitter|x\.com|orcid|scholar", str(u.value))
    ]
    chosen = personal or urls
    if not chosen:
        return None
    u = chosen[0]
    return Candidate(u.value, cf.PERSON_SITE if personal else cf.PERSON_SITE_OTHER, i, i, u.start, u.end)


def _split_entry(lines: list[tuple[int, str]]) -> tuple[list[str], int, int] | None:
    if not lines:
        return None
    first_index, first = lines[0]
    parts = [p.strip() for p in _strip_dates_places(first).split(",") if p.strip()]
    last_index = first_index
    if len(parts) < 2 and len(lines) > 1:
        second_index, second = lines[1]
        extra = _strip_dates_places(second)
        if extra and not _LOCATION_RE.match(extra):
            parts.append(extra)
            last_index = second_index
    return parts, first_index, last_index


def extract_job(ctx: DocContext, want: str) -> Candidate | None:
    """``want`` = "employer" or "position" of the first entry under Experience."""
    entry = _split_entry(_entry_lines(ctx, "experience"))
    if entry is None:
        return None
    parts, first, last = entry
    if not parts:
        return None
    positions = [p for p in parts if _POSITION_WORDS.search(p)]
    others = [p for p in parts if not _POSITION_WORDS.search(p)]
    if want == "position":
        value = positions[0] if positions else (parts[1] if len(parts) > 1 else None)
    else:
        value = (
            others[0] if others else (parts[0] if len(parts) > 1 and parts[0] not in positions[:1] else None)
        )
    if not value:
        return None
    return Candidate(value, cf.PERSON_JOB, first, last)


def extract_education(ctx: DocContext, want: str) -> Candidate | None:
    """``want`` = "institution" or "degree" of the first entry under Education."""
    lines = _entry_lines(ctx, "education", count=3)
    if not lines:
        return None
    first, last = lines[0][0], lines[-1][0]
    for index, text in lines:
        cleaned = _strip_dates_places(text)
        if want == "degree":
            m = _DEGREE_RE.search(cleaned)
            if m:
                return Candidate(m.group(1), cf.PERSON_EDUCATION, index, index)
        else:
            for part in re.split(r",\s|\s[–—]\s", cleaned):
                m = _INSTITUTION_RE.search(part)
                if m:
                    name = _DEGREE_RE.sub("", part).strip(" ,")
                    name = re.sub(r"^(?:in|at)\s", "", name)
                    if name:
                        return Candidate(name, cf.PERSON_EDUCATION, index, index)
    del first, last
    return None


_SKILL_NOISE = re.compile(
    r"(?i)^(?:and|or|proficient\s(?:with|in)|good\sunderstanding\sof|familiar\swith|experience\swith|"
    r"knowledge\sof|basic|advanced|fluent|native|etc\.?)\s?"
)


def extract_skills(ctx: DocContext) -> Candidate | None:
    start = _sections(ctx).get("skills")
    if start is None:
        return None
    items: list[str] = []
    last = start
    for line in ctx.lines[start + 1 : start + 25]:
        if _is_heading(line.text):
            break
        text = re.sub(r"^[•◦◆▪►■●*\-–]\s", "", line.text)
        if ":" in text[:40]:
            text = text.split(":", 1)[1]
        for raw in re.split(r"[,;]|\sand\s|\s[|•·]\s", text):
            item = raw.strip(" .")
            while True:
                cleaned = _SKILL_NOISE.sub("", item).strip(" .")
                if cleaned == item:
                    break
                item = cleaned
            if item and len(item) <= 40 and len(item.split()) <= 4:
                items.append(item)
        last = line.index
    if not items:
        return None
    return Candidate(items, cf.PERSON_SKILLS, start, last)
