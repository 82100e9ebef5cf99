"""Derive every figure once: totals, sisa, ratios and counts, from the leaves up.

Renderers read only what is computed here, so the Word report and the Excel annex
cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from fractions import Fraction

from .errors import KeyPath
from .load import Document
from .model import AnnualReportInput, Node, SubOutput, child_key


class Level(IntEnum):
    """Depth in the DIPA tree."""

    PROGRAM = 0
    KEGIATAN = 1
    OUTPUT = 2
    SUB_OUTPUT = 3
    KOMPONEN = 4
    SUB_KOMPONEN = 5
    AKUN = 6

    @property
    def noun(self) -> str:
        """The word the report uses for nodes of this level."""
        return _NOUNS[self]

    @classmethod
    def at(cls, depth: int) -> Level:
        return cls(min(depth, cls.AKUN))


_NOUNS = {
    Level.PROGRAM: "Program",
    Level.KEGIATAN: "Kegiatan",
    Level.OUTPUT: "Output Kegiatan",
    Level.SUB_OUTPUT: "Sub. Output Kegiatan",
    Level.KOMPONEN: "Komponen",
    Level.SUB_KOMPONEN: "Sub Komponen",
    Level.AKUN: "Akun",
}


@dataclass(frozen=True)
class Figures:
    """Pagu and realisasi in whole Rupiah, with what follows from them."""

    pagu: int
    realisasi: int

    @property
    def sisa(self) -> int:
        return self.pagu - self.realisasi

    @property
    def ratio(self) -> Fraction | None:
        """Penyerapan, exact; None when there is no pagu."""
        return Fraction(self.realisasi, self.pagu) if self.pagu else None

    def __add__(self, other: Figures) -> Figures:
        return Figures(self.pagu + other.pagu, self.realisasi + other.realisasi)


ZERO = Figures(0, 0)


@dataclass(frozen=True)
class BudgetLine:
    """A node of the budget tree with its derived figures."""

    code: str
    name: str
    level: Level
    figures: Figures
    stated_pagu: int | None
    stated_realisasi: int | None
    narrative: tuple[str, ...]
    children: tuple[BudgetLine, ...]
    key_path: KeyPath = field(compare=False)

    def walk(self) -> Iterator[BudgetLine]:
        """This line and all below it, depth first, in input order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Report:
    """Everything the renderers need: the input's facts and the derived tree."""

    document: Document
    programs: tuple[BudgetLine, ...]

    @property
    def data(self) -> AnnualReportInput:
        return self.document.data

    @property
    def total(self) -> Figures:
        return sum((p.figures for p in self.programs), ZERO)

    @property
    def depth(self) -> Level:
        """The deepest level present in the input."""
        return max(line.level for line in self.lines())

    def lines(self) -> Iterator[BudgetLine]:
        for program in self.programs:
            yield from program.walk()


def derive(document: Document) -> Report:
    """Build the derived report from a loaded document."""
    programs = tuple(_line(p, 0, ("program", i)) for i, p in enumerate(document.data.programs))
    return Report(document, programs)


def _line(node: Node, depth: int, key_path: KeyPath) -> BudgetLine:
    children = tuple(_line(c, depth + 1, (*key_path, child_key(depth), i)) for i, c in enumerate(node.children))
    if children:
        figures = sum((c.figures for c in children), ZERO)
    else:
        # A leaf's own figures are the authority; a childless parent (an error the
        # validator reports) counts as whatever it states.
        figures = Figures(node.pagu or 0, node.realisasi or 0)
    return BudgetLine(
        code=node.code,
        name=node.name,
        level=Level.at(depth),
        figures=figures,
        stated_pagu=node.pagu if children else None,
        stated_realisasi=node.realisasi if children else None,
        narrative=tuple(node.narrative) if isinstance(node, SubOutput) else (),
        children=children,
        key_path=key_path,
    )
