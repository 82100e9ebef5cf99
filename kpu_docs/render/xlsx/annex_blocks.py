"""The annex sheets of the optional blocks: funding sources, the grants' budget trees, spending
by type, performance indicators, and the blokir column. Each appears only when the input
gives what it shows, so an input without them gets the same workbook as before.

As in ``annex``, every derived cell is a live formula written with its computed value.
"""

from __future__ import annotations

from collections.abc import Sequence

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from kpu_docs.figures.derive import ZERO, BudgetLine, FundingSource, Report
from kpu_docs.figures.indicators import BANDS
from kpu_docs.figures.indicators import rows as indicator_rows
from kpu_docs.figures.spending import TYPES, akun_lines, by_type, spending_type
from kpu_docs.formatting import percent_formula
from kpu_docs.render.xlsx.annex import (
    AMOUNT,
    CODE,
    LEVEL,
    NAME,
    PAGU,
    PCT,
    REAL,
    SISA,
    TOTAL_FILL,
    TREE,
    TREE_FIRST,
    TREE_HEADERS,
    _cell,
    _figures,
    _fit_row,
    _flag_overspending,
    _percent_format,
    _ratio_value,
    _set_widths,
    _Styles,
    _sum,
    _table_header,
    _tree_line,
    _tree_widths,
)

SOURCES = "Sumber Dana"
GRANTS = "Rincian Hibah"
SPENDING = "Jenis Belanja"
INDICATORS = "Indikator Kinerja"
BLOKIR = PCT + 1  # the blokir column, after %, in a tree sheet


def sheet_names(report: Report) -> list[str]:
    """The extra sheets this report's annex gets, in order."""
    names = []
    if report.grants:
        names += [SOURCES, GRANTS]
    if any(akun_lines(s.lines()) for s in report.sources):
        names.append(SPENDING)
    if report.data.indicators:
        names.append(INDICATORS)
    return names


def has_blokir(lines) -> bool:
    return any(line.figures.blokir for line in lines)


def write_sheets(sheets: dict[str, Worksheet], report: Report, rows: dict[str, int], styles: _Styles) -> None:
    """Fill the extra sheets; ``rows`` are the DIPA tree's rows in Rincian Anggaran."""
    grant_rows = _grant_rows(report)
    if GRANTS in sheets:
        _grants_sheet(sheets[GRANTS], report, grant_rows, styles)
        _sources_sheet(sheets[SOURCES], report, grant_rows, styles)
    if SPENDING in sheets:
        _spending_sheet(sheets[SPENDING], report, rows, grant_rows, styles)
    if INDICATORS in sheets:
        _indicators_sheet(sheets[INDICATORS], report, styles)


# --- blokir ---------------------------------------------------------------------------------------


def blokir_column(
    sheet: Worksheet,
    lines: Sequence[BudgetLine],
    rows: dict[str, int],
    total_row: int,
    top_rows: list[int],
    styles: _Styles,
    header_row: int = 0,
) -> None:
    """Blokir (Rp) beside a tree: numbers on leaves, sums on parents and on the total row."""
    sheet.set_column(BLOKIR, BLOKIR, 17)
    sheet.write_string(header_row, BLOKIR, "Blokir (Rp)", styles.header)
    total = sum(line.figures.blokir for line in lines if line.level == 0)
    sheet.write_formula(
        total_row, BLOKIR, _sum(BLOKIR, top_rows), styles.cell(AMOUNT, bold=True, fill=TOTAL_FILL), total
    )
    for line in lines:
        bold = line.level == 0
        if line.children:
            sheet.write_formula(
                rows[line.code],
                BLOKIR,
                _sum(BLOKIR, [rows[c.code] for c in line.children]),
                styles.cell(AMOUNT, bold=bold),
                line.figures.blokir,
            )
        else:
            sheet.write_number(rows[line.code], BLOKIR, line.figures.blokir, styles.cell(AMOUNT, bold=bold))


# --- Rincian Hibah: each grant's tree, as Rincian Anggaran shows the DIPA's --------------------------


def _grant_rows(report: Report) -> list[tuple[int, dict[str, int]]]:
    """Per grant: (its total row, full code → row) in the Rincian Hibah sheet."""
    out, row = [], 1
    for grant in report.grants:
        lines = list(grant.lines())
        out.append((row, {line.code: row + 1 + i for i, line in enumerate(lines)}))
        row += len(lines) + 2  # total row, the tree, one blank row
    return out


