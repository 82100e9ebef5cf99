"""The Excel annex (lampiran): the audited numbers behind the annual report.

Every derived cell is a live formula over the cells it depends on, written together
with its value computed from the derived ``Report``; viewers that never recalculate
(previewers, pandas, LibreOffice by default) therefore show the same figures as Excel.
Leaves hold numbers, all input text is written as text (never as a formula), and the
file is byte-identical for the same input (its date comes from the input, not the clock).

The annex is what KPU RI receives: the automatic review's findings (input lines, "periksa
kembali …") are the office's internal notes and go into the separate check file
(``check_file.py``), never into the annex.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from fractions import Fraction
from pathlib import Path

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import quote_sheetname, xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from kpu_docs.checks.diff import Change
from kpu_docs.figures.derive import BudgetLine, Figures, Report
from kpu_docs.formatting import percent_formula, percent_fraction
from kpu_docs.vocabulary import REPORTED, Level

__all__ = ["write_annex", "SUMMARY", "TREE", "CHART", "ORGANISATION", "CHANGES", "YEARS"]

SUMMARY = "Ringkasan"
TREE = "Rincian Anggaran"
CHART = "Grafik"
ORGANISATION = "Organisasi"
CHANGES = "Perubahan"
YEARS = "Perbandingan Tahun"

AMOUNT = "#,##0"
PERCENT = "0.00%"
HEADER_FILL = "#D9E1F2"
TOTAL_FILL = "#F2F2F2"
MAX_SUM_ARGS = 255  # Excel's limit on the arguments of one function
LINE_HEIGHT = 15  # points per line of the default font (Calibri 11)
MAX_ROW_HEIGHT = 409  # points: Excel's limit for one row
MAX_CELL_TEXT = 32767  # characters: Excel's limit for one cell

# Columns of the budget table (Rincian Anggaran); the Ringkasan uses the same letters.
CODE, LEVEL, NAME, PAGU, REAL, SISA, PCT = range(7)
TREE_HEADERS = ("Kode", "Tingkat", "Uraian", "Pagu (Rp)", "Realisasi (Rp)", "Sisa (Rp)", "% Penyerapan")
TREE_FIRST = 2  # row 0: header, row 1: the office's total, then the tree


def write_annex(
    report: Report, path: Path, *, changes: list[Change] | None = None, previous: Report | None = None
) -> None:
    """Write the annex workbook of ``report`` to ``path``.

    ``changes`` (from ``diff``) adds a "Perubahan" sheet for a resubmission; ``previous`` (the
    same office's previous year) adds a year-on-year sheet."""
    from kpu_docs.render.xlsx import annex_blocks  # it builds on this module's helpers

    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False, "in_memory": True}
    workbook = xlsxwriter.Workbook(str(path), options)
    _set_properties(workbook, report)
    styles = _Styles(workbook)
    rows = _tree_rows(report)
    names = [SUMMARY, TREE, CHART, ORGANISATION]
    names += annex_blocks.sheet_names(report)  # funding sources, spending by type, indicators: when given
    names += [CHANGES] if changes is not None else []
    names += [YEARS] if previous is not None else []
    sheets = {name: workbook.add_worksheet(name, worksheet_class=_Sheet) for name in names}
    _summary_sheet(sheets[SUMMARY], report, rows, styles)
    _tree_sheet(sheets[TREE], report, rows, styles)
    _chart_sheet(workbook, sheets[CHART], report, rows, styles)
    _organisation_sheet(sheets[ORGANISATION], report, styles)
    if annex_blocks.has_blokir(report.lines()):
        annex_blocks.blokir_column(
            sheets[TREE], list(report.lines()), rows, TREE_FIRST - 1, [rows[p.code] for p in report.programs], styles
        )
    annex_blocks.write_sheets(sheets, report, rows, styles)
    if changes is not None:
        _changes_sheet(sheets[CHANGES], changes, styles)
    if previous is not None:
        _years_sheet(sheets[YEARS], previous, report, styles)
    for name, sheet in sheets.items():
        _page_setup(sheet, report, pages_high=1 if name == CHART else 0)  # the chart never splits
    sheets[SUMMARY].activate()
    workbook.close()


# --- workbook-wide -------------------------------------------------------------------------


