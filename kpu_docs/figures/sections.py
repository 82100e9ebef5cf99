"""The report's outline: built-in chapters and subsections, the sections the input adds
(``bab_tambahan``), and the numbers that follow from what is present.

Walking the outline once in reading order gives every chapter its number (BAB I, II, …),
every subsection its letter (A., B., …) and every table its number (Tabel 1, 2, …), so
adding a chapter renumbers those after it, as a letter's chapter list asks.

Anchors (where ``sebelum``/``sesudah`` may point):

- chapters: ``pendahuluan`` (BAB I), ``organisasi`` (BAB II), ``capaian`` (BAB III),
  ``penutup`` (BAB IV); a section put before or after a chapter is a chapter;
- subsections: ``organisasi.struktur``, ``organisasi.anggaran``, ``capaian.indikator``
  (when the input has indicators), ``capaian.<kode program>`` for each DIPA program and
  ``capaian.hibah<n>.<kode program>`` for each program of the n-th grant;
  a section put before or after a subsection is a subsection of that chapter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kpu_docs.figures.derive import Report
from kpu_docs.vocabulary import CHAPTERS

CHAPTER_KEYS = tuple(chapter.key for chapter in CHAPTERS)
# The template's places for added sections, in reading order (each program of BAB III has its own).
POINTS = (
    "front",
    "after_pendahuluan",
    "organisasi_start",
    "organisasi_mid",
    "organisasi_end",
    "after_organisasi",
    "capaian_start",
    "capaian_end",
    "after_capaian",
    "end",
)
ROMAN = (
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
    "XVIII",
    "XIX",
    "XX",
)


def roman(n: int) -> str:
    """1 → I … 20 → XX (a report has far fewer chapters)."""
    return ROMAN[n - 1] if n <= len(ROMAN) else str(n)


def letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    out, index = "", index + 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(ord("A") + rem) + out
    return out


@dataclass(frozen=True)
class Placed:
    """An added section at its place: its index in ``bab_tambahan`` and its number or letter."""

    index: int
    chapter: bool
    label: str  # "V" for a numbered chapter, "" for an unnumbered one, "C." for a subsection
    sub_labels: tuple[str, ...] = ()  # letters of its own subbab


@dataclass
class Outline:
    """Numbers and letters of everything in the report, and the added sections at each point."""

    chapters: dict[str, str] = field(default_factory=dict)  # chapter id → roman numeral
    subsections: dict[str, str] = field(default_factory=dict)  # subsection anchor → "A."
    program_labels: list[str] = field(default_factory=list)  # BAB III's program subsections: DIPA, then grants
    tables: dict[tuple, int] = field(default_factory=dict)
    points: dict[str, list[Placed]] = field(default_factory=dict)

    def table(self, *key) -> str:
        """The number of a table: ``table("program", 0, 0)``; keys end with the table's index."""
        return str(self.tables[key])


def subsection_anchors(report: Report) -> list[str]:
    """Every subsection anchor, in reading order."""
    anchors = ["organisasi.struktur", "organisasi.anggaran"]
    if report.data.indicators:
        anchors.append("capaian.indikator")
    anchors += [f"capaian.{p.code}" for p in report.programs]
    anchors += [grant_anchor(g, p.code) for g, grant in enumerate(report.grants) for p in grant.programs]
    return anchors


def grant_anchor(grant: int, code: str) -> str:
    """A grant program's subsection in BAB III: ``capaian.hibah1.076.01.CQ`` (its code may be a DIPA one's)."""
    return f"capaian.hibah{grant + 1}.{code}"


def anchor_problem(anchor: str, report: Report) -> str | None:
    """Why an anchor names no place in this report, with the places it may name; None when valid."""
    if anchor in CHAPTER_KEYS or anchor in subsection_anchors(report):
        return None
    known = ", ".join([*CHAPTER_KEYS, *subsection_anchors(report)])
    return f"tempat '{anchor}' tidak dikenal: tulis salah satu dari {known}"


