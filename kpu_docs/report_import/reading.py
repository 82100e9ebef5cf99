"""Read a Laporan Tahunan laid out like the example (DOMAIN.md, "Structure of the report").

The result is the data of a draft input (YAML keys as in ``model``), the comments the draft
carries (where the report disagrees with itself), what could not be read, and findings.
Figures are never guessed: one not read exactly stays ``None``.
"""

from __future__ import annotations

from .budget import cross_check, read_bab2_budget, read_capaian
from .chapters import segment
from .extract import Block
from .front import closing, cover, foreword, signatory_vs_secretary
from .organisation import read_organisation, split_bab2
from .result import Finding, Reading

__all__ = ["Finding", "Reading", "read_blocks"]


def read_blocks(blocks: list[Block], source: str) -> Reading:
    """Read a report's blocks into a draft input (see module docstring)."""
    chapters, front_matter, unknown = segment(blocks)
    reading = Reading(source, {})
    for where, title in unknown:
        reading.unread.append((where, f"bab tidak dikenal '{title}' tidak diimpor"))
    data = reading.data
    cover(reading, front_matter, chapters)
    data["laporan"] = {}
    data["narasi"] = {}
    foreword(reading, chapters.get("kata_pengantar", []))
    intro = chapters.get("pendahuluan", [])
    data["narasi"]["pendahuluan"] = [b.text for b in intro if b.cells is None]
    if not intro:
        reading.missing(("narasi", "pendahuluan"), source, "BAB PENDAHULUAN tidak ditemukan")
    data["narasi"]["penutup"], slogan = closing(reading, chapters.get("penutup", []))
    org_blocks, budget_blocks = split_bab2(chapters.get("organisasi", []))
    read_organisation(reading, org_blocks)
    stated = read_bab2_budget(budget_blocks)
    read_capaian(reading, chapters.get("capaian", []))
    cross_check(reading, stated)
    signatory_vs_secretary(reading)
    if slogan:
        data["slogan"] = slogan
    return reading
