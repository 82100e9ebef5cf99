"""What a SAKTI export says, once read: its rows placed in the budget tree, its grand total,
where it comes from (satker, period, basis) and what was found while reading it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from kpu_docs.vocabulary import LEVELS

TOTAL_LABEL = "JUMLAH SELURUHNYA"

# Levels are depths in the tree (vocabulary.Level), kept as plain ints in ``Row.level``.
PROGRAM, KEGIATAN, KRO, RO, KOMPONEN, SUB_KOMPONEN, AKUN, DETAIL = (int(level.level) for level in LEVELS)
LEVEL_NAMES = tuple(level.name for level in LEVELS)

MONEY_FIELDS = ("pagu", "lock_pagu", "realisasi_lalu", "realisasi_ini", "realisasi", "sisa")
LABELS = {
    "kode": "Kode",
    "uraian": "Uraian",
    "pagu": "Pagu Revisi",
    "lock_pagu": "Lock Pagu",
    "realisasi_lalu": "Realisasi Periode Lalu",
    "realisasi_ini": "Realisasi Periode Ini",
    "realisasi": "Realisasi s.d. Periode",
    "persen": "%",
    "sisa": "Sisa Anggaran",
}


@dataclass
class Row:
    """One node of the export, placed in the tree. Figures are whole Rupiah (None: empty)."""

    line: int  # 1-based row number in the sheet or file
    code: str  # full code (CQ.6709.QGE.001); "" for the grand total
    name: str
    level: int
    parent: str | None
    pagu: int | None = None
    realisasi: int | None = None
    realisasi_lalu: int | None = None
    realisasi_ini: int | None = None
    sisa: int | None = None
    persen: Decimal | None = None
    persen_text: str | None = None  # the % as written, when written as text
    columns: dict[str, int] = field(default_factory=dict)  # figure → the 0-based column it was read from

    @property
    def subject(self) -> str:
        return f"baris {self.line}, {self.code or TOTAL_LABEL}"


@dataclass
class Source:
    """Where the figures come from, read from the title rows or the file name."""

    report: str = ""  # "GLP039", "POK" or "" (the documented one-row layout)
    period: str = ""  # "Desember 2023"
    basis: str = ""  # "akrual" or "kas (SP2D)"
    satker: str = ""  # 6-digit satker code
    satker_name: str = ""


@dataclass
class Export:
    """A parsed export: rows in file order, the grand total, title lines and what reading found.

    ``errors`` block the import (the export does not reconcile, or rows could not be placed);
    ``warnings`` are shown; ``pagu_only`` marks a POK worksheet (no realisasi)."""

    path: Path
    rows: list[Row]
    total: Row | None
    titles: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source: Source = field(default_factory=Source)
    pagu_only: bool = False

    def __post_init__(self) -> None:
        self._by_code = {row.code: row for row in self.rows}
        self._children: dict[str, list[Row]] = {}
        for row in self.rows:
            if row.parent is not None:
                self._children.setdefault(row.parent, []).append(row)

    def row(self, code: str) -> Row | None:
        return self._by_code.get(code)

    def children(self, code: str) -> list[Row]:
        return self._children.get(code, [])

    @property
    def roots(self) -> list[Row]:
        return [r for r in self.rows if self.row(r.parent or "") is None]

    @property
    def levels(self) -> set[int]:
        return {row.level for row in self.rows}

    @property
    def years(self) -> set[int]:
        return {int(y) for title in self.titles for y in re.findall(r"\b(20\d\d)\b", title)}
