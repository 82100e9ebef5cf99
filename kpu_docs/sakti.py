"""Read a SAKTI realisation export (.xlsx or .csv): one row per budget node, keyed by full code.

The export is untrusted. Workbooks are opened with openpyxl, which parses their XML through
defusedxml; a CSV cell is only ever text (``=...`` is never evaluated). Every problem is
reported in Indonesian, and only this module looks inside the file.

Layout: title rows (report, satker, period), a header row recognised by its labels, one row
per node, and a grand-total row labelled ``JUMLAH SELURUHNYA``. ``Kode`` is either the full
code (``CQ.6709.QGE.001``) or only the node's own segment (``001``) below the rows above it.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

import defusedxml  # noqa: F401  (openpyxl parses workbook XML through defusedxml when importable)
import openpyxl

from .errors import KpuDocsError
from .formatting import amount, parse_amount, percent, percent_decimal, rupiah

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted OOXML, or an old .xls
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
MAX_FILE_BYTES = 20 * 1024 * 1024  # a satker's export is well under 1 MB
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # a zip bomb is refused before parsing
MAX_ROWS = 100_000
TOTAL_LABEL = "JUMLAH SELURUHNYA"

# Levels are depths in the tree: a node's level is its parent's plus one.
PROGRAM, KEGIATAN, KRO, RO = range(4)

# field → accepted header labels (normalised), preferred first
_ALIASES: dict[str, tuple[str, ...]] = {
    "kode": ("kode",),
    "uraian": ("uraian",),
    "pagu": ("pagurevisi", "pagu"),
    "lock_pagu": ("lockpagu",),
    "realisasi_lalu": ("realisasiperiodelalu",),
    "realisasi_ini": ("realisasiperiodeini",),
    "realisasi": ("realisasisdperiode", "realisasi"),
    "persen": ("%",),
    "sisa": ("sisaanggaran",),
}
LABELS = {
    "kode": "Kode",
    "uraian": "Uraian",
    "pagu": "Pagu Revisi",
    "lock_pagu": "Lock Pagu",
    "realisasi_lalu": "Realisasi Periode Lalu",
    "realisasi_ini": "Realisasi Periode Ini",
    "realisasi": "Realisasi s.d. Periode",
    "persen": "%",
    "sisa": "Sisa Anggaran",
}
REQUIRED = ("kode", "uraian", "pagu", "realisasi")
_MONEY_FIELDS = ("pagu", "lock_pagu", "realisasi_lalu", "realisasi_ini", "realisasi", "sisa")

_PROGRAM_CODE = re.compile(r"^\d{3}\.\d{2}\.[A-Z]{2}$")
_PROGRAM_PREFIX = re.compile(r"^(\d{3}\.\d{2}\.([A-Z]{2}))\.(.+)$")
_KEGIATAN = re.compile(r"^\d{4}$")
_KRO = re.compile(r"^[A-Z]{3}$")
_THREE_DIGITS = re.compile(r"^\d{3}$")  # RO, or komponen below an RO
_SUB_KOMPONEN = re.compile(r"^[A-Z]{1,2}$")
_AKUN = re.compile(r"^\d{6}$")
_DETAIL = re.compile(r"^[A-Za-z0-9]{1,6}$")


@dataclass
class Row:
    """One node of the export, placed in the tree."""

    line: int  # 1-based row number in the sheet or file
    code: str  # full code; "" for the grand total
    name: str
    level: int
    parent: str | None
    pagu: int | None = None
    realisasi: int | None = None
    realisasi_lalu: int | None = None
    realisasi_ini: int | None = None
    sisa: int | None = None
    persen: Decimal | None = None
    persen_text: str | None = None  # the % as written, when written as text
    invalid: set[str] = field(default_factory=set)  # figures that could not be read (already reported)

    @property
    def subject(self) -> str:
        return f"baris {self.line}, {self.code or TOTAL_LABEL}"


@dataclass
class Export:
    """A parsed export: rows in file order, the grand total, title lines and reading warnings."""

    path: Path
    rows: list[Row]
    total: Row | None
    titles: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_code = {row.code: row for row in self.rows}
        self._children: dict[str, list[Row]] = {}
        for row in self.rows:
            if row.parent is not None:
                self._children.setdefault(row.parent, []).append(row)

    def row(self, code: str) -> Row | None:
        return self._by_code.get(code)

    def children(self, code: str) -> list[Row]:
        return self._children.get(code, [])

    @property
    def levels(self) -> set[int]:
        return {row.level for row in self.rows}

    @property
    def years(self) -> set[int]:
        return {int(y) for title in self.titles for y in re.findall(r"\b(20\d\d)\b", title)}


# --- reading the file ------------------------------------------------------------------------


Table = list[list[Any]]


def read_export(path: str | Path, known: frozenset[str] | set[str] = frozenset()) -> Export:
    """Parse an export; ``known`` (the input's codes) settles a 3-digit segment's level when
    its figures cannot. Raises KpuDocsError for a file that cannot be used at all."""
    path = Path(path)
    tables = _read_tables(path)
    rows, header_at, columns = _find_header(tables, path)
    titles = [" ".join(str(c).strip() for c in row if _filled(c)) for row in rows[:header_at]]
    warnings: list[str] = []
    raws, total = _raw_rows(rows, header_at, columns, warnings)
    placed = _Placer(raws, known, warnings).place_all()
    export = Export(path, placed, total, [t for t in titles if t], warnings)
    export.warnings += check(export)
    return export


def _read_tables(path: Path) -> list[Table]:
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


def _read_xlsx(path: Path) -> list[Table]:
    _check_zip(path)
    if not openpyxl.DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise KpuDocsError("defusedxml tidak terpasang: buku kerja dari luar tidak dibaca tanpanya")
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise _unreadable(path, exc) from None
    try:
        sheets = [workbook.active, *workbook.worksheets]
        tables, seen = [], set()
        for sheet in sheets:
            if sheet is None or id(sheet) in seen or not hasattr(sheet, "iter_rows"):
                continue
            seen.add(id(sheet))
            tables.append(_sheet_rows(sheet, path))
        return tables
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
                raise KpuDocsError(f"{path}: isi arsip terlalu besar ({size} MB) untuk ekspor realisasi")
            damaged = archive.testzip()
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


def _sheet_rows(sheet, path: Path) -> Table:
    sheet.reset_dimensions()  # some producers write wrong dimensions; read every row
    rows: Table = []
    for values in sheet.iter_rows(min_row=1, values_only=True):
        rows.append(list(values))
        if len(rows) > MAX_ROWS:
            raise KpuDocsError(f"{path}: lebih dari {amount(MAX_ROWS)} baris; ini bukan ekspor realisasi satu satker")
    return rows


def _read_csv(path: Path) -> list[Table]:
    data = path.read_bytes()
    text = _decode(data, path)
    tables = []
    for delimiter in (";", "\t", ","):  # Indonesian Excel writes CSV with ';'
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as exc:
            raise KpuDocsError(f"{path} bukan CSV yang sah ({exc})") from None
        if len(rows) > MAX_ROWS:
            raise KpuDocsError(f"{path}: lebih dari {amount(MAX_ROWS)} baris; ini bukan ekspor realisasi satu satker")
        tables.append(rows)
    return tables


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


# --- the header row --------------------------------------------------------------------------


def _norm(value: Any) -> str:
    """Header label for matching: case, spaces, dots and slashes do not count."""
    return re.sub(r"[\s./]+", "", str(value).lower())


def _columns(row: list[Any]) -> dict[str, int]:
    labels = [_norm(c) if isinstance(c, str) else "" for c in row]
    found: dict[str, int] = {}
    for name, aliases in _ALIASES.items():
        for alias in aliases:
            if alias in labels:
                found[name] = labels.index(alias)
                break
    return found


def _find_header(tables: list[Table], path: Path) -> tuple[Table, int, dict[str, int]]:
    best: tuple[Table, int, dict[str, int]] | None = None
    for rows in tables:
        for i, row in enumerate(rows[:200]):
            columns = _columns(row)
            if len(columns) >= 3:
                if best is None or len(columns) > len(best[2]):
                    best = (rows, i, columns)
                break
    if best is None:
        raise KpuDocsError(
            f"{path}: baris judul kolom tidak ditemukan. Ekspor realisasi SAKTI memuat kolom "
            f"{', '.join(LABELS[f] for f in REQUIRED)}: apakah ini memang ekspor realisasi SAKTI?"
        )
    rows, i, columns = best
    missing = [f"'{LABELS[f]}'" for f in REQUIRED if f not in columns]
    if missing:
        which = "kolom " + " dan ".join(missing)
        raise KpuDocsError(
            f"{path}: {which} tidak ditemukan pada baris judul kolom (baris {i + 1}). "
            f"Ekspor realisasi SAKTI memuat kolom {', '.join(LABELS[f] for f in REQUIRED)}"
        )
    return rows, i, columns


# --- cells -----------------------------------------------------------------------------------


def _filled(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def money(value: Any) -> int | None:
    """A Rupiah cell: a number or Indonesian text; may be negative (sisa). Empty → None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} bukan jumlah Rupiah")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value - round(value)) > 1e-6:
            raise ValueError(f"{value!r} bukan Rupiah bulat")
        return int(round(value))
    if not isinstance(value, str):
        raise ValueError(f"{value!r} bukan jumlah Rupiah")
    text = value.replace("\u00a0", " ").strip()
    if text in ("", "-", "–", "—"):
        return 0 if text else None
    negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
    body = text.strip("()").lstrip("-").strip()
    plain = re.fullmatch(r"(\d+)\.0{1,2}", body)  # 851584516.00 from a system writing decimals
    number = int(plain.group(1)) if plain else parse_amount(body)
    return -number if negative else number


