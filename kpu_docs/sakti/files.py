"""The export file as tables of cell values: an .xlsx workbook or a CSV text, read within bounds.

The file is untrusted. Workbooks are checked as archives first (size, zip bomb, damage), then
read with openpyxl (read-only, through defusedxml) and never more than ``MAX_COLUMNS`` columns
or ``MAX_ROWS`` rows: a row claiming column XFD is not padded to 16,384 cells. A formula cell
without a saved value is refused, never read as 0. A CSV cell is only ever text.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import defusedxml  # noqa: F401  (openpyxl parses workbook XML through defusedxml when importable)
import openpyxl
from openpyxl.worksheet._reader import WorkSheetParser

from ..errors import KpuDocsError
from ..formatting import amount
from .cells import column

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted OOXML, or an old .xls
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
MAX_FILE_BYTES = 20 * 1024 * 1024  # a satker's export is well under 1 MB
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # a zip bomb is refused before parsing
MAX_ROWS = 100_000
MAX_COLUMNS = 64  # GLP039 ends at AE; a POK with its monthly plan well before BL
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")

Table = list[list[Any]]


@dataclass
class Sheet:
    """One worksheet (or the CSV) as rows of values, and the name it is reported by."""

    name: str
    rows: Table
    unsaved: set[tuple[int, int]] = field(default_factory=set)  # (row, col), 0-based: formulas without a value


def read_tables(path: Path) -> list[Sheet]:
    """Every worksheet of the export, or the CSV read with each plausible delimiter.

    Raises KpuDocsError (Indonesian) for a missing, empty, oversized, encrypted, damaged or
    non-spreadsheet file, and for a formula cell without a saved value."""
    if not path.is_file():
        raise KpuDocsError(f"berkas ekspor {path} tidak ditemukan: periksa nama dan foldernya")
    size = path.stat().st_size
    if size == 0:
        raise KpuDocsError(f"berkas ekspor {path} kosong")
    if size > MAX_FILE_BYTES:
        raise KpuDocsError(f"berkas ekspor {path} terlalu besar ({size // (1024 * 1024)} MB) untuk ekspor realisasi")
    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith(OLE_SIGNATURE):
        raise KpuDocsError(
            f"{path} terenkripsi atau format .xls lama: simpan ulang sebagai .xlsx tanpa kata sandi "
            "(atau sebagai .csv), lalu impor berkas itu"
        )
    if head.startswith(ZIP_SIGNATURES):
        return _read_xlsx(path)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        raise KpuDocsError(
            f"{path} bukan buku kerja Excel (.xlsx) yang sah: isinya bukan arsip .xlsx. "
            "Ekspor ulang dari SAKTI sebagai .xlsx atau .csv"
        )
    return _read_csv(path)


def _read_xlsx(path: Path) -> list[Sheet]:
    has_formulas = _check_zip(path)
    if not openpyxl.DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise KpuDocsError("defusedxml tidak terpasang: buku kerja dari luar tidak dibaca tanpanya")
    sheets = _load(path, data_only=True)
    if has_formulas:
        for sheet, with_formulas in zip(sheets, _load(path, data_only=False)):
            sheet.unsaved = {
                (r, c) for r, row in enumerate(with_formulas.rows) for c, v in enumerate(row)
                if isinstance(v, str) and v.startswith("=")
                and not (r < len(sheet.rows) and c < len(sheet.rows[r]) and sheet.rows[r][c] is not None)
            }
    return sheets


def _load(path: Path, data_only: bool) -> list[Sheet]:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise _unreadable(path, exc) from None
    try:
        sheets, seen = [], set()
        for sheet in [workbook.active, *workbook.worksheets]:
            if sheet is None or id(sheet) in seen or not hasattr(sheet, "iter_rows"):
                continue
            seen.add(id(sheet))
            sheets.append(Sheet(sheet.title.strip(), _sheet_rows(sheet, path)))
        return sheets
    except KpuDocsError:
        raise
    except Exception as exc:
        raise _unreadable(path, exc) from None
    finally:
        workbook.close()


def _check_zip(path: Path) -> bool:
    """A damaged archive, another kind of zip (.docx, .ods) or a zip bomb is refused here.
    Returns whether any worksheet holds a formula (only then are formulas looked for)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            unzipped = sum(info.file_size for info in archive.infolist())
            if unzipped > MAX_UNZIPPED_BYTES:
                size = unzipped // (1024 * 1024)
                raise KpuDocsError(f"{path}: isi arsip terlalu besar ({size} MB) untuk ekspor realisasi")
            damaged = archive.testzip()
            formulas = damaged is None and any(
                _FORMULA.search(archive.read(n)) for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")
            )
    except KpuDocsError:
        raise
    except Exception as exc:  # BadZipFile, zlib.error, EOFError, a garbled member name, ...
        raise KpuDocsError(
            f"berkas {path} rusak: arsip .xlsx tidak utuh ({_reason(exc)}). Ekspor ulang dari SAKTI"
        ) from None
    if damaged is not None:
        raise KpuDocsError(
            f"berkas {path} rusak: bagian {damaged} di dalam arsip .xlsx tidak utuh. Ekspor ulang dari SAKTI"
        )
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise KpuDocsError(
            f"{path} bukan buku kerja Excel .xlsx (arsip zip lain, mis. .docx atau .ods): "
            "simpan sebagai .xlsx atau .csv"
        )
    return formulas


