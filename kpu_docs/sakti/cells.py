"""One cell of a SAKTI export: Rupiah, %, codes and text, as SAKTI and Excel write them.

Every reader here is bounded: a % like ``1E-100000000`` is refused before any arithmetic.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl.utils import get_column_letter

from kpu_docs.formatting import parse_amount

_X000D = re.compile(r"_x000[dDaA]_")  # Excel's escaped CR/LF inside shared strings
_LABEL_NOISE = re.compile(r"[\s./*]+")
MAX_EXPONENT = 30  # a % (or its fraction) never needs more


def filled(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def column(index: int) -> str:
    """0-based column index → its letter (0 → A, 25 → Z, 29 → AD)."""
    return get_column_letter(index + 1)


def clean_text(value: Any) -> tuple[str, bool]:
    """A text cell with ``_x000D_`` escapes and line breaks turned into spaces; also whether it had any."""
    text = str(value)
    cleaned = _X000D.sub(" ", text)
    had = cleaned != text
    return re.sub(r"\s+", " ", cleaned).strip(), had


def norm(value: Any) -> str:
    """Header label for matching: case, spaces, dots and slashes do not count."""
    text = str(value)
    if "_x" in text:
        text = _X000D.sub(" ", text)
    return _LABEL_NOISE.sub("", text.lower())


def money(value: Any) -> int | None:
    """A Rupiah cell: a number or Indonesian text (``500.919.458``); may be negative (sisa).

    Empty → None; ``-`` → 0. Raises ValueError (Indonesian) for anything else, e.g. 12.5."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} bukan jumlah Rupiah")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value - round(value)) > 1e-6:
            raise ValueError(f"{value!r} bukan Rupiah bulat")
        return int(round(value))
    if not isinstance(value, str):
        raise ValueError(f"{value!r} bukan jumlah Rupiah")
    text = value.replace("\u00a0", " ").strip()
    if text in ("", "-", "–", "—"):
        return 0 if text else None
    negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
    body = text.strip("()").lstrip("-").strip()
    plain = re.fullmatch(r"(\d{1,15})\.0{1,2}", body)  # 851584516.00 from a system writing decimals
    number = int(plain.group(1)) if plain else parse_amount(body)
    return -number if negative else number


def percent(value: Any) -> tuple[Decimal, str | None] | None:
    """The % cell as written: (value, text), text when it was written as text. Bounded:
    more than 40 characters or an exponent beyond ±30 is refused (ValueError)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"'{value}' bukan persentase")
        number, text = repr(value), None
    else:
        text = str(value).replace("\u00a0", " ").strip()
        if text in ("", "-"):
            return None
        number = text.rstrip("%").strip()
        if "," in number:  # Indonesian decimal comma
            number = number.replace(".", "").replace(",", ".")
    shown = text or number
    if len(number) > 40:
        raise ValueError(f"'{shown[:20]}…' bukan persentase")
    try:
        parsed = Decimal(number)
    except InvalidOperation:
        parsed = None
    if parsed is None or not parsed.is_finite() or abs(exponent(parsed)) > MAX_EXPONENT:
        raise ValueError(f"'{shown}' bukan persentase")
    return parsed, text


def code_text(value: Any) -> str:
    """A code cell as text without spaces; a numeric cell loses its ``.0``."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return re.sub(r"\s+", "", str(value))


def exponent(value: Decimal) -> int:
    """A finite Decimal's exponent: ``Decimal("99.52")`` → -2 (the decimals it was written with)."""
    found = value.as_tuple().exponent
    assert isinstance(found, int), "only finite values have an exponent"
    return found