def _percent(value: Any) -> tuple[Decimal, str | None] | None:
    """The % cell as written: (value, text) — text when it was written as text."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number, text = repr(value), None
    else:
        text = str(value).replace("\u00a0", " ").strip()
        if text in ("", "-"):
            return None
        number = text.rstrip("%").strip()
        if "," in number:  # Indonesian decimal comma
            number = number.replace(".", "").replace(",", ".")
    try:
        parsed = Decimal(number)
    except InvalidOperation:
        parsed = None
    if parsed is None or not parsed.is_finite():
        raise ValueError(f"'{text or number}' bukan persentase")
    return parsed, text


def _code_text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", "", str(value))


# --- the rows --------------------------------------------------------------------------------


@dataclass
class _Raw:
    line: int
    code: str
    name: str
    figures: dict[str, Any]


def _raw_rows(
    rows: Table, header_at: int, columns: dict[str, int], warnings: list[str]
) -> tuple[list[_Raw], Row | None]:
    raws: list[_Raw] = []
    for index in range(header_at + 1, len(rows)):
        cells, line = rows[index], index + 1
        cell = lambda f: cells[columns[f]] if f in columns and columns[f] < len(cells) else None  # noqa: E731
        if any(isinstance(c, str) and "jumlahseluruhnya" in _norm(c) for c in cells):
            total = Row(line, "", TOTAL_LABEL, -1, None)
            _fill(total, {f: cell(f) for f in (*_MONEY_FIELDS, "persen")}, warnings)
            return raws, total
        code = _code_text(cell("kode"))
        name = str(cell("uraian")).strip() if _filled(cell("uraian")) else ""
        figures = {f: cell(f) for f in (*_MONEY_FIELDS, "persen")}
        if not code:
            if name or any(_filled(v) for v in figures.values()):
                warnings.append(f"baris {line}: tidak berkode, diabaikan ({name or 'tanpa uraian'})")
            continue
        raws.append(_Raw(line, code, name, figures))
    return raws, None


def _fill(row: Row, figures: dict[str, Any], warnings: list[str]) -> None:
    for key in _MONEY_FIELDS:
        if key == "lock_pagu":
            continue
        try:
            setattr(row, key, money(figures[key]))
        except ValueError as exc:
            row.invalid.add(key)
            warnings.append(f"{row.subject}, kolom {LABELS[key]}: {exc}; nilai ini tidak dipakai")
    try:
        written = _percent(figures["persen"])
    except ValueError as exc:
        warnings.append(f"{row.subject}, kolom %: {exc}; tidak diperiksa")
        written = None
    if written:
        row.persen, row.persen_text = written


def _segment(code: str) -> str:
    """A bare segment, with the leading zeros a numeric cell lost (1 → 001)."""
    return code.zfill(3) if code.isdigit() and len(code) < 3 else code


class _Placer:
    """Gives every row its full code and parent, from its own code or the rows above it."""

    def __init__(self, raws: list[_Raw], known: frozenset[str] | set[str], warnings: list[str]):
        self.raws, self.known, self.warnings = raws, known, warnings
        self.rows: list[Row] = []
        self.by_code: dict[str, Row] = {}
        self.kids: dict[str, list[Row]] = {}
        self.path: list[Row] = []  # the current chain, index = level
        self.programs = {code.rsplit(".", 1)[-1]: code for code in known if _PROGRAM_CODE.match(code)}
        # an export that goes below RO somewhere (akun, sub-komponen) has komponen everywhere
        self.detailed = any(self._detail_only(r.code) or _PROGRAM_PREFIX.sub(r"\2.\3", r.code).count(".") > RO
                            for r in raws)

    def place_all(self) -> list[Row]:
        for i, raw in enumerate(self.raws):
            placed = self._place(i, raw)
            if placed is None:
                continue
            code, level, parent = placed
            row = Row(raw.line, code, raw.name, level, parent)
            _fill(row, raw.figures, self.warnings)
            if code in self.by_code:
                first = self.by_code[code]
                self.warnings.append(
                    f"baris {raw.line}: kode {code} sudah ada di baris {first.line}; baris ini diabaikan"
                )
                row = first
            else:
                self.rows.append(row)
                self.by_code[code] = row
                if parent is not None:
                    self.kids.setdefault(parent, []).append(row)
            self.path = [*self.path[:level], row]
        return self.rows

    def _unknown(self, raw: _Raw, why: str) -> None:
        self.warnings.append(f"baris {raw.line}: kode '{raw.code}' {why}; baris ini diabaikan")

    def _place(self, i: int, raw: _Raw) -> tuple[str, int, str | None] | None:
        code = raw.code
        if _PROGRAM_CODE.match(code):
            self.programs[code.rsplit(".", 1)[-1]] = code
            return code, PROGRAM, None
        if "." in code:
            return self._place_full(raw)
        return self._place_segment(i, raw, _segment(code))

    def _place_full(self, raw: _Raw) -> tuple[str, int, str | None] | None:
        code = raw.code
        prefixed = _PROGRAM_PREFIX.match(code)
        if prefixed:  # 076.01.CQ.6709.QGE: the program written in front
            self.programs.setdefault(prefixed.group(2), prefixed.group(1))
            code = f"{prefixed.group(2)}.{prefixed.group(3)}"
        parts = code.split(".")
        shapes = (re.compile(r"^[A-Z]{2}$"), _KEGIATAN, _KRO, _THREE_DIGITS)
        if len(parts) < 2 or any(not (shapes[k] if k < 4 else _DETAIL).match(p) for k, p in enumerate(parts)):
            self._unknown(raw, "tidak dikenali (contoh: 076.01.CQ, CQ.6709, CQ.6709.QGE, CQ.6709.QGE.001)")
            return None
        level = len(parts) - 1
        # a kegiatan's program is known from a row above or from the input (else None)
        parent = self.programs.get(parts[0]) if level == KEGIATAN else ".".join(parts[:-1])
        self._rebuild_path(parts, parent)
        return code, level, parent

    def _rebuild_path(self, parts: list[str], program: str | None) -> None:
        """Full-form rows set the context too, so that segment rows may follow them."""
        chain = [program or parts[0]] + [".".join(parts[: k + 1]) for k in range(1, len(parts) - 1)]
        self.path = [self.by_code.get(c) or Row(0, c, "", k, None) for k, c in enumerate(chain)]

    def _place_segment(self, i: int, raw: _Raw, seg: str) -> tuple[str, int, str | None] | None:
        path = self.path
        if seg in self.programs and len(path) <= RO + 1:  # a program written short (CQ), not a sub-komponen
            return self.programs[seg], PROGRAM, None
        if _KEGIATAN.match(seg):
            if not path:
                return self._unknown(raw, "(kegiatan) tidak didahului baris program")
            return f"{path[PROGRAM].code.rsplit('.', 1)[-1]}.{seg}", KEGIATAN, path[PROGRAM].code
        if _KRO.match(seg):
            if len(path) <= KEGIATAN:
                return self._unknown(raw, "(KRO) tidak didahului baris kegiatan")
            return self._under(path[KEGIATAN], seg)
        if _THREE_DIGITS.match(seg):
            if len(path) <= KRO:
                return self._unknown(raw, "(RO) tidak didahului baris KRO")
            if len(path) > RO and self._is_komponen(i, seg):
                return self._under(path[RO], seg)
            return self._under(path[KRO], seg)
        if _SUB_KOMPONEN.match(seg):
            if len(path) <= RO + 1 or not _THREE_DIGITS.match(path[RO + 1].code.rsplit(".", 1)[-1]):
                return self._unknown(raw, "(sub komponen) tidak didahului baris komponen")
            return self._under(path[RO + 1], seg)
        if _AKUN.match(seg):
            if len(path) <= RO:
                return self._unknown(raw, "(akun) tidak didahului baris RO atau komponen")
            parent = path[-2] if _AKUN.match(path[-1].code.rsplit(".", 1)[-1]) else path[-1]
            return self._under(parent, seg)
        return self._unknown(raw, "tidak dikenali (contoh: 076.01.CQ, 6709, QGE, 001, 521211)")

    def _detail_only(self, code: str) -> bool:
        """Segments only found below a komponen: sub-komponen letters, 6-digit akun."""
        seg = _segment(code)
        return bool(_SUB_KOMPONEN.match(seg) and seg not in self.programs or _AKUN.match(seg))

    @staticmethod
    def _under(parent: Row, seg: str) -> tuple[str, int, str | None]:
        return f"{parent.code}.{seg}", parent.level + 1, parent.code

    def _is_komponen(self, i: int, seg: str) -> bool:
        """A 3-digit segment below an RO: a komponen of that RO, or the next RO?

        Komponen rows add up to their RO: once they do, the next 3-digit row is an RO. Before
        the first one, look for akun/sub-komponen rows right after it (only found below a
        komponen) or for rows ahead that add up to the RO. One row equal to the RO is weak
        evidence: then an RO of that code in the input, in an export with no detail seen yet,
        says it is the next RO."""
        ro = self.path[RO]
        target = (ro.pagu or 0, ro.realisasi or 0)
        komponen = [k for k in self.kids.get(ro.code, []) if _THREE_DIGITS.match(k.code.rsplit(".", 1)[-1])]
        if komponen:
            return (sum(k.pagu or 0 for k in komponen), sum(k.realisasi or 0 for k in komponen)) != target
        if i + 1 < len(self.raws) and self._detail_only(self.raws[i + 1].code):
            self.detailed = True
            return True
        if target == (0, 0):
            return False
        count = self._rows_adding_up(i, target)
        if count >= 2:
            self.detailed = True
        sibling = f"{self.path[KRO].code}.{seg}"
        if count == 1 and not self.detailed and sibling in self.known and sibling != ro.code:
            return False
        return count > 0

    def _rows_adding_up(self, i: int, target: tuple[int, int]) -> int:
        """How many 3-digit rows from ``i`` on, in this KRO, add up to ``target`` (0: none)."""
        pagu = realisasi = count = 0
        for raw in self.raws[i:]:
            seg = _segment(raw.code)
            if "." in raw.code or not (_THREE_DIGITS.match(seg) or self._detail_only(seg)):
                return 0
            if _THREE_DIGITS.match(seg):
                count += 1
                pagu += _lenient(raw.figures.get("pagu"))
                realisasi += _lenient(raw.figures.get("realisasi"))
                if (pagu, realisasi) == target:
                    return count
        return 0


def _lenient(value: Any) -> int:
    try:
        return money(value) or 0
    except ValueError:
        return 0


# --- cross-checks ----------------------------------------------------------------------------


def check(export: Export) -> list[str]:
    """Where the export disagrees with itself: totals, %, sisa, the grand total."""
    scale = _percent_scale(export)
    warnings: list[str] = []
    for row in export.rows:
        warnings += _children_sum(row, export.children(row.code), "baris di bawahnya")
        warnings += _own_figures(row, scale)
    if export.total is None:
        warnings.append(f"baris {TOTAL_LABEL} tidak ditemukan: jumlah seluruhnya tidak dapat diperiksa")
        return warnings
    roots = [r for r in export.rows if export.row(r.parent or "") is None]  # the programs, when all are there
    warnings += _children_sum(export.total, roots, "baris teratas (program)")
    warnings += _own_figures(export.total, scale)
    return warnings


def _children_sum(row: Row, children: list[Row], what: str) -> list[str]:
    if not children:
        return []
    out = []
    for key in ("pagu", "realisasi"):
        stated = getattr(row, key)
        total = sum(getattr(c, key) or 0 for c in children)
        if stated is not None and stated != total:
            out.append(
                f"{row.subject}: {key} {rupiah(stated)} tidak sama dengan jumlah {len(children)} {what} "
                f"{rupiah(total)} (selisih {rupiah(abs(stated - total))})"
            )
    return out


def _own_figures(row: Row, scale: int) -> list[str]:
    out = []
    pagu, realisasi = row.pagu, row.realisasi
    if row.sisa is not None and pagu is not None and realisasi is not None and row.sisa != pagu - realisasi:
        out.append(
            f"{row.subject}: Sisa Anggaran {rupiah(row.sisa)} tidak sama dengan pagu − realisasi "
            f"{rupiah(pagu - realisasi)}"
        )
    parts = (row.realisasi_lalu, row.realisasi_ini)
    if realisasi is not None and None not in parts and sum(parts) != realisasi:
        out.append(
            f"{row.subject}: Realisasi Periode Lalu + Periode Ini {rupiah(sum(parts))} tidak sama dengan "
            f"Realisasi s.d. Periode {rupiah(realisasi)}"
        )
    if row.persen is not None and pagu and realisasi is not None and not _percent_agrees(row, scale):
        shown = row.persen_text or str(row.persen).replace(".", ",")
        out.append(
            f"{row.subject}: % tertulis {shown}, padahal realisasi/pagu = "
            f"{percent(Fraction(realisasi, pagu))}"
        )
    return out


def _percent_scale(export: Export) -> int:
    """100 when % is written as 0,9952 (a fraction), 1 when as 99,52: whichever fits more rows."""
    rows = [r for r in [*export.rows, export.total]
            if r is not None and r.persen is not None and r.pagu and r.realisasi is not None]
    if any(r.persen_text and r.persen_text.endswith("%") for r in rows):
        return 1
    fits = {scale: sum(_percent_agrees(r, scale) for r in rows) for scale in (1, 100)}
    return 100 if fits[100] > fits[1] else 1


def _percent_agrees(row: Row, scale: int) -> bool:
    """Equal to realisasi/pagu within the rounding of the decimals shown."""
    ratio = Fraction(row.realisasi, row.pagu)
    shown = Fraction(row.persen) * scale
    decimals = max(0, -row.persen.as_tuple().exponent - (2 if scale == 100 else 0))
    tolerance = Fraction(1, 2 * 10**decimals) + Fraction(1, 10**9)
    if abs(shown - ratio * 100) <= tolerance:
        return True
    # kpu-docs' own rounding never shows 100,00 for less, nor 0,00 for more than nothing
    return decimals == 2 and percent_decimal(ratio) == Decimal(shown.numerator) / Decimal(shown.denominator)
