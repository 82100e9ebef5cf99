"""The check file (``pemeriksaan-<tahun>-<satker>.xlsx``): the automatic review, for the office.

Every finding of ``validate`` with its severity, subject (full code or key path), message and
input line. These are internal notes ("periksa kembali …", YAML line numbers): they are
written beside the report and its annex, never into the annex that KPU RI receives.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from kpu_docs.checks.validate import Finding, Severity
from kpu_docs.figures.derive import Report
from kpu_docs.render.xlsx.annex import _fit_row, _page_setup, _set_widths, _Styles, _table_header

SHEET = "Temuan"
HEADERS = ("Tingkat", "Kode", "Pesan", "Baris")
WIDTHS = (12, 24, 100, 8)
SEVERITY_FILL = {Severity.ERROR: "#F8CBAD", Severity.WARNING: "#FFE699", Severity.INFO: None}
FIRST = 4  # rows 0-2: title, office, counts; row 3: the table's header


def severity_label(severity: Severity) -> str:
    """``Galat``, ``Peringatan``, ``Info``."""
    return severity.value.capitalize()


def write_check_file(report: Report, findings: list[Finding], path: Path, source: Path | None = None) -> None:
    """Write the findings of ``report``'s automatic review to the workbook ``path``.

    ``source``: the input file, named in the title block so the lines can be found."""
    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False, "in_memory": True}
    workbook = xlsxwriter.Workbook(str(path), options)
    data = report.data
    workbook.set_properties(
        {
            "title": f"Hasil Pemeriksaan Otomatis {data.year} {data.office.name}",
            "subject": "Catatan internal kantor: bukan bagian dari lampiran yang dikirim",
            "author": data.office.long_name,
            "created": dt.datetime.combine(data.report.date, dt.time()),
        }
    )
    styles = _Styles(workbook)
    sheet = workbook.add_worksheet(SHEET)
    _findings(sheet, report, findings, styles, source)
    _page_setup(sheet, report, title="Hasil Pemeriksaan Otomatis (catatan internal)")
    workbook.close()


def _findings(sheet: Worksheet, report: Report, findings: list[Finding], styles: _Styles, source: Path | None) -> None:
    data = report.data
    _set_widths(sheet, WIDTHS)
    sheet.write_string(0, 0, f"HASIL PEMERIKSAAN OTOMATIS: {data.office.long_name} {data.year}", styles.title)
    where = f"berkas masukan {source.name}, " if source else ""
    sheet.write_string(
        1,
        0,
        f"Catatan internal untuk kantor ({where}baris disebut di kolom Baris); tidak dikirim bersama lampiran.",
        styles.note,
    )
    counts = Counter(f.severity for f in findings)
    sheet.write_string(2, 0, ", ".join(f"{counts[s]} {s.value}" for s in Severity), styles.subtitle)
    _table_header(sheet, FIRST - 1, HEADERS, WIDTHS, styles)
    for row, finding in enumerate(findings, start=FIRST):
        sheet.write_string(row, 0, severity_label(finding.severity), styles.cell(fill=SEVERITY_FILL[finding.severity]))
        sheet.write_string(row, 1, finding.subject, styles.cell(wrap=True))
        sheet.write_string(row, 2, finding.message, styles.cell(wrap=True))
        if finding.location.line is None:
            sheet.write_blank(row, 3, None, styles.cell())
        else:
            sheet.write_number(row, 3, finding.location.line, styles.cell())
        _fit_row(sheet, row, [(WIDTHS[1], finding.subject, 0), (WIDTHS[2], finding.message, 0)])
    if not findings:
        sheet.write_string(FIRST, 2, "Tidak ada temuan.", styles.note)
    sheet.autofilter(FIRST - 1, 0, FIRST - 1 + max(len(findings), 1), len(HEADERS) - 1)
    sheet.freeze_panes(FIRST, 0)
