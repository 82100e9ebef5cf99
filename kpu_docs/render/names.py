"""The names of a report's files: cited in the report itself (the annex's name in BAB I) and
used to publish them (one folder per office and year)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from kpu_docs.input.model import AnnualReportInput


def slug(text: str) -> str:
    """``KPU Kota Serang`` → ``kpu-kota-serang``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def folder(root: Path, data: AnnualReportInput) -> Path:
    """One folder per office and year: ``outputs/kpu-kota-serang/2023``."""
    return root / slug(data.office.name) / str(data.year)


def file_names(data: AnnualReportInput) -> dict[str, str]:
    """The four file names of one office and year, by kind (``docx``, ``xlsx``, ``pdf``, ``check``)."""
    stem = f"{data.year}-{slug(data.office.name)}"
    return {
        "docx": f"laporan-tahunan-{stem}.docx",
        "xlsx": f"lampiran-{stem}.xlsx",
        "pdf": f"laporan-tahunan-{stem}.pdf",
        "check": f"pemeriksaan-{stem}.xlsx",  # the office's own notes, not part of the submission
    }
