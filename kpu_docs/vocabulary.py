"""The domain's words, defined once: the budget tree's levels and the report's narrative sections.

Every module that names a level (its YAML key, the shape of its code, its noun in the report
or in a message) or a narrative section reads it here, so that a level or a chapter is named
in one place; what else adding one takes (its model field or class, its place in the outline,
the template) is in ARCHITECTURE.md's walkthroughs. Sources: DOMAIN.md ("The budget hierarchy and its codes", "Structure of the report")
and SAKTI.md (GLP039 and POK code forms). Imports nothing from the package.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, NamedTuple

# --- the budget tree ------------------------------------------------------------------------


class Level(IntEnum):
    """Depth in the DIPA tree (DOMAIN.md): a node's level is its parent's plus one."""

    PROGRAM = 0
    KEGIATAN = 1
    OUTPUT = 2  # KRO
    SUB_OUTPUT = 3  # RO
    KOMPONEN = 4
    SUB_KOMPONEN = 5
    AKUN = 6
    DETAIL = 7  # a SAKTI detail item; the input's rincian count as akun from depth 6 on

    @property
    def info(self) -> BudgetLevel:
        """This level's row in ``LEVELS`` (nouns, YAML key, code segment)."""
        return LEVELS[self]

    @property
    def noun(self) -> str:
        """The word the report uses for nodes of this level."""
        return LEVELS[self].noun

    @classmethod
    def at(cls, depth: int) -> Level:
        """The level of an input node at ``depth``: rincian deeper than akun count as akun."""
        return cls(min(depth, cls.AKUN))


@dataclass(frozen=True)
class BudgetLevel:
    """One level of the tree. ``segment`` is the regex of the code's own last segment
    (``6709`` of ``CQ.6709``); ``key`` the YAML key listing this level's nodes under their parent."""

    level: Level
    name: str  # in messages and SAKTI findings: "kegiatan", "KRO"
    noun: str  # in the documents: "Output Kegiatan"
    short: str  # in the annex's column headers: "Output"
    abbreviation: str  # "KRO", "RO"; "" where the noun is the only name
    key: str  # "output"
    segment: str  # regex, without anchors
    shape: str  # the segment in words, for messages: "tiga huruf kapital"
    example: str  # a full code of this level: "CQ.6709.QGE"
    words: str = ""  # regex for the level's noun as prose writes it (start of a phrase, any case)

    @property
    def pattern(self) -> re.Pattern[str]:
        """The segment, anchored: ``pattern.match(segment)``."""
        return re.compile(rf"^(?:{self.segment})$")

    @property
    def noun_abbreviated(self) -> str:
        """``Output Kegiatan (KRO)``; ``Kegiatan``."""
        return f"{self.noun} ({self.abbreviation})" if self.abbreviation else self.noun

    @property
    def counted(self) -> str:
        """Column header of a count in the annex: ``Jumlah Output (KRO)``."""
        return f"Jumlah {self.short} ({self.abbreviation})" if self.abbreviation else f"Jumlah {self.short}"


# Below the RO the input's rincian may stop at any depth and mix komponen and akun (DOMAIN.md),
# so their codes are only checked to be one short segment of letters and digits.
ANY_SEGMENT = r"[A-Za-z0-9]{1,6}"
ANY_SHAPE = "satu segmen huruf/angka"

LEVELS: tuple[BudgetLevel, ...] = (
    BudgetLevel(
        Level.PROGRAM, "program", "Program", "Program", "", "program",
        r"[A-Z]{2}", "dua huruf kapital", "076.01.CQ", r"program\b",
    ),
    BudgetLevel(
        Level.KEGIATAN, "kegiatan", "Kegiatan", "Kegiatan", "", "kegiatan",
        r"\d{4}", "empat angka", "CQ.6709", r"kegiatan\b",
    ),
    BudgetLevel(
        Level.OUTPUT, "KRO", "Output Kegiatan", "Output", "KRO", "output",
        r"[A-Z]{3}", "tiga huruf kapital", "CQ.6709.QGE", r"output(\s+kegiatan)?\b|\bkro\b",
    ),
    BudgetLevel(
        Level.SUB_OUTPUT, "RO", "Sub. Output Kegiatan", "Sub Output", "RO", "sub_output",
        r"\d{3}", "tiga angka", "CQ.6709.QGE.001", r"sub\.?\s*output(\s+kegiatan)?\b|\bro\b",
    ),
    BudgetLevel(
        Level.KOMPONEN, "komponen", "Komponen", "Komponen", "", "rincian",
        r"\d{3}", "tiga angka", "CQ.6709.QGE.001.051",
    ),
    BudgetLevel(
        Level.SUB_KOMPONEN, "sub komponen", "Sub Komponen", "Sub Komponen", "", "rincian",
        r"[A-Z]{1,2}|\d[A-Z]", "satu atau dua huruf, atau angka dan huruf", "CQ.6709.QGE.001.051.0A",
    ),
    BudgetLevel(
        Level.AKUN, "akun", "Akun", "Akun", "", "rincian",
        r"\d{6}", "enam angka", "CQ.6709.QGE.001.051.0A.521211",
    ),
    BudgetLevel(
        Level.DETAIL, "detail", "Detail", "Detail", "", "rincian",
        ANY_SEGMENT, ANY_SHAPE, "CQ.6709.QGE.001.051.0A.521211.000017",
    ),
)  # fmt: skip

