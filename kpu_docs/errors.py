"""Problems in an input, with the place they were found."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

KeyPath = tuple[str | int, ...]


def format_key_path(path: KeyPath) -> str:
    """Render ``("program", 0, "kegiatan", 2, "pagu")`` as ``program[0].kegiatan[2].pagu``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(dokumen)"


@dataclass(frozen=True)
class Location:
    """Where something is in an input file: file, 1-based line and key path."""

    file: Path | None = None
    line: int | None = None
    path: KeyPath = ()

    def __str__(self) -> str:
        where = str(self.file) if self.file else "<input>"
        if self.line:
            where += f":{self.line}"
        return f"{where}: {format_key_path(self.path)}"


@dataclass(frozen=True)
class Problem:
    """One reason an input cannot be loaded."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class InputError(Exception):
    """An input that cannot be loaded; carries every problem found, not just the first.

    ``notices``: what loading assumed or replaced on the way (the encoding, a control
    character), shown beside the problems."""

    def __init__(self, problems: list[Problem], notices: list[Problem] | tuple[Problem, ...] = ()):
        self.problems = problems
        self.notices = list(notices)
        self.partial: Any = None  # load.Document of the budget tree alone, when it is sound
        super().__init__("\n".join(str(p) for p in problems))


class KpuDocsError(Exception):
    """An error the command line reports as a message, without a traceback."""


# The kinds of KpuDocsError: the command line reports them all alike (one message, exit 1);
# tests and callers tell them apart by kind, never by their Indonesian wording.


class UsageError(KpuDocsError):
    """A command-line argument that cannot be used (no inputs, a folder for a file, --jobs 0)."""


class TemplateError(KpuDocsError):
    """A Word template that cannot be read or rendered (bad tags, unknown keys, too large)."""


class ImageError(KpuDocsError):
    """An image named in an input that is missing, too large or not a picture."""


class ImportRefused(KpuDocsError):
    """An outside file (SAKTI export, hand-typed report) that is refused: unreadable, hostile,
    of an unknown layout or not reconciling with its own totals. Nothing has been written."""


class OutputError(KpuDocsError):
    """An output that cannot be written where asked (exists already, a file where a folder
    belongs, changed meanwhile). Nothing has been overwritten."""


class PdfError(KpuDocsError):
    """LibreOffice missing, failing or too slow, or a PDF whose page numbers do not match."""


_OS_ERRORS = {
    "ENOSPC": "ruang disk penuh; kosongkan ruang lalu ulangi",
    "EDQUOT": "kuota disk habis; kosongkan ruang lalu ulangi",
    "EACCES": "tidak ada izin untuk menulis atau membaca di sini",
    "EPERM": "tidak ada izin untuk menulis atau membaca di sini",
    "EROFS": "sistem berkas ini hanya-baca; pilih folder lain",
    "EISDIR": "nama ini dipakai oleh sebuah folder; pindahkan atau ganti namanya",
    "ENOTDIR": "bagian dari jalur ini adalah berkas, bukan folder",
    "EEXIST": "sudah ada",
    "ENOTEMPTY": "folder ini tidak kosong",
    "ENOENT": "tidak ditemukan",
    "EXDEV": "berada di perangkat/sistem berkas lain",
    "ENAMETOOLONG": "nama berkas terlalu panjang",
    "EIO": "kesalahan baca/tulis perangkat",
    "ENOLCK": "folder ini tidak dapat dikunci (folder jaringan tanpa layanan penguncian?); pilih folder lokal",
    "ENOTSUP": "sistem berkas ini tidak mendukung penguncian berkas; pilih folder lokal",  # = EOPNOTSUPP on Linux
}


def os_error_message(exc: OSError) -> str:
    """One Indonesian line for an operating-system error, naming the file it concerns."""
    import errno

    code = errno.errorcode.get(exc.errno or 0, "")
    what = _OS_ERRORS.get(code, exc.strerror or type(exc).__name__)
    where = " → ".join(str(f) for f in (exc.filename, exc.filename2) if f)
    return f"{where or 'berkas'}: {what} ({code or type(exc).__name__})"
