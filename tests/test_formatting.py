"""Tests for kpu_docs.formatting. All expectations are hand-worked literals."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from kpu_docs import formatting as fmt

NOT_INTS = [1.0, 1.5, True, False, "1000", Decimal("1000"), Fraction(1), None]


# --- amount / rupiah -------------------------------------------------------------------


@pytest.mark.parametrize(
    "n, expected",
    [
        (0, "0"),
        (1, "1"),
        (999, "999"),
        (1000, "1.000"),
        (1001, "1.001"),
        (123456, "123.456"),
        (18256293000, "18.256.293.000"),
        (18168826339, "18.168.826.339"),
        (1000000000000, "1.000.000.000.000"),
        (2500000000000, "2.500.000.000.000"),
        (999999999999999, "999.999.999.999.999"),
        (-1, "-1"),
        (-1500, "-1.500"),
        (-18256293000, "-18.256.293.000"),
    ],
)
def test_amount(n, expected):
    assert fmt.amount(n) == expected


@pytest.mark.parametrize(
    "n, expected",
    [
        (0, "Rp0"),
        (1000, "Rp1.000"),
        (18256293000, "Rp18.256.293.000"),
        (1000000000000, "Rp1.000.000.000.000"),
        (2500000000000, "Rp2.500.000.000.000"),
        (-1500, "-Rp1.500"),
        (-18256293000, "-Rp18.256.293.000"),
    ],
)
def test_rupiah(n, expected):
    assert fmt.rupiah(n) == expected


@pytest.mark.parametrize("func", [fmt.amount, fmt.rupiah, fmt.number_words])
@pytest.mark.parametrize("bad", NOT_INTS)
def test_int_functions_refuse_non_int(func, bad):
    with pytest.raises(TypeError):
        func(bad)


# --- percentages -----------------------------------------------------------------------


# (ratio, expected percent_number, expected percent_decimal)
PERCENT_CASES = [
    # exactly zero stays zero
    (Fraction(0), "0,00", Decimal("0.00")),
    # non-zero never shows as 0,00
    (Fraction(4, 100000), "0,01", Decimal("0.01")),  # 0,004%
    (Fraction(1, 10**12), "0,01", Decimal("0.01")),
    (Fraction(5, 100000), "0,01", Decimal("0.01")),  # 0,005% half-up
    (Fraction(6, 100000), "0,01", Decimal("0.01")),  # 0,006%
    (Fraction(15, 100000), "0,02", Decimal("0.02")),  # 0,015% half-up (half-even would give 0,02 too)
    (Fraction(25, 100000), "0,03", Decimal("0.03")),  # 0,025% half-up (half-even would give 0,02)
    # below 100% never shows as 100,00
    (Fraction(99995, 100000), "99,99", Decimal("99.99")),  # 99,995%
    (Fraction(99998, 100000), "99,99", Decimal("99.99")),  # 99,998% (seen in the example as 100%)
    (Fraction(10**12 - 1, 10**12), "99,99", Decimal("99.99")),
    (Fraction(99994999, 10**8), "99,99", Decimal("99.99")),  # 99,994999%
    (Fraction(99985, 100000), "99,99", Decimal("99.99")),  # 99,985% half-up
    (Fraction(99984999, 10**8), "99,98", Decimal("99.98")),
    # exactly 100%
    (Fraction(1), "100,00", Decimal("100.00")),
    (Fraction(18256293000, 18256293000), "100,00", Decimal("100.00")),
    # above 100% never shows as 100,00
    (Fraction(100004, 100000), "100,01", Decimal("100.01")),  # 100,004%
    (Fraction(10**12 + 1, 10**12), "100,01", Decimal("100.01")),
    (Fraction(100005, 100000), "100,01", Decimal("100.01")),  # 100,005% half-up
    (Fraction(10048, 10000), "100,48", Decimal("100.48")),  # 100,48%
    (Fraction(1004849, 1000000), "100,48", Decimal("100.48")),  # 100,4849%
    (Fraction(1004850, 1000000), "100,49", Decimal("100.49")),  # 100,4850% half-up
    # ordinary values
    (Fraction(2275, 10000), "22,75", Decimal("22.75")),
    (Fraction(12745, 100000), "12,75", Decimal("12.75")),  # 12,745% half-up
    (Fraction(12744999, 10**8), "12,74", Decimal("12.74")),
    (Fraction(1005, 100000), "1,01", Decimal("1.01")),  # float(0.01005)*100 would round to 1,00
    (Fraction(1, 8), "12,50", Decimal("12.50")),
    (Fraction(1, 3), "33,33", Decimal("33.33")),
    (Fraction(2, 3), "66,67", Decimal("66.67")),
    (Fraction(1, 2), "50,00", Decimal("50.00")),
    # 18.168.826.339 / 18.256.293.000 = 0,99520238... (hand: 18256293000 * 0.9952 = 18168782793.6)
    (Fraction(18168826339, 18256293000), "99,52", Decimal("99.52")),
    (Fraction(9952, 10000), "99,52", Decimal("99.52")),
    # thousands separator in large percentages; an int ratio is accepted
    (Fraction(123456), "12.345.600,00", Decimal("12345600.00")),
    (2, "200,00", Decimal("200.00")),
    # negatives mirror the positive rules
    (Fraction(-12745, 100000), "-12,75", Decimal("-12.75")),
    (Fraction(-4, 100000), "-0,01", Decimal("-0.01")),
]


@pytest.mark.parametrize("ratio, expected, _dec", PERCENT_CASES)
def test_percent_number(ratio, expected, _dec):
    assert fmt.percent_number(ratio) == expected


@pytest.mark.parametrize("ratio, expected, _dec", PERCENT_CASES)
def test_percent(ratio, expected, _dec):
    assert fmt.percent(ratio) == expected + "%"


@pytest.mark.parametrize("ratio, _text, expected", PERCENT_CASES)
def test_percent_decimal(ratio, _text, expected):
    got = fmt.percent_decimal(ratio)
    assert got == expected
    assert str(got) == str(expected)  # exactly two places


def test_percent_none():
    assert fmt.percent_number(None) == "-"
    assert fmt.percent(None) == "-"
    assert fmt.percent_decimal(None) is None


@pytest.mark.parametrize("bad", [0.5, 1.0, True, "0.5", Decimal("0.5")])
def test_percent_refuses_non_fraction(bad):
    for func in (fmt.percent_number, fmt.percent, fmt.percent_decimal):
        with pytest.raises(TypeError):
            func(bad)


def test_percent_of_a_realisasi_ratio():
    assert fmt.percent(Fraction(18168826339, 18256293000)) == "99,52%"
    assert fmt.percent(None) == "-"


# --- dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "d, expected",
    [
        (datetime.date(2024, 1, 31), "31 Januari 2024"),
        (datetime.date(2023, 12, 1), "1 Desember 2023"),
        (datetime.date(2023, 12, 13), "13 Desember 2023"),
        (datetime.date(2024, 2, 29), "29 Februari 2024"),
        (datetime.date(2024, 3, 5), "5 Maret 2024"),
        (datetime.date(2024, 4, 1), "1 April 2024"),
        (datetime.date(2024, 5, 2), "2 Mei 2024"),
        (datetime.date(2024, 6, 30), "30 Juni 2024"),
        (datetime.date(2024, 7, 4), "4 Juli 2024"),
        (datetime.date(2024, 8, 17), "17 Agustus 2024"),
        (datetime.date(2024, 9, 9), "9 September 2024"),
        (datetime.date(2024, 10, 28), "28 Oktober 2024"),
        (datetime.date(2024, 11, 10), "10 November 2024"),
        (datetime.datetime(2024, 1, 31, 15, 30), "31 Januari 2024"),
    ],
)
def test_date_id(d, expected):
    assert fmt.date_id(d) == expected


@pytest.mark.parametrize("bad", ["2024-01-31", 20240131, None])
def test_date_id_refuses_non_date(bad):
    with pytest.raises(TypeError):
        fmt.date_id(bad)


# --- number words ----------------------------------------------------------------------

NINES_999 = "sembilan ratus sembilan puluh sembilan"


@pytest.mark.parametrize(
    "n, expected",
    [
        (0, "nol"),
        (1, "satu"),
        (2, "dua"),
        (9, "sembilan"),
        (10, "sepuluh"),
        (11, "sebelas"),
        (12, "dua belas"),
        (19, "sembilan belas"),
        (20, "dua puluh"),
        (21, "dua puluh satu"),
        (99, "sembilan puluh sembilan"),
        (100, "seratus"),
        (101, "seratus satu"),
        (110, "seratus sepuluh"),
        (111, "seratus sebelas"),
        (200, "dua ratus"),
        (999, "sembilan ratus sembilan puluh sembilan"),
        (1000, "seribu"),
        (1001, "seribu satu"),
        (1100, "seribu seratus"),
        (1111, "seribu seratus sebelas"),
        (2000, "dua ribu"),
        (10000, "sepuluh ribu"),
        (11000, "sebelas ribu"),
        (21000, "dua puluh satu ribu"),
        (100000, "seratus ribu"),
        (101000, "seratus satu ribu"),
        (1000000, "satu juta"),
        (1000001, "satu juta satu"),
        (1001000, "satu juta seribu"),
        (2001000, "dua juta seribu"),
        (1000000000, "satu miliar"),
        (1000001000, "satu miliar seribu"),
        (1000000000000, "satu triliun"),
        (1000000001000, "satu triliun seribu"),
        (2500000000000, "dua triliun lima ratus miliar"),
        (
            18256293000,
            "delapan belas miliar dua ratus lima puluh enam juta dua ratus sembilan puluh tiga ribu",
        ),
        (
            999999999999999,
            f"{NINES_999} triliun {NINES_999} miliar {NINES_999} juta {NINES_999} ribu {NINES_999}",
        ),
    ],
)
def test_number_words(n, expected):
    assert fmt.number_words(n) == expected


def test_number_words_never_milyar():
    assert "milyar" not in fmt.number_words(7_000_000_000)


@pytest.mark.parametrize("bad", [-1, -1000, 1_000_000_000_000_000])
def test_number_words_out_of_range(bad):
    with pytest.raises(ValueError):
        fmt.number_words(bad)


def _num2words_is_right(n: int) -> bool:
    """num2words(lang='id') is wrong only when a thousands group of exactly 1 follows a larger scale."""
    return not (n >= 1_000_000 and (n // 1000) % 1000 == 1)


_CROSS_CHECK = [
    n
    for n in list(range(0, 2100))
    + [
        12_345,
        99_999,
        100_001,
        999_999,
        1_234_567,
        2_002_002,
        20_000_000,
        305_070_090,
        18_256_293_000,
        18_168_826_339,
        7_000_000_000_000,
        123_456_789_012_345,
    ]
    if _num2words_is_right(n)
]


def test_number_words_matches_num2words_where_it_is_right():
    num2words = pytest.importorskip("num2words").num2words
    mismatches = [
        (n, fmt.number_words(n), num2words(n, lang="id"))
        for n in _CROSS_CHECK
        if fmt.number_words(n) != num2words(n, lang="id")
    ]
    assert mismatches == []


# --- count -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n, noun, expected",
    [
        (10, "Kegiatan", "10 (sepuluh) Kegiatan"),
        (2, "orang", "2 (dua) orang"),
        (1, "Program", "1 (satu) Program"),
        (0, "Output Kegiatan", "0 (nol) Output Kegiatan"),
        (3, "Output Kegiatan", "3 (tiga) Output Kegiatan"),
        (11, "Sub. Output Kegiatan", "11 (sebelas) Sub. Output Kegiatan"),
        (1000, "orang", "1.000 (seribu) orang"),
    ],
)
def test_count(n, noun, expected):
    assert fmt.count(n, noun) == expected


def test_count_refuses_bad_numbers():
    with pytest.raises(ValueError):
        fmt.count(-1, "orang")
    with pytest.raises(TypeError):
        fmt.count(2.0, "orang")
    with pytest.raises(TypeError):
        fmt.count(True, "orang")


# --- parse_amount ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("18.256.293.000", 18256293000),
        ("18256293000", 18256293000),
        ("Rp18.256.293.000", 18256293000),
        ("Rp 18.256.293.000", 18256293000),
        ("Rp. 18.256.293.000", 18256293000),
        ("Rp.18.256.293.000", 18256293000),
        ("  18.256.293.000  ", 18256293000),
        ("\tRp18.256.293.000\n", 18256293000),
        ("18.256.293.000,00", 18256293000),
        ("Rp18.256.293.000,00", 18256293000),
        ("Rp 18.256.293.000,-", 18256293000),
        ("18256293000,00", 18256293000),
        ("0", 0),
        ("Rp0", 0),
        ("Rp0,-", 0),
        ("999", 999),
        ("1.000", 1000),
        ("Rp1.000", 1000),
        ("1.000.000.000.000", 1000000000000),
    ],
)
def test_parse_amount_accepts(text, expected):
    got = fmt.parse_amount(text)
    assert got == expected
    assert type(got) is int


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Rp",
        "Rp.",
        "18.256.293.000,50",  # real decimals
        "18.256.293.000,5",
        "1000,0",
        "1.5",  # a decimal written with a point
        "1.00.000",  # misplaced thousand dots
        "1.0000",
        "10000.000",
        "0.500",
        ".100",
        "1.000.",
        "1,000",  # comma as thousands separator
        "1 000",
        "-1500",  # negative
        "-1.500",
        "-Rp1.500",
        "Rp-1.500",
        "abc",
        "12a",
        "1e6",
        "Rp Rp1.000",
        "1.000,00,00",
        "1.000,-00",
        "\u0661\u0662",  # non-ASCII digits
    ],
)
def test_parse_amount_refuses(text):
    with pytest.raises(ValueError, match="bukan jumlah Rupiah yang sah") as info:
        fmt.parse_amount(text)
    assert "18256293000" in str(info.value)
    assert '"18.256.293.000"' in str(info.value)


@pytest.mark.parametrize("bad", [1000, 1000.0, None, b"1000"])
def test_parse_amount_refuses_non_str(bad):
    with pytest.raises(TypeError):
        fmt.parse_amount(bad)


@pytest.mark.parametrize("n", [0, 1, 999, 1000, 18256293000, 2500000000000])
def test_parse_amount_round_trips(n):
    assert fmt.parse_amount(fmt.amount(n)) == n
    assert fmt.parse_amount(fmt.rupiah(n)) == n


# --- the spellings are Babel's own ("id") -----------------------------------------------


def test_amounts_percentages_and_dates_are_spelled_as_babel_spells_them():
    import random

    from babel import Locale
    from babel.dates import format_date
    from babel.numbers import parse_pattern

    locale = Locale.parse("id")
    whole, hundredths = parse_pattern("#,##0"), parse_pattern("#,##0.00")
    rng = random.Random(17)
    ints = [*range(-2_000, 2_000), *(rng.randint(-(10**16), 10**16) for _ in range(20_000))]
    ints += [s * 10**k + d for k in range(19) for s in (1, -1) for d in (-1, 0, 1)]
    for n in ints:
        assert fmt.amount(n) == whole.apply(n, locale)
    for n in ints:  # n hundredths of a percent: the ratio n / 10,000, exactly
        assert fmt.percent_number(Fraction(n, 10_000)) == hundredths.apply(Decimal(n).scaleb(-2), locale), n
    day = datetime.date(1999, 12, 25)
    while day.year < 2031:
        assert fmt.date_id(day) == format_date(day, "d MMMM y", locale="id")
        day += datetime.timedelta(days=1)


def test_the_symbols_and_month_names_come_from_babel(monkeypatch):
    """Babel is the source of the locale's symbols and month names, not a copy of them here."""
    import babel.dates
    import babel.numbers

    fmt._symbols.cache_clear()
    monkeypatch.setattr(babel.numbers, "get_group_symbol", lambda locale: "'")
    monkeypatch.setattr(babel.numbers, "get_decimal_symbol", lambda locale: "·")
    monkeypatch.setattr(babel.dates, "get_month_names", lambda width, locale: {m: f"B{m}" for m in range(1, 13)})
    try:
        assert fmt.amount(1234567) == "1'234'567"
        assert fmt.percent(Fraction(123456, 100_000)) == "123·46%"
        assert fmt.date_id(datetime.date(2024, 3, 5)) == "5 B3 2024"
    finally:
        monkeypatch.undo()
        fmt._symbols.cache_clear()
    assert fmt.amount(1234567) == "1.234.567"
