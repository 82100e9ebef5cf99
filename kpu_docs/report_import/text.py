"""Tolerant reading of hand-typed and OCR'd report text: words, list markers, figures.

Words may carry OCR typos ("anggaramya", "reallsasi"), so keywords are matched loosely.
Figures never are: a money or percent token is read exactly or not at all (``None``), so a
figure is never guessed.
"""

from __future__ import annotations

import difflib
import re
from decimal import Decimal
from fractions import Fraction

from kpu_docs.formatting import percent_decimal
from kpu_docs.input.load import clean_text

# Letters OCR or a copy from a PDF put in place of Latin ones (seen in the example: "Sulistyو").
_CONFUSABLES = str.maketrans(
    {
        "\u0648": "o",  # Arabic waw
        "\u043e": "o",
        "\u0430": "a",
        "\u0435": "e",
        "\u0456": "i",
        "\u0455": "s",
        "\u0458": "j",
        "\u0440": "p",
        "\u0441": "c",
        "\u0443": "y",
        "\u0445": "x",
        "\u041e": "O",
        "\u0410": "A",
        "\u0412": "B",
        "\u0415": "E",
        "\u041a": "K",
        "\u041c": "M",
        "\u041d": "H",
        "\u0420": "P",
        "\u0421": "C",
        "\u0422": "T",
        "\u0425": "X",
        "\u00a0": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u200b": "",
        "\ufeff": "",
        "\u00ad": "",
        "\u2010": "-",
        "\u2011": "-",
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\uf0b7": "\u2022",
        "\uf0d8": "\u27a4",
    }
)

BULLETS = "-\u2013\u2014\u2022\u27a4\u25aa\u25cf\u25e6\u25ba\u2192*\u2043\u25a0\u25a1\u2023\u27a2"
_MARKER = re.compile(
    rf"""^\s*(?:[{BULLETS}]\s*)*          # bullets: - • ➤ ...
        (?:(?P<label>\d{{1,3}}|[A-Za-z])[.)](?=\s|\*|$)\s*)?   # 1. a. A. 1)
        (?:[{BULLETS}]\s+)*""",
    re.VERBOSE,
)


_NOT_YAML = re.compile("[\u0085\u2028\u2029\ufffe\uffff]")  # line breaks or refused in YAML text


def clean(text: str) -> str:
    """One line or paragraph: confusables mapped, markdown emphasis dropped, spaces collapsed.

    Control characters get the input's own rule (``load.clean_text``: a Word line break is a
    space, U+0096 an en dash, any other a space), so the draft is always valid YAML."""
    text = _NOT_YAML.sub(" ", clean_text(text)[0])
    text = text.translate(_CONFUSABLES).replace("**", "").replace("__", "")
    return re.sub(r"[ \t\r\f\v]+", " ", text).strip()


def strip_marker(text: str) -> tuple[str | None, str]:
    """``"- a. Nama (kode)"`` -> ``("a", "Nama (kode)")``; the label is None for bullets only."""
    m = _MARKER.match(text)
    if not m:
        return None, text.strip()
    return m.group("label"), text[m.end() :].strip()


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def similar(a: str, b: str) -> float:
    """0..1 likeness of two phrases, case and punctuation ignored."""
    return difflib.SequenceMatcher(None, " ".join(words(a)), " ".join(words(b))).ratio()


def starts_like(text: str, phrase: str, cutoff: float = 0.8) -> bool:
    """Does ``text`` begin with ``phrase``, allowing OCR typos in its words?"""
    n = len(phrase.split())
    head = " ".join(words(text)[:n])
    return difflib.SequenceMatcher(None, head, phrase.lower()).ratio() >= cutoff


def find_word(text: str, word: str, cutoff: float = 0.8) -> int | None:
    """Character offset of the first word like ``word`` (OCR-tolerant), or None."""
    for m in re.finditer(r"[A-Za-z]+", text):
        if difflib.SequenceMatcher(None, m.group(0).lower(), word).ratio() >= cutoff:
            return m.start()
    return None


# --- figures --------------------------------------------------------------------------------

# A money token as typed: digits, dots, commas, and letters OCR puts in place of digits
# (O, l, I, S), which make the token unreadable rather than silently different.
# A space or dash inside the digits ("1.205 .118", "1.205-118") is part of the token, so that it is
# unreadable rather than read as its first part.
_MONEY = re.compile(
    r"Rp\s*\.?\s*(?P<tok>[0-9OoIlS](?:[0-9OoIlS.,]|\s(?=[0-9])|\s+(?=[.,][0-9])|\s*-(?=[0-9]))*)", re.IGNORECASE
)
_PLAIN = re.compile(r"[0-9]+")
_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+")


