"""Issue 14's blocks: funding sources (hibah), kendala dan solusi, indicators, spending by type,
blokir, signatories, organisations with Bagian and commissioners, added sections; the third
sample office (KPU Provinsi Contoh 2024) asserted in its annex."""

from __future__ import annotations

import copy
import shutil
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
import yaml

from kpu_docs.checks.validate import Severity
from kpu_docs.cli.main import main
from kpu_docs.errors import InputError
from kpu_docs.figures.indicators import achievement, category
from kpu_docs.figures.sections import outline
from kpu_docs.input.load import load
from kpu_docs.input.model import Indicator
from kpu_docs.publish.build import build, prepare
from kpu_docs.render.docx.context import build_context

from .conftest import context_leaves

ROOT = Path(__file__).resolve().parent.parent
PROVINCE = ROOT / "inputs" / "kpu-provinsi-contoh" / "2024.yaml"


@pytest.fixture(scope="module")
def province_data() -> dict:
    return yaml.safe_load(PROVINCE.read_text(encoding="utf-8"))


@pytest.fixture
def variant(tmp_path, province_data):
    """Write a changed copy of the province sample (with its pictures) and return its path."""

    def make(mutate) -> Path:
        data = copy.deepcopy(province_data)
        mutate(data)
        folder = tmp_path / "kpu-provinsi-contoh"
        folder.mkdir(exist_ok=True)
        for picture in PROVINCE.parent.glob("*.png"):
            shutil.copy(picture, folder)
        path = folder / "2024.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    return make


def findings(path: Path):
    return prepare(path)[1]


def walk(nodes: list[dict]):
    for n in nodes:
        yield n
        for key in ("kegiatan", "output", "sub_output", "rincian"):
            yield from walk(n.get(key, []))


def leaves(nodes: list[dict]) -> list[dict]:
    return [n for n in walk(nodes) if not any(n.get(k) for k in ("kegiatan", "output", "sub_output", "rincian"))]


def node(nodes: list[dict], code: str) -> dict:
    return next(n for n in walk(nodes) if n["kode"] == code)


# --- indicators: the rule stated in the README --------------------------------------------------


def indicator(target, realisasi, lower=False) -> Indicator:
    return Indicator.model_validate(
        {"indikator": "x", "satuan": "%", "target": target, "realisasi": realisasi, "makin_kecil_makin_baik": lower}
    )


@pytest.mark.parametrize(
    "target, realisasi, lower, capaian, kategori",
    [
        (100, 85, False, Fraction(85, 100), "Sangat Berhasil"),  # a boundary belongs to the higher band
        (100, "84,99", False, Fraction(8499, 10000), "Berhasil"),
        (100, "84,996", False, Fraction(84996, 100000), "Sangat Berhasil"),  # shown as 85,00 %
        (4, 3, False, Fraction(3, 4), "Berhasil"),
        (100, 70, False, Fraction(7, 10), "Berhasil"),
        (100, 55, False, Fraction(55, 100), "Cukup Berhasil"),
        (100, "54,9", False, Fraction(549, 1000), "Tidak Berhasil"),
        (77.5, 71.8, False, Fraction(718, 775), "Sangat Berhasil"),
        (0.5, 0.3, True, Fraction(7, 5), "Sangat Berhasil"),  # lower is better: (2 × 0,5 − 0,3) / 0,5
        (10, 30, True, Fraction(0), "Tidak Berhasil"),  # floored at 0
        (0, 5, False, None, "-"),
    ],
)
def test_capaian_and_kategori(target, realisasi, lower, capaian, kategori):
    ind = indicator(target, realisasi, lower)
    assert achievement(ind) == capaian
    assert category(achievement(ind)) == kategori


def test_indicator_values_are_read_exactly():
    assert indicator("1.250", "77,5").target == Decimal(1250)
    assert indicator(77.5, "77,5").realisasi == Decimal("77.5")
    with pytest.raises(ValueError, match="bukan angka"):
        indicator("tujuh", 1)


def test_zero_target_is_a_warning(variant):
    path = variant(lambda d: d["indikator_kinerja"][0]["indikator"][0].update(target=0))
    found = [f for f in findings(path) if "target indikator" in f.message]
    assert len(found) == 1 and found[0].severity is Severity.WARNING and found[0].location.line


# --- kendala dan solusi: the 80 % threshold ---------------------------------------------------------


def test_province_sample_is_clean():
    assert findings(PROVINCE) == []


