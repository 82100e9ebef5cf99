"""The PDF path: LibreOffice conversion, a numbered table of contents, and life without LibreOffice."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
from docx import Document

from kpu_docs.cli.main import main
from kpu_docs.errors import PdfError
from kpu_docs.publish import pdf as pdf_mod
from kpu_docs.publish.build import build

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
    entries = re.findall(r"^\s*(\S.*?)\s*\.{3,}\s*(\w+)\s*$", toc_page, re.M)
    titles = [t for t, _ in entries]
    assert "KATA PENGANTAR" in titles and "BAB IV PENUTUP" in titles
    numbers = dict(entries)
    assert numbers["KATA PENGANTAR"] == "i" and numbers["BAB I PENDAHULUAN"] == "1"
    # the PDF's page labels are the printed numbers (the footer's last line; the cover has none)
    from pypdf import PdfReader

    labels = PdfReader(str(pdf)).page_labels
    assert labels[:5] == ["", "i", "ii", "iii", "1"]  # cover, KATA PENGANTAR, DAFTAR ISI, DAFTAR TABEL
    assert all(page.strip().split()[-1] == label for page, label in zip(pages, labels) if label)
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


def test_heading_labels_follow_the_outline_not_the_text():
    """Running headers repeat chapter titles on every page: the outline says where each
    heading really is, the labels what its page prints."""
    outline = [
        ("KATA PENGANTAR", 1),
        ("DAFTAR ISI", 2),
        ("BAB I PENDAHULUAN", 3),
        ("A. Bagian", 4),
        ("BAB II STRUKTUR", 5),
    ]
    labels = ["", "i", "ii", "1", "2", "3"]
    headings = [(1, "KATA PENGANTAR"), (1, "BAB I\nPENDAHULUAN"), (2, "A. Bagian"), (1, "BAB II STRUKTUR")]
    assert pdf_mod.heading_labels(headings, outline, labels) == {
        "KATA PENGANTAR": "i",
        "BAB I\nPENDAHULUAN": "1",
        "A. Bagian": "2",
        "BAB II STRUKTUR": "3",
    }
    toc = "KATA PENGANTAR\ti\nBAB I PENDAHULUAN\t1\nA. Bagian\t2\nBAB II STRUKTUR\t3"
    assert pdf_mod.heading_labels(headings, outline, labels, toc)["BAB II STRUKTUR"] == "3"


def test_heading_labels_refuse_rather_than_guess():
    outline = [("KATA PENGANTAR", 1), ("BAB I PENDAHULUAN", 2)]
    with pytest.raises(PdfError, match="BAB II.*tidak ditemukan di kerangka"):
        pdf_mod.heading_labels([(1, "BAB I PENDAHULUAN"), (1, "BAB II")], outline, ["", "i", "1"])
    with pytest.raises(PdfError, match="tidak mencetak nomor halaman"):
        pdf_mod.heading_labels([(1, "KATA PENGANTAR")], outline, ["", "", "1"])
    with pytest.raises(PdfError, match="tidak cocok: 1 menurut PDF, 2 menurut daftar isi LibreOffice"):
        pdf_mod.heading_labels([(1, "BAB I PENDAHULUAN")], outline, ["", "i", "1"], "BAB I PENDAHULUAN\t2")


def test_footer_labels_without_uno():
    """The fallback reads the footer's number as the page's last line; a footer with other
    text ("Halaman 3") gives no label, so heading_labels refuses instead of guessing."""
    assert pdf_mod.footer_labels(["SAMPUL", "KATA\ni", "teks\n12", "teks\nHalaman 3"]) == ["", "i", "12", ""]


def test_page_label_ranges():
    """UNO numbering types (3 = roman, 4 = arabic, 5 = none) become PDF page-label ranges."""
    numbers = [(5, 1), (3, 1), (3, 2), (4, 1), (4, 2), (4, 3), (4, 1)]
    assert pdf_mod.label_ranges(numbers) == [(0, 0, None, 1), (1, 2, "/r", 1), (3, 5, "/D", 1), (6, 6, "/D", 1)]
    assert [pdf_mod.printed_number(k, n) for k, n in [(3, 4), (2, 9), (4, 12), (1, 28), (5, 3)]] == [
        "iv",
        "IX",
        "12",
        "ab",
        "",
    ]


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


RUNNING = "Laporan Tahunan KPU Kota Serang: KATA PENGANTAR, BAB I PENDAHULUAN, BAB II STRUKTUR ORGANISASI"


@pytest.fixture(scope="module")
def running_template(tmp_path_factory):
    """The default template restyled with running text in every header, and a footer that
    prints "Halaman N dari laporan" instead of the bare number."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    from kpu_docs.render.docx.templating import default_template

    doc = Document(str(default_template()))
    for section in doc.sections:
        section.header.paragraphs[0].text = RUNNING
        footer = section.footer.paragraphs[0]
        if not footer._p.xpath(".//w:instrText"):
            continue
        before, after = OxmlElement("w:r"), OxmlElement("w:r")
        for run, text in ((before, "Halaman "), (after, " dari laporan")):
            t = OxmlElement("w:t")
            t.set(qn("xml:space"), "preserve")
            t.text = text
            run.append(t)
        runs = footer._p.findall(qn("w:r"))
        runs[0].addprevious(before)
        runs[-1].addnext(after)
    path = tmp_path_factory.mktemp("tpl") / "berjalan.docx"
    doc.save(str(path))
    return path


