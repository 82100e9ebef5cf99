"""The header of an export: which column holds what, found from the labels, never fixed letters.

A label owns the columns from its own up to the next labelled one (a merged header cell is
read by openpyxl in its first column only), so a value written one column further right on
detail rows than on the total row (GLP039's s.d. Periode and Sisa Anggaran) is still found.
A two-row header is read as two rows: ``Realisasi`` is taken from ``s.d. Periode`` below it,
never from the first column under the merge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kpu_docs.errors import ImportRefused

from .cells import column, norm
from .export import LABELS
from .files import MAX_COLUMNS, Sheet

# field → accepted header labels (normalised), preferred first
_ALIASES: dict[str, tuple[str, ...]] = {
    "kode": ("kode",),
    "uraian": (
        "uraian",
        "programkegiatanoutputsuboutputkomponensubkomponenakundetil",
        "programkegiatankrorokomponensubkomponenakundetil",
    ),  # the POK's long label
    "pagu": ("pagurevisi", "pagu", "jumlahbiaya"),
    "lock_pagu": ("lockpagu",),
    "realisasi_lalu": ("realisasiperiodelalu",),
    "realisasi_ini": ("realisasiperiodeini",),
    "realisasi": ("realisasisdperiode", "realisasi"),
    "persen": ("%",),
    "sisa": ("sisaanggaran",),
}
_SUB_LABELS = {"periodelalu": "realisasi_lalu", "periodeini": "realisasi_ini", "sdperiode": "realisasi"}
_HINT = re.compile(r"(?i)pagu|periode|uraian|sisa|kode")
FIGURE_FIELDS = ("pagu", "lock_pagu", "realisasi_lalu", "realisasi_ini", "realisasi", "persen", "sisa")


@dataclass
class Header:
    """Where the header is (0-based rows) and the columns each field owns: [start, end)."""

    sheet: Sheet
    top: int
    rows: int  # 1 or 2
    spans: dict[str, tuple[int, int]]
    boundaries: list[int]

    @property
    def first_data(self) -> int:
        return self.top + self.rows

    @property
    def has_kode(self) -> bool:
        return "kode" in self.spans

    @property
    def structure_end(self) -> int:
        """Columns before the first figure column hold codes and names (GLP039)."""
        return min(self.spans[f][0] for f in FIGURE_FIELDS if f in self.spans)

    def label(self, field: str) -> str:
        start, end = self.spans[field]
        letters = column(start) if end - start == 1 or end > MAX_COLUMNS else f"{column(start)}–{column(end - 1)}"
        return f"{LABELS[field]} (kolom {letters})"

    def is_header(self, texts: list[str]) -> bool:
        """A header row repeated on a later printed page (``texts``: its filled text cells)."""
        if not any(len(t) < 40 and _HINT.search(t) for t in texts):
            return False
        found = _labels(texts)
        return len(found) >= 3 or any(norm(c) in _SUB_LABELS for c in texts)


def _labels(row: list[Any]) -> dict[str, int]:
    labels = [norm(c) if isinstance(c, str) else "" for c in row]
    found: dict[str, int] = {}
    for name, aliases in _ALIASES.items():
        for alias in aliases:
            if alias in labels:
                found[name] = labels.index(alias)
                break
    return found


def find_header(sheets: list[Sheet], path: Path) -> Header:
    """The header of the sheet whose header names the most fields. Raises KpuDocsError when
    there is none, when a required column is missing, or when a merged ``Realisasi`` has no
    ``s.d. Periode`` under it."""
    best: tuple[Sheet, int, dict[str, int]] | None = None
    for sheet in sheets:
        for i, row in enumerate(sheet.rows[:200]):
            found = _labels(row)
            if len(found) >= 3:
                if best is None or len(found) > len(best[2]):
                    best = (sheet, i, found)
                break
    if best is None:
        raise ImportRefused(
            f"{path}: baris judul kolom tidak ditemukan. Ekspor realisasi SAKTI (GLP039) memuat kolom "
            "Uraian, Pagu Revisi, Realisasi (Periode Lalu, Periode Ini, s.d. Periode), % dan Sisa Anggaran: "
            "apakah ini memang ekspor realisasi SAKTI?"
        )
    sheet, top, found = best
    where = f"{path}, baris {top + 1}"
    for field in ("uraian", "pagu"):
        if field not in found:
            raise ImportRefused(f"{where}: kolom '{LABELS[field]}' tidak ditemukan pada baris judul kolom")
    labelled = {c for c, v in enumerate(sheet.rows[top]) if isinstance(v, str) and v.strip()}
    rows = 1
    below = sheet.rows[top + 1] if top + 1 < len(sheet.rows) else []
    subs = {_SUB_LABELS[norm(v)]: c for c, v in enumerate(below) if isinstance(v, str) and norm(v) in _SUB_LABELS}
    if subs:
        rows = 2
        labelled |= set(subs.values())
        if (
            "realisasi" not in subs
            and found.get("realisasi") in labelled
            and norm(sheet.rows[top][found["realisasi"]]) == "realisasi"
        ):
            raise ImportRefused(
                f"{where}: judul 'Realisasi' bergabung di atas beberapa kolom, tetapi baris {top + 2} di bawahnya "
                "tidak memuat 's.d. Periode': realisasi tidak dapat ditentukan. Ekspor ulang laporan GLP039 utuh"
            )
        found.update(subs)  # Realisasi → s.d. Periode, never the first column under the merge
    if "kode" not in found and found["uraian"] != 0:
        labelled.add(0)
    boundaries = sorted(labelled)
    spans = {}
    for field, start in found.items():
        later = [b for b in boundaries if b > start]
        spans[field] = (start, later[0] if later else MAX_COLUMNS)
    return Header(sheet, top, rows, spans, boundaries)
