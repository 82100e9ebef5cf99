"""The export offices really download (GLP039), and every way an import could corrupt an input."""

from __future__ import annotations

import shutil
import time
import zipfile

import openpyxl
import pytest

from kpu_docs.formatting import amount
from kpu_docs.input.load import load
from kpu_docs.sakti import read_export

from . import glp039
from .conftest import SAMPLE
from .test_sakti_import import N, figures_only, find, flatten, node, revised, run, sample_tree, table
from .test_sakti_import import write_xlsx as write_flat_xlsx


@pytest.fixture
def work(tmp_path):
    """A copy of the sample; the real one is never touched."""
    target = tmp_path / "kantor" / "2023.yaml"
    target.parent.mkdir()
    shutil.copyfile(SAMPLE, target)
    return target


def _export(kind: str, tmp_path, sheet=None, tree=None):
    sheet = sheet if sheet is not None else glp039.rows(glp039.detailed(tree or revised()))
    shift = 1 if kind.endswith("shifted") else 0
    if shift:
        sheet = glp039.shifted(sheet)
    name = "Laporan Fa Detail (16 Segmen) (51)"
    if kind.startswith("xlsx"):
        return glp039.write_xlsx(tmp_path / f"{name}.xlsx", sheet, shift=shift)
    return glp039.write_csv(tmp_path / f"{name}.csv", sheet, shift=shift)


KINDS = ["xlsx", "xlsx-shifted", "csv", "csv-shifted"]


@pytest.mark.parametrize("kind", KINDS)
def test_glp039_imports_the_same_figures_as_the_flat_export(kind, work, tmp_path, capsys):
    reference = tmp_path / "reference.yaml"
    shutil.copyfile(work, reference)
    code, _, err = run(capsys, write_flat_xlsx(tmp_path / "flat.xlsx", table(revised())), "--into", reference)
    assert code == 0, err

    export = _export(kind, tmp_path)
    code, out, err = run(capsys, export, "--into", work)

    assert code == 0, err
    assert "peringatan" not in err, err
    assert figures_only(work.read_text(encoding="utf-8")) == figures_only(reference.read_text(encoding="utf-8"))
    data = load(work).data
    assert data.satker_code == "123456"
    source = data.data_source
    assert source.describe() == "SAKTI, GLP039, periode Desember 2023, basis akrual"
    assert source.file == export.name
    # komponen, sub-komponen, akun and detail rows are summed into their RO, never new ROs
    assert "catatan: 8 baris ekspor di bawah tingkat terbawah masukan" in err, err
    assert "catatan: 1 baris catatan kaki" in err and "catatan: 2 baris judul kolom yang berulang" in err
    assert "+ " not in out


@pytest.mark.parametrize("kind", ["xlsx", "csv-shifted"])
def test_glp039_codes_are_built_from_the_level_columns(kind, tmp_path):
    export = read_export(_export(kind, tmp_path), known={"076.01.CQ", "076.01.WA"})

    assert export.errors == [] and export.warnings == []
    assert export.total.line == 9  # the grand total comes first
    k = "CQ.6709.QGE.001.051"
    assert [r.code for r in export.rows[:10]] == [
        "076.01.CQ",
        "CQ.6709",
        "CQ.6709.QGE",
        "CQ.6709.QGE.001",
        k,
        f"{k}.0A",
        f"{k}.0A.521211",
        f"{k}.0A.521211.000017",
        f"{k}.0A.521211.000018",
        f"{k}.0A.524111",
    ]
    akun = export.row(f"{k}.0A.521211")
    assert akun.name == glp039.LONG_AKUN  # continued on a second row, counted once
    assert (akun.pagu, akun.realisasi) == (500_000_000, 499_000_000)
    assert export.row(f"{k}.0A.521211.000017").name == "Konsumsi rapat"
    # realisasi is s.d. Periode (Z on detail rows, Y on the total row), never Periode Lalu
    ro = export.row("CQ.6709.QGE.001")
    assert ro.realisasi == 851_600_000 and ro.realisasi_lalu == 851_600_000 // 3
    assert export.total.realisasi == sum(p.figures()[1] for p in revised())
    assert export.total.sisa == export.total.pagu - export.total.realisasi
    assert export.source.satker == "123456" and export.source.satker_name == "KPU KOTA SERANG"


