"""GLP039 exports ("Laporan Fa Detail (16 Segmen)") built as SAKTI.md describes them, down to
detail items: .xlsx (floats, shared and inline strings, a merged two-row header, komponen as
numbers formatted 000) and the ';' CSV with Indonesian numbers, in both column variants."""

from __future__ import annotations

import copy
import csv
import re
import zipfile
from fractions import Fraction
from pathlib import Path

import xlsxwriter

from kpu_docs.formatting import amount

from .test_sakti_import import N, find

# 0-based columns of the standard variant (SAKTI.md): B program/kegiatan code, C KRO/RO, E
# komponen, F sub-komponen, H akun, N detail; names in D, I, G, K, J, L, M.
CODE_COL = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 5, 6: 7, 7: 13}
NAME_COL = {0: 3, 1: 8, 2: 6, 3: 10, 4: 9, 5: 11, 6: 12}
PAGU, LOCK, LALU, INI, SD_TOTAL, SD_DETAIL, PCT, SISA_TOTAL, SISA_DETAIL = 16, 18, 22, 23, 24, 25, 28, 29, 30
TITLES = [
    ["Laporan Fa Detail (16 Segmen)"],
    ["Per Program/Kegiatan/KRO/RO/Komponen/Sub Komponen/Akun/Detail (Basis Akrual)"],
    ["Periode Desember 2023"],
    ["Kementerian/Lembaga", None, None, "076", "KOMISI PEMILIHAN UMUM"],
    ["Unit Organisasi", None, None, "076.01", "SEKRETARIAT JENDERAL KOMISI PEMILIHAN UMUM"],
    ["Satuan Kerja", None, None, "123456", "KPU KOTA SERANG"],
]
HEADER_TOP = {
    0: "Uraian",
    PAGU: "Pagu Revisi",
    LOCK: "Lock Pagu*",
    LALU: "Realisasi",
    PCT: "%",
    SISA_TOTAL: "Sisa Anggaran",
}
HEADER_SUB = {LALU: "Periode Lalu", INI: "Periode Ini", SD_TOTAL: "s.d. Periode"}
FOOTNOTE = "* Lock Pagu: pagu yang ditahan selama revisi DIPA/POK berlangsung"
LONG_AKUN = "Belanja Barang Persediaan Barang Konsumsi untuk Keperluan Rapat Koordinasi Tahapan Pemilu"


def detailed(tree: list[N]) -> list[N]:
    """The tree with komponen, sub-komponen, akun and detail items below two ROs."""
    tree = copy.deepcopy(tree)
    ro = find(tree, "CQ.6709.QGE.001")
    k = f"{ro.code}.051"
    ro.kids = [
        N(
            k,
            "Penyusunan Rencana Kerja",
            kids=[
                N(
                    f"{k}.0A",
                    "Rapat Koordinasi",
                    kids=[
                        N(
                            f"{k}.0A.521211",
                            LONG_AKUN,
                            kids=[
                                N(f"{k}.0A.521211.000017", "Konsumsi rapat", 300_000_000, 299_000_000),
                                N(f"{k}.0A.521211.000018", "Bahan rapat", 200_000_000, 200_000_000),
                            ],
                        ),
                        N(f"{k}.0A.524111", "Belanja Perjalanan Dinas Biasa", 300_000_000, 300_000_000),
                    ],
                )
            ],
        ),
        N(f"{ro.code}.052", "Dukungan Operasional", ro.pagu - 800_000_000, ro.realisasi - 799_000_000),
    ]
    ro2 = find(tree, "CQ.6870.QGE.002")
    ro2.kids = [N(f"{ro2.code}.051", "Persiapan", ro2.pagu, ro2.realisasi)]
    return tree


def _written_code(depth: int, node: N):
    """The code as GLP039 writes it for a level: CQ, CQ.6709, QGE, QGE.001, 51, 051.0A, 521211."""
    parts = node.code.split(".")
    if depth == 0:
        return parts[-1]
    if depth == 1:
        return node.code
    if depth == 2:
        return parts[-1]
    if depth == 3:
        return f"{parts[-2]}.{parts[-1]}"
    if depth == 4:
        return int(parts[-1])
    if depth == 5:
        return f"{parts[-2]}.{parts[-1]}"
    if depth == 6:
        return int(parts[-1])
    return f"{parts[-1]}. {node.name}"