def _grants_sheet(sheet: Worksheet, report: Report, grant_rows, styles: _Styles) -> None:
    codes = {line.code: 0 for grant in report.grants for line in grant.lines()}
    widths = _tree_widths(codes)
    _set_widths(sheet, widths)
    _table_header(sheet, 0, TREE_HEADERS, widths, styles)
    blokir = has_blokir(line for g in report.grants for line in g.lines())
    for grant, (total_row, rows) in zip(report.grants, grant_rows):
        _grant_total(sheet, grant, total_row, [rows[p.code] for p in grant.programs], widths, styles)
        for line in grant.lines():
            _tree_line(sheet, line, rows, widths, styles)
        if blokir:
            blokir_column(sheet, list(grant.lines()), rows, total_row, [rows[p.code] for p in grant.programs], styles)
    last = grant_rows[-1][0] + len(grant_rows[-1][1])
    _flag_overspending(sheet, 1, last, SISA, PCT, styles)
    sheet.freeze_panes(1, 0)
    sheet.outline_settings(True, False, True, False)


def _grant_total(sheet: Worksheet, grant: FundingSource, row: int, program_rows: list[int], widths, styles) -> None:
    bold = styles.cell(bold=True, fill=TOTAL_FILL)
    name = f"Jumlah {grant.name}"
    sheet.write_blank(row, CODE, None, bold)
    sheet.write_string(row, LEVEL, f"Hibah {grant.source}", styles.cell(bold=True, wrap=True, fill=TOTAL_FILL))
    sheet.write_string(row, NAME, name, styles.cell(bold=True, wrap=True, fill=TOTAL_FILL))
    _figures(
        sheet,
        row,
        grant.total,
        styles,
        bold=True,
        fill=TOTAL_FILL,
        pagu=_sum(PAGU, program_rows),
        realisasi=_sum(REAL, program_rows),
    )
    _fit_row(sheet, row, [(widths[NAME], name, 0), (widths[LEVEL], f"Hibah {grant.source}", 0)], bold=True, level=0)


# --- Sumber Dana: totals per source and overall ------------------------------------------------------

SOURCE_HEADERS = ("No", "Sumber Dana", "Uraian", "Pagu (Rp)", "Realisasi (Rp)", "Sisa (Rp)", "% Penyerapan")
SOURCE_WIDTHS = (5, 22, 56, 17, 17, 17, 12)


def _sources_sheet(sheet: Worksheet, report: Report, grant_rows, styles: _Styles) -> None:
    """One row per source (the DIPA's from Rincian Anggaran, each grant's from Rincian Hibah), the total."""
    _set_widths(sheet, SOURCE_WIDTHS)
    sheet.write_string(0, 0, f"REKAPITULASI ANGGARAN PER SUMBER DANA TAHUN {report.data.year}", styles.title)
    sheet.write_string(1, 0, report.data.office.long_name, styles.subtitle)
    _table_header(sheet, 3, SOURCE_HEADERS, SOURCE_WIDTHS, styles)
    first = 4
    refs = [(TREE, TREE_FIRST - 1)] + [(GRANTS, total) for total, _ in grant_rows]
    for i, (source, (sheet_name, total)) in enumerate(zip(report.sources, refs)):
        row = first + i
        sheet.write_number(row, 0, i + 1, styles.cell(center=True))
        sheet.write_string(row, 1, source.source, styles.cell(wrap=True))
        sheet.write_string(row, 2, source.name, styles.cell(wrap=True))
        _figures(
            sheet,
            row,
            source.total,
            styles,
            pagu=f"={_cell(total, PAGU, sheet_name)}",
            realisasi=f"={_cell(total, REAL, sheet_name)}",
        )
        _fit_row(sheet, row, [(SOURCE_WIDTHS[2], source.name, 0)])
    last = first + len(report.sources)
    bold = styles.cell(bold=True, fill=TOTAL_FILL)
    sheet.write_blank(last, 0, None, bold)
    sheet.write_blank(last, 1, None, bold)
    sheet.write_string(last, 2, "Jumlah Seluruh Sumber Dana", bold)
    _figures(
        sheet,
        last,
        report.grand_total,
        styles,
        bold=True,
        fill=TOTAL_FILL,
        pagu=_sum(PAGU, range(first, last)),
        realisasi=_sum(REAL, range(first, last)),
    )
    _flag_overspending(sheet, first, last, SISA, PCT, styles)


# --- Jenis Belanja: akun by their first two digits ------------------------------------------------------

SPENDING_HEADERS = (
    "Sumber Dana",
    "Kode",
    "Uraian",
    "Jenis Belanja",
    "Pagu (Rp)",
    "Realisasi (Rp)",
    "Sisa (Rp)",
    "% Penyerapan",
    "Blokir (Rp)",
)
SPENDING_WIDTHS = (20, 30, 44, 18, 17, 17, 17, 12, 17)
S_SOURCE, S_CODE, S_NAME, S_TYPE, S_PAGU, S_REAL, S_SISA, S_PCT, S_BLOKIR = range(9)


