"""The Excel annex (lampiran): the audited numbers behind the annual report.

Every derived cell is a live formula over the cells it depends on, written together
with its value computed from the derived ``Report``; viewers that never recalculate
(previewers, pandas, LibreOffice by default) therefore show the same figures as Excel.
Leaves hold numbers, all input text is written as text (never as a formula), and the
file is byte-identical for the same input (its date comes from the input, not the clock).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from fractions import Fraction
from pathlib import Path

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import quote_sheetname, xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from .derive import BudgetLine, Level, Report
from .formatting import percent_decimal
from .validate import Finding, Severity

__all__ = ["write_annex", "SUMMARY", "TREE", "CHART", "ORGANISATION", "FINDINGS"]

SUMMARY = "Ringkasan"
TREE = "Rincian Anggaran"
CHART = "Grafik"
ORGANISATION = "Organisasi"
FINDINGS = "Temuan"

AMOUNT = "#,##0"
PERCENT = "0.00%"
HEADER_FILL = "#D9E1F2"
TOTAL_FILL = "#F2F2F2"
SEVERITY_FILL = {Severity.ERROR: "#F8CBAD", Severity.WARNING: "#FFE699", Severity.INFO: None}
MAX_SUM_ARGS = 255  # Excel's limit on the arguments of one function

# Columns of the budget table (Rincian Anggaran); the Ringkasan uses the same letters.
CODE, LEVEL, NAME, PAGU, REAL, SISA, PCT = range(7)
TREE_HEADERS = ("Kode", "Tingkat", "Uraian", "Pagu (Rp)", "Realisasi (Rp)", "Sisa (Rp)", "% Penyerapan")
TREE_FIRST = 2  # row 0: header, row 1: the office's total, then the tree


def write_annex(report: Report, findings: list[Finding], path: Path) -> None:
    """Write the annex workbook of ``report`` (with the validation ``findings``) to ``path``."""
    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False, "in_memory": True}
    workbook = xlsxwriter.Workbook(str(path), options)
    _set_properties(workbook, report)
    styles = _Styles(workbook)
    rows = _tree_rows(report)
    sheets = {name: workbook.add_worksheet(name) for name in (SUMMARY, TREE, CHART, ORGANISATION, FINDINGS)}
    _summary_sheet(sheets[SUMMARY], report, findings, rows, styles)
    _tree_sheet(sheets[TREE], report, rows, styles)
    _chart_sheet(workbook, sheets[CHART], report, rows, styles)
    _organisation_sheet(sheets[ORGANISATION], report, styles)
    _findings_sheet(sheets[FINDINGS], findings, styles)
    for sheet in sheets.values():
        _page_setup(sheet, report)
    sheets[SUMMARY].activate()
    workbook.close()


# --- workbook-wide -------------------------------------------------------------------------


def _set_properties(workbook: xlsxwriter.Workbook, report: Report) -> None:
    """Title, author and a creation date taken from the input, so rebuilds are identical."""
    data = report.data
    workbook.set_properties(
        {
            "title": f"Lampiran Laporan Tahunan {data.year} {data.office.name}",
            "subject": f"Rincian pagu dan realisasi anggaran, organisasi, dan temuan pemeriksaan tahun {data.year}",
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
        self.header = self._make(bold=True, bg_color=HEADER_FILL, border=1, text_wrap=True, align="center", valign="vcenter")
        self.title = self._make(bold=True, font_size=14)
        self.subtitle = self._make(bold=True, font_size=12)
        self.note = self._make(italic=True, font_color="#595959")

    def _make(self, **props) -> Format:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self._workbook.add_format(props)
        return self._cache[key]

    def cell(self, num_format: str | None = None, bold: bool = False, indent: int = 0,
             wrap: bool = False, fill: str | None = None) -> Format:
        """A bordered table cell."""
        props: dict = {"border": 1, "valign": "top"}
        if num_format:
            props["num_format"] = num_format
        if bold:
            props["bold"] = True
        if indent:
            props["indent"] = indent
        if wrap:
            props["text_wrap"] = True
        if fill:
            props["bg_color"] = fill
        return self._make(**props)


def _page_setup(sheet: Worksheet, report: Report) -> None:
    """A4 landscape, one page wide, office and year in the header, page numbers in the footer."""
    office = _header_text(report.data.office.long_name)
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    sheet.center_horizontally()
    sheet.set_header(f"&L&9{office}&C&9Lampiran Laporan Tahunan {report.data.year}&R&9&A", margin=0.3)
    sheet.set_footer("&C&9Halaman &P dari &N", margin=0.3)


def _header_text(text: str) -> str:
    """Text for a page header: '&' escaped, cut to stay within Excel's 255 characters."""
    return text.replace("&", "&&")[:120]


