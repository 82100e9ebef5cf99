"""Indonesian formatting for KPU reports: amounts, Rupiah, percentages, dates, number words.

This is the single owner of number and date formatting. Babel's CLDR data for the locale
"id" gives the group and decimal symbols and the month names, read once (on the first
figure, so that commands that format nothing never load Babel); the patterns ("#,##0",
"#,##0.00", "d MMMM y") are applied here, because Babel's own ``apply`` re-reads its
pattern on each of the thousands of figures a report holds. tests/test_formatting.py holds
every spelling to Babel's own formatting. Money is always integer Rupiah; floats are
refused everywhere.
"""

from __future__ import annotations

import datetime
import functools
import re
from decimal import Decimal
from fractions import Fraction

__all__ = [
    "LOCALE",
    "amount",
    "rupiah",
    "percent_decimal",
    "percent_number",
    "percent",
    "percent_formula",
    "percent_fraction",
    "date_id",
    "number_words",
    "count",
    "parse_amount",
]

LOCALE = "id"

# Largest number number_words() can spell (just below one thousand triliun).
MAX_WORDS = 999_999_999_999_999


@functools.cache
def _symbols() -> tuple[str, str, tuple[str, ...]]:
    """(group symbol, decimal symbol, the twelve month names) of ``LOCALE``, from Babel."""
    from babel.dates import get_month_names
    from babel.numbers import get_decimal_symbol, get_group_symbol

    months = get_month_names("wide", locale=LOCALE)
    return get_group_symbol(LOCALE), get_decimal_symbol(LOCALE), tuple(months[m] for m in range(1, 13))


def _grouped(n: int) -> str:
    """``n`` with the locale's group symbol every three digits (the "#,##0" pattern)."""
    return f"{n:,}".replace(",", _symbols()[0])


def _require_int(n: object, what: str = "n") -> int:
    """Return n if it is a real int (not bool); raise TypeError otherwise."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{what} must be an int (whole Rupiah / count), got {type(n).__name__}: {n!r}")
    return n


# --- amounts ---------------------------------------------------------------------------


def amount(n: int) -> str:
    """Plain amount for table cells: 18256293000 -> "18.256.293.000", -1500 -> "-1.500"."""
    _require_int(n)
    return _grouped(n)


def rupiah(n: int) -> str:
    """Rupiah in running text: "Rp18.256.293.000"; negative: "-Rp1.500"."""
    _require_int(n)
    if n < 0:
        return "-Rp" + amount(-n)
    return "Rp" + amount(n)


# --- percentages -----------------------------------------------------------------------


def _require_ratio(ratio: object) -> Fraction:
    if isinstance(ratio, bool) or not isinstance(ratio, (Fraction, int)):
        raise TypeError(f"ratio must be a Fraction (or None), got {type(ratio).__name__}: {ratio!r}")
    return Fraction(ratio)


def _percent_units(ratio: Fraction, places: int = 2) -> int:
    """The percentage in units of 10^-places percent, rounded half-up and clamped.

    THE rounding rule for every percentage kpu-docs shows (report, annex, diff, findings;
    DOMAIN.md "Formatting conventions"): half-up on the exact ratio (99,525% -> 99,53%),
    and never claiming what did not happen: 0 < p < 100 never gives 100 (-> 99,99),
    p > 0 never gives 0 (-> 0,01), p > 100 never gives 100 (-> 100,01). Negative values
    mirror this."""
    scale = 10**places
    hundred = 100 * scale
    scaled = ratio * hundred  # percent * 10^places, exact
    sign = -1 if scaled < 0 else 1
    mag = abs(scaled)
    q = int(mag + Fraction(1, 2))  # floor(mag + 1/2): half-up on the magnitude
    if mag != 0 and q == 0:
        q = 1
    elif q == hundred and mag < hundred:
        q = hundred - 1
    elif q == hundred and mag > hundred:
        q = hundred + 1
    return sign * q


def percent_decimal(ratio: Fraction | None, places: int = 2) -> Decimal | None:
    """Rounded, clamped percentage as a Decimal with ``places`` decimals (e.g. Decimal("99.52")).

    ``places`` other than 2 is for checking a percentage typed with fewer decimals ("100%")."""
    if ratio is None:
        return None
    q = _percent_units(_require_ratio(ratio), places)
    return Decimal(q).scaleb(-places)


def percent_formula(pagu: str, realisasi: str) -> str:
    """The same rule as ``percent_decimal`` as an Excel formula over two cell references,
    giving a fraction to show with the format ``0.00%`` ("" without pagu).

    ROUND is half away from zero on the 15-digit value, like ``percent_decimal`` on
    non-negative amounts; the clamps keep 0,00% and 100,00% for exactly 0 and 100."""
    p, r = pagu, realisasi
    x = f"ROUND({r}/{p},4)"
    return f'=IF({p}=0,"",IF(AND({r}<>0,{x}=0),0.0001,IF(AND({x}=1,{r}<>{p}),IF({r}<{p},0.9999,1.0001),{x})))'


def percent_fraction(ratio: Fraction | None) -> float | str:
    """The value ``percent_formula`` computes, for a cell's cached result ("" without pagu)."""
    d = percent_decimal(ratio)
    return "" if d is None else float(d / 100)