def test_low_absorption_without_kendala_warns_at_the_highest_unexplained_node(variant):
    path = variant(lambda d: node(d["program"], "CQ.6709.QGE.002").pop("kendala"))
    warnings = [f for f in findings(path) if "di bawah 80%" in f.message]
    # CQ.6709 is at (1.118.430.000 + 296.550.000) / 1.570.000.000 = 90,12 %: only the RO is off
    assert [f.subject for f in warnings] == ["CQ.6709.QGE.002"]
    assert "70,61%" in warnings[0].message and warnings[0].severity is Severity.WARNING
    assert warnings[0].location.line == load(path).lines.line(
        ("program", 0, "kegiatan", 0, "output", 0, "sub_output", 1)
    )


def test_kendala_on_a_parent_explains_what_is_below_it(variant):
    def mutate(d):
        ro = node(d["program"], "CQ.6709.QGE.002")
        node(d["program"], "CQ.6709")["kendala"] = ro.pop("kendala")

    assert not [f for f in findings(variant(mutate)) if "di bawah 80%" in f.message]


def test_grant_checked_on_its_own(variant):
    def mutate(d):
        node(d["hibah"][0]["program"], "CQ.7102.QGE.002").pop("kendala")
        node(d["hibah"][0]["program"], "CQ.7101")["pagu"] = 1  # stated, disagrees with its children

    found = findings(variant(mutate))
    subjects = {f.subject: f for f in found}
    assert subjects["hibah 1: CQ.7102.QGE.002"].severity is Severity.WARNING
    error = subjects["hibah 1: CQ.7101"]
    assert error.severity is Severity.ERROR and "Rp23.000.000.000" in error.message  # 3,4 + 1,1 + 18,5 miliar


def test_realisasi_above_pagu_explained_by_kendala_is_information(variant):
    def mutate(d):
        akun = node(d["program"], "WA.3355.EBB.951.051.532111")
        akun["realisasi"] = akun["pagu"] + 1000

    over = [f for f in findings(variant(mutate)) if "melebihi pagu" in f.message]
    assert [f.severity for f in over] == [Severity.WARNING]

    def explained(d):
        mutate(d)
        node(d["program"], "WA.3355.EBB.951")["kendala"] = [{"kendala": "Kurs naik.", "solusi": "Revisi DIPA."}]

    over = [f for f in findings(variant(explained)) if "melebihi pagu" in f.message]
    assert [f.severity for f in over] == [Severity.INFO] and "dijelaskan dalam kendala" in over[0].message


def test_grant_codes_unique_within_the_grant_only(variant):
    # the grant's program repeats the DIPA's 076.01.CQ: allowed
    assert load(PROVINCE).data.grants[0].programs[0].code == "076.01.CQ"

    def duplicate(d):
        kegiatan = d["hibah"][0]["program"][0]["kegiatan"]
        kegiatan.append(copy.deepcopy(kegiatan[0]))

    with pytest.raises(InputError) as exc:
        load(variant(duplicate))
    assert any(
        "CQ.7101" in p.message and "unik" in p.message and p.location.path[0] == "hibah" for p in exc.value.problems
    )


def test_blokir_above_pagu_and_on_a_parent(variant):
    path = variant(lambda d: node(d["program"], "WA.3355.EBA.994.002.521211").update(blokir=240000001))
    assert any(f.severity is Severity.ERROR and "blokir" in f.message for f in findings(path))
    with pytest.raises(InputError, match="blokir"):
        load(variant(lambda d: node(d["program"], "WA.3355.EBA.994").update(blokir=1)))


# --- sections: places, numbers --------------------------------------------------------------------


def test_outline_numbers_follow_the_sections_present():
    report = prepare(PROVINCE)[0]
    plan = outline(report)
    # Ringkasan Eksekutif before BAB I is unnumbered; Dokumentasi (after III) is BAB IV,
    # Rencana Tindak Lanjut (before PENUTUP) BAB V; PENUTUP moves to BAB VI.
    assert plan.chapters == {"pendahuluan": "I", "organisasi": "II", "capaian": "III", "penutup": "VI"}
    assert [p.label for p in plan.points["front"]] == [""]
    assert [p.label for p in plan.points["after_capaian"]] == ["IV", "V"]
    assert [p.label for p in plan.points["organisasi_end"]] == ["C."]  # after A. Struktur, B. Anggaran
    # BAB III: A. indicators, then the DIPA's two programs and the grant's one
    assert plan.subsections["capaian.indikator"] == "A." and plan.program_labels == ["B.", "C.", "D."]
    # tables in reading order: sources, per program (DIPA summary, 2 programs, 1 grant program),
    # the added subsection's, the indicators', the added chapter's subsection's
    assert plan.tables[("sources", 0)] == 1 and plan.tables[("programs", 0)] == 2
    assert plan.tables[("grant", 0, "program", 0, 0)] == 5
    assert plan.tables[("section", 1, 0)] == 6 and plan.tables[("indicators", 0)] == 7
    assert plan.tables[("section", 3, 0, 0)] == 8


