"""Where outputs go and how they land: all or nothing, reproducible bytes.

Files are written into a staging folder first; only when every file of a build is
complete are they moved into place, and a file is replaced only when its bytes changed.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from contextlib import contextmanager
from pathlib import Path

from .model import AnnualReportInput

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can hold


def slug(text: str) -> str:
    """``KPU Kota Serang`` → ``kpu-kota-serang``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def folder(root: Path, data: AnnualReportInput) -> Path:
    """One folder per office and year: ``outputs/kpu-kota-serang/2023``."""
    return root / slug(data.office.name) / str(data.year)


def file_names(data: AnnualReportInput) -> dict[str, str]:
    stem = f"{data.year}-{slug(data.office.name)}"
    return {
        "docx": f"laporan-tahunan-{stem}.docx",
        "xlsx": f"lampiran-{stem}.xlsx",
        "pdf": f"laporan-tahunan-{stem}.pdf",
        "check": f"pemeriksaan-{stem}.xlsx",  # the office's own notes, not part of the submission
    }


def normalize_zip(path: Path) -> None:
    """Rewrite a .docx/.xlsx with fixed entry times so identical content gives identical bytes."""
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info)) for info in src.infolist()]
    tmp = path.with_suffix(path.suffix + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            fixed = zipfile.ZipInfo(info.filename, ZIP_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, data)
    os.replace(tmp, path)


@contextmanager
def staging(root: Path):
    """A scratch folder inside the output ``root`` (the same file system, so publishing is an
    atomic rename); removed whatever happens."""
    root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".kpu-docs-", dir=root))
    try:
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def publish(files: list[Path], destination: Path) -> list[Path]:
    """Move finished files into ``destination``; return those whose content changed."""
    destination.mkdir(parents=True, exist_ok=True)
    changed = []
    for src in files:
        target = destination / src.name
        if target.exists() and target.read_bytes() == src.read_bytes():
            continue
        os.replace(src, target)
        changed.append(target)
    return changed