def _set_properties(workbook: xlsxwriter.Workbook, report: Report) -> None:
    """Title, author and a creation date taken from the input, so rebuilds are identical."""
    data = report.data
    workbook.set_properties(
        {
            "title": f"Lampiran Laporan Tahunan {data.year} {data.office.name}",
            "subject": f"Rincian pagu dan realisasi anggaran dan organisasi tahun {data.year}",
            "author": data.office.long_name,
            "company": "Komisi Pemilihan Umum",
            "keywords": f"laporan tahunan, lampiran, anggaran, {data.year}",
            "comments": "Dibuat oleh kpu-docs dari berkas masukan; angka turunan berupa rumus.",
            "created": dt.datetime.combine(data.report.date, dt.time()),
        }
    )


class _Styles:
    """Cell formats, created once per distinct combination."""

    def __init__(self, workbook: xlsxwriter.Workbook):
        self._workbook = workbook
        self._cache: dict[tuple, Format] = {}
        self._cells: dict[tuple, Format] = {}
        self.header = self._make(
            bold=True, bg_color=HEADER_FILL, border=1, text_wrap=True, align="center", valign="vcenter"
        )
        self.title = self._make(bold=True, font_size=14)
        self.subtitle = self._make(bold=True, font_size=12)
        self.note = self._make(italic=True, font_color="#595959")
        self.alert = self._make(font_color="#C00000", bold=True)

    def _make(self, **props) -> Format:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self._workbook.add_format(props)
        return self._cache[key]

    def cell(
        self,
        num_format: str | None = None,
        bold: bool = False,
        indent: int = 0,
        wrap: bool = False,
        fill: str | None = None,
        center: bool = False,
    ) -> Format:
        """A bordered table cell."""
        key = (num_format, bold, indent, wrap, fill, center)
        found = self._cells.get(key)  # asked once per cell written: looked up before building props
        if found is None:
            props = {
                "num_format": num_format,
                "bold": bold,
                "indent": indent,
                "text_wrap": wrap,
                "bg_color": fill,
                "align": "center" if center else "left" if indent else None,
            }  # indent needs left
            found = self._cells[key] = self._make(border=1, valign="top", **{k: v for k, v in props.items() if v})
        return found


def _page_setup(sheet: Worksheet, report: Report, pages_high: int = 0, title: str = "Lampiran Laporan Tahunan") -> None:
    """A4 landscape, one page wide, office, ``title`` and year in the header, page numbers in the footer."""
    office = _header_text(report.data.office.long_name)
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, pages_high)
    sheet.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    sheet.center_horizontally()
    sheet.set_header(f"&L&9{office}&C&9{title} {report.data.year}&R&9&A", margin=0.3)
    sheet.set_footer("&C&9Halaman &P dari &N", margin=0.3)


def _header_text(text: str) -> str:
    """Text for a page header: cut to stay within Excel's 255 characters, '&' escaped."""
    return text[:100].replace("&", "&&")


def _flag_overspending(sheet: Worksheet, first: int, last: int, sisa: int | None, pct: int, styles: _Styles) -> None:
    """Red where realisasi exceeds pagu: negative sisa, penyerapan above 100%."""
    if sisa is not None:
        sheet.conditional_format(
            first, sisa, last, sisa, {"type": "cell", "criteria": "<", "value": 0, "format": styles.alert}
        )
    sheet.conditional_format(
        first, pct, last, pct, {"type": "cell", "criteria": ">", "value": 1, "format": styles.alert}
    )


def _table_header(
    sheet: Worksheet,
    row: int,
    headers: Sequence[str],
    widths: Sequence[float],
    styles: _Styles,
    first_col: int = 0,
    repeat: bool = True,
) -> None:
    """A header row (repeated on every printed page), tall enough for its wrapped labels."""
    for col, label in enumerate(headers, start=first_col):
        sheet.write_string(row, col, label, styles.header)
    _fit_row(sheet, row, [(widths[col], label, 0) for col, label in enumerate(headers, start=first_col)], bold=True)
    if repeat:
        sheet.repeat_rows(row)


# Functions Excel has had since 2007: xlsxwriter never prefixes them (``_xlfn.``), so a formula
# calling only these is written as it is, without xlsxwriter's scan of it for some 150 newer
# names (about 30 regular expressions per formula, a fifth of the annex's time).
_CLASSIC = frozenset(
    "ABS AND AVERAGE COUNT COUNTA COUNTIF COUNTIFS IF IFERROR MAX MIN N NOT OR ROUND ROUNDDOWN ROUNDUP SUM "
    "SUMIF SUMIFS SUBTOTAL".split()
)
_CALLED = re.compile(r"([A-Za-z_][\w.]*)\(")


