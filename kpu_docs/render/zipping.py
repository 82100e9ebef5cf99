"""Zip each document once, reproducibly: fixed entry times and modes, so that the same
content always gives the same bytes (and a rebuild replaces nothing).

A .docx is written here straight from python-docx's package, instead of saved and then
re-zipped; a .xlsx comes from xlsxwriter already zipped with fixed times, and only its
entries' file modes are set in place.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can hold
MODE = 0o644 << 16  # rw-r--r-- in the entry's external attributes (unix)
# Parts a template may carry that no output uses: Word 2010's copy of styles.xml with effects
# (stylesWithEffects.xml, 438 KB in the default template); Word rebuilds it when needed.
UNUSED_PARTS = ("http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",)


class _FixedZip:
    """python-docx's physical package writer, with fixed entry times and modes."""

    def __init__(self, path: Path) -> None:
        self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)

    def write(self, pack_uri, blob: bytes) -> None:
        info = zipfile.ZipInfo(pack_uri.membername, ZIP_EPOCH)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = MODE
        self._zip.writestr(info, blob)

    def close(self) -> None:
        self._zip.close()


def drop_unused_parts(document) -> None:
    """Remove the relationships to parts no output uses (``UNUSED_PARTS``) from a
    python-docx document, so the parts are not written."""
    part = document.part
    for rid, rel in list(part.rels.items()):
        if rel.reltype in UNUSED_PARTS:
            del part.rels[rid]


def save_docx(document, path: Path) -> None:
    """Write a python-docx ``Document`` to ``path`` as one reproducible zip (what
    ``Document.save`` + re-zipping gave, in one pass)."""
    from docx.opc.pkgwriter import PackageWriter

    package = document.part.package
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    writer = _FixedZip(path)
    try:
        PackageWriter._write_content_types_stream(writer, parts)
        PackageWriter._write_pkg_rels(writer, package.rels)
        PackageWriter._write_parts(writer, parts)  # type: ignore[arg-type]  # duck-typed PhysPkgWriter
    finally:
        writer.close()


_CENTRAL = b"PK\x01\x02"
_END = b"PK\x05\x06"


def fix_modes(path: Path) -> None:
    """Set every entry's file mode to ``MODE`` in the zip's central directory, in place
    (xlsxwriter already writes fixed times; only the modes depend on its defaults)."""
    data = bytearray(path.read_bytes())
    end = data.rfind(_END)
    if end < 0:
        raise ValueError(f"{path}: not a zip file")
    entries, size, offset = struct.unpack_from("<HII", data, end + 10)
    changed = False
    for _ in range(entries):
        if data[offset : offset + 4] != _CENTRAL:
            raise ValueError(f"{path}: damaged zip central directory")
        if struct.unpack_from("<I", data, offset + 38)[0] != MODE:
            struct.pack_into("<I", data, offset + 38, MODE)
            changed = True
        names, extra, comment = struct.unpack_from("<HHH", data, offset + 28)
        offset += 46 + names + extra + comment
    if changed:
        path.write_bytes(bytes(data))
