"""``kpu-docs import``: SAKTI exports (.xlsx/.csv, both forms of Kode) into a copy of the sample."""

from __future__ import annotations

import copy
import csv
import hashlib
import shutil
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
import yaml

from kpu_docs.cli.main import main
from kpu_docs.formatting import amount, parse_amount, percent_number
from kpu_docs.input.load import load
from kpu_docs.publish.build import prepare
from kpu_docs.sakti import read_export

from .conftest import SAMPLE

# --- a budget tree to build exports from --------------------------------------------------------


@dataclass
class N:
    code: str
    name: str
    pagu: int = 0
    realisasi: int = 0
    kids: list[N] = field(default_factory=list)

    def figures(self) -> tuple[int, int]:
        if not self.kids:
            return self.pagu, self.realisasi
        sums = [k.figures() for k in self.kids]
        return sum(p for p, _ in sums), sum(r for _, r in sums)

    def find(self, code: str) -> N | None:
        if self.code == code:
            return self
        return next((hit for k in self.kids if (hit := k.find(code))), None)


def _money(value) -> int:
    return parse_amount(value) if isinstance(value, str) else value


def sample_tree() -> list[N]:
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))

    def build(node: dict) -> N:
        kids = [build(k) for key in ("kegiatan", "output", "sub_output", "rincian") for k in node.get(key, [])]
        return N(node["kode"], node["nama"], _money(node["pagu"]), _money(node["realisasi"]), kids)

    return [build(p) for p in data["program"]]


def find(tree: list[N], code: str) -> N:
    return next(hit for p in tree if (hit := p.find(code)))


def flatten(tree: list[N], level: int = 0):
    for node in tree:
        yield level, node
        yield from flatten(node.kids, level + 1)


COLUMNS = {  # shuffled, odd case and spacing, one column the importer ignores
    "ket": "Keterangan",
    "uraian": "  URAIAN ",
    "sd": "Realisasi  s.d.\nPeriode",
    "kode": "kode",
    "pagu": "PAGU REVISI",
    "persen": "%",
    "lalu": "Realisasi Periode Lalu",
    "sisa": "sisa anggaran",
    "ini": "Realisasi Periode  Ini",
    "lock": "Lock Pagu",
}
TITLES = [
    ["LAPORAN REALISASI ANGGARAN BELANJA"],
    ["Satker: 123456 KPU KOTA SERANG"],
    ["Periode: 1 Januari 2023 s.d. 31 Desember 2023"],
    [],
]