class _Sheet(Worksheet):
    """A worksheet whose formulas of classic functions skip xlsxwriter's future-function scan
    (checked with XlsxWriter 3.2-3.3: ``_prepare_formula`` returns such a formula stripped of
    its ``=`` and braces, unchanged otherwise); any other formula takes xlsxwriter's way."""

    def _prepare_formula(self, formula, expand_future_functions=False):
        if not (self.use_future_functions or expand_future_functions or "_xlfn." in formula):
            if _CLASSIC.issuperset(_CALLED.findall(formula)):
                return formula.removeprefix("{").removeprefix("=").removesuffix("}")
        return super()._prepare_formula(formula, expand_future_functions)


def _set_widths(sheet: Worksheet, widths: Sequence[float]) -> None:
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)


def _fit_row(
    sheet: Worksheet, row: int, cells: Iterable[tuple[float, str, int]], bold: bool = False, level: int | None = None
) -> None:
    """Give a row the height its wrapped texts need, given as (column width, text, indent).

    Neither xlsxwriter nor LibreOffice fits row heights to wrapped text, so estimate it."""
    lines = max((_line_count(text, width, indent, bold) for width, text, indent in cells), default=1)
    options = {} if level is None else {"level": level}
    sheet.set_row(row, min(LINE_HEIGHT * lines, MAX_ROW_HEIGHT) if lines > 1 else None, None, options)


_NARROW = frozenset("iljtfr.,;:'!|()[]/- ")
_WIDE = frozenset("mwMW@%")


def _char_width(char: str) -> float:
    """A character's width in column units (a column unit is one digit of Calibri 11)."""
    if char in _NARROW:
        return 0.55
    if char in _WIDE:
        return 1.35
    return 1.0 if char.isupper() or char.isdigit() else 0.85


@functools.lru_cache(maxsize=8192)  # the same names recur across sheets and across a batch's offices
def _line_count(text: str, width: float, indent: int = 0, bold: bool = False) -> int:
    """Lines ``text`` takes in a column ``width`` units wide, wrapped at words as a spreadsheet
    wraps them (an estimate from per-character widths: too high leaves blank double-height
    rows, too low hides text)."""
    # 10 % to spare: LibreOffice without Carlito draws Calibri in a wider font; a hidden line is
    # worse than a blank one.
    room = max(width - 0.8 - 1.4 * indent, 4.0) / (1.3 if bold else 1.1)
    if sum(_char_width(c) for c in text) <= room:
        return 1
    lines, used = 1, 0.0
    space = _char_width(" ")
    for word in text.split():
        size = sum(_char_width(c) for c in word)
        if used and used + space + size > room:
            lines, used = lines + 1, 0.0
        used = size if not used else used + space + size
        while used > room:  # a word longer than the line is broken
            lines, used = lines + 1, used - room
    return lines


# --- formulas --------------------------------------------------------------------------------


def _cell(row: int, col: int, sheet: str | None = None) -> str:
    """A1 reference, prefixed with the (quoted) sheet name when given."""
    ref = f"{xl_col_to_name(col)}{row + 1}"
    return f"{quote_sheetname(sheet)}!{ref}" if sheet else ref


def _sum(col: int, rows: Iterable[int]) -> str:
    """=SUM over exactly these rows of ``col``: consecutive rows become ranges (D5:D7,D9)."""
    parts = []
    for first, last in _runs(sorted(rows)):
        parts.append(_cell(first, col) if first == last else f"{_cell(first, col)}:{_cell(last, col)}")
    while len(parts) > MAX_SUM_ARGS:
        parts = [f"SUM({','.join(parts[i : i + MAX_SUM_ARGS])})" for i in range(0, len(parts), MAX_SUM_ARGS)]
    return f"=SUM({','.join(parts)})"


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """[5, 6, 7, 9] -> [(5, 7), (9, 9)]."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def _ratio_value(ratio: Fraction | None) -> float | str:
    """The % cell's cached value: what ``percent_formula`` computes, or '' without pagu."""
    return percent_fraction(ratio)


def _percent_format(ratio: Fraction | None) -> str:
    """Always ``0.00%``: the formula already rounds by the report's rule (formatting.percent_formula)."""
    return PERCENT


def _figures(
    sheet: Worksheet,
    row: int,
    fig: Figures,
    styles: _Styles,
    bold: bool = False,
    pagu: str | None = None,
    realisasi: str | None = None,
    fill: str | None = None,
) -> None:
    """Pagu and realisasi (numbers, or the given formulas), then sisa and % as formulas."""
    amount = styles.cell(AMOUNT, bold=bold, fill=fill)
    for col, formula, value in ((PAGU, pagu, fig.pagu), (REAL, realisasi, fig.realisasi)):
        if formula is None:
            sheet.write_number(row, col, value, amount)
        else:
            sheet.write_formula(row, col, formula, amount, value)
    p, r = _cell(row, PAGU), _cell(row, REAL)
    sheet.write_formula(row, SISA, f"={p}-{r}", amount, fig.sisa)
    pct = styles.cell(_percent_format(fig.ratio), bold=bold, fill=fill)
    sheet.write_formula(row, PCT, percent_formula(p, r), pct, _ratio_value(fig.ratio))