def test_a_subsection_can_stand_before_or_after_a_grant_program(variant):
    # the grant's program shares the DIPA's code 076.01.CQ; BAB III could not end with an added subsection
    def mutate(d):
        d["bab_tambahan"].append({"judul": "Catatan Hibah", "sesudah": "capaian.hibah1.076.01.CQ"})
        d["bab_tambahan"].append({"judul": "Pengantar Hibah", "sebelum": "capaian.hibah1.076.01.CQ"})

    path = variant(mutate)
    assert not [f for f in findings(path) if f.severity is Severity.ERROR]
    plan = outline(prepare(path)[0])
    assert plan.program_labels == ["B.", "C.", "E."]
    assert [(p.index, p.label) for p in plan.points["capaian_grant_0_0"]] == [(5, "D.")]
    assert [(p.index, p.label) for p in plan.points["capaian_end"]] == [(4, "F.")]


def test_kota_serang_outline_is_unchanged(sample_path):
    context = build_context(prepare(sample_path)[0])
    assert context["chapters"] == {"pendahuluan": "I", "organisasi": "II", "capaian": "III", "penutup": "IV"}
    assert context["subs"] == {"struktur": "A.", "anggaran": "B."}
    assert [p["table"] for p in context["programs"]] == ["2", "3"]
    assert all(not v for v in context["extra"].values())


def test_the_context_places_every_picture_in_one_order(variant):
    """build_context owns the pictures' keys: the logo, the added sections' pictures, then the
    closing images, each through the one ``place`` it is given (the order fixes the Word file's
    relationship ids); without one they are empty text."""

    def closing(data):
        data["gambar_penutup"] = [{"berkas": "logo-provinsi-contoh.png", "keterangan": "Maskot"}]

    report = prepare(variant(closing))[0]
    calls = []

    def place(file, key_path, slot):
        calls.append((file, key_path, slot))
        return f"<{slot}:{file}>"

    context = build_context(report, place)
    assert calls == [
        ("logo-provinsi-contoh.png", ("satker", "logo"), "logo"),
        ("dokumentasi-rapat-pleno.png", ("bab_tambahan", 2, "gambar", 0, "berkas"), "extra"),
        ("logo-provinsi-contoh.png", ("gambar_penutup", 0, "berkas"), "closing_images"),
    ]
    assert context["logo"] == "<logo:logo-provinsi-contoh.png>"
    assert context["closing_images"] == [{"image": "<closing_images:logo-provinsi-contoh.png>", "caption": "Maskot"}]
    (section,) = [s for v in context["extra"].values() for s in v if s["pictures"]]
    assert section["pictures"][0]["image"] == "<extra:dokumentasi-rapat-pleno.png>"
    plain = build_context(report)
    assert plain["logo"] == "" and plain["closing_images"] == [{"image": "", "caption": "Maskot"}]


@pytest.mark.parametrize("anchor", ["bab3", "capaian.999.99.ZZ", "capaian.indikator"])
def test_unknown_place_is_an_error_naming_the_places(variant, anchor):
    def mutate(d):
        d["bab_tambahan"][1]["sesudah"] = anchor
        if anchor == "capaian.indikator":
            d.pop("indikator_kinerja")

    found = [f for f in findings(variant(mutate)) if f.severity is Severity.ERROR]
    assert len(found) == 1 and found[0].subject == "bab_tambahan.1.sesudah"
    assert f"'{anchor}' tidak dikenal" in found[0].message and "organisasi.anggaran" in found[0].message


def test_subsection_cannot_hold_subsections(variant):
    path = variant(lambda d: d["bab_tambahan"][3].update(sebelum="capaian.076.01.WA"))
    assert [f.subject for f in findings(path) if f.severity is Severity.ERROR] == ["bab_tambahan.3.subbab"]


def test_section_table_cells_are_checked_where_written(variant):
    def mutate(d):
        d["bab_tambahan"][1]["tabel"][0]["baris"][1][2] = "1.5"  # not whole Rupiah

    with pytest.raises(InputError) as exc:
        load(variant(mutate))
    problem = exc.value.problems[0]
    assert "baris 2, kolom 3 ('Jumlah')" in problem.message and problem.location.line


def test_too_many_table_columns_names_the_bound(variant):
    def mutate(d):
        d["bab_tambahan"][1]["tabel"][0]["kolom"] = [{"judul": f"K{i}"} for i in range(9)]
        d["bab_tambahan"][1]["tabel"][0]["baris"] = [[str(i) for i in range(9)]]

    with pytest.raises(InputError) as caught:
        load(variant(mutate))
    assert "daftar terlalu panjang (9 butir; paling banyak 8)" in str(caught.value)


def test_section_needs_exactly_one_place(variant):
    with pytest.raises(InputError, match="tepat satu dari 'sebelum' atau 'sesudah'"):
        load(variant(lambda d: d["bab_tambahan"][0].update(sesudah="penutup")))


