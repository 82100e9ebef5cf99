"""Text of a report, per format, as a flat list of blocks (paragraphs and table rows).

- ``.txt``: one line is one paragraph; a line with tabs is a table row.
- ``.docx`` (python-docx): body paragraphs and tables in reading order; headers, footers and
  the table-of-contents field are not body text.
- ``.pdf`` (pdfminer.six): text lines with their positions; page headers and footers (page
  numbers, lines repeated at the top or bottom of most pages) are removed, cells at one height
  become a table row, and lines are joined into paragraphs by spacing, indentation and
  punctuation. A scanned PDF without a text layer has no text to read and is refused.

Each input is bounded in size before it is parsed (a hostile file cannot exhaust memory).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kpu_docs.errors import ImportRefused

from .text import BULLETS, clean, ends_sentence, starts_like

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_PAGES = 600
MAX_BLOCKS = 100_000


@dataclass(frozen=True)
class Block:
    """A paragraph (``cells`` is None) or a table row, with where it was found."""

    text: str
    where: str  # "baris 115", "paragraf 40", "halaman 7"
    cells: tuple[str, ...] | None = None


FORMATS = (".txt", ".docx", ".pdf")


def extract(path: Path) -> list[Block]:
    """The blocks of a report file; raises KpuDocsError with an Indonesian message."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ImportRefused(f"{path}: format tidak dikenal; gunakan berkas .docx, .pdf atau .txt")
    if not path.is_file():
        raise ImportRefused(f"{path}: berkas tidak ditemukan: periksa nama dan foldernya")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ImportRefused(f"{path}: berkas lebih dari {MAX_FILE_BYTES // 2**20} MB; laporan tahunan jauh lebih kecil")
    reader = {".txt": _txt, ".docx": _docx, ".pdf": _pdf}[suffix]
    blocks = join_broken(reader(path))
    if not any(b.text for b in blocks):
        raise ImportRefused(f"{path}: tidak ada teks yang dapat dibaca (PDF hasil pindai tanpa lapisan teks?)")
    return blocks[:MAX_BLOCKS]


def _txt(path: Path) -> list[Block]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(f"{path}: berkas teks bukan UTF-8: simpan ulang sebagai UTF-8") from None
    return lines_to_blocks(text.splitlines(), "baris")


def lines_to_blocks(lines: list[str], unit: str) -> list[Block]:
    blocks = []
    for i, line in enumerate(lines, 1):
        cells = [clean(c) for c in line.split("\t")]
        if len(cells) >= 3:
            blocks.append(Block(" ".join(c for c in cells if c), f"{unit} {i}", tuple(cells)))
        elif clean(line):
            blocks.append(Block(clean(line), f"{unit} {i}"))
    return blocks


# --- DOCX ---------------------------------------------------------------------------------------


def _docx(path: Path) -> list[Block]:
    _check_zip(path)
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several types for a damaged package
        raise ImportRefused(f"{path}: bukan dokumen Word (.docx) yang utuh ({type(exc).__name__})") from None
    blocks: list[Block] = []
    counter = 0

    def visit(parent) -> None:
        nonlocal counter
        for el in parent.iterchildren():
            if el.tag == qn("w:p"):
                counter += 1
                paragraph = Paragraph(el, document)
                style = (paragraph.style.name if paragraph.style is not None else "") or ""
                if style.lower().startswith(("toc", "daftar isi")):
                    continue
                for part in _docx_lines(paragraph.text):
                    blocks.append(Block(part, f"paragraf {counter}"))
            elif el.tag == qn("w:tbl"):
                table = Table(el, document)
                for r, row in enumerate(table.rows, 1):
                    cells, seen = [], set()
                    for cell in row.cells:
                        if id(cell._tc) in seen:
                            continue  # a merged cell is returned once per grid column
                        seen.add(id(cell._tc))
                        cells.append(clean(cell.text.replace("\n", " ")))
                    counter += 1
                    blocks.append(
                        Block(" ".join(c for c in cells if c), f"tabel, baris {r} (paragraf {counter})", tuple(cells))
                    )
            elif el.tag == qn("w:sdt"):
                content = el.find(qn("w:sdtContent"))
                if content is not None:
                    visit(content)

    visit(document.element.body)
    return blocks


def _docx_lines(text: str) -> list[str]:
    """A paragraph's text; a chapter heading typed as "BAB I<line break>PENDAHULUAN" gives two."""
    parts = [clean(p) for p in text.replace("\t", " ").split("\n")]
    parts = [p for p in parts if p]
    if len(parts) > 1 and re.fullmatch(r"BAB\s+[IVXL]+", parts[0]):
        return [parts[0], " ".join(parts[1:])]
    return [" ".join(parts)] if parts else []


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise ImportRefused(f"{path}: bukan dokumen Word (.docx) yang utuh: buka dan simpan ulang di Word") from None
    if len(infos) > 10_000 or sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
        raise ImportRefused(
            f"{path}: isi arsip .docx terlalu besar setelah dibuka (lebih dari "
            f"{MAX_UNZIPPED_BYTES // 2**20} MB); berkas ini ditolak"
        )
    if any(i.flag_bits & 0x1 for i in infos):
        raise ImportRefused(f"{path}: dokumen terenkripsi (berpassword): simpan ulang tanpa password")


