"""Regenerate the default Word template, ``templates/laporan_tahunan.docx``.

The .docx is the artifact users open and restyle in Word or LibreOffice; this script
only exists so that the default can be rebuilt reproducibly. Run from the repository:

    python tools/make_template.py
"""

from __future__ import annotations

import datetime as dt
import math
import struct
import zlib
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from kpu_docs.render.zipping import save_docx
from kpu_docs.vocabulary import CHAPTERS, NARRATIVE

HEADING = dict(CHAPTERS)  # chapter key → its heading (vocabulary.CHAPTERS)

ROOT = Path(__file__).resolve().parent.parent
FONT = "Arial"  # in Word; LibreOffice substitutes the metric-compatible Liberation Sans
TEXT_WIDTH = Cm(21.0 - 4 - 3)
STEP = Cm(0.75)  # indentation per hierarchy level


# --- low-level XML helpers ----------------------------------------------------------------------


def _set(parent, tag: str, **attrs):
    """Get or create child ``tag`` of ``parent`` and set its w: attributes."""
    el = parent.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        parent.append(el)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), str(value))
    return el


def _fonts(rpr, name: str = FONT) -> None:
    _set(rpr, "w:rFonts", ascii=name, hAnsi=name, eastAsia=name, cs=name)


def _field(paragraph, instr: str, placeholder: str = "") -> None:
    """A complex field (PAGE, TOC …) with a cached result."""
    for kind, text in (("begin", None), ("instr", instr), ("separate", None), ("text", placeholder), ("end", None)):
        run = paragraph.add_run()
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {text} "
            run._r.append(el)
        elif kind == "text":
            if text:
                run.text = text
        else:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)


# --- styles ---------------------------------------------------------------------------------------


def _paragraph_style(
    doc,
    name,
    base="Normal",
    *,
    size=None,
    bold=None,
    align=None,
    left=None,
    first=None,
    before=None,
    after=None,
    spacing=None,
    keep_next=False,
    tabs=(),
):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if base and style.name != base:
        style.base_style = styles[base]
    font = style.font
    if size:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    font.color.rgb = RGBColor(0, 0, 0)
    font.italic = False
    pf = style.paragraph_format
    if align is not None:
        pf.alignment = align
    if left is not None:
        pf.left_indent = left
    if first is not None:
        pf.first_line_indent = first
    if before is not None:
        pf.space_before = Pt(before)
    if after is not None:
        pf.space_after = Pt(after)
    if spacing is not None:
        pf.line_spacing_rule = spacing
    if keep_next:
        pf.keep_with_next = True
    for pos in tabs:
        pf.tab_stops.add_tab_stop(pos)
    style.quick_style = True
    return style