def test_the_xlsx_fixture_is_what_sakti_md_describes(tmp_path):
    path = _export("xlsx", tmp_path)
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        assert 't="inlineStr"' in sheet and 't="s"' in sheet and "<mergeCell " in sheet
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert ws.title == "Laporan "
    assert ws["A7"].value == "Uraian" and ws["W7"].value == "Realisasi" and ws["Y8"].value == "s.d. Periode"
    assert ws["A9"].value == "JUMLAH SELURUHNYA" and isinstance(ws["Q9"].value, float)
    assert ws["B10"].value == "CQ" and ws["B11"].value == "CQ.6709" and ws["C13"].value == "QGE.001"
    assert ws["E14"].value == 51 and ws["E14"].number_format == "000"
    assert ws["Y13"].value is None and ws["Z13"].value == 851_600_000.0  # detail rows: one column further


def test_a_total_last_glp039_is_read_too(work, tmp_path, capsys):
    sheet = glp039.rows(glp039.detailed(revised()), total_last=True, repeat_header_after=None)
    code, out, err = run(capsys, _export("csv", tmp_path, sheet), "--into", work)
    assert code == 0, err
    assert node(load(work), "CQ.6709.QGE.001").realisasi == 851_600_000


# --- komponen rows never become ROs -----------------------------------------------------------


def _flattened_by_hand(tree: list[N], ro_form) -> list[list]:
    """The documented one-row layout with SAKTI's own code forms kept (CQ, CQ.6709, QGE, QGE.001,
    051, 051.0A, 521211), as a user flattens GLP039 by hand."""
    rows = table(tree)
    header = next(i for i, r in enumerate(rows) if len(r) > 3 and r[3] == "kode")
    depths = dict((n.code, d) for d, n in flatten(tree))
    for row in rows[header + 1 :]:
        if len(row) > 3 and row[3] in depths:
            code, depth = row[3], depths[row[3]]
            parts = code.split(".")
            row[3] = {
                0: parts[-1],
                1: code,
                2: parts[-1],
                3: ro_form(parts),
                4: parts[-1],
                5: f"{parts[-2]}.{parts[-1]}",
                6: parts[-1],
            }.get(depth, parts[-1])
    return rows


def test_komponen_rows_flattened_by_hand_do_not_double_the_total(work, tmp_path, capsys):
    tree = glp039.detailed(revised())
    for n in [find(tree, "CQ.6709.QGE.001.051.0A.521211")]:
        n.kids = []
        n.pagu, n.realisasi = 500_000_000, 499_000_000
    export = write_flat_xlsx(tmp_path / "e.xlsx", _flattened_by_hand(tree, lambda p: f"{p[-2]}.{p[-1]}"))

    code, out, err = run(capsys, export, "--into", work)

    assert code == 0, err
    doc = load(work)
    ro = node(doc, "CQ.6709.QGE.001")
    assert (ro.pagu, ro.realisasi) == (852_312_000, 851_600_000)
    assert [s.code for s in node(doc, "CQ.6709.QGE").sub_outputs] == [
        "CQ.6709.QGE.001",
        "CQ.6709.QGE.003",
        "CQ.6709.QGE.004",
        "CQ.6709.QGE.006",
        "CQ.6709.QGE.007",
    ]
    assert "+ " not in out  # nothing added
    program = node(doc, "076.01.CQ")
    assert program.pagu == sum(p.figures()[0] for p in tree if p.code == "076.01.CQ")


