"""Chapters of a report, found by their titles (BAB I … BAB IV, KATA PENGANTAR); the table of contents skipped."""

from __future__ import annotations

import re

from kpu_docs.vocabulary import CHAPTERS, NARRATIVE

from .extract import Block
from .text import (
    similar,
)

_CHAPTERS = {chapter.key: chapter.heading for chapter in CHAPTERS}
_FOREWORD = NARRATIVE["kata_pengantar"]  # the one section before BAB I
_BAB = re.compile(r"^BAB\s+([IVXL1l]{1,5})\b\.?\s*(.*)$")
_TOC_ENTRY = re.compile(r"(?:\.{2,}|\s)\s*(?:\d{1,4}|[ivxlc]{1,6})$")


def _chapter_key(title: str) -> str | None:
    for key, name in _CHAPTERS.items():
        if similar(title, name) >= 0.8 or name in title.upper():
            return key
    return None


def segment(blocks: list[Block]) -> tuple[dict[str, list[Block]], list[Block], list[tuple[str, str]]]:
    """Chapters by heading: kata_pengantar, pendahuluan, organisasi, capaian, penutup.

    Returns the chapters, the blocks before the first heading (the cover) and chapters of
    unknown title as (where, title). A table of contents (DAFTAR ISI/TABEL/GAMBAR, or entries
    ending in a page number) is skipped; where headings repeat (a table of contents without
    page numbers), the occurrence with the most text is the chapter."""
    occurrences: list[tuple[str, str, list[Block]]] = []  # (key, where, blocks)
    cover: list[Block] = []
    current: list[Block] | None = None
    in_toc = False
    i = 0
    while i < len(blocks):
        b = blocks[i]
        text = b.text.strip()
        i += 1
        if b.cells is None and re.fullmatch(r"DAFTAR\s+(ISI|TABEL|GAMBAR|LAMPIRAN)", text.upper()):
            in_toc = True
            continue
        m = _BAB.match(text) if b.cells is None else None
        is_foreword = b.cells is None and similar(text, _FOREWORD.heading) >= 0.85 and len(text) < 25
        if (m or is_foreword) and _TOC_ENTRY.search(text) and not is_foreword:
            continue  # "BAB I PENDAHULUAN 1": a table-of-contents entry
        if in_toc and not (m or is_foreword):
            continue
        if is_foreword or m:
            in_toc = False
            if is_foreword:
                key = _FOREWORD.key
            else:
                assert m is not None
                title = m.group(2)
                if not title and i < len(blocks):
                    title = blocks[i].text
                    i += 1
                key = _chapter_key(title) or f"lain:BAB {m.group(1)} {title}"
            current = []
            occurrences.append((key, b.where, current))
            continue
        (cover if current is None else current).append(b)
    chapters: dict[str, list[Block]] = {}
    unknown: list[tuple[str, str]] = []
    for key, _where, found in occurrences:
        if key not in chapters or _size(found) > _size(chapters[key]):
            chapters[key] = found
    for key, where, found in occurrences:
        if key.startswith("lain:") and chapters.get(key) is found:
            unknown.append((where, key[5:]))
    return chapters, cover, unknown


def _size(blocks: list[Block]) -> int:
    return sum(len(b.text) for b in blocks)