def table(
    tree: list[N],
    *,
    segments: bool = False,
    text: bool = False,
    percent: str = "number",
    total: tuple[int, int] | None = None,
    override: dict | None = None,
    drop_columns=(),
) -> list[list]:
    """An export as rows of cells: titles, header, one row per node, JUMLAH SELURUHNYA."""
    columns = [c for c in COLUMNS if c not in drop_columns]
    rows = [list(t) for t in TITLES] + [[COLUMNS[c] for c in columns]]

    def money(n: int):
        return amount(n) if text else n

    def cells(code: str, name: str, pagu: int, real: int) -> list:
        ratio = Fraction(real, pagu) if pagu else Fraction(0)
        pct = {
            "number": round(float(ratio * 100), 2),
            "fraction": float(ratio),
            "text": percent_number(ratio) if pagu else "0,00",
        }[percent]
        values = {
            "ket": "",
            "uraian": name,
            "sd": money(real),
            "kode": code,
            "pagu": money(pagu),
            "persen": pct,
            "lalu": money(real // 3),
            "ini": money(real - real // 3),
            "sisa": money(pagu - real),
            "lock": money(0),
        }
        values.update((override or {}).get(code, {}))
        return [values[c] for c in columns]

    for level, node in flatten(tree):
        code = node.code if not segments or level == 0 else node.code.rsplit(".", 1)[-1]
        rows.append(cells(code, node.name, *node.figures()))
    pagu = sum(p.figures()[0] for p in tree)
    real = sum(p.figures()[1] for p in tree)
    rows.append(cells("", "JUMLAH SELURUHNYA", *(total or (pagu, real))))
    rows.append([])
    rows.append(["Dicetak dari SAKTI"])
    return rows


def write_xlsx(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list], delimiter: str = ";") -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, delimiter=delimiter)
        for row in rows:
            writer.writerow(
                ["" if c is None else (str(c).replace(".", ",") if isinstance(c, float) else c) for c in row]
            )
    return path


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def work(tmp_path) -> Path:
    """A copy of the sample; the real one is never touched."""
    target = tmp_path / "kantor" / "2023.yaml"
    target.parent.mkdir()
    shutil.copyfile(SAMPLE, target)
    return target


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(["import", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def revised() -> list[N]:
    """The sample after a revision: two realisasi and one blocked pagu changed."""
    tree = sample_tree()
    find(tree, "CQ.6709.QGE.001").realisasi = 851_600_000
    find(tree, "CQ.6887.QGE.001").realisasi = 34_164_000
    find(tree, "CQ.6709.QGE.003").pagu = 2_000
    return tree


def figures_only(text: str) -> str:
    """The input without what an import records about its source (kode_satker, sumber_data)."""
    text = text.replace('kode_satker: "123456"\n\n', "")
    return text.split("\nsumber_data:")[0]


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    old, new = before.splitlines(), figures_only(after).splitlines()
    assert len(old) == len(new)
    return [(a, b) for a, b in zip(old, new) if a != b]


def node(doc, code: str):
    stack = list(doc.data.programs)
    while stack:
        n = stack.pop()
        if n.code == code:
            return n
        stack += n.children
    raise KeyError(code)


# --- updating figures --------------------------------------------------------------------------------


def test_full_form_xlsx_updates_figures_and_keeps_everything_else(work, tmp_path, capsys):
    before = work.read_text(encoding="utf-8")
    export = write_xlsx(tmp_path / "realisasi.xlsx", table(revised()))

    code, out, err = run(capsys, export, "--into", work)

    assert code == 0, err
    assert err == ""  # a consistent export: no warnings
    doc = load(work)
    assert node(doc, "CQ.6709.QGE.001").realisasi == 851_600_000
    assert node(doc, "CQ.6709.QGE.003").pagu == 2_000
    # stated parent figures follow, so the input stays consistent
    assert node(doc, "CQ.6709.QGE").realisasi == 1_270_970_759 + 15_484
    assert node(doc, "076.01.CQ").realisasi == 18_168_826_339 + 15_484 + 779
    assert node(doc, "076.01.CQ").pagu == 18_256_293_000 + 1_000
    # only the changed values differ, each in its own style, comments kept
    after = work.read_text(encoding="utf-8")
    assert ('                pagu: "1.000"', '                pagu: "2.000"') in changed_lines(before, after)
    assert (
        "        realisasi: 79095521 # BAB III: 79.097.000",
        "        realisasi: 79096300 # BAB III: 79.097.000",
    ) in changed_lines(before, after)
    assert len(changed_lines(before, after)) == 4 + 4 + 3  # two leaves and their stated ancestors
    assert '              # Pagu Rp1.000: alokasi "pengunci" (blokir) tanpa realisasi.\n' in after
    assert before.count("#") + 1 == after.count("#")  # one comment on the new sumber_data
    # where the figures came from is recorded in the input
    data = load(work).data
    assert data.satker_code == "123456"
    source = data.data_source
    assert (source.file, source.period, source.satker) == ("realisasi.xlsx", "Desember 2023", "123456")
    assert source.sha256 == hashlib.sha256(export.read_bytes()).hexdigest()
    # the previous file is kept
    assert (work.parent / "2023.yaml.bak").read_text(encoding="utf-8") == before
    assert sorted(p.name for p in work.parent.iterdir()) == ["2023.yaml", "2023.yaml.bak"]
    assert out.splitlines()[-1].endswith("(cadangan: 2023.yaml.bak)")


def _with_komponen(tree: list[N]) -> list[N]:
    """Komponen and akun rows below two ROs, as a detailed export has them (3-digit komponen
    codes look like RO codes; one is even 001)."""
    tree = copy.deepcopy(tree)
    ro = find(tree, "CQ.6709.QGE.001")
    ro.kids = [
        N(
            f"{ro.code}.001",
            "Komponen satu",
            800_000_000,
            800_000_000,
            [
                N(
                    f"{ro.code}.001.A",
                    "Sub komponen",
                    800_000_000,
                    800_000_000,
                    [
                        N(f"{ro.code}.001.A.521211", "Belanja bahan", 500_000_000, 500_000_000),
                        N(f"{ro.code}.001.A.524111", "Belanja perjalanan", 300_000_000, 300_000_000),
                    ],
                )
            ],
        ),
        N(f"{ro.code}.052", "Komponen dua", ro.pagu - 800_000_000, ro.realisasi - 800_000_000),
    ]
    ro2 = find(tree, "CQ.6870.QGE.002")
    ro2.kids = [N(f"{ro2.code}.051", "Persiapan", ro2.pagu, ro2.realisasi)]
    return tree


@pytest.mark.parametrize("form", ["segments-xlsx", "segments-csv", "full-csv"])
def test_other_forms_give_the_same_file(form, work, tmp_path, capsys):
    reference = tmp_path / "reference.yaml"
    shutil.copyfile(work, reference)
    assert run(capsys, write_xlsx(tmp_path / "full.xlsx", table(revised())), "--into", reference)[0] == 0

    if form == "segments-xlsx":  # amounts as Indonesian text, % as a fraction (Excel's 0.00% format)
        export = write_xlsx(
            tmp_path / "e.xlsx", table(_with_komponen(revised()), segments=True, text=True, percent="fraction")
        )
    elif form == "segments-csv":
        export = write_csv(
            tmp_path / "e.csv", table(_with_komponen(revised()), segments=True, text=True, percent="text")
        )
    else:
        export = write_csv(tmp_path / "e.csv", table(revised(), text=True, percent="number"))
    code, out, err = run(capsys, export, "--into", work)

    assert code == 0
    assert "peringatan" not in err, err
    assert figures_only(work.read_text(encoding="utf-8")) == figures_only(reference.read_text(encoding="utf-8"))
    if form.startswith("segments"):
        assert "catatan: 6 baris ekspor di bawah tingkat terbawah masukan" in err


def test_segment_codes_are_placed_by_shape_and_context(tmp_path):
    rows = table(_with_komponen(revised()), segments=True)
    export = read_export(write_xlsx(tmp_path / "e.xlsx", rows))
    codes = [r.code for r in export.rows]
    assert codes[:4] == ["076.01.CQ", "CQ.6709", "CQ.6709.QGE", "CQ.6709.QGE.001"]
    assert codes[4:10] == [
        "CQ.6709.QGE.001.001",
        "CQ.6709.QGE.001.001.A",
        "CQ.6709.QGE.001.001.A.521211",
        "CQ.6709.QGE.001.001.A.524111",
        "CQ.6709.QGE.001.052",
        "CQ.6709.QGE.003",
    ]
    assert "CQ.6870.QGE.002.051" in codes and "CQ.6870.QGE.003" in codes
    assert export.row("CQ.6709.QGE.001.052").parent == "CQ.6709.QGE.001"
    assert export.row("WA.3355.EBA.994").parent == "WA.3355.EBA"
    assert export.row("CQ.6709.QGE.001").line == 9  # 3 titles, a blank row, the header, program, kegiatan, KRO
    assert export.warnings == []


def test_dry_run_shows_totals_first_then_the_diff_and_writes_nothing(work, tmp_path, capsys):
    before = work.read_bytes()
    export = write_xlsx(tmp_path / "realisasi.xlsx", table(revised()))

    code, out, err = run(capsys, export, "--into", work, "--dry-run")

    assert code == 0
    assert work.read_bytes() == before
    assert sorted(p.name for p in work.parent.iterdir()) == ["2023.yaml"]
    lines = out.splitlines()
    assert "--dry-run: tidak ada berkas yang ditulis" in lines[-1]
    # first: the export's own totals beside the totals read (pagu, realisasi, RO)
    assert lines[0].split() == ["pagu", "realisasi", "RO"]
    pagu, realisasi = (sum(p.figures()[i] for p in revised()) for i in (0, 1))
    ro_count = sum(1 for level, _ in flatten(revised()) if level == 3)
    assert lines[1].split()[-3:] == [amount(pagu), amount(realisasi), str(ro_count)]
    assert lines[1].startswith("ekspor (JUMLAH SELURUHNYA, baris")
    assert lines[2].split() == ["hasil", "impor", amount(pagu), amount(realisasi), str(ro_count)]
    # then the change to the file, as `diff -u` shows it
    assert lines[3] == f"--- {work}" and lines[4] == f"+++ {work} (setelah impor)"
    assert "-                realisasi: 851584516" in lines and "+                realisasi: 851600000" in lines
    assert '+kode_satker: "123456"' in lines and "+  berkas: realisasi.xlsx" in lines
    # then the figures, as `kpu-docs diff` prints them after the import
    imported = tmp_path / "imported.yaml"
    shutil.copyfile(work, imported)
    run(capsys, export, "--into", imported)
    main(["diff", str(work), str(imported)])
    diff_out = capsys.readouterr().out.splitlines()[:-1]
    assert lines[-1 - len(diff_out) : -1] == diff_out
    assert len(diff_out) == 13  # 11 figures, 2 totals


def test_an_export_that_agrees_records_its_source_once_then_changes_nothing(work, tmp_path, capsys):
    before = work.read_text(encoding="utf-8")
    export = write_xlsx(tmp_path / "realisasi.xlsx", table(sample_tree()))

    code, out, err = run(capsys, export, "--into", work)
    assert code == 0 and err == ""
    assert "tidak ada perubahan; 0 peringatan" in out
    assert figures_only(work.read_text(encoding="utf-8")) == before  # only the source record was added

    recorded = work.read_bytes()
    code, out, err = run(capsys, export, "--into", work)
    assert code == 0 and err == ""
    assert out.strip().endswith("tidak ada perubahan; 0 peringatan; berkas tidak diubah")
    assert work.read_bytes() == recorded
    assert sorted(p.name for p in work.parent.iterdir()) == ["2023.yaml", "2023.yaml.bak"]


# --- nodes only on one side ------------------------------------------------------------------------


def test_new_nodes_are_added_with_their_names_and_a_warning(work, tmp_path, capsys):
    before = work.read_text(encoding="utf-8")
    tree = sample_tree()
    find(tree, "CQ.6709.QGE").kids.append(N("CQ.6709.QGE.008", "Bimbingan Teknis Baru", 3_000_000, 2_500_000))
    cq = find(tree, "076.01.CQ")
    cq.kids.insert(
        2,
        N(
            "CQ.6711",
            "Kegiatan Uji Coba: Tahap 1",
            kids=[
                N(
                    "CQ.6711.QGE",
                    "Tata Kelola Kelembagaan Publik Bidang Politik dan Hukum",
                    kids=[N("CQ.6711.QGE.001", '=HYPERLINK("http://x")', 4_000_000, 1_000_000)],
                )
            ],
        ),
    )
    export = write_csv(tmp_path / "realisasi.csv", table(tree, segments=True, text=True, percent="text"))

    code, out, err = run(capsys, export, "--into", work)

    assert code == 0
    doc = load(work)
    ro = node(doc, "CQ.6709.QGE.008")
    assert (ro.name, ro.pagu, ro.realisasi, ro.narrative) == ("Bimbingan Teknis Baru", 3_000_000, 2_500_000, [])
    assert node(doc, "CQ.6711").name == "Uji Coba: Tahap 1"  # the report adds "Kegiatan"
    assert node(doc, "CQ.6711.QGE.001").name == '=HYPERLINK("http://x")'  # text, never evaluated
    assert [k.code for k in node(doc, "076.01.CQ").kegiatan][1:3] == ["CQ.6710", "CQ.6711"]
    assert node(doc, "CQ.6709.QGE").pagu == 1_273_375_000 + 3_000_000
    assert node(doc, "076.01.CQ").realisasi == 18_168_826_339 + 2_500_000 + 1_000_000
    for code in ("CQ.6709.QGE.008", "CQ.6711.QGE.001"):
        assert any(code in line and "narasi kosong" in line for line in err.splitlines()), err
    assert "+ CQ.6711 Uji Coba: Tahap 1 (pagu 4.000.000, realisasi 1.000.000)" in out
    # every original line is still there, in order; only figures changed around them
    after = work.read_text(encoding="utf-8")
    assert "# Ditambahkan dari ekspor SAKTI realisasi.csv" in after
    old_lines = [l for l in before.splitlines() if "pagu:" not in l and "realisasi:" not in l]
    new_lines = iter(after.splitlines())
    assert all(any(l == n for n in new_lines) for l in old_lines)
    _, findings = prepare(work)
    assert not [f for f in findings if f.severity.value == "galat"]


def test_an_input_ro_missing_from_the_export_blocks_the_import(work, tmp_path, capsys):
    tree = sample_tree()
    kro = find(tree, "CQ.6872.QGE")
    kro.kids = [k for k in kro.kids if k.code != "CQ.6872.QGE.002"]
    export = write_xlsx(tmp_path / "realisasi.xlsx", table(tree))
    before = work.read_bytes()

    code, out, err = run(capsys, export, "--into", work)

    assert code == 1
    assert "jumlah hasil impor tidak sama dengan JUMLAH SELURUHNYA ekspor" in err
    assert "pagu: ekspor 20.411.545.000, hasil impor 20.415.736.000 (selisih 4.191.000)" in err
    assert "CQ.6872.QGE.002 (Pelaksanaan Tahapan Pemungutan dan Penghitungan Suara" in err
    assert "pagu 4.191.000, realisasi 4.161.500" in err
    assert work.read_bytes() == before
    assert sorted(p.name for p in work.parent.iterdir()) == ["2023.yaml"]


# --- the export checked against itself ---------------------------------------------------------------


def test_percent_and_sisa_disagreements_are_reported(work, tmp_path, capsys):
    rows = table(
        sample_tree(),
        override={
            "CQ.6709.QGE.001": {"persen": 95.5},
            "CQ.6870.QGE.002": {"sisa": 1},
        },
    )
    export = write_xlsx(tmp_path / "realisasi.xlsx", rows)

    code, out, err = run(capsys, export, "--into", work)

    assert code == 0
    warnings = [l for l in err.splitlines() if l.startswith("peringatan:")]
    assert any("baris 9, CQ.6709.QGE.001: % tertulis 95,5" in w and "99,91%" in w for w in warnings), warnings
    assert any("CQ.6870.QGE.002: Sisa Anggaran Rp1 tidak sama" in w and "Rp31.267.900" in w for w in warnings)


@pytest.mark.parametrize(
    "total, override, expected",
    [
        (
            (1, 2),
            {},
            [
                "JUMLAH SELURUHNYA, kolom E: pagu Rp1 tidak sama dengan jumlah 2 baris teratas (program)",
                "JUMLAH SELURUHNYA, kolom C: realisasi Rp2 ",
            ],
        ),
        (
            None,
            {"CQ.6871": {"pagu": 2_587_379_001}},
            [
                "CQ.6871, kolom E: pagu Rp2.587.379.001 tidak sama dengan jumlah 1 baris di bawahnya Rp2.587.379.000 (selisih Rp1)"
            ],
        ),
    ],
)
def test_an_export_that_does_not_add_up_writes_nothing(total, override, expected, work, tmp_path, capsys):
    before = work.read_bytes()
    export = write_xlsx(tmp_path / "realisasi.xlsx", table(sample_tree(), total=total, override=override))

    code, out, err = run(capsys, export, "--into", work)

    assert code == 1
    assert "tidak dapat diimpor" in err and "tidak diubah" in err
    for text in expected:
        assert text in err, err
    assert work.read_bytes() == before
    assert sorted(p.name for p in work.parent.iterdir()) == ["2023.yaml"]


def test_percent_written_as_text_is_checked_too(work, tmp_path, capsys):
    export = write_csv(
        tmp_path / "r.csv", table(sample_tree(), percent="text", override={"WA.3355": {"persen": "100,00%"}})
    )
    code, out, err = run(capsys, export, "--into", work)
    assert code == 0
    assert "WA.3355: % tertulis 100,00%, padahal realisasi/pagu = 100,48%" in err


# --- files that cannot be used -----------------------------------------------------------------------


def _missing_kode(tmp_path):
    return write_xlsx(tmp_path / "e.xlsx", table(sample_tree(), drop_columns=("kode",)))


def _text_file(tmp_path):
    path = tmp_path / "catatan.txt"
    path.write_text("Catatan rapat:\nrealisasi bulan ini baik, pagu cukup.\n", encoding="utf-8")
    return path


def _encrypted(tmp_path):
    path = tmp_path / "terkunci.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    return path


def _corrupt_zip(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", table(sample_tree())).read_bytes()
    path = tmp_path / "rusak.xlsx"
    path.write_bytes(good[: len(good) // 2])
    return path


def _bad_member(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", table(sample_tree())).read_bytes()
    path = tmp_path / "rusak.xlsx"
    damaged = bytearray(good)
    damaged[200:260] = b"\xff" * 60  # inside the first member's compressed data
    path.write_bytes(bytes(damaged))
    return path


def _renamed_text(tmp_path):
    path = tmp_path / "ekspor.xlsx"
    path.write_text("Kode;Uraian;Pagu;Realisasi\n", encoding="utf-8")
    return path


def _docx(tmp_path):
    import zipfile

    path = tmp_path / "ekspor.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    return path


def _binary(tmp_path):
    path = tmp_path / "gambar.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    return path


@pytest.mark.parametrize(
    "make, message",
    [
        (_missing_kode, "tidak ada kode yang dikenali"),
        (_text_file, "baris judul kolom tidak ditemukan"),
        (_encrypted, "terenkripsi atau format .xls lama: simpan ulang sebagai .xlsx tanpa kata sandi"),
        (_corrupt_zip, "rusak: arsip .xlsx tidak utuh"),
        (_bad_member, "rusak"),
        (_renamed_text, "bukan buku kerja Excel (.xlsx) yang sah"),
        (_docx, "bukan buku kerja Excel .xlsx (arsip zip lain"),
        (_binary, "bukan lembar kerja"),
        (lambda tmp_path: tmp_path / "tidak-ada.xlsx", "tidak ditemukan"),
    ],
)
def test_unusable_files_get_a_clear_message_and_leave_the_input_alone(make, message, work, tmp_path, capsys):
    before = work.read_bytes()
    code, out, err = run(capsys, make(tmp_path), "--into", work)
    assert code == 1
    assert err.startswith("kpu-docs: ") and message in err, err
    assert "Traceback" not in err
    assert work.read_bytes() == before
    assert sorted(p.name for p in work.parent.iterdir()) == ["2023.yaml"]


def test_an_export_of_another_satker_is_refused(work, tmp_path, capsys):
    other = [N("076.01.XX", "Lain", kids=[N("XX.1234", "Lain", 5, 5)])]
    before = work.read_bytes()
    code, out, err = run(capsys, write_xlsx(tmp_path / "e.xlsx", table(other)), "--into", work)
    assert code == 1 and "tidak satu pun kode" in err
    assert work.read_bytes() == before


def test_workbooks_are_parsed_through_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def test_a_formula_in_a_csv_is_only_text(tmp_path):
    rows = table(sample_tree())
    rows.insert(6, ["", "=1+1", 5, "=cmd|' /C calc'!A0", 5, 100, 0, 0, 5, 0])
    export = read_export(write_csv(tmp_path / "e.csv", rows))
    assert any("=cmd|'/C" in e and "tidak dikenali" in e for e in export.errors), export.errors


# --- smaller things ----------------------------------------------------------------------------------


def test_line_endings_are_kept_and_every_earlier_backup_is_kept(work, tmp_path, capsys):
    work.write_bytes(work.read_bytes().replace(b"\n", b"\r\n"))
    (work.parent / "2023.yaml.bak").write_text("lama\n", encoding="utf-8")
    original = work.read_bytes()
    tree = revised()
    find(tree, "CQ.6709.QGE").kids.append(N("CQ.6709.QGE.008", "Baru", 3, 2))

    code, out, err = run(capsys, write_xlsx(tmp_path / "e.xlsx", table(tree)), "--into", work)

    assert code == 0, err
    after = work.read_bytes()
    assert after.count(b"\n") == after.count(b"\r\n") > original.count(b"\n")
    assert (work.parent / "2023.yaml.bak").read_bytes() == b"lama\n"  # never overwritten
    assert (work.parent / "2023.yaml.bak.1").read_bytes() == original
    assert out.splitlines()[-1].endswith("(cadangan: 2023.yaml.bak.1)")
    assert node(load(work), "CQ.6709.QGE.008").pagu == 3

    find(tree, "CQ.6709.QGE.008").pagu = 4
    code, out, err = run(capsys, write_xlsx(tmp_path / "e2.xlsx", table(tree)), "--into", work)
    assert code == 0, err
    assert (work.parent / "2023.yaml.bak.2").read_bytes() == after
    assert (work.parent / "2023.yaml.bak.1").read_bytes() == original


def test_an_export_for_another_year_is_flagged(work, tmp_path, capsys):
    rows = table(sample_tree())
    rows[2] = ["Periode: 1 Januari 2024 s.d. 31 Maret 2024"]
    code, out, err = run(capsys, write_xlsx(tmp_path / "e.xlsx", rows), "--into", work, "--dry-run")
    assert code == 0
    assert "peringatan: judul ekspor menyebut tahun 2024, sedangkan masukan untuk tahun 2023" in err


@pytest.mark.parametrize(
    "cell, value",
    [
        (18256293000, 18256293000),
        (18256293000.0, 18256293000),
        ("18.256.293.000", 18256293000),
        ("Rp18.256.293.000,00", 18256293000),
        (" 1.000 ", 1000),
        ("851584516.00", 851584516),
        ("-10.024.077", -10024077),
        ("(10.024.077)", -10024077),
        ("-", 0),
        ("", None),
        (None, None),
    ],
)
def test_amount_cells(cell, value):
    from kpu_docs.sakti import money

    assert money(cell) == value


@pytest.mark.parametrize("cell", [12.5, "1,234,567", "satu juta", True])
def test_amount_cells_that_are_not_rupiah(cell):
    from kpu_docs.sakti import money

    with pytest.raises(ValueError):
        money(cell)


def test_text_where_a_number_belongs_is_refused_with_row_and_column(work, tmp_path, capsys):
    export = write_csv(
        tmp_path / "e.csv", table(revised(), text=True, override={"CQ.6887.QGE.001": {"sd": "34,164,000"}})
    )
    before = work.read_bytes()
    code, out, err = run(capsys, export, "--into", work)
    assert code == 1
    line = next(i for i, r in enumerate(table(revised()), 1) if len(r) > 3 and r[3] == "CQ.6887.QGE.001")
    assert f"baris {line}, kolom C (Realisasi s.d. Periode): '34,164,000' bukan jumlah Rupiah yang sah" in err, err
    assert work.read_bytes() == before


def test_a_3_digit_segment_equal_to_the_ro_above_is_the_next_ro_when_the_input_says_so(tmp_path):
    tree = sample_tree()
    twin = find(tree, "CQ.6889.QGE.002")
    first = find(tree, "CQ.6889.QGE.001")
    twin.pagu, twin.realisasi = first.pagu, first.realisasi
    path = write_xlsx(tmp_path / "e.xlsx", table(tree, segments=True))
    known = {code for _, n in flatten(sample_tree()) for code in [n.code]}

    export = read_export(path, known=known)
    assert export.row("CQ.6889.QGE.002").parent == "CQ.6889.QGE"
    assert export.row("CQ.6889.QGE.003").parent == "CQ.6889.QGE"
    assert not [w for w in export.warnings if "CQ.6889" in w]
    # without the input to tell, one row equal to its RO could be its only komponen or the next
    # RO: it is not placed (never a guess), and the import would stop
    alone = read_export(path)
    assert alone.row("CQ.6889.QGE.001.002") is None and alone.row("CQ.6889.QGE.002") is None
    assert any("baris" in e and "'002' di bawah RO CQ.6889.QGE.001" in e and "tidak pasti" in e for e in alone.errors)


def test_short_and_prefixed_program_codes_tabs_and_a_windows_encoding(tmp_path):
    text = "\n".join(
        [
            "Laporan Realisasi Anggaran",
            "Kode\tUraian\tPagu\tRealisasi\tKeterangan",
            "CQ\tPenyelenggaraan Pemilu\t1.000\t900",
            "6709\tPerencanaan\t1.000\t900",
            "QGE\tTata Kelola\t1.000\t900",
            "1\tSatu (kode tanpa nol di depan)\t600\t500",
            "2\tDua\t400\t400\tCaf\u00e9",
            "076.01.WA.3355.EBA.994\tLayanan Perkantoran\t10\t10",
            "JUMLAH SELURUHNYA\t\t1.010\t910",
        ]
    )
    path = tmp_path / "e.txt"
    path.write_bytes(text.encode("cp1252"))

    export = read_export(path, known={"076.01.CQ", "076.01.WA"})

    assert [(r.code, r.parent) for r in export.rows] == [
        ("076.01.CQ", None),
        ("CQ.6709", "076.01.CQ"),
        ("CQ.6709.QGE", "CQ.6709"),
        ("CQ.6709.QGE.001", "CQ.6709.QGE"),
        ("CQ.6709.QGE.002", "CQ.6709.QGE"),
        ("WA.3355.EBA.994", "WA.3355.EBA"),
    ]
    assert export.total.pagu == 1010 and export.warnings == []


def test_rincian_in_the_input_and_another_indentation_style(make_input, tmp_path, capsys):
    def with_rincian(data):
        kro = next(o for k in data["program"][0]["kegiatan"] for o in k["output"] if o["kode"] == "CQ.6709.QGE")
        ro = kro["sub_output"][0]
        ro["rincian"] = [
            {"kode": "CQ.6709.QGE.001.001", "nama": "Komponen satu", "pagu": 800_000_000, "realisasi": 800_000_000},
            {"kode": "CQ.6709.QGE.001.052", "nama": "Komponen dua", "pagu": 52_312_000, "realisasi": 51_584_516},
        ]

    path = make_input(with_rincian)  # written by PyYAML: lists not indented under their key
    before = path.read_text(encoding="utf-8")
    assert "\n- kode: 076.01.CQ" in before
    tree = _with_komponen(revised())
    find(tree, "CQ.6709.QGE.001").kids.append(N("CQ.6709.QGE.001.053", "Komponen tiga", 7, 5))
    find(tree, "CQ.6709.QGE").kids.append(N("CQ.6709.QGE.008", "Baru", 3, 2))
    export = write_xlsx(tmp_path / "e.xlsx", table(tree, segments=True))

    code, out, err = run(capsys, export, "--into", path)

    assert code == 0, err
    doc = load(path)
    assert node(doc, "CQ.6709.QGE.001.052").realisasi == 851_600_000 - 800_000_000
    assert (node(doc, "CQ.6709.QGE.001.053").pagu, node(doc, "CQ.6709.QGE.001.053").realisasi) == (7, 5)
    assert node(doc, "CQ.6709.QGE.001").pagu == 852_312_000 + 7  # stated on the RO, now a parent
    assert node(doc, "CQ.6709.QGE.008").narrative == []
    assert "narasi kosong" in err and "CQ.6709.QGE.001.053" not in " ".join(
        l for l in err.splitlines() if "narasi" in l
    )
    assert "catatan: 4 baris ekspor di bawah tingkat terbawah masukan" in err  # .001.A and akun; .051 elsewhere
    after = path.read_text(encoding="utf-8")
    assert "  - kode: CQ.6709.QGE.008\n" in after and "- kode: CQ.6709.QGE.001.053\n" in after


def test_the_write_is_checked_before_it_replaces_the_input(work):
    from kpu_docs.errors import OutputError
    from kpu_docs.sakti.writing import write_atomic

    before = work.read_text(encoding="utf-8")
    with pytest.raises(OutputError, match="tidak dapat dibaca kembali"):
        write_atomic(work, before.replace("tahun: 2023", "tahun: dua ribu"), before)
    with pytest.raises(OutputError, match="berubah selama impor"):
        write_atomic(work, before.replace("2024-01-31", "2024-02-01"), "isi lain\n")
    assert work.read_text(encoding="utf-8") == before
    assert sorted(p.name for p in work.parent.iterdir()) == ["2023.yaml"]  # no backup, no temporary file


def test_a_windows_1252_input_is_imported_as_validate_reads_it(work, tmp_path, capsys):
    # what Notepad on an office PC writes: ANSI (Windows-1252) with CRLF
    text = "# Catatan: café – “kutip”\n" + work.read_text(encoding="utf-8")
    work.write_bytes(text.replace("\n", "\r\n").encode("cp1252"))
    original = work.read_bytes()

    code, out, err = run(capsys, write_xlsx(tmp_path / "e.xlsx", table(revised())), "--into", work)

    assert code == 0, err
    assert "dibaca sebagai Windows-1252" in err
    after = work.read_bytes().decode("utf-8")  # written back as UTF-8, the original bytes kept
    assert after.startswith("# Catatan: café – “kutip”\r\n") and after.count("\n") == after.count("\r\n")
    assert (work.parent / "2023.yaml.bak").read_bytes() == original
    assert "ditulis sebagai UTF-8, aslinya (Windows-1252) tetap utuh di 2023.yaml.bak" in out.splitlines()[-1]
    doc = load(work)
    assert node(doc, "CQ.6709.QGE.001").realisasi == 851_600_000 and doc.notices == ()
