"""Read a hand-typed Laporan Tahunan (DOCX, PDF or text) into a draft input, and audit it."""

from .extract import Block, extract
from .reading import Finding, Reading, read_blocks

__all__ = ["Block", "Finding", "Reading", "extract", "read_blocks", "read_report"]


def read_report(path) -> Reading:
    """Extract and read one report file (raises KpuDocsError for an unreadable file)."""
    from pathlib import Path

    path = Path(path)
    return read_blocks(extract(path), str(path))