def read_amount(token: str) -> int | None:
    """Whole Rupiah from ``18.256.293.000``, ``1000``, ``1.000,00``; None if not exact."""
    t = token.strip().rstrip(".,;:")
    t = re.sub(r",(?:00|-)$", "", t)
    if _PLAIN.fullmatch(t) or _GROUPED.fullmatch(t):
        return int(t.replace(".", ""))
    return None


def money_tokens(text: str) -> list[tuple[int, str, int | None]]:
    """Every ``Rp…`` in ``text``: (offset, token as written, Rupiah or None if unreadable)."""
    out = []
    for m in _MONEY.finditer(text):
        tok = m.group("tok").strip()
        if tok.endswith((".", ",")) and not re.search(r"[.,](?:00|-)$", tok):
            tok = tok.rstrip(".,")
        out.append((m.start(), tok, read_amount(tok)))
    return out


# The whole token up to "%" ("99.5.2%", "9 9.52%"), so that a damaged one is unreadable rather
# than read as its tail (5.2%).
_PERCENT = re.compile(r"(?<![A-Za-z0-9.,])(?P<tok>[0-9OoIl](?:[0-9OoIl.,]|\s(?=[0-9]))*)\s*%")


def percent_tokens(text: str) -> list[tuple[str, Decimal | None]]:
    """Every ``99.52%`` / ``99,52%`` / ``100%``: (as written, value in percent or None)."""
    out = []
    for m in _PERCENT.finditer(text):
        tok = m.group("tok")
        out.append((tok, read_percent(tok)))
    return out


def read_percent(token: str) -> Decimal | None:
    t = token.strip().replace(",", ".")
    if re.fullmatch(r"[0-9]{1,3}(?:\.[0-9]{1,3})?", t):
        return Decimal(t)
    return None


def percent_matches(stated: Decimal, pagu: int, realisasi: int) -> bool:
    """Is ``stated`` (a percent, e.g. Decimal("99.52")) realisasi/pagu rounded to the places it
    was written with, by the one rule (``formatting.percent_decimal``; DOMAIN.md)? No pagu: only 0."""
    if pagu == 0:
        return stated == 0
    places = max(0, -int(stated.as_tuple().exponent))
    return percent_decimal(Fraction(realisasi, pagu), places) == stated


# --- counts ------------------------------------------------------------------------------------

_COUNT = re.compile(r"(?P<n>\d{1,3})\s*(?:\((?P<w>[A-Za-z ]+)\))?\s*(?P<noun>[A-Za-z. ]{0,30})")


def read_count(text: str, after: str) -> tuple[int, str | None, str] | None:
    """The count after a keyword ("terdiri dari 4 (empat) Kegiatan"): (4, "empat", "Kegiatan")."""
    at = find_word(text, after.split()[0])
    while at is not None:
        rest = text[at:]
        m = re.match(rf"[A-Za-z]+\s+[A-Za-z]+\s+{_COUNT.pattern}", rest)
        if m:
            words_ = " ".join(m.group("w").split()).lower() if m.group("w") else None
            return int(m.group("n")), words_, m.group("noun").strip()
        nxt = find_word(text[at + 1 :], after.split()[0])
        at = None if nxt is None else at + 1 + nxt
    return None


# --- names ----------------------------------------------------------------------------------

_NAME_TOKEN = re.compile(r"^(?:[A-Z][a-z'\-]+|[A-Z]{1,4}|[A-Z]\.|[A-Z][a-z]?\.|[A-Z][a-z]+\.)$")


def name_flaws(name: str) -> int:
    """How many tokens of a person's name do not look like name words (OCR damage)."""
    return sum(1 for t in name.split() if not _NAME_TOKEN.match(t) or re.fullmatch(r"[A-Z][a-z]{2,}\.", t))


def looks_like_name(text: str) -> bool:
    toks = text.split()
    return (
        1 <= len(toks) <= 6 and not re.search(r"\d", text) and name_flaws(text) <= len(toks) // 2 and text[:1].isupper()
    )


def split_names(text: str) -> list[str]:
    """``"A, B, dan C"`` -> ``["A", "B", "C"]``."""
    text = text.strip().rstrip(".;")
    parts = re.split(r"\s*,\s*(?:dan\s+)?|\s+dan\s+", text)
    return [p.strip() for p in parts if p.strip()]


_SMALL_WORDS = {"dan", "atau", "di", "ke", "dari", "yang", "untuk", "serta"}


def title_case(text: str) -> str:
    """``"Petugas keamanan/jaga"`` -> ``"Petugas Keamanan/Jaga"`` (capitals kept; "dan" stays)."""

    def up(m: re.Match) -> str:
        word = m.group(2)
        return m.group(1) + (word if word in _SMALL_WORDS and m.start() else word[:1].upper() + word[1:])

    return re.sub(r"(^|[\s/])([a-z][\w-]*)", up, " ".join(text.split()))


def ends_sentence(text: str) -> bool:
    return bool(re.search(r"[.:;!?\"')\]%]\s*$", text))
