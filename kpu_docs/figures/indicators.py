"""Performance indicators (IKU / Perjanjian Kinerja): capaian and kategori, defined once.

The rule (stated in the README):

- capaian = realisasi / target, as an exact fraction (1 = 100 %);
- for an indicator marked ``makin_kecil_makin_baik`` (lower is better):
  capaian = (2 × target − realisasi) / target, floored at 0, as in LKj practice
  (a realisasi 10 % under target scores 110 %);
- no capaian when the target is 0;
- kategori from the capaian as shown (two decimals, the report's one rounding rule), on the ordinal scale of the LAN guideline for LAKIP
  (Keputusan Kepala LAN No. 239/IX/6/8/2003), boundaries belonging to the higher band:
  ≥ 85 % Sangat Berhasil, 70 % to < 85 % Berhasil, 55 % to < 70 % Cukup Berhasil,
  < 55 % Tidak Berhasil.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from kpu_docs.formatting import percent_decimal
from kpu_docs.input.model import Indicator

# (lower bound of the band as a fraction, kategori), highest first.
BANDS: tuple[tuple[Fraction, str], ...] = (
    (Fraction(85, 100), "Sangat Berhasil"),
    (Fraction(70, 100), "Berhasil"),
    (Fraction(55, 100), "Cukup Berhasil"),
    (Fraction(0), "Tidak Berhasil"),
)


def achievement(indicator: Indicator) -> Fraction | None:
    """Capaian as a fraction (1 = 100 %); None when the target is 0."""
    target, actual = Fraction(indicator.target), Fraction(indicator.realisasi)
    if target == 0:
        return None
    if indicator.lower_is_better:
        return max((2 * target - actual) / target, Fraction(0))
    return actual / target


def category(capaian: Fraction | None) -> str:
    """The kategori of a capaian as the report shows it (two decimals by the one rounding rule,
    ``formatting.percent_decimal``), so that 84,996 % shown as 85,00 % is Sangat Berhasil;
    ``-`` without capaian (see ``BANDS``)."""
    if capaian is None:
        return "-"
    shown = Fraction(percent_decimal(capaian) or 0) / 100
    return next(name for bound, name in BANDS if shown >= bound)


def measure_text(value: Decimal | None) -> str:
    """An indicator value in Indonesian notation: ``77,5``, ``1.250``; ``-`` when absent."""
    if value is None:
        return "-"
    normal = value.normalize()
    sign, digits, exponent = normal.as_tuple()
    if isinstance(exponent, int) and exponent > 0:
        normal = normal.quantize(Decimal(1))
    whole, _, fraction = f"{normal:f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return grouped + ("," + fraction if fraction else "")


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator with what follows from it."""

    goal: str
    goal_index: int
    indicator: Indicator
    capaian: Fraction | None
    kategori: str
    key_path: tuple


def rows(goals) -> list[IndicatorRow]:
    """Every indicator, in input order, with capaian and kategori."""
    out = []
    for g, goal in enumerate(goals):
        for i, indicator in enumerate(goal.indicators):
            capaian = achievement(indicator)
            out.append(
                IndicatorRow(
                    goal.goal, g, indicator, capaian, category(capaian), ("indikator_kinerja", g, "indikator", i)
                )
            )
    return out
