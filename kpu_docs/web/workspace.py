"""The folder the page serves: its offices and years, kept versions, safe writing.

Nothing from the browser is ever used as a path. An office is a folder name matched against
``OFFICE`` and then looked up among the folder's own entries; a year is four digits; a version
is a time stamp matched against ``VERSION``. Every resolved path is checked to stay inside the
root (a symlink pointing out is refused).

Later, serving several offices from one machine with per-office accounts means giving each
account its own ``Workspace`` (or a filter over ``offices()``); nothing else needs to know.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from kpu_docs.errors import InputError, KpuDocsError, Problem
from kpu_docs.input.atomic import write_file
from kpu_docs.input.load import encoding_notice, read_text_as_typed

OFFICE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
YEAR = re.compile(r"^(20\d\d|2100)$")
VERSION = re.compile(r"^\d{8}T\d{6}\d{6}$")
VERSIONS_DIR = ".versi"  # inside the root; its files end in .versi, so `build inputs/` never reads them
MAX_INPUT_BYTES = 5 * 1024 * 1024


class NotFound(KpuDocsError):
    """A page for an office, year or version that the folder does not have."""


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Version:
    """A kept earlier content of one input."""

    id: str  # UTC time stamp of when it was replaced, e.g. 20261129T154500123456
    path: Path

    @property
    def when(self) -> dt.datetime:
        return dt.datetime.strptime(self.id, "%Y%m%dT%H%M%S%f").replace(tzinfo=dt.timezone.utc)


class Workspace:
    """One served folder: ``<root>/<office>/<year>.yaml``, outputs under ``out``."""

    def __init__(self, root: Path, out: Path):
        self.root = Path(root).resolve()
        self.out = Path(out).resolve()
        self._writing = threading.Lock()  # two windows saving at once: one after the other

    # -- finding things --

    def offices(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(
            p.name
            for p in self.root.iterdir()
            if p.is_dir() and OFFICE.match(p.name) and self._inside(p) and self.years(p.name)
        )

    def years(self, office: str) -> list[int]:
        folder = self.root / office
        return sorted(int(p.stem) for p in folder.glob("*.yaml") if YEAR.match(p.stem) and p.is_file())

    def input_path(self, office: str, year: int | str) -> Path:
        """The input for an office and year; NotFound unless it exists inside the root."""
        if not OFFICE.match(str(office)) or not YEAR.match(str(year)):
            raise NotFound("alamat tidak dikenal")
        path = self.root / office / f"{year}.yaml"
        if not path.is_file() or not self._inside(path):
            raise NotFound(f"masukan {office}/{year}.yaml tidak ada di folder ini")
        return path

    def new_path(self, office: str, year: int) -> Path:
        """Where a new input for an office and year goes (it must not exist yet)."""
        if not OFFICE.match(office) or not YEAR.match(str(year)):
            raise KpuDocsError("nama kantor atau tahun tidak sah")
        path = self.root / office / f"{year}.yaml"
        if not self._inside(path.parent if path.parent.exists() else self.root):
            raise KpuDocsError("folder kantor berada di luar folder yang dilayani")
        return path

    def _inside(self, path: Path) -> bool:
        try:
            return path.resolve().is_relative_to(self.root)
        except OSError:
            return False

    # -- reading and writing inputs --

    def read(self, office: str, year: int | str) -> str:
        """The input's text, line endings as typed. A file Notepad saved as ANSI is read as
        Windows-1252, as the command line reads it (``load.read_text_as_typed``); saving from
        the page writes UTF-8. Raises KpuDocsError for a file too large or in neither encoding."""
        return self._read(office, year)[0]

    def read_with_notices(self, office: str, year: int | str) -> tuple[str, list[Problem]]:
        """The input's text (as ``read``) and what was assumed in reading it: that the file on
        disk is Windows-1252, not UTF-8 (an info finding for the page), read once."""
        text, encoding = self._read(office, year)
        if not encoding:
            return text, []
        notice = encoding_notice(self.input_path(office, year), encoding)
        return text, [
            Problem(
                notice.location,
                f"berkas bukan UTF-8; dibaca sebagai {encoding} (ANSI, bawaan Notepad di Windows). "
                "Periksa huruf seperti é, “ ” dan – di halaman ini: menyimpan dari halaman ini menuliskannya sebagai UTF-8",
            )
        ]

    def _read(self, office: str, year: int | str) -> tuple[str, str | None]:
        path = self.input_path(office, year)
        if path.stat().st_size > MAX_INPUT_BYTES:
            raise KpuDocsError(f"{path.name} terlalu besar untuk disunting di halaman (> 5 MB)")
        try:
            text, encoding, _raw = read_text_as_typed(path)
        except InputError:
            raise KpuDocsError(
                f"{office}/{path.name} bukan teks UTF-8 maupun Windows-1252: simpan ulang sebagai UTF-8"
            ) from None
        return text, encoding

    def save(self, office: str, year: int | str, text: str, expected: str) -> Version | None:
        """Replace the input by ``text`` atomically, keeping its current content as a version.

        ``expected``: the digest of the content the change was made from; if the file changed
        meanwhile (another window, an editor), nothing is written. Returns the kept version."""
        with self._writing:
            return self._save(office, year, text, expected)

    def _save(self, office: str, year: int | str, text: str, expected: str) -> Version | None:
        path = self.input_path(office, year)

        def unchanged(_tmp: object = None) -> str:
            """The input's text; KpuDocsError when it is no longer the one the page edited."""
            current = self.read(office, year)
            if digest(current) != expected:
                raise KpuDocsError(
                    "berkas ini diubah di tempat lain sejak halaman dibuka; muat ulang halaman, lalu ulangi perubahan Anda"
                )
            return current

        current = unchanged()
        if current == text:
            return None
        version = self._keep(office, year, current)
        # checked again just before the rename: an editor's save while the version was kept is not lost
        write_file(path, text, check=unchanged)  # an office's input keeps its permissions
        return version

    # -- versions --

    def _versions_dir(self, office: str, year: int | str) -> Path:
        return self.root / VERSIONS_DIR / office / str(year)

    def versions(self, office: str, year: int | str) -> list[Version]:
        """Kept versions, newest first."""
        self.input_path(office, year)
        folder = self._versions_dir(office, year)
        if not folder.is_dir() or not self._inside(folder):
            return []
        found = [
            Version(p.name.removesuffix(".yaml.versi"), p) for p in folder.glob("*.yaml.versi") if self._inside(p)
        ]  # a version linked to a file outside the root is not ours to show
        return sorted((v for v in found if VERSION.match(v.id)), key=lambda v: v.id, reverse=True)

    def version_text(self, office: str, year: int | str, version_id: str) -> str:
        if not VERSION.match(version_id):
            raise NotFound("versi tidak dikenal")
        for version in self.versions(office, year):
            if version.id == version_id:
                return version.path.read_text(encoding="utf-8")
        raise NotFound(f"versi {version_id} tidak ada")

    def _keep(self, office: str, year: int | str, text: str) -> Version:
        folder = self._versions_dir(office, year)
        if not self._inside(folder):  # before mkdir: a linked .versi must not get folders made outside
            raise KpuDocsError("folder versi berada di luar folder yang dilayani")
        folder.mkdir(parents=True, exist_ok=True)
        if not self._inside(folder):
            raise KpuDocsError("folder versi berada di luar folder yang dilayani")
        stamp = dt.datetime.now(dt.timezone.utc)
        while True:
            version_id = stamp.strftime("%Y%m%dT%H%M%S%f")
            target = folder / f"{version_id}.yaml.versi"
            try:
                write_file(target, text, create_only=True)  # a kept version is never replaced
            except FileExistsError:
                stamp += dt.timedelta(microseconds=1)
                continue
            return Version(version_id, target)

    # -- outputs --

    def last_built(self, docx: Path) -> dt.datetime | None:
        try:
            return dt.datetime.fromtimestamp(docx.stat().st_mtime, dt.timezone.utc)
        except OSError:
            return None