def _table_header(sheet: Worksheet, row: int, headers: Sequence[str], styles: _Styles) -> None:
    """A header row, repeated on every printed page."""
    for col, label in enumerate(headers):
        sheet.write_string(row, col, label, styles.header)
    sheet.repeat_rows(row)


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
        parts = [f"SUM({','.join(parts[i:i + MAX_SUM_ARGS])})" for i in range(0, len(parts), MAX_SUM_ARGS)]
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
    """The % cell's cached value: exactly realisasi/pagu as Excel computes it, or '' without pagu."""
    return "" if ratio is None else float(ratio)


def _percent_format(ratio: Fraction | None) -> str:
    """``0.00%``, or as many decimals as needed where ``0.00%`` would show 0% or 100% that did
    not happen (99,9997% shown as 100,00%); ``formatting.percent_decimal`` is the rule."""
    if ratio is None or _rounded_percent(ratio, 2) == percent_decimal(ratio):
        return PERCENT
    places = 3
    while places < 13 and _rounded_percent(ratio, places) in (0, 100):
        places += 1
    return "0." + "0" * places + "%"


def _rounded_percent(ratio: Fraction, places: int) -> Fraction:
    """The percentage rounded half away from zero, as a number format displays it."""
    scale = 10**places
    magnitude = int(abs(ratio) * 100 * scale + Fraction(1, 2))
    return Fraction(magnitude if ratio >= 0 else -magnitude, scale)


def _figures(sheet: Worksheet, row: int, line_figures, styles: _Styles, bold: bool = False,
             pagu: str | None = None, realisasi: str | None = None, fill: str | None = None) -> None:
    """Pagu and realisasi (numbers, or the given formulas), then sisa and % as formulas."""
    amount = styles.cell(AMOUNT, bold=bold, fill=fill)
    fig = line_figures
    for col, formula, value in ((PAGU, pagu, fig.pagu), (REAL, realisasi, fig.realisasi)):
        if formula is None:
            sheet.write_number(row, col, value, amount)
        else:
            sheet.write_formula(row, col, formula, amount, value)
    p, r = _cell(row, PAGU), _cell(row, REAL)
    sheet.write_formula(row, SISA, f"={p}-{r}", amount, fig.sisa)
    pct = styles.cell(_percent_format(fig.ratio), bold=bold, fill=fill)
    sheet.write_formula(row, PCT, f'=IF({p}=0,"",{r}/{p})', pct, _ratio_value(fig.ratio))


# --- Rincian Anggaran: the whole budget tree ----------------------------------------------------


def _tree_rows(report: Report) -> dict[str, int]:
    """The worksheet row of every budget line, by its (unique) full code, in tree order."""
    return {line.code: TREE_FIRST + i for i, line in enumerate(report.lines())}


def _tree_sheet(sheet: Worksheet, report: Report, rows: dict[str, int], styles: _Styles) -> None:
    """Kode, Tingkat, Uraian, Pagu, Realisasi, Sisa, %: one row per node, down to the deepest
    level in the input, under the office's total; parents sum their direct children."""
    _table_header(sheet, 0, TREE_HEADERS, styles)
    total_row = TREE_FIRST - 1
    program_rows = [rows[p.code] for p in report.programs]
    bold_total = styles.cell(bold=True, fill=TOTAL_FILL)
    sheet.write_blank(total_row, CODE, None, bold_total)
    sheet.write_string(total_row, LEVEL, "Satker", bold_total)
    sheet.write_string(total_row, NAME, f"Jumlah {report.data.office.name}", styles.cell(bold=True, wrap=True, fill=TOTAL_FILL))
    _figures(sheet, total_row, report.total, styles, bold=True, fill=TOTAL_FILL,
             pagu=_sum(PAGU, program_rows), realisasi=_sum(REAL, program_rows))
    sheet.set_row(total_row, None, None, {"level": 0})
    for line in report.lines():
        _tree_line(sheet, line, rows, styles)
    last = TREE_FIRST + len(rows) - 1
    sheet.autofilter(0, CODE, last, PCT)
    sheet.freeze_panes(1, 0)
    sheet.outline_settings(True, False, True, False)  # summary rows above their details
    code_width = max((len(code) for code in rows), default=10)
    for col, width in zip(range(PCT + 1), (min(max(code_width, 10), 32) + 2, 14, 52, 17, 17, 17, 12)):
        sheet.set_column(col, col, width)