def test_komponen_rows_taken_for_ros_make_the_import_fail(work, tmp_path, capsys):
    """Komponen written as if they were ROs (CQ.6709.QGE.051): the KRO's subtotal no longer
    equals its rows, nor the office total its JUMLAH SELURUHNYA: nothing is written."""
    tree = glp039.detailed(revised())
    rows = table(tree)
    for row in rows:
        if (
            len(row) > 3
            and isinstance(row[3], str)
            and row[3].startswith("CQ.6709.QGE.001.05")
            and row[3].count(".") == 4
        ):
            row[3] = row[3].replace("QGE.001.", "QGE.")
    rows = [r for r in rows if not (len(r) > 3 and isinstance(r[3], str) and r[3].count(".") > 4)]
    before = work.read_bytes()

    code, out, err = run(capsys, write_flat_xlsx(tmp_path / "e.xlsx", rows), "--into", work)

    assert code == 1
    assert (
        "CQ.6709.QGE, kolom E: pagu Rp1.273.376.000 tidak sama dengan jumlah 7 baris di bawahnya Rp2.125.688.000 (selisih Rp852.312.000)"
        in err
    ), err
    assert work.read_bytes() == before
    assert sorted(p.name for p in work.parent.iterdir()) == ["2023.yaml"]


def test_a_row_whose_level_is_uncertain_is_never_a_new_ro(work, tmp_path, capsys):
    tree = revised()
    find(tree, "CQ.6709.QGE").kids.append(N("CQ.6709.QGE.009", "Baru", 5_000, 5_000))
    sheet = glp039.rows(tree)
    row = next(r for r in sheet if r.get(glp039.CODE_COL[3]) == "QGE.009")
    row[glp039.CODE_COL[3] + 1] = row.pop(glp039.CODE_COL[3])  # the RO code one column off
    before = work.read_bytes()

    code, out, err = run(capsys, _export("xlsx", tmp_path, sheet), "--into", work)

    assert code == 1
    line = sheet.index(row) + 1
    assert (
        f"baris {line}: kode RO 'QGE.009' di kolom D, padahal kode RO sebelumnya di kolom C; tingkatnya tidak pasti"
    ) in err, err
    assert "CQ.6709.QGE, kolom Q: pagu" in err  # the KRO no longer adds up without it
    assert work.read_bytes() == before


def test_a_new_ro_whose_parent_is_certain_is_added_and_listed(work, tmp_path, capsys):
    tree = revised()
    find(tree, "CQ.6709.QGE").kids.append(N("CQ.6709.QGE.009", "Layanan Baru", 5_000, 4_000))
    code, out, err = run(capsys, _export("xlsx", tmp_path, tree=tree), "--into", work)
    assert code == 0, err
    assert "+ CQ.6709.QGE.009 Layanan Baru (pagu 5.000, realisasi 4.000)" in out
    assert node(load(work), "CQ.6709.QGE.009").realisasi == 4_000


def test_realisasi_under_a_program_the_input_no_longer_has_is_reported_with_its_amount(work, tmp_path, capsys):
    tree = revised() + [
        N(
            "076.01.DL",
            "Program Lama",
            kids=[
                N(
                    "DL.1234",
                    "Kegiatan lama",
                    kids=[N("DL.1234.ABC", "KRO lama", kids=[N("DL.1234.ABC.001", "RO lama", 7_000_000, 6_500_000)])],
                )
            ],
        )
    ]
    before = work.read_bytes()

    code, out, err = run(capsys, _export("csv", tmp_path, tree=tree), "--into", work)

    assert code == 1
    assert "program 'DL' tidak ada di masukan" in err
    assert (
        "JUMLAH SELURUHNYA, kolom Q: pagu" in err and "selisih Rp7.000.000" in err
    )  # the grand total no longer adds up
    assert work.read_bytes() == before


# --- what SAKTI and Excel write that must never be read as 0 ------------------------------------


