"""docxtpl's ``DocxTemplate``, with its rendered body parsed once, in place, and its
template preparation done once per template.

docxtpl parses the rendered body twice (a check and its table fix, in recover mode) as a
separate lxml document and then moves it into the Word document (``map_tree``); lxml's move
between documents costs time quadratic in the number of ``xml:space`` attributes (5.5 s for
80,000 runs; Word writes one on nearly every run of text) and was a fifth of the cost of a
small report. Here the rendered body is parsed once, strictly (a body that does not parse
whole is refused, never recovered), inside a copy of the document element, which then
replaces the document's own: no move, and linear in the body's size. docxtpl's own table fix
(``fix_tables``) changes a table only when a row's cells and the table's grid disagree (a
template that loops over columns); such a body takes docxtpl's way.

docxtpl also rewrites each part's XML into Jinja source (``patch_xml``: a dozen regular
expressions over the whole body, the costliest step of rendering a small report) on every
render; the result depends on the part's XML only, so it is kept per distinct XML, in memory
and, for a fresh process (a single rebuild from the command line), in the folder of Jinja's
bytecode cache beside the compiled template.
Checked with docxtpl 0.20 (``render``, ``map_tree``, ``fix_tables``, ``patch_xml``).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import docxtpl
from docx.oxml.parser import element_class_lookup
from docxtpl import DocxTemplate
from lxml import etree

from kpu_docs import __version__
from kpu_docs.input.atomic import write_file
from kpu_docs.render.docx import templating

_START = re.compile(r"<([\w.-]+):body((?:\s+xmlns:[\w.-]+=\"[^\"]*\")*)\s*>")
_DECLARATION = re.compile(r'\s+xmlns:([\w.-]+)="([^"]*)"')
_DECLARING = re.compile(r"<([\w.-]+):([\w.-]+)\s[^>]*?\bxmlns:")  # a start tag that declares a namespace
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_BODY = _W + "body"
# where lxml writes "<" or ">" unescaped outside tags (comments, processing instructions): a
# "<w:body" found there is not the body's tag (CDATA is turned into text by python-docx's parser)
_UNESCAPED = (b"<!", b"<?", b"-->", b"?>")
_DOC_PR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
_PIECE = 1 << 20  # characters of the rendered body encoded and fed to the parser at a time


def _strict_parser() -> etree.XMLParser:
    """python-docx's element classes, whitespace kept as rendered, nothing fetched or expanded,
    and no huge_tree: a text node over 10 MB fails the parse (IncompleteDocument)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    parser.set_element_class_lookup(element_class_lookup)
    return parser


_STRICT = _strict_parser()

PATCHED_BYTES = 16 * 2**20  # patched parts kept in a process, in characters (a template: a few)
STORED_KEPT = 64  # patched parts kept on disk; the oldest beyond that are removed
_patched: dict[str, str] = {}  # a part's XML -> docxtpl's Jinja source for it, oldest first
_STORED = "kpu-docs-patched-"


def _stored(src_xml: str) -> Path | None:
    """Where a part's patched XML is kept between processes: Jinja's bytecode cache folder
    (private to the user, checked by Jinja; what it already holds, compiled code, is trusted
    more than this Jinja source, which still renders in the sandbox), named by the hash of
    the part's XML and of kpu-docs' and docxtpl's versions. None without a usable folder."""
    cache = templating._bytecode_cache()
    folder = getattr(cache, "directory", None)
    if not folder:
        return None
    key = f"kpu-docs {__version__} docxtpl {docxtpl.__version__}\n{src_xml}"
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass"))
    return Path(folder) / f"{_STORED}{digest.hexdigest()}.xml"


def _read(path: Path | None) -> str | None:
    """The patched XML kept at ``path``; None when missing, unreadable or not whole (its first
    line holds the SHA-256 of the rest: a damaged or truncated file is made again, never used)."""
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8", newline="") as f:  # newline="": the text exactly as written
            digest, _, patched = f.read().partition("\n")
    except (OSError, UnicodeDecodeError):
        return None
    if digest != hashlib.sha256(patched.encode("utf-8", "surrogatepass")).hexdigest():
        return None
    return patched


