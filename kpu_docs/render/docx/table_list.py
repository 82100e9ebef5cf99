"""The DAFTAR TABEL: a Word TOC field over the table captions, whose entries we write.

The template's field is ``TOC \\h \\z \\t "Keterangan Tabel,1"``: Word rebuilds it from the
paragraphs in the caption style. Like the DAFTAR ISI (``toc.py``), its cached entries are
written here, with page numbers once a PDF pass has found them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from docx.document import Document
from docx.oxml.ns import qn

from kpu_docs.render.docx.toc import TocEntry, _bookmark, _replace_result, _style_ids, _toc_style_ids

CAPTION_STYLE = "Keterangan Tabel"
LEVEL = 3  # entries are returned with the headings; level 3 marks a caption, found in reading order
_FIRST_ID = 5000  # bookmark ids past those of the headings
GAP = "\u00a0\u00a0"
_P, _P_PR, _P_STYLE, _T, _VAL = qn("w:p"), qn("w:pPr"), qn("w:pStyle"), qn("w:t"), qn("w:val")


def captions(doc: Document) -> list[tuple[str, object]]:
    """(text, ``w:p``) of every table caption, in order."""
    style_id = _style_ids(doc).get(CAPTION_STYLE.casefold())
    if style_id is None:
        return []
    out = []
    for style in doc.element.body.iter(_P_STYLE):  # fewer than the paragraphs, and in the same order
        props = style.getparent()
        p = props.getparent()
        if style.get(_VAL) != style_id or props.tag != _P_PR or p is None or p.tag != _P:
            continue
        if p.find(_P_PR) is not props or props.find(_P_STYLE) is not style:  # only a paragraph's own style
            continue
        text = " ".join("".join(t.text or "" for t in p.iter(_T)).split())
        if text:
            out.append((text, p))
    return out


def fill_table_list(doc: Document, pages: dict[str, str]) -> list[TocEntry]:
    """Bookmark the captions and write the DAFTAR TABEL field's entries; return them."""
    entries = []
    for i, (text, p) in enumerate(captions(doc)):
        anchor = f"_Tbl{900000 + i}"
        _bookmark(p, anchor, _FIRST_ID + i)
        entries.append(TocEntry(LEVEL, text, anchor, pages.get(text)))
    field = _field_paragraphs(doc)
    if field is not None and entries:
        toc1 = _toc_style_ids(doc)[1]
        # Two no-break spaces glued to the last word: a caption that would end exactly where its
        # page number begins wraps its last word instead ("…Manajemen8" in LibreOffice).
        shown = [replace(e, text=e.text + GAP) for e in entries]
        _replace_result(*field, shown, {LEVEL: toc1})
    return entries


def _field_paragraphs(doc: Document) -> tuple[Any, Any] | None:
    """The paragraphs holding the caption list field's begin and end."""
    for instr in doc.element.body.iter(qn("w:instrText")):
        text = (instr.text or "").strip()
        if text.startswith("TOC") and CAPTION_STYLE in text:
            first = instr.getparent().getparent()
            depth, p = 0, first
            while p is not None:
                for fld in p.iter(qn("w:fldChar")):
                    depth += {"begin": 1, "end": -1}.get(fld.get(qn("w:fldCharType")), 0)
                    if depth == 0:
                        return first, p
                p = p.getnext()
    return None


def in_reading_order(doc: Document, entries: list[TocEntry]) -> list[TocEntry]:
    """Headings and captions merged in the order they appear (by their bookmarks), so that a
    PDF pass finds each on or after the page of the one before."""
    position = {el.get(qn("w:name")): i for i, el in enumerate(doc.element.body.iter(qn("w:bookmarkStart")))}
    return sorted(entries, key=lambda e: position.get(e.anchor, len(position)))