# --- Rincian Anggaran: the whole budget tree ----------------------------------------------------


def _tree_rows(report: Report) -> dict[str, int]:
    """The worksheet row of every budget line, by its (unique) full code, in tree order."""
    return {line.code: TREE_FIRST + i for i, line in enumerate(report.lines())}


def _tree_widths(rows: dict[str, int]) -> tuple[float, ...]:
    code = min(max((len(c) for c in rows), default=10), 30) + 2
    return (code, 20, 52, 17, 17, 17, 12)


def _tree_sheet(sheet: Worksheet, report: Report, rows: dict[str, int], styles: _Styles) -> None:
    """Kode, Tingkat, Uraian, Pagu, Realisasi, Sisa, %: one row per node, down to the deepest
    level in the input, under the office's total; parents sum their direct children."""
    widths = _tree_widths(rows)
    _set_widths(sheet, widths)
    _table_header(sheet, 0, TREE_HEADERS, widths, styles)
    total_row, name = TREE_FIRST - 1, f"Jumlah {report.data.office.name}"
    program_rows = [rows[p.code] for p in report.programs]
    bold_total = styles.cell(bold=True, fill=TOTAL_FILL)
    sheet.write_blank(total_row, CODE, None, bold_total)
    sheet.write_string(total_row, LEVEL, "Satker", bold_total)
    sheet.write_string(total_row, NAME, name, styles.cell(bold=True, wrap=True, fill=TOTAL_FILL))
    _figures(
        sheet,
        total_row,
        report.total,
        styles,
        bold=True,
        fill=TOTAL_FILL,
        pagu=_sum(PAGU, program_rows),
        realisasi=_sum(REAL, program_rows),
    )
    _fit_row(sheet, total_row, [(widths[NAME], name, 0)], bold=True, level=0)
    for line in report.lines():
        _tree_line(sheet, line, rows, widths, styles)
    sheet.autofilter(0, CODE, TREE_FIRST + len(rows) - 1, PCT)
    if report.data.data_source:
        sheet.write_string(
            TREE_FIRST + len(rows) + 1, NAME, f"Sumber data: {report.data.data_source.describe()}", styles.note
        )
    _flag_overspending(sheet, total_row, TREE_FIRST + len(rows) - 1, SISA, PCT, styles)
    sheet.freeze_panes(1, 0)
    sheet.outline_settings(True, False, True, False)  # summary rows above their details


def _tree_line(
    sheet: Worksheet, line: BudgetLine, rows: dict[str, int], widths: Sequence[float], styles: _Styles
) -> None:
    """One node: text cells, figures (sums over its direct children when it has any), outline level."""
    row, bold, indent = rows[line.code], line.level == Level.PROGRAM, int(line.level)
    sheet.write_string(row, CODE, line.code, styles.cell(bold=bold))
    sheet.write_string(row, LEVEL, line.level.noun, styles.cell(bold=bold, wrap=True))
    sheet.write_string(row, NAME, line.name, styles.cell(bold=bold, wrap=True, indent=indent))
    children = [rows[c.code] for c in line.children]
    sums = (_sum(PAGU, children), _sum(REAL, children)) if children else (None, None)
    _figures(sheet, row, line.figures, styles, bold=bold, pagu=sums[0], realisasi=sums[1])
    texts = [(widths[LEVEL], line.level.noun, 0), (widths[NAME], line.name, indent)]
    _fit_row(sheet, row, texts, bold=bold, level=min(indent + 1, 7))


# --- Ringkasan: one row per program and the office total ---------------------------------------

COUNTED = tuple(lv.level for lv in REPORTED[1:])  # kegiatan, KRO, RO
SUMMARY_HEADERS = (
    "No",
    "Kode",
    Level.PROGRAM.noun,
    "Pagu (Rp)",
    "Realisasi (Rp)",
    "Sisa (Rp)",
    "% Penyerapan",
    *(level.info.counted for level in COUNTED),
)
SUMMARY_WIDTHS = (5, 13, 48, 17, 17, 17, 12, 11, 11, 11)
SUMMARY_HEADER_ROW = 4


