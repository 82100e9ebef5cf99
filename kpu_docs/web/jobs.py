"""Builds started from the page: one background thread per build, polled for progress.

The build itself is ``build.build``, exactly as ``kpu-docs build`` runs it. A failure of any
kind becomes the job's message; it never reaches the server.
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from kpu_docs.publish import pdf as pdf_mod
from kpu_docs.publish.build import build

MAX_PREVIEW_PAGES = 60
PREVIEW_DIR = ".pratinjau"


@dataclass
class Job:
    id: str
    key: tuple[str, str]  # (office, year)
    pdf: bool
    started: float = field(default_factory=time.monotonic)
    state: str = "berjalan"  # berjalan | selesai | gagal
    step: str = "Memuat dan memeriksa masukan…"
    message: str = ""
    findings: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    pages: int = 0
    built_from: str = ""  # SHA-256 of the input's bytes this build read (set when it succeeded)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "state": self.state,
            "step": self.step,
            "message": self.message,
            "seconds": round(time.monotonic() - self.started, 1),
            "files": self.files,
            "pages": self.pages,
            "findings": self.findings[:50],
        }


class Jobs:
    """Running and finished builds, by id; one build per input at a time."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def last_done(self, key: tuple[str, str]) -> Job | None:
        """The latest successful build of ``key`` since the server started."""
        done = [j for j in list(self._jobs.values()) if j.key == key and j.state == "selesai"]
        return max(done, key=lambda j: j.started) if done else None

    def running(self, key: tuple[str, str]) -> Job | None:
        return next((j for j in self._jobs.values() if j.key == key and j.state == "berjalan"), None)

    def start(self, key: tuple[str, str], path: Path, out_root: Path, want_pdf: bool) -> Job:
        with self._lock:
            busy = self.running(key)
            if busy:
                return busy
            job = Job(secrets.token_hex(8), key, want_pdf and pdf_mod.soffice() is not None)
            self._jobs[job.id] = job
            if len(self._jobs) > 200:  # keep memory bounded: forget the oldest finished
                for old in [j for j in self._jobs.values() if j.state != "berjalan"][:100]:
                    self._jobs.pop(old.id, None)
        threading.Thread(target=self._run, args=(job, path, out_root), daemon=True).start()
        return job

    def _run(self, job: Job, path: Path, out_root: Path) -> None:
        try:
            job.step = "Membuat DOCX, XLSX dan PDF (LibreOffice)…" if job.pdf else "Membuat DOCX dan XLSX…"
            read = hashlib.sha256(path.read_bytes()).hexdigest()
            result = build([path], out_root, pdf=job.pdf, jobs=1)[0]
            job.findings = result.findings
            if not result.ok or result.destination is None:
                job.state, job.message = "gagal", f"Laporan tidak dibuat: {result.reason}."
                return
            job.files = sorted(p.name for p in result.destination.iterdir() if not p.name.startswith("."))
            if job.pdf:
                job.step = "Menyiapkan pratinjau halaman…"
                job.pages = make_preview(result.destination)
            job.built_from, job.state = read, "selesai"
            written = len(result.written)
            job.message = (
                f"Selesai dalam {time.monotonic() - job.started:.1f} detik; "
                f"{written} berkas ditulis" + ("" if written else " (isinya tidak berubah)") + "."
            )
        except Exception as exc:  # the server goes on whatever happens
            job.state, job.message = "gagal", f"Pembuatan gagal: {type(exc).__name__}: {exc}"
        finally:
            job.step = ""


def make_preview(destination: Path) -> int:
    """PNG images of the PDF's pages (pdftoppm, poppler-utils); returns how many (0 without)."""
    pdfs = sorted(destination.glob("*.pdf"))
    folder = destination / PREVIEW_DIR
    shutil.rmtree(folder, ignore_errors=True)
    if not pdfs or shutil.which("pdftoppm") is None:
        return 0
    folder.mkdir()
    try:
        subprocess.run(
            ["pdftoppm", "-png", "-r", "45", "-l", str(MAX_PREVIEW_PAGES), str(pdfs[0]), str(folder / "hal")],
            check=True,
            capture_output=True,
            timeout=120,
        )
    except (subprocess.SubprocessError, OSError):
        return 0
    return len(preview_pages(destination))


def preview_pages(destination: Path) -> list[Path]:
    folder = destination / PREVIEW_DIR
    if not folder.is_dir():
        return []
    return sorted(folder.glob("hal-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[-1]))