def setup_styles(doc) -> None:
    styles = doc.styles
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr_default)
    _set(rpr_default, "w:lang", val="id-ID", eastAsia="id-ID", bidi="ar-SA")

    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(12)
    _fonts(normal.element.get_or_add_rPr())
    npf = normal.paragraph_format
    npf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    npf.line_spacing_rule = WD_LINE_SPACING.ONE_POINT_FIVE
    npf.space_before = Pt(0)
    npf.space_after = Pt(6)
    npf.widow_control = True

    for level, size in ((1, 14), (2, 12), (3, 12)):
        style = styles[f"Heading {level}"]
        style.base_style = normal
        _fonts(style.element.get_or_add_rPr())
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        rpr = style.element.get_or_add_rPr()
        for theme_attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            rpr.find(qn("w:rFonts")).attrib.pop(qn(theme_attr), None)
        pf = style.paragraph_format
        pf.keep_with_next = True
        pf.line_spacing_rule = WD_LINE_SPACING.ONE_POINT_FIVE
        if level == 1:
            pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
            pf.page_break_before = True
            pf.space_before = Pt(0)
            pf.space_after = Pt(24)
            style.font.all_caps = True
        else:
            pf.alignment = WD_ALIGN_PARAGRAPH.LEFT
            pf.space_before = Pt(12)
            pf.space_after = Pt(6)
            pf.left_indent = Cm(0)
            pf.first_line_indent = Cm(0)

    _paragraph_style(doc, "Paragraf", first=Cm(1.25))
    _paragraph_style(doc, "Sampul Judul", size=22, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
    _paragraph_style(
        doc,
        "Sampul Instansi",
        size=16,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        after=0,
        spacing=WD_LINE_SPACING.SINGLE,
    )
    # The page break belongs to the style: LibreOffice, re-saving a template, turns a paragraph's own
    # "page break before" into a break at the end of the paragraph above, which may be a {%p %} tag.
    _paragraph_style(
        doc, "Judul Daftar Isi", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=24
    ).paragraph_format.page_break_before = True
    _paragraph_style(
        doc,
        "Tanda Tangan",
        align=WD_ALIGN_PARAGRAPH.CENTER,
        left=Cm(7.0),
        after=0,
        spacing=WD_LINE_SPACING.SINGLE,
        keep_next=True,
    )
    # Room to sign and stamp: about 3 cm between the title and the name.
    _paragraph_style(
        doc, "Ruang Tanda Tangan", base="Tanda Tangan", before=0, after=0
    ).paragraph_format.line_spacing = Pt(85)
    _paragraph_style(doc, "Slogan", size=20, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, before=120, after=24)
    _paragraph_style(doc, "Gambar", align=WD_ALIGN_PARAGRAPH.CENTER, after=0, keep_next=True)
    _paragraph_style(doc, "Keterangan Gambar", size=11, align=WD_ALIGN_PARAGRAPH.CENTER, after=18)
    # One indentation rule for every list (BAB II A and B, BAB III): a label at level d
    # (A. = 0, 1. = 1, a. = 2, 1) = 3) starts at d steps, its text and body at d + 1 steps;
    # a bullet hangs from the body text of its item.
    for level in (1, 2, 3):
        text = STEP * (level + 1)
        _paragraph_style(
            doc,
            f"Rincian {level}",
            bold=True,
            align=WD_ALIGN_PARAGRAPH.LEFT,
            left=text,
            first=-STEP,
            before=6,
            keep_next=True,
            tabs=(text,),
        )
    for level in (1, 2, 3, 4):
        _paragraph_style(doc, f"Isi {level}", left=STEP * level)
        # A lead-in ("… sebagai berikut:") never stays behind at the foot of a page.
        _paragraph_style(doc, f"Pengantar {level}", base=f"Isi {level}", keep_next=True)
    _paragraph_style(doc, "Subjudul", bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, left=STEP, before=6, keep_next=True)
    _paragraph_style(doc, "Butir", left=STEP * 2 + Cm(0.5), first=-Cm(0.5), tabs=(STEP * 2 + Cm(0.5),), after=0)
    _paragraph_style(
        doc,
        "Keterangan Tabel",
        size=11,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        before=6,
        after=6,
        keep_next=True,
        spacing=WD_LINE_SPACING.SINGLE,
    )
    # keep_next in every row keeps a table on one page, with its caption and lead-in, when it fits.
    _paragraph_style(
        doc,
        "Tabel Teks",
        size=10,
        align=WD_ALIGN_PARAGRAPH.LEFT,
        after=0,
        spacing=WD_LINE_SPACING.SINGLE,
        keep_next=True,
    )
    _paragraph_style(doc, "Tabel Angka", base="Tabel Teks", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph_style(doc, "Tabel Kepala", base="Tabel Teks", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for level in (1, 2):
        # Wrapped lines indented further (a hanging indent).
        style = _paragraph_style(
            doc,
            f"TOC {level}",
            align=WD_ALIGN_PARAGRAPH.LEFT,
            left=STEP * level,
            after=3,
            first=-STEP,
            spacing=WD_LINE_SPACING.SINGLE,
        )
        tabs = style.paragraph_format.tab_stops
        tabs.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT, leader=1)  # dotted leader
    _paragraph_style(doc, "Kaki Halaman", base="Footer", align=WD_ALIGN_PARAGRAPH.CENTER, size=11)


# --- page setup -----------------------------------------------------------------------------------


def setup_section(section, number_format: str | None) -> None:
    """A4 portrait, official margins (left 4 cm, others 3 cm); page numbers in the footer."""
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin, section.top_margin = Cm(4), Cm(3)
    section.right_margin, section.bottom_margin = Cm(3), Cm(3)
    section.header_distance, section.footer_distance = Cm(1.25), Cm(1.5)
    section.footer.is_linked_to_previous = False
    section.header.is_linked_to_previous = False
    footer = section.footer.paragraphs[0]
    for run in list(footer.runs):
        run._r.getparent().remove(run._r)
    for inherited in section._sectPr.findall(qn("w:pgNumType")):  # add_section copies the previous one
        section._sectPr.remove(inherited)
    if number_format:
        footer.style = "Kaki Halaman"
        _field(footer, "PAGE", "1")
        page_numbers = OxmlElement("w:pgNumType")
        page_numbers.set(qn("w:fmt"), number_format)
        page_numbers.set(qn("w:start"), "1")
        cols = section._sectPr.find(qn("w:cols"))  # CT_SectPr is a sequence: pgNumType precedes cols
        cols.addprevious(page_numbers) if cols is not None else section._sectPr.append(page_numbers)


def new_section(doc, number_format: str | None):
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    setup_section(section, number_format)
    return section


# --- content --------------------------------------------------------------------------------------


def para(doc, text: str = "", style: str = "Paragraf", *, bold: bool = False, underline: bool = False):
    p = doc.add_paragraph(style=style)
    if text:
        run = p.add_run(text)
        run.bold = bold or None
        run.underline = underline or None
    return p


def loop(doc, head: str, body, end: str = "{%p endfor %}") -> None:
    para(doc, f"{{%p {head} %}}", "Normal")
    body()
    para(doc, end, "Normal")


def chapter(doc, number: str, title: str) -> None:
    """``BAB I PENDAHULUAN``: one line of plain text, no manual break or tab, so that a table
    of contents rebuilt by Word reads the same and keeps its dot leaders."""
    doc.add_paragraph(f"BAB {number} {title}", style="Heading 1")


def cover(doc) -> None:
    for _ in range(2):
        para(doc, "", "Sampul Judul")
    para(doc, "LAPORAN TAHUNAN", "Sampul Judul")
    para(doc, "{{ year }}", "Sampul Judul")
    p = para(doc, "{{ logo }}", "Gambar")
    p.paragraph_format.space_before = Pt(72)
    p.paragraph_format.space_after = Pt(96)
    para(doc, "KOMISI PEMILIHAN UMUM", "Sampul Instansi")
    para(doc, "{{ office.area_upper }}", "Sampul Instansi")


def signature(doc) -> None:
    p = para(doc, "{{ place }}, {{ date }}", "Tanda Tangan")
    p.paragraph_format.space_before = Pt(18)
    para(doc, "{{ signatory.title }}", "Tanda Tangan")
    para(doc, "", "Ruang Tanda Tangan")
    para(doc, "{{ signatory.name }}", "Tanda Tangan", bold=True, underline=True)
    loop(doc, "if signatory.nip", lambda: para(doc, "NIP {{ signatory.nip }}", "Tanda Tangan"), "{%p endif %}")


def front_matter(doc) -> None:
    foreword = NARRATIVE["kata_pengantar"]
    p = doc.add_paragraph(foreword.heading, style="Heading 1")
    p.paragraph_format.page_break_before = False
    loop(doc, f"for p in {foreword.attribute}", lambda: para(doc, "{{ p }}"))
    signatures(doc, lambda: signature(doc))
    # e.g. a Ringkasan (Ikhtisar) Eksekutif: after the foreword, before the lists. Not at the end of
    # this section: LibreOffice moves a section break into the last paragraph, which must survive rendering.
    added_chapters(doc, "extra.front")
    para(doc, "DAFTAR ISI", "Judul Daftar Isi")
    toc = para(doc, "", "TOC 1")
    _field(toc, 'TOC \\o "1-2" \\h \\z \\u', "Daftar isi diisi saat laporan dibuat.")
    # The tables' captions, gathered by style; kpu-docs writes the entries (see table_list.py).
    para(doc, "DAFTAR TABEL", "Judul Daftar Isi")
    tables = para(doc, "", "TOC 1")
    _field(tables, 'TOC \\h \\z \\t "Keterangan Tabel,1"', "Daftar tabel diisi saat laporan dibuat.")


def _cell(cell, text: str, style: str, bold: bool = False) -> None:
    p = cell.paragraphs[0]
    p.style = style
    if text:
        run = p.add_run(text)
        run.bold = bold or None


def _shade(cell, fill: str = "D9D9D9") -> None:
    _set(cell._tc.get_or_add_tcPr(), "w:shd", val="clear", color="auto", fill=fill)


def budget_table(doc, rows_expr: str, item: str, total: str, first_header: str = "Uraian") -> None:
    """Header | loop rows | total; header repeats on each page, rows never split."""
    widths = (Cm(1.1), Cm(5.3), Cm(3.0), Cm(3.0), Cm(1.6))  # 1.1 cm: "No." never wraps
    table = doc.add_table(rows=5, cols=5)
    _grid(table, widths)
    assert len(table._tbl.tblPr.findall(qn("w:tblLayout"))) == 1  # autofit = False wrote it: exactly one
    header, start, body, end, total_row = table.rows
    _set(header._tr.get_or_add_trPr(), "w:tblHeader")
    for cell, text in zip(header.cells, ("No.", first_header, "Pagu (Rp)", "Realisasi (Rp)", "%")):
        _cell(cell, text, "Tabel Kepala")
        _shade(cell)
    _cell(start.cells[0], f"{{%tr for {item} in {rows_expr} %}}", "Tabel Teks")
    cells = body.cells
    _cell(cells[0], f"{{{{ {item}.label }}}}", "Tabel Teks")
    _cell(cells[1], f"{{{{ {item}.name }}}}", "Tabel Teks")
    for cell, key in zip(cells[2:], ("pagu", "realisasi", "persen")):
        _cell(cell, f"{{{{ {item}.{key} }}}}", "Tabel Angka")
    _cell(end.cells[0], "{%tr endfor %}", "Tabel Teks")
    tcells = total_row.cells
    merged = tcells[0].merge(tcells[1])
    _cell(merged, "Jumlah", "Tabel Kepala", bold=True)
    for cell, key in zip(tcells[2:], ("pagu", "realisasi", "persen")):
        _cell(cell, f"{{{{ {total}.{key} }}}}", "Tabel Angka", bold=True)
        _shade(cell, "F2F2F2")
    _shade(merged, "F2F2F2")
    para(doc, "{% if data_source %}Sumber data: {{ data_source }}{% endif %}", "Normal")  # from kpu-docs import


# --- blocks an input may add (issue 14): sections, tables, indicators, grants, signatories -------


def setup_block_styles(doc) -> None:
    """Styles of the optional blocks: a signature column (two signatories side by side), bullets
    under a Subbagian inside a Bagian."""
    _paragraph_style(doc, "Tanda Tangan Kolom", base="Tanda Tangan", left=Cm(0))
    # the indicator table has up to eight columns: 9 pt keeps "Realisasi" and "Capaian" whole
    _paragraph_style(doc, "Tabel Kecil Teks", base="Tabel Teks", size=9)
    _paragraph_style(doc, "Tabel Kecil Angka", base="Tabel Angka", size=9)
    _paragraph_style(doc, "Tabel Kecil Kepala", base="Tabel Kepala", size=9)
    _paragraph_style(doc, "Butir 3", base="Butir", left=STEP * 3 + Cm(0.5), first=-Cm(0.5), tabs=(STEP * 3 + Cm(0.5),))


def _bold_lead(doc, lead: str, text: str, style: str):
    """A paragraph starting with a bold lead-in ("Kendala: …")."""
    p = doc.add_paragraph(style=style)
    p.add_run(lead).bold = True
    p.add_run(text)
    return p


def _grid(table, widths) -> None:
    """Fixed column widths, rows that never split."""
    table.style = table.part.document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for row in table.rows:
        _set(row._tr.get_or_add_trPr(), "w:cantSplit")
        for cell, width in zip(row.cells, widths):
            cell.width = width
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths):
        col.set(qn("w:w"), str(width.twips))


def input_table(doc, expr: str) -> None:
    """A table written in the input (see ``context._table``): its columns looped with ``{%tc %}``
    across the text width, amounts right-aligned, an optional Jumlah row."""
    table = doc.add_table(rows=7, cols=3)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl_pr = table._tbl.tblPr
    _set(tbl_pr, "w:tblW", w=5000, type="pct")  # the text width, shared by however many columns
    header, start, body, end, total_start, total, total_end = table.rows
    _set(header._tr.get_or_add_trPr(), "w:tblHeader")
    for row in table.rows:
        _set(row._tr.get_or_add_trPr(), "w:cantSplit")
        for cell in row.cells:
            _set(cell._tc.get_or_add_tcPr(), "w:tcW", w=0, type="auto")

    def columns(row, head: str, tail: str, item: str, bold: bool = False, shade: str | None = None):
        first, middle, last = row.cells
        _cell(first, f"{{%tc for {item} in {head} %}}", "Tabel Teks")
        _cell(last, "{%tc endfor %}", "Tabel Teks")
        if tail == "header":
            _cell(middle, f"{{{{ {item}.text }}}}", "Tabel Kepala")
        else:
            _cell(middle, f"{{%p if {item}.right %}}", "Tabel Teks")
            for text, style in (
                (f"{{{{ {item}.text }}}}", "Tabel Angka"),
                ("{%p else %}", "Tabel Teks"),
                (f"{{{{ {item}.text }}}}", "Tabel Teks"),
                ("{%p endif %}", "Tabel Teks"),
            ):
                p = middle.add_paragraph(style=style)
                p.add_run(text).bold = bold or None
        if shade:
            _shade(middle, shade)

    columns(header, f"{expr}.headers", "header", "h", shade="D9D9D9")
    _cell(start.cells[0], f"{{%tr for r in {expr}.rows %}}", "Tabel Teks")
    columns(body, "r.cells", "", "c")
    _cell(end.cells[0], "{%tr endfor %}", "Tabel Teks")
    _cell(total_start.cells[0], f"{{%tr if {expr}.total %}}", "Tabel Teks")
    columns(total, f"{expr}.total", "", "c", bold=True, shade="F2F2F2")
    _cell(total_end.cells[0], "{%tr endif %}", "Tabel Teks")
    para(doc, "", "Normal")


def section_body(doc, item: str, text_style: str) -> None:
    """Paragraphs, tables (numbered captions) and pictures of an added section."""
    loop(doc, f"for p in {item}.paragraphs", lambda: para(doc, "{{ p }}", text_style))

    def table():
        para(doc, "{{ t.caption }}", "Keterangan Tabel")
        input_table(doc, "t")

    loop(doc, f"for t in {item}.tables", table)

    def picture():
        para(doc, "{{ g.image }}", "Gambar")
        para(doc, "{{ g.caption }}", "Keterangan Gambar")

    loop(doc, f"for g in {item}.pictures", picture)


def added_chapters(doc, expr: str) -> None:
    """The chapters an input adds at one place, with their subsections."""

    def chapter_():
        doc.add_paragraph("{{ x.heading }}", style="Heading 1")
        section_body(doc, "x", "Paragraf")

        def sub():
            doc.add_paragraph("{{ y.heading }}", style="Heading 2")
            section_body(doc, "y", "Isi 1")

        loop(doc, "for y in x.subsections", sub)

    loop(doc, f"for x in {expr}", chapter_)


def added_subsections(doc, expr: str) -> None:
    """The subsections an input adds at one place of a chapter."""

    def sub():
        doc.add_paragraph("{{ x.heading }}", style="Heading 2")
        section_body(doc, "x", "Isi 1")

    loop(doc, f"for x in {expr}", sub)


def obstacles(doc, style: str) -> None:
    """Kendala dan solusi under a node of BAB III."""

    def one():
        _bold_lead(doc, "Kendala: ", "{{ o.obstacle }}", style)
        _bold_lead(doc, "Solusi: ", "{{ o.solution }}", style)

    loop(doc, "for o in c.obstacles", one)


INDICATOR_HEADERS = (
    "No",
    "Indikator Kinerja",
    "Satuan",
    "Target",
    "Realisasi",
    "Realisasi {{ previous_year }}",
    "Capaian (%)",
    "Kategori",
)


def indicator_table(doc, previous: bool) -> None:
    """No. | Indikator | Satuan | Target | Realisasi | [last year's] | Capaian (%) | Kategori, each
    sasaran strategis as a row across the table above its indicators."""
    keys = ["number", "name", "unit", "target", "realisasi", "previous", "capaian", "kategori"]
    widths = [Cm(0.9), Cm(3.4), Cm(1.5), Cm(1.5), Cm(1.6), Cm(1.6), Cm(1.6), Cm(1.9)]  # 14 cm: the text width
    headers = list(INDICATOR_HEADERS)
    if not previous:
        del keys[5], widths[5], headers[5]
        widths[1] = Cm(5.1)
    table = doc.add_table(rows=7, cols=len(keys))
    _grid(table, widths)
    margins = OxmlElement("w:tblCellMar")  # narrower cell margins: 0.1 cm each side
    for side in ("w:left", "w:right"):
        _set(margins, side, w=57, type="dxa")
    look = table._tbl.tblPr.find(qn("w:tblLook"))  # CT_TblPr is a sequence: tblCellMar before tblLook
    look.addprevious(margins) if look is not None else table._tbl.tblPr.append(margins)
    header, start, goal_if, goal, goal_end, body, end = table.rows
    _set(header._tr.get_or_add_trPr(), "w:tblHeader")
    for cell, text in zip(header.cells, headers):
        _cell(cell, text, "Tabel Kecil Kepala")
        _shade(cell)
    _cell(start.cells[0], "{%tr for i in indicators %}", "Tabel Kecil Teks")
    _cell(goal_if.cells[0], "{%tr if i.goal %}", "Tabel Kecil Teks")
    merged = goal.cells[0].merge(goal.cells[-1])
    _cell(merged, "Sasaran Strategis: {{ i.goal }}", "Tabel Kecil Teks", bold=True)
    _shade(merged, "F2F2F2")
    _cell(goal_end.cells[0], "{%tr endif %}", "Tabel Kecil Teks")
    for cell, key in zip(body.cells, keys):
        right = key in ("target", "realisasi", "previous", "capaian")
        _cell(cell, f"{{{{ i.{key} }}}}", "Tabel Kecil Angka" if right else "Tabel Kecil Teks")
    _cell(end.cells[0], "{%tr endfor %}", "Tabel Kecil Teks")
    para(doc, "", "Normal")


def indicators_subsection(doc) -> None:
    def body():
        doc.add_paragraph("{{ subs.indikator }} Capaian Indikator Kinerja", style="Heading 2")
        para(
            doc,
            "Pengukuran kinerja {{ office.name }} Tahun {{ year }} membandingkan realisasi setiap indikator "
            "kinerja dalam Perjanjian Kinerja dengan targetnya. Capaian adalah realisasi dibagi target (untuk "
            "indikator yang makin kecil makin baik: dua kali target dikurangi realisasi, dibagi target), dengan "
            "kategori Sangat Berhasil (85% ke atas), Berhasil (70% sampai kurang dari 85%), Cukup Berhasil (55% "
            "sampai kurang dari 70%) dan Tidak Berhasil (kurang dari 55%), sebagai berikut:",
            "Pengantar 1",
        )
        para(doc, "Tabel {{ tables.indicators }}. Capaian Indikator Kinerja Tahun {{ year }}", "Keterangan Tabel")
        loop(doc, "if indicators_previous", lambda: indicator_table(doc, True), "{%p else %}")
        indicator_table(doc, False)
        para(doc, "{%p endif %}", "Normal")

    loop(doc, "if tables.indicators", body, "{%p endif %}")


def sources_recap(doc) -> None:
    """BAB II B's table per funding source, when the input has grants."""

    def body():
        para(
            doc,
            "Alokasi anggaran {{ office.name }} Tahun Anggaran {{ year }} bersumber dari DIPA (APBN) dan dana hibah, "
            "dengan pagu seluruhnya sebesar {{ grand_total.pagu_rp }} dan realisasi sebesar "
            "{{ grand_total.realisasi_rp }} atau {{ grand_total.persen_teks }}, dengan rincian per sumber dana "
            "sebagai berikut:",
            "Pengantar 1",
        )
        para(
            doc,
            "Tabel {{ tables.sources }}. Rekapitulasi Alokasi dan Realisasi Anggaran per Sumber Dana",
            "Keterangan Tabel",
        )
        budget_table(doc, "sources", "r", "grand_total", "Sumber Dana")

    loop(doc, "if tables.sources", body, "{%p endif %}")


def grant_tables(doc) -> None:
    """Each grant's programs in BAB II B, after the DIPA's."""

    def grant():
        para(doc, "{{ s.number }}\tDana Hibah: {{ s.name }}", "Rincian 1")
        para(
            doc,
            "Dana hibah tersebut bersumber dari {{ s.source }}{% if s.nphd %} berdasarkan {{ s.nphd }}{% endif %}, "
            "dengan pagu sebesar {{ s.pagu_rp }} dan realisasi sebesar {{ s.realisasi_rp }} atau "
            "{{ s.persen_teks }}, yang terdiri dari {{ s.program_count }} dengan rincian sebagai berikut:",
            "Pengantar 2",
        )

        def program():
            para(
                doc, "Tabel {{ gp.table }}. Alokasi dan Realisasi Dana Hibah Program {{ gp.name }}", "Keterangan Tabel"
            )
            budget_table(doc, "gp.kegiatan", "k", "gp")

        loop(doc, "for gp in s.programs", program)

    loop(doc, "for s in sources", lambda: loop(doc, "if s.is_grant", grant, "{%p endif %}"))


def organisation_blocks(doc) -> None:
    """The commissioners, before the Sekretariat."""

    def commissioners():
        para(doc, "Komisioner", "Subjudul")
        para(doc, "{{ office.name }} terdiri atas {{ org.commissioner_count }} Anggota, yaitu:", "Pengantar 1")
        loop(
            doc,
            "for m in org.commissioners",
            lambda: para(
                doc, "•\t{{ m.name }}, {{ m.title }}{% if m.division %}, {{ m.division }}{% endif %}", "Butir"
            ),
        )

    loop(doc, "if org.commissioners", commissioners, "{%p endif %}")


def divisions(doc) -> None:
    """A KPU Provinsi's Bagian, each with its Subbagian."""

    def staff(item: str, style: str = "Butir"):
        loop(
            doc,
            f"for g in {item}.staff",
            lambda: para(
                doc,
                "•\t{{ g.status }}{% if g.role %} ({{ g.role }}){% endif %} sebanyak {{ g.count }}: {{ g.names }}.",
                style,
            ),
        )

    def division():
        para(doc, "{{ d.label }}\t{{ d.name }}", "Rincian 1")
        loop(doc, "for t in d.tasks", lambda: para(doc, "{{ t }}", "Isi 2"))
        para(
            doc,
            "Dipimpin oleh {{ d.head }} selaku Kepala Bagian, yang membawahkan {{ d.heads }} Kepala "
            "Subbagian{% if d.staff %}, dengan staf langsung sebanyak {{ d.staff_count }}, yaitu:"
            "{% else %}.{% endif %}",
            "Pengantar 2",
        )
        staff("d")

        def subdivision():
            para(doc, "{{ s.label }}\t{{ s.name }}", "Rincian 2")
            loop(doc, "for t in s.tasks", lambda: para(doc, "{{ t }}", "Isi 3"))
            para(
                doc,
                "Dipimpin oleh {{ s.head }} selaku Kepala Subbagian{% if s.staff %}, dengan staf sebanyak "
                "{{ s.staff_count }}, yaitu:{% else %}.{% endif %}",
                "Pengantar 3",
            )
            staff("s", "Butir 3")

        loop(doc, "for s in d.subdivisions", subdivision)

    loop(doc, "for d in org.divisions", division)


def signatures(doc, single) -> None:
    """One signatory (``single``), or two side by side: "Mengetahui," and the title on the left."""

    def two():
        table = doc.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        left, right = table.rows[0].cells
        for cell, lines, who in (
            (left, ("Mengetahui,", "{{ acknowledger.title }}"), "acknowledger"),
            (right, ("{{ place }}, {{ date }}", "{{ signatory.title }}"), "signatory"),
        ):
            _cell(cell, lines[0], "Tanda Tangan Kolom")
            cell.add_paragraph(lines[1], style="Tanda Tangan Kolom")
            if "Ruang Tanda Tangan" in [st.name for st in doc.styles]:
                cell.add_paragraph("", style="Ruang Tanda Tangan")
            else:
                for _ in range(3):
                    cell.add_paragraph("", style="Tanda Tangan Kolom")
            name = cell.add_paragraph(style="Tanda Tangan Kolom").add_run(f"{{{{ {who}.name }}}}")
            name.bold, name.underline = True, True
            cell.add_paragraph(f"{{%p if {who}.nip %}}", style="Tanda Tangan Kolom")
            cell.add_paragraph(f"NIP {{{{ {who}.nip }}}}", style="Tanda Tangan Kolom")
            cell.add_paragraph("{%p endif %}", style="Tanda Tangan Kolom")
        p = para(doc, "", "Normal")
        p.paragraph_format.space_before = Pt(18)

    loop(doc, "if acknowledger.name", two, "{%p else %}")
    single()
    para(doc, "{%p endif %}", "Normal")


def bab_1(doc) -> None:
    chapter(doc, "{{ chapters.pendahuluan }}", HEADING["pendahuluan"])
    doc.paragraphs[-1].paragraph_format.page_break_before = False  # the section break starts the page
    loop(doc, f"for p in {NARRATIVE['pendahuluan'].attribute}", lambda: para(doc, "{{ p }}"))


def bab_2(doc) -> None:
    chapter(doc, "{{ chapters.organisasi }}", HEADING["organisasi"])
    added_subsections(doc, "extra.organisasi_start")
    doc.add_paragraph("{{ subs.struktur }} Struktur Organisasi", style="Heading 2")
    doc.add_paragraph("Tugas dan Fungsi", style="Subjudul")
    loop(doc, "for p in org.legal_basis", lambda: para(doc, "{{ p }}", "Isi 1"))
    organisation_blocks(doc)
    para(
        doc,
        "Sekretariat {{ office.name }} dipimpin oleh seorang Sekretaris, yaitu {{ org.secretary }}, yang dibantu "
        "oleh {{ org.heads_text }}. Sekretariat {{ office.name }} "
        "terdiri atas:",
        "Pengantar 1",
    )

    def subdivision():
        para(doc, "{{ s.label }}\t{{ s.name }}", "Rincian 1")
        loop(doc, "for t in s.tasks", lambda: para(doc, "{{ t }}", "Isi 2"))
        para(
            doc,
            "Dipimpin oleh {{ s.head }} selaku Kepala Subbagian{% if s.staff %}, dengan staf sebanyak "
            "{{ s.staff_count }}, yaitu:{% else %}.{% endif %}",
            "Pengantar 2",
        )
        loop(
            doc,
            "for g in s.staff",
            lambda: para(
                doc,
                "•\t{{ g.status }}{% if g.role %} ({{ g.role }}){% endif %} sebanyak {{ g.count }}: {{ g.names }}.",
                "Butir",
            ),
        )

    loop(doc, "for s in org.subdivisions", subdivision)
    divisions(doc)

    def functional():
        para(doc, "{{ org.functional.label }}\tJabatan Fungsional", "Rincian 1")
        loop(doc, "for p in org.functional.description", lambda: para(doc, "{{ p }}", "Isi 2"))
        para(
            doc,
            "Jabatan Fungsional pada Sekretariat {{ office.name }} berjumlah {{ org.functional.count }}, "
            "yaitu {{ org.functional.holders }}.",
            "Isi 2",
        )

    loop(doc, "if org.functional.holders", functional, "{%p endif %}")
    loop(
        doc,
        "if org.staff_recap",
        lambda: para(
            doc,
            "Staf Sekretariat {{ office.name }} seluruhnya berjumlah {{ org.staff_total }}, terdiri atas "
            "{{ org.staff_recap }}.",
            "Isi 1",
        ),
        "{%p endif %}",
    )

    added_subsections(doc, "extra.organisasi_mid")
    doc.add_paragraph("{{ subs.anggaran }} Program dan Anggaran", style="Heading 2")
    sources_recap(doc)
    para(
        doc,
        "Alokasi anggaran {{ office.name }} Tahun Anggaran {{ year }} sebagaimana tercantum dalam Daftar Isian "
        "Pelaksanaan Anggaran (DIPA) Tahun Anggaran {{ year }} terdiri dari {{ program_count }} dengan pagu "
        "sebesar {{ total.pagu_rp }} dan realisasi sebesar {{ total.realisasi_rp }} atau {{ total.persen_teks }}, "
        "dengan rincian sebagai berikut:",
        "Pengantar 1",
    )
    para(
        doc, "Tabel {{ tables.programs }}. Rekapitulasi Alokasi dan Realisasi Anggaran per Program", "Keterangan Tabel"
    )
    budget_table(doc, "programs", "r", "total", "Program")
    para(
        doc,
        "Rincian pagu dan realisasi setiap tingkat anggaran sampai dengan {{ annex.depth }}, beserta data "
        "organisasi, dilampirkan dalam berkas Excel {{ annex.file }}.",
        "Isi 1",
    )

    def program():
        para(doc, "{{ p.number }}.\tProgram {{ p.name }} ({{ p.code }})", "Rincian 1")
        para(
            doc,
            "Alokasi anggaran Program {{ p.name }} sebesar {{ p.pagu_rp }}, dengan realisasi sebesar "
            "{{ p.realisasi_rp }} atau {{ p.persen_teks }}, yang terdiri dari {{ p.kegiatan_count }} dengan "
            "rincian sebagai berikut:",
            "Pengantar 2",
        )
        para(doc, "Tabel {{ p.table }}. Alokasi dan Realisasi Anggaran Program {{ p.name }}", "Keterangan Tabel")
        budget_table(doc, "p.kegiatan", "k", "p")

    loop(doc, "for p in programs", program)
    grant_tables(doc)
    added_subsections(doc, "extra.organisasi_end")
    added_chapters(doc, "extra.after_organisasi")


def bab_3(doc) -> None:
    chapter(doc, "{{ chapters.capaian }}", HEADING["capaian"])
    added_subsections(doc, "extra.capaian_start")
    indicators_subsection(doc)
    sentence = (
        "Alokasi anggarannya sebesar {{ c.pagu_rp }}, dengan realisasi sebesar {{ c.realisasi_rp }} atau sebesar "
        "{{ c.persen_teks }}{% if c.children %}, yang terdiri dari {{ c.children }}, yaitu sebagai berikut:"
        "{% else %}.{% endif %}"
    )
    para(doc, "{%p for c in capaian %}", "Normal")
    para(doc, "{%p if c.level == 0 %}", "Normal")
    added_subsections(doc, "c.extra")
    doc.add_paragraph(
        "{{ c.label }} Program {{ c.name }} ({{ c.code }}{% if c.source %}, dana hibah{% endif %})", style="Heading 2"
    )
    para(doc, sentence, "Pengantar 1")
    obstacles(doc, "Isi 1")
    for level in (1, 2, 3):
        para(doc, f"{{%p elif c.level == {level} %}}", "Normal")
        para(doc, "{{ c.label }}\t{{ c.name }} ({{ c.code }})", f"Rincian {level}")
        # An RO's sentence closes its figures (the report stops at RO): a lead-in only above it.
        para(doc, sentence, f"Pengantar {level + 1}" if level < 3 else "Isi 4")
        if level == 3:
            loop(doc, "for n in c.narrative", lambda: para(doc, "{{ n }}", "Isi 4"))
        obstacles(doc, f"Isi {level + 1}")  # under the node, where its children's text would start
    para(doc, "{%p endif %}", "Normal")
    para(doc, "{%p endfor %}", "Normal")
    added_subsections(doc, "extra.capaian_end")
    added_chapters(doc, "extra.after_capaian")


def bab_4(doc) -> None:
    chapter(doc, "{{ chapters.penutup }}", HEADING["penutup"])
    loop(doc, f"for p in {NARRATIVE['penutup'].attribute}", lambda: para(doc, "{{ p }}"))
    added_chapters(doc, "extra.end")
    # The section break that follows needs a paragraph of its own that rendering keeps:
    # LibreOffice moves it into the last paragraph, here a {%p endfor %} that rendering removes.
    para(doc, "", "Normal").paragraph_format.space_after = Pt(0)


def back_matter(doc) -> None:
    """The back page: its own section, without a page number."""
    new_section(doc, None)

    def slogan():
        para(doc, "{{ slogan }}", "Slogan")

    loop(doc, "if slogan", slogan, "{%p endif %}")

    def image():
        para(doc, "{{ img.image }}", "Gambar")
        para(doc, "{{ img.caption }}", "Keterangan Gambar")

    loop(doc, "for img in closing_images", image)
    p = para(doc, "KOMISI PEMILIHAN UMUM", "Sampul Instansi")
    p.paragraph_format.space_before = Pt(48)
    para(doc, "{{ office.area_upper }}", "Sampul Instansi")


APP_XML = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" \
xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">\
<Application>kpu-docs</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>\
<Company>Komisi Pemilihan Umum</Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>\
<HyperlinksChanged>false</HyperlinksChanged></Properties>"""

_LEFTOVER_RELS = ("/thumbnail", "/stylesWithEffects", "/customXml")


def clean_package(doc) -> None:
    """A current Word document without python-docx's leftovers.

    python-docx's default template is a Word 2010 file from a Mac: compatibility mode 14
    ("[Compatibility Mode]" in Word), a stock thumbnail, a stale stylesWithEffects part, an
    empty bibliography part and app.xml claiming "Microsoft Macintosh Word", 1 page, 0 words.
    Parts that no relationship reaches are not saved."""
    for rels in (doc.part.package.rels, doc.part.rels):
        for rid, rel in list(rels.items()):
            if rel.reltype.endswith(_LEFTOVER_RELS):
                rels.pop(rid)
    app = doc.part.package.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"
    )
    app._blob = APP_XML  # page and word counts are Word's to compute: none are claimed
    settings = doc.settings.element
    for el in settings.iter(qn("w:compatSetting")):
        if el.get(qn("w:name")) == "compatibilityMode":
            el.set(qn("w:val"), "15")
    for tag in ("w:savePreviewPicture", "w:rsids"):
        for el in settings.findall(qn(tag)):
            settings.remove(el)
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:val"), "id-ID")
        lang.attrib.pop(qn("w:eastAsia"), None)


def build(path: Path) -> None:
    doc = Document()
    setup_styles(doc)
    setup_block_styles(doc)
    setup_section(doc.sections[0], None)
    cover(doc)
    new_section(doc, "lowerRoman")
    front_matter(doc)
    new_section(doc, "decimal")
    bab_1(doc)
    bab_2(doc)
    bab_3(doc)
    bab_4(doc)
    back_matter(doc)
    props = doc.core_properties
    props.title = "Laporan Tahunan"
    props.author = "kpu-docs"
    props.language = "id-ID"
    props.subject = "Templat Laporan Tahunan satker KPU"
    props.comments = "Templat docxtpl kpu-docs: gaya dan teksnya boleh diubah, tag templatnya jangan dihapus."
    props.revision = 1
    props.created = props.modified = dt.datetime(2024, 1, 1)  # fixed: regenerating changes no byte
    clean_package(doc)
    save_docx(doc, path)  # fixed entry times: regenerating an unchanged template changes no byte


# --- the neutral default logo ---------------------------------------------------------------------


def neutral_logo(path: Path, size: int = 240) -> None:
    """A plain grey emblem (ring and ballot box) for offices that give no logo of their own."""
    c = size / 2
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            r = math.hypot(x + 0.5 - c, y + 0.5 - c)
            ring = 0.40 * size <= r <= 0.47 * size
            box = abs(x - c) <= 0.22 * size and 0.02 * size <= y - c <= 0.26 * size
            slot = abs(x - c) <= 0.10 * size and abs(y - c) <= 0.02 * size
            paper = abs(x - c) <= 0.08 * size and -0.22 * size <= y - c <= -0.02 * size
            grey = 90 if ring or box or slot else 150 if paper else None
            row += bytes((grey, grey, grey, 255)) if grey is not None else bytes((255, 255, 255, 0))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    phys = struct.pack(">IIB", 5906, 5906, 1)  # 150 dpi
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"pHYs", phys)
    png += chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")
    path.write_bytes(png)


if __name__ == "__main__":
    build(ROOT / "templates" / "laporan_tahunan.docx")
    neutral_logo(ROOT / "templates" / "logo_netral.png")
    print("templates/laporan_tahunan.docx, templates/logo_netral.png")
