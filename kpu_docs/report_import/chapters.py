"""Chapters of a report, found by their titles (BAB I … BAB IV, KATA PENGANTAR); the table of contents skipped."""

from __future__ import annotations

import re

from .extract import Block
from .text import (
    similar,
)

_CHAPTERS = {
    "pendahuluan": "PENDAHULUAN",
    "organisasi": "STRUKTUR ORGANISASI",
    "capaian": "CAPAIAN PRIORITAS",
    "penutup": "PENUTUP",
}
_BAB = re.compile(r"^BAB\s+([IVXL1l]{1,5})\b\.?\s*(.*)$")
_TOC_ENTRY = re.compile(r"(?:\.{2,}|\s)\s*(?:\d{1,4}|[ivxlc]{1,6})$")


def _chapter_key(title: str) -> str | None:
    for key, name in _CHAPTERS.items():
        if similar(title, name) >= 0.8 or name in title.upper():
            return key
    return None


def segment(blocks: list[Block]) -> tuple[dict[str, list[Block]], list[Block], list[tuple[str, str]]]:
    """Chapters by heading: cover, kata_pengantar, pendahuluan, organisasi, capaian, penutup.

    Returns the chapters, the blocks before the first heading (the cover) and chapters of
    unknown title as (where, title)."""
    chapters: dict[str, list[Block]] = {}
    cover: list[Block] = []
    unknown: list[tuple[str, str]] = []
    current: list[Block] | None = None
    in_toc = False
    i = 0
    while i < len(blocks):
        b = blocks[i]
        text = b.text.strip()
        upper = text.upper()
        if b.cells is None and re.fullmatch(r"DAFTAR\s+(ISI|TABEL|GAMBAR|LAMPIRAN)", upper):
            in_toc = True
            i += 1
            continue
        m = _BAB.match(text) if b.cells is None else None
        is_foreword = b.cells is None and similar(text, "KATA PENGANTAR") >= 0.85 and len(text) < 25
        if in_toc and not ((m or is_foreword) and not _TOC_ENTRY.search(text) ) :
            i += 1
            continue
        if (m or is_foreword) and _TOC_ENTRY.search(text) and not is_foreword:
            # "BAB I PENDAHULUAN 1": a table-of-contents entry outside a DAFTAR ISI page
            if m and m.group(2) and _chapter_key(_TOC_ENTRY.sub("", m.group(2))):
                i += 1
                continue
        if is_foreword:
            in_toc = False
            current = chapters.setdefault("kata_pengantar", [])
            i += 1
            continue
        if m:
            in_toc = False
            title = m.group(2)
            if not title and i + 1 < len(blocks):
                title = blocks[i + 1].text
                i += 1
            key = _chapter_key(title)
            if key is None:
                unknown.append((b.where, f"BAB {m.group(1)} {title}"))
                current = chapters.setdefault(f"lain:{title}", [])
            else:
                current = chapters.setdefault(key, [])
            i += 1
            continue
        if current is None:
            cover.append(b)
        else:
            current.append(b)
        i += 1
    return chapters, cover, unknown
