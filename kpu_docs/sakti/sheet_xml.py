"""One worksheet's XML, streamed through expat within bounds.

openpyxl reads the workbook's structure and shared strings; the sheet itself (the only large
part) is parsed here, because openpyxl's hardened reader runs a Python callback per XML
node and needs about 1.6 s for 5,000 rows. Hardened as defusedxml hardens: a DTD, an entity
declaration or an external entity stops the parse. Only the cells the XML holds are kept: a
row claiming column XFD is never padded to 16,384 cells, and a value beyond ``MAX_COLUMNS``
or ``MAX_ROWS`` is refused. A formula cell without a saved value is recorded, never read as 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, NoReturn
from xml.parsers import expat

from kpu_docs.errors import ImportRefused
from kpu_docs.formatting import amount

MAX_ROWS = 100_000
MAX_COLUMNS = 64  # GLP039 ends at AE; a POK with its monthly plan well before BL

Table = list[list[Any]]


@dataclass
class Sheet:
    """One worksheet (or the CSV) as rows of values, and the name it is reported by."""

    name: str
    rows: Table
    unsaved: set[tuple[int, int]] = field(default_factory=set)  # (row, col), 0-based: formulas without a value
    text_only: bool = False  # a CSV: every cell is text, numbers included


def _letters_to_index(ref: str) -> int:
    """``AD12`` → 29 (0-based column)."""
    col = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            col = col * 26 + ord(ch) - 64
        else:
            break
    return col - 1


class _Forbidden(Exception):
    pass


def _forbid(*_args) -> NoReturn:
    raise _Forbidden


class SheetReader:
    """Parses ``<sheetData>``: rows of cells with their values (shared, inline, numbers, text)."""

    def __init__(self, title: str, shared: list, path: Path):
        self.title, self.shared, self.path = title.strip(), shared, path
        self.rows: Table = []
        self.unsaved: set[tuple[int, int]] = set()
        self.row = 0
        self.col = -1
        self.kind = "n"
        self.value: str | None = None
        self.inline: list[str] = []
        self.formula = False
        self.text: list[str] | None = None

    def read(self, stream: BinaryIO) -> Sheet:
        parser = expat.ParserCreate()
        parser.StartDoctypeDeclHandler = _forbid
        parser.EntityDeclHandler = _forbid
        parser.ExternalEntityRefHandler = _forbid
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._chars
        parser.buffer_text = True
        try:
            for block in iter(lambda: stream.read(1 << 16), b""):
                parser.Parse(block, False)
            parser.Parse(b"", True)
        except _Forbidden:
            raise ImportRefused(
                f"{self.path}: lembar '{self.title}' memuat deklarasi DTD/entitas XML; "
                "berkas ini tidak dibaca. Ekspor ulang dari SAKTI"
            ) from None
        except expat.ExpatError as exc:
            raise ImportRefused(f"{self.path}: lembar '{self.title}' rusak ({exc}); ekspor ulang dari SAKTI") from None
        while self.rows and not any(v is not None for v in self.rows[-1]):
            self.rows.pop()
        return Sheet(self.title, self.rows, self.unsaved)

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(":", 1)[-1]
        if local == "c":
            ref = attrs.get("r")
            self.col = _letters_to_index(ref) if ref else self.col + 1
            self.kind, self.value, self.inline, self.formula = attrs.get("t", "n"), None, [], False
        elif local == "row":
            r = attrs.get("r")
            self.row = int(r) if r and r.isdigit() else self.row + 1
            self.col = -1
        elif local in ("v", "t", "f"):
            self.text = []

    def _chars(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def _end(self, name: str) -> None:
        local = name.rsplit(":", 1)[-1]
        if local == "v":
            self.value, self.text = "".join(self.text or []), None
        elif local == "t":
            self.inline.append("".join(self.text or []))
            self.text = None
        elif local == "f":
            self.formula, self.text = True, None
        elif local == "c":
            self._cell()

    def _cell(self) -> None:
        value = self._typed()
        if value is None:
            if self.formula:
                self._place(None)
                self.unsaved.add((self.row - 1, self.col))
            return
        self._place(value)

    def _typed(self) -> Any:
        kind, raw = self.kind, self.value
        if kind == "inlineStr":
            return "".join(self.inline) if self.inline else None
        if raw is None or raw == "":
            return None
        if kind == "s":
            return self.shared[int(raw)]
        if kind in ("str", "e"):
            return raw
        if kind == "b":
            return raw == "1"
        try:
            return float(raw) if any(ch in raw for ch in ".eE") else int(raw)
        except ValueError:
            return raw  # kept as text: refused where a number belongs

    def _place(self, value: Any) -> None:
        if self.row > MAX_ROWS:
            raise ImportRefused(
                f"{self.path}: lebih dari {amount(MAX_ROWS)} baris; ini bukan ekspor realisasi satu satker"
            )
        if self.col >= MAX_COLUMNS:
            from .cells import column

            raise ImportRefused(
                f"{self.path}: lembar '{self.title}', baris {self.row}: ada isi di kolom {column(MAX_COLUMNS)} "
                "atau sesudahnya; ekspor realisasi SAKTI tidak selebar itu. Hapus kolom tambahan itu"
            )
        if self.col < 0:
            return
        rows = self.rows
        while len(rows) < self.row:
            rows.append([])
        cells = rows[self.row - 1]
        if len(cells) <= self.col:
            cells.extend([None] * (self.col + 1 - len(cells)))
        cells[self.col] = value