def test_a_formula_without_a_saved_value_is_refused(work, tmp_path, capsys):
    rows = table(revised())
    at = next(i for i, r in enumerate(rows) if len(r) > 3 and r[3] == "CQ.6709.QGE.001")
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    ws.cell(at + 1, 5).value = "=800000000+52312000"  # Pagu Revisi, computed, never saved
    wb.save(tmp_path / "e.xlsx")
    before = work.read_bytes()

    code, out, err = run(capsys, tmp_path / "e.xlsx", "--into", work)

    assert code == 1
    assert f"baris {at + 1}, kolom E: rumus tanpa nilai tersimpan" in err, err
    assert work.read_bytes() == before


def test_x000d_escapes_are_cleaned_with_a_message(work, tmp_path, capsys):
    tree = revised()
    find(tree, "CQ.6709.QGE").kids.append(N("CQ.6709.QGE.009", "Layanan_x000D_\nBaru", 5_000, 4_000))
    code, out, err = run(capsys, _export("csv", tmp_path, tree=tree), "--into", work)
    assert code == 0, err
    assert node(load(work), "CQ.6709.QGE.009").name == "Layanan Baru"
    assert "peringatan: 1 uraian memuat '_x000D_' (ganti baris Excel); diganti spasi" in err


def test_x000d_in_a_figure_is_refused(work, tmp_path, capsys):
    sheet = glp039.rows(revised())
    row = next(r for r in sheet if r.get(glp039.CODE_COL[3]) == "QGE.001")
    row[glp039.PAGU] = "852.312.000_x000D_"
    code, out, err = run(capsys, _export("csv", tmp_path, sheet), "--into", work)
    assert code == 1
    assert f"baris {sheet.index(row) + 1}, kolom Q: angka berisi '_x000D_'" in err, err


def test_a_merged_realisasi_without_sd_periode_below_is_refused(work, tmp_path, capsys):
    sheet = glp039.rows(revised())
    for r in sheet:
        if r.get(glp039.SD_TOTAL) == "s.d. Periode":
            del r[glp039.SD_TOTAL]
    code, out, err = run(capsys, _export("csv", tmp_path, sheet), "--into", work)
    assert code == 1
    assert (
        "judul 'Realisasi' bergabung di atas beberapa kolom, tetapi baris 8 di bawahnya tidak memuat "
        "'s.d. Periode'" in err
    ), err


def test_an_export_of_another_satker_is_refused_naming_both(work, tmp_path, capsys):
    text = work.read_text(encoding="utf-8").replace("tahun: 2023", 'kode_satker: "654321"\n\ntahun: 2023')
    work.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, _export("xlsx", tmp_path), "--into", work)
    assert code == 1
    assert "ekspor satker 123456 (KPU KOTA SERANG), sedangkan" in err and "milik satker 654321 (KPU Kota Serang)" in err
    assert work.read_text(encoding="utf-8") == text


# --- bounds -------------------------------------------------------------------------------------


def test_a_percent_with_a_huge_exponent_is_refused_at_once(tmp_path):
    rows = table(sample_tree(), override={"CQ.6709.QGE.001": {"persen": "1E-100000000"}})
    started = time.process_time()
    export = read_export(write_flat_xlsx(tmp_path / "e.xlsx", rows))
    assert time.process_time() - started < 30  # a hang would never get here; speed is in benchmarks/
    assert any("'1E-100000000' bukan persentase" in w for w in export.warnings), export.warnings


def test_a_row_claiming_column_xfd_is_not_padded_and_a_value_there_is_refused(work, tmp_path, capsys):
    path = write_flat_xlsx(tmp_path / "e.xlsx", table(revised()))
    wb = openpyxl.load_workbook(path)
    wb.active["XFD3"].value = "x"
    wb.save(path)
    code, out, err = run(capsys, path, "--into", work)
    assert code == 1
    assert "baris 3: ada isi di kolom BM atau sesudahnya" in err, err

    wb.active["XFD3"].value = None
    wb.active["XFD3"].number_format = "0.00"  # styled but empty: claims XFD, holds nothing
    wb.save(path)
    from kpu_docs.sakti.files import read_tables

    sheets = read_tables(path)
    assert max(len(r) for r in sheets[0].rows) <= 64


