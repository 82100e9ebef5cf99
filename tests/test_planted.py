"""A fictional office whose input carries one of every mistake DOMAIN.md lists (and the YAML
traps people fall into): every one is found, in one run, with its line, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpu_docs.checks.validate import Severity
from kpu_docs.cli.main import main
from kpu_docs.publish.build import prepare

FIXTURE = Path(__file__).parent / "fixtures" / "kpu-kota-keliru" / "2023.yaml"
LINES = FIXTURE.read_text(encoding="utf-8").split("\n")

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO


def line_of(marker: str) -> int:
    """The 1-based line of the only line holding ``marker`` (outside comments)."""
    found = [i + 1 for i, text in enumerate(LINES) if marker in text and not text.lstrip().startswith("#")]
    assert len(found) == 1, (marker, found)
    return found[0]


# (severity, subject, the line (by a marker on it), words the message must contain)
EXPECTED = [
    # the YAML as typed
    (I, "berkas", "Maha Esa.\x0bLaporan", ["U+000B", "kolom 69", "diganti dengan spasi"]),
    (E, "narasi.pendahuluan[1]", "rapat #1", ["terpotong oleh tanda '#'", "'#1 pada bulan Maret.'", "tanda kutip"]),
    (
        E,
        "program[0].kegiatan[0].output[0].sub_output[0].pagu",
        "0120000000",
        ["oktal (20971520)", "bukan 120000000", "Tulis tanpa 0 di depan (120000000)"],
    ),
    (W, "satker.logo", "satker:", ["sampul memakai logo netral"]),
    # figures
    (E, "CQ.6709", "realisasi: 300000000", ["Rp300.000.000", "Rp216.398.000", "selisih Rp83.602.000"]),
    (E, "076.01.WA", "pagu: 80000000", ["Rp80.000.000", "Rp75.000.000", "selisih Rp5.000.000"]),
    (W, "CQ.6709.QGE.004", "- kode: CQ.6709.QGE.004", ["pagu dan realisasi sama-sama nol"]),
    (
        W,
        "076.01.WA",
        "- kode: 076.01.WA",
        ["melebihi pagu Rp75.000.000 sebesar Rp1.500.000", "102,00%", "WA.3355.EBA.994"],
    ),
    # below 80 % with no kendala (issue 14): reported once, at the highest node, naming those below
    (
        W,
        "076.01.CQ",
        "- kode: 076.01.CQ",
        [
            "penyerapan 50,89% (di bawah 80%) tanpa penjelasan",
            "CQ.6709.QGE.003, CQ.6867, CQ.6867.QGE, CQ.6867.QGE.001",
            "'kendala'",
        ],
    ),
    # the prose
    (
        W,
        "narasi.kata_pengantar[1]",
        "anggaran Tahun 2022",
        ["'…pertanggungjawaban pelaksanaan anggaran Tahun 2022", "tahun 2022 bukan tahun laporan (2023)"],
    ),
    (
        W,
        "narasi.pendahuluan[0]",
        "program 076.WA",
        ["'…program 076.01.CQ dan program 076.WA,", "ditulis '076.WA', di data '076.01.WA'"],
    ),
    (
        W,
        "narasi.pendahuluan[0]",
        "4 (empat) Kegiatan",
        ["terdiri dari 4 (empat) Kegiatan", "menyebut 4 Kegiatan, padahal data berisi 3 Kegiatan"],
    ),
    (W, "narasi.penutup[0]", "3 (satu) Output", ["3 (satu) Output Kegiatan", "3 ditulis 'tiga', bukan 'satu'"]),
    (W, "narasi.penutup[0]", "sebesar 97,50%", ["97,50% dari pagu", "penyerapan KPU Kota Keliru adalah 55,71%"]),
    (
        W,
        "organisasi.tugas_fungsi[0]",
        "5 (lima) orang Kepala",
        ["5 (lima) orang Kepala Subbagian", "menyebut 5 orang, padahal data berisi 2 orang"],
    ),
    (
        W,
        "organisasi.subbagian[0].tugas[0]",
        "2 (tiga) orang",
        ["2 (tiga) orang Pramubakti", "2 ditulis 'dua', bukan 'tiga'"],
    ),
    (
        W,
        "CQ.6709.QGE.001",
        "CQ.6709.QGE.001 Perencanaan Penganggaran",
        ["'Kegiatan CQ.6709.QGE.001 Perencanaan Penganggaran Pemilu", "di data: 'Perencanaan dan Penganggaran Pemilu'"],
    ),
    (W, "CQ.6709.QGE.001", "Rp125.000.000", ["sebesar Rp125.000.000", "pagu Rp120.000.000, realisasi Rp116.400.000"]),
    (W, "CQ.6709.QGE.001", "98,50%", ["sebesar 98,50%", "penyerapan CQ.6709.QGE.001 adalah 97,00%", "Tulis 97,00%"]),
    (W, "CQ.6709.QGE.002", "terserap 100%", ["terserap 100%.", "adalah 99,99%", "Tulis 99,99%"]),
    (W, "CQ.6709.QGE.003", "CQ.6709.QGE.03 ", ["kode 'CQ.6709.QGE.03' tidak ada", "maksud Anda 'CQ.6709.QGE.003'"]),
]


@pytest.fixture(scope="module")
def findings():
    return prepare(FIXTURE)[1]


@pytest.mark.parametrize("severity, subject, marker, words", EXPECTED, ids=[f"{e[1]}@{e[2][:20]}" for e in EXPECTED])
def test_each_planted_mistake_is_found_with_its_line(findings, severity, subject, marker, words):
    line = line_of(marker)
    matches = [
        f for f in findings if f.subject == subject and f.location.line == line and all(w in f.message for w in words)
    ]
    assert len(matches) == 1, [str(f) for f in findings if f.subject == subject]
    assert matches[0].severity is severity
    assert matches[0].location.file == FIXTURE


def test_nothing_else_is_found(findings):
    assert len(findings) == len(EXPECTED), "\n".join(str(f) for f in findings)


def test_all_at_once_from_the_command_line(capsys):
    assert main(["validate", str(FIXTURE)]) == 1
    out = capsys.readouterr().out
    assert out.count(" GALAT ") == 4 and out.count(" PERINGATAN ") == 16 and out.count(" INFO ") == 1
    assert "4 galat, 16 peringatan, 1 info" in out  # load, model and prose findings in one run


def test_a_broken_part_does_not_hide_the_budget_findings(tmp_path, capsys):
    """An impossible date stops the model, not the check of the (sound) budget tree."""
    broken = tmp_path / "2023.yaml"
    broken.write_text(
        FIXTURE.read_text(encoding="utf-8").replace("tanggal: 2024-01-31", "tanggal: 2024-02-30"), encoding="utf-8"
    )
    assert main(["validate", str(broken)]) == 1
    out = capsys.readouterr().out
    assert f"{broken}:{line_of('tanggal: 2024-01-31')}: laporan.tanggal: tanggal '2024-02-30' tidak sah" in out
    assert "oktal (20971520)" in out and "terpotong oleh tanda '#'" in out  # the YAML as typed
    assert f":{line_of('realisasi: 300000000')}: GALAT CQ.6709: realisasi yang tertulis" in out
    assert f":{line_of('pagu: 80000000')}: GALAT 076.01.WA: pagu yang tertulis" in out
    assert "PERINGATAN CQ.6709.QGE.002: '…penyusunan peraturan terserap 100%.'" in out  # a node's narrative
    assert "Tahun 2022" not in out  # the general chapters wait until the input loads
    assert "3 masalah membuat masukan belum dapat dibaca; anggarannya sudah diperiksa" in out


def test_a_regulation_cited_in_lower_case_is_not_a_leftover_year(make_input):
    def mutate(d):
        d["narasi"]["pendahuluan"].append("Diatur oleh Peraturan KPU nomor 14 tahun 2020 dan Tahun 2021 lalu.")

    findings = prepare(make_input(mutate))[1]
    years = [f.message for f in findings if "bukan tahun laporan" in f.message]
    assert len(years) == 1 and "tahun 2021" in years[0]
