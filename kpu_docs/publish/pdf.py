"""PDF through LibreOffice (headless), and page numbers read back from the PDF.

One LibreOffice process converts a whole batch: starting it costs about as much as
converting one report. Where LibreOffice's scripting interface (UNO) is available, that
one pass also numbers the table of contents and reports the number printed on each page
(``convert_numbered``); headings are then found through the PDF's outline, never by
matching text. Otherwise ``convert`` is plain ``soffice --convert-to``, the numbers are read
from the first PDF's footers (``footer_labels``) and a second pass writes the PDF.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kpu_docs.errors import PdfError

INSTALL_HINT = (
    "LibreOffice tidak ditemukan, sehingga PDF tidak dibuat (DOCX dan XLSX tetap ditulis). "
    "Pasang LibreOffice: di Debian/Ubuntu `sudo apt-get install libreoffice-writer-nogui "
    "libreoffice-calc-nogui`, di Windows/macOS unduh dari libreoffice.org, lalu pastikan "
    "perintah `soffice` ada di PATH."
)
TIMEOUT = 600
TIMEOUT_PER_FILE = 60
NO_UNO_NOTICE = (
    "antarmuka skrip LibreOffice (UNO) tidak tersedia: PDF dibuat dengan dua kali jalan LibreOffice "
    "(lebih lambat); pasang `python3-uno` (Debian/Ubuntu) untuk satu kali jalan."
)
WORKER = Path(__file__).with_name("lo_worker.py")
UNO_PYTHON_ENV = "KPU_DOCS_UNO_PYTHON"  # a Python that can `import uno`, if not /usr/bin/python3


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(files: list[Path], outdir: Path, target: str = "pdf") -> list[Path]:
    """Convert ``files`` in one LibreOffice process; return the files written."""
    exe = soffice()
    if exe is None:
        raise PdfError(INSTALL_HINT)
    if not files:
        return []
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kpu-docs-lo-") as profile:
        cmd = [
            exe,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            *map(str, files),
        ]
        done = _run_group(cmd)
    suffix = "." + target.split(":")[0]
    written = [outdir / (f.stem + suffix) for f in files]
    missing = [p.name for p in written if not p.is_file()]
    if missing:
        raise PdfError(f"LibreOffice gagal membuat {', '.join(missing)}: {done.stderr.strip()[-500:]}")
    return written


def _run_group(cmd: list[str]) -> subprocess.CompletedProcess:
    """Run LibreOffice in its own process group, and kill the whole group (soffice.bin too,
    not just its launcher) on a timeout, Ctrl-C or SIGTERM: no orphaned office process."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise PdfError(f"LibreOffice tidak selesai dalam {TIMEOUT} detik") from None
    except BaseException:
        _kill_group(proc)
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _kill_group(proc: subprocess.Popen) -> None:
    _signal_group(proc)
    proc.communicate()


def _signal_group(proc: subprocess.Popen) -> None:
    """SIGKILL to the process group ``proc`` leads (started with ``start_new_session``)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):  # gone, or not POSIX
        try:
            proc.kill()
        except ProcessLookupError:
            pass


# --- one pass through UNO ---------------------------------------------------------------------


@functools.cache
def uno_python() -> str | None:
    """A Python interpreter that can ``import uno`` (LibreOffice's scripting bridge), or None.

    Tried in order: ``$KPU_DOCS_UNO_PYTHON``, the system ``/usr/bin/python3`` (Debian's
    ``python3-uno``), the Python bundled next to ``soffice`` (Windows, macOS)."""
    candidates = [os.environ.get(UNO_PYTHON_ENV), "/usr/bin/python3"]
    exe = soffice()
    if exe:
        program = Path(os.path.realpath(exe)).parent
        candidates += [str(program / "python"), str(program / "python.exe")]
    for candidate in candidates:
        if not candidate or not Path(candidate).is_file():
            continue
        try:
            done = subprocess.run([candidate, "-c", "import uno"], capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0:
            return candidate
    return None


@dataclass(frozen=True)
class Numbered:
    """One PDF from ``convert_numbered``: its file, each page's number as (UNO
    ``NumberingType``, number), and LibreOffice's own table of contents as text."""

    pdf: Path
    numbers: list[tuple[int, int]]
    toc: str = ""
    error: str = ""

    @property
    def labels(self) -> list[str]:
        """The number printed on each page: ``["", "i", "ii", "1", …]`` (``""``: none)."""
        return [printed_number(kind, number) for kind, number in self.numbers]


