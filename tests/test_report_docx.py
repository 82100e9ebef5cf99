"""The Word report: content, structure and layout of the sample, read back with python-docx."""

from __future__ import annotations

import re
import zipfile

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from kpu_docs.figures.derive import derive
from kpu_docs.formatting import amount, percent_number
from kpu_docs.input.load import load


@pytest.fixture(scope="module")
def doc(sample_docx):
    return Document(str(sample_docx))


@pytest.fixture(scope="module")
def body_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def bab3(doc) -> list:
    """The paragraphs of BAB III."""
    paragraphs = doc.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.style.name == "Heading 1" and p.text.startswith("BAB III"))
    end = next(i for i, p in enumerate(paragraphs) if p.style.name == "Heading 1" and p.text.startswith("BAB IV"))
    return paragraphs[start:end]


@pytest.fixture(scope="module")
def report(sample_path):
    return derive(load(sample_path))


def test_no_template_tag_survives(sample_docx):
    with zipfile.ZipFile(sample_docx) as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                xml = z.read(name).decode("utf-8")
                text = re.sub(r"<[^>]+>", "", xml)
                assert "{{" not in text and "{%" not in text and "}}" not in text, name


def test_chapters_in_order_with_heading_styles(doc):
    h1 = [" ".join(p.text.split()) for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert h1 == [
        "KATA PENGANTAR",
        "BAB I PENDAHULUAN",
        "BAB II STRUKTUR ORGANISASI",
        "BAB III CAPAIAN PRIORITAS",
        "BAB IV PENUTUP",
    ]
    h2 = [" ".join(p.text.split()) for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert h2 == [
        "A. Struktur Organisasi",
        "B. Program dan Anggaran",
        "A. Program Penyelenggaraan Pemilu dalam Proses Konsolidasi Demokrasi (076.01.CQ)",
        "B. Program Dukungan Manajemen (076.01.WA)",
    ]


def test_seed_typing_errors_cannot_appear(body_text):
    assert "18.985.000" not in body_text  # CQ.6710's pagu mistyped in the source's table
    assert "4 (empat) Kegiatan" not in body_text  # WA has three kegiatan
    assert "3 (satu)" not in body_text
    assert "2.170.936.000" not in body_text  # WA's pagu from an earlier revision
    assert "Rp." not in body_text  # "Rp18.256.293.000", never "Rp. 18.256.293.000"
    assert not re.search(r"\d\.\d\d%", body_text)  # decimal comma, never point


def test_counts_are_derived(body_text):
    assert "yang terdiri dari 10 (sepuluh) Kegiatan, yaitu sebagai berikut:" in body_text
    assert "yang terdiri dari 3 (tiga) Kegiatan, yaitu sebagai berikut:" in body_text
    assert "2 (dua) Output Kegiatan" in body_text  # CQ.6709: QGE and RAN
    assert "5 (lima) Sub. Output Kegiatan" in body_text  # CQ.6709.QGE
    assert "dibantu oleh 4 (empat) orang Kepala Subbagian" in body_text
    assert "PPNPN (Tenaga Administrasi) sebanyak 2 (dua) orang: Ahmad Rojikin dan Amalia Khoirunnisa." in body_text
    assert "terdiri dari 2 (dua) Program" in body_text


def test_bab3_sentences_carry_the_derived_figures(bab3, report):
    paragraphs = [p.text for p in bab3]
    for line in report.lines():
        f = line.figures
        title = next(i for i, t in enumerate(paragraphs) if t.endswith(f"({line.code})") and line.name in t)
        sentence = paragraphs[title + 1]
        assert sentence.startswith(
            f"Alokasi anggarannya sebesar Rp{amount(f.pagu)}, dengan realisasi sebesar "
            f"Rp{amount(f.realisasi)} atau sebesar {percent_number(f.ratio)}%"
        ), line.code
    cq6889 = next(i for i, t in enumerate(paragraphs) if t.endswith("(CQ.6889.QGE)"))
    assert "3 (tiga) Sub. Output Kegiatan" in paragraphs[cq6889 + 1]
    ro = next(i for i, t in enumerate(paragraphs) if t.endswith("(CQ.6889.QGE.001)"))
    assert "atau sebesar 99,16%." in paragraphs[ro + 1]  # the source wrote 99.37%


def test_bab3_numbering_per_level(bab3):
    styled = [(p.style.name, p.text.split("\t")[0]) for p in bab3 if p.style.name.startswith("Rincian")]
    kegiatan = [label for style, label in styled if style == "Rincian 1" and label[:-1].isdigit()]
    assert kegiatan[:10] == [f"{i}." for i in range(1, 11)]
    assert ("Rincian 2", "a.") in styled and ("Rincian 2", "b.") in styled
    assert ("Rincian 3", "1)") in styled and ("Rincian 3", "5)") in styled


def test_narratives_under_their_sub_output(bab3, sample_data):
    paragraphs = [p.text for p in bab3]
    ro = next(i for i, t in enumerate(paragraphs) if t.endswith("(WA.6634.EBA.963)"))
    from .conftest import node

    assert paragraphs[ro + 2] == node(sample_data, "WA.6634.EBA.963")["narasi"][0]


def test_program_tables(doc, report):
    summary, cq_table, wa_table = doc.tables
    assert [c.text for c in summary.rows[0].cells] == ["No.", "Program", "Pagu (Rp)", "Realisasi (Rp)", "%"]
    assert [c.text for c in cq_table.rows[0].cells] == ["No.", "Uraian", "Pagu (Rp)", "Realisasi (Rp)", "%"]
    cq = report.programs[0]
    rows = cq_table.rows[1:-1]
    assert len(rows) == 10
    for row, k in zip(rows, cq.children):
        cells = [c.text for c in row.cells]
        assert cells == [
            cells[0],
            k.name,
            amount(k.figures.pagu),
            amount(k.figures.realisasi),
            percent_number(k.figures.ratio),
        ]
    assert rows[1].cells[2].text == "18.885.000"
    total = [c.text for c in cq_table.rows[-1].cells]
    assert total[1:] == ["Jumlah", "18.256.293.000", "18.168.826.339", "99,52"]
    assert all(r.bold for r in cq_table.rows[-1].cells[2].paragraphs[0].runs)
    assert [c.text for c in wa_table.rows[-1].cells][2:] == ["2.159.443.000", "2.158.035.549", "99,93"]
    assert [c.text for c in summary.rows[-1].cells][2:] == ["20.415.736.000", "20.326.861.888", "99,56"]


def test_amounts_right_aligned_and_rows_kept_whole(doc):
    table = doc.tables[1]
    for row in table.rows[1:]:
        for cell in row.cells[2:]:
            style = cell.paragraphs[0].style
            assert style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    for row in table.rows:
        assert row._tr.trPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}cantSplit") is not None
    header = table.rows[0]._tr.trPr
    assert header.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader") is not None


def test_page_setup(doc):
    for section in doc.sections:
        size = (section.page_width, section.page_height)
        margins = (section.left_margin, section.top_margin, section.right_margin, section.bottom_margin)
        assert [round(x.cm, 2) for x in size] == [21.0, 29.7]  # A4 portrait
        assert [round(x.cm, 2) for x in margins] == [4.0, 3.0, 3.0, 3.0]
    normal = doc.styles["Normal"]
    assert normal.font.name == "Arial"
    assert normal.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert normal.paragraph_format.line_spacing == 1.5


def test_page_numbers_roman_then_arabic(doc):
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    formats = []
    for section in doc.sections:
        pg = section._sectPr.find(f"{ns}pgNumType")
        formats.append(pg.get(f"{ns}fmt") if pg is not None else None)
        instr = "".join(t.text or "" for t in section.footer._element.iter(f"{ns}instrText"))
        assert ("PAGE" in instr) == (pg is not None)
    assert formats == [None, "lowerRoman", "decimal", None]  # cover and back page carry no number
    breaks = [p for p in doc.element.body.iterchildren(f"{ns}p") if p.find(f"{ns}pPr/{ns}sectPr") is not None]
    back = [p for p in breaks[-1].itersiblings() if p.tag == f"{ns}p"]
    back_text = " ".join("".join(t.text or "" for t in p.iter(f"{ns}t")) for p in back)
    assert "KOMISI PEMILIHAN UMUM" in back_text and "Alokasi" not in back_text  # the back page only


def test_toc_is_a_real_field_listing_the_headings(doc):
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    body = doc.element.body
    instr = [t.text for t in body.iter(f"{ns}instrText") if t.text and "TOC" in t.text]
    assert instr and '\\o "1-2"' in instr[0]
    toc = [p.text for p in doc.paragraphs if p.style.name.startswith("TOC")]
    assert toc[:3] == ["KATA PENGANTAR", "BAB I PENDAHULUAN", "BAB II STRUKTUR ORGANISASI"]


def test_signature_block(doc):
    texts = [p.text for p in doc.paragraphs if p.style.name == "Tanda Tangan" and p.text]
    assert texts[:3] == ["Serang, 31 Januari 2024", "Sekretaris", "Hendro Sulistyo"]


def test_document_properties(doc):
    props = doc.core_properties
    assert props.title == "Laporan Tahunan 2023 Komisi Pemilihan Umum Kota Serang"
    assert props.author == "Komisi Pemilihan Umum Kota Serang"
    assert props.language == "id-ID"
    assert props.created.date().isoformat() == "2024-01-31"


def test_logo_and_closing_images_from_the_input(make_input, tmp_path):
    import shutil

    from kpu_docs.publish.build import build
    from kpu_docs.render.docx.templating import resource

    def mutate(d):
        d["satker"]["logo"] = "logo.png"
        d["gambar_penutup"] = [
            {"berkas": "sura.png", "keterangan": "SURA (Suara Rakyat): maskot laki-laki"},
            {"berkas": "sulu.png", "keterangan": "SULU (Suara Pemilu): maskot perempuan"},
        ]

    path = make_input(mutate)
    for name in ("logo.png", "sura.png", "sulu.png"):
        shutil.copyfile(resource("logo_netral.png"), path.parent / name)
    (result,) = build([path], tmp_path / "out")
    assert result.ok, result.reason
    docx = next(result.destination.glob("*.docx"))
    with zipfile.ZipFile(docx) as z:
        xml = z.read("word/document.xml").decode()
    assert xml.count("<pic:pic") == 3
    texts = [p.text for p in Document(str(docx)).paragraphs]
    assert "SURA (Suara Rakyat): maskot laki-laki" in texts and "SUARA RAKYAT, SUARA PEMILU" in texts


def test_each_chapter_starts_a_new_page(doc):
    assert doc.styles["Heading 1"].paragraph_format.page_break_before


def test_the_styles_are_read_once_per_report(sample_path, tmp_path, monkeypatch):
    """The headings, the TOC levels and the DAFTAR TABEL all need the style ids: read once."""
    from kpu_docs.render.docx import toc
    from kpu_docs.render.docx.report_docx import render_docx

    read = []
    real = toc._style_name
    monkeypatch.setattr(toc, "_style_name", lambda style: read.append(style) or real(style))
    report = derive(load(sample_path))
    render_docx(report, tmp_path / "a.docx")
    with zipfile.ZipFile(tmp_path / "a.docx") as z:
        styles = z.read("word/styles.xml").decode().count("<w:style ")
    assert len(read) == styles > 100