def percent_number(ratio: Fraction | None) -> str:
    """Percentage number without the sign: Fraction(9952, 10000) -> "99,52"; None -> "-"."""
    if ratio is None:
        return "-"
    units = _percent_units(_require_ratio(ratio))  # hundredths of a percent, as percent_decimal
    whole, hundredths = divmod(abs(units), 100)
    return f"{'-' if units < 0 else ''}{_grouped(whole)}{_symbols()[1]}{hundredths:02d}"  # "#,##0.00"


def percent(ratio: Fraction | None) -> str:
    """Percentage with sign, no space: "99,52%"; None -> "-"."""
    if ratio is None:
        return "-"
    return percent_number(ratio) + "%"


# --- dates -----------------------------------------------------------------------------

MONTHS = (  # as read in what offices type or download (lower case; January first)
    "januari",
    "februari",
    "maret",
    "april",
    "mei",
    "juni",
    "juli",
    "agustus",
    "september",
    "oktober",
    "november",
    "desember",
)


def date_id(d: datetime.date) -> str:
    """Indonesian long date: "31 Januari 2024"."""
    if not isinstance(d, datetime.date):
        raise TypeError(f"d must be a datetime.date, got {type(d).__name__}: {d!r}")
    return f"{d.day} {_symbols()[2][d.month - 1]} {d.year}"  # the pattern "d MMMM y"


# --- number words ----------------------------------------------------------------------

_UNITS = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]

# (value, name) from the largest scale down; "ribu" is handled specially (seribu).
_SCALES = [
    (10**12, "triliun"),
    (10**9, "miliar"),
    (10**6, "juta"),
    (10**3, "ribu"),
]


def _below_hundred(n: int) -> list[str]:
    if n == 0:
        return []
    if n < 10:
        return [_UNITS[n]]
    if n == 10:
        return ["sepuluh"]
    if n == 11:
        return ["sebelas"]
    if n < 20:
        return [_UNITS[n - 10], "belas"]
    tens, units = divmod(n, 10)
    return [_UNITS[tens], "puluh"] + _below_hundred(units)


def _below_thousand(n: int) -> list[str]:
    hundreds, rest = divmod(n, 100)
    words: list[str] = []
    if hundreds == 1:
        words.append("seratus")
    elif hundreds > 1:
        words += [_UNITS[hundreds], "ratus"]
    return words + _below_hundred(rest)


def number_words(n: int) -> str:
    """Indonesian words for 0 <= n <= 999 999 999 999 999: 1001000 -> "satu juta seribu"."""
    _require_int(n)
    if n < 0:
        raise ValueError(f"number_words needs a non-negative number, got {n}")
    if n > MAX_WORDS:
        raise ValueError(f"number_words supports up to {MAX_WORDS}, got {n}")
    if n == 0:
        return "nol"
    words: list[str] = []
    rest = n
    for value, name in _SCALES:
        group, rest = divmod(rest, value)
        if group == 0:
            continue
        if group == 1 and name == "ribu":
            words.append("seribu")
        else:
            words += _below_thousand(group) + [name]
    words += _below_thousand(rest)
    return " ".join(words)


def count(n: int, noun: str) -> str:
    """Count in formal text, digits then words: count(10, "Kegiatan") -> "10 (sepuluh) Kegiatan"."""
    return f"{amount(n)} ({number_words(n)}) {noun}"


# --- parsing ---------------------------------------------------------------------------

_AMOUNT_RE = re.compile(
    r"""
    (?:Rp\.?\s*)?                               # optional currency: Rp, Rp., with optional space
    (?P<num>[0-9]+|[1-9][0-9]{0,2}(?:\.[0-9]{3})+)  # plain digits, or correctly grouped thousands
    (?:,00|,-)?                                 # optional ",00" or ",-"
    """,
    re.VERBOSE | re.IGNORECASE,
)

_PARSE_HINT = 'tulis bilangan bulat seperti 18256293000 atau "18.256.293.000"'


def parse_amount(text: str) -> int:
    """Parse Indonesian money text ("Rp18.256.293.000", "18.256.293.000,00", ...) into int Rupiah."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}: {text!r}")
    s = text.strip()
    if s.startswith("-"):
        raise ValueError(f"{text!r} bukan jumlah Rupiah yang sah: jumlah tidak boleh negatif; {_PARSE_HINT}")
    m = _AMOUNT_RE.fullmatch(s)
    if m is None:
        raise ValueError(f"{text!r} bukan jumlah Rupiah yang sah: {_PARSE_HINT}")
    return int(m.group("num").replace(".", ""))