def _summary_sheet(sheet: Worksheet, report: Report, rows: dict[str, int], styles: _Styles) -> None:
    """Title block, one row per program referencing Rincian Anggaran, the total."""
    data = report.data
    _set_widths(sheet, SUMMARY_WIDTHS)
    sheet.write_string(0, 0, f"LAMPIRAN LAPORAN TAHUNAN {data.year}", styles.title)
    sheet.write_string(1, 0, data.office.long_name, styles.subtitle)
    sheet.write_string(
        2, 0, f"Ringkasan pagu dan realisasi anggaran per program, tahun anggaran {data.year}", styles.note
    )
    _table_header(sheet, SUMMARY_HEADER_ROW, SUMMARY_HEADERS, SUMMARY_WIDTHS, styles)
    first = SUMMARY_HEADER_ROW + 1
    for i, program in enumerate(report.programs):
        _summary_program(sheet, first + i, i + 1, program, rows, styles)
    total_row = first + len(report.programs)
    _summary_total(sheet, total_row, report, first, styles)
    if data.data_source:
        sheet.write_string(total_row + 1, 1, f"Sumber data: {data.data_source.describe()}", styles.note)
    _flag_overspending(sheet, first, total_row, SISA, PCT, styles)
    sheet.freeze_panes(first, 0)


def _summary_program(
    sheet: Worksheet, row: int, number: int, program: BudgetLine, rows: dict[str, int], styles: _Styles
) -> None:
    """A program: pagu/realisasi from its Rincian Anggaran row, counts of what it is made of."""
    source = rows[program.code]
    sheet.write_number(row, 0, number, styles.cell(center=True))
    sheet.write_string(row, 1, program.code, styles.cell())
    sheet.write_string(row, 2, program.name, styles.cell(wrap=True))
    _figures(
        sheet,
        row,
        program.figures,
        styles,
        pagu=f"={_cell(source, PAGU, TREE)}",
        realisasi=f"={_cell(source, REAL, TREE)}",
    )
    last = max(rows[line.code] for line in program.walk())
    levels = quote_sheetname(TREE) + f"!$B${source + 1}:$B${last + 1}"
    found = Counter(line.level for line in program.walk())
    for col, level in enumerate(COUNTED, start=PCT + 1):
        sheet.write_formula(row, col, f'=COUNTIF({levels},"{level.noun}")', styles.cell(), found[level])
    _fit_row(sheet, row, [(SUMMARY_WIDTHS[2], program.name, 0)])


def _summary_total(sheet: Worksheet, row: int, report: Report, first: int, styles: _Styles) -> None:
    """The office's total, referencing the total row of Rincian Anggaran."""
    bold = styles.cell(bold=True, fill=TOTAL_FILL)
    sheet.write_blank(row, 0, None, bold)
    sheet.write_blank(row, 1, None, bold)
    sheet.write_string(row, 2, "Jumlah", bold)
    total = TREE_FIRST - 1
    _figures(
        sheet,
        row,
        report.total,
        styles,
        bold=True,
        fill=TOTAL_FILL,
        pagu=f"={_cell(total, PAGU, TREE)}",
        realisasi=f"={_cell(total, REAL, TREE)}",
    )
    counts = Counter(line.level for line in report.lines())
    for col, level in enumerate(COUNTED, start=PCT + 1):
        sheet.write_formula(row, col, _sum(col, range(first, row)), bold, counts[level])


# --- Grafik: % penyerapan per kegiatan ------------------------------------------------------------

CHART_HEADERS = ("Kode", Level.KEGIATAN.noun, "Pagu (Rp)", "Realisasi (Rp)", "% Penyerapan")
CHART_WIDTHS = (12, 64, 17, 17, 12)


