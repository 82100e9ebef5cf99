"""The linear body replacement gives exactly what docxtpl's own gives."""

from __future__ import annotations

import shutil
import zipfile

import pytest
from docxtpl import DocxTemplate
from lxml import etree

from kpu_docs.publish.build import prepare
from kpu_docs.render.docx import docxtemplate, report_docx, templating
from kpu_docs.render.docx.docxtemplate import Template
from kpu_docs.render.docx.templating import resource


@pytest.fixture(autouse=True)
def always_reparse(monkeypatch):
    """The linear way is kept for bodies of 13,000 RO and more; here it is used at any size."""
    monkeypatch.setattr(docxtemplate, "QUADRATIC_FROM", 0)


def render_both(path, tmp_path, monkeypatch) -> tuple[bytes, bytes]:
    report, _ = prepare(path)
    ours, theirs = tmp_path / "ours.docx", tmp_path / "theirs.docx"
    report_docx.render_docx(report, ours)
    monkeypatch.setattr(report_docx, "Template", DocxTemplate)
    report_docx.render_docx(report, theirs)
    monkeypatch.setattr(report_docx, "Template", Template)
    return tuple(zipfile.ZipFile(p).read("word/document.xml") for p in (ours, theirs))


def test_same_document_as_docxtpl(sample_path, tmp_path, monkeypatch):
    ours, theirs = render_both(sample_path, tmp_path, monkeypatch)
    assert ours == theirs and b"<w:body>" in ours


def test_same_document_with_images(make_input, tmp_path, monkeypatch):
    def mutate(d):
        d["satker"]["logo"] = "logo.png"
        d["gambar_penutup"] = [{"berkas": "a.png", "keterangan": "A"}, {"berkas": "b.png", "keterangan": "B"}]

    path = make_input(mutate)
    for name in ("logo.png", "a.png", "b.png"):
        shutil.copyfile(resource("logo_netral.png"), path.parent / name)
    ours, theirs = render_both(path, tmp_path, monkeypatch)
    assert ours.count(b"<pic:pic") == 3 and ours == theirs


@pytest.mark.parametrize(
    "body_ns", ["http://schemas.openxmlformats.org/officeDocument/2006/relationships", "urn:another"]
)
def test_prefix_bound_elsewhere_falls_back_to_docxtpl(body_ns, sample_path):
    """A body that binds a document prefix (r:) to another namespace is left to lxml."""
    tpl = Template(str(resource("laporan_tahunan.docx")))
    tpl.init_docx()
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    tree = etree.fromstring(
        f'<w:body xmlns:w="{w}"><w:p><w:r xmlns:r="{body_ns}" r:x="1"><w:t '
        f'xml:space="preserve">a</w:t></w:r></w:p></w:body>'
    )
    tpl.map_tree(tree)
    run = tpl.docx.element.body.find(f".//{{{w}}}r")
    assert run.get(f"{{{body_ns}}}x") == "1" and run.find(f"{{{w}}}t").text == "a"
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
    assert stored.read_bytes() == first.encode("utf-8")
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


def test_the_reparsed_body_does_not_keep_the_rendered_tree(sample_path, tmp_path, monkeypatch):
    """On the linear path the rendered tree is emptied once serialized: a large report never
    holds two copies of its body (some 4 KiB per RO at the peak of a 25,000-RO build)."""
    seen = []
    real = Template.map_tree

    def watching(self, tree):
        seen.append((tree, len(tree)))
        return real(self, tree)

    monkeypatch.setattr(Template, "map_tree", watching)
    report, _ = prepare(sample_path)
    report_docx.render_docx(report, tmp_path / "r.docx")
    ((tree, children),) = seen
    assert children > 100 and len(tree) == 0
    with zipfile.ZipFile(tmp_path / "r.docx") as z:
        assert z.read("word/document.xml").count(b"<w:p>") + z.read("word/document.xml").count(b"<w:p ") > 100