def _sheet_rows(sheet, path: Path) -> Table:
    """At most MAX_ROWS rows of at most MAX_COLUMNS cells; a value beyond them is refused.

    Rows come straight from openpyxl's streaming parser, which yields only the cells the XML
    holds: a row claiming column XFD (or a dimension of A1:XFD1048576) is never padded."""
    parser = WorkSheetParser(sheet._get_source(), sheet._shared_strings, data_only=sheet.parent.data_only,
                             epoch=sheet.parent.epoch, date_formats=sheet.parent._date_formats,
                             timedelta_formats=sheet.parent._timedelta_formats)
    rows: Table = []
    try:
        for index, cells in parser.parse():
            if index > MAX_ROWS:
                if all(cell["value"] is None for cell in cells):
                    continue  # a styled empty row far below (Excel writes them): skipped, never padded to
                raise KpuDocsError(f"{path}: lebih dari {amount(MAX_ROWS)} baris; ini bukan ekspor realisasi satu satker")
            while len(rows) < index - 1:
                rows.append([])
            values: list[Any] = []
            for cell in cells:
                col, value = cell["column"], cell["value"]
                if value is None:
                    continue
                if col > MAX_COLUMNS:
                    raise KpuDocsError(
                        f"{path}: lembar '{sheet.title}', baris {index}: ada isi di kolom {column(MAX_COLUMNS)} "
                        "atau sesudahnya; ekspor realisasi SAKTI tidak selebar itu. Hapus kolom tambahan itu"
                    )
                values.extend([None] * (col - len(values)))
                values[col - 1] = value
            rows.append(values)
    finally:
        parser.source.close()
    while rows and not any(v is not None for v in rows[-1]):
        rows.pop()
    return rows


def _read_csv(path: Path) -> list[Sheet]:
    text = _decode(path.read_bytes(), path)
    sheets = []
    for delimiter in (";", "\t", ","):  # Indonesian Excel and SAKTI write CSV with ';'
        try:
            rows = []
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
                rows.append(row[:MAX_COLUMNS])
                if len(rows) > MAX_ROWS:
                    raise KpuDocsError(
                        f"{path}: lebih dari {amount(MAX_ROWS)} baris; ini bukan ekspor realisasi satu satker"
                    )
        except csv.Error as exc:
            raise KpuDocsError(f"{path} bukan CSV yang sah ({exc})") from None
        sheets.append(Sheet(path.name, rows))
    return sheets


def _decode(data: bytes, path: Path) -> str:
    not_text = KpuDocsError(
        f"{path} bukan lembar kerja: bukan buku kerja .xlsx dan bukan teks CSV. "
        "Ekspor laporan realisasi dari SAKTI sebagai .xlsx atau .csv"
    )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise not_text from None
    if b"\x00" in data[:65536]:
        raise not_text
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\r\n")
    if controls > len(text[:65536]) // 100:
        raise not_text
    return text


def _unreadable(path: Path, exc: Exception) -> KpuDocsError:
    return KpuDocsError(f"buku kerja {path} rusak atau tidak dapat dibaca ({_reason(exc)}): ekspor ulang dari SAKTI")


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