def test_missing_section_picture_is_an_error(variant):
    path = variant(lambda d: d["bab_tambahan"][2]["gambar"][0].update(berkas="tidak-ada.png"))
    found = [f for f in findings(path) if f.severity is Severity.ERROR]
    assert len(found) == 1 and "tidak-ada.png" in found[0].message


# --- organisation and signatories -------------------------------------------------------------------


def test_heads_and_staff_counted_from_the_structure_given(sample_path):
    org = build_context(prepare(PROVINCE)[0])["org"]
    assert org["heads_text"] == (
        "3 (tiga) orang Kepala Bagian, 6 (enam) orang Kepala Subbagian, dan kelompok Jabatan Fungsional"
    )
    assert org["staff_recap"] == "PNS 8 (delapan) orang dan PPNPN 7 (tujuh) orang"
    assert [d["label"] for d in org["divisions"]] == ["1.", "2.", "3."]
    assert [s["label"] for s in org["divisions"][0]["subdivisions"]] == ["a.", "b."]
    assert org["functional"]["label"] == "4."
    assert [c["title"] for c in org["commissioners"]] == ["Ketua"] + ["Anggota"] * 4
    serang = build_context(prepare(sample_path)[0])["org"]
    assert serang["heads_text"] == "4 (empat) orang Kepala Subbagian dan kelompok Jabatan Fungsional"


def test_organisation_needs_subbagian_or_bagian(variant):
    with pytest.raises(InputError, match="isi 'subbagian'"):
        load(variant(lambda d: d["organisasi"].pop("bagian")))


def test_acknowledger_must_match_the_chair(variant):
    path = variant(lambda d: d["laporan"]["mengetahui"].update(nama="Orang Lain"))
    found = [f for f in findings(path) if f.subject == "laporan.mengetahui.nama"]
    assert len(found) == 1 and "Bambang Sutrisno" in found[0].message


# --- the province's annex ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def province_xlsx(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("prov")
    result = build([PROVINCE], out)[0]
    assert result.ok, result.reason
    return next(result.destination.glob("lampiran-*.xlsx"))


@pytest.fixture(scope="module")
def province_books(province_xlsx):
    return openpyxl.load_workbook(province_xlsx), openpyxl.load_workbook(province_xlsx, data_only=True)


def test_annex_sheets(province_books):
    names = province_books[0].sheetnames
    for sheet in ("Sumber Dana", "Rincian Hibah", "Jenis Belanja", "Indikator Kinerja"):
        assert sheet in names


def test_sources_sheet_totals_per_source_and_overall(province_books, province_data):
    formulas, values = (b["Sumber Dana"] for b in province_books)
    dipa = [(n["pagu"], n["realisasi"]) for n in leaves(province_data["program"])]
    grant = [(n["pagu"], n["realisasi"]) for n in leaves(province_data["hibah"][0]["program"])]
    expected = [sum(p for p, _ in dipa), sum(r for _, r in dipa)], [sum(p for p, _ in grant), sum(r for _, r in grant)]
    assert [values.cell(5, c).value for c in (4, 5)] == expected[0]
    assert [values.cell(6, c).value for c in (4, 5)] == expected[1] == [57_400_000_000, 53_634_050_000]
    assert values.cell(7, 3).value == "Jumlah Seluruh Sumber Dana"
    assert [values.cell(7, c).value for c in (4, 5)] == [
        expected[0][0] + expected[1][0],
        expected[0][1] + expected[1][1],
    ]
    assert formulas.cell(5, 4).value == "='Rincian Anggaran'!D2"
    assert formulas.cell(6, 4).value == "='Rincian Hibah'!D2" and formulas.cell(7, 4).value == "=SUM(D5:D6)"
    hibah = province_books[1]["Rincian Hibah"]
    assert hibah.cell(2, 3).value == "Jumlah Hibah Pemilihan Gubernur dan Wakil Gubernur Contoh Tahun 2024"
    assert hibah.cell(2, 4).value == 57_400_000_000


def test_spending_by_type_from_the_akun(province_books, province_data):
    formulas, values = (b["Jenis Belanja"] for b in province_books)
    recap = {
        (values.cell(r, 1).value, values.cell(r, 4).value): (
            values.cell(r, 5).value,
            values.cell(r, 6).value,
            values.cell(r, 9).value,
        )
        for r in range(5, 11)
    }
    kinds = {"51": "Belanja Pegawai", "52": "Belanja Barang", "53": "Belanja Modal"}
    for source, tree in (
        ("APBN", province_data["program"]),
        ("APBD Provinsi Contoh", province_data["hibah"][0]["program"]),
    ):
        for prefix, kind in kinds.items():
            akun = [n for n in leaves(tree) if n["kode"].rsplit(".", 1)[1].startswith(prefix)]
            expected = (
                sum(n["pagu"] for n in akun),
                sum(n["realisasi"] for n in akun),
                sum(n.get("blokir", 0) for n in akun),
            )
            assert recap[(source, kind)] == expected, (source, kind)
    assert recap[("APBN", "Belanja Barang")][2] == 20_000_000
    assert formulas.cell(5, 5).value.startswith("=SUMIFS($E$14:$E$23,$A$14:$A$23,A5,$D$14:$D$23,D5")
    assert values.cell(11, 4).value == "Jumlah"


