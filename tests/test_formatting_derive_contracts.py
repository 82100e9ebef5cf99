"""Contracts of formatting and derive that the mutation run (tools/mutation.sh) found untested:
what a misuse error says, and which figures derive reports as *stated*. See tests/README.md."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from kpu_docs.figures.derive import derive
from kpu_docs.formatting import amount, date_id, number_words, parse_amount, percent, rupiah
from kpu_docs.input.load import load


@pytest.mark.parametrize("call", [amount, rupiah, number_words])
def test_money_and_counts_refuse_non_int_and_say_why(call):
    with pytest.raises(TypeError, match=r"^n must be an int \(whole Rupiah / count\), got float: 1\.5$"):
        call(1.5)
    with pytest.raises(TypeError, match=r"got bool: True$"):
        call(True)


def test_percent_refuses_a_float_ratio_and_says_why():
    with pytest.raises(TypeError, match=r"^ratio must be a Fraction \(or None\), got float: 0\.5$"):
        percent(0.5)
    assert percent(Fraction(1, 2)) == "50,00%"


def test_date_id_refuses_text_and_says_why():
    with pytest.raises(TypeError, match=r"^d must be a datetime\.date, got str: '2024-01-31'$"):
        date_id("2024-01-31")
    assert date_id(dt.date(2024, 1, 31)) == "31 Januari 2024"


def test_number_words_range_errors_name_the_number():
    with pytest.raises(ValueError, match=r"non-negative number, got -1$"):
        number_words(-1)
    with pytest.raises(ValueError, match=r"supports up to 999999999999999, got 1000000000000000$"):
        number_words(10**15)


def test_parse_amount_errors():
    with pytest.raises(TypeError, match=r"^text must be a str, got int: 5$"):
        parse_amount(5)
    with pytest.raises(ValueError, match="tidak boleh negatif"):  # says why, not just "not valid"
        parse_amount("-Rp1.500")
    with pytest.raises(ValueError, match="tidak boleh negatif"):
        parse_amount("  -1500")


def test_stated_figures_are_those_written_on_parents_only(sample_path):
    report = derive(load(sample_path))
    program = report.programs[0]
    assert (program.stated_pagu, program.stated_realisasi) == (18_256_293_000, 18_168_826_339)
    leaves = [line for line in report.lines() if not line.children]
    assert leaves and all(line.stated_pagu is None and line.stated_realisasi is None for line in leaves)