def _tree_line(sheet: Worksheet, line: BudgetLine, rows: dict[str, int], styles: _Styles) -> None:
    """One node: text cells, figures (sums over its direct children when it has any), outline level."""
    row = rows[line.code]
    bold = line.level == Level.PROGRAM
    sheet.write_string(row, CODE, line.code, styles.cell(bold=bold))
    sheet.write_string(row, LEVEL, line.level.noun, styles.cell(bold=bold, wrap=True))
    sheet.write_string(row, NAME, line.name, styles.cell(bold=bold, wrap=True, indent=int(line.level)))
    children = [rows[c.code] for c in line.children]
    sums = (_sum(PAGU, children), _sum(REAL, children)) if children else (None, None)
    _figures(sheet, row, line.figures, styles, bold=bold, pagu=sums[0], realisasi=sums[1])
    sheet.set_row(row, None, None, {"level": min(int(line.level) + 1, 7)})


# --- Ringkasan: one row per program, the office total, the findings at a glance ---------------

SUMMARY_HEADERS = ("No", "Kode", "Program", "Pagu (Rp)", "Realisasi (Rp)", "Sisa (Rp)", "% Penyerapan",
                   "Jumlah Kegiatan", "Jumlah Output (KRO)", "Jumlah Sub Output (RO)")
COUNTED = (Level.KEGIATAN, Level.OUTPUT, Level.SUB_OUTPUT)
SUMMARY_HEADER_ROW = 4


def _summary_sheet(sheet: Worksheet, report: Report, findings: list[Finding],
                   rows: dict[str, int], styles: _Styles) -> None:
    """Title block, one row per program referencing Rincian Anggaran, the total, the findings."""
    data = report.data
    sheet.write_string(0, 0, f"LAMPIRAN LAPORAN TAHUNAN {data.year}", styles.title)
    sheet.write_string(1, 0, data.office.long_name, styles.subtitle)
    sheet.write_string(2, 0, f"Ringkasan pagu dan realisasi anggaran per program, tahun anggaran {data.year}", styles.note)
    _table_header(sheet, SUMMARY_HEADER_ROW, SUMMARY_HEADERS, styles)
    first = SUMMARY_HEADER_ROW + 1
    for i, program in enumerate(report.programs):
        _summary_program(sheet, first + i, i + 1, program, rows, styles)
    total_row = first + len(report.programs)
    _summary_total(sheet, total_row, report, first, styles)
    _findings_overview(sheet, total_row + 2, findings, styles)
    sheet.freeze_panes(first, 0)
    for col, width in enumerate((5, 12, 48, 17, 17, 17, 12, 11, 11, 11)):
        sheet.set_column(col, col, width)


def _summary_program(sheet: Worksheet, row: int, number: int, program: BudgetLine,
                     rows: dict[str, int], styles: _Styles) -> None:
    """A program: pagu/realisasi from its Rincian Anggaran row, counts of what it is made of."""
    source = rows[program.code]
    sheet.write_number(row, 0, number, styles.cell())
    sheet.write_string(row, 1, program.code, styles.cell())
    sheet.write_string(row, 2, program.name, styles.cell(wrap=True))
    _figures(sheet, row, program.figures, styles,
             pagu=f"={_cell(source, PAGU, TREE)}", realisasi=f"={_cell(source, REAL, TREE)}")
    last = max(rows[line.code] for line in program.walk())
    levels = quote_sheetname(TREE) + f"!$B${source + 1}:$B${last + 1}"
    found = Counter(line.level for line in program.walk())
    for col, level in enumerate(COUNTED, start=PCT + 1):
        sheet.write_formula(row, col, f'=COUNTIF({levels},"{level.noun}")', styles.cell(), found[level])


def _summary_total(sheet: Worksheet, row: int, report: Report, first: int, styles: _Styles) -> None:
    """The office's total, referencing the total row of Rincian Anggaran."""
    bold = styles.cell(bold=True, fill=TOTAL_FILL)
    sheet.write_blank(row, 0, None, bold)
    sheet.write_blank(row, 1, None, bold)
    sheet.write_string(row, 2, "Jumlah", bold)
    total = TREE_FIRST - 1
    _figures(sheet, row, report.total, styles, bold=True, fill=TOTAL_FILL,
             pagu=f"={_cell(total, PAGU, TREE)}", realisasi=f"={_cell(total, REAL, TREE)}")
    counts = Counter(line.level for line in report.lines())
    for col, level in enumerate(COUNTED, start=PCT + 1):
        sheet.write_formula(row, col, _sum(col, range(first, row)), bold, counts[level])