def _chart_sheet(
    workbook: xlsxwriter.Workbook, sheet: Worksheet, report: Report, rows: dict[str, int], styles: _Styles
) -> None:
    """A small table of the kegiatan (formulas into Rincian Anggaran) and a native bar chart of it."""
    _set_widths(sheet, CHART_WIDTHS)
    _table_header(sheet, 0, CHART_HEADERS, CHART_WIDTHS, styles)
    sheet.freeze_panes(1, 0)
    kegiatan = [k for p in report.programs for k in p.children]
    for row, line in enumerate(kegiatan, start=1):
        source, fig = rows[line.code], line.figures
        sheet.write_string(row, 0, line.code, styles.cell())
        sheet.write_string(row, 1, line.name, styles.cell(wrap=True))
        sheet.write_formula(row, 2, f"={_cell(source, PAGU, TREE)}", styles.cell(AMOUNT), fig.pagu)
        sheet.write_formula(row, 3, f"={_cell(source, REAL, TREE)}", styles.cell(AMOUNT), fig.realisasi)
        sheet.write_formula(
            row, 4, f"={_cell(source, PCT, TREE)}", styles.cell(_percent_format(fig.ratio)), _ratio_value(fig.ratio)
        )
        _fit_row(sheet, row, [(CHART_WIDTHS[1], line.name, 0)])
    _flag_overspending(sheet, 1, max(len(kegiatan), 1), None, 4, styles)
    if kegiatan:
        sheet.insert_chart(
            len(kegiatan) + 2, 0, _absorption_chart(workbook, report, len(kegiatan)), {"x_offset": 5, "y_offset": 5}
        )
    else:
        sheet.write_string(2, 1, "Tidak ada kegiatan: grafik tidak dibuat.", styles.note)


def _absorption_chart(workbook: xlsxwriter.Workbook, report: Report, count: int):
    """Horizontal bars of % penyerapan, one per kegiatan, in the order of the table above it."""
    chart = workbook.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": "% Penyerapan",
            "categories": [CHART, 1, 1, count, 1],  # the kegiatan's names, not only their codes
            "values": [CHART, 1, 4, count, 4],
            "fill": {"color": "#4472C4"},
            "gap": 60,
            "data_labels": {"value": True, "num_format": "0.00%", "position": "outside_end"},
        }
    )
    chart.set_title(
        {"name": f"Penyerapan Anggaran per {Level.KEGIATAN.noun} Tahun {report.data.year}", "name_font": {"size": 12}}
    )
    chart.set_x_axis({"num_format": "0%", "min": 0, "major_gridlines": {"visible": True}, "name": "% penyerapan"})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 8}})  # first kegiatan on top, as in the table
    chart.set_legend({"none": True})
    chart.set_size({"width": 1000, "height": 120 + 34 * count})
    return chart


# --- Organisasi: staff by subbagian and status ---------------------------------------------------

ORGANISATION_HEADERS = ("No", "Subbagian", "Kepala", "Status", "Peran", "Nama")
ORGANISATION_WIDTHS = (6, 44, 28, 12, 26, 28)
COUNT_HEADERS = ("Subbagian", "Kepala", "PNS", "PPNPN", "Jumlah Staf")
STATUS = 3  # the Status column, counted per subbagian


def _units(report: Report) -> list:
    """The units staff belong to, as (name, head, staff): Subbagian directly under the Sekretariat,
    then each Bagian (its own staff) followed by its Subbagian, named with their Bagian."""
    from types import SimpleNamespace as Unit

    org = report.data.organisation
    units = [Unit(name=s.name, head=s.head, staff=s.staff) for s in org.subdivisions]
    for division in org.divisions:
        units.append(Unit(name=division.name, head=division.head, staff=division.staff))
        units += [Unit(name=f"{s.name} ({division.name})", head=s.head, staff=s.staff) for s in division.subdivisions]
    return units


def _organisation_sheet(sheet: Worksheet, report: Report, styles: _Styles) -> None:
    """One row per staff member, then the counts per subbagian (COUNTIF over those rows)."""
    org = report.data.organisation
    headers = ORGANISATION_HEADERS
    if org.divisions:
        headers = (headers[0], "Bagian / Subbagian", *headers[2:])
    _set_widths(sheet, ORGANISATION_WIDTHS)
    _table_header(sheet, 0, headers, ORGANISATION_WIDTHS, styles)
    row, number, spans = 1, 0, []
    for sub in _units(report):
        people = [(g.status, g.role or "", name) for g in sub.staff for name in g.names] or [("", "", "")]
        spans.append((row, row + len(people) - 1))
        for status, role, name in people:
            texts = (sub.name, sub.head, status, role, name)
            if name:
                number += 1
                sheet.write_number(row, 0, number, styles.cell(center=True))
            else:  # a subbagian without staff keeps one row, for its name and head
                sheet.write_blank(row, 0, None, styles.cell())
            for col, text in enumerate(texts, start=1):
                sheet.write_string(row, col, text, styles.cell(wrap=True))
            _fit_row(sheet, row, [(ORGANISATION_WIDTHS[col], t, 0) for col, t in enumerate(texts, start=1)])
            row += 1
    sheet.autofilter(0, 0, row - 1, len(ORGANISATION_HEADERS) - 1)
    sheet.freeze_panes(1, 0)
    row = _staff_counts(sheet, row + 1, report, spans, styles)
    _organisation_notes(sheet, row + 1, report, styles)


