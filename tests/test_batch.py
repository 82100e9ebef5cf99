"""Batches: every office and year under a folder, failures isolated, year-on-year and revision sheets."""

from __future__ import annotations

import shutil

import openpyxl
import yaml

from kpu_docs.cli.main import main
from kpu_docs.publish.build import build

from .conftest import ROOT, node

CONTOH = ROOT / "inputs" / "kpu-kabupaten-contoh"


def batch_folder(tmp_path):
    inputs = tmp_path / "inputs"
    shutil.copytree(CONTOH, inputs / "kpu-kabupaten-contoh")
    return inputs


def test_batch_builds_all_and_isolates_a_bad_input(tmp_path, capsys):
    inputs = batch_folder(tmp_path)
    bad = inputs / "kpu-rusak" / "2023.yaml"
    bad.parent.mkdir()
    bad.write_text("satker: [tidak ditutup\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(inputs), "--out", str(out), "-j", "2", "-q"]) == 1
    captured = capsys.readouterr()
    table = captured.out
    assert "2 berhasil, 1 gagal" in table
    assert "GAGAL" in table and "masukan tidak dapat dibaca" in table
    assert table.endswith("\n") and "pemeriksaan-<tahun>-<satker>.xlsx" in table.splitlines()[-1]
    # the findings come after the table, under their own heading, never inside it
    assert captured.err.lstrip("\n").startswith("Temuan (") and "kpu-rusak" in captured.err
    for year in (2023, 2024):
        folder = out / "kpu-kabupaten-contoh" / str(year)
        assert sorted(p.name for p in folder.iterdir()) == [
            f"lampiran-{year}-kpu-kabupaten-contoh.xlsx",
            f"laporan-tahunan-{year}-kpu-kabupaten-contoh.docx",
            f"pemeriksaan-{year}-kpu-kabupaten-contoh.xlsx",
        ]


def test_two_inputs_for_the_same_office_and_year_are_refused(tmp_path):
    inputs = batch_folder(tmp_path)
    twin = inputs / "salinan" / "2023.yaml"
    twin.parent.mkdir()
    shutil.copyfile(inputs / "kpu-kabupaten-contoh" / "2023.yaml", twin)
    results = build(sorted(inputs.rglob("*.yaml")), tmp_path / "out", jobs=1)
    by_input = {r.input: r for r in results}
    original = inputs / "kpu-kabupaten-contoh" / "2023.yaml"
    assert not by_input[twin].ok and f"{original} juga menulis ke" in by_input[twin].reason
    assert not by_input[original].ok and f"{twin} juga menulis ke" in by_input[original].reason
    assert by_input[inputs / "kpu-kabupaten-contoh" / "2024.yaml"].ok
    assert not (tmp_path / "out" / "kpu-kabupaten-contoh" / "2023").exists()


def test_year_on_year_sheet_when_previous_year_is_in_the_batch(tmp_path):
    inputs = batch_folder(tmp_path)
    results = build(sorted(inputs.rglob("*.yaml")), tmp_path / "out")
    assert all(r.ok for r in results)
    old = yaml.safe_load((inputs / "kpu-kabupaten-contoh" / "2023.yaml").read_text(encoding="utf-8"))
    new = yaml.safe_load((inputs / "kpu-kabupaten-contoh" / "2024.yaml").read_text(encoding="utf-8"))
    wb_2023 = openpyxl.load_workbook(next((tmp_path / "out" / "kpu-kabupaten-contoh" / "2023").glob("lampiran-*.xlsx")))
    assert "Perbandingan Tahun" not in wb_2023.sheetnames
    path = next((tmp_path / "out" / "kpu-kabupaten-contoh" / "2024").glob("lampiran-*.xlsx"))
    ws = openpyxl.load_workbook(path, data_only=True)["Perbandingan Tahun"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {n["kode"] for d in (old, new) for p in d["program"] for n in [p, *p["kegiatan"]]}

    def total(n, key):
        kids = [c for k in ("kegiatan", "output", "sub_output", "rincian") for c in n.get(k, [])]
        v = n.get(key, 0)
        return (
            sum(total(c, key) for c in kids)
            if kids
            else (v if isinstance(v, int) else int(v.replace("Rp", "").replace(".", "")))
        )

    for code in ("076.01.CQ", "076.01.WA"):
        p_old, p_new = node(old, code), node(new, code)
        row = rows[code]
        assert row[2:4] == (total(p_old, "pagu"), total(p_old, "realisasi"))
        assert row[5:7] == (total(p_new, "pagu"), total(p_new, "realisasi"))
        assert row[8] == total(p_new, "pagu") - total(p_old, "pagu")
    only_new = [code for code, r in rows.items() if r[2] is None]
    assert only_new == ["CQ.6872"]  # the kegiatan that exists only in 2024


def test_compare_adds_a_changes_sheet(make_input, sample_path, tmp_path):
    old = make_input(lambda d: node(d, "CQ.6709.QGE.004").update(pagu=4_000_000), name="lama.yaml")
    (result,) = build([sample_path], tmp_path / "out", compare=old)
    assert result.ok, result.reason
    wb = openpyxl.load_workbook(next(result.destination.glob("lampiran-*.xlsx")), data_only=True)
    rows = list(wb["Perubahan"].iter_rows(min_row=2, values_only=True))
    assert ("angka", "CQ.6709.QGE.004", "pagu", 4_000_000, 5_000_000, 1_000_000) in rows
    formulas = openpyxl.load_workbook(next(result.destination.glob("lampiran-*.xlsx")))["Perubahan"]
    row = next(r for r in formulas.iter_rows(min_row=2) if r[1].value == "CQ.6709.QGE.004")
    assert row[5].value == f"=E{row[5].row}-D{row[5].row}"


def test_many_inputs_for_one_office_each_name_one_other_and_a_count(tmp_path):
    """Twenty copies of one office: each row names one other input and how many more, not all twenty."""
    inputs = batch_folder(tmp_path)
    source = inputs / "kpu-kabupaten-contoh" / "2023.yaml"
    for n in range(19):
        copy = inputs / f"salinan-{n:02d}" / "2023.yaml"
        copy.parent.mkdir()
        shutil.copyfile(source, copy)
    results = [r for r in build(sorted(inputs.rglob("2023.yaml")), tmp_path / "out", jobs=1) if not r.ok]
    assert len(results) == 20
    assert all(" dan 18 masukan lain juga menulis ke " in r.reason and r.reason.count(".yaml") == 1 for r in results)
