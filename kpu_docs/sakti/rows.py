"""The data rows under the header: noise skipped, the grand total found, figures read.

Skipped with a note: blank rows, footnotes (``* Lock Pagu …``), a header repeated on a later
printed page. Refused (an error with row and column, never read as 0): a formula without a
saved value, text where a number belongs, two values under one label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kpu_docs.formatting import amount

from .cells import clean_text, column, filled, money, norm, percent
from .export import LABELS, MONEY_FIELDS, TOTAL_LABEL, Row
from .header import FIGURE_FIELDS, Header

_TOTAL_LABELS = ("jumlahseluruhnya", "jumlahseluruh", "totalseluruhnya")


@dataclass
class RawRow:
    """A data row as written: its cells in the structure columns, its figures, read values."""

    line: int
    cells: list[Any]  # the whole row
    figures: dict[str, Any] = field(default_factory=dict)  # field → parsed value (int / (Decimal, text))
    figure_columns: dict[str, int] = field(default_factory=dict)


@dataclass
class Reading:
    rows: list[RawRow]
    total: Row | None
    total_first: bool
    errors: list[str]
    warnings: list[str]
    notes: list[str]
    text_figures: list[str] = field(default_factory=list)  # "baris 13, kolom Q '852.312.000'": text in a workbook
    number_figures: int = 0  # figures stored as numbers in a workbook


def read_rows(header: Header) -> Reading:
    """Every data row below ``header``, the grand total apart."""
    sheet = header.sheet
    out = Reading([], None, False, [], [], [])
    footnotes = repeats = 0
    for index in range(header.first_data, len(sheet.rows)):
        cells, line = sheet.rows[index], index + 1
        for col in range(len(cells)):
            if (index, col) in sheet.unsaved:
                out.errors.append(
                    f"baris {line}, kolom {column(col)}: rumus tanpa nilai tersimpan (akan terbaca 0). Buka berkas "
                    "di Excel lalu simpan ulang agar nilainya tersimpan, atau ekspor ulang dari SAKTI"
                )
        if not any(filled(c) for c in cells):
            continue
        first = next(str(c).strip() for c in cells if filled(c))
        if first.startswith("*"):
            footnotes += 1
            continue
        texts = [c for c in cells if isinstance(c, str) and c]
        if header.is_header(texts):
            repeats += 1
            continue
        if any("umlah" in c.lower() and any(t in norm(c) for t in _TOTAL_LABELS) for c in texts):
            if out.total is None:
                out.total = Row(line, "", TOTAL_LABEL, -1, None)
                _figures(header, cells, line, out, out.total)
                out.total_first = not out.rows
            else:  # written again (first and last): both must say the same
                again = Row(line, "", TOTAL_LABEL, -1, None)
                _figures(header, cells, line, out, again)
                for key in ("pagu", "realisasi"):
                    if getattr(again, key) != getattr(out.total, key):
                        out.errors.append(
                            f"baris {line}: {TOTAL_LABEL} ditulis lagi dengan {LABELS[key]} lain "
                            f"({_rupiah(getattr(again, key))}, di baris {out.total.line}: "
                            f"{_rupiah(getattr(out.total, key))}); ekspor ini tidak dapat dicocokkan"
                        )
            if out.rows and not out.total_first:
                break  # the total closes the table; what follows is a footer
            continue
        raw = RawRow(line, cells)
        _read_figures(header, cells, line, out, raw)
        out.rows.append(raw)
    if footnotes:
        out.notes.append(f"{footnotes} baris catatan kaki (diawali '*') dilewati")
    if repeats:
        out.notes.append(f"{repeats} baris judul kolom yang berulang (per halaman cetak) dilewati")
    if out.text_figures and out.number_figures:  # text among numbers: typed over by hand?
        more = len(out.text_figures) - 1
        out.warnings.append(
            f"{len(out.text_figures)} angka di buku kerja tersimpan sebagai teks, dibaca sebagai angka "
            f"(mis. {out.text_figures[0]}"
            + (f", dan {more} lainnya" if more else "")
            + "): periksa bahwa angka itu tidak diketik ulang dengan tangan"
        )
    return out


def _read_figures(header: Header, cells: list[Any], line: int, out: Reading, raw: RawRow) -> None:
    for field_name in FIGURE_FIELDS:
        if field_name not in header.spans:
            continue
        start, end = header.spans[field_name]
        hits = [(c, cells[c]) for c in range(start, min(end, len(cells))) if filled(cells[c])]
        if len(hits) > 1:
            out.errors.append(
                f"baris {line}: dua nilai di bawah judul {header.label(field_name)}, di kolom "
                f"{' dan '.join(column(c) for c, _ in hits)}: tidak jelas mana yang dipakai"
            )
            continue
        if not hits:
            continue
        col, value = hits[0]
        raw.figure_columns[field_name] = col
        if isinstance(value, str) and "_x000" in value.lower():
            out.errors.append(
                f"baris {line}, kolom {column(col)}: angka berisi '_x000D_' (ganti baris Excel): "
                f"'{value[:30]}'. Tulis angkanya saja"
            )
            continue
        try:
            raw.figures[field_name] = percent(value) if field_name == "persen" else money(value)
            if (
                isinstance(value, str)
                and field_name != "persen"
                and not header.sheet.text_only
                and value.strip() not in ("-", "–", "—", "")
            ):
                out.text_figures.append(f"baris {line}, kolom {column(col)} '{value.strip()[:20]}'")
            out.number_figures += field_name != "persen" and isinstance(value, (int, float))
        except ValueError as exc:
            message = f"baris {line}, kolom {column(col)} ({LABELS[field_name]}): {exc}"
            if field_name == "persen":
                out.warnings.append(f"{message}; % baris ini tidak diperiksa")
            else:
                out.errors.append(f"{message}; tulis angka Rupiah bulat, mis. 500919458 atau 500.919.458")


def _figures(header: Header, cells: list[Any], line: int, out: Reading, row: Row) -> None:
    raw = RawRow(line, cells)
    _read_figures(header, cells, line, out, raw)
    fill(row, raw)


def fill(row: Row, raw: RawRow) -> None:
    """Copy the figures read from ``raw`` onto ``row``."""
    for key in MONEY_FIELDS:
        if key != "lock_pagu":
            setattr(row, key, raw.figures.get(key))
    row.columns = raw.figure_columns
    written = raw.figures.get("persen")
    if written:
        row.persen, row.persen_text = written


def _rupiah(value: int | None) -> str:
    return "kosong" if value is None else f"Rp{amount(value)}"


def text_cells(cells: list[Any], start: int, end: int) -> list[tuple[int, str]]:
    """Filled cells in [start, end) as cleaned text, with their columns."""
    out = []
    for c in range(start, min(end, len(cells))):
        if filled(cells[c]):
            out.append((c, clean_text(cells[c])[0]))
    return out


def has_escape(cells: list[Any], start: int, end: int) -> bool:
    return any(isinstance(c, str) and ("_x000" in c or "_X000" in c) for c in cells[start:end])