# The levels the report narrates (BAB III, DOMAIN.md): program down to RO; the RO carries the
# narasi; deeper levels stay in the annex.
REPORTED: tuple[BudgetLevel, ...] = LEVELS[: Level.SUB_OUTPUT + 1]

# A program's full code: ministry (076, KPU), Eselon I unit (01), then the program's segment;
# its children's codes start with that segment only (CQ.6709), never with 076.01.
MINISTRY = r"\d{3}"
UNIT = r"\d{2}"
PROGRAM_PREFIX = rf"{MINISTRY}\.{UNIT}"
PROGRAM_SEGMENT = LEVELS[Level.PROGRAM].segment
PROGRAM_CODE = re.compile(rf"^{PROGRAM_PREFIX}\.{PROGRAM_SEGMENT}$")

# SAKTI writes a sub-komponen after its komponen (``051.0A``, SAKTI.md); with that prefix any
# one to three letters or digits are read as its segment.
SUB_KOMPONEN_AFTER_KOMPONEN = r"[A-Z0-9]{1,3}"

# The YAML keys that list children, in tree order (``rincian`` for every level below RO).
CHILD_KEYS: tuple[str, ...] = tuple(dict.fromkeys(level.key for level in LEVELS[1:]))


def child_key(depth: int) -> str:
    """The YAML key listing the children of a node at ``depth`` (0: program; RO and below: rincian)."""
    return LEVELS[min(depth + 1, len(LEVELS) - 1)].key


def code_prefix(level: int, code: str) -> str:
    """What a child's code starts with: a program's segment (``CQ`` of ``076.01.CQ``), else the code."""
    return code.rsplit(".", 1)[-1] if level == Level.PROGRAM else code


class Step(NamedTuple):
    """One node met by ``walk``: its level, the node, its key path below the root
    (``("kegiatan", 0, "output", 1)``) and its ancestors, root first."""

    level: Level
    node: Any
    key_path: tuple[str | int, ...]
    parents: tuple[Any, ...]


def model_children(node: Any, level: Level) -> Iterable[Any]:
    """Children of a model node or a derived line (``Node.children``, ``BudgetLine.children``)."""
    return node.children


def dict_children(node: Any, level: Level) -> Iterable[Any]:
    """Children of a node read as plain YAML data: the list under its level's child key, if any."""
    found = node.get(child_key(level)) if isinstance(node, dict) else None
    return found if isinstance(found, list) else ()


def walk(
    root: Any, children: Callable[[Any, Level], Iterable[Any]] = model_children, level: Level = Level.PROGRAM
) -> Iterator[Step]:
    """``root`` and every node below it, depth first in input order (``root`` is at ``level``).

    ``children(node, level)`` lists a node's children: ``model_children`` (the default) for the
    model or the derived report, ``dict_children`` for YAML read as plain data."""

    def visit(node: Any, depth: int, key_path: tuple[str | int, ...], parents: tuple[Any, ...]) -> Iterator[Step]:
        here = Level.at(depth)
        yield Step(here, node, key_path, parents)
        key = child_key(depth)
        for i, child in enumerate(children(node, here)):
            yield from visit(child, depth + 1, (*key_path, key, i), (*parents, node))

    return visit(root, int(level), (), ())


# --- the chapters and the narrative sections ------------------------------------------------


class Chapter(NamedTuple):
    """A numbered chapter of the report (BAB I … IV, DOMAIN.md "Structure of the report"):
    ``key`` is its anchor (``sebelum``/``sesudah``, figures.sections), ``heading`` its title."""

    key: str
    heading: str


CHAPTERS: tuple[Chapter, ...] = (
    Chapter("pendahuluan", "PENDAHULUAN"),
    Chapter("organisasi", "STRUKTUR ORGANISASI"),
    Chapter("capaian", "CAPAIAN PRIORITAS"),
    Chapter("penutup", "PENUTUP"),
)


@dataclass(frozen=True)
class NarrativeSection:
    """A section of paragraphs the office writes under ``narasi`` (DOMAIN.md, Structure)."""

    key: str  # YAML key under narasi: "pendahuluan"
    attribute: str  # the model's attribute (input.model.Narratives) and the Word context's key
    title: str  # the web form's label
    heading: str  # its heading in the report (a chapter's: ``CHAPTERS``), read back by report_import
    chapter: str | None  # the chapter it is (a key of ``CHAPTERS``), None for front matter
    emptied_next_year: bool  # ``kpu-docs new`` starts it empty


NARRATIVES: tuple[NarrativeSection, ...] = (
    NarrativeSection("kata_pengantar", "foreword", "Kata pengantar", "KATA PENGANTAR", None, True),
    NarrativeSection("pendahuluan", "introduction", "Pendahuluan", "PENDAHULUAN", "pendahuluan", True),
    NarrativeSection("penutup", "closing", "Penutup", "PENUTUP", "penutup", True),
)
NARRATIVE = {section.key: section for section in NARRATIVES}