def test_blokir_column_in_the_tree(province_books):
    formulas, values = (b["Rincian Anggaran"] for b in province_books)
    assert values.cell(1, 8).value == "Blokir (Rp)"
    rows = {values.cell(r, 1).value: r for r in range(3, values.max_row + 1)}
    assert values.cell(rows["WA.3355.EBA.994.002.521211"], 8).value == 20_000_000
    assert values.cell(rows["076.01.WA"], 8).value == 20_000_000
    assert values.cell(2, 8).value == 20_000_000 and formulas.cell(2, 8).value.startswith("=SUM(")


def test_indicator_sheet(province_books):
    formulas, values = (b["Indikator Kinerja"] for b in province_books)
    rows = [[values.cell(r, c).value for c in range(1, 10)] for r in range(5, 10)]
    assert [r[2] for r in rows][:2] == [
        "Persentase partisipasi pemilih",
        "Persentase TPS yang melaksanakan pemungutan suara ulang",
    ]
    assert rows[0][4:7] == [77.5, 71.8, 80.2]
    assert rows[0][7] == 0.9265 and rows[0][8] == "Sangat Berhasil"  # 71,8 / 77,5 = 92,645… %, two decimals
    assert rows[1][7] == 1.4 and rows[3][8] == "Berhasil" and rows[4][8] == "Cukup Berhasil"
    assert formulas.cell(6, 8).value.startswith('=IF(E6=0,"",IF(AND(MAX(0,2*E6-F6)<>0,ROUND(MAX(0,2*E6-F6)/E6,4)=0)')
    assert formulas.cell(5, 9).value.startswith('=IF(H5="","-",IF(H5>=0.85,"Sangat Berhasil"')


def test_organisation_sheet_with_bagian_and_commissioners(province_books):
    ws = province_books[1]["Organisasi"]
    cells = [[ws.cell(r, c).value for c in range(1, 7)] for r in range(1, ws.max_row + 1)]
    assert cells[0][1] == "Bagian / Subbagian"
    assert ["Subbagian Keuangan (Bagian Keuangan, Umum, dan Logistik)" == row[1] for row in cells].count(
        True
    ) == 5  # 4 staff, 1 count row
    assert any(row[1] == "Komisioner" and row[2] == "Bambang Sutrisno" and row[3] == "Ketua" for row in cells)
    assert any(row[2] == "Made Wirawan" and row[4] == "Divisi Perencanaan, Data, dan Informasi" for row in cells)


# --- diff and new ------------------------------------------------------------------------------------


def test_diff_sees_grants_kendala_indicators_and_sections(variant, capsys):
    def mutate(d):
        node(d["hibah"][0]["program"], "CQ.7102.QGE.002.521219")["realisasi"] = 7_300_000_000
        node(d["hibah"][0]["program"], "CQ.7102.QGE.002")["kendala"][0]["solusi"] = "Baru."
        d["indikator_kinerja"][0]["indikator"][0]["realisasi"] = 72
        d["bab_tambahan"][0]["judul"] = "Ikhtisar"

    assert main(["diff", str(PROVINCE), str(variant(mutate))]) == 1
    out = capsys.readouterr().out
    grant = "hibah 'Hibah Pemilihan Gubernur dan Wakil Gubernur Contoh Tahun 2024': "
    assert f"{grant}CQ.7102.QGE.002.521219 realisasi: 7.250.000.000 → 7.300.000.000 (+50.000.000)" in out
    assert f"{grant}CQ.7102.QGE.002 solusi paragraf 1:" in out and '→ "Baru."' in out
    assert "indikator_kinerja[1].indikator[Persentase partisipasi pemilih].realisasi" in out
    assert 'bab_tambahan[1].judul: "Ringkasan Eksekutif" → "Ikhtisar"' in out


def test_diff_of_an_added_section_lists_only_what_it_holds(variant, capsys):
    def mutate(d):
        d["bab_tambahan"].append({"judul": "Lampiran Foto", "sebelum": "penutup"})

    assert main(["diff", str(PROVINCE), str(variant(mutate))]) == 1
    out = capsys.readouterr().out
    assert "(kosong) → (kosong)" not in out
    assert 'bab_tambahan[5].judul: (kosong) → "Lampiran Foto"' in out
    assert ": 2 bab_tambahan" in out  # judul and sebelum


