"""The rendered body parsed once in place gives exactly what docxtpl's own way gives, refuses
what does not parse whole, and leaves tables docxtpl would fix to docxtpl."""

from __future__ import annotations

import hashlib
import shutil
import zipfile

import pytest
from docxtpl import DocxTemplate

from kpu_docs.errors import TemplateError
from kpu_docs.publish.build import prepare
from kpu_docs.render.docx import docxtemplate, report_docx, templating
from kpu_docs.render.docx.docxtemplate import IncompleteDocument, Template
from kpu_docs.render.docx.templating import resource

from .test_hardening import _with_parts

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def render_both(path, tmp_path, monkeypatch, template=None) -> tuple[bytes, bytes]:
    """word/document.xml rendered our way and docxtpl's (its recover-mode parse and lxml's move)."""
    report, _ = prepare(path)
    ours, theirs = tmp_path / "ours.docx", tmp_path / "theirs.docx"
    report_docx.render_docx(report, ours, template)
    with monkeypatch.context() as patch:
        patch.setattr(Template, "fix_tables", DocxTemplate.fix_tables)
        patch.setattr(Template, "map_tree", DocxTemplate.map_tree)
        patch.setattr(Template, "fix_docpr_ids", DocxTemplate.fix_docpr_ids)
        report_docx.render_docx(report, theirs, template)
    return tuple(zipfile.ZipFile(p).read("word/document.xml") for p in (ours, theirs))


def test_same_document_as_docxtpl(sample_path, tmp_path, monkeypatch):
    ours, theirs = render_both(sample_path, tmp_path, monkeypatch)
    assert ours == theirs and b"<w:body>" in ours


@pytest.mark.parametrize(
    "before, after, kept",
    [
        ("<!-- <w:body> --><w:body>", "</w:body>", b"<!-- <w:body> -->"),  # the split was in the comment
        ("<?kpu <w:body>?><w:body>", "</w:body>", b"<?kpu <w:body>?>"),
        ("<w:body>", "</w:body><!-- </w:body> -->", b"</w:body><!-- </w:body> -->"),  # a stray " -->" text
    ],
)
def test_a_comment_around_the_body_neither_refuses_nor_changes_the_report(
    before, after, kept, sample_path, tmp_path, monkeypatch
):
    """The document element is split where its body's tags are found in its text; a comment or
    processing instruction outside the body may hold such a tag (was 'hasil render tidak
    utuh' for a sound template, or the comment's end left as text): docxtpl's way then."""
    template = _with_parts(
        tmp_path,
        lambda name, text: (
            text.replace("<w:body>", before, 1).replace("</w:body>", after, 1) if name == "word/document.xml" else text
        ),
    )
    ours, theirs = render_both(sample_path, tmp_path, monkeypatch, template)
    assert ours == theirs and kept in ours


def test_same_document_with_images(make_input, tmp_path, monkeypatch):
    def mutate(d):
        d["satker"]["logo"] = "logo.png"
        d["gambar_penutup"] = [{"berkas": "a.png", "keterangan": "A"}, {"berkas": "b.png", "keterangan": "B"}]

    path = make_input(mutate)
    for name in ("logo.png", "a.png", "b.png"):
        shutil.copyfile(resource("logo_netral.png"), path.parent / name)
    ours_xml, theirs_xml = render_both(path, tmp_path, monkeypatch)
    assert ours_xml.count(b"<pic:pic") == 3 and ours_xml == theirs_xml
    assert [b'<wp:docPr id="%d"' % n in ours_xml for n in (1001, 1002, 1003)] == [True] * 3  # as docxtpl numbers


def _template():
    tpl = Template(str(resource("laporan_tahunan.docx")))
    tpl.init_docx()
    return tpl


def test_the_body_is_parsed_once_in_place_not_moved(monkeypatch):
    """The rendered body's own document element replaces the template's: lxml's move between
    documents (quadratic in xml:space attributes) never runs."""
    monkeypatch.setattr(DocxTemplate, "map_tree", lambda self, tree: pytest.fail("moved between documents"))
    monkeypatch.setattr(DocxTemplate, "fix_tables", lambda self, xml: pytest.fail("parsed again in recover mode"))
    tpl = _template()
    old_root = tpl.docx.element
    body = tpl.fix_tables(f'<w:body xmlns:w="{W}"><w:p><w:r><w:t xml:space="preserve">a </w:t></w:r></w:p></w:body>')
    tpl.map_tree(body)
    assert tpl.docx.element is not old_root and tpl.docx.element.body is body
    assert tpl.docx.part.element is tpl.docx.element and tpl.docx.paragraphs[0].text == "a "
    assert old_root.attrib == tpl.docx.element.attrib  # the document element as it was (mc:Ignorable …)


