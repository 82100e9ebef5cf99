"""The table of contents: a real Word TOC field whose cached entries we write ourselves.

Word and LibreOffice show a field's cached result as it is, so a TOC filled here (with
page numbers from a LibreOffice pass, see ``pdf.heading_labels``) appears complete without
the user updating anything. Without page numbers, Word is asked to update fields on
opening.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

TOC_STYLES = {"Heading 1": 1, "Heading 2": 2}
_T = qn("w:t")
_TEXT = (_T, qn("w:br"), qn("w:tab"))  # breaks and tabs read as spaces
_NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
_P_STYLE = etree.XPath("w:pPr/w:pStyle/@w:val", namespaces=_NS)


def _style_name(style) -> str:
    name = style.find(qn("w:name"))
    return name.get(qn("w:val"), "") if name is not None else ""


@dataclass(frozen=True)
class TocEntry:
    level: int
    text: str
    anchor: str
    page: str | None = None


def headings(doc: Document) -> list[tuple[int, str, object]]:
    """(level, text, ``w:p`` element) of every heading shown in the TOC, in order."""
    # Style ids and text read from the XML directly: python-docx's paragraph.style scans every
    # style per call, which made this the slowest step of a build.
    ids = _style_ids(doc)
    level_of = {ids[name.casefold()]: level for name, level in TOC_STYLES.items() if name.casefold() in ids}
    out = []
    for p in doc.element.body.iterchildren(qn("w:p")):
        style = _P_STYLE(p)
        level = level_of.get(style[0]) if style else None
        if level:
            text = " ".join("".join(el.text or "" if el.tag == _T else " " for el in p.iter(*_TEXT)).split())
            if text:
                out.append((level, text, p))
    return out


def fill_toc(doc: Document, pages: dict[str, str]) -> list[TocEntry]:
    """Bookmark the headings and write the TOC field's entries; return them."""
    entries = []
    for i, (level, text, p) in enumerate(headings(doc)):
        anchor = f"_Toc{900000 + i}"
        _bookmark(p, anchor, i)
        entries.append(TocEntry(level, text, anchor, pages.get(text)))
    field = _toc_paragraphs(doc)
    if field is None:
        return entries  # a user's template without a TOC field: nothing to fill
    first, last = field
    _replace_result(first, last, entries, _toc_style_ids(doc))
    _update_on_open(doc, not all(e.page for e in entries))
    return entries


def _bookmark(p, name: str, ident: int) -> None:
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(900 + ident))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(900 + ident))
    ppr = p.find(qn("w:pPr"))
    index = list(p).index(ppr) + 1 if ppr is not None else 0
    p.insert(index, start)
    p.append(end)


def _toc_paragraphs(doc: Document):
    """The paragraphs holding the TOC field's begin and end."""
    body = doc.element.body
    for instr in body.iter(qn("w:instrText")):
        if instr.text and instr.text.strip().startswith("TOC"):
            first = instr.getparent().getparent()
            depth = 0
            p = first
            while p is not None:
                for fld in p.iter(qn("w:fldChar")):
                    kind = fld.get(qn("w:fldCharType"))
                    depth += {"begin": 1, "end": -1}.get(kind, 0)
                    if depth == 0:
                        return first, p
                p = p.getnext()
            return None
    return None


_STYLE_IDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # styles part → its ids by name


def _style_ids(doc: Document) -> dict[str, str]:
    """Lower-cased style name → style id, read straight from styles.xml, once per document
    (the headings, the TOC levels and the DAFTAR TABEL all ask; the styles do not change).
    The mapping is shared: read it, never change it."""
    part = doc.part._styles_part
    ids = _STYLE_IDS.get(part)
    if ids is None:
        ids = _STYLE_IDS[part] = {
            _style_name(el).casefold(): el.get(qn("w:styleId")) for el in part.element.iterchildren(qn("w:style"))
        }
    return ids


def _toc_style_ids(doc: Document) -> dict[int, str]:
    """Style ids of the TOC levels: Word names them "TOC 1", LibreOffice "Contents 1"."""
    by_name = _style_ids(doc)
    return {
        level: next((by_name[n] for n in (f"toc {level}", f"contents {level}") if n in by_name), f"TOC{level}")
        for level in (1, 2)
    }


def _replace_result(first, last, entries: list[TocEntry], style_of: dict[int, str]) -> None:
    """Keep begin/instr/separate in the first paragraph, write one paragraph per entry."""
    separate = next(f for f in first.iter(qn("w:fldChar")) if f.get(qn("w:fldCharType")) == "separate")
    sep_run = separate.getparent()
    # drop everything after the separator, and all paragraphs up to the end of the field
    for el in list(first)[list(first).index(sep_run) + 1 :]:
        first.remove(el)
    p = first.getnext()
    if first is not last:
        while p is not None:
            nxt = p.getnext()
            p.getparent().remove(p)
            if p is last:
                break
            p = nxt
    previous = first
    for i, entry in enumerate(entries):
        target = first if i == 0 else _new_paragraph(previous, style_of[entry.level])
        if i == 0:
            _set_style(first, style_of[entry.level])
        link = OxmlElement("w:hyperlink")
        link.set(qn("w:anchor"), entry.anchor)
        link.set(qn("w:history"), "1")
        link.append(_run(entry.text))
        if entry.page:
            link.append(_run(tab=True))
            link.append(_run(entry.page))
        target.append(link)
        previous = target
    end = OxmlElement("w:r")
    fld = OxmlElement("w:fldChar")
    fld.set(qn("w:fldCharType"), "end")
    end.append(fld)
    previous.append(end)


def _new_paragraph(after, style_id: str):
    p = OxmlElement("w:p")
    _set_style(p, style_id)
    after.addnext(p)
    return p


def _set_style(p, style_id: str) -> None:
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        p.insert(0, ppr)
    pstyle = ppr.find(qn("w:pStyle"))
    if pstyle is None:
        pstyle = OxmlElement("w:pStyle")
        ppr.insert(0, pstyle)
    pstyle.set(qn("w:val"), style_id)


def _run(text: str = "", tab: bool = False):
    r = OxmlElement("w:r")
    if tab:
        r.append(OxmlElement("w:tab"))
    else:
        t = OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        t.text = text
        r.append(t)
    return r


# CT_Settings is a sequence: updateFields must precede these (Word refuses misordered XML).
_AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults",
    "w:footnotePr",
    "w:endnotePr",
    "w:compat",
    "w:docVars",
    "w:rsids",
    "m:mathPr",
    "w:attachedSchema",
    "w:themeFontLang",
    "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures",
    "w:forceUpgrade",
    "w:captions",
    "w:readModeInkLockDown",
    "w:smartTagType",
    "w:shapeDefaults",
    "w:doNotEmbedSmartTags",
    "w:decimalSymbol",
    "w:listSeparator",
)


def _update_on_open(doc: Document, update: bool) -> None:
    settings = doc.settings.element
    existing = settings.find(qn("w:updateFields"))
    if existing is not None:
        settings.remove(existing)
    if not update:
        return
    el = OxmlElement("w:updateFields")
    el.set(qn("w:val"), "true")
    successors = {qn(tag) for tag in _AFTER_UPDATE_FIELDS}
    following = next((child for child in settings if child.tag in successors), None)
    if following is not None:
        following.addprevious(el)
    else:
        settings.append(el)