def test_new_carries_structure_and_moves_realisasi_to_last_year(tmp_path):
    target = tmp_path / "kpu-provinsi-contoh" / "2025.yaml"
    assert main(["new", str(PROVINCE), "--year", "2025", "--out", str(target)]) == 0
    data = load(target).data
    goal = data.indicators[0].indicators[0]
    assert (goal.realisasi, goal.previous) == (0, Decimal("71.8"))
    assert data.indicators[1].indicators[1].previous is None  # no key written: none added
    grant = data.grants[0]
    assert grant.name.startswith("Hibah") and all((n.pagu or 0) == 0 for p in grant.programs for n in _model_walk(p))
    assert all(not o for p in data.programs for n in _model_walk(p) for o in [getattr(n, "obstacles", [])])
    assert [s.paragraphs for s in data.sections] == [[], [], [], []]
    assert data.sections[1].tables[0].rows  # tables are kept as written


def _model_walk(node):
    yield node
    for child in node.children:
        yield from _model_walk(child)


def test_province_context_is_plain_data():
    """The sandbox renders plain data only (test_hardening): the blocks add no other types."""
    assert {type(v) for v in context_leaves(build_context(prepare(PROVINCE)[0]))} <= {str, int}


# --- the province's report (DOCX) -------------------------------------------------------------------


@pytest.fixture(scope="module")
def province_docx(province_xlsx) -> Path:
    return next(province_xlsx.parent.glob("laporan-tahunan-*.docx"))


@pytest.fixture(scope="module")
def document(province_docx):
    from docx import Document

    return Document(str(province_docx))


def plain(text: str) -> str:
    """Text as typed: without the typography's break opportunities and non-breaking hyphens."""
    return " ".join(text.replace("\u200b", "").replace("\u2011", "-").split())


def paragraphs(document) -> list[tuple[str, str]]:
    """(style name, text) of every body paragraph, in order."""
    return [(p.style.name, plain(p.text)) for p in document.paragraphs]


def table_rows(table) -> list[list[str]]:
    return [[plain(c.text) for c in row.cells] for row in table.rows]


def table_after(document, caption: str):
    """The table that follows the paragraph whose text starts with ``caption``."""
    for p in document.paragraphs:
        if p.text.startswith(caption) and p.style.name == "Keterangan Tabel":  # not the DAFTAR TABEL
            el = p._p.getnext()
            while el is not None and el.tag.rsplit("}", 1)[1] != "tbl":
                el = el.getnext()
            return next(t for t in document.tables if t._tbl is el)
    raise AssertionError(f"no caption {caption!r} in {[p.text for p in document.paragraphs if 'Tabel' in p.text]}")


def test_chapters_numbered_by_what_is_present(document):
    headings = [(s, t) for s, t in paragraphs(document) if s in ("Heading 1", "Heading 2")]
    chapters = [t for s, t in headings if s == "Heading 1"]
    assert chapters == [
        "KATA PENGANTAR",
        "RINGKASAN EKSEKUTIF",
        "BAB I PENDAHULUAN",
        "BAB II STRUKTUR ORGANISASI",
        "BAB III CAPAIAN PRIORITAS",
        "BAB IV DOKUMENTASI KEGIATAN",
        "BAB V RENCANA TINDAK LANJUT",
        "BAB VI PENUTUP",
    ]
    subs = [t for s, t in headings if s == "Heading 2"]
    assert subs == [
        "A. Struktur Organisasi",
        "B. Program dan Anggaran",
        "C. Pengembalian Sisa Dana Hibah",
        "A. Capaian Indikator Kinerja",
        "B. Program Penyelenggaraan Pemilu dalam Proses Konsolidasi Demokrasi (076.01.CQ)",
        "C. Program Dukungan Manajemen (076.01.WA)",
        "D. Program Penyelenggaraan Pemilihan Gubernur dan Wakil Gubernur (076.01.CQ, dana hibah)",
        "A. Perencanaan Anggaran",
        "B. Penataan Arsip Pemilihan",
    ]


def test_table_of_contents_lists_the_added_sections(document):
    toc = [" ".join(p.text.split()) for p in document.paragraphs if p.style.name.startswith("TOC")]
    for entry in (
        "RINGKASAN EKSEKUTIF",
        "C. Pengembalian Sisa Dana Hibah",
        "BAB IV DOKUMENTASI KEGIATAN",
        "A. Perencanaan Anggaran",
        "BAB VI PENUTUP",
    ):
        assert any(t.startswith(entry) for t in toc), entry


