"""One rounding rule for every percentage (formatting.percent_decimal): the report, the annex's
live formulas, the diff and the findings all show the same two decimals, at the halfway points too."""

from __future__ import annotations

import shutil
from decimal import Decimal
from fractions import Fraction

import openpyxl
import pytest
from docx import Document

from kpu_docs.checks.diff import diff
from kpu_docs.formatting import percent, percent_decimal, percent_formula
from kpu_docs.publish.build import build, prepare

from .conftest import node
from .test_annex import _csv_rows, _to_csv

# (realisasi, pagu, what every output shows): halfway points and the clamps
HALFWAY = [
    (99_525, 100_000, "99,53%"),  # exactly halfway: half-up, like a careful person
    (12_345, 100_000, "12,35%"),
    (5, 100_000, "0,01%"),  # 0,005%
    (1, 2_000_000, "0,01%"),  # 0,00005%: not zero, never 0,00%
    (99_995, 100_000, "99,99%"),  # halfway to 100: never 100,00% for what is not
    (1_999_999, 2_000_000, "99,99%"),
    (100_005, 100_000, "100,01%"),  # above 100 never shows 100,00% either
    (0, 100_000, "0,00%"),
    (100_000, 100_000, "100,00%"),
    (2, 3, "66,67%"),
    (1_000_000_000_000_000 - 5, 1_000_000_000_000_000, "99,99%"),  # the largest money
]


@pytest.mark.parametrize("realisasi, pagu, shown", HALFWAY)
def test_the_rule(realisasi, pagu, shown):
    assert percent(Fraction(realisasi, pagu)) == shown


@pytest.mark.parametrize(
    "places, ratio, expected",
    [
        (0, Fraction(99_998, 100_000), "99"),  # "100%" would claim what did not happen
        (0, Fraction(995, 1000), "99"),
        (1, Fraction(99_95, 10_000), "99.9"),
        (0, Fraction(1, 1000), "1"),
        (0, Fraction(1), "100"),
    ],
)
def test_the_rule_at_other_precisions(places, ratio, expected):
    """What a narrative's "100%" or "99,5%" is checked against."""
    assert str(percent_decimal(ratio, places)) == expected


def test_annex_formula_text():
    assert percent_formula("D5", "E5") == (
        '=IF(D5=0,"",IF(AND(E5<>0,ROUND(E5/D5,4)=0),0.0001,'
        "IF(AND(ROUND(E5/D5,4)=1,E5<>D5),IF(E5<D5,0.9999,1.0001),ROUND(E5/D5,4))))"
    )


@pytest.fixture(scope="module")
def halfway_build(tmp_path_factory, sample_data):
    """The sample with one RO per halfway point (and no parent figures stated)."""
    import copy

    import yaml

    data = copy.deepcopy(sample_data)
    stack = list(data["program"])
    while stack:
        n = stack.pop()
        kids = [c for k in ("kegiatan", "output", "sub_output", "rincian") for c in n.get(k, [])]
        if kids:
            n.pop("pagu", None), n.pop("realisasi", None)
        stack += kids
    kro = node(data, "CQ.6709.QGE")
    kro["sub_output"] = [
        {"kode": f"CQ.6709.QGE.{i:03d}", "nama": f"Titik {i}", "pagu": pagu, "realisasi": real, "narasi": ["Uraian."]}
        for i, (real, pagu, _) in enumerate(HALFWAY, start=101)
    ]
    folder = tmp_path_factory.mktemp("halfway")
    path = folder / "inputs" / "kantor" / "2023.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (result,) = build([path], folder / "out")
    assert result.ok, result.reason
    return path, result.destination


def test_report_prints_the_rule(halfway_build):
    _, out = halfway_build
    doc = Document(str(next(out.glob("*.docx"))))
    text = "\n".join(p.text for p in doc.paragraphs)
    for _, _, shown in HALFWAY:
        assert shown in text, shown
    assert "99,52%" not in text and "0,00005" not in text


def _annex_rows(out):
    xlsx = next(out.glob("lampiran-*.xlsx"))
    ws = openpyxl.load_workbook(xlsx, data_only=True)["Rincian Anggaran"]
    return xlsx, {ws.cell(r, 1).value: r for r in range(3, ws.max_row + 1)}, ws


def test_annex_cached_values_follow_the_rule(halfway_build):
    _, out = halfway_build
    _, rows, ws = _annex_rows(out)
    for i, (_real, _pagu, shown) in enumerate(HALFWAY, start=101):
        cell = ws.cell(rows[f"CQ.6709.QGE.{i}"], 7)
        assert cell.number_format == "0.00%"
        assert f"{cell.value * 100:.2f}".replace(".", ",") + "%" == shown


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_annex_recalculated_shows_what_the_report_prints(halfway_build, tmp_path):
    """LibreOffice recomputes every formula (as Excel does after an edit) and shows the report's text."""
    _, out = halfway_build
    xlsx, rows, _ = _annex_rows(out)
    copy = tmp_path / "lampiran.xlsx"
    shutil.copy(xlsx, copy)
    table = _csv_rows(_to_csv([copy], tmp_path, recalc_mode=0) / "lampiran-Rincian Anggaran.csv")
    for i, (_, _, shown) in enumerate(HALFWAY, start=101):
        row = table[rows[f"CQ.6709.QGE.{i}"] - 1]
        raw = Decimal(row[6].rstrip("%"))  # the recalculated value, unformatted
        assert raw == raw.quantize(Decimal("0.01")), (i, row)  # already rounded: 0.00% shows it as is
        assert f"{raw:.2f}".replace(".", ",") + "%" == shown, (i, row)


def test_diff_and_findings_use_the_rule(halfway_build, make_input):
    path, _ = halfway_build
    new, findings = prepare(path)
    old, _ = prepare(make_input(lambda d: node(d, "CQ.6709.QGE.001").update(realisasi=852_312_000)))
    lines = [c.describe() for c in diff(old, new) if c.kind == "penyerapan"]
    assert f"~ Jumlah seluruhnya penyerapan: {percent(old.total.ratio)} → {percent(new.total.ratio)}" in lines
    over = next(f for f in findings if f.subject == "CQ.6709.QGE.107")
    assert "(penyerapan 100,01%)" in over.message  # 100,005%: never shown as 100,00%