def outline(report: Report) -> Outline:
    """Walk the report in reading order once and number everything present."""
    data = report.data
    out = Outline(points={point: [] for point in POINTS})
    before: dict[str, list[int]] = {}
    after: dict[str, list[int]] = {}
    for i, section in enumerate(data.sections):
        if anchor_problem(section.anchor, report) is None:  # a bad anchor is validate's error
            (before if section.before else after).setdefault(section.anchor, []).append(i)
    chapter_no = 0
    table_no = 0

    def tables_of(key: tuple, count: int) -> None:
        nonlocal table_no
        for t in range(count):
            table_no += 1
            out.tables[key + (t,)] = table_no

    def chapters_at(point: str, indexes: list[int], front: bool) -> None:
        nonlocal chapter_no
        placed = out.points.setdefault(point, [])
        for i in indexes:
            section = data.sections[i]
            numbered = section.numbered if section.numbered is not None else not front
            if numbered:
                chapter_no += 1
            subs = tuple(f"{letter(k)}." for k in range(len(section.subsections)))
            placed.append(Placed(i, True, roman(chapter_no) if numbered else "", subs))
            tables_of(("section", i), len(section.tables))
            for k, sub in enumerate(section.subsections):
                tables_of(("section", i, k), len(sub.tables))

    def chapter(name: str) -> None:
        nonlocal chapter_no
        chapter_no += 1
        out.chapters[name] = roman(chapter_no)

    letters = iter(())

    def subs_at(point: str, indexes: list[int]) -> None:
        placed = out.points.setdefault(point, [])
        for i in indexes:
            placed.append(Placed(i, False, next(letters)))
            tables_of(("section", i), len(data.sections[i].tables))

    def builtin_sub(anchor: str) -> str:
        label: str = next(letters)
        out.subsections[anchor] = label
        return label

    def letter_stream():
        n = 0
        while True:
            yield f"{letter(n)}."
            n += 1

    chapters_at("front", before.get("pendahuluan", []), front=True)
    chapter("pendahuluan")
    chapters_at("after_pendahuluan", after.get("pendahuluan", []) + before.get("organisasi", []), front=False)

    chapter("organisasi")
    letters = letter_stream()
    subs_at("organisasi_start", before.get("organisasi.struktur", []))
    builtin_sub("organisasi.struktur")
    subs_at("organisasi_mid", after.get("organisasi.struktur", []) + before.get("organisasi.anggaran", []))
    builtin_sub("organisasi.anggaran")
    if report.grants:
        tables_of(("sources",), 1)
    tables_of(("programs",), 1)
    for p in range(len(report.programs)):
        tables_of(("program", p), 1)
    for g, grant in enumerate(report.grants):
        for p in range(len(grant.programs)):
            tables_of(("grant", g, "program", p), 1)
    subs_at("organisasi_end", after.get("organisasi.anggaran", []))
    chapters_at("after_organisasi", after.get("organisasi", []) + before.get("capaian", []), front=False)

    chapter("capaian")
    letters = letter_stream()
    pending = []  # sections placed after the previous subsection
    if data.indicators:
        subs_at("capaian_start", before.get("capaian.indikator", []))
        builtin_sub("capaian.indikator")
        tables_of(("indicators",), 1)
        pending = after.get("capaian.indikator", [])
    for p, program in enumerate(report.programs):
        anchor = f"capaian.{program.code}"
        subs_at(f"capaian_program_{p}", pending + before.get(anchor, []))
        out.program_labels.append(builtin_sub(anchor))
        pending = after.get(anchor, [])
    for g, grant in enumerate(report.grants):
        for p, program in enumerate(grant.programs):
            anchor = grant_anchor(g, program.code)
            subs_at(f"capaian_grant_{g}_{p}", pending + before.get(anchor, []))
            out.program_labels.append(builtin_sub(anchor))
            pending = after.get(anchor, [])
    subs_at("capaian_end", pending)
    chapters_at("after_capaian", after.get("capaian", []) + before.get("penutup", []), front=False)

    chapter("penutup")
    chapters_at("end", after.get("penutup", []), front=False)
    return out
