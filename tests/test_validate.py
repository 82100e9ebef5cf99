"""Derivation from the leaves, and the reviewer's findings."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from kpu_docs.checks.validate import Severity, validate
from kpu_docs.cli.main import main
from kpu_docs.figures.derive import Level, derive
from kpu_docs.input.load import load

from .conftest import node


def leaves(n: dict) -> list[dict]:
    kids = [c for key in ("kegiatan", "output", "sub_output", "rincian") for c in n.get(key, [])]
    return [n] if not kids else [leaf for k in kids for leaf in leaves(k)]


def money(v) -> int:
    return v if isinstance(v, int) else int(str(v).replace("Rp", "").replace(".", ""))


def findings_for(path):
    return validate(derive(load(path)))


def test_totals_come_from_the_leaves(sample_path, sample_data):
    report = derive(load(sample_path))
    for program, raw in zip(report.programs, sample_data["program"]):
        ro = leaves(raw)
        assert program.figures.pagu == sum(money(r["pagu"]) for r in ro)
        assert program.figures.realisasi == sum(money(r["realisasi"]) for r in ro)
    # the figures the source report states for its programs (BAB III)
    cq, wa = report.programs
    assert (cq.figures.pagu, cq.figures.realisasi) == (18_256_293_000, 18_168_826_339)
    assert (wa.figures.pagu, wa.figures.realisasi) == (2_159_443_000, 2_158_035_549)
    assert len(cq.children) == 10 and len(wa.children) == 3
    assert report.depth == Level.SUB_OUTPUT


def test_sample_warns_about_wa3355_and_has_no_errors(sample_path):
    findings = findings_for(sample_path)
    assert not [f for f in findings if f.severity is Severity.ERROR]
    warnings = [f for f in findings if f.severity is Severity.WARNING]
    # WA.3355 over its pagu; the missing logo; below 80 % with no kendala: the Rp1.000 placeholder and CQ.6870
    assert [f.subject for f in warnings] == ["WA.3355", "satker.logo", "CQ.6709.QGE.003", "CQ.6870"]
    assert "melebihi pagu" in warnings[0].message and "Rp10.024.077" in warnings[0].message
    assert warnings[0].location.line


def test_a_missing_logo_is_a_warning_and_a_given_one_is_not(tmp_path, sample_path):
    text = sample_path.read_text(encoding="utf-8")
    assert "\nsatker:" in text
    missing = [f for f in findings_for(sample_path) if f.subject == "satker.logo"]
    assert missing and missing[0].severity is Severity.WARNING and "logo netral" in missing[0].message
    assert (
        missing[0].location.line
        == text.splitlines().index(next(line for line in text.splitlines() if line.startswith("satker:"))) + 1
    )
    shutil.copyfile(Path(__file__).resolve().parent.parent / "templates" / "logo_netral.png", tmp_path / "logo.png")
    given = tmp_path / "2023.yaml"
    given.write_text(re.sub(r"(?m)^satker:\n", "satker:\n  logo: logo.png\n", text, count=1), encoding="utf-8")
    assert "logo: logo.png" in given.read_text(encoding="utf-8")
    assert not [f for f in findings_for(given) if f.subject == "satker.logo"]


def test_validate_command_exit_codes(sample_path, capsys):
    assert main(["validate", str(sample_path)]) == 0
    out = capsys.readouterr().out
    assert "PERINGATAN WA.3355" in out and "0 galat, 4 peringatan" in out
    assert main(["validate", "--strict", str(sample_path)]) == 1


def test_stated_parent_figures_are_checked(make_input):
    def mutate(d):
        node(d, "076.01.WA")["pagu"] = 2_170_936_000  # the BAB II table's stale figure
        node(d, "CQ.6887")["realisasi"] = 79_097_000  # the BAB III text's figure

    findings = findings_for(make_input(mutate))
    errors = {(f.subject, f.location.path[-1]): f for f in findings if f.severity is Severity.ERROR}
    assert set(errors) == {("076.01.WA", "pagu"), ("CQ.6887", "realisasi")}
    assert "Rp2.170.936.000" in errors[("076.01.WA", "pagu")].message
    assert "selisih Rp11.493.000" in errors[("076.01.WA", "pagu")].message
    assert "selisih Rp1.479" in errors[("CQ.6887", "realisasi")].message


def test_all_findings_at_once_and_cli_exit_1(make_input, capsys):
    def mutate(d):
        node(d, "CQ.6709.QGE.004").update(pagu=0, realisasi=5)  # realisasi without pagu
        node(d, "CQ.6710.QGE")["sub_output"] = []  # a KRO without RO
        node(d, "CQ.6709.QGE.006").pop("narasi")  # an RO without narrative

    path = make_input(mutate)
    findings = findings_for(path)
    kinds = {(f.severity, f.subject) for f in findings}
    assert (Severity.ERROR, "CQ.6709.QGE.004") in kinds
    assert (Severity.ERROR, "CQ.6710.QGE") in kinds
    assert (Severity.WARNING, "CQ.6709.QGE.006") in kinds
    assert findings[0].severity is Severity.ERROR  # errors first
    assert main(["validate", str(path)]) == 1


def test_year_and_file_name_must_agree(make_input):
    findings = findings_for(make_input(name="2024.yaml"))
    assert any(f.subject == "tahun" and f.severity is Severity.ERROR for f in findings)


def test_signing_date_inside_the_budget_year_is_warned(make_input):
    import datetime as dt

    findings = findings_for(make_input(lambda d: d["laporan"].update(tanggal=dt.date(2023, 12, 1))))
    assert any(f.subject == "laporan.tanggal" for f in findings)


def test_missing_image_is_an_error(make_input):
    findings = findings_for(make_input(lambda d: d["satker"].update(logo="tidak-ada.png")))
    assert any(f.subject == "satker.logo" and f.severity is Severity.ERROR for f in findings)


def test_counts_typed_into_narratives_are_checked(make_input):
    def mutate(d):
        d["narasi"]["penutup"][0] = "Sasaran dalam 3 (tiga) program dan 3 (satu) kegiatan tercapai."

    findings = [f for f in findings_for(make_input(mutate)) if f.subject.startswith("narasi.penutup")]
    messages = sorted(f.message for f in findings)
    assert len(messages) == 2
    words = next(m for m in messages if "angka dan kata" in m)
    assert "3 (satu) kegiatan" in words and "'tiga'" in words
    assert any("menyebut 3 program, padahal data berisi 2 program" in m.lower() for m in messages)
    assert all(f.location.line for f in findings)


def test_prose_leaves_correct_sentences_alone(make_input):
    """Citations, ranges, the report year and the next, names cut at a comma, figures that agree."""

    def mutate(d):
        d["narasi"]["penutup"] = [
            "Berdasarkan Undang-Undang Nomor 7 Tahun 2017 dan Renstra Tahun 2020-2024, sejak tahun 2020 sampai "
            "dengan tahun 2024, kegiatan Tahun 2023 mendukung Pemilu Tahun 2024.",
            "Program 076.01.CQ Penyelenggaraan Pemilu dalam Proses Konsolidasi Demokrasi dan kegiatan CQ.6709 "
            "Perencanaan Program dan Anggaran, serta lainnya terdiri dari 13 (tiga belas) Kegiatan.",
            "Realisasi anggaran KPU Kota Serang sebesar Rp20.326.861.888 atau 99,56% dari pagu Rp20.415.736.000.",
        ]
        ro = node(d, "CQ.6709.QGE.001")
        ro["narasi"] = [
            "Alokasi anggarannya sebesar Rp852.312.000, dengan realisasi sebesar Rp851.584.516 atau "
            "sebesar 99,91%; sisa Rp727.484 karena efisiensi. Serapan induknya 99,8%."
        ]

    findings = [f for f in findings_for(make_input(mutate)) if "'" in f.message and f.message.startswith("'")]
    assert findings == []


def test_a_count_after_a_code_counts_below_that_node(make_input):
    def mutate(d):
        d["narasi"]["penutup"] = [
            "Program 076.01.CQ terdiri dari 10 (sepuluh) Kegiatan. Program 076.01.WA terdiri "
            "dari 4 (empat) Kegiatan. Seluruhnya 13 (tiga belas) Kegiatan."
        ]

    (finding,) = [f for f in findings_for(make_input(mutate)) if f.subject.startswith("narasi.penutup")]
    assert "menyebut 4 Kegiatan, padahal data berisi 3 Kegiatan (di bawah 076.01.WA)" in finding.message
