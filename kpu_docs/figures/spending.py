"""Spending by type (jenis belanja) from the akun-level rincian.

An akun is a 6-digit account code; its first two digits give the type (DOMAIN.md,
Spending type): 51 belanja pegawai, 52 belanja barang, 53 belanja modal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kpu_docs.figures.derive import ZERO, BudgetLine, Figures
from kpu_docs.vocabulary import Level

TYPES = {"51": "Belanja Pegawai", "52": "Belanja Barang", "53": "Belanja Modal"}
OTHER = "Belanja Lainnya"
_AKUN = Level.AKUN.info.pattern


def is_akun(line: BudgetLine) -> bool:
    """A leaf below the RO whose own code segment is a 6-digit account (521211)."""
    return line.level > Level.SUB_OUTPUT and not line.children and bool(_AKUN.match(line.segment))


def spending_type(akun: str) -> str:
    """``521211`` → ``Belanja Barang``; an account outside 51–53 → ``Belanja Lainnya``."""
    return TYPES.get(akun[:2], OTHER)


@dataclass(frozen=True)
class TypeTotal:
    prefix: str  # "51", "52", "53" or "" for the rest
    name: str
    figures: Figures


def akun_lines(lines: Iterable[BudgetLine]) -> list[BudgetLine]:
    return [line for line in lines if is_akun(line)]


def by_type(akun: list[BudgetLine]) -> list[TypeTotal]:
    """Totals per spending type, 51/52/53 always listed, others only when present."""
    totals = {prefix: ZERO for prefix in TYPES}
    other = ZERO
    for line in akun:
        prefix = line.segment[:2]
        if prefix in totals:
            totals[prefix] = totals[prefix] + line.figures
        else:
            other = other + line.figures
    out = [TypeTotal(prefix, name, totals[prefix]) for prefix, name in TYPES.items()]
    if any(line.segment[:2] not in TYPES for line in akun):
        out.append(TypeTotal("", OTHER, other))
    return out
