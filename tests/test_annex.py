"""The Excel annex: formulas, cached values, formats, printing, and what LibreOffice computes.

Expected figures are computed here from the input dictionaries (summing the leaves),
never taken from ``derive``.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
import yaml

from kpu_docs.checks.validate import validate
from kpu_docs.figures.derive import derive
from kpu_docs.formatting import percent_decimal, percent_formula
from kpu_docs.input.load import load
from kpu_docs.render.xlsx.annex import write_annex
from kpu_docs.render.xlsx.check_file import write_check_file

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "inputs" / "kpu-kota-serang" / "2023.yaml"
CHILD_KEYS = ("kegiatan", "output", "sub_output", "rincian")
NOUNS = ["Program", "Kegiatan", "Output Kegiatan", "Sub. Output Kegiatan", "Komponen", "Sub Komponen", "Akun"]
SHEETS = ["Ringkasan", "Rincian Anggaran", "Grafik", "Organisasi"]
TREE_HEADERS = ["Kode", "Tingkat", "Uraian", "Pagu (Rp)", "Realisasi (Rp)", "Sisa (Rp)", "% Penyerapan"]
FORMULA_NAME = "=SUM(1,2) bukan rumus"
AT_NAME = "@Sarana Teknologi Informasi"


# --- the synthetic input -------------------------------------------------------------------------


def ro(code: str, name: str, pagu=None, realisasi=None, **more) -> dict:
    node = {"kode": code, "nama": name, "narasi": [f"Pelaksanaan {name}."]}
    if pagu is not None:
        node |= {"pagu": pagu, "realisasi": realisasi}
    return node | more


def leaf(code: str, name: str, pagu: int, realisasi: int, **more) -> dict:
    return {"kode": code, "nama": name, "pagu": pagu, "realisasi": realisasi} | more


SYNTHETIC = {
    "satker": {"tingkat": "kabupaten", "wilayah": "Contoh"},
    "tahun": 2023,
    "laporan": {
        "surat_permintaan": {"nomor": "3203/PR.03-SD/01/2023", "tanggal": dt.date(2023, 12, 13)},
        "tempat": "Contoh",
        "tanggal": dt.date(2024, 1, 31),
        "penandatangan": {"jabatan": "Sekretaris", "nama": "Budi Santoso"},
    },
    "narasi": {"kata_pengantar": ["Pengantar."], "pendahuluan": ["Pendahuluan."], "penutup": ["Penutup."]},
    "organisasi": {
        "tugas_fungsi": ["Tugas sekretariat."],
        "sekretaris": "Budi Santoso",
        "subbagian": [
            {
                "nama": "Subbagian Keuangan, Umum, dan Logistik",
                "tugas": ["Keuangan."],
                "kepala": "Ani Lestari",
                "staf": [
                    {"status": "PNS", "peran": "Bendahara", "nama": ["Citra Dewi"]},
                    {"status": "PPNPN", "peran": "Pramubakti", "nama": ["Dodi", "-Eko Prasetyo"]},
                ],
            },
            {
                "nama": "Subbagian Hukum dan Sumber Daya Manusia",
                "tugas": ["Hukum."],
                "kepala": "Fajar Nugroho",
                "staf": [{"status": "PNS", "nama": ["Gita", "Hadi"]}],
            },
        ],
        "jabatan_fungsional": {"uraian": ["Jabatan fungsional."], "pejabat": ["Indra"]},
    },
    "program": [
        {
            "kode": "076.01.CQ",
            "nama": "Penyelenggaraan Pemilu dalam Proses Konsolidasi Demokrasi",
            "kegiatan": [
                {
                    "kode": "CQ.1111",
                    "nama": "Perencanaan Program dan Anggaran",
                    "output": [
                        {
                            "kode": "CQ.1111.QGE",
                            "nama": "Tata Kelola Kelembagaan Publik",
                            "sub_output": [
                                ro("CQ.1111.QGE.001", FORMULA_NAME, 1_000_000, 900_000),
                                ro(
                                    "CQ.1111.QGE.002",
                                    "Penyusunan Rincian Anggaran",
                                    rincian=[
                                        {
                                            "kode": "CQ.1111.QGE.002.051",
                                            "nama": "Komponen Persiapan",
                                            "rincian": [
                                                {
                                                    "kode": "CQ.1111.QGE.002.051.A",
                                                    "nama": "Sub Komponen Rapat",
                                                    "rincian": [
                                                        leaf(
                                                            "CQ.1111.QGE.002.051.A.521211",
                                                            "Belanja Bahan",
                                                            300_000,
                                                            250_000,
                                                        ),
                                                        leaf(
                                                            "CQ.1111.QGE.002.051.A.521213",
                                                            "+Honor Output Kegiatan",
                                                            200_000,
                                                            200_000,
                                                        ),
                                                    ],
                                                }
                                            ],
                                        },
                                        leaf("CQ.1111.QGE.002.052", "Komponen Pelaporan", 100_000, 0),
                                    ],
                                ),
                            ],
                        },
                        {
                            "kode": "CQ.1111.RAN",
                            "nama": "Sarana Bidang Teknologi Informasi dan Komunikasi",
                            "sub_output": [
                                ro("CQ.1111.RAN.001", AT_NAME, 500_000, 650_000),  # realisasi above pagu
                                ro("CQ.1111.RAN.002", "Cadangan Tanpa Anggaran", 0, 0),
                            ],
                        },
                    ],
                },
                {
                    "kode": "CQ.2222",
                    "nama": "Pendaftaran Peserta",
                    "output": [
                        {
                            "kode": "CQ.2222.QGE",
                            "nama": "Tata Kelola Kelembagaan Publik",
                            # 99,99995%: a 0.00% format would claim 100,00%
                            "sub_output": [ro("CQ.2222.QGE.001", "Verifikasi Peserta", 2_000_000, 1_999_999)],
                        }
                    ],
                },
            ],
        },
        {
            "kode": "076.01.WA",
            "nama": "Dukungan Manajemen",
            "kegiatan": [
                {
                    "kode": "WA.3355",
                    "nama": "Pengelolaan Keuangan dan Barang Milik Negara",
                    "output": [
                        {
                            "kode": "WA.3355.EBA",
                            "nama": "Layanan Dukungan Manajemen Internal",
                            "sub_output": [ro("WA.3355.EBA.994", "Layanan Perkantoran", 4_000_000, 3_000_000)],
                        }
                    ],
                }
            ],
        },
    ],
}


def children(node: dict) -> list[dict]:
    return [c for key in CHILD_KEYS for c in node.get(key, [])]


def preorder(nodes: list[dict], depth: int = 0):
    """(node, depth) in input order, parents before their children."""
    for node in nodes:
        yield node, depth
        yield from preorder(children(node), depth + 1)


def totals(node: dict) -> tuple[int, int]:
    """(pagu, realisasi) summed over the leaves below ``node``."""
    kids = children(node)
    if not kids:
        return money(node["pagu"]), money(node["realisasi"])
    sums = [totals(k) for k in kids]
    return sum(p for p, _ in sums), sum(r for _, r in sums)


def money(value) -> int:
    return value if isinstance(value, int) else int(str(value).replace("Rp", "").replace(".", "").split(",")[0])


def refs(formula: str) -> list[tuple[str, int]]:
    """The (column, row) cells a formula names, with ranges expanded."""
    cells = []
    for c1, r1, c2, r2 in re.findall(r"\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?", formula):
        if c2:
            assert c1 == c2, formula
            cells += [(c1, r) for r in range(int(r1), int(r2) + 1)]
        else:
            cells.append((c1, int(r1)))
    return cells


def build(source: Path, target: Path):
    report = derive(load(source))
    findings = validate(report)
    write_annex(report, target)
    write_check_file(report, findings, target.with_name("pemeriksaan.xlsx"), source)
    return findings


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """The synthetic input written, loaded and built once: (yaml path, xlsx path, findings)."""
    folder = tmp_path_factory.mktemp("annex")
    source = folder / "2023.yaml"
    source.write_text(yaml.safe_dump(SYNTHETIC, allow_unicode=True, sort_keys=False), encoding="utf-8")
    target = folder / "lampiran.xlsx"
    findings = build(source, target)
    return source, target, findings


@pytest.fixture(scope="module")
def books(synthetic):
    """The workbook twice: formulas, and the cached values a non-recalculating reader sees."""
    _, target, _ = synthetic
    return openpyxl.load_workbook(target), openpyxl.load_workbook(target, data_only=True)


@pytest.fixture(scope="module")
def tree_rows(books):
    """Full code -> 1-based row in Rincian Anggaran."""
    ws = books[0]["Rincian Anggaran"]
    return {ws.cell(r, 1).value: r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value}


# --- structure -------------------------------------------------------------------------------------


def test_sheets_and_headers(books):
    wb, _ = books
    assert wb.sheetnames == [*SHEETS, "Jenis Belanja"]  # the synthetic input keeps akun rincian
    assert [c.value for c in wb["Rincian Anggaran"][1]] == TREE_HEADERS
    assert [c.value for c in wb["Ringkasan"][5]][:7] == ["No", "Kode", "Program", *TREE_HEADERS[3:]]
    assert [c.value for c in wb["Grafik"][1]] == [
        "Kode",
        "Kegiatan",
        *TREE_HEADERS[3:4],
        TREE_HEADERS[4],
        TREE_HEADERS[6],
    ]
    assert [c.value for c in wb["Organisasi"][1]] == ["No", "Subbagian", "Kepala", "Status", "Peran", "Nama"]
    summary = wb["Ringkasan"]
    assert summary["A1"].value == "LAMPIRAN LAPORAN TAHUNAN 2023"
    assert summary["A2"].value == "Komisi Pemilihan Umum Kabupaten Contoh"


def test_tree_lists_every_node_in_order_down_to_the_deepest_level(books):
    ws = books[0]["Rincian Anggaran"]
    expected = [(n["kode"], NOUNS[d], n["nama"]) for n, d in preorder(SYNTHETIC["program"])]
    rows = [(ws.cell(r, 1).value, ws.cell(r, 2).value, ws.cell(r, 3).value) for r in range(3, ws.max_row + 1)]
    assert rows == expected
    assert "Akun" in [noun for _, noun, _ in rows]
    assert ws["B2"].value == "Satker"  # the office's total above the programs


def test_parents_sum_exactly_their_direct_children(books, tree_rows):
    ws = books[0]["Rincian Anggaran"]
    for node, _ in preorder(SYNTHETIC["program"]):
        kids = children(node)
        if not kids:
            continue
        row = tree_rows[node["kode"]]
        for col in "DE":
            formula = ws[f"{col}{row}"].value
            assert formula.startswith("=SUM("), (node["kode"], formula)
            assert sorted(refs(formula)) == sorted((col, tree_rows[k["kode"]]) for k in kids), formula
    program_rows = sorted(("D", tree_rows[p["kode"]]) for p in SYNTHETIC["program"])
    assert sorted(refs(ws["D2"].value)) == program_rows


def test_kegiatan_with_deep_children_sums_noncontiguous_rows(books, tree_rows):
    formula = books[0]["Rincian Anggaran"][f"D{tree_rows['CQ.1111']}"].value
    # its two KROs are separated by the rows of the first KRO's descendants
    assert formula == f"=SUM(D{tree_rows['CQ.1111.QGE']},D{tree_rows['CQ.1111.RAN']})"


def test_sisa_and_percent_formulas(books, tree_rows):
    ws = books[0]["Rincian Anggaran"]
    for r in [2, *tree_rows.values()]:
        assert ws[f"F{r}"].value == f"=D{r}-E{r}"
        assert ws[f"G{r}"].value == percent_formula(f"D{r}", f"E{r}")


def test_leaves_hold_integers(books, tree_rows):
    ws = books[0]["Rincian Anggaran"]
    for node, _ in preorder(SYNTHETIC["program"]):
        if children(node):
            continue
        row = tree_rows[node["kode"]]
        for col, key in (("D", "pagu"), ("E", "realisasi")):
            cell = ws[f"{col}{row}"]
            assert type(cell.value) is int and cell.data_type == "n", (node["kode"], cell.value)
            assert cell.value == money(node[key])


def test_cached_values_equal_independent_sums(books, tree_rows):
    ws = books[1]["Rincian Anggaran"]
    expected = {n["kode"]: totals(n) for n, _ in preorder(SYNTHETIC["program"])}
    grand = tuple(map(sum, zip(*(totals(p) for p in SYNTHETIC["program"]))))
    for row, (pagu, real) in [(2, grand), *((tree_rows[c], v) for c, v in expected.items())]:
        assert ws[f"D{row}"].value == pagu
        assert ws[f"E{row}"].value == real
        assert ws[f"F{row}"].value == pagu - real
        pct = ws[f"G{row}"].value
        if pagu:
            assert type(pct) is float and pct == float(percent_decimal(Fraction(real, pagu)) / 100)
        else:
            assert pct in ("", None)
    assert grand == (8_100_000, 6_999_999)  # by hand: 1 000 000 + 600 000 + 500 000 + 0 + 2 000 000 + 4 000 000


def test_realisasi_above_pagu_shows(books, tree_rows):
    ws = books[1]["Rincian Anggaran"]
    row = tree_rows["CQ.1111.RAN.001"]
    assert ws[f"F{row}"].value == -150_000
    assert ws[f"G{row}"].value == 1.3


def test_number_formats(books, tree_rows):
    ws = books[0]["Rincian Anggaran"]
    for r in [2, *tree_rows.values()]:
        for col in "DEF":
            assert ws[f"{col}{r}"].number_format == "#,##0"
    assert ws[f"G{tree_rows['WA.3355.EBA.994']}"].number_format == "0.00%"
    assert ws[f"G{tree_rows['CQ.1111.RAN.001']}"].number_format == "0.00%"


def test_percent_close_to_100_is_not_shown_as_100(books, tree_rows):
    """1 999 999 / 2 000 000 = 99,99995%: shown as 99,99%, as the report prints it."""
    row = tree_rows["CQ.2222.QGE.001"]
    assert books[0]["Rincian Anggaran"][f"G{row}"].number_format == "0.00%"
    assert books[1]["Rincian Anggaran"][f"G{row}"].value == 0.9999


def test_names_indented_by_level_and_programs_bold(books, tree_rows):
    ws = books[0]["Rincian Anggaran"]
    for node, depth in preorder(SYNTHETIC["program"]):
        cell = ws[f"C{tree_rows[node['kode']]}"]
        assert cell.alignment.indent == depth
        assert depth == 0 or cell.alignment.horizontal == "left"  # Excel ignores indent otherwise
        assert cell.alignment.wrap_text
        assert bool(cell.font.b) == (depth == 0)


def test_outline_levels_with_summary_rows_above(books, tree_rows):
    ws = books[0]["Rincian Anggaran"]
    assert ws.row_dimensions[2].outlineLevel == 0
    for node, depth in preorder(SYNTHETIC["program"]):
        assert ws.row_dimensions[tree_rows[node["kode"]]].outlineLevel == depth + 1, node["kode"]
    assert ws.sheet_properties.outlinePr.summaryBelow is False


def test_freeze_panes_and_autofilter(books, tree_rows):
    wb, _ = books
    ws = wb["Rincian Anggaran"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:G{max(tree_rows.values())}"
    assert wb["Ringkasan"].freeze_panes == "A6"


def test_print_settings_on_every_sheet(books):
    wb, _ = books
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert int(ws.page_setup.fitToWidth or 1) == 1  # absent means 1 (ECMA-376)
        assert "Komisi Pemilihan Umum Kabupaten Contoh" in ws.oddHeader.left.text
        assert "2023" in ws.oddHeader.center.text
        assert "&P dari &N" in ws.oddFooter.center.text
        assert ws.page_margins.left == 0.5
    assert int(wb["Rincian Anggaran"].page_setup.fitToHeight) == 0
    assert wb["Rincian Anggaran"].print_title_rows == "$1:$1"
    assert wb["Ringkasan"].print_title_rows == "$5:$5"


def test_workbook_properties(books, synthetic):
    wb, _ = books
    props = wb.properties
    assert props.title == "Lampiran Laporan Tahunan 2023 KPU Kabupaten Contoh"
    assert props.creator == "Komisi Pemilihan Umum Kabupaten Contoh"
    assert props.subject
    assert props.created == dt.datetime(2024, 1, 31)
    with zipfile.ZipFile(synthetic[1]) as z:
        assert "<Company>Komisi Pemilihan Umum</Company>" in z.read("docProps/app.xml").decode()


def test_text_that_looks_like_a_formula_stays_text(books, tree_rows, synthetic):
    ws = books[0]["Rincian Anggaran"]
    for code, name in (
        ("CQ.1111.QGE.001", FORMULA_NAME),
        ("CQ.1111.RAN.001", AT_NAME),
        ("CQ.1111.QGE.002.051.A.521213", "+Honor Output Kegiatan"),
    ):
        cell = ws[f"C{tree_rows[code]}"]
        assert cell.value == name and cell.data_type == "s"
    with zipfile.ZipFile(synthetic[1]) as z:
        sheets = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    assert "SUM(1,2)" not in sheets  # not in any <f> element
    names = [c.value for c in books[0]["Organisasi"]["F"]]
    assert "-Eko Prasetyo" in names


def test_summary_references_the_tree(books, tree_rows):
    wb, cached = books
    ws, values = wb["Ringkasan"], cached["Ringkasan"]
    for i, program in enumerate(SYNTHETIC["program"]):
        row, source = 6 + i, tree_rows[program["kode"]]
        assert ws[f"B{row}"].value == program["kode"]
        assert ws[f"D{row}"].value == f"='Rincian Anggaran'!D{source}"
        assert ws[f"E{row}"].value == f"='Rincian Anggaran'!E{source}"
        pagu, real = totals(program)
        assert (values[f"D{row}"].value, values[f"E{row}"].value, values[f"F{row}"].value) == (pagu, real, pagu - real)
        assert values[f"G{row}"].value == float(percent_decimal(Fraction(real, pagu)) / 100)
        nodes = list(preorder([program]))
        counts = [sum(1 for _, d in nodes if d == depth) for depth in (1, 2, 3)]
        assert [values.cell(row, c).value for c in (8, 9, 10)] == counts
        assert ws[f"H{row}"].value.startswith("=COUNTIF('Rincian Anggaran'!")
    total = 6 + len(SYNTHETIC["program"])
    assert ws[f"C{total}"].value == "Jumlah"
    assert ws[f"D{total}"].value == "='Rincian Anggaran'!D2"
    assert values[f"D{total}"].value == 8_100_000
    assert values[f"G{total}"].value == 0.8642  # 86,419…%
    assert ws[f"D{total}"].number_format == "#,##0" and ws[f"G{total}"].number_format == "0.00%"


def test_chart_is_a_native_chart_of_the_kegiatan(books, tree_rows, synthetic):
    wb, cached = books
    ws = wb["Grafik"]
    kegiatan = [k for p in SYNTHETIC["program"] for k in p["kegiatan"]]
    for row, k in enumerate(kegiatan, start=2):
        assert ws[f"A{row}"].value == k["kode"]
        assert ws[f"E{row}"].value == f"='Rincian Anggaran'!G{tree_rows[k['kode']]}"
        pagu, real = totals(k)
        assert cached["Grafik"][f"E{row}"].value == float(percent_decimal(Fraction(real, pagu)) / 100)
    with zipfile.ZipFile(synthetic[1]) as z:
        names = z.namelist()
        assert "xl/charts/chart1.xml" in names
        assert not [n for n in names if n.startswith("xl/media/")]  # not an image
        chart = z.read("xl/charts/chart1.xml").decode()
    assert "<c:barChart>" in chart
    last = 1 + len(kegiatan)
    # bars labelled with the kegiatan's names (not only codes) and with their values
    assert f"Grafik!$B$2:$B${last}" in chart and f"Grafik!$E$2:$E${last}" in chart
    assert '<c:showVal val="1"/>' in chart and 'formatCode="0.00%"' in chart


def test_organisation_counts(books):
    wb, cached = books
    ws, values = wb["Organisasi"], cached["Organisasi"]
    people = [
        (sub["nama"], group["status"], name)
        for sub in SYNTHETIC["organisasi"]["subbagian"]
        for group in sub["staf"]
        for name in group["nama"]
    ]
    assert [
        (ws.cell(r, 2).value, ws.cell(r, 4).value, ws.cell(r, 6).value) for r in range(2, 2 + len(people))
    ] == people
    header = next(
        r for r in range(2, ws.max_row + 1) if ws.cell(r, 4).value == "PNS" and ws.cell(r, 3).value == "Kepala"
    )
    assert [ws.cell(header, c).value for c in range(2, 7)] == ["Subbagian", "Kepala", "PNS", "PPNPN", "Jumlah Staf"]
    for i, sub in enumerate(SYNTHETIC["organisasi"]["subbagian"]):
        row = header + 1 + i
        pns = sum(1 for s, st, _ in people if s == sub["nama"] and st == "PNS")
        ppnpn = sum(1 for s, st, _ in people if s == sub["nama"] and st == "PPNPN")
        assert values.cell(row, 2).value == sub["nama"] and values.cell(row, 3).value == sub["kepala"]
        assert [values.cell(row, c).value for c in (4, 5, 6)] == [pns, ppnpn, pns + ppnpn]
        assert ws.cell(row, 4).value.startswith("=COUNTIF(")
        assert ws.cell(row, 6).value.startswith("=")
    total = header + 1 + len(SYNTHETIC["organisasi"]["subbagian"])
    assert [values.cell(total, c).value for c in (4, 5, 6)] == [3, 2, 5]
    assert ws.cell(total, 6).value.startswith("=SUM(")


def test_findings_go_to_the_check_file_not_the_annex(books, synthetic):
    source, target, findings = synthetic
    assert findings, "the synthetic input must produce findings for this test to mean anything"
    check = openpyxl.load_workbook(target.with_name("pemeriksaan.xlsx"))
    assert check.sheetnames == ["Temuan"]
    ws = check["Temuan"]
    assert [c.value for c in ws[4]] == ["Tingkat", "Kode", "Pesan", "Baris"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=5, max_row=4 + len(findings))]
    assert [(r[0].casefold(), r[1], r[2], r[3]) for r in rows] == [
        (f.severity.value, f.subject, f.message, f.location.line) for f in findings
    ]
    over = [r for r in rows if r[1] == "CQ.1111.RAN"]
    assert over and over[0][0] == "Peringatan" and "melebihi pagu" in over[0][2] and "CQ.1111.RAN.001" in over[0][2]
    assert source.name in ws["A2"].value and ws.freeze_panes == "A5"
    assert "Hasil Pemeriksaan Otomatis" in ws.oddHeader.center.text and "Lampiran" not in ws.oddHeader.center.text
    # The annex, which KPU RI receives, carries none of these internal notes.
    wb = books[0]
    annex_text = " ".join(str(c.value) for sheet in wb for row in sheet.iter_rows() for c in row if c.value is not None)
    for finding in findings:
        assert finding.message not in annex_text
    for word in ("Temuan", "pemeriksaan otomatis", "periksa kembali", "Baris"):
        assert word.casefold() not in annex_text.casefold()
    assert "temuan" not in (wb.properties.subject or "").casefold()


def test_rebuilding_gives_an_identical_file(synthetic, tmp_path):
    source, first, _ = synthetic
    again = tmp_path / "other-name.xlsx"
    build(source, again)
    assert again.read_bytes() == first.read_bytes()


# --- the real sample -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    if not SAMPLE.is_file():
        pytest.skip("inputs/kpu-kota-serang/2023.yaml is not there yet")
    target = tmp_path_factory.mktemp("sample") / "lampiran.xlsx"
    build(SAMPLE, target)
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    return data, openpyxl.load_workbook(target), openpyxl.load_workbook(target, data_only=True)


def test_sample_totals_come_from_the_leaves(sample):
    data, _, cached = sample
    pagu, real = map(sum, zip(*(totals(p) for p in data["program"])))
    ws = cached["Rincian Anggaran"]
    assert (ws["D2"].value, ws["E2"].value, ws["F2"].value) == (pagu, real, pagu - real)
    summary = cached["Ringkasan"]
    total = 6 + len(data["program"])
    assert (summary[f"D{total}"].value, summary[f"E{total}"].value) == (pagu, real)


def test_sample_wa3355_realisasi_above_pagu(sample):
    data, wb, cached = sample
    ws = wb["Rincian Anggaran"]
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == "WA.3355")
    pagu, real = totals(next(k for p in data["program"] for k in p["kegiatan"] if k["kode"] == "WA.3355"))
    values = cached["Rincian Anggaran"]
    assert (values[f"D{row}"].value, values[f"E{row}"].value) == (pagu, real)
    assert values[f"E{row}"].value > values[f"D{row}"].value
    assert values[f"G{row}"].value > 1 and values[f"F{row}"].value < 0
    assert ws[f"D{row}"].value.startswith("=SUM(")


# --- LibreOffice: cached values = what it computes ---------------------------------------------------

CSV_FILTER = (
    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"  # UTF-8, raw values, every sheet
)
PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>{mode}</value></prop></item>
</oor:items>
"""