# --- the pagu-only POK worksheet ----------------------------------------------------------------


def _pok(tree: list[N], thousands_title: bool) -> list[list]:
    """Rincian Kertas Kerja: codes 076.01.CQ, 6709, 6709.QGE, 6709.QGE.001, 051, A, 521211, detail '>'."""
    rows = [
        ["RINCIAN KERTAS KERJA SATKER T.A. 2023"],
        ["(dalam ribuan rupiah)" if thousands_title else ""],
        [
            "KODE",
            "PROGRAM/ KEGIATAN/ OUTPUT/ SUB OUTPUT/ KOMPONEN/ SUB KOMPONEN/ AKUN/ DETIL",
            "VOLUME",
            "HARGA SATUAN",
            "JUMLAH BIAYA",
            "SD/CP",
            "JANUARI",
            "FEBRUARI",
        ],
    ]
    for depth, n in flatten(tree):
        parts = n.code.split(".")
        code = {0: n.code, 1: parts[-1], 2: f"{parts[-2]}.{parts[-1]}", 3: ".".join(parts[-3:])}.get(depth, parts[-1])
        pagu = n.figures()[0] // 1000
        rows.append([code, n.name, None, None, pagu, "RM", pagu // 2, pagu - pagu // 2])
        if depth == 3:
            rows.append(["051", "Komponen", None, None, pagu, "RM", None, None])
            rows.append(["A", "Tanpa sub komponen", None, None, pagu, "RM", None, None])
            rows.append(["521211", "Belanja Bahan", None, None, pagu, "RM", None, None])
            rows.append([">", "Konsumsi", "10 OK", pagu // 10 if pagu % 10 == 0 else pagu, pagu, None, None, None])
    rows.append(["JUMLAH SELURUHNYA", None, None, None, sum(p.figures()[0] for p in tree) // 1000])
    return rows


@pytest.mark.parametrize("thousands_title, flag", [(True, ()), (False, ("--ribuan",))])
def test_a_pok_worksheet_in_thousands_updates_pagu_only(thousands_title, flag, work, tmp_path, capsys):
    tree = sample_tree()
    find(tree, "CQ.6709.QGE.001").pagu = 900_000_000
    find(tree, "CQ.6709.QGE.004").pagu = 6_000_000
    for _, n in flatten(tree):  # a POK in thousands: every leaf pagu a whole thousand
        if not n.kids:
            n.pagu -= n.pagu % 1000
    path = write_flat_xlsx(tmp_path / "pok.xlsx", _pok(tree, thousands_title))
    before = load(work)

    code, out, err = run(capsys, path, "--into", work, *flag)

    assert code == 0, err
    doc = load(work)
    assert node(doc, "CQ.6709.QGE.001").pagu == 900_000_000
    assert node(doc, "CQ.6709.QGE.004").pagu == 6_000_000
    assert node(doc, "CQ.6709.QGE.001").realisasi == node(before, "CQ.6709.QGE.001").realisasi  # untouched
    assert "nilai ekspor dalam ribuan Rupiah: dikalikan 1.000" in err
    assert doc.data.data_source.report == "POK"


# --- the source printed in the report and the annex ---------------------------------------------


def test_the_source_is_printed_under_the_budget_tables_and_in_the_annex(work, tmp_path, capsys):
    import docx

    from kpu_docs.publish.build import build

    assert run(capsys, _export("xlsx", tmp_path), "--into", work)[0] == 0
    result = build([work], tmp_path / "out")[0]
    assert result.ok, result.reason
    line = "Sumber data: SAKTI, GLP039, periode Desember 2023, basis akrual"
    document = docx.Document(next(result.destination.glob("*.docx")))
    body = list(document.element.body.iterchildren())
    texts = ["".join(t.text or "" for t in el.iter(docx.oxml.ns.qn("w:t"))) for el in body]
    tables = [i for i, el in enumerate(body) if el.tag == docx.oxml.ns.qn("w:tbl")]
    budget = [i for i in tables if "Pagu (Rp)" in texts[i]]
    assert len(budget) == 3  # the summary per program, then one per program
    assert all(texts[i + 1] == line for i in budget)
    annex = openpyxl.load_workbook(next(result.destination.glob("lampiran-*.xlsx")))
    summary = [c.value for row in annex["Ringkasan"].iter_rows() for c in row if c.value]
    tree = [c.value for row in annex["Rincian Anggaran"].iter_rows() for c in row if c.value]
    assert line in summary and line in tree


def test_without_an_import_no_source_line_is_printed(sample_docx, sample_xlsx):
    import docx

    text = "\n".join(p.text for p in docx.Document(sample_docx).paragraphs)
    assert "Sumber data" not in text
    annex = openpyxl.load_workbook(sample_xlsx)
    assert not any(
        isinstance(c.value, str) and c.value.startswith("Sumber data")
        for ws in annex.worksheets
        for row in ws.iter_rows()
        for c in row
    )


def test_an_export_that_does_not_add_up_still_shows_its_totals_first(work, tmp_path, capsys):
    code, out, err = run(
        capsys, write_flat_xlsx(tmp_path / "e.xlsx", table(revised(), total=(1, 2))), "--into", work, "--dry-run"
    )
    assert code == 1
    lines = out.splitlines()
    pagu, realisasi = (sum(p.figures()[i] for p in revised()) for i in (0, 1))
    ro_count = str(sum(1 for level, _ in flatten(revised()) if level == 3))
    assert lines[1].split()[-3:] == ["1", "2", ro_count]
    assert lines[2].split()[-3:] == [amount(pagu), amount(realisasi), ro_count]


def test_next_year_keeps_the_satker_code_but_not_last_years_source(work, tmp_path, capsys):
    from kpu_docs.cli.main import main

    assert run(capsys, _export("xlsx", tmp_path), "--into", work)[0] == 0
    assert main(["new", str(work), "--year", "2024"]) == 0
    data = load(work.parent / "2024.yaml").data
    assert data.satker_code == "123456" and data.data_source is None


def test_a_dtd_in_the_worksheet_xml_is_refused(work, tmp_path, capsys):
    path = write_flat_xlsx(tmp_path / "e.xlsx", table(revised()))
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"]
    dtd = b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    head = sheet.index(b"?>") + 2 if sheet.startswith(b"<?xml") else 0
    members["xl/worksheets/sheet1.xml"] = sheet[:head] + dtd + sheet[head:]
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    before = work.read_bytes()
    code, out, err = run(capsys, path, "--into", work)
    assert code == 1 and "Traceback" not in err
    assert "tidak dapat dibaca" in err, err  # openpyxl (defusedxml) refuses it already
    assert work.read_bytes() == before

    import io

    from kpu_docs.errors import ImportRefused
    from kpu_docs.sakti.sheet_xml import SheetReader

    with pytest.raises(ImportRefused, match="DTD"):  # and so does the sheet reader
        SheetReader("Laporan", [], path).read(io.BytesIO(members["xl/worksheets/sheet1.xml"]))


def test_akun_rows_go_into_the_inputs_rincian_with_their_codes(make_input, tmp_path, capsys):
    k = "CQ.6709.QGE.001.051"

    def with_rincian(data):
        kro = next(o for kg in data["program"][0]["kegiatan"] for o in kg["output"] if o["kode"] == "CQ.6709.QGE")
        kro["sub_output"][0]["rincian"] = [
            {
                "kode": k,
                "nama": "Penyusunan Rencana Kerja",
                "rincian": [
                    {
                        "kode": f"{k}.A",
                        "nama": "Rapat Koordinasi",
                        "rincian": [  # the POK writes sub-komponen 0A as A
                            {"kode": f"{k}.A.521211", "nama": "Belanja Barang", "pagu": 1, "realisasi": 1},
                            {"kode": f"{k}.A.524111", "nama": "Perjalanan", "pagu": 1, "realisasi": 1},
                        ],
                    }
                ],
            },
            {"kode": "CQ.6709.QGE.001.052", "nama": "Dukungan", "pagu": 1, "realisasi": 1},
        ]

    path = make_input(with_rincian)
    code, out, err = run(capsys, _export("xlsx", tmp_path), "--into", path)

    assert code == 0, err
    doc = load(path)
    assert (node(doc, f"{k}.A.521211").pagu, node(doc, f"{k}.A.521211").realisasi) == (500_000_000, 499_000_000)
    assert (node(doc, f"{k}.A.524111").pagu, node(doc, f"{k}.A.524111").realisasi) == (300_000_000, 300_000_000)
    assert node(doc, "CQ.6709.QGE.001.052").realisasi == 851_600_000 - 799_000_000
    assert (
        "catatan: 3 baris ekspor di bawah tingkat terbawah masukan" in err
    )  # two detail items, one komponen elsewhere


def test_a_glp039_without_its_basis_is_flagged(tmp_path):
    sheet = glp039.rows(revised())
    sheet[0] = {0: "Laporan Fa Detail (16 Segmen)", 20: "Dicetak 5 Januari 2024"}
    sheet[1] = {0: "Per Program/Kegiatan/KRO/RO/Komponen/Sub Komponen/Akun/Detail"}
    export = read_export(glp039.write_csv(tmp_path / "laporan.csv", sheet), known={"076.01.CQ", "076.01.WA"})
    assert export.source.basis == "" and export.source.period == "Desember 2023"
    assert any("basis realisasi (akrual atau kas/SP2D) tidak tertulis" in w for w in export.warnings)
    sp2d = read_export(glp039.write_csv(tmp_path / "GLP039 SP2D.csv", sheet), known={"076.01.CQ", "076.01.WA"})
    assert sp2d.source.basis == "kas (SP2D)"  # from the file name


def test_a_second_program_after_akun_rows_flattened_by_hand_is_a_program(work, tmp_path, capsys):
    """`WA` after the akun rows of the last RO of `CQ` is the next program (its kegiatan `WA.3355`
    follows), not a sub-komponen `WA` of the komponen above."""
    tree = glp039.detailed(revised())
    cq = next(p for p in tree if p.code == "076.01.CQ")
    last_ro = [n for depth, n in flatten([cq]) if depth == 3][-1]
    k = f"{last_ro.code}.051"
    last_ro.kids = [
        N(
            k,
            "Dukungan Operasional",
            kids=[
                N(
                    f"{k}.0A",
                    "Operasional",
                    kids=[N(f"{k}.0A.521211", "Belanja Bahan", last_ro.pagu, last_ro.realisasi)],
                )
            ],
        )
    ]
    akun = find(tree, "CQ.6709.QGE.001.051.0A.521211")
    akun.pagu, akun.realisasi, akun.kids = *akun.figures(), []
    export = write_flat_xlsx(tmp_path / "e.xlsx", _flattened_by_hand(tree, lambda p: f"{p[-2]}.{p[-1]}"))

    code, out, err = run(capsys, export, "--into", work)

    assert code == 0, err
    doc = load(work)
    assert (node(doc, "076.01.WA").pagu, node(doc, "076.01.CQ").pagu) == (
        next(p for p in tree if p.code == "076.01.WA").figures()[0],
        cq.figures()[0],
    )
    assert "+ " not in out


def test_period_and_satker_are_read_from_the_file_name_when_the_titles_lack_them(tmp_path):
    sheet = glp039.rows(revised())[len(glp039.TITLES) :]  # no title rows at all
    known = {"076.01.CQ", "076.01.WA"}
    named = read_export(glp039.write_csv(tmp_path / "GLP039_satker_654321_Desember_2023_akrual.csv", sheet), known)
    assert (named.source.period, named.source.satker, named.source.basis) == ("Desember 2023", "654321", "akrual")
    assert not any("periode" in w for w in named.warnings)
    bare = read_export(glp039.write_csv(tmp_path / "Laporan Fa Detail (16 Segmen) (51).csv", sheet), known)
    assert bare.source.period == "" and bare.source.satker == ""
    assert any("periode laporan (mis. 'Periode Desember 2023') tidak tertulis" in w for w in bare.warnings)


def test_a_csv_with_komponen_written_without_its_leading_zeros_reads_like_the_xlsx(work, tmp_path, capsys):
    """The xlsx stores komponen 51 as a number shown 051; a CSV written from the stored value says 51."""
    reference = tmp_path / "reference.yaml"
    shutil.copyfile(work, reference)
    code, _, err = run(capsys, _export("xlsx", tmp_path), "--into", reference)
    assert code == 0, err
    path = _export("csv", tmp_path)
    text = path.read_text(encoding="utf-8")
    stripped = text.replace(";051;", ";51;").replace(";052;", ";52;")
    assert stripped != text
    path.write_text(stripped, encoding="utf-8")

    code, out, err = run(capsys, path, "--into", work)

    assert code == 0, err
    assert figures_only(work.read_text(encoding="utf-8")) == figures_only(reference.read_text(encoding="utf-8"))


def test_text_where_a_workbook_has_numbers_is_read_with_a_warning_naming_the_cell(work, tmp_path, capsys):
    path = _export("xlsx", tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    cell = next(row[glp039.PAGU] for row in ws.iter_rows() if row[2].value == "QGE.001")
    cell.value = amount(int(cell.value))  # '852.312.000' typed over the number
    wb.save(path)

    code, out, err = run(capsys, path, "--into", work)

    assert code == 0, err
    assert node(load(work), "CQ.6709.QGE.001").pagu == 852_312_000
    assert (
        f"peringatan: 1 angka di buku kerja tersimpan sebagai teks, dibaca sebagai angka (mis. baris {cell.row}, "
        f"kolom Q '852.312.000')"
    ) in err


def test_a_total_written_first_and_last_must_say_the_same(work, tmp_path, capsys):
    original = work.read_text(encoding="utf-8")
    sheet = glp039.rows(glp039.detailed(revised()))
    total = next(i for i, row in enumerate(sheet) if row.get(0) == "JUMLAH SELURUHNYA")
    same = [*sheet, dict(sheet[total])]
    code, _, err = run(capsys, _export("xlsx", tmp_path, same), "--into", work)
    assert code == 0, err

    shutil.copyfile(tmp_path / "kantor" / "2023.yaml", tmp_path / "imported.yaml")
    other = dict(sheet[total])
    other[glp039.PAGU] += 1_000
    code, out, err = run(capsys, _export("xlsx", tmp_path, [*sheet, other]), "--into", work)
    assert code == 1
    assert f"baris {len(sheet) + 1}: JUMLAH SELURUHNYA ditulis lagi dengan Pagu Revisi lain" in err
    assert work.read_text(encoding="utf-8") == (tmp_path / "imported.yaml").read_text(encoding="utf-8") != original


@pytest.mark.parametrize(
    "name, accepted",
    [
        ("KPU KABUPATEN SERANG", False),
        ("KPU KABUPATEN LEBAK", False),
        ("KOMISI PEMILIHAN UMUM KOTA SERANG", True),
        ("KPU KOTA SERANG", True),
    ],
)
def test_a_first_import_checks_the_satker_name_against_the_office(name, accepted, work, tmp_path, capsys):
    """Before the input has its kode_satker, the export's satker name must be the input's office."""
    original = work.read_text(encoding="utf-8")
    sheet = glp039.rows(glp039.detailed(revised()))
    row = next(r for r in sheet if r.get(0) == "Satuan Kerja")
    row[4] = name
    code, out, err = run(capsys, _export("csv", tmp_path, sheet), "--into", work)
    if accepted:
        assert code == 0, err
        return
    assert code == 1
    assert f"adalah ekspor satker 123456 ({name}), sedangkan {work} milik KPU Kota Serang" in err
    assert 'tulis kode_satker: "123456"' in err
    assert work.read_text(encoding="utf-8") == original
