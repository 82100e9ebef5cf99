"""Prose checks on sentences real reports contain: no warning where nothing is wrong."""

from __future__ import annotations

import pytest

from kpu_docs.checks import prose
from kpu_docs.figures.derive import derive
from kpu_docs.input.load import load

from .conftest import SAMPLE


def claims(make_input, sentence: str) -> list[str]:
    text = SAMPLE.read_text(encoding="utf-8").replace("  penutup:\n", f'  penutup:\n    - "{sentence}"\n', 1)
    return [c.message for c in prose.check(derive(load(make_input(text=text))))]


@pytest.mark.parametrize(
    "sentence",
    [
        "Berdasarkan Undang-Undang No. 7 Tahun 2017 tentang Pemilihan Umum.",
        "Berdasarkan UU No 7 Tahun 2017 tentang Pemilihan Umum.",
        "Sesuai PKPU No.3 Tahun 2022 tentang Tahapan.",
    ],
)
def test_abbreviated_citations_are_not_leftover_years(make_input, sentence):
    assert claims(make_input, sentence) == []


def test_a_leftover_year_is_still_found(make_input):
    (found,) = claims(make_input, "Laporan ini menggambarkan kegiatan Tahun 2022.")
    assert "tahun 2022" in found


@pytest.mark.parametrize(
    "sentence",
    [
        "Telepon kantor (0254) 123456, faksimile 0254 (Kantor) 654321.",
        "Pemilu 2024 (Pemilihan Umum Serentak) dipersiapkan sejak 2023.",
        "Pagu Rp20.415.736.000 (dua puluh miliar empat ratus lima belas juta tujuh ratus tiga puluh enam ribu rupiah).",
    ],
)
def test_words_in_brackets_that_are_not_a_number_are_left_alone(make_input, sentence):
    assert claims(make_input, sentence) == []


def test_a_count_whose_word_disagrees_is_still_found(make_input):
    (found,) = claims(make_input, "Terdapat 2 (tiga) orang Pengemudi.")
    assert "bukan 'tiga'" in found


@pytest.mark.parametrize("written", ["99,56%", "99.56%", "99.6%", "99,565%"])
def test_a_percentage_matching_the_data_passes_with_either_decimal_mark(make_input, written):
    # the sample's total: 317.607.217 / 318.995.875 = 99,5646...%
    assert claims(make_input, f"Realisasi anggaran mencapai {written} dari pagu.") == []


@pytest.mark.parametrize("written", ["98,52%", "98.52%", "97.5%", "100%"])
def test_a_wrong_percentage_is_found_with_either_decimal_mark(make_input, written):
    (found,) = claims(make_input, f"Realisasi anggaran mencapai {written} dari pagu.")
    assert f"persentase {written.removesuffix('%')}% tidak sesuai data" in found and "Tulis 99,56%" in found