# --- PDF ----------------------------------------------------------------------------------------


@dataclass
class _Line:
    page: int
    x0: float
    x1: float
    top: float  # distance from the top of the page
    bottom: float
    text: str
    cells: list[str]


PDF_SECONDS = 180
PDF_MEMORY_BYTES = 2 * 2**30


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (PDF_MEMORY_BYTES, PDF_MEMORY_BYTES))


def _pdf(path: Path) -> list[Block]:
    """pdfminer.six runs in a child process, bounded in time and memory (see ``pdf_lines``)."""
    cmd = [sys.executable, "-m", "kpu_docs.report_import.pdf_lines", str(path), str(MAX_PAGES)]
    try:
        proc = subprocess.run(
            cmd, capture_output=True, timeout=PDF_SECONDS, preexec_fn=_limit_memory if os.name == "posix" else None
        )
    except subprocess.TimeoutExpired:
        raise ImportRefused(f"{path}: membaca PDF ini memakan lebih dari {PDF_SECONDS} detik; berkas ditolak") from None
    if proc.returncode == 3:
        raise ImportRefused(f"{path}: lebih dari {MAX_PAGES} halaman; laporan tahunan jauh lebih pendek")
    if proc.returncode != 0:
        reason = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        last = reason[-1].strip() if reason else ""
        if proc.returncode != 2 or "MemoryError" in last or not re.fullmatch(r"\w{1,60}", last):
            # out of memory, or the reader died (a crash prints a dump, not a reason to show)
            raise ImportRefused(
                f"{path}: membaca PDF ini memerlukan lebih dari {PDF_MEMORY_BYTES // 2**30} GB "
                "memori atau terhenti; berkas ditolak: simpan ulang sebagai PDF biasa"
            )
        raise ImportRefused(f"{path}: PDF tidak dapat dibaca ({last}): simpan ulang sebagai PDF biasa tanpa password")
    pages: list[tuple[float, list[_Line]]] = []
    for number, (height, found) in enumerate(json.loads(proc.stdout), 1):
        lines = [
            _Line(number, x0, x1, top, bottom, clean(text), [clean(text)])
            for x0, x1, top, bottom, text in found
            if clean(text)
        ]
        pages.append((height, _rows(lines)))
    return _paragraphs(_drop_headers_footers(pages))


def _rows(lines: list[_Line]) -> list[_Line]:
    """Lines at one height (table cells) merged into one row, in reading order."""
    lines.sort(key=lambda line: (round(line.top), line.x0))
    rows: list[_Line] = []
    for line in lines:
        last = rows[-1] if rows else None
        overlap = min(line.bottom, last.bottom) - max(line.top, last.top) if last is not None else 0
        if (
            last is not None
            and overlap >= 0.5 * min(line.bottom - line.top, last.bottom - last.top)
            and line.x0 > last.x1 - 1
        ):
            last.cells.append(line.text)
            last.text += " " + line.text
            last.x1 = max(last.x1, line.x1)
            last.bottom = max(last.bottom, line.bottom)
        else:
            rows.append(line)
    for r in rows:
        if len(r.cells) > 1 and not _is_row(r):
            r.cells = [r.text]
    return rows


_PAGE_NUMBER = re.compile(
    r"^(?:halaman\s+)?(?:\d{1,4}|[ivxlc]{1,6})(?:\s*(?:dari|/)\s*\d{1,4})?$|^-\s*\d{1,4}\s*-$", re.IGNORECASE
)