def _findings_overview(sheet: Worksheet, row: int, findings: list[Finding], styles: _Styles) -> None:
    """How many findings of each severity the Temuan sheet lists."""
    sheet.write_string(row, 2, "Hasil pemeriksaan otomatis (lihat lembar Temuan)", styles.header)
    sheet.write_string(row, 3, "Jumlah", styles.header)
    counts = Counter(f.severity for f in findings)
    severities = quote_sheetname(FINDINGS) + "!$A:$A"
    for i, severity in enumerate(Severity):
        label = _severity_label(severity)
        sheet.write_string(row + 1 + i, 2, label, styles.cell(fill=SEVERITY_FILL[severity]))
        sheet.write_formula(row + 1 + i, 3, f'=COUNTIF({severities},"{label}")', styles.cell(), counts[severity])


# --- Grafik: % penyerapan per kegiatan ------------------------------------------------------------

CHART_HEADERS = ("Kode", "Kegiatan", "Pagu (Rp)", "Realisasi (Rp)", "% Penyerapan")


def _chart_sheet(workbook: xlsxwriter.Workbook, sheet: Worksheet, report: Report,
                 rows: dict[str, int], styles: _Styles) -> None:
    """A small table of the kegiatan (formulas into Rincian Anggaran) and a native bar chart of it."""
    _table_header(sheet, 0, CHART_HEADERS, styles)
    kegiatan = [k for p in report.programs for k in p.children]
    for i, line in enumerate(kegiatan, start=1):
        source = rows[line.code]
        sheet.write_string(i, 0, line.code, styles.cell())
        sheet.write_string(i, 1, line.name, styles.cell(wrap=True))
        amount = styles.cell(AMOUNT)
        sheet.write_formula(i, 2, f"={_cell(source, PAGU, TREE)}", amount, line.figures.pagu)
        sheet.write_formula(i, 3, f"={_cell(source, REAL, TREE)}", amount, line.figures.realisasi)
        sheet.write_formula(i, 4, f"={_cell(source, PCT, TREE)}", styles.cell(_percent_format(line.figures.ratio)),
                            _ratio_value(line.figures.ratio))
    sheet.freeze_panes(1, 0)
    for col, width in enumerate((12, 60, 17, 17, 12)):
        sheet.set_column(col, col, width)
    if not kegiatan:
        sheet.write_string(2, 1, "Tidak ada kegiatan: grafik tidak dibuat.", styles.note)
        return
    chart = workbook.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": "% Penyerapan",
            "categories": [CHART, 1, 0, len(kegiatan), 0],
            "values": [CHART, 1, 4, len(kegiatan), 4],
            "fill": {"color": "#4472C4"},
            "gap": 60,
        }
    )
    chart.set_title({"name": f"Penyerapan Anggaran per Kegiatan Tahun {report.data.year}", "name_font": {"size": 12}})
    chart.set_x_axis({"num_format": "0%", "min": 0, "major_gridlines": {"visible": True}, "name": "% penyerapan"})
    chart.set_y_axis({"reverse": True})  # first kegiatan on top, as in the table
    chart.set_legend({"none": True})
    chart.set_size({"width": 900, "height": 120 + 26 * len(kegiatan)})
    sheet.insert_chart(len(kegiatan) + 2, 0, chart, {"x_offset": 5, "y_offset": 5})


# --- Organisasi: staff by subbagian and status ---------------------------------------------------

ORGANISATION_HEADERS = ("No", "Subbagian", "Kepala", "Status", "Peran", "Nama")
COUNT_HEADERS = ("Subbagian", "Kepala", "PNS", "PPNPN", "Jumlah Staf")