def test_table_captions_numbered_in_reading_order(document):
    captions = [t for s, t in paragraphs(document) if s == "Keterangan Tabel"]
    assert [c.split(".")[0] for c in captions] == [f"Tabel {n}" for n in range(1, 9)]
    assert captions[0] == "Tabel 1. Rekapitulasi Alokasi dan Realisasi Anggaran per Sumber Dana"
    assert captions[4].startswith("Tabel 5. Alokasi dan Realisasi Dana Hibah Program Penyelenggaraan Pemilihan")
    assert captions[5] == "Tabel 6. Pengembalian Sisa Dana Hibah"
    assert captions[6] == "Tabel 7. Capaian Indikator Kinerja Tahun 2024"
    assert captions[7] == "Tabel 8. Rencana Tindak Lanjut Tahun 2025"


def test_sources_table_totals_per_source_and_overall(document):
    rows = table_rows(table_after(document, "Tabel 1."))
    assert rows[0] == ["No.", "Sumber Dana", "Pagu (Rp)", "Realisasi (Rp)", "%"]
    assert rows[1] == ["1.", "DIPA (APBN)", "10.120.000.000", "9.833.986.200", "97,17"]
    assert rows[2] == [
        "2.",
        "Hibah Pemilihan Gubernur dan Wakil Gubernur Contoh Tahun 2024",
        "57.400.000.000",
        "53.634.050.000",
        "93,44",
    ]
    assert rows[3][0] == "Jumlah" and rows[3][2:] == ["67.520.000.000", "63.468.036.200", "94,00"]
    text = [t for _, t in paragraphs(document)]
    assert any(
        "Naskah Perjanjian Hibah Daerah (NPHD) Nomor 001/NPHD/PROV-CTH/XI/2023 tanggal 10 November 2023" in t
        for t in text
    )
    grant = table_rows(table_after(document, "Tabel 5."))
    assert grant[1][1:] == ["Persiapan Pemilihan", "23.000.000.000", "22.478.350.000", "97,73"]
    assert grant[-1][2:] == ["57.400.000.000", "53.634.050.000", "93,44"]


def test_indicator_table(document):
    rows = table_rows(table_after(document, "Tabel 7."))
    assert rows[0] == [
        "No",
        "Indikator Kinerja",
        "Satuan",
        "Target",
        "Realisasi",
        "Realisasi 2023",
        "Capaian (%)",
        "Kategori",
    ]
    goal = "Sasaran Strategis: Terselenggaranya Pemilihan Gubernur dan Wakil Gubernur yang berintegritas"
    assert rows[1] == [goal] * 8  # one cell across the table
    assert rows[2] == ["1", "Persentase partisipasi pemilih", "%", "77,5", "71,8", "80,2", "92,65", "Sangat Berhasil"]
    assert rows[3][3:] == ["0,5", "0,3", "-", "140,00", "Sangat Berhasil"]
    assert rows[4][0].startswith("Sasaran Strategis: Meningkatnya")
    assert [r[6:] for r in rows[5:]] == [
        ["98,33", "Sangat Berhasil"],
        ["75,00", "Berhasil"],
        ["62,00", "Cukup Berhasil"],
    ]


def test_kendala_under_their_node(document):
    text = [t for _, t in paragraphs(document)]
    ro = text.index("2) Monitoring dan Evaluasi Program dan Anggaran (CQ.6709.QGE.002)")
    assert text[ro + 2] == "Monitoring dan evaluasi dilaksanakan di 8 kabupaten/kota."  # the narrative, then
    assert text[ro + 3].startswith("Kendala: Jadwal monitoring ke kabupaten/kota")
    assert text[ro + 4].startswith("Solusi: Monitoring dilakukan secara daring")
    assert sum(t.startswith("Kendala: ") for t in text) == 2


def test_organisation_with_commissioners_and_bagian(document):
    text = [t for _, t in paragraphs(document)]
    assert "KPU Provinsi Contoh terdiri atas 5 (lima) orang Anggota, yaitu:" in text
    assert "• Nur Aisyah, Anggota, Divisi Sosialisasi, Pendidikan Pemilih, Partisipasi Masyarakat, dan SDM" in text
    assert any(
        "dibantu oleh 3 (tiga) orang Kepala Bagian, 6 (enam) orang Kepala Subbagian, dan kelompok "
        "Jabatan Fungsional." in t
        for t in text
    )
    assert "1. Bagian Keuangan, Umum, dan Logistik" in text and "a. Subbagian Keuangan" in text
    assert "Dipimpin oleh Hadi Purnomo selaku Kepala Bagian, yang membawahkan 2 (dua) orang Kepala Subbagian." in text
    assert "4. Jabatan Fungsional" in text
    assert (
        "Staf Sekretariat KPU Provinsi Contoh seluruhnya berjumlah 15 (lima belas) orang, terdiri atas PNS "
        "8 (delapan) orang dan PPNPN 7 (tujuh) orang."
    ) in text