def _drop_headers_footers(pages: list[tuple[float, list[_Line]]]) -> list[list[_Line]]:
    """Remove page numbers and lines repeated in the top or bottom band of most pages."""

    def band(line: _Line, height: float) -> bool:
        return line.top < 0.1 * height or line.bottom > 0.9 * height

    def key(line: _Line) -> str:
        return re.sub(r"\d+", "#", line.text.lower())

    repeated = Counter(k for height, lines in pages for k in {key(line) for line in lines if band(line, height)})
    threshold = max(3, len(pages) // 2)
    out = []
    for height, lines in pages:
        kept = [
            line
            for line in lines
            if not (band(line, height) and (_PAGE_NUMBER.match(line.text) or repeated[key(line)] >= threshold))
        ]
        out.append(kept)
    return out


_CLOSES = re.compile(r"[.:;!?]$")  # not ")": "terdiri dari 4 (empat)" often ends a line mid-sentence
_MARKER_ONLY = re.compile(rf"[{BULLETS}]|(?:\d{{1,2}}|[a-zA-Z])[.)]")  # a list marker set apart from its text
_STARTS_ITEM = re.compile(rf"^(?:[{BULLETS}]\s|(?:\d{{1,2}}|[a-zA-Z])[.)]\s)")


def _is_row(line: _Line) -> bool:
    """Cells at one height form a table row when figures or a header are among them; otherwise
    they are one justified line whose wide spaces split it."""
    if len(line.cells) < 2:
        return False
    numeric = sum(1 for c in line.cells if re.fullmatch(r"[0-9.,%]+", c.replace(" ", "")))
    short = [c.lower() for c in line.cells if len(c) < 20]
    header = any(c.startswith("pagu") for c in short) and any(c.startswith("realisasi") for c in short)
    return numeric >= 2 or header


def _paragraphs(pages: list[list[_Line]]) -> list[Block]:
    """Lines -> paragraphs. A paragraph starts at a wider gap, a list marker, or after a line the
    next word would have fitted on (the previous line was ended by hand)."""
    gaps = [b.top - a.bottom for lines in pages for a, b in zip(lines, lines[1:]) if 0 <= b.top - a.bottom < 40]
    usual_gap = statistics.median(gaps) if gaps else 4.0
    right = [line.x1 for lines in pages for line in lines if not _is_row(line)]
    right_margin = statistics.quantiles(right, n=10)[-1] if len(right) >= 10 else max(right, default=0)
    left = [line.x0 for lines in pages for line in lines if not _is_row(line)]
    left_margin = statistics.quantiles(left, n=10)[0] if len(left) >= 10 else min(left, default=0)
    blocks: list[Block] = []
    current: list[_Line] = []
    row: _Line | None = None

    def flush() -> None:
        if current:
            text = current[0].text
            for line in current[1:]:
                text = _join_line(text, line.text)
            blocks.append(Block(text, f"halaman {current[0].page}"))
            current.clear()

    def fits(prev: _Line, line: _Line) -> bool:
        first = line.text.split(" ", 1)[0]
        char = (prev.x1 - prev.x0) / max(len(prev.text), 1)
        # 1.3: capitals and digits (codes, figures) are wider than the line's average letter
        return prev.x1 + 1.3 * char * (len(first) + 1) < right_margin - 2

    prev: _Line | None = None
    for lines in pages:
        for line in lines:
            if _is_row(line):
                flush()
                cells = list(line.cells)
                blocks.append(Block(" ".join(cells), f"halaman {line.page}", tuple(cells)))
                row, prev = line, None
                continue
            if (
                row is not None
                and blocks
                and blocks[-1].cells is not None
                and line.page == row.page
                and line.top - row.bottom < usual_gap + 3
                and not _STARTS_ITEM.match(line.text)
            ):
                # a table cell's wrapped text: the name column of the row above
                cells = list(blocks[-1].cells)
                at = next(
                    (i for i, c in enumerate(cells) if not re.fullmatch(r"[0-9.,%]*|(?:\d{1,2}|[A-Za-z])[.)]", c)), 0
                )
                cells[at] = _join_line(cells[at], line.text)
                blocks[-1] = Block(" ".join(cells), blocks[-1].where, tuple(cells))
                row = line
                continue
            row = None
            height = line.bottom - line.top
            new = (
                prev is None
                or (
                    _STARTS_ITEM.match(line.text) is not None
                    and (ends_sentence(prev.text) or line.text[:1] in BULLETS or fits(prev, line))
                )
                or (line.page == prev.page and line.top - prev.bottom > usual_gap + max(2.5, 0.25 * height))
                or fits(prev, line)
                or (_CLOSES.search(prev.text) and prev.x1 < right_margin - 40)
                or (prev.x1 - prev.x0 < 0.6 * (right_margin - left_margin) and not line.text[:1].islower())
                or (line.page != prev.page and (_CLOSES.search(prev.text) or not re.search(r"[a-z]", line.text)))
                or starts_like(line.text, "Alokasi anggarannya", 0.75)
            )
            if new and not (current and _MARKER_ONLY.fullmatch(current[-1].text) and len(current) == 1):
                flush()
            current.append(line)
            prev = line
    flush()
    return blocks


def _join_line(text: str, nxt: str) -> str:
    """Join a wrapped line: no space after a hyphen or slash that ends a line ("PR.03-" "SD")."""
    if re.search(r"\w[-/]$", text):
        return text + nxt
    return text + " " + nxt


def join_broken(blocks: list[Block]) -> list[Block]:
    """A paragraph broken across pages (no closing punctuation, next starts in lower case) is one."""
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.cells is None
            and block.cells is None
            and not ends_sentence(prev.text)
            and block.text[:1].islower()
            and len(prev.text) > 60
        ):
            out[-1] = Block(prev.text + " " + block.text, prev.where)
        else:
            out.append(block)
    return out
