"""GLP039 ("Laporan Fa Detail (16 Segmen)"): each level writes its code in a column of its own.

The level of a row is read from the form of its code (SAKTI.md): ``CQ`` program, ``CQ.6709``
kegiatan, ``QGE`` KRO, ``QGE.001`` RO, a number shown ``051`` komponen, ``051.0A`` sub-komponen,
a 6-digit number akun, ``000017. <uraian>`` a detail item. Each level must keep the column it
was first seen in; the full code is built from the rows above (``CQ`` + ``CQ.6709`` + ``QGE`` +
``QGE.001`` → ``CQ.6709.QGE.001``) and the short program code is matched to the input's
``076.01.CQ``. A row whose level or parent is not certain is never placed: it is an error.
"""

from __future__ import annotations

import re
from typing import Any

from kpu_docs.vocabulary import LEVELS, PROGRAM_CODE, PROGRAM_PREFIX, SUB_KOMPONEN_AFTER_KOMPONEN

from .cells import code_text, column
from .export import AKUN, DETAIL, KEGIATAN, KOMPONEN, KRO, LEVEL_NAMES, PROGRAM, RO, SUB_KOMPONEN, Row
from .rows import RawRow, fill, has_escape, text_cells

_SEG = [level.segment for level in LEVELS]
# Each level's code as its column writes it (SAKTI.md, GLP039): alone, or after its parent's segment.
_FORMS = (
    (PROGRAM, re.compile(rf"^(?:{PROGRAM_PREFIX}\.)?{_SEG[PROGRAM]}$")),
    (KEGIATAN, re.compile(rf"^{_SEG[PROGRAM]}\.{_SEG[KEGIATAN]}$")),
    (KRO, re.compile(rf"^{_SEG[KRO]}$")),
    (RO, re.compile(rf"^{_SEG[KRO]}\.{_SEG[RO]}$")),
    (KOMPONEN, re.compile(rf"^{_SEG[KOMPONEN]}$")),
    (SUB_KOMPONEN, re.compile(rf"^{_SEG[KOMPONEN]}\.{SUB_KOMPONEN_AFTER_KOMPONEN}$")),
    (AKUN, re.compile(rf"^{_SEG[AKUN]}$")),
)
_DETAIL = re.compile(rf"^({_SEG[AKUN]})\.\s*(\S.*)$")