@pytest.mark.libreoffice
def test_toc_numbers_right_with_running_headers(running_template, sample_path, tmp_path):
    """Headers repeat chapter titles on every page and the footer's number is not alone on
    its line: the TOC still gives each chapter the number printed where it starts, and the
    PDF's page labels are the printed numbers."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is needed")
    if pdf_mod.uno_python() is None:
        pytest.skip("python3-uno is needed")
    (result,) = build([sample_path], tmp_path, running_template, pdf=True)
    assert result.ok, result.reason
    pdf = next(result.destination.glob("*.pdf"))
    pages = pdftotext(pdf).split("\f")[:-1]
    printed = [(re.search(r"Halaman (\w+) dari laporan", p) or [None, ""])[1] for p in pages]
    assert printed[:5] == ["", "i", "ii", "iii", "1"] and printed[-2] != ""
    from pypdf import PdfReader

    assert PdfReader(str(pdf)).page_labels == printed
    assert all(RUNNING.split(":")[0] in p for p in pages[1:])
    toc_page = next(p for p in pages if "DAFTAR ISI" in p.split("\n", 3)[-1])
    numbers = dict(re.findall(r"^\s*(\S.*?)\s*\.{3,}\s*(\w+)\s*$", toc_page, re.M))
    assert numbers["KATA PENGANTAR"] == "i" and numbers["BAB IV PENUTUP"] not in ("", "i")
    doc_toc = [
        p.text
        for p in Document(str(next(result.destination.glob("*.docx")))).paragraphs
        if p.style.name.startswith("TOC")
    ]
    for title, number in numbers.items():
        if title.startswith("BAB"):
            # the chapter's own page: its heading is a line of its own (the header has it mid-line)
            index = next(i for i, p in enumerate(pages) if re.search(rf"^\s*{re.escape(title)}\s*$", p, re.M))
            assert printed[index] == number, title
            assert f"{title}\t{number}" in doc_toc


@pytest.mark.libreoffice
def test_without_uno_running_footer_is_refused_not_guessed(running_template, sample_path, tmp_path, monkeypatch):
    """The two-pass fallback cannot read "Halaman 3 dari laporan" as a page number: it says so
    instead of writing wrong numbers."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is needed")
    monkeypatch.setattr(pdf_mod, "uno_python", lambda: None)
    notices = []
    (result,) = build([sample_path], tmp_path, running_template, pdf=True, notices=notices.append)
    assert notices == [pdf_mod.NO_UNO_NOTICE]
    assert not result.ok and "tidak mencetak nomor halaman" in result.reason
    assert not list(tmp_path.rglob("*.pdf"))


