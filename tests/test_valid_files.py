"""Every generated DOCX and XLSX is valid Office Open XML (ECMA-376), as Word and Excel check it.

The validator is openxml-audit, a port of the Open XML SDK's validator (schemas and semantic
constraints): an unexpected or misordered element (``w:pgNumType`` after ``w:cols``, a second
``w:tblLayout``) is an error, as is a stale stylesWithEffects part.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree
from openxml_audit import OpenXmlValidator

from kpu_docs.publish.build import build
from kpu_docs.render.docx.templating import default_template

from .conftest import soffice_available

ROOT = Path(__file__).resolve().parent.parent
INPUTS = [
    ROOT / "inputs" / "kpu-kota-serang" / "2023.yaml",
    *sorted((ROOT / "inputs" / "kpu-kabupaten-contoh").glob("*.yaml")),
]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def schema_errors(path: Path) -> list[str]:
    result = OpenXmlValidator(max_errors=0).validate(path)
    return [str(e) for e in result.errors]


def built_files(out: Path, template: Path | None) -> list[Path]:
    results = build(INPUTS, out, template, jobs=1)
    assert all(r.ok for r in results), [r.reason for r in results if not r.ok]
    files = sorted(p for r in results for p in r.destination.iterdir() if p.suffix in (".docx", ".xlsx"))
    assert len(files) == 3 * len(INPUTS)  # report, annex and check file of each input
    return files


@pytest.fixture(scope="module")
def default_build(tmp_path_factory) -> list[Path]:
    return built_files(tmp_path_factory.mktemp("valid"), None)


def test_the_validator_catches_what_word_repairs(tmp_path):
    """The check can fail: the two schema errors Word used to repair are reported."""
    broken = tmp_path / "rusak.docx"
    with zipfile.ZipFile(default_template()) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                root = etree.fromstring(data)
                numbers = root.find(f".//{W}pgNumType")
                numbers.getparent().append(numbers)  # after w:cols and w:docGrid
                tbl_pr = root.find(f".//{W}tblPr")
                tbl_pr.append(etree.fromstring(f'<w:tblLayout xmlns:w="{W[1:-1]}" w:type="fixed"/>'))
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(item, data)
    errors = schema_errors(broken)
    assert any("pgNumType" in e for e in errors) and any("tblLayout" in e for e in errors)


def test_the_default_template_is_valid():
    assert schema_errors(default_template()) == []


def test_every_generated_file_is_valid(default_build):
    for path in default_build:
        assert schema_errors(path) == [], path.name


def test_documents_are_current_and_clean(default_build):
    """Compatibility mode 15 (no "[Compatibility Mode]" in Word), no leftover parts, no stock
    thumbnail, and properties that describe this report rather than python-docx's sample."""
    for path in (p for p in default_build if p.suffix == ".docx"):
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            settings = etree.fromstring(z.read("word/settings.xml"))
            app = z.read("docProps/app.xml").decode()
            core = z.read("docProps/core.xml").decode()
            types = z.read("[Content_Types].xml").decode()
        modes = [
            s.get(f"{W}val") for s in settings.iter(f"{W}compatSetting") if s.get(f"{W}name") == "compatibilityMode"
        ]
        assert modes == ["15"], path.name
        assert not {n for n in names if "stylesWithEffects" in n or "thumbnail" in n or n.startswith("customXml")}
        assert "stylesWithEffects" not in types and "thumbnail" not in types
        assert "Macintosh" not in app and "<Pages>" not in app and "<Words>" not in app
        assert "<Application>kpu-docs</Application>" in app
        assert "Laporan Tahunan" in core and "KPU" in core and "python-docx" not in core


@pytest.mark.libreoffice
@pytest.mark.skipif(not soffice_available(), reason="LibreOffice (soffice) is not installed")
def test_files_built_with_a_template_resaved_by_libreoffice_are_valid(tmp_path, template_resaved_by_libreoffice):
    resaved = template_resaved_by_libreoffice
    for path in built_files(tmp_path / "out", resaved):
        assert schema_errors(path) == [], path.name
        if path.suffix == ".docx":  # LibreOffice moved section and page breaks; rendering keeps them
            body = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml")).find(f"{W}body")
            numbering = [(n.get(f"{W}fmt"), n.get(f"{W}start")) for n in body.iter(f"{W}pgNumType")]
            assert ("lowerRoman", "1") in numbering and ("decimal", "1") in numbering, path.name


def test_conform_puts_libreoffice_slips_back_in_schema_order():
    from kpu_docs.render.docx.conform import conform

    ns = W[1:-1]
    root = etree.fromstring(
        f'<w:body xmlns:w="{ns}"><w:p><w:pPr><w:sectPr/><w:jc w:val="left"/><w:pStyle w:val="A"/>'
        f'<w:rPr><w:i w:val="false"/><w:b/><w:i w:val="false"/></w:rPr></w:pPr></w:p>'
        f'<w:tbl><w:tr><w:trPr><w:cantSplit w:val="true"/><w:tblHeader w:val="false"/></w:trPr></w:tr></w:tbl></w:body>'
    )
    conform(root)
    ppr = root.find(f"{W}p/{W}pPr")
    assert [etree.QName(c).localname for c in ppr] == ["pStyle", "jc", "rPr", "sectPr"]
    assert [etree.QName(c).localname for c in ppr.find(f"{W}rPr")] == ["b", "i"]
    assert [c.get(f"{W}val") for c in root.find(f".//{W}trPr")] == ["on", "off"]
