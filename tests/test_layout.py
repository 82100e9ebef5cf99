"""What a strict reviewer at KPU RI looks at: headings a rebuilt TOC can copy, lead-ins and
captions kept with their tables, one indentation rule, numbers that never break at their
hyphens, the signature block, the DAFTAR TABEL, and the pages themselves (through LibreOffice)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from docx import Document
from docx.shared import Cm, Length

from kpu_docs.publish.build import build
from kpu_docs.render.docx.typography import BREAK_OPPORTUNITY, NO_BREAK_HYPHEN, prose

from .conftest import program, soffice_available

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
STEP = Cm(0.75)


def tw(length) -> int:
    """A length in twips, as Word stores it."""
    return Length(length or 0).twips


@pytest.fixture(scope="module")
def doc(sample_docx):
    return Document(str(sample_docx))


def effective(paragraph, attribute: str):
    """A paragraph-format value, from the paragraph or else from its style chain."""
    value = getattr(paragraph.paragraph_format, attribute)
    style = paragraph.style
    while value is None and style is not None:
        value = getattr(style.paragraph_format, attribute)
        style = style.base_style
    return value


def test_headings_are_plain_text_a_rebuilt_toc_can_copy(doc):
    headings = [p for p in doc.paragraphs if p.style.name in ("Heading 1", "Heading 2")]
    texts = [p.text for p in headings]
    assert "BAB I PENDAHULUAN" in texts and "BAB III CAPAIAN PRIORITAS" in texts
    assert "A. Struktur Organisasi" in texts and "B. Program dan Anggaran" in texts
    for p in headings:
        assert p._p.find(f".//{W}br") is None and p._p.find(f".//{W}tab") is None, p.text
        assert "\t" not in p.text and "\n" not in p.text
    # what the cached TOC shows is exactly the heading's text
    toc = [p.text.rsplit("\t", 1)[0] for p in doc.paragraphs if p.style.name == "TOC 1" and p.text]
    assert "BAB I PENDAHULUAN" in toc and "BAB IV PENUTUP" in toc


def test_lead_ins_captions_and_tables_keep_with_next(doc):
    lead_ins = [p for p in doc.paragraphs if p.text.rstrip().endswith(("berikut:", "terdiri atas:", "yaitu:"))]
    assert len(lead_ins) > 20
    for p in lead_ins:
        assert effective(p, "keep_with_next"), p.text[-60:]
    captions = [p for p in doc.paragraphs if p.style.name == "Keterangan Tabel"]
    assert [c.text[:8] for c in captions] == ["Tabel 1.", "Tabel 2.", "Tabel 3."]
    for caption in captions:
        assert effective(caption, "keep_with_next")
    for table in doc.tables:
        for row in table.rows[:-1]:
            assert all(effective(p, "keep_with_next") for cell in row.cells for p in cell.paragraphs)


def test_no_column_is_wide_enough_for_its_header(doc):
    for table in doc.tables:
        grid = table._tbl.tblGrid.findall(f"{W}gridCol")
        assert table.rows[0].cells[0].text == "No."
        assert int(grid[0].get(f"{W}w")) >= Cm(1.1).twips  # "No." in 10 pt bold plus cell margins
        assert len(table._tbl.tblPr.findall(f"{W}tblLayout")) == 1


def test_one_indentation_rule_at_every_level(doc):
    """A. (0) → 1. (1) → a. (2) → 1) (3): a label at d steps, its text and body at d + 1."""
    styles = doc.styles
    assert tw(styles["Heading 2"].paragraph_format.left_indent) == 0
    for level in (1, 2, 3):
        pf = styles[f"Rincian {level}"].paragraph_format
        assert tw(pf.left_indent) == tw(STEP * (level + 1)) and tw(pf.first_line_indent) == -tw(STEP)
        assert tw(styles[f"Isi {level + 1}"].paragraph_format.left_indent) == tw(STEP * (level + 1))
    assert tw(styles["Isi 1"].paragraph_format.left_indent) == tw(STEP)
    # in BAB III a programme (A.) and its kegiatan (1.) no longer sit at the same indent
    paragraphs = doc.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text == "BAB III CAPAIAN PRIORITAS")
    program_heading = next(p for p in paragraphs[start:] if p.style.name == "Heading 2")
    kegiatan = next(p for p in paragraphs[start:] if p.style.name == "Rincian 1")
    assert kegiatan.text.startswith("1.\t")
    assert tw(effective(kegiatan, "left_indent")) + tw(effective(kegiatan, "first_line_indent")) == tw(STEP)
    assert tw(effective(program_heading, "left_indent")) == 0
    # BAB II A: subbagian are numbered items (1.) under A., at the same level as BAB II B's programmes
    org = [p for p in paragraphs if p.style.name == "Rincian 1" and "Subbagian" in p.text]
    assert org and all(re.match(r"\d+\.\t", p.text) for p in org)


def test_numbers_never_break_at_hyphens_and_slashes_may_break():
    text = prose("Surat Nomor 3203/PR.03-SD/01/2023 tanggal\n13 Desember 2023 tentang Provinsi/Kabupaten/Kota")
    assert "3203/" + BREAK_OPPORTUNITY + "PR.03" + NO_BREAK_HYPHEN + "SD/" in text
    assert "tanggal 13 Desember" in text  # the paragraph's own line break joined
    assert "Provinsi/" + BREAK_OPPORTUNITY + "Kabupaten" in text
    assert prose("pra-pemilu 2023-2024") == "pra-pemilu 2023-2024"  # ordinary hyphens stay
    assert prose("lihat https://jdih.kpu.go.id/a-b") == "lihat https://jdih.kpu.go.id/a-b"


def test_letter_number_uses_word_no_break_hyphens(doc):
    foreword = next(p for p in doc.paragraphs if "Sekretaris Jenderal" in p.text and "Nomor" in p.text)
    assert foreword._p.findall(f".//{W}noBreakHyphen")
    assert "PR.03" in foreword.text and "PR.03-SD" not in "".join(t.text for t in foreword._p.iter(f"{W}t"))
    assert "\n" not in foreword.text


def test_narrative_line_breaks_are_joined(make_input, tmp_path):
    def mutate(d):
        d["narasi"]["penutup"] = ["Baris pertama\nbaris kedua dari\nparagraf yang sama."]

    (result,) = build([make_input(mutate)], tmp_path / "out")
    docx = Document(str(next(result.destination.glob("*.docx"))))
    closing = next(p for p in docx.paragraphs if p.text.startswith("Baris pertama"))
    assert closing.text == "Baris pertama baris kedua dari paragraf yang sama."
    assert closing._p.find(f".//{W}br") is None


def test_a_name_with_its_level_word_is_not_doubled(make_input, tmp_path):
    def mutate(d):
        program(d, "076.01.WA")["nama"] = "Program Dukungan Manajemen"

    (result,) = build([make_input(mutate)], tmp_path / "out")
    text = "\n".join(p.text for p in Document(str(next(result.destination.glob("*.docx")))).paragraphs)
    assert "Program Program" not in text
    assert "Program Dukungan Manajemen (076.01.WA)" in text


def test_signature_block_has_room_and_the_nip(make_input, tmp_path, doc):
    space = next(p for p in doc.paragraphs if p.style.name == "Ruang Tanda Tangan")
    assert effective(space, "line_spacing").pt >= 70  # room for a signature and a stamp
    assert not [p for p in doc.paragraphs if p.text.startswith("NIP")]  # the sample gives none

    def mutate(d):
        d["laporan"]["penandatangan"]["nip"] = "198001012005011001"

    (result,) = build([make_input(mutate)], tmp_path / "out")
    paragraphs = Document(str(next(result.destination.glob("*.docx")))).paragraphs
    name = next(i for i, p in enumerate(paragraphs) if p.text == "Hendro Sulistyo" and p.style.name == "Tanda Tangan")
    assert paragraphs[name + 1].text == "NIP 198001012005011001"


def test_daftar_tabel_follows_daftar_isi_and_names_the_annex(doc, sample_docx):
    texts = [p.text for p in doc.paragraphs]
    assert texts.index("DAFTAR TABEL") > texts.index("DAFTAR ISI")
    instr = [t.text for t in doc.element.body.iter(f"{W}instrText") if t.text and "TOC" in t.text]
    assert len(instr) == 2 and '\\t "Keterangan Tabel,1"' in instr[1]
    start = texts.index("DAFTAR TABEL")
    listed = [t for t in texts[start + 1 : start + 5] if t.startswith("Tabel")]
    assert [t[:8] for t in listed] == ["Tabel 1.", "Tabel 2.", "Tabel 3."]
    assert "dilampirkan dalam berkas Excel lampiran-2023-kpu-kota-serang.xlsx" in " ".join(texts)


# --- the pages, as LibreOffice lays them out --------------------------------------------------


@pytest.fixture(scope="module")
def pages(tmp_path_factory, sample_path):
    if not soffice_available() or not shutil.which("pdftotext"):
        pytest.skip("LibreOffice and pdftotext (poppler-utils) are needed")
    (result,) = build([sample_path], tmp_path_factory.mktemp("layout"), pdf=True)
    assert result.ok, result.reason
    pdf = next(result.destination.glob("*.pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [p for p in text.split("\f") if p.strip()]


@pytest.mark.libreoffice
def test_pages_have_no_stranded_lead_in_and_no_wrapped_no(pages):
    for number, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        body = lines[:-1] if re.fullmatch(r"[ivx]+|\d+", lines[-1]) else lines
        assert not body[-1].endswith(("berikut:", "terdiri atas:", "yaitu:")), (number, body[-1])
        assert not re.search(r"^\s*No\s*$", page, re.M), number  # "No." never wraps to "No" / "."


@pytest.mark.libreoffice
def test_back_page_has_no_page_number_and_daftar_tabel_is_numbered(pages):
    last = [line.strip() for line in pages[-1].splitlines() if line.strip()]
    assert "KOMISI PEMILIHAN UMUM" in last and not re.fullmatch(r"\d+", last[-1])
    tables = next(p for p in pages if p.strip().startswith("DAFTAR TABEL"))
    listed, current = {}, None
    for line in tables.splitlines():  # an entry may wrap: its number ends its last line
        start = re.match(r"\s*(Tabel \d+)\.", line)
        current = start.group(1) if start else current
        end = re.search(r"\.{3,}\s*(\d+)\s*$", line)
        if end and current:
            listed[current] = end.group(1)
    assert set(listed) >= {"Tabel 1", "Tabel 3"}
    for label, number in listed.items():  # each number is the one printed on the caption's page
        page = next(p for p in pages if not p.strip().startswith("DAFTAR") and re.search(rf"^\s*{label}\. ", p, re.M))
        assert page.strip().split()[-1] == number, label