def _write(path: Path | None, patched: str) -> None:
    """Write-then-rename, so that another process never reads half a file, with the content's
    SHA-256 on the first line; the oldest kept parts beyond ``STORED_KEPT`` removed. A cache
    that cannot be written never stops a build."""
    if path is None:
        return
    try:
        digest = hashlib.sha256(patched.encode("utf-8", "surrogatepass")).hexdigest()
        write_file(path, f"{digest}\n{patched}")
        kept = sorted(path.parent.glob(f"{_STORED}*.xml"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[STORED_KEPT:]:
            old.unlink(missing_ok=True)
    except (OSError, UnicodeEncodeError):
        pass


def _keep(src_xml: str, patched: str) -> None:
    """Remember ``patched`` for ``src_xml`` in this process, the oldest dropped beyond PATCHED_BYTES."""
    _patched[src_xml] = patched
    while sum(len(k) + len(v) for k, v in _patched.items()) > PATCHED_BYTES and len(_patched) > 1:
        _patched.pop(next(iter(_patched)))


class Template(DocxTemplate):
    def patch_xml(self, src_xml: str) -> str:
        """docxtpl's ``patch_xml``, computed once per distinct XML (a pure function of it)."""
        patched = _patched.get(src_xml)
        if patched is None:
            stored = _stored(src_xml)
            patched = _read(stored)
            if patched is None:
                patched = super().patch_xml(src_xml)
                _write(stored, patched)
            _keep(src_xml, patched)
        return patched

    def fix_tables(self, xml: str):
        """The rendered body (``xml``: a ``w:body`` element) parsed once, strictly, inside a copy
        of the document element; returns that ``w:body``. Raises IncompleteDocument when it does
        not parse whole (a text over lxml's 10 MB bound, broken markup)."""
        root = self.docx._element
        start = _START.match(xml)
        around = _around_body(root)
        known = {prefix: uri for prefix, uri in root.nsmap.items() if prefix}
        declared = _DECLARATION.findall(start.group(2)) if start else []
        if (
            start is None  # an unusual template (another prefix, an empty body, comments around it)
            or around is None
            or start.group(1) != root.find(_BODY).prefix
            or any(  # a prefix bound elsewhere, or a namespace under two prefixes: lxml reconciles
                known.get(prefix, uri) != uri or (prefix not in known and uri in known.values())
                for prefix, uri in declared
            )
        ):
            self._strict(xml)
            return super().fix_tables(xml)  # docxtpl's way
        kept = "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in declared if prefix not in known)
        head, tail = around
        opening = f"<{start.group(1)}:body{kept}>".encode()
        parser = _strict_parser()  # fed piece by piece: no second whole copy of a large body
        try:
            parser.feed(head)
            parser.feed(opening)
            for at in range(start.end(), len(xml), _PIECE):
                parser.feed(xml[at : at + _PIECE].encode("utf-8"))
            parser.feed(tail)
            new_root = parser.close()
        except etree.XMLSyntaxError as exc:
            raise IncompleteDocument(str(exc)) from None
        body = new_root.find(_BODY)
        if body is None or _tables_need_fixing(body):
            return super().fix_tables(xml)
        _strip_repeated_declarations(body, xml, start.end())
        self._rendered_root = new_root
        return body

    def fix_docpr_ids(self, tree) -> None:
        """docxtpl's renumbering of the pictures' ``wp:docPr`` ids, in document order; here with
        lxml's own search, as python-docx's elements (``fix_tables``) take no namespace map."""
        for element in tree.getroottree().iter(_DOC_PR):
            self.docx_ids_index += 1
            element.attrib["id"] = str(self.docx_ids_index)

    def _strict(self, xml: str) -> None:
        try:
            etree.fromstring(xml.encode("utf-8"), _STRICT)
        except etree.XMLSyntaxError as exc:
            raise IncompleteDocument(str(exc)) from None

    def map_tree(self, tree) -> None:
        """Put the rendered body in place: the document element it was parsed in replaces the
        document's own (``fix_tables``); docxtpl's move otherwise."""
        new_root = getattr(self, "_rendered_root", None)
        self._rendered_root = None
        if new_root is None or tree.getparent() is not new_root:
            return super().map_tree(tree)
        document = self.docx
        document._element = new_root
        document.part._element = new_root
        document._Document__body = None  # python-docx's cached body proxy, if any


class IncompleteDocument(Exception):
    """The rendered XML is not whole (see ``Template.fix_tables``)."""


def _around_body(root) -> tuple[bytes, bytes] | None:
    """The document element serialized, split where its body goes: (up to the body's start
    tag, after its end tag). None when the body is missing or empty (``<w:body/>``), or when a
    comment or processing instruction lies outside it (its text could hold a "<w:body" that is
    not the tag). Found in the serialized text: taking the body out of the tree would move it
    between documents."""
    body = root.find(_BODY)
    if body is None or not body.prefix:
        return None
    xml = etree.tostring(root, encoding="UTF-8")
    opening, closing = f"<{body.prefix}:body".encode(), f"</{body.prefix}:body>".encode()
    start, end = xml.find(opening), xml.rfind(closing)
    if start < 0 or end < start or xml[start + len(opening) : start + len(opening) + 1] not in (b" ", b">"):
        return None
    head, tail = xml[:start], xml[end + len(closing) :]
    if any(mark in head for mark in _UNESCAPED) or any(mark in tail for mark in _UNESCAPED):
        return None  # a comment or processing instruction around the body: the split may lie in it
    return head, tail


def _strip_repeated_declarations(body, xml: str, start: int) -> None:
    """Drop the namespace declarations inside the body that an ancestor already makes (a
    picture's ``xmlns:wp``), as lxml's move between documents does: the same bytes as
    docxtpl's way. Only the elements named like one that declares a namespace (found in the
    text: a few pictures) are moved, each onto itself, which makes lxml strip what their
    ancestors declare; at worst (a common tag) that is docxtpl's whole move again."""
    if "xmlns:" not in xml[start:]:
        return
    names = {local for _, local in _DECLARING.findall(xml, start)}
    for element in list(body.iter(*(f"{{*}}{local}" for local in names))):
        parent = element.getparent()
        if parent is None:
            continue
        placeholder = etree.Element("kpu-docs-place")
        element.addnext(placeholder)
        placeholder.addprevious(element)  # a move: lxml strips declarations made above it
        parent.remove(placeholder)


def _tables_need_fixing(body) -> bool:
    """Whether docxtpl's ``fix_tables`` would change a table: a row with more cells than the
    grid has columns, or a grid with more columns than its widest row spans, or no grid."""
    for table in body.iter(_W + "tbl"):
        grid = table.find(_W + "tblGrid")
        if grid is None:
            return True
        columns = len(grid.findall(_W + "gridCol"))
        widest = 0
        for row in table.iter(_W + "tr"):
            cells = row.findall(_W + "tc")
            if len(cells) > columns:
                return True
            widest = max(widest, sum(_span(cell) for cell in cells))
        if widest < columns:
            return True
    return False


def _span(cell) -> int:
    span = cell.find(f"{_W}tcPr/{_W}gridSpan")
    try:
        return int(span.get(_W + "val")) if span is not None else 1
    except (TypeError, ValueError):
        return 1