@pytest.mark.libreoffice
def test_without_uno_two_passes_still_number_the_toc(sample_path, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_mod, "uno_python", lambda: None)
    (result,) = build([sample_path], tmp_path, pdf=True, notices=lambda m: None)
    assert result.ok, result.reason
    toc = [
        p.text
        for p in Document(str(next(result.destination.glob("*.docx")))).paragraphs
        if p.style.name.startswith("TOC")
    ]
    assert toc[:2] == ["KATA PENGANTAR\ti", "BAB I PENDAHULUAN\t1"]


def test_libreoffice_failing_midway_fails_those_offices_cleanly(sample_path, tmp_path, monkeypatch):
    """A UNO run that dies: every office still waiting is made the older way (two plain
    passes, where a file LibreOffice cannot convert fails alone), with a notice."""
    if not soffice_available():
        pytest.skip("LibreOffice is needed")
    worker = tmp_path / "worker.py"
    worker.write_text("import sys\nsys.stdin.read()\nsys.stderr.write('soffice crashed')\nsys.exit(1)\n")
    monkeypatch.setattr(pdf_mod, "WORKER", worker)
    monkeypatch.setattr(pdf_mod, "uno_python", lambda: sys.executable)
    out = tmp_path / "out"
    notices = []
    (result,) = build([sample_path], out, pdf=True, notices=notices.append)
    assert result.ok, result.reason
    assert any(
        "LibreOffice (UNO) gagal setelah 0 dari 1 berkas: soffice crashed" in n and "dua kali jalan" in n
        for n in notices
    )
    assert sorted(p.suffix for p in result.destination.iterdir()) == [".docx", ".pdf", ".xlsx", ".xlsx"]