def _organisation_sheet(sheet: Worksheet, report: Report, styles: _Styles) -> None:
    """One row per staff member, then the counts per subbagian (COUNTIF over those rows)."""
    org = report.data.organisation
    _table_header(sheet, 0, ORGANISATION_HEADERS, styles)
    row, spans = 1, []
    for sub in org.subdivisions:
        people = [(g.status, g.role or "", name) for g in sub.staff for name in g.names] or [("", "", "")]
        spans.append((row, row + len(people) - 1))
        for status, role, name in people:
            sheet.write_number(row, 0, row, styles.cell())
            for col, text in enumerate((sub.name, sub.head, status, role, name), start=1):
                sheet.write_string(row, col, text, styles.cell(wrap=col in (1, 4)))
            row += 1
    sheet.autofilter(0, 0, row - 1, len(ORGANISATION_HEADERS) - 1)
    sheet.freeze_panes(1, 0)
    row = _staff_counts(sheet, row + 1, report, spans, styles)
    _organisation_notes(sheet, row + 1, report, styles)
    for col, width in enumerate((6, 44, 28, 14, 24, 28)):
        sheet.set_column(col, col, width)


def _staff_counts(sheet: Worksheet, row: int, report: Report, spans: list[tuple[int, int]],
                  styles: _Styles) -> int:
    """PNS, PPNPN and their total per subbagian, and the grand total; returns the next free row."""
    subs = report.data.organisation.subdivisions
    for col, label in enumerate(COUNT_HEADERS, start=1):
        sheet.write_string(row, col, label, styles.header)
    first = row + 1
    for i, (sub, (top, bottom)) in enumerate(zip(subs, spans)):
        r = first + i
        statuses = Counter(g.status for g in sub.staff for _ in g.names)
        sheet.write_string(r, 1, sub.name, styles.cell(wrap=True))
        sheet.write_string(r, 2, sub.head, styles.cell())
        for col, status in ((3, "PNS"), (4, "PPNPN")):
            span = f"{_cell(top, 3)}:{_cell(bottom, 3)}"
            sheet.write_formula(r, col, f'=COUNTIF({span},"{status}")', styles.cell(), statuses[status])
        sheet.write_formula(r, 5, f"={_cell(r, 3)}+{_cell(r, 4)}", styles.cell(), statuses["PNS"] + statuses["PPNPN"])
    total = first + len(subs)
    bold = styles.cell(bold=True, fill=TOTAL_FILL)
    sheet.write_string(total, 1, "Jumlah", bold)
    sheet.write_blank(total, 2, None, bold)
    everyone = Counter(g.status for s in subs for g in s.staff for _ in g.names)
    for col, value in ((3, everyone["PNS"]), (4, everyone["PPNPN"]), (5, everyone["PNS"] + everyone["PPNPN"])):
        sheet.write_formula(total, col, _sum(col, range(first, total)), bold, value)
    sheet.write_string(total + 1, 1, "Jumlah staf tidak termasuk Kepala Subbagian.", styles.note)
    return total + 2


def _organisation_notes(sheet: Worksheet, row: int, report: Report, styles: _Styles) -> None:
    """The secretary and the functional positions, which belong to no subbagian."""
    org = report.data.organisation
    sheet.write_string(row, 1, "Sekretaris", styles.cell(bold=True))
    sheet.write_string(row, 2, org.secretary, styles.cell())
    holders = org.functional.holders if org.functional else []
    for i, name in enumerate(holders):
        if i == 0:
            sheet.write_string(row + 1, 1, "Jabatan Fungsional", styles.cell(bold=True))
        sheet.write_string(row + 1 + i, 2, name, styles.cell())


# --- Temuan: the validation findings ---------------------------------------------------------------

FINDINGS_HEADERS = ("Tingkat", "Kode", "Pesan", "Baris")


def _severity_label(severity: Severity) -> str:
    return severity.value.capitalize()


def _findings_sheet(sheet: Worksheet, findings: list[Finding], styles: _Styles) -> None:
    """Severity, subject (code or key), message and the input line of every finding."""
    _table_header(sheet, 0, FINDINGS_HEADERS, styles)
    for row, finding in enumerate(findings, start=1):
        fill = SEVERITY_FILL[finding.severity]
        sheet.write_string(row, 0, _severity_label(finding.severity), styles.cell(fill=fill))
        sheet.write_string(row, 1, finding.subject, styles.cell())
        sheet.write_string(row, 2, finding.message, styles.cell(wrap=True))
        if finding.location.line is None:
            sheet.write_blank(row, 3, None, styles.cell())
        else:
            sheet.write_number(row, 3, finding.location.line, styles.cell())
    if not findings:
        sheet.write_string(1, 2, "Tidak ada temuan.", styles.note)
    sheet.autofilter(0, 0, max(len(findings), 1), len(FINDINGS_HEADERS) - 1)
    sheet.freeze_panes(1, 0)
    for col, width in enumerate((12, 24, 100, 8)):
        sheet.set_column(col, col, width)
