"""Templates users change: export, check, strict and sandboxed rendering, escaping,
and a template re-saved by LibreOffice."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from kpu_docs.cli.main import main
from kpu_docs.errors import TemplateError
from kpu_docs.publish.build import build, prepare
from kpu_docs.render.docx.report_docx import render_docx
from kpu_docs.render.docx.templating import default_template

from .conftest import node, soffice_available

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def all_text(path: Path) -> str:
    """Every paragraph's text, including those inside tables and content controls."""
    body = Document(str(path)).element.body
    return "\n".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in body.iter(f"{W}p"))


def edited_template(tmp_path: Path, old: str, new: str) -> Path:
    """The default template with one paragraph's text replaced."""
    doc = Document(str(default_template()))
    hits = [p for p in doc.paragraphs if p.text == old]
    assert hits, old
    for p in hits:
        for run in p.runs[1:]:
            run._r.getparent().remove(run._r)
        p.runs[0].text = new
    path = tmp_path / "templat.docx"
    doc.save(str(path))
    return path


def test_export_writes_the_default_and_never_overwrites(tmp_path, capsys):
    assert main(["template", "export", str(tmp_path)]) == 0
    exported = tmp_path / "laporan_tahunan.docx"
    assert exported.read_bytes() == default_template().read_bytes()
    assert main(["template", "export", str(tmp_path)]) == 1
    assert "sudah ada" in capsys.readouterr().err


def test_check_default_template_is_clean(capsys):
    assert main(["template", "check", str(default_template())]) == 0
    out = capsys.readouterr().out
    assert "0 tag tidak dikenal" in out
    assert "TIDAK DIPAKAI  letter.number" in out  # offered, unused by the default


def test_check_reports_a_typo_and_exits_1(tmp_path, capsys):
    template = edited_template(tmp_path, "{{ place }}, {{ date }}", "{{ plcae }}, {{ date }}")
    assert main(["template", "check", str(template)]) == 1
    assert "TIDAK DIKENAL  plcae" in capsys.readouterr().out


def test_misspelled_tag_is_an_error_naming_tag_and_paragraph(tmp_path, sample_path):
    template = edited_template(tmp_path, "{{ place }}, {{ date }}", "{{ place }}, {{ tangal }}")
    report, _ = prepare(sample_path)
    with pytest.raises(TemplateError) as exc:
        render_docx(report, tmp_path / "x.docx", template)
    message = str(exc.value)
    assert "tangal" in message and "{{ tangal }}" in message and "{{ place }}" in message
    assert not (tmp_path / "x.docx").exists()


def test_build_with_another_template(tmp_path, sample_path):
    template = edited_template(tmp_path, "LAPORAN TAHUNAN", "LAPORAN TAHUNAN (REVISI)")
    (result,) = build([sample_path], tmp_path / "out", template)
    assert result.ok, result.reason
    assert "LAPORAN TAHUNAN (REVISI)" in all_text(result.destination / "laporan-tahunan-2023-kpu-kota-serang.docx")


@pytest.mark.parametrize(
    "tag",
    [
        "{{ office.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ year.__class__.__init__.__globals__ }}",
        "{% include '/etc/passwd' %}",
        "{{ cycler.__init__.__globals__.os.environ }}",
    ],
)
def test_template_is_sandboxed(tmp_path, sample_path, tag):
    template = edited_template(tmp_path, "LAPORAN TAHUNAN", tag)
    report, _ = prepare(sample_path)
    with pytest.raises(TemplateError):
        render_docx(report, tmp_path / "x.docx", template)


def test_input_text_is_data_never_template_code(make_input, tmp_path):
    tricky = "A & B <b>tebal</b> \"kutip\" 'satu' {{ year }} {% if true %}x{% endif %} }}"
    path = make_input(lambda d: node(d, "CQ.6710.QGE.001").update(narasi=[tricky]))
    (result,) = build([path], tmp_path / "out")
    assert result.ok, result.reason
    text = all_text(next(result.destination.glob("*.docx")))
    assert tricky in text


@pytest.mark.libreoffice
@pytest.mark.skipif(not soffice_available(), reason="LibreOffice (soffice) is not installed")
def test_template_resaved_by_libreoffice_still_renders(tmp_path, sample_path, template_resaved_by_libreoffice):
    resaved = template_resaved_by_libreoffice
    (result,) = build([sample_path], tmp_path / "out", resaved)
    assert result.ok, result.reason
    text = all_text(next(result.destination.glob("*.docx")))
    assert "{{" not in text and "{%" not in text
    assert "yang terdiri dari 10 (sepuluh) Kegiatan, yaitu sebagai berikut:" in text
    assert "Alokasi anggarannya sebesar Rp8.340.000, dengan realisasi sebesar Rp7.480.000 atau sebesar 89,69%." in text
    assert "BAB III CAPAIAN PRIORITAS" in text  # the TOC, inside LibreOffice's content control


def test_template_generator_reproduces_the_shipped_template(tmp_path):
    """tools/make_template.py runs and gives the committed template byte for byte: the shipped
    template is what its generator makes, and a change to one is made in the other."""
    import runpy

    root = Path(__file__).resolve().parents[1]
    generator = runpy.run_path(str(root / "tools" / "make_template.py"), run_name="make_template")
    out = tmp_path / "laporan_tahunan.docx"
    generator["build"](out)
    assert out.read_bytes() == (root / "templates" / "laporan_tahunan.docx").read_bytes()