def _canary(path: Path) -> None:
    """A workbook whose cached value (999) is wrong: it tells whether LibreOffice recalculated."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"in_memory": True})
    workbook.add_worksheet("a")
    sheet = workbook.add_worksheet("b")
    sheet.write_number(0, 0, 2)
    sheet.write_formula(0, 1, "=A1*2", None, 999)
    workbook.close()


def _to_csv(files: list[Path], folder: Path, recalc_mode: int) -> Path:
    """Export every sheet of each file to ``<stem>-<sheet>.csv``; OOXMLRecalcMode 0 = always
    recalculate on load, 1 = never (use the cached values)."""
    profile = folder / f"profile{recalc_mode}"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(PROFILE.format(mode=recalc_mode), encoding="utf-8")
    out = folder / f"csv{recalc_mode}"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            CSV_FILTER,
            "--outdir",
            str(out),
            *map(str, files),
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )
    return out


def _csv_rows(path: Path) -> list[list[str]]:
    import csv

    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_recalculation_matches_cached_values(synthetic, books, tmp_path):
    xlsx = tmp_path / "lampiran.xlsx"
    shutil.copy(synthetic[1], xlsx)
    canary = tmp_path / "canary.xlsx"
    _canary(canary)
    cached_dir = _to_csv([xlsx, canary], tmp_path, recalc_mode=1)
    recalc_dir = _to_csv([xlsx, canary], tmp_path, recalc_mode=0)
    # the two runs really differ in recalculating
    assert _csv_rows(cached_dir / "canary-b.csv") == [["2", "999"]]
    assert _csv_rows(recalc_dir / "canary-b.csv") == [["2", "4"]]
    for sheet in SHEETS:
        name = f"lampiran-{sheet}.csv"
        assert _csv_rows(recalc_dir / name) == _csv_rows(cached_dir / name), sheet
    as_cached = _csv_rows(cached_dir / "lampiran-Rincian Anggaran.csv")
    # and both are what openpyxl reads as cached values
    ws = books[1]["Rincian Anggaran"]
    assert len(as_cached) == ws.max_row
    for r, row in enumerate(as_cached, start=1):
        assert row[:3] == [ws.cell(r, c).value or "" for c in (1, 2, 3)]
        if r == 1:
            continue
        assert [int(v) for v in row[3:6]] == [ws.cell(r, c).value for c in (4, 5, 6)]
        expected = ws.cell(r, 7).value
        if expected in ("", None):
            assert row[6] == ""
        else:
            assert row[6].endswith("%")
            assert float(row[6][:-1]) / 100 == pytest.approx(expected, rel=1e-13)


def test_row_heights_fit_their_text_without_blank_lines():
    """A name that fits one line gets no double-height row; a long one gets its lines, within 409 pt."""
    from kpu_docs.render.xlsx.annex import MAX_ROW_HEIGHT, _line_count

    assert _line_count("Pendaftaran dan Verifikasi Partai Politik Peserta Pemilu", 52, indent=3) == 1
    assert _line_count("Tata Kelola Kelembagaan Publik Bidang Politik dan Hukum", 52, indent=2) == 1
    assert (
        _line_count(
            "Perencanaan Program dan Anggaran, serta Penyusunan Peraturan Pelaksanaan Penyelenggaraan Pemilu",
            52,
            indent=1,
        )
        == 2
    )
    assert _line_count("% Penyerapan", 12, bold=True) == 2
    assert _line_count("kata " * 20000, 40) * 15 > MAX_ROW_HEIGHT


def test_a_text_longer_than_a_cell_is_cut_with_a_note(tmp_path):
    from kpu_docs.render.xlsx.annex import MAX_CELL_TEXT, cell_text

    assert cell_text("pendek") == "pendek"
    long = "kata " * 10000  # 50.000 characters
    cut = cell_text(long)
    assert len(cut) == MAX_CELL_TEXT and "DIPOTONG" in cut and "50.000 karakter" in cut
    assert cut.startswith(long[:1000])


def test_changes_sheet_says_where_a_long_narrative_was_cut(tmp_path, sample_path):
    from kpu_docs.checks.diff import Change

    report = derive(load(sample_path))
    target = tmp_path / "lampiran.xlsx"
    write_annex(report, target, changes=[Change("narasi", "CQ.6709", "narasi", "lama " * 9000, "baru")])
    ws = openpyxl.load_workbook(target)["Perubahan"]
    old = ws["D2"].value
    assert len(old) == 32767 and "DIPOTONG" in old and "45.000 karakter" in old and ws["E2"].value == "baru"
    assert ws.row_dimensions[2].height <= 409


def test_formulas_of_classic_functions_skip_xlsxwriter_s_scan_with_its_own_result(sample_path, tmp_path, monkeypatch):
    """Every formula the annexes write comes out as xlsxwriter would write it, and the classic
    ones (IF, ROUND, SUM …) without its scan for newer function names (a fifth of the annex's
    time); a newer function still gets xlsxwriter's ``_xlfn.`` prefix."""
    from xlsxwriter.worksheet import Worksheet

    from kpu_docs.render.xlsx import annex

    original, fast = Worksheet._prepare_formula, annex._Sheet._prepare_formula
    seen, scanned = [], []

    def scanning(self, formula, expand_future_functions=False):
        scanned.append(formula)
        return original(self, formula, expand_future_functions)

    def recording(self, formula, expand_future_functions=False):
        seen.append(formula)
        return fast(self, formula, expand_future_functions)

    monkeypatch.setattr(Worksheet, "_prepare_formula", scanning)
    monkeypatch.setattr(annex._Sheet, "_prepare_formula", recording)
    for path in sorted(sample_path.parents[1].rglob("*.yaml")):
        report = derive(load(path))
        write_annex(report, tmp_path / "a.xlsx", previous=report)
    assert len(seen) > 100 and scanned == []
    sheet = annex._Sheet()
    for formula in seen:
        assert fast(sheet, formula) == original(sheet, formula)
    scanned.clear()
    assert fast(sheet, "=XLOOKUP(A1,B:B,C:C)") == "_xlfn.XLOOKUP(A1,B:B,C:C)"
    assert scanned == ["=XLOOKUP(A1,B:B,C:C)"]
