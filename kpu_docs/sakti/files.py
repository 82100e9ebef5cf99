"""The export file as tables of cell values: an .xlsx workbook or a CSV text, read within bounds.

The file is untrusted. Workbooks are checked as archives first (size, zip bomb, damage), then
opened with openpyxl (read-only, through defusedxml) and each sheet streamed by ``sheet_xml``
within ``MAX_COLUMNS`` columns and ``MAX_ROWS`` rows. A CSV cell is only ever text.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import defusedxml  # noqa: F401  (openpyxl parses workbook XML through defusedxml when importable)
import openpyxl

from kpu_docs.errors import ImportRefused, KpuDocsError
from kpu_docs.formatting import amount

from .sheet_xml import MAX_COLUMNS, MAX_ROWS, Sheet, SheetReader, Table  # noqa: F401

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted OOXML, or an old .xls
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
MAX_FILE_BYTES = 20 * 1024 * 1024  # a satker's export is well under 1 MB
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # a zip bomb is refused before parsing


def read_tables(path: Path) -> list[Sheet]:
    """Every worksheet of the export, or the CSV read with each plausible delimiter.

    Raises ImportRefused (Indonesian) for a missing, empty, oversized, encrypted, damaged or
    non-spreadsheet file. Formula cells without a saved value are listed in ``Sheet.unsaved``."""
    if not path.is_file():
        raise ImportRefused(f"berkas ekspor {path} tidak ditemukan: periksa nama dan foldernya")
    size = path.stat().st_size
    if size == 0:
        raise ImportRefused(f"berkas ekspor {path} kosong")
    if size > MAX_FILE_BYTES:
        raise ImportRefused(f"berkas ekspor {path} terlalu besar ({size // (1024 * 1024)} MB) untuk ekspor realisasi")
    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith(OLE_SIGNATURE):
        raise ImportRefused(
            f"{path} terenkripsi atau format .xls lama: simpan ulang sebagai .xlsx tanpa kata sandi "
            "(atau sebagai .csv), lalu impor berkas itu"
        )
    if head.startswith(ZIP_SIGNATURES):
        return _read_xlsx(path)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        raise ImportRefused(
            f"{path} bukan buku kerja Excel (.xlsx) yang sah: isinya bukan arsip .xlsx. "
            "Ekspor ulang dari SAKTI sebagai .xlsx atau .csv"
        )
    return _read_csv(path)


def _read_xlsx(path: Path) -> list[Sheet]:
    _check_zip(path)
    if not openpyxl.DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise ImportRefused("defusedxml tidak terpasang: buku kerja dari luar tidak dibaca tanpanya")
    try:  # openpyxl reads the workbook's structure and shared strings (through defusedxml)
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise _unreadable(path, exc) from None
    try:
        sheets, seen = [], set()
        for sheet in [workbook.active, *workbook.worksheets]:
            if sheet is None or id(sheet) in seen or not hasattr(sheet, "_worksheet_path"):
                continue
            seen.add(id(sheet))
            with workbook._archive.open(sheet._worksheet_path) as stream:
                sheets.append(SheetReader(sheet.title, sheet._shared_strings, path).read(stream))
        return sheets
    except KpuDocsError:
        raise
    except Exception as exc:
        raise _unreadable(path, exc) from None
    finally:
        workbook.close()


def _check_zip(path: Path) -> None:
    """A damaged archive, another kind of zip (.docx, .ods) or a zip bomb is refused here."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            unzipped = sum(info.file_size for info in archive.infolist())
            if unzipped > MAX_UNZIPPED_BYTES:
                size = unzipped // (1024 * 1024)
                raise ImportRefused(f"{path}: isi arsip terlalu besar ({size} MB) untuk ekspor realisasi")
            damaged = archive.testzip()
    except KpuDocsError:
        raise
    except Exception as exc:  # BadZipFile, zlib.error, EOFError, a garbled member name, ...
        raise ImportRefused(
            f"berkas {path} rusak: arsip .xlsx tidak utuh ({_reason(exc)}). Ekspor ulang dari SAKTI"
        ) from None
    if damaged is not None:
        raise ImportRefused(
            f"berkas {path} rusak: bagian {damaged} di dalam arsip .xlsx tidak utuh. Ekspor ulang dari SAKTI"
        )
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise ImportRefused(
            f"{path} bukan buku kerja Excel .xlsx (arsip zip lain, mis. .docx atau .ods): "
            "simpan sebagai .xlsx atau .csv"
        )


def _read_csv(path: Path) -> list[Sheet]:
    text = _decode(path.read_bytes(), path)
    sheets = []
    for delimiter in (";", "\t", ","):  # Indonesian Excel and SAKTI write CSV with ';'
        try:
            rows = []
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
                rows.append(row[:MAX_COLUMNS])
                if len(rows) > MAX_ROWS:
                    raise ImportRefused(
                        f"{path}: lebih dari {amount(MAX_ROWS)} baris; ini bukan ekspor realisasi satu satker"
                    )
        except csv.Error as exc:
            raise ImportRefused(f"{path} bukan CSV yang sah ({exc})") from None
        sheets.append(Sheet(path.name, rows, text_only=True))
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


def _unreadable(path: Path, exc: Exception) -> ImportRefused:
    return ImportRefused(f"buku kerja {path} rusak atau tidak dapat dibaca ({_reason(exc)}): ekspor ulang dari SAKTI")


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
