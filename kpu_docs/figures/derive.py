"""Derive every figure once: totals, sisa, ratios and counts, from the leaves up.

Renderers read only what is computed here, so the Word report and the Excel annex
cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction

from kpu_docs.errors import KeyPath
from kpu_docs.input.load import Document
from kpu_docs.input.model import AnnualReportInput, Grant, Node, Obstacle, SubOutput
from kpu_docs.vocabulary import Level, child_key


@dataclass(frozen=True)
class Figures:
    """Pagu and realisasi in whole Rupiah, with what follows from them."""

    pagu: int
    realisasi: int
    blokir: int = 0  # pagu held back (lock pagu), where the input gives it

    @property
    def sisa(self) -> int:
        return self.pagu - self.realisasi

    @property
    def ratio(self) -> Fraction | None:
        """Penyerapan, exact; None when there is no pagu."""
        return Fraction(self.realisasi, self.pagu) if self.pagu else None

    def __add__(self, other: Figures) -> Figures:
        return Figures(self.pagu + other.pagu, self.realisasi + other.realisasi, self.blokir + other.blokir)


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
    obstacles: tuple[Obstacle, ...] = ()

    @property
    def segment(self) -> str:
        """The code's own last segment (``QGE`` in ``CQ.6709.QGE``; an akun's ``521211``)."""
        return self.code.rsplit(".", 1)[-1]

    def walk(self) -> Iterator[BudgetLine]:
        """This line and all below it, depth first, in input order."""
        yield self
        for child in self.children:
            yield from child.walk()


DIPA = "DIPA (APBN)"


@dataclass(frozen=True)
class FundingSource:
    """One budget tree: the DIPA (APBN), or a regional grant (hibah APBD under an NPHD)."""

    name: str  # "DIPA (APBN)" or the grant's name
    source: str  # "APBN", "APBD Provinsi Contoh"
    programs: tuple[BudgetLine, ...]
    key_path: KeyPath = field(compare=False)  # () for the DIPA, ("hibah", i) for a grant
    grant: Grant | None = None

    @property
    def total(self) -> Figures:
        return sum((p.figures for p in self.programs), ZERO)

    @property
    def is_grant(self) -> bool:
        return self.grant is not None

    def lines(self) -> Iterator[BudgetLine]:
        for program in self.programs:
            yield from program.walk()


@dataclass(frozen=True)
class Report:
    """Everything the renderers need: the input's facts and the derived tree.

    ``programs`` is the DIPA (APBN) tree, as always; ``grants`` the regional grants' trees."""

    document: Document
    programs: tuple[BudgetLine, ...]
    grants: tuple[FundingSource, ...] = ()

    @property
    def data(self) -> AnnualReportInput:
        return self.document.data

    @property
    def total(self) -> Figures:
        return sum((p.figures for p in self.programs), ZERO)

    @property
    def sources(self) -> tuple[FundingSource, ...]:
        """The DIPA first, then each grant."""
        return (FundingSource(DIPA, "APBN", self.programs, ()), *self.grants)

    @property
    def grand_total(self) -> Figures:
        """All sources together (equal to ``total`` without grants)."""
        return sum((s.total for s in self.sources), ZERO)

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
    grants = tuple(
        FundingSource(
            g.name,
            g.source,
            tuple(_line(p, 0, ("hibah", gi, "program", i)) for i, p in enumerate(g.programs)),
            ("hibah", gi),
            g,
        )
        for gi, g in enumerate(document.data.grants)
    )
    return Report(document, programs, grants)


def _line(node: Node, depth: int, key_path: KeyPath) -> BudgetLine:
    children = tuple(_line(c, depth + 1, (*key_path, child_key(depth), i)) for i, c in enumerate(node.children))
    if children:
        figures = sum((c.figures for c in children), ZERO)
    else:
        # A leaf's own figures are the authority; a childless parent (an error the
        # validator reports) counts as whatever it states.
        figures = Figures(node.pagu or 0, node.realisasi or 0, getattr(node, "blokir", None) or 0)
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
        obstacles=tuple(getattr(node, "obstacles", ())),
    )
