"""Revisions: kpu-docs diff and kpu-docs new."""

from __future__ import annotations

import datetime as dt
import json

import yaml

from kpu_docs.cli.main import main
from kpu_docs.input.load import load

from .conftest import node


def revise(d):
    node(d, "CQ.6709.QGE.001")["pagu"] = 860_000_000  # was 852.312.000
    node(d, "CQ.6709")["pagu"] = 1_287_541_000  # its stated figure follows
    node(d, "CQ.6709.QGE")["pagu"] = 1_281_063_000
    node(d, "076.01.CQ")["pagu"] = 18_263_981_000
    node(d, "CQ.6888.QGE")["sub_output"].append(
        {"kode": "CQ.6888.QGE.004", "nama": "Uji Publik", "pagu": 0, "realisasi": 0, "narasi": ["Baru."]}
    )
    node(d, "CQ.6709.RAN")["sub_output"][0]["narasi"][1] = "Paragraf yang diperbaiki."
    d["organisasi"]["subbagian"][1]["kepala"] = "Budi Santoso"
    d["laporan"]["tanggal"] = dt.date(2024, 2, 5)


def test_diff_lists_each_change_by_full_code(make_input, sample_path, capsys):
    new = make_input(revise, name="revisi.yaml")
    assert main(["diff", str(sample_path), str(new)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "~ CQ.6709.QGE.001 pagu: 852.312.000 → 860.000.000 (+7.688.000)" in out
    assert "~ 076.01.CQ pagu: 18.256.293.000 → 18.263.981.000 (+7.688.000)" in out
    assert "+ CQ.6888.QGE.004 Uji Publik (pagu 0, realisasi 0)" in out
    assert (
        '~ CQ.6709.RAN.001 narasi paragraf 2: "Sarana IT Pemilu disiapkan untuk menghadapi perkembangan digital karena semua…" → "Paragraf yang diperbaiki."'
        in out
    )
    assert any(
        line.startswith("~ organisasi.subbagian[") and line.endswith('.kepala: "Tomi Irawan" → "Budi Santoso"')
        for line in out
    )
    assert "~ laporan.tanggal: 31 Januari 2024 → 5 Februari 2024" in out
    assert "~ Jumlah seluruhnya pagu: 20.415.736.000 → 20.423.424.000 (+7.688.000)" in out


def test_diff_removed_node_and_json(make_input, sample_path, capsys):
    def remove(d):
        node(d, "CQ.6870.QGE")["sub_output"].pop()  # CQ.6870.QGE.003
        for code in ("CQ.6870.QGE", "CQ.6870", "076.01.CQ"):
            node(d, code).pop("pagu", None)
            node(d, code).pop("realisasi", None)

    new = make_input(remove, name="revisi.yaml")
    assert main(["diff", "--json", str(sample_path), str(new)]) == 1
    changes = json.loads(capsys.readouterr().out)
    removed = [c for c in changes if c["kind"] == "dihapus"]
    assert [c["subject"] for c in removed] == ["CQ.6870.QGE.003"]
    total = next(c for c in changes if c["kind"] == "total" and c["field"] == "realisasi")
    assert total["difference"] == -1_000_000


def test_diff_without_changes_exits_0(sample_path, capsys):
    assert main(["diff", str(sample_path), str(sample_path)]) == 0
    assert "tidak ada perubahan" in capsys.readouterr().out


def test_new_starts_next_year(make_input, capsys):
    previous = make_input()
    assert main(["new", str(previous), "--year", "2024"]) == 0
    target = previous.parent / "2024.yaml"
    text = target.read_text(encoding="utf-8")
    data = load(target).data
    assert data.year == 2024
    assert data.report.date == dt.date(2025, 1, 31)
    assert data.organisation.subdivisions[0].head == "Andre Minggon Munggaran"
    raw = yaml.safe_load(text)
    assert node(raw, "CQ.6709.QGE.001")["pagu"] == 0 and node(raw, "CQ.6709.QGE.001")["narasi"] == []
    assert "pagu" not in node(raw, "076.01.CQ")
    assert raw["narasi"]["kata_pengantar"] == []
    assert [p["kode"] for p in raw["program"]] == ["076.01.CQ", "076.01.WA"]
    # refuses to overwrite, leaving the file as it was
    target.write_text(text + "# disunting\n", encoding="utf-8")
    assert main(["new", str(previous), "--year", "2024"]) == 1
    assert target.read_text(encoding="utf-8").endswith("# disunting\n")