def convert_numbered(files: list[Path], outdir: Path) -> Iterator[Numbered]:
    """Convert ``files`` (DOCX) to PDF in one LibreOffice driven through UNO: each table of
    contents updated by LibreOffice, each page's printed number reported. Yields one
    ``Numbered`` per file, in order, as soon as LibreOffice has written it (so the caller's
    work on one overlaps LibreOffice's on the next). Raises KpuDocsError when LibreOffice or
    UNO is missing or the run fails as a whole; a single document that fails has ``error``."""
    import threading

    exe, python = soffice(), uno_python()
    if exe is None:
        raise PdfError(INSTALL_HINT)
    if python is None:
        raise PdfError(NO_UNO_NOTICE)
    if not files:
        return
    outdir.mkdir(parents=True, exist_ok=True)
    targets = [outdir / (f.stem + ".pdf") for f in files]
    limit = TIMEOUT + TIMEOUT_PER_FILE * len(files)
    with tempfile.TemporaryDirectory(prefix="kpu-docs-lo-") as scratch:
        job = {
            "soffice": exe,
            "profile": (Path(scratch) / "profile").as_uri(),
            "files": [[str(f.resolve()), str(t.resolve())] for f, t in zip(files, targets)],
        }
        with open(Path(scratch) / "stderr", "w+", encoding="utf-8", errors="replace") as stderr:
            # its own process group: soffice.bin, started by the worker, goes with it on a kill
            proc = subprocess.Popen(
                [python, str(WORKER)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                encoding="utf-8",
                start_new_session=True,
            )
            assert proc.stdin is not None and proc.stdout is not None  # both PIPE
            timer = threading.Timer(limit, _signal_group, (proc,))
            timer.start()
            count = 0
            try:
                proc.stdin.write(json.dumps(job))
                proc.stdin.close()
                for line in proc.stdout:
                    if not line.startswith("{") or count >= len(targets):
                        continue
                    data, target = json.loads(line), targets[count]
                    count += 1
                    if "error" in data or not target.is_file():
                        yield Numbered(target, [], error=data.get("error", "PDF tidak ditulis"))
                    else:
                        yield Numbered(target, [(kind, number) for kind, number in data["pages"]], data.get("toc", ""))
                proc.wait()
            finally:
                expired = not timer.is_alive() and proc.returncode not in (0, 3)
                timer.cancel()
                _signal_group(proc)  # whatever is left of the group: no orphaned office process
                proc.wait()
            stderr.seek(0)
            message = stderr.read().strip()[-500:]
    if proc.returncode == 3:
        raise PdfError(NO_UNO_NOTICE)
    if expired:
        raise PdfError(f"LibreOffice tidak selesai dalam {limit} detik")
    if proc.returncode != 0 or count != len(files):
        raise PdfError(f"LibreOffice (UNO) gagal setelah {count} dari {len(files)} berkas: {message}")


# com.sun.star.style.NumberingType → PDF page label style (ISO 32000-1, 12.4.2)
NUMBER_NONE = 5
_LABEL_STYLE = {0: "/A", 1: "/a", 2: "/R", 3: "/r", 4: "/D"}
_ROMAN = (
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
)


def printed_number(numbering: int, number: int) -> str:
    """Page ``number`` as printed in a UNO ``NumberingType`` style: 3, 4 → ``iv``; 4, 4 →
    ``4``; 5 (none) → ``""``. Styles other than letters and roman print as arabic."""
    style = _LABEL_STYLE.get(numbering, "/D") if numbering != NUMBER_NONE else None
    if style is None:
        return ""
    if style in ("/r", "/R"):
        text = ""
        for value, letters in _ROMAN:
            while number >= value:
                text += letters
                number -= value
        return text.upper() if style == "/R" else text
    if style in ("/a", "/A"):
        text = ""
        while number > 0:
            number, rest = divmod(number - 1, 26)
            text = chr(ord("a") + rest) + text
        return text.upper() if style == "/A" else text
    return str(number)


def label_ranges(numbers: list[tuple[int, int]]) -> list[tuple[int, int, str | None, int]]:
    """Runs of pages numbered in sequence, from each page's (UNO ``NumberingType``, number):
    (first index, last index, PDF label style or None for unnumbered, first number)."""
    ranges: list[tuple[int, int, str | None, int]] = []
    for index, (numbering, number) in enumerate(numbers):
        style = None if numbering == NUMBER_NONE else _LABEL_STYLE.get(numbering, "/D")
        if ranges:
            first, last, r_style, r_start = ranges[-1]
            if style == r_style and (style is None or number == r_start + (index - first)):
                ranges[-1] = (first, index, r_style, r_start)
                continue
        ranges.append((index, index, style, number))
    return ranges


def set_page_labels(pdf: Path, numbers: list[tuple[int, int]]) -> None:
    """Write the PDF's page labels (what a viewer shows as the page number) so that they match
    the numbers printed on the pages: i, ii, 1, 2 … Appended as an incremental update (a new
    catalog, xref section and trailer, ISO 32000-1 7.5.6): the pages' bytes are untouched."""
    from io import BytesIO
    from typing import cast

    from pypdf import PdfReader  # imported here: only the PDF path needs it
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

    data = pdf.read_bytes()
    reader = PdfReader(BytesIO(data))
    if len(reader.pages) != len(numbers):
        raise PdfError(f"{pdf.name}: {len(reader.pages)} halaman PDF, tetapi {len(numbers)} nomor halaman")
    nums = ArrayObject()
    for first, _, style, start in label_ranges(numbers):
        label = DictionaryObject()
        if style is None:
            label[NameObject("/P")] = TextStringObject("")
        else:
            label[NameObject("/S")] = NameObject(style)
            label[NameObject("/St")] = NumberObject(start)
        nums += [NumberObject(first), label]
    root = reader.trailer.raw_get("/Root")
    catalog = DictionaryObject(cast(DictionaryObject, reader.trailer["/Root"]))
    catalog[NameObject("/PageLabels")] = DictionaryObject({NameObject("/Nums"): nums})
    previous = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    out = BytesIO()
    out.write(data if data.endswith(b"\n") else data + b"\n")
    offset = out.tell()
    out.write(f"{root.idnum} {root.generation} obj\n".encode())
    catalog.write_to_stream(out)
    out.write(b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 1\n0000000000 65535 f \n{root.idnum} 1\n{offset:010d} {root.generation:05d} n \n".encode())
    trailer = f"/Size {reader.trailer['/Size']} /Root {root.idnum} {root.generation} R"
    info = reader.trailer.raw_get("/Info") if "/Info" in reader.trailer else None
    if info is not None:
        trailer += f" /Info {info.idnum} {info.generation} R"
    if "/ID" in reader.trailer:  # as hex strings, where stabilize() finds them
        trailer += (
            " /ID [ "
            + " ".join(
                f"<{bytes(part.original_bytes).hex().upper()}>" for part in cast(ArrayObject, reader.trailer["/ID"])
            )
            + " ]"
        )
    out.write(f"trailer\n<< {trailer} /Prev {previous} >>".encode())
    out.write(f"\nstartxref\n{xref}\n%%EOF\n".encode())
    pdf.write_bytes(out.getvalue())


def outline(pdf: Path) -> list[tuple[str, int]]:
    """(title, 0-based page index) of every entry of the PDF's outline (bookmarks), in order."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    entries: list[tuple[str, int]] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                page = reader.get_destination_page_number(item)
                if page is not None and page >= 0:
                    entries.append((str(item.title), page))

    walk(reader.outline)
    return entries


def heading_labels(
    headings: list[tuple[int, str]],
    entries: list[tuple[str, int]],
    labels: list[str],
    toc: str = "",
    texts: list[str] | None = None,
) -> dict[str, str]:
    """Printed page number of each heading: its page found through the PDF outline
    (``entries``), its number from ``labels``. Cross-checked against LibreOffice's own tables of
    contents (``toc``, lines ``text<TAB>number``) when given.

    Table captions (level ``table_list.LEVEL``) are not in the outline: their number is the one
    LibreOffice wrote in its own DAFTAR TABEL (``toc``) or, without UNO, the first page at or
    after the previous heading's whose text (``texts``) holds the caption.

    Raises KpuDocsError rather than return a number it cannot vouch for: a heading missing
    from the outline, a page without a printed number, or a disagreement with LibreOffice."""
    from kpu_docs.render.docx.table_list import LEVEL as CAPTION

    toc_lines = []
    for line in toc.splitlines():
        text, _, number = line.rpartition("\t")
        if text:
            toc_lines.append((_normal(text), number.strip()))
    pages: dict[str, str] = {}
    cursor = toc_cursor = page = 0
    for level, text in headings:
        wanted = _normal(text)
        if level == CAPTION:
            label, page = _caption_label(text, wanted, toc_lines, texts, labels, page)
            pages.setdefault(text, label)
            continue
        found = next((i for i in range(cursor, len(entries)) if _normal(entries[i][0]) == wanted), None)
        if found is None:
            raise PdfError(
                f'judul "{text}" tidak ditemukan di kerangka (outline) PDF, sehingga nomor '
                "halamannya di daftar isi tidak dapat dipastikan"
            )
        cursor = found + 1
        page = index = entries[found][1]
        label = labels[index] if index < len(labels) else ""
        if not label:
            raise PdfError(
                f'halaman judul "{text}" (halaman ke-{index + 1} PDF) tidak mencetak nomor '
                "halaman: periksa kaki/kepala halaman templat"
            )
        in_toc = next((i for i in range(toc_cursor, len(toc_lines)) if toc_lines[i][0] == wanted), None)
        if in_toc is not None:
            toc_cursor = in_toc + 1
            if toc_lines[in_toc][1] != label:
                raise PdfError(
                    f'nomor halaman "{text}" tidak cocok: {label} menurut PDF, '
                    f"{toc_lines[in_toc][1]} menurut daftar isi LibreOffice"
                )
        pages.setdefault(text, label)
    return pages


def _caption_label(
    text: str, wanted: str, toc_lines: list[tuple[str, str]], texts: list[str] | None, labels: list[str], page: int
) -> tuple[str, int]:
    """(printed number, page index) of a table caption; see ``heading_labels``."""
    listed = [number for line, number in toc_lines if line == wanted and number]
    if listed:
        return listed[0], page
    for index in range(page, len(texts or [])):
        assert texts is not None
        if wanted in _normal(texts[index]) and index < len(labels) and labels[index]:
            return labels[index], index
    raise PdfError(
        f'keterangan tabel "{text}" tidak ditemukan di PDF, sehingga nomor halamannya di '
        "daftar tabel tidak dapat dipastikan"
    )


# --- two passes without UNO (the older method) --------------------------------------------------


_PAGE_LABEL = re.compile(r"^(\d+|[ivxlcdm]+)$", re.IGNORECASE)


def page_texts(pdf: Path) -> list[str]:
    from pypdf import PdfReader  # imported here: only the PDF path needs it

    return [page.extract_text() or "" for page in PdfReader(str(pdf)).pages]


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def footer_labels(texts: list[str]) -> list[str]:
    """The page number printed in each page's footer, read as the page text's last line when
    it looks like one (``12``, ``iv``), else ``""`` (unknown: ``heading_labels`` then refuses)."""
    labels = []
    for text in texts:
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        labels.append(lines[-1] if lines and _PAGE_LABEL.match(lines[-1]) else "")
    return labels


_CREATION = re.compile(rb"/CreationDate\(D:\d{14}")
_CHECKSUMS = re.compile(rb"(?<=<)[0-9A-Fa-f]{32}(?=>)|(?<=/DocChecksum /)[0-9A-F]{32}")


def stabilize(pdf: Path, date: dt.date) -> None:
    """Replace what LibreOffice takes from the clock (creation date, file ID, checksum) with
    values from the input, each the same length, so the same report gives the same PDF."""
    data = pdf.read_bytes()
    data = _CREATION.sub(b"/CreationDate(D:" + date.strftime("%Y%m%d000000").encode(), data)
    blank = _CHECKSUMS.sub(b"0" * 32, data)
    digest = hashlib.md5(blank, usedforsecurity=False).hexdigest().upper().encode()
    pdf.write_bytes(_CHECKSUMS.sub(digest, blank))