@pytest.mark.parametrize("uno", [True, False])
def test_the_page_numbering_pass_renders_only_the_word_file_again(sample_path, tmp_path, monkeypatch, uno):
    """Whichever way the page numbers are found (one UNO pass, or two plain passes without
    UNO), the second rendering is the Word file's alone: the annex and the check file are
    written once, and what is published is that first annex. LibreOffice is faked here."""
    import json

    from kpu_docs.publish import build as build_mod

    log = tmp_path / "calls.jsonl"  # the first pass runs in a forked worker: calls are logged to a file

    def record(kind, detail):
        with log.open("a", encoding="utf-8") as f:
            f.write(json.dumps([kind, detail]) + "\n")

    real_docx, real_annex, real_check = build_mod.render_docx, build_mod.write_annex, build_mod.write_check_file

    def render_docx(report, out, template=None, pages=None):
        record("docx", pages)
        return real_docx(report, out, template, pages)

    def write_annex(report, out, **kwargs):
        record("annex", out.name)
        return real_annex(report, out, **kwargs)

    def write_check_file(report, findings, out, path):
        record("check", out.name)
        return real_check(report, findings, out, path)

    def fake_pdf(docx, outdir):
        outdir.mkdir(parents=True, exist_ok=True)
        pdf = outdir / docx.with_suffix(".pdf").name
        pdf.write_bytes(b"%PDF-1.7 palsu\n")
        return pdf

    numbers = {"KATA PENGANTAR": "i", "BAB I PENDAHULUAN": "1"}
    monkeypatch.setattr(build_mod, "render_docx", render_docx)
    monkeypatch.setattr(build_mod, "write_annex", write_annex)
    monkeypatch.setattr(build_mod, "write_check_file", write_check_file)
    monkeypatch.setattr(pdf_mod, "soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(pdf_mod, "uno_python", lambda: sys.executable if uno else None)
    monkeypatch.setattr(
        pdf_mod,
        "convert_numbered",
        lambda files, outdir: iter([pdf_mod.Numbered(fake_pdf(f, outdir), []) for f in files]),
    )
    monkeypatch.setattr(pdf_mod, "convert", lambda files, outdir: [fake_pdf(f, outdir) for f in files])
    for name in ("page_texts", "outline", "footer_labels"):
        monkeypatch.setattr(pdf_mod, name, lambda *a, **k: [])
    monkeypatch.setattr(pdf_mod, "heading_labels", lambda *a, **k: dict(numbers))
    monkeypatch.setattr(pdf_mod, "set_page_labels", lambda *a: None)
    monkeypatch.setattr(pdf_mod, "stabilize", lambda *a: None)

    (result,) = build([sample_path], tmp_path / "out", pdf=True, notices=lambda m: None)
    assert result.ok, result.reason
    calls = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [kind for kind, _ in calls] == ["docx", "annex", "check", "docx"]
    assert calls[0][1] is None and calls[3][1] == numbers  # the second rendering carries the page numbers
    assert sorted(p.suffix for p in result.destination.iterdir()) == [".docx", ".pdf", ".xlsx", ".xlsx"]


def build_saving_meanwhile(sample_path, tmp_path, monkeypatch, content):
    """Build a copy of the sample with ``--pdf`` (LibreOffice faked, no UNO) while an editor
    saves ``content(old bytes)`` over the input between the two passes; the build's result."""
    work = tmp_path / "in" / "2023.yaml"
    work.parent.mkdir()
    shutil.copyfile(sample_path, work)
    again = content(work.read_bytes())

    def fake_pdf(docx, outdir):
        outdir.mkdir(parents=True, exist_ok=True)
        work.write_bytes(again)
        pdf = outdir / docx.with_suffix(".pdf").name
        pdf.write_bytes(b"%PDF-1.7 palsu\n")
        return pdf

    monkeypatch.setattr(pdf_mod, "soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(pdf_mod, "uno_python", lambda: None)
    monkeypatch.setattr(pdf_mod, "convert", lambda files, outdir: [fake_pdf(f, outdir) for f in files])
    for name in ("page_texts", "outline", "footer_labels"):
        monkeypatch.setattr(pdf_mod, name, lambda *a, **k: [])
    monkeypatch.setattr(pdf_mod, "heading_labels", lambda *a, **k: {})
    monkeypatch.setattr(pdf_mod, "stabilize", lambda *a: None)
    monkeypatch.setattr(pdf_mod, "set_page_labels", lambda *a: None)
    (result,) = build([work], tmp_path / "out", pdf=True, notices=lambda m: None)
    return result


@pytest.mark.parametrize(
    "resave",
    [lambda b: b.replace(b"\n", b"\r\n"), lambda b: b"\xef\xbb\xbf" + b, lambda b: b],
    ids=["crlf", "bom", "same"],
)
def test_an_input_saved_again_unchanged_while_its_pdf_is_made_is_published(resave, sample_path, tmp_path, monkeypatch):
    """Saved again by an editor with other line ends or a byte-order mark (or byte for byte),
    the input says the same and builds the same report: no refusal."""
    result = build_saving_meanwhile(sample_path, tmp_path, monkeypatch, resave)
    assert result.ok, result.reason
    assert sorted(p.suffix for p in result.destination.iterdir()) == [".docx", ".pdf", ".xlsx", ".xlsx"]


def test_an_input_edited_while_its_pdf_is_made_is_not_published(sample_path, tmp_path, monkeypatch):
    """The Word file is rendered a second time, with page numbers, from the input on disk; if
    that input was edited since the first pass, its Word file and PDF would no longer match the
    annex and the checks made: the office fails with one message and nothing is published."""
    result = build_saving_meanwhile(
        sample_path, tmp_path, monkeypatch, lambda b: b.replace(b"  wilayah: Serang\n", b"  wilayah: Serang Baru\n")
    )
    assert not result.ok and "diubah selama PDF dibuat" in result.reason
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.docx"))