def _spending_sheet(sheet: Worksheet, report: Report, rows: dict[str, int], grant_rows, styles: _Styles) -> None:
    """A recap by jenis belanja per source (SUMIFS over the akun rows below it), then every akun,
    its figures taken from the tree sheets."""
    sources = [(s, akun_lines(s.lines())) for s in report.sources]
    sources = [(s, a) for s, a in sources if a]
    blokir = any(line.figures.blokir for _, akun in sources for line in akun)
    width = len(SPENDING_HEADERS) if blokir else S_BLOKIR
    _set_widths(sheet, SPENDING_WIDTHS[:width])
    sheet.write_string(0, 0, f"REKAPITULASI PER JENIS BELANJA TAHUN {report.data.year}", styles.title)
    sheet.write_string(
        1,
        0,
        "Jenis belanja menurut dua angka pertama akun: " + ", ".join(f"{p} {n}" for p, n in TYPES.items()) + ".",
        styles.note,
    )
    recap = [(source, t) for source, akun in sources for t in by_type(akun)]
    header = 3
    _table_header(sheet, header, SPENDING_HEADERS[:width], SPENDING_WIDTHS, styles, repeat=False)
    detail_header = header + len(recap) + 3
    first_detail = detail_header + 1
    akun_rows = [(source, line) for source, akun in sources for line in akun]
    last_detail = first_detail + len(akun_rows) - 1

    def span(col: int) -> str:
        return f"${_col(col)}${first_detail + 1}:${_col(col)}${last_detail + 1}"

    for i, (source, total) in enumerate(recap):
        row = header + 1 + i
        sheet.write_string(row, S_SOURCE, source.source, styles.cell(wrap=True))
        sheet.write_blank(row, S_CODE, None, styles.cell())
        sheet.write_blank(row, S_NAME, None, styles.cell())
        sheet.write_string(row, S_TYPE, total.name, styles.cell())
        criteria = f"{span(S_SOURCE)},{_cell(row, S_SOURCE)},{span(S_TYPE)},{_cell(row, S_TYPE)}"
        _spending_figures(
            sheet,
            row,
            total.figures,
            styles,
            blokir,
            pagu=f"=SUMIFS({span(S_PAGU)},{criteria})",
            realisasi=f"=SUMIFS({span(S_REAL)},{criteria})",
            blokir_formula=f"=SUMIFS({span(S_BLOKIR)},{criteria})",
        )
    total_row = header + 1 + len(recap)
    bold = styles.cell(bold=True, fill=TOTAL_FILL)
    for col in (S_SOURCE, S_CODE, S_NAME):
        sheet.write_blank(total_row, col, None, bold)
    sheet.write_string(total_row, S_TYPE, "Jumlah", bold)
    everything = sum((line.figures for _, line in akun_rows), ZERO)
    recap_rows = range(header + 1, total_row)
    _spending_figures(
        sheet,
        total_row,
        everything,
        styles,
        blokir,
        bold=True,
        pagu=_sum(S_PAGU, recap_rows),
        realisasi=_sum(S_REAL, recap_rows),
        blokir_formula=_sum(S_BLOKIR, recap_rows),
    )
    _table_header(sheet, detail_header, SPENDING_HEADERS[:width], SPENDING_WIDTHS, styles)
    grant_of = {id(g): rows_ for g, (_, rows_) in zip(report.grants, grant_rows)}
    for i, (source, line) in enumerate(akun_rows):
        row = first_detail + i
        sheet_name, where = (GRANTS, grant_of[id(source)]) if source.is_grant else (TREE, rows)
        sheet.write_string(row, S_SOURCE, source.source, styles.cell(wrap=True))
        sheet.write_string(row, S_CODE, line.code, styles.cell())
        sheet.write_string(row, S_NAME, line.name, styles.cell(wrap=True))
        sheet.write_string(row, S_TYPE, spending_type(line.segment), styles.cell())
        src = where[line.code]
        _spending_figures(
            sheet,
            row,
            line.figures,
            styles,
            blokir,
            pagu=f"={_cell(src, PAGU, sheet_name)}",
            realisasi=f"={_cell(src, REAL, sheet_name)}",
            blokir_value=True,
        )
        _fit_row(sheet, row, [(SPENDING_WIDTHS[S_NAME], line.name, 0), (SPENDING_WIDTHS[S_SOURCE], source.source, 0)])
    sheet.autofilter(detail_header, 0, last_detail, width - 1)