@pytest.mark.parametrize(
    "broken",
    [
        f'<w:body xmlns:w="{W}"><w:p><w:r><w:t>a</w:r></w:p></w:body>',  # markup cut by a tag
        f'<w:body xmlns:w="{W}"><w:p><w:r><w:t>' + "x" * 10_000_001 + "</w:t></w:r></w:p></w:body>",  # > 10 MB text
    ],
)
def test_a_body_that_does_not_parse_whole_is_refused(broken):
    with pytest.raises(IncompleteDocument):
        _template().fix_tables(broken)


def test_an_incomplete_render_is_a_template_error(sample_path, tmp_path, monkeypatch):
    report, _ = prepare(sample_path)
    monkeypatch.setattr(Template, "build_xml", lambda self, context, env=None: f'<w:body xmlns:w="{W}"><w:p>')
    with pytest.raises(TemplateError, match="hasil render tidak utuh"):
        report_docx.render_docx(report, tmp_path / "r.docx")
    assert not (tmp_path / "r.docx").exists()


def test_a_table_docxtpl_would_fix_takes_docxtpl_s_way():
    """A row with more cells than the grid (a template looping over columns) is left to
    docxtpl's fix_tables, which widens the grid."""
    xml = (
        f'<w:body xmlns:w="{W}"><w:tbl><w:tblGrid><w:gridCol w:w="4000"/></w:tblGrid>'
        "<w:tr><w:tc><w:p/></w:tc><w:tc><w:p/></w:tc></w:tr></w:tbl></w:body>"
    )
    body = _template().fix_tables(xml)
    assert body.getparent() is None  # docxtpl's own tree, moved by its map_tree
    assert [c.get(f"{{{W}}}w") for c in body.iter(f"{{{W}}}gridCol")] == ["2000", "2000"]
    assert not docxtemplate._tables_need_fixing(body)


@pytest.mark.parametrize(
    "body_ns", ["http://schemas.openxmlformats.org/officeDocument/2006/relationships", "urn:another"]
)
def test_prefix_bound_elsewhere_falls_back_to_docxtpl(body_ns):
    """A body that binds a document prefix (r:) to another namespace is left to lxml."""
    tpl = _template()
    body = tpl.fix_tables(
        f'<w:body xmlns:w="{W}" xmlns:r="{body_ns}"><w:p><w:r r:x="1"><w:t '
        f'xml:space="preserve">a</w:t></w:r></w:p></w:body>'
    )
    tpl.map_tree(body)
    run = tpl.docx.element.body.find(f".//{{{W}}}r")
    assert run.get(f"{{{body_ns}}}x") == "1" and run.find(f"{{{W}}}t").text == "a"
    assert tpl.docx.element.body.getparent() is tpl.docx.element


def test_a_part_is_patched_once_with_docxtpl_s_own_result(monkeypatch):
    calls = []
    real = DocxTemplate.patch_xml
    monkeypatch.setattr(DocxTemplate, "patch_xml", lambda self, xml: calls.append(len(xml)) or real(self, xml))
    monkeypatch.setattr(docxtemplate, "_patched", {})
    monkeypatch.setattr(templating, "_bytecode_cache", lambda: None)  # in memory only
    tpl = Template(str(resource("laporan_tahunan.docx")))
    tpl.init_docx()
    xml = tpl.get_xml()
    first = tpl.patch_xml(xml)
    assert first == real(tpl, xml) and "{%" in first
    assert Template(str(resource("laporan_tahunan.docx"))).patch_xml(xml) is first  # another report, same part
    assert tpl.patch_xml(xml + " ") != first  # another XML is patched for itself
    assert calls == [len(xml), len(xml) + 1]


