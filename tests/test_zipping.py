"""Documents zipped once, reproducibly, without the template's unused parts."""

from __future__ import annotations

import zipfile

from docx import Document

from kpu_docs.publish.build import prepare
from kpu_docs.render.docx.report_docx import render_docx
from kpu_docs.render.docx.templating import default_template
from kpu_docs.render.zipping import MODE, ZIP_EPOCH, fix_modes


def test_docx_zipped_with_fixed_times_and_no_unused_parts(sample_docx):
    with zipfile.ZipFile(sample_docx) as z:
        infos = z.infolist()
        names = [i.filename for i in infos]
        assert all(i.date_time == ZIP_EPOCH and i.external_attr == MODE for i in infos)
        assert "word/stylesWithEffects.xml" not in names
        assert "stylesWithEffects" not in z.read("[Content_Types].xml").decode()
        assert "stylesWithEffects" not in z.read("word/_rels/document.xml.rels").decode()
        assert names[0] == "[Content_Types].xml" and "word/styles.xml" in names
    with zipfile.ZipFile(default_template()) as z:  # no leftover part in the template either
        assert "word/stylesWithEffects.xml" not in z.namelist()
    doc = Document(str(sample_docx))  # still a document python-docx (and Word) reads
    assert doc.styles["Heading 1"].name == "Heading 1" and doc.paragraphs


def test_same_report_same_bytes(sample_path, tmp_path):
    report, _ = prepare(sample_path)
    first, second = tmp_path / "a.docx", tmp_path / "b.docx"
    render_docx(report, first)
    render_docx(report, second)
    assert first.read_bytes() == second.read_bytes()


def test_fix_modes_sets_every_entry_in_place(tmp_path):
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, mode in (("a.xml", 0o600), ("b/c.xml", 0o755)):
            info = zipfile.ZipInfo(name, ZIP_EPOCH)
            info.external_attr = mode << 16
            z.writestr(info, b"<x/>" * 10, zipfile.ZIP_DEFLATED)
    size = path.stat().st_size
    fix_modes(path)
    with zipfile.ZipFile(path) as z:
        assert [i.external_attr for i in z.infolist()] == [MODE, MODE]
        assert z.read("b/c.xml") == b"<x/>" * 10 and z.testzip() is None
    assert path.stat().st_size == size