def _col(col: int) -> str:
    return xl_col_to_name(col)


def _spending_figures(
    sheet: Worksheet,
    row: int,
    fig,
    styles: _Styles,
    blokir: bool,
    *,
    pagu: str,
    realisasi: str,
    bold: bool = False,
    blokir_formula: str | None = None,
    blokir_value: bool = False,
) -> None:
    fill = TOTAL_FILL if bold else None
    amount = styles.cell(AMOUNT, bold=bold, fill=fill)
    sheet.write_formula(row, S_PAGU, pagu, amount, fig.pagu)
    sheet.write_formula(row, S_REAL, realisasi, amount, fig.realisasi)
    p, r = _cell(row, S_PAGU), _cell(row, S_REAL)
    sheet.write_formula(row, S_SISA, f"={p}-{r}", amount, fig.sisa)
    sheet.write_formula(
        row,
        S_PCT,
        percent_formula(p, r),
        styles.cell(_percent_format(fig.ratio), bold=bold, fill=fill),
        _ratio_value(fig.ratio),
    )
    if blokir:
        if blokir_value:
            sheet.write_number(row, S_BLOKIR, fig.blokir, amount)
        else:
            sheet.write_formula(row, S_BLOKIR, blokir_formula, amount, fig.blokir)


# --- Indikator Kinerja ----------------------------------------------------------------------------------

INDICATOR_WIDTHS = (5, 36, 40, 12, 12, 12, 12, 12, 16)
I_NO, I_GOAL, I_NAME, I_UNIT, I_TARGET, I_REAL, I_PREV, I_PCT, I_CAT = range(9)


def _indicators_sheet(sheet: Worksheet, report: Report, styles: _Styles) -> None:
    """Sasaran, indikator, satuan, target, realisasi (last year's where given), capaian and kategori
    as formulas by the rule of ``indicators``."""
    year = report.data.year
    rows = indicator_rows(report.data.indicators)
    headers = [
        "No",
        "Sasaran Strategis",
        "Indikator Kinerja",
        "Satuan",
        f"Target {year}",
        f"Realisasi {year}",
        f"Realisasi {year - 1}",
        "Capaian (%)",
        "Kategori",
    ]
    _set_widths(sheet, INDICATOR_WIDTHS)
    sheet.write_string(0, 0, f"PENGUKURAN KINERJA TAHUN {year}", styles.title)
    sheet.write_string(
        1,
        0,
        "Capaian = realisasi / target; indikator 'makin kecil makin baik': "
        "(2 × target − realisasi) / target. Kategori menurut capaian yang tertulis: "
        + "; ".join(f"≥ {int(b * 100)}% {n}" for b, n in BANDS[:-1])
        + f"; lainnya {BANDS[-1][1]}.",
        styles.note,
    )
    _table_header(sheet, 3, headers, INDICATOR_WIDTHS, styles)
    number = styles.cell("#,##0.##")
    for i, row in enumerate(rows):
        r = 4 + i
        ind = row.indicator
        sheet.write_number(r, I_NO, i + 1, styles.cell(center=True))
        sheet.write_string(r, I_GOAL, row.goal, styles.cell(wrap=True))
        sheet.write_string(r, I_NAME, ind.name, styles.cell(wrap=True))
        sheet.write_string(r, I_UNIT, ind.unit, styles.cell())
        sheet.write_number(r, I_TARGET, float(ind.target), number)
        sheet.write_number(r, I_REAL, float(ind.realisasi), number)
        if ind.previous is None:
            sheet.write_blank(r, I_PREV, None, styles.cell())
        else:
            sheet.write_number(r, I_PREV, float(ind.previous), number)
        t, a = _cell(r, I_TARGET), _cell(r, I_REAL)
        # the report's rounding rule (formatting.percent_formula), on the rule of indicators.achievement
        formula = percent_formula(t, f"MAX(0,2*{t}-{a})" if ind.lower_is_better else a)
        sheet.write_formula(r, I_PCT, formula, styles.cell(_percent_format(row.capaian)), _ratio_value(row.capaian))
        c = _cell(r, I_PCT)
        bands = "".join(f'IF({c}>={float(b)},"{n}",' for b, n in BANDS[:-1])
        sheet.write_formula(
            r, I_CAT, f'=IF({c}="","-",{bands}"{BANDS[-1][1]}"{")" * (len(BANDS) - 1)})', styles.cell(), row.kategori
        )
        _fit_row(sheet, r, [(INDICATOR_WIDTHS[I_GOAL], row.goal, 0), (INDICATOR_WIDTHS[I_NAME], ind.name, 0)])
    sheet.freeze_panes(4, 0)