def _staff_counts(sheet: Worksheet, row: int, report: Report, spans: list[tuple[int, int]], styles: _Styles) -> int:
    """PNS, PPNPN and their total per subbagian, and the grand total; returns the next free row."""
    subs = _units(report)
    headers = COUNT_HEADERS if not report.data.organisation.divisions else ("Bagian / Subbagian", *COUNT_HEADERS[1:])
    _table_header(sheet, row, headers, ORGANISATION_WIDTHS, styles, first_col=1, repeat=False)
    first = row + 1
    for r, sub, (top, bottom) in zip(range(first, first + len(subs)), subs, spans):
        statuses = Counter(g.status for g in sub.staff for _ in g.names)
        sheet.write_string(r, 1, sub.name, styles.cell(wrap=True))
        sheet.write_string(r, 2, sub.head, styles.cell(wrap=True))
        span = f"{_cell(top, STATUS)}:{_cell(bottom, STATUS)}"
        for col, status in ((3, "PNS"), (4, "PPNPN")):
            sheet.write_formula(r, col, f'=COUNTIF({span},"{status}")', styles.cell(), statuses[status])
        sheet.write_formula(r, 5, f"={_cell(r, 3)}+{_cell(r, 4)}", styles.cell(), statuses.total())
        _fit_row(sheet, r, [(ORGANISATION_WIDTHS[1], sub.name, 0), (ORGANISATION_WIDTHS[2], sub.head, 0)])
    total = first + len(subs)
    bold = styles.cell(bold=True, fill=TOTAL_FILL)
    sheet.write_string(total, 1, "Jumlah", bold)
    sheet.write_blank(total, 2, None, bold)
    everyone = Counter(g.status for s in subs for g in s.staff for _ in g.names)
    for col, value in ((3, everyone["PNS"]), (4, everyone["PPNPN"]), (5, everyone.total())):
        sheet.write_formula(total, col, _sum(col, range(first, total)), bold, value)
    heads = "Kepala Bagian dan Kepala Subbagian" if report.data.organisation.divisions else "Kepala Subbagian"
    sheet.write_string(total + 1, 1, f"Jumlah staf tidak termasuk {heads}.", styles.note)
    return total + 2


def _organisation_notes(sheet: Worksheet, row: int, report: Report, styles: _Styles) -> None:
    """The secretary and the functional positions, which belong to no subbagian."""
    org = report.data.organisation
    sheet.write_string(row, 1, "Sekretaris", styles.cell(bold=True))
    sheet.write_string(row, 2, org.secretary, styles.cell())
    holders = org.functional.holders if org.functional else []
    for i, name in enumerate(holders):
        label = "Jabatan Fungsional" if i == 0 else ""
        sheet.write_string(row + 1 + i, 1, label, styles.cell(bold=True))
        sheet.write_string(row + 1 + i, 2, name, styles.cell())
    row += 1 + len(holders)
    for i, member in enumerate(org.commissioners):
        sheet.write_string(row + i, 1, "Komisioner" if i == 0 else "", styles.cell(bold=True))
        sheet.write_string(row + i, 2, member.name, styles.cell())
        sheet.write_string(row + i, 3, member.title, styles.cell())
        sheet.write_string(row + i, 4, member.division or "", styles.cell(wrap=True))
        _fit_row(sheet, row + i, [(ORGANISATION_WIDTHS[4], member.division or "", 0)])


# --- Perubahan: what a resubmission changed -------------------------------------------------------

CHANGES_HEADERS = ("Jenis", "Kode / Kunci", "Bidang", "Lama", "Baru", "Selisih")
CHANGES_WIDTHS = (12, 30, 22, 40, 40, 16)


def _changes_sheet(sheet: Worksheet, changes: list[Change], styles: _Styles) -> None:
    """One row per change, as ``kpu-docs diff`` lists them; figures as numbers, difference as formula."""
    _set_widths(sheet, CHANGES_WIDTHS)
    _table_header(sheet, 0, CHANGES_HEADERS, CHANGES_WIDTHS, styles)
    text, amount = styles.cell(wrap=True), styles.cell(AMOUNT)
    for row, change in enumerate(changes, start=1):
        sheet.write_string(row, 0, change.kind, text)
        sheet.write_string(row, 1, change.subject, text)
        sheet.write_string(row, 2, change.field, text)
        for col, value in ((3, change.old), (4, change.new)):
            if isinstance(value, int) and not isinstance(value, bool):
                sheet.write_number(row, col, value, amount)
            else:
                sheet.write_string(row, col, cell_text(_change_text(value)), text)
        if change.difference is not None:
            sheet.write_formula(row, 5, f"={_cell(row, 4)}-{_cell(row, 3)}", amount, change.difference)
        else:
            sheet.write_blank(row, 5, None, text)
        _fit_row(
            sheet,
            row,
            [(CHANGES_WIDTHS[3], _change_text(change.old), 0), (CHANGES_WIDTHS[4], _change_text(change.new), 0)],
        )
    if not changes:
        sheet.write_string(1, 1, "Tidak ada perubahan.", styles.note)
    sheet.autofilter(0, 0, max(len(changes), 1), len(CHANGES_HEADERS) - 1)
    sheet.freeze_panes(1, 0)


