"""The export checked against itself, before anything is written.

``reconcile``: errors that block the import (SAKTI.md: "the one check that catches all of
them"): the grand total must equal the sum of the top rows, and every row's subtotal the sum
of the rows placed under it, to the Rupiah. ``check``: warnings about %, Sisa Anggaran and
Realisasi Periode Lalu + Periode Ini.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from kpu_docs.formatting import percent, percent_decimal, rupiah

from .cells import column, exponent
from .export import TOTAL_LABEL, Export, Row


def reconcile(export: Export) -> list[str]:
    """Blocking disagreements: a missing grand total, totals that do not add up."""
    keys = ("pagu",) if export.pagu_only else ("pagu", "realisasi")
    if export.total is None:
        return [
            f"baris {TOTAL_LABEL} tidak ditemukan: impor tidak dapat dicocokkan dengan jumlah ekspor. "
            "Ekspor ulang laporan lengkap dari SAKTI"
        ]
    errors = []
    for row in export.rows:
        errors += _children_sum(row, export.children(row.code), "baris di bawahnya", keys)
    errors += _children_sum(export.total, export.roots, "baris teratas (program)", keys)
    return errors


def check(export: Export) -> list[str]:
    """Where the export's other columns disagree with its figures: %, sisa, lalu + ini."""
    scale = _percent_scale(export)
    warnings: list[str] = []
    for row in [*export.rows, *([export.total] if export.total else [])]:
        warnings += _own_figures(row, scale)
    return warnings


def _children_sum(row: Row, children: list[Row], what: str, keys=("pagu", "realisasi")) -> list[str]:
    if not children:
        return []
    out = []
    for key in keys:
        stated = getattr(row, key)
        total = sum(getattr(c, key) or 0 for c in children)
        if stated is not None and stated != total:
            where = f", kolom {column(row.columns[key])}" if key in row.columns else ""
            out.append(
                f"{row.subject}{where}: {key} {rupiah(stated)} tidak sama dengan jumlah {len(children)} {what} "
                f"{rupiah(total)} (selisih {rupiah(abs(stated - total))})"
            )
    return out


def _own_figures(row: Row, scale: int) -> list[str]:
    out = []
    pagu, realisasi = row.pagu, row.realisasi
    if row.sisa is not None and pagu is not None and realisasi is not None and row.sisa != pagu - realisasi:
        out.append(
            f"{row.subject}: Sisa Anggaran {rupiah(row.sisa)} tidak sama dengan pagu − realisasi "
            f"{rupiah(pagu - realisasi)}"
        )
    earlier, now = row.realisasi_lalu, row.realisasi_ini
    if realisasi is not None and earlier is not None and now is not None and earlier + now != realisasi:
        out.append(
            f"{row.subject}: Realisasi Periode Lalu + Periode Ini {rupiah(earlier + now)} tidak sama dengan "
            f"Realisasi s.d. Periode {rupiah(realisasi)}"
        )
    if row.persen is not None and pagu and realisasi is not None and not _percent_agrees(row, scale):
        shown = row.persen_text or str(row.persen).replace(".", ",")
        out.append(f"{row.subject}: % tertulis {shown}, padahal realisasi/pagu = {percent(Fraction(realisasi, pagu))}")
    return out


def _percent_scale(export: Export) -> int:
    """100 when % is written as 0,9952 (a fraction), 1 when as 99,52: whichever fits more rows."""
    rows = [
        r
        for r in [*export.rows, export.total]
        if r is not None and r.persen is not None and r.pagu and r.realisasi is not None
    ]
    if any(r.persen_text and r.persen_text.endswith("%") for r in rows):
        return 1
    rows = rows[:500]  # enough to tell; keeps a large export linear
    fits = {scale: sum(_percent_agrees(r, scale) for r in rows) for scale in (1, 100)}
    return 100 if fits[100] > fits[1] else 1


def _percent_agrees(row: Row, scale: int) -> bool:
    """Equal to realisasi/pagu within the rounding of the decimals shown (``row`` has %, pagu and realisasi)."""
    persen, realisasi, pagu = row.persen, row.realisasi, row.pagu
    assert persen is not None and realisasi is not None and pagu, "the callers pick such rows"
    decimals = max(0, -exponent(persen) - (2 if scale == 100 else 0))
    near = abs(float(persen) * scale - realisasi / pagu * 100)
    if near <= 0.5 * 10.0**-decimals * 0.999:  # clearly within: no exact arithmetic needed
        return True
    ratio = Fraction(realisasi, pagu)
    shown = Fraction(persen) * scale
    tolerance = Fraction(1, 2 * 10**decimals) + Fraction(1, 10**9)
    if abs(shown - ratio * 100) <= tolerance:
        return True
    # kpu-docs' own rounding never shows 100,00 for less, nor 0,00 for more than nothing
    return decimals == 2 and percent_decimal(ratio) == Decimal(shown.numerator) / Decimal(shown.denominator)