def test_a_fresh_process_reads_the_patched_part_from_the_cache_folder(monkeypatch, tmp_path):
    from jinja2 import FileSystemBytecodeCache

    monkeypatch.setattr(templating, "_bytecode_cache", lambda: FileSystemBytecodeCache(str(tmp_path)))
    monkeypatch.setattr(docxtemplate, "_patched", {})
    tpl = Template(str(resource("laporan_tahunan.docx")))
    tpl.init_docx()
    xml = tpl.get_xml()
    first = tpl.patch_xml(xml)
    (stored,) = tmp_path.glob("kpu-docs-patched-*.xml")
    digest, _, kept = stored.read_text(encoding="utf-8").partition("\n")
    assert kept == first and digest == hashlib.sha256(first.encode()).hexdigest()
    monkeypatch.setattr(docxtemplate, "_patched", {})  # what a new process has
    monkeypatch.setattr(DocxTemplate, "patch_xml", lambda self, xml: pytest.fail("patched again"))
    assert tpl.patch_xml(xml) == first


def test_an_unusable_cache_folder_never_stops_a_render(monkeypatch, tmp_path):
    from jinja2 import FileSystemBytecodeCache

    folder = tmp_path / "tidak-ada"
    monkeypatch.setattr(templating, "_bytecode_cache", lambda: FileSystemBytecodeCache(str(folder)))
    monkeypatch.setattr(docxtemplate, "_patched", {})
    tpl = Template(str(resource("laporan_tahunan.docx")))
    tpl.init_docx()
    xml = tpl.get_xml()
    assert tpl.patch_xml(xml) == DocxTemplate.patch_xml(tpl, xml)
    assert not folder.exists()


@pytest.mark.parametrize("damage", ["garbage {% if %}", "truncated"])
def test_a_damaged_cached_part_is_made_again_not_used(damage, monkeypatch, tmp_path):
    """A cached part that is not whole (a disk that filled up, a stray edit) would make every
    build with the shipped template fail, blaming the template: it is patched again instead."""
    from jinja2 import FileSystemBytecodeCache

    monkeypatch.setattr(templating, "_bytecode_cache", lambda: FileSystemBytecodeCache(str(tmp_path)))
    monkeypatch.setattr(docxtemplate, "_patched", {})
    tpl = _template()
    xml = tpl.get_xml()
    first = tpl.patch_xml(xml)
    (stored,) = tmp_path.glob("kpu-docs-patched-*.xml")
    text = stored.read_text(encoding="utf-8")
    stored.write_text(text[: len(text) // 2] if damage == "truncated" else text.replace("{%", damage, 1))
    monkeypatch.setattr(docxtemplate, "_patched", {})  # a new process
    assert tpl.patch_xml(xml) == first == DocxTemplate.patch_xml(tpl, xml)
    assert stored.read_text(encoding="utf-8") == text  # and the file is whole again


def test_the_cache_keeps_a_bounded_number_of_parts(monkeypatch, tmp_path):
    from jinja2 import FileSystemBytecodeCache

    monkeypatch.setattr(templating, "_bytecode_cache", lambda: FileSystemBytecodeCache(str(tmp_path)))
    monkeypatch.setattr(docxtemplate, "_patched", {})
    monkeypatch.setattr(docxtemplate, "STORED_KEPT", 3)
    monkeypatch.setattr(docxtemplate, "PATCHED_BYTES", 1000)
    tpl = _template()
    for n in range(6):
        tpl.patch_xml(f"<w:body><w:p>{n} {'x' * 300}</w:p></w:body>")
    assert len(list(tmp_path.glob("kpu-docs-patched-*.xml"))) == 3
    assert 1 <= len(docxtemplate._patched) <= 2  # about 600 characters a part, at most 1000 kept


def test_the_body_fed_in_small_pieces_gives_the_same_document(make_input, tmp_path, monkeypatch):
    """The rendered body is encoded and fed to the parser a piece at a time (no second whole
    copy of a large body); pieces that split a multi-byte character or a tag change nothing."""

    def mutate(d):
        d["satker"]["wilayah"] = "Serang – Banten “é” 😀"

    path = make_input(mutate)
    whole, _ = render_both(path, tmp_path, monkeypatch)
    monkeypatch.setattr(docxtemplate, "_PIECE", 7)
    pieces, theirs = render_both(path, tmp_path, monkeypatch)
    assert pieces == whole == theirs and "Serang – Banten “é” 😀".encode() in pieces