def cell_text(text: str) -> str:
    """``text`` as one cell can hold it: Excel keeps at most 32,767 characters, so a longer text
    is cut with a note saying so and where the whole text is (never silently)."""
    if len(text) <= MAX_CELL_TEXT:
        return text
    note = (
        f" … [DIPOTONG: teks asli {len(text):,} karakter melebihi batas satu sel Excel "
        f"({MAX_CELL_TEXT:,} karakter); teks lengkap ada di berkas masukan dan `kpu-docs diff`]"
    ).replace(",", ".")
    return text[: MAX_CELL_TEXT - len(note)] + note


def _change_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "; ".join(map(str, value))
    return str(value)


# --- Perbandingan Tahun: this year against the previous one, by code -------------------------------


def _years_sheet(sheet: Worksheet, previous: Report, report: Report, styles: _Styles) -> None:
    """Pagu, realisasi and % per program and kegiatan for both years, matched by full code."""
    old_year, new_year = previous.data.year, report.data.year
    headers = (
        "Kode",
        "Uraian",
        f"Pagu {old_year} (Rp)",
        f"Realisasi {old_year} (Rp)",
        f"% {old_year}",
        f"Pagu {new_year} (Rp)",
        f"Realisasi {new_year} (Rp)",
        f"% {new_year}",
        "Selisih Pagu (Rp)",
        "Selisih Realisasi (Rp)",
    )
    widths = (12, 48, 16, 16, 9, 16, 16, 9, 16, 16)
    _set_widths(sheet, widths)
    _table_header(sheet, 0, headers, widths, styles)
    before = {line.code: line for line in previous.lines() if line.level <= Level.KEGIATAN}
    after = {line.code: line for line in report.lines() if line.level <= Level.KEGIATAN}
    codes = [*after, *(code for code in before if code not in after)]
    for row, code in enumerate(codes, start=1):
        line = after.get(code) or before[code]
        bold = line.level == Level.PROGRAM
        sheet.write_string(row, 0, code, styles.cell(bold=bold))
        sheet.write_string(row, 1, line.name, styles.cell(bold=bold, wrap=True, indent=int(line.level)))
        for first, source in ((2, before.get(code)), (5, after.get(code))):
            _year_figures(sheet, row, first, source.figures if source else None, styles, bold)
        for col, first in ((8, 2), (9, 3)):
            old = before[code].figures if code in before else None
            new = after[code].figures if code in after else None
            value = sum((f.pagu if first == 2 else f.realisasi) * sign for f, sign in ((new, 1), (old, -1)) if f)
            formula = f"=N({_cell(row, first + 3)})-N({_cell(row, first)})"
            sheet.write_formula(row, col, formula, styles.cell(AMOUNT, bold=bold), value)
        _fit_row(sheet, row, [(widths[1], line.name, int(line.level))], bold=bold)
    sheet.autofilter(0, 0, max(len(codes), 1), len(headers) - 1)
    sheet.freeze_panes(1, 2)


def _year_figures(sheet: Worksheet, row: int, first: int, fig: Figures | None, styles: _Styles, bold: bool) -> None:
    """Pagu, realisasi (numbers) and % (formula) of one year; blank where the code is absent."""
    if fig is None:
        for col in range(first, first + 3):
            sheet.write_blank(row, col, None, styles.cell())
        return
    sheet.write_number(row, first, fig.pagu, styles.cell(AMOUNT, bold=bold))
    sheet.write_number(row, first + 1, fig.realisasi, styles.cell(AMOUNT, bold=bold))
    p, r = _cell(row, first), _cell(row, first + 1)
    sheet.write_formula(
        row,
        first + 2,
        percent_formula(p, r),
        styles.cell(_percent_format(fig.ratio), bold=bold),
        _ratio_value(fig.ratio),
    )
