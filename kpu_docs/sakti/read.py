"""Read a SAKTI export into an ``Export``: file → header → rows → placed tree → checks.

Three layouts are recognised from their content (SAKTI.md): GLP039 as downloaded (no
``Kode`` column, one code column per level, two-row header, total first), the one-row layout
with a ``Kode`` column (full codes or segments), and the pagu-only POK / Rincian Kertas Kerja
worksheet (no realisasi column; values possibly in thousands of Rupiah).
"""

from __future__ import annotations

import re
from pathlib import Path

from kpu_docs.errors import ImportRefused
from kpu_docs.formatting import MONTHS

from .cells import clean_text, code_text, filled
from .checks import check, reconcile
from .export import LABELS, MONEY_FIELDS, Export, Source
from .files import read_tables
from .glp039 import Glp039Placer
from .header import Header, find_header
from .placement import KodePlacer
from .rows import read_rows, text_cells

MAX_LISTED = 15


def read_export(
    path: str | Path, known: frozenset[str] | set[str] = frozenset(), thousands: bool | None = None
) -> Export:
    """Parse an export. ``known`` holds the input's codes (they settle a short program code and
    an otherwise uncertain 3-digit segment); ``thousands`` multiplies a POK's values by 1,000
    (None: detected from its title). Raises KpuDocsError for a file that cannot be used at all;
    an export that does not add up is returned with ``errors``."""
    path = Path(path)
    header = find_header(read_tables(path), path)
    titles = [" ".join(clean_text(c)[0] for c in row if filled(c)) for row in header.sheet.rows[: header.top]]
    titles = [t for t in titles if t]
    reading = read_rows(header)
    pagu_only = "realisasi" not in header.spans
    if header.has_kode:
        start, end = header.spans["kode"]
        name_span = header.spans["uraian"]
        raws = []
        for raw in reading.rows:
            code = next((code_text(c) for c in raw.cells[start:end] if filled(c)), "")
            name = " ".join(t for _, t in text_cells(raw.cells, *name_span))
            if code.startswith((">", "-")):  # a POK detail item: counted in its akun's subtotal
                continue
            if not code:
                if raw.figures:
                    reading.errors.append(
                        f"baris {raw.line}: berangka tetapi kolom Kode kosong; baris ini tidak dapat ditempatkan"
                    )
                continue
            raws.append((raw, code, name))
        placer: KodePlacer | Glp039Placer = KodePlacer(raws, known)
    else:
        placer = Glp039Placer(reading.rows, header.structure_end, known)
    rows = placer.place_all()
    if not rows and reading.rows:
        raise ImportRefused(
            f"{path}: tidak ada kode yang dikenali. Ekspor GLP039 menulis kode tiap tingkat di kolomnya sendiri "
            "(CQ, CQ.6709, QGE, QGE.001, 051, 051.0A, 521211) di kiri kolom Pagu Revisi; ekspor lain memuat kolom "
            f"'{LABELS['kode']}'"
        )
    source = _source(titles, path, header, pagu_only)
    export = Export(
        path,
        rows,
        reading.total,
        titles,
        reading.warnings + placer.warnings,
        reading.errors + placer.errors,
        reading.notes,
        source,
        pagu_only,
    )
    if source.report == "GLP039" and not source.period:
        export.warnings.append(
            "periode laporan (mis. 'Periode Desember 2023') tidak tertulis di judul maupun nama "
            "berkas: periksa dan sebutkan per kapan realisasinya di laporan"
        )
    if source.report == "GLP039" and not source.basis:
        export.warnings.append(
            "basis realisasi (akrual atau kas/SP2D) tidak tertulis di judul maupun nama berkas: "
            "periksa dan sebutkan basisnya di laporan"
        )
    if not source.satker and not pagu_only:
        export.notes.append("kode satker tidak ditemukan di baris judul ekspor: satker tidak dapat diperiksa")
    if pagu_only:
        _scale(export, thousands if thousands is not None else _in_thousands(titles, header))
    if placer.unplaced:
        shown = placer.unplaced[:MAX_LISTED]
        more = len(placer.unplaced) - len(shown)
        export.errors.append(
            "baris yang tidak dapat ditempatkan di pohon anggaran:\n  "
            + "\n  ".join(shown)
            + (f"\n  … dan {more} baris lainnya" if more else "")
        )
    export.errors += reconcile(export)
    export.warnings += check(export)
    return export


def _in_thousands(titles: list[str], header: Header) -> bool:
    labels = " ".join(str(c) for c in header.sheet.rows[header.top] if filled(c))
    return bool(re.search(r"ribuan|ribu rupiah|\(000\)|rp\s*000", " ".join(titles) + " " + labels, re.I))


def _scale(export: Export, thousands: bool) -> None:
    if not thousands:
        return
    for row in [*export.rows, *([export.total] if export.total else [])]:
        for key in MONEY_FIELDS:
            if key != "lock_pagu" and getattr(row, key) is not None:
                setattr(row, key, getattr(row, key) * 1000)
    export.notes.append("nilai ekspor dalam ribuan Rupiah: dikalikan 1.000")


def _source(titles: list[str], path: Path, header: Header, pagu_only: bool) -> Source:
    """Report, period, basis and satker from the title rows, else from the file name."""
    text = " ".join(titles)
    both = f"{text} {path.stem}"
    source = Source()
    if pagu_only:
        source.report = "POK"
    elif re.search(r"GLP\s*0?39|Fa Detail|16 Segmen|Realisasi Super", both, re.I) or not header.has_kode:
        source.report = "GLP039"
    months = "|".join(MONTHS)
    periods = [t for t in titles if re.search(r"periode", t, re.I)] or titles  # not "dicetak 5 Januari 2024"
    found = re.findall(rf"\b({months})\s+(20\d\d)\b", " ".join(periods), re.I) or re.findall(
        rf"(?<![a-z])({months})[\s_-]+(20\d\d)(?!\d)", path.stem, re.I
    )
    if found:
        month, year = found[-1]  # "1 Januari 2023 s.d. 31 Desember 2023": the period ends in Desember
        source.period = f"{month.title()} {year}"
    if re.search(r"akrual|accrual", both, re.I):
        source.basis = "akrual"
    elif re.search(r"sp2d|\bkas\b|cash", both, re.I):
        source.basis = "kas (SP2D)"
    for row in header.sheet.rows[: header.top]:
        cells = [clean_text(c)[0] for c in row if filled(c)]
        joined = " ".join(cells)
        if not re.search(r"satuan\s*kerja|satker", joined, re.I):
            continue
        code = re.search(r"(?<!\d)(\d{6})(?!\d)", joined)
        if code:
            source.satker = code.group(1)
            after = joined[code.end() :].strip(" :-")
            source.satker_name = after
            break
    named = re.search(r"(?i)(?:satker|satuan\s*kerja)[\s_-]*(\d{6})(?!\d)", path.stem)
    if not source.satker and named:
        source.satker = named.group(1)
    return source
