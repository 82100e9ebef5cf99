"""docxtpl's ``DocxTemplate``, with its body replacement made linear and its template
preparation done once per template.

docxtpl parses the rendered body as a separate lxml document and then moves it into the
Word document (``map_tree``); lxml's move between documents costs time quadratic in the
number of ``xml:space`` attributes (5.5 s for 80,000 runs, 0.27 s for 20,000: Word writes
one on nearly every run of text), which made the build of a 30,000-RO input grow faster
than its size. For large bodies the rendered body is instead serialized and parsed once
more inside the document element itself, which is linear but costs more below about
60,000 such attributes (some 13,000 RO; measured with lxml 6.1).

docxtpl also rewrites each part's XML into Jinja source (``patch_xml``: a dozen regular
expressions over the whole body, the costliest step of rendering a small report) on every
render; the result depends on the part's XML only, so it is kept per distinct XML, in memory
and, for a fresh process (a single rebuild from the command line), in the folder of Jinja's
bytecode cache beside the compiled template.
Checked with docxtpl 0.20 (``map_tree``, ``fix_tables``, ``patch_xml``).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import docxtpl
from docx.oxml.parser import element_class_lookup
from docxtpl import DocxTemplate
from lxml import etree

from kpu_docs.input.atomic import write_file
from kpu_docs.render.docx import templating

_MARK = b"<kpu-docs-body/>"
_START = re.compile(rb"<w:body((?:\s+xmlns:\w+=\"[^\"]*\")*)\s*>")
_DECLARATION = re.compile(rb'\s+xmlns:([\w.-]+)="([^"]*)"')
_PARSER = etree.XMLParser(resolve_entities=False, huge_tree=True)  # python-docx's, keeping whitespace
_PARSER.set_element_class_lookup(element_class_lookup)


QUADRATIC_FROM = 60_000  # xml:space attributes: below this, lxml's move is the faster way
PATCHED_KEPT = 32  # parts' patched XML kept (a template has a body and a few headers and footers)
_patched: dict[str, str] = {}  # a part's XML -> docxtpl's Jinja source for it, oldest first


def _stored(src_xml: str) -> Path | None:
    """Where a part's patched XML is kept between processes: Jinja's bytecode cache folder
    (private to the user, checked by Jinja; what it already holds, compiled code, is trusted
    more than this Jinja source, which still renders in the sandbox), named by the hash of
    the part's XML and docxtpl's version. None without a usable folder."""
    cache = templating._bytecode_cache()
    folder = getattr(cache, "directory", None)
    if not folder:
        return None
    digest = hashlib.sha256(f"docxtpl {docxtpl.__version__}\n{src_xml}".encode("utf-8", "surrogatepass"))
    return Path(folder) / f"kpu-docs-patched-{digest.hexdigest()}.xml"


def _read(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8", newline="") as f:  # newline="": the text exactly as written
            return f.read()
    except (OSError, UnicodeDecodeError):
        return None


def _write(path: Path | None, patched: str) -> None:
    """Write-then-rename, so that another process never reads half a file; a cache that
    cannot be written never stops a build."""
    if path is None:
        return
    try:
        write_file(path, patched)
    except (OSError, UnicodeEncodeError):
        pass


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
            if len(_patched) >= PATCHED_KEPT:
                _patched.pop(next(iter(_patched)))
            _patched[src_xml] = patched
        return patched

    def map_tree(self, tree) -> None:
        """Put the rendered ``tree`` (a ``w:body``) in place of the template's body, with the
        same result as lxml's move: declarations that repeat the document element's dropped."""
        if tree.xpath("count(//@xml:space)") < QUADRATIC_FROM:
            return super().map_tree(tree)
        document = self.docx
        root = document._element
        xml = etree.tostring(tree, encoding="UTF-8")
        start = _START.match(xml)
        known = {prefix.encode(): uri.encode() for prefix, uri in root.nsmap.items() if prefix}
        declared = _DECLARATION.findall(xml)
        if start is None or any(known.get(prefix, uri) != uri for prefix, uri in declared):
            return super().map_tree(tree)  # a prefix bound to another namespace: let lxml reconcile
        inner = _DECLARATION.sub(lambda m: b"" if m.group(1) in known else m.group(0), xml[start.end() :])
        del xml  # each copy of the body dropped as soon as the next exists: a large body is tens of MB
        tree.clear()  # the rendered tree too (docxtpl holds it, unused from here): not two trees at once
        body = root.body
        placeholder = etree.Element("kpu-docs-body")
        body.addprevious(placeholder)
        root.remove(body)
        head, _, tail = etree.tostring(root, encoding="UTF-8").partition(_MARK)
        root.replace(placeholder, body)  # the template as it was, should parsing fail
        whole = b"".join((head, b"<w:body>", inner, tail))
        del inner
        new_root = etree.fromstring(whole, _PARSER)
        del whole
        document._element = new_root
        document.part._element = new_root
        document._Document__body = None  # python-docx's cached body proxy, if any