def _kind(value: Any) -> tuple[int, str, str] | None:
    """(level, code as written, name in the same cell) for a code-shaped cell, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            return None
        number = int(value)
        if 0 < number < 1000:
            return KOMPONEN, f"{number:03d}", ""
        if 100000 <= number <= 999999:
            return AKUN, str(number), ""
        return None
    text = str(value).strip()
    if text[:6].isdigit():
        detail = _DETAIL.match(text)
        if detail:
            return DETAIL, detail.group(1), detail.group(2)
    if len(text) > 14 or not text:
        return None  # a name: codes are short
    compact = code_text(text)
    if compact.isdigit() and len(compact) < 3 and int(compact):  # a CSV writes the stored 51, not the shown 051
        return KOMPONEN, compact.zfill(3), ""
    for level, form in _FORMS:
        if form.match(compact):
            return level, compact, ""
    return None


class Glp039Placer:
    """Full code, level and parent of every row, from the per-level code columns."""

    def __init__(self, raws: list[RawRow], structure_end: int, known: frozenset[str] | set[str]):
        self.raws, self.end = raws, structure_end
        self.programs = {code.rsplit(".", 1)[-1]: code for code in known if PROGRAM_CODE.fullmatch(code)}
        self.known = known
        self.columns: dict[int, int] = {}  # level → the column it was first seen in
        self.path: dict[int, Row] = {}  # level → the current row of that level
        self.rows: list[Row] = []
        self.by_code: dict[str, Row] = {}
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.unplaced: list[str] = []
        self.cleaned = 0

    def place_all(self) -> list[Row]:
        previous: Row | None = None
        for raw in self.raws:
            previous = self._place(raw, previous)
        if self.cleaned:
            self.warnings.append(f"{self.cleaned} uraian memuat '_x000D_' (ganti baris Excel); diganti spasi")
        return self.rows

    def _unplaced(self, raw: RawRow, why: str) -> None:
        self.unplaced.append(f"baris {raw.line}: {why}")

    def _place(self, raw: RawRow, previous: Row | None) -> Row | None:
        cells = raw.cells
        if has_escape(cells, 0, self.end):
            self.cleaned += 1
        found = [(c, k) for c in range(min(self.end, len(cells))) if (k := _kind(cells[c]))]
        texts = [(c, t) for c, t in text_cells(cells, 0, self.end) if c not in {c for c, _ in found}]
        if not found:
            if raw.figures:
                self._unplaced(raw, "berangka tetapi tanpa kode di kiri kolom Pagu Revisi; tingkatnya tidak pasti")
            return None if raw.figures else previous
        if len(found) > 1:
            shown = ", ".join(f"kolom {column(c)} '{k[1]}'" for c, k in found)
            self._unplaced(raw, f"lebih dari satu kode ({shown}); tingkatnya tidak pasti")
            return None
        col, (level, written, inline_name) = found[0]
        name = " ".join([inline_name] + [t for _, t in texts]).strip() if inline_name else " ".join(t for _, t in texts)
        seen = self.columns.setdefault(level, col)
        if seen != col:
            self._unplaced(
                raw,
                f"kode {LEVEL_NAMES[level]} '{written}' di kolom {column(col)}, padahal kode "
                f"{LEVEL_NAMES[level]} sebelumnya di kolom {column(seen)}; tingkatnya tidak pasti",
            )
            return None
        placed = self._full_code(raw, level, written)
        if placed is None:
            return None
        code, parent = placed
        if previous is not None and code == previous.code:  # a long name continued on a second row
            if raw.figures.get("pagu") in (None, previous.pagu) and raw.figures.get("realisasi") in (
                None,
                previous.realisasi,
            ):
                previous.name = f"{previous.name} {name}".strip()
                return previous
        if code in self.by_code:
            self._unplaced(raw, f"kode {code} sudah ada di baris {self.by_code[code].line} dengan angka lain")
            return None
        depth = parent.level + 1 if parent is not None else PROGRAM
        row = Row(raw.line, code, name, depth, parent.code if parent else None)
        fill(row, raw)
        self.rows.append(row)
        self.by_code[code] = row
        self.path = {k: v for k, v in self.path.items() if k < level}
        self.path[level] = row
        return row

    def _full_code(self, raw: RawRow, level: int, written: str) -> tuple[str, Row | None] | None:
        path = self.path
        if level == PROGRAM:
            short = written.rsplit(".", 1)[-1]
            if "." in written:
                self.programs[short] = written
            if short not in self.programs:
                self._unplaced(
                    raw,
                    f"program '{written}' tidak ada di masukan: kode lengkapnya (mis. 076.01.{short}) "
                    "tidak dapat ditentukan. Tambahkan program itu ke masukan lebih dulu",
                )
                return None
            return self.programs[short], None
        if level == AKUN:
            parent_level = SUB_KOMPONEN if SUB_KOMPONEN in path else KOMPONEN
        else:
            parent_level = {
                KEGIATAN: PROGRAM,
                KRO: KEGIATAN,
                RO: KRO,
                KOMPONEN: RO,
                SUB_KOMPONEN: KOMPONEN,
                DETAIL: AKUN,
            }[level]
        parent = path.get(parent_level)
        if parent is None:
            self._unplaced(raw, f"{LEVEL_NAMES[level]} '{written}' tidak didahului baris {LEVEL_NAMES[parent_level]}")
            return None
        segment = written
        if level in (KEGIATAN, RO, SUB_KOMPONEN):
            prefix, segment = written.split(".", 1)
            expected = parent.code.rsplit(".", 1)[-1]
            if prefix != expected:
                self._unplaced(
                    raw,
                    f"{LEVEL_NAMES[level]} '{written}' tidak sesuai dengan {LEVEL_NAMES[parent_level]} "
                    f"di atasnya ({parent.code}, baris {parent.line})",
                )
                return None
            if level == KEGIATAN:
                return written, parent
        if level == SUB_KOMPONEN and f"{parent.code}.{segment}" not in self.known:
            short = segment.lstrip("0")  # the POK writes sub-komponen 0A as A
            if short and f"{parent.code}.{short}" in self.known:
                segment = short
        return f"{parent.code}.{segment}", parent
