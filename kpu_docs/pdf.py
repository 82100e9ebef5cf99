"""PDF through LibreOffice (headless), and page numbers read back from the PDF.

One LibreOffice process converts a whole batch: starting it costs about as much as
converting one report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import signal
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import KpuDocsError

INSTALL_HINT = (
    "LibreOffice tidak ditemukan, sehingga PDF tidak dibuat (DOCX dan XLSX tetap ditulis). "
    "Pasang LibreOffice: di Debian/Ubuntu `sudo apt-get install libreoffice-writer-nogui "
    "libreoffice-calc-nogui`, di Windows/macOS unduh dari libreoffice.org, lalu pastikan "
    "perintah `soffice` ada di PATH."
)
TIMEOUT = 600


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(files: list[Path], outdir: Path, target: str = "pdf") -> list[Path]:
    """Convert ``files`` in one LibreOffice process; return the files written."""
    exe = soffice()
    if exe is None:
        raise KpuDocsError(INSTALL_HINT)
    if not files:
        return []
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kpu-docs-lo-") as profile:
        cmd = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", target, "--outdir", str(outdir), *map(str, files)]
        done = _run_group(cmd)
    suffix = "." + target.split(":")[0]
    written = [outdir / (f.stem + suffix) for f in files]
    missing = [p.name for p in written if not p.is_file()]
    if missing:
        raise KpuDocsError(f"LibreOffice gagal membuat {', '.join(missing)}: {done.stderr.strip()[-500:]}")
    return written


def _run_group(cmd: list[str]) -> subprocess.CompletedProcess:
    """Run LibreOffice in its own process group, and kill the whole group (soffice.bin too,
    not just its launcher) on a timeout, Ctrl-C or SIGTERM: no orphaned office process."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise KpuDocsError(f"LibreOffice tidak selesai dalam {TIMEOUT} detik") from None
    except BaseException:
        _kill_group(proc)
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):  # gone, or not POSIX
        proc.kill()
    proc.communicate()


_PAGE_LABEL = re.compile(r"^(\d+|[ivxlcdm]+)$", re.IGNORECASE)


def page_texts(pdf: Path) -> list[str]:
    from pypdf import PdfReader  # imported here: only the PDF path needs it

    return [page.extract_text() or "" for page in PdfReader(str(pdf)).pages]


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def page_label(text: str, physical: int) -> str:
    """The number printed in the page's footer (its last line), else the physical number."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if lines and _PAGE_LABEL.match(lines[-1]):
        return lines[-1]
    return str(physical)


def heading_pages(texts: list[str], headings: list[tuple[int, str]]) -> dict[str, str]:
    """Page label of each heading: chapter headings open their page; others are found in order."""
    normal = [_normal(t) for t in texts]
    pages: dict[str, str] = {}
    cursor = 0
    for level, text in headings:
        wanted = _normal(text)
        for index in range(cursor, len(normal)):
            found = normal[index].startswith(wanted) if level == 1 else wanted in normal[index]
            if found:
                pages[text] = page_label(texts[index], index + 1)
                cursor = index
                break
    return pages


_CREATION = re.compile(rb"/CreationDate\(D:\d{14}")
_CHECKSUMS = re.compile(rb"(?<=<)[0-9A-F]{32}(?=>)|(?<=/DocChecksum /)[0-9A-F]{32}")


def stabilize(pdf: Path, date: dt.date) -> None:
    """Replace what LibreOffice takes from the clock (creation date, file ID, checksum) with
    values from the input, each the same length, so the same report gives the same PDF."""
    data = pdf.read_bytes()
    data = _CREATION.sub(b"/CreationDate(D:" + date.strftime("%Y%m%d000000").encode(), data)
    blank = _CHECKSUMS.sub(b"0" * 32, data)
    digest = hashlib.md5(blank, usedforsecurity=False).hexdigest().upper().encode()
    pdf.write_bytes(_CHECKSUMS.sub(digest, blank))
