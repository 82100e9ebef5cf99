"""The mistakes people really make in YAML, one table row each: never misread, never a
traceback, always a located Indonesian message (or a notice saying what was assumed)."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest

from kpu_docs.cli.main import main
from kpu_docs.errors import InputError
from kpu_docs.input.load import MAX_TEXT_CHARS, load
from kpu_docs.publish.build import build, prepare

from .conftest import SAMPLE, node


def sample_text(make_input) -> str:
    """The sample as written (its comments, quoting and indentation)."""
    return SAMPLE.read_text(encoding="utf-8")


def problems_of(path) -> list[str]:
    with pytest.raises(InputError) as exc:
        load(path)
    return [str(p) for p in exc.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(i + 1 for i, line in enumerate(text.split("\n")) if needle in line)


# --- numbers YAML 1.1 misreads ------------------------------------------------------------------


@pytest.mark.parametrize(
    "written, words",
    [
        ("0412500000", ["oktal (69894144)", "bukan 412500000", "(412500000)"]),
        ("0x1F4", ["heksadesimal"]),
        ("1:30:00", ["basis 60", "5400"]),
    ],
)
def test_numbers_yaml_misreads_are_refused_with_their_line(make_input, written, words):
    text = sample_text(make_input).replace("pagu: 852312000", f"pagu: {written}", 1)
    path = make_input(text=text)
    (found,) = problems_of(path)
    assert f":{line_of(text, f'pagu: {written}')}:" in found
    assert "sub_output[0].pagu" in found
    assert all(w in found for w in words), found


def test_octal_money_is_read_as_decimal_for_the_other_findings(make_input):
    """validate lists the refusal among all other findings, with the figures read as meant."""
    text = sample_text(make_input).replace("pagu: 852312000", "pagu: 0852312000", 1)
    report, findings = prepare(make_input(text=text))
    errors = [f for f in findings if f.severity.value == "galat"]
    assert len(errors) == 1 and "oktal" in errors[0].message
    assert report.programs[0].figures.pagu == 18_256_293_000  # not Rp69.894.144 less


# --- text cut by '#' ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, refused",
    [
        ("    - Rapat pleno dilaksanakan #2 kali pada bulan Maret.", True),  # a paragraph: always
        ("    - Rapat pleno dilaksanakan # dua kali.", True),
        ('    - "Rapat pleno dilaksanakan #2 kali."', False),  # quoted: the '#' is text
        ("    - Rapat pleno dilaksanakan dua kali.  # komentar", True),  # a paragraph: always suspect
    ],
)
def test_paragraph_cut_by_a_comment(make_input, line, refused):
    text = sample_text(make_input)
    text = text.replace("  penutup:\n", "  penutup:\n" + line + "\n", 1)
    path = make_input(text=text)
    if refused:
        (found,) = problems_of(path)
        assert f":{line_of(text, line.strip())}: narasi.penutup[0]" in found
        assert "terpotong oleh tanda '#'" in found and "tanda kutip" in found
    else:
        assert "#2" in load(path).data.narratives.closing[0]


@pytest.mark.parametrize(
    "last",
    [
        "kali #2 rapat.",  # fewer than 20 characters before the '#'
        "dan dihadiri seluruh anggota KPU #2 dan sekretariat.",
    ],
)
def test_a_comment_on_the_last_line_of_a_multi_line_paragraph(make_input, last):
    first = "    - Rapat pleno rekapitulasi hasil penghitungan suara dilaksanakan dua"
    text = sample_text(make_input).replace("  penutup:\n", f"  penutup:\n{first}\n      {last}\n", 1)
    (found,) = problems_of(make_input(text=text))
    assert f":{line_of(text, first.strip())}: narasi.penutup[0]" in found
    assert "terpotong oleh tanda '#'" in found and "'#2" in found and "tanda kutip" in found


def test_a_paragraph_with_colon_space_is_said_to_be_read_as_a_key(make_input):
    line = "    - Dasar hukum: Undang-Undang Nomor 7 Tahun 2017 tentang Pemilihan Umum."
    text = sample_text(make_input).replace("  penutup:\n", f"  penutup:\n{line}\n", 1)
    (found,) = problems_of(make_input(text=text))
    assert f":{line_of(text, line.strip())}: narasi.penutup[0]" in found
    assert "'Dasar hukum: …' sebagai kunci" in found and "(': ')" in found and "tanda kutip" in found
    assert "tidak kosong" not in found


@pytest.mark.parametrize(
    "value, refused",
    [
        ("Andre #2", True),  # no space after '#': part of the name
        ("Andre  # kepala sejak Maret", False),  # a comment after a name is a comment
    ],
)
def test_name_followed_by_a_hash(make_input, value, refused):
    text = sample_text(make_input).replace("kepala: Andre Minggon Munggaran", f"kepala: {value}", 1)
    path = make_input(text=text)
    if refused:
        (found,) = problems_of(path)
        assert "terpotong" in found and "subbagian[0].kepala" in found
    else:
        assert load(path).data.organisation.subdivisions[0].head == "Andre"


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written, words",
    [
        ("2024-02-30", ["Februari 2024 hanya sampai tanggal 29"]),
        ("2024-31-01", ["bulan 31 tidak ada"]),
        ("2024-13-01", ["bulan 13 tidak ada", "2024-01-13"]),
        ("25:61:00", ["25:61:00"]),
        ("12:30:00", ["basis 60"]),  # YAML 1.1 reads this as the number 45000
        ("2024-01-31 10:00:00", ["jam"]),
        ("31-01-2024", ["YYYY-MM-DD"]),
    ],
)
@pytest.mark.parametrize("command", ["validate", "diff", "new", "build"])
def test_impossible_dates_are_located_in_every_command(make_input, tmp_path, capsys, written, words, command):
    text = sample_text(make_input).replace("tanggal: 2024-01-31", f"tanggal: {written}", 1)
    path = make_input(text=text)
    argv = {
        "validate": ["validate", str(path)],
        "diff": ["diff", str(path), str(path)],
        "new": ["new", str(path), "--year", "2024", "--out", str(tmp_path / "2024.yaml")],
        "build": ["build", str(path), "--out", str(tmp_path / "out"), "-q"],
    }[command]
    assert main(argv) != 0
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert "Traceback" not in out and "tak terduga" not in out
    assert f":{line_of(text, f'tanggal: {written}')}: laporan.tanggal" in out, out
    assert all(w in out for w in words), out
    assert not (tmp_path / "2024.yaml").exists()


def test_impossible_date_in_import_is_located(make_input, tmp_path, capsys):
    text = sample_text(make_input).replace("tanggal: 2024-01-31", "tanggal: 2024-02-30", 1)
    path = make_input(text=text)
    export = tmp_path / "e.csv"
    export.write_text("Kode;Uraian;Pagu Revisi;Realisasi s.d. Periode\n", encoding="utf-8")
    assert main(["import", str(export), "--into", str(path)]) != 0
    err = capsys.readouterr().err
    assert "laporan.tanggal" in err and "Februari 2024 hanya sampai tanggal 29" in err
    assert path.read_text(encoding="utf-8") == text


# --- characters pasted from Word ------------------------------------------------------------------


@pytest.mark.parametrize("char, becomes", [("\x0b", " "), ("\x0c", " "), ("\x96", "–"), ("\x92", "’")])
@pytest.mark.parametrize("field", ["name", "paragraph", "escape"])
def test_control_characters_are_replaced_alike_in_every_field(make_input, char, becomes, field):
    text = sample_text(make_input)
    if field == "name":
        text = text.replace("kepala: Andre Minggon Munggaran", f"kepala: Andre{char}Minggon Munggaran", 1)
    elif field == "paragraph":
        text = text.replace("  penutup:\n", f"  penutup:\n    - Akhir{char}kata.\n", 1)
    else:  # written as a YAML escape inside double quotes
        text = text.replace("  penutup:\n", f'  penutup:\n    - "Akhir\\x{ord(char):02x}kata."\n', 1)
    report, findings = prepare(make_input(text=text))
    data = report.data
    value = data.organisation.subdivisions[0].head if field == "name" else data.narratives.closing[0]
    assert value == (f"Andre{becomes}Minggon Munggaran" if field == "name" else f"Akhir{becomes}kata.")
    (notice,) = [f for f in findings if f.severity.value == "info" and "karakter kendali" in f.message]
    assert f"U+{ord(char):04X}" in notice.message and notice.location.line
    if field != "escape":
        assert notice.location.line == line_of(text, f"Andre{char}" if field == "name" else f"Akhir{char}")
        assert re.search(r"kolom \d+", notice.message)
    assert not [f for f in findings if f.severity.value == "galat"]


@pytest.mark.parametrize("char", ["\x01", "\x1b", "\x7f", "\x81"])
def test_unprintable_control_characters_are_refused_with_line_and_column(make_input, char):
    text = sample_text(make_input).replace("kepala: Andre Minggon Munggaran", f"kepala: Andre{char}Minggon", 1)
    (found,) = problems_of(make_input(text=text))
    line = line_of(text, "kepala: Andre")
    column = text.split("\n")[line - 1].index(char) + 1
    assert f":{line}:" in found and f"kolom {column}" in found and f"U+{ord(char):04X}" in found


# --- Windows-1252 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_windows_1252_is_read_with_a_notice(make_input, newline, capsys):
    text = sample_text(make_input).replace("wilayah: Serang", "wilayah: Sérang – Kota", 1)
    path = make_input()
    path.write_bytes(text.replace("\n", newline).encode("cp1252"))
    report, findings = prepare(path)
    assert report.data.office.region == "Sérang – Kota"
    (notice,) = [f for f in findings if "Windows-1252" in f.message]
    assert notice.severity.value == "info"
    assert main(["validate", str(path)]) == 0
    assert "dibaca sebagai Windows-1252" in capsys.readouterr().out


def test_crlf_utf8_reads_like_lf(make_input):
    text = sample_text(make_input)
    path = make_input()
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8-sig"))
    assert load(path).data == load(make_input(text=text)).data


def test_windows_1252_input_starts_next_year(make_input, tmp_path):
    text = sample_text(make_input).replace("wilayah: Serang", "wilayah: Sérang", 1)
    path = make_input()
    path.write_bytes(text.replace("\n", "\r\n").encode("cp1252"))
    assert main(["new", str(path), "--year", "2024", "--out", str(tmp_path / "2024.yaml")]) == 0
    assert load(tmp_path / "2024.yaml").data.office.region == "Sérang"


# --- case, and Indonesian messages from the validation library -------------------------------------


@pytest.mark.parametrize("written", ["Kota", "KOTA", " kota "])
def test_level_in_any_case(make_input, written):
    text = sample_text(make_input).replace("tingkat: kota", f"tingkat: '{written}'", 1)
    assert load(make_input(text=text)).data.office.level == "kota"


ENGLISH = re.compile(r"\b(should|Input|valid|field|required|must|type)\b")


@pytest.mark.parametrize(
    "old, new, where, words",
    [
        ("tahun: 2023", "tahun: 2023.5", "tahun", ["bilangan bulat"]),
        ("tahun: 2023", "tahun: dua ribu", "tahun", ["bilangan bulat"]),
        ("tahun: 2023", "tahun: 1999", "tahun", ["paling kecil 2000"]),
        ("tempat: Serang", "tempat: yes", "laporan.tempat", ["benar/salah", '"yes"']),
        ("tempat: Serang", "tempat: 123", "laporan.tempat", ["tanda kutip"]),
        ("tempat: Serang", "tempat: [Serang]", "laporan.tempat", ["teks"]),
        ("tingkat: kota", "tingkat: desa", "satker.tingkat", ["'kota'"]),
        ("nama: Hendro Sulistyo", "nama: {a: 1}", "laporan.penandatangan.nama", ["teks"]),
    ],
)
def test_every_message_is_indonesian(make_input, old, new, where, words):
    text = sample_text(make_input).replace(old, new, 1)
    found = problems_of(make_input(text=text))
    mine = [p for p in found if f" {where}:" in p]
    assert mine, found
    assert all(w in mine[0] for w in words), mine[0]
    for problem in found:
        assert not ENGLISH.search(problem.split(": ", 2)[-1]), problem


# --- bounds: alias bombs, lengths, huge numbers ---------------------------------------------------

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_billion_laughs_is_refused_with_its_line(make_input):
    path = make_input(text=BILLION_LAUGHS)
    (found,) = problems_of(path)
    assert "alias YAML" in found and "mengembang" in found
    assert re.search(r":[5-9]: ", found)  # the line of the alias that blows up


def test_billion_laughs_costs_little_outside_the_process(make_input):
    """Run in a subprocess with a wall-clock cap, so a regression cannot hang the suite."""
    path = make_input(text=BILLION_LAUGHS)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "kpu_docs", "validate", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1 and "alias YAML" in result.stdout, result
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < 60


def test_recursive_alias_is_refused(make_input):
    (found,) = problems_of(make_input(text="a: &a [1, *a]\n"))
    assert "merujuk ke dirinya sendiri" in found


def test_absurd_text_length_is_refused_with_its_line(make_input):
    long = "kata " * (MAX_TEXT_CHARS // 5 + 10)
    text = sample_text(make_input).replace("  penutup:\n", f"  penutup:\n    - {long}\n", 1)
    found = problems_of(make_input(text=text))
    assert any("narasi.penutup[0]" in p and "melebihi batas" in p for p in found), found


def test_oversized_file_is_refused_before_parsing(make_input, monkeypatch):
    import kpu_docs.input.load as load_mod

    monkeypatch.setattr(load_mod, "MAX_FILE_BYTES", 1000)
    (found,) = problems_of(make_input())
    assert "lebih besar dari" in found


@pytest.mark.parametrize(
    "written, words",
    [
        ("1000000000000001", ["terlalu besar", "Rp1.000.000.000.000.000"]),
        ('"Rp1.000.000.000.000.000.000"', ["terlalu besar"]),
        ("9" * 5000, ["terlalu besar"]),
        ('"' + "9" * 5000 + '"', ["terlalu besar"]),
        ("0" + "7" * 5000, ["terlalu besar"]),  # octal-looking and thousands of digits long
    ],
)
def test_huge_money_is_refused_with_its_line(make_input, written, words):
    text = sample_text(make_input).replace("pagu: 852312000", f"pagu: {written}", 1)
    (found,) = problems_of(make_input(text=text))
    assert "sub_output[0].pagu" in found and f":{line_of(text, 'pagu: ' + written[:20])}:" in found
    assert all(w in found for w in words)
    assert len(found) < 400  # the 5,000 digits are not echoed back


def test_huge_year_is_refused_not_a_traceback(make_input):
    text = sample_text(make_input).replace("tahun: 2023", "tahun: " + "2" * 5000, 1)
    found = problems_of(make_input(text=text))
    assert any(" tahun: " in p for p in found)


# --- validate passing means build succeeds ------------------------------------------------------


def test_names_too_long_for_word_are_caught_by_validate(make_input, capsys):
    path = make_input(lambda d: d["satker"].update(nama_lengkap="Komisi Pemilihan Umum " + "Kota Panjang " * 20))
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "satker.nama_lengkap" in out and "paling banyak 200" in out


def test_what_validate_accepts_at_every_limit_builds(make_input, tmp_path):
    """Each text at its longest, the largest money: validate passes, so build must succeed."""

    def mutate(d):
        d["satker"].update(wilayah="W" * 100, nama_singkat="K" * 100, nama_lengkap="L" * 200)
        d["laporan"]["penandatangan"]["nama"] = "N" * 200
        d["narasi"]["penutup"] = ["kata " * (MAX_TEXT_CHARS // 5 - 1) + "akhir", "Tanda & < > \" ' {{ x }} ‘’ “” – — é"]
        ro = node(d, "CQ.6709.QGE.001")
        ro["pagu"] = 10**15
        ro["realisasi"] = 10**15 - 1
        ro["nama"] = "R" * 2000
        stack = list(d["program"])
        while stack:  # parents: figures from the leaves only
            n = stack.pop()
            kids = [c for k in ("kegiatan", "output", "sub_output", "rincian") for c in n.get(k, [])]
            if kids:
                n.pop("pagu", None), n.pop("realisasi", None)
            stack += kids

    path = make_input(mutate)
    report, findings = prepare(path)
    assert not [f for f in findings if f.severity.value == "galat"]
    (result,) = build([path], tmp_path / "out")
    assert result.ok, result.reason
    assert sorted(p.suffix for p in result.destination.iterdir() if not p.name.startswith(".")) == [
        ".docx",
        ".xlsx",
        ".xlsx",
    ]


@pytest.mark.parametrize("command", ["validate", "diff", "new", "import", "build"])
def test_pasted_control_characters_work_in_every_command(make_input, tmp_path, capsys, command):
    text = SAMPLE.read_text(encoding="utf-8").replace("Puji dan", "Puji\x0bdan\x96", 1)
    path = make_input(text=text)
    export = tmp_path / "e.csv"
    export.write_text("Kode;Uraian;Pagu Revisi;Realisasi s.d. Periode\n", encoding="utf-8")
    argv = {
        "validate": ["validate", str(path)],
        "diff": ["diff", str(path), str(path)],
        "new": ["new", str(path), "--year", "2024", "--out", str(tmp_path / "2024.yaml")],
        "import": ["import", str(export), "--into", str(path), "--dry-run"],
        "build": ["build", str(path), "--out", str(tmp_path / "out"), "-q"],
    }[command]
    code = main(argv)
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert "Traceback" not in out and "tak terduga" not in out
    if command == "import":  # loaded, then stopped by the (empty) export, with a message
        assert code == 1 and "JUMLAH SELURUHNYA" in out and "Puji" not in out
    else:
        assert code in (0, 1) and "Puji" not in out  # no error about the paragraph
    if command == "new":
        assert load(tmp_path / "2024.yaml").data.year == 2024
    if command == "build":
        assert code == 0


@pytest.mark.parametrize(
    "text, words",
    [
        ("a: " + "[" * 200_000 + "]" * 200_000 + "\n", ["lebih dari 100 tingkat"]),  # libyaml would crash the process
        (
            "a:\n" + "".join(" " * i + f"b{i}:\n" for i in range(1, 150)) + " " * 150 + "c: 1\n",
            ["lebih dari 100 tingkat"],
        ),
        ("a: !!python/object/apply:os.system [ls]\n", ["tag khusus"]),
        ("a: b: c\n", ["tanda kutip"]),
        ("a:\n\t- b\n", ["tab"]),
        ('a: "x\\q"\n', ["escape"]),
        ("a: 'belum ditutup\n", ["belum ditutup"]),
    ],
)
def test_hostile_or_broken_yaml_gets_a_located_indonesian_message(make_input, text, words):
    (found,) = problems_of(make_input(text=text))
    assert re.search(r"2023\.yaml:\d+: ", found), found
    assert all(w in found for w in words), found
    assert not ENGLISH.search(found.split(": ", 2)[-1]), found


@pytest.mark.parametrize("escape", ["\\uFFFE", "\\uFFFF"])
def test_characters_xml_refuses_are_caught_by_validate(make_input, escape):
    """U+FFFE/U+FFFF written as YAML escapes: the writers refuse them, so validate does too."""
    text = sample_text(make_input).replace("nama: Hendro Sulistyo\n", f'nama: "Hendro{escape}Sulistyo"\n', 1)
    found = problems_of(make_input(text=text))
    assert any("laporan.penandatangan.nama" in p and "tidak dapat dicetak" in p for p in found), found


def test_aliases_to_a_long_paragraph_are_refused_by_validate(make_input):
    """A small file whose aliases repeat a 29,500-character paragraph thousands of times passed
    validate and then failed build after minutes; it is refused at load, with its line."""
    paragraph = "kata " * 5900
    text = sample_text(make_input).replace(
        "  penutup:\n", '  penutup:\n    - &p "' + paragraph + '"\n' + "    - *p\n" * 3000, 1
    )
    (found,) = problems_of(make_input(text=text))
    assert "alias YAML" in found and "mengembang" in found


def test_a_few_aliases_to_text_are_fine(make_input):
    text = sample_text(make_input).replace(
        "  penutup:\n", '  penutup:\n    - &p "' + "kata " * 5900 + '"\n' + "    - *p\n" * 20, 1
    )
    assert load(make_input(text=text)).data.narratives.closing[20].startswith("kata")


def test_a_wrong_status_is_told_in_indonesian(make_input):
    text = sample_text(make_input).replace("status: PNS", "status: pns", 1)
    (found,) = problems_of(make_input(text=text))
    assert "'PNS' atau 'PPNPN'" in found and " or " not in found


def test_diff_says_what_it_misread(tmp_path, capsys):
    """An octal-looking figure is compared as decimal only after saying so (never silently)."""
    changed = tmp_path / "2023.yaml"
    changed.write_text(
        SAMPLE.read_text(encoding="utf-8").replace("pagu: 852312000", "pagu: 0852312000", 1), encoding="utf-8"
    )
    main(["diff", str(SAMPLE), str(changed)])
    err = capsys.readouterr().err
    assert "0852312000 diawali angka 0" in err and f"{changed}:" in err


def test_new_with_a_date_at_the_calendars_end(tmp_path, capsys):
    text = SAMPLE.read_text(encoding="utf-8").replace("tanggal: 2024-01-31", "tanggal: 9999-12-31", 1)
    old = tmp_path / "2023.yaml"
    old.write_text(text, encoding="utf-8")
    assert main(["new", str(old), "--year", "2024", "--out", str(tmp_path / "2024.yaml")]) != 0
    err = capsys.readouterr().err
    assert "9999-12-31" in err and "tak terduga" not in err and "Traceback" not in err
    assert not (tmp_path / "2024.yaml").exists()
