"""The PDF path: LibreOffice conversion, a numbered table of contents, and life without LibreOffice."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from docx import Document

from kpu_docs import pdf as pdf_mod
from kpu_docs.build import build
from kpu_docs.cli import main

from .conftest import soffice_available

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def pdf_build(tmp_path_factory, sample_path):
    """The sample built with --pdf (skips where LibreOffice or poppler-utils are missing)."""
    if not soffice_available() or not shutil.which("pdftotext"):
        pytest.skip("LibreOffice and pdftotext (poppler-utils) are needed")
    out = tmp_path_factory.mktemp("pdf")
    (result,) = build([sample_path], out, pdf=True)
    assert result.ok, result.reason
    return result.destination


def pdftotext(path, first=None, last=None) -> str:
    cmd = ["pdftotext", "-layout"]
    if first:
        cmd += ["-f", str(first), "-l", str(last or first)]
    return subprocess.run([*cmd, str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.libreoffice
def test_pdf_pages_and_numbered_toc(pdf_build):
    pdf = next(pdf_build.glob("*.pdf"))
    pages = pdftotext(pdf).split("\f")
    pages = [p for p in pages if p.strip()]
    assert 20 <= len(pages) <= 40
    toc_page = next(p for p in pages if p.strip().startswith("DAFTAR ISI"))
    entries = re.findall(r"^\s*(\S.*?)\.{3,}\s*(\w+)\s*$", toc_page, re.M)
    titles = [t for t, _ in entries]
    assert "KATA PENGANTAR" in titles and "BAB IV PENUTUP" in titles
    numbers = dict(entries)
    assert numbers["KATA PENGANTAR"] == "i" and numbers["BAB I PENDAHULUAN"] == "1"
    # each chapter's number in the TOC is the number printed on the page where it starts
    for title, number in numbers.items():
        if title.startswith("BAB"):
            head = title.split(" ", 2)[:2]
            page = next(p for p in pages if p.split()[:2] == head)
            assert page.strip().split()[-1] == number, title


@pytest.mark.libreoffice
def test_docx_toc_has_page_numbers_without_update_prompt(pdf_build):
    doc = Document(str(next(pdf_build.glob("*.docx"))))
    toc = [p.text for p in doc.paragraphs if p.style.name.startswith("TOC")]
    assert toc[0] == "KATA PENGANTAR\ti"
    assert all(re.search(r"\t(\d+|[ivx]+)$", t) for t in toc), toc
    assert doc.settings.element.find(f"{W}updateFields") is None


def test_without_libreoffice_docx_and_xlsx_are_still_written(monkeypatch, sample_path, tmp_path, capsys):
    monkeypatch.setattr(pdf_mod, "soffice", lambda: None)
    assert main(["build", str(sample_path), "--out", str(tmp_path), "--pdf", "-q"]) == 0
    err = capsys.readouterr().err
    assert "LibreOffice tidak ditemukan" in err and "apt-get install libreoffice-writer-nogui" in err
    written = sorted(p.suffix for p in (tmp_path / "kpu-kota-serang" / "2023").iterdir())
    assert written == [".docx", ".xlsx", ".xlsx"]  # report, annex, check file
    doc = Document(str(next((tmp_path / "kpu-kota-serang" / "2023").glob("*.docx"))))
    assert doc.settings.element.find(f"{W}updateFields") is not None  # Word fills the numbers on opening


def test_heading_pages_reads_footer_labels():
    texts = ["LAPORAN", "KATA PENGANTAR\nisi\ni", "DAFTAR ISI\nBAB I PENDAHULUAN ...\nii",
             "BAB I\nPENDAHULUAN\nisi\n1", "lanjutan\nA. Bagian\n2", "BAB II\nSTRUKTUR\n3"]
    headings = [(1, "KATA PENGANTAR"), (1, "BAB I PENDAHULUAN"), (2, "A. Bagian"), (1, "BAB II STRUKTUR")]
    assert pdf_mod.heading_pages(texts, headings) == {
        "KATA PENGANTAR": "i", "BAB I PENDAHULUAN": "1", "A. Bagian": "2", "BAB II STRUKTUR": "3"}


@pytest.mark.libreoffice
def test_rebuild_with_pdf_replaces_nothing(pdf_build, sample_path):
    """Same input, same template: DOCX, XLSX and even the PDF come out byte-identical."""
    out = pdf_build.parent.parent
    before = {p.name: p.read_bytes() for p in pdf_build.iterdir()}
    (result,) = build([sample_path], out, pdf=True)
    assert result.ok and result.written == []
    assert {p.name: p.read_bytes() for p in pdf_build.iterdir()} == before
    meta = subprocess.run(["pdfinfo", str(next(pdf_build.glob("*.pdf")))], capture_output=True, text=True).stdout
    assert "Komisi Pemilihan Umum Kota Serang" in meta and "2024" in meta  # author; date from the input