def test_two_signatories(document):
    table = next(t for t in document.tables if "Mengetahui," in t.cell(0, 0).text)
    left = [" ".join(p.text.split()) for p in table.cell(0, 0).paragraphs if p.text.strip()]
    right = [" ".join(p.text.split()) for p in table.cell(0, 1).paragraphs if p.text.strip()]
    assert left == ["Mengetahui,", "Ketua KPU Provinsi Contoh", "Bambang Sutrisno"]
    assert right == [
        "Kota Contoh, 31 Januari 2025",
        "Sekretaris KPU Provinsi Contoh",
        "Ratna Widyastuti",
        "NIP 197805122005022001",
    ]


def test_added_tables_formatted_like_the_rest(document):
    rows = table_rows(table_after(document, "Tabel 6."))
    assert rows == [
        ["Tahap", "Tanggal", "Jumlah (Rp)"],
        ["Tahap I", "20 Desember 2024", "1.500.000.000"],
        ["Tahap II", "15 Januari 2025", "2.265.950.000"],
        ["Jumlah", "", "3.765.950.000"],
    ]
    table = table_after(document, "Tabel 6.")
    assert table.cell(1, 2).paragraphs[0].style.name == "Tabel Angka"  # amounts right-aligned
    assert table.cell(1, 0).paragraphs[0].style.name == "Tabel Teks"
    assert table_rows(table_after(document, "Tabel 8."))[-1] == ["Jumlah", "", "75.000.000"]


def test_added_picture_with_its_caption(document, province_docx):
    import zipfile

    heading = next(
        p for p in document.paragraphs if p.text == "BAB IV DOKUMENTASI KEGIATAN" and p.style.name == "Heading 1"
    )._p
    following = []
    el = heading.getnext()
    while el is not None and len(following) < 4:
        following.append(el)
        el = el.getnext()
    assert any(e.findall(".//{http://schemas.openxmlformats.org/drawingml/2006/main}blip") for e in following)
    assert any("Rapat pleno terbuka rekapitulasi" in "".join(e.itertext()) for e in following)
    source = (PROVINCE.parent / "dokumentasi-rapat-pleno.png").read_bytes()
    with zipfile.ZipFile(province_docx) as z:
        assert any(z.read(n) == source for n in z.namelist() if n.startswith("word/media/"))


def test_template_check_knows_every_block(capsys):
    from kpu_docs.render.docx.templating import default_template

    assert main(["template", "check", str(default_template())]) == 0
    out = capsys.readouterr().out
    assert "0 tag tidak dikenal" in out
    assert "TIDAK DIPAKAI  indicators[].kategori" not in out and "TIDAK DIPAKAI  extra.front[].heading" not in out


def test_added_paragraphs_are_read_like_the_other_prose(variant):
    path = variant(
        lambda d: d["bab_tambahan"][3]["subbab"][0]["paragraf"].append("Tindak lanjut mencakup 3 (dua) kegiatan.")
    )
    found = [f for f in findings(path) if f.subject == "bab_tambahan[3].subbab[0].paragraf[1]"]
    assert len(found) == 1 and "3 ditulis 'tiga'" in found[0].message and found[0].location.line


def test_a_grants_narratives_are_checked_against_its_own_tree(variant):
    """The prose checks read a hibah's narratives too, against the grant's own nodes: a wrong
    absorption, a mistyped grant code and a count its tree contradicts are found (subject
    ``hibah 1: CODE``, as validate names a grant's nodes), and a grant code is no unknown code."""
    grant_ro = "CQ.7101.QGE.001"

    def mutate(d):
        ro = node(d["hibah"][0]["program"], grant_ro)
        ro["narasi"] = [
            "Realisasi Sub Output ini mencapai 50,00% dari pagu.",  # 4.357.900.000 / 4.500.000.000 = 96,84%
            "Sosialisasi dilaksanakan bersama CQ.7101.QGX.001 di seluruh kabupaten/kota.",  # no such code
            "Kegiatan CQ.7101 Persiapan Pemilihan terdiri dari 3 (tiga) Sub. Output Kegiatan.",  # it has 2
            "Kegiatan ini bagian dari CQ.7101.QGE Tata Kelola Kelembagaan Publik Bidang Politik dan Hukum.",
        ]

    found = [f for f in findings(variant(mutate)) if f.subject.startswith("hibah 1: ")]
    messages = " | ".join(f"{f.subject}: {f.message}" for f in found)
    assert all(f.subject == f"hibah 1: {grant_ro}" for f in found), messages
    assert "96,84%" in messages and "'CQ.7101.QGX.001' tidak ada di data anggaran" in messages
    assert "narasi menyebut 3 Sub. Output Kegiatan, padahal data berisi 2" in messages
    assert "CQ.7101.QGE Tata Kelola" not in messages  # the grant's own code, named as in its data
    assert len(found) == 3, messages