def rows(
    tree: list[N],
    *,
    total_last: bool = False,
    repeat_header_after: int | None = 12,
    continuation: bool = True,
    extra: dict | None = None,
) -> list[dict[int, object]]:
    """The sheet as sparse rows {column: value} in the standard variant; ``extra`` overrides
    cells by full code ({code: {column: value}})."""
    out: list[dict[int, object]] = [dict(enumerate(t)) for t in TITLES]
    out += [dict(HEADER_TOP), dict(HEADER_SUB)]

    def figures(pagu: int, real: int, total: bool) -> dict[int, object]:
        lalu = real // 3
        return {
            PAGU: float(pagu),
            LOCK: 0.0,
            LALU: float(lalu),
            INI: float(real - lalu),
            SD_TOTAL if total else SD_DETAIL: float(real),
            PCT: float(Fraction(real, pagu)) if pagu else 0.0,
            SISA_TOTAL if total else SISA_DETAIL: float(pagu - real),
        }

    pagu = sum(p.figures()[0] for p in tree)
    real = sum(p.figures()[1] for p in tree)
    total = {0: "JUMLAH SELURUHNYA", **figures(pagu, real, True)}
    if not total_last:
        out.append(total)
    count = 0

    def walk(nodes: list[N], depth: int) -> None:
        nonlocal count
        for node in nodes:
            row = figures(*node.figures(), False)
            row[CODE_COL[depth]] = _written_code(depth, node)
            if depth in NAME_COL:
                row[NAME_COL[depth]] = node.name
            row.update((extra or {}).get(node.code, {}))
            if continuation and node.name == LONG_AKUN:  # the name goes on over a second row
                cut = node.name.rindex(" ", 0, 50)
                row[NAME_COL[depth]] = node.name[:cut]
                out.append(row)
                out.append(
                    {CODE_COL[depth]: row[CODE_COL[depth]], NAME_COL[depth]: node.name[cut + 1 :], PAGU: row[PAGU]}
                )
            else:
                out.append(row)
            count += 1
            if repeat_header_after and count == repeat_header_after:
                out.extend([dict(HEADER_TOP), dict(HEADER_SUB)])
            walk(node.kids, depth + 1)

    walk(tree, 0)
    if total_last:
        out.append(total)
    out.append({0: FOOTNOTE})
    return out


def shifted(sheet: list[dict[int, object]]) -> list[dict[int, object]]:
    """The SAKTI version with every value one column to the left (column A stays)."""
    return [
        {(c - 1 if c > 0 and not (i < len(TITLES)) else c): v for c, v in row.items()} for i, row in enumerate(sheet)
    ]


def write_xlsx(path: Path, sheet: list[dict[int, object]], *, shift: int = 0, inline: bool = True) -> Path:
    """xlsxwriter: floats, shared strings, a merged two-row header, komponen formatted 000;
    then the program and kegiatan codes rewritten as inline strings."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Laporan ")  # SAKTI's sheet name may end with a space
    three = wb.add_format({"num_format": "000"})
    merged = wb.add_format({"bold": True, "align": "center"})
    header_at = len(TITLES)
    for r, row in enumerate(sheet):
        for c, value in row.items():
            if value is None:
                continue
            if isinstance(value, (int, float)):
                ws.write_number(r, c, value, three if isinstance(value, int) and value < 1000 else None)
            else:
                ws.write_string(r, c, str(value))
    top = header_at
    ws.merge_range(top, 0, top + 1, PAGU - 1 - shift, "Uraian", merged)
    ws.merge_range(top, LALU - shift, top, SD_TOTAL - shift, "Realisasi", merged)
    ws.merge_range(top + 1, SD_TOTAL - shift, top + 1, SD_DETAIL - shift, "s.d. Periode", merged)
    wb.close()
    if inline:
        _inline_strings(path, columns={1 - shift})
    return path


def _inline_strings(path: Path, columns: set[int]) -> None:
    """Rewrite the shared strings of some columns as inline strings (<is><t>…</t></is>)."""
    letters = {chr(ord("A") + c) for c in columns}
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    shared = re.findall(rb"<si><t[^>]*>(.*?)</t></si>", members["xl/sharedStrings.xml"], re.S)
    sheet = members["xl/worksheets/sheet1.xml"]

    def inline(m: re.Match) -> bytes:
        ref, style, index = m.group(1), m.group(2) or b"", int(m.group(3))
        if re.match(rb"[A-Z]+", ref).group().decode() not in letters:
            return m.group(0)
        return b'<c r="' + ref + b'"' + style + b' t="inlineStr"><is><t>' + shared[index] + b"</t></is></c>"

    sheet = re.sub(rb'<c r="([A-Z]+\d+)"( s="\d+")? t="s"><v>(\d+)</v></c>', inline, sheet)
    sheet = re.sub(rb'(<c r="[A-Z]+\d+"(?: s="\d+")?><v>)(\d{7,})(</v>)', _as_float, sheet)
    assert b"inlineStr" in sheet
    members["xl/worksheets/sheet1.xml"] = sheet
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)


def _as_float(m: re.Match) -> bytes:
    """A large number as SAKTI stores it: 2.037392E10."""
    mantissa, exponent = f"{int(m.group(2)):.15E}".split("E")
    text = f"{mantissa.rstrip('0').rstrip('.')}E{int(exponent)}"
    assert float(text) == int(m.group(2))
    return m.group(1) + text.encode() + m.group(3)


def write_csv(path: Path, sheet: list[dict[int, object]], *, shift: int = 0) -> Path:
    """';'-separated, Indonesian numbers (500.919.458), % as 0,9952, the level by leading empty cells."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        for row in sheet:
            width = max(row) + 1 if row else 0
            cells = []
            for c in range(width):
                value = row.get(c)
                if isinstance(value, float):
                    value = (
                        f"{value:.4f}".replace(".", ",")
                        if c == PCT - shift
                        else amount(int(value))
                        if value >= 0
                        else "-" + amount(int(-value))
                    )
                elif isinstance(value, int):
                    value = f"{value:03d}"
                cells.append("" if value is None else value)
            writer.writerow(cells)
    return path
