"""Review a derived report as a careful reviewer at KPU RI would: every finding at once."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from . import images, prose
from .derive import BudgetLine, Level, Report
from .errors import Location, format_key_path
from .formatting import percent, rupiah


class Severity(Enum):
    ERROR = "galat"
    WARNING = "peringatan"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"galat": 2, "peringatan": 1, "info": 0}[self.value]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    subject: str  # a full code (WA.3355) or a key path (laporan.tanggal)
    message: str
    location: Location

    def __str__(self) -> str:
        where = str(self.location.file or "<input>") + (f":{self.location.line}" if self.location.line else "")
        return f"{where}: {self.severity.value.upper()} {self.subject}: {self.message}"


LOW_ABSORPTION = 0.5  # below this, a reviewer asks why: the narrative must explain it

_EXPECTED_CHILDREN = {
    Level.PROGRAM: "Kegiatan",
    Level.KEGIATAN: "Output Kegiatan (KRO)",
    Level.OUTPUT: "Sub. Output Kegiatan (RO)",
}


def validate(report: Report) -> list[Finding]:
    """All findings, errors first, then in input order: the load problems that left the
    model meaningful (errors) and its notices (info), the figures, the metadata, the
    organisation and the prose (see ``prose``)."""
    findings = [*_loading(report), *_budget(report), *_report_meta(report), *_organisation(report), *_prose(report)]
    return sorted(findings, key=lambda f: -f.severity.rank)


def validate_budget(report: Report) -> list[Finding]:
    """The findings on the budget tree and its narratives alone, for an input whose other parts
    cannot be loaded yet (``InputError.partial``): reported in the same run as the load problems."""
    findings = [*_budget(report), *_prose(report, budget_only=True)]
    return sorted(findings, key=lambda f: -f.severity.rank)


def _loading(report: Report) -> Iterator[Finding]:
    document = report.document
    for severity, problems in ((Severity.ERROR, document.problems), (Severity.INFO, document.notices)):
        for problem in problems:
            subject = format_key_path(problem.location.path) if problem.location.path else "berkas"
            yield Finding(severity, subject, problem.message, problem.location)


def _prose(report: Report, budget_only: bool = False) -> Iterator[Finding]:
    for claim in prose.check(report, budget_only):
        yield Finding(Severity.WARNING, claim.subject, claim.message, claim.location)


def has_errors(findings: list[Finding], strict: bool = False) -> bool:
    fatal = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return any(f.severity in fatal for f in findings)


def _at(report: Report, key_path) -> Location:
    return report.document.location(key_path)


def _budget(report: Report) -> Iterator[Finding]:
    for program in report.programs:
        yield from _line(report, program, parent_over=False)


def _line(report: Report, line: BudgetLine, parent_over: bool) -> Iterator[Finding]:
    def finding(severity: Severity, message: str, key: str | None = None) -> Finding:
        path = (*line.key_path, key) if key else line.key_path
        return Finding(severity, line.code, message, _at(report, path))

    fig = line.figures
    for key, stated, derived in (("pagu", line.stated_pagu, fig.pagu), ("realisasi", line.stated_realisasi, fig.realisasi)):
        if stated is not None and stated != derived:
            yield finding(
                Severity.ERROR,
                f"{key} yang tertulis ({rupiah(stated)}) tidak sama dengan jumlah rinciannya "
                f"({rupiah(derived)}), selisih {rupiah(abs(stated - derived))}. Perbaiki angka di "
                f"{line.code} atau di rinciannya, atau hapus '{key}' di sini agar dihitung otomatis.",
                key,
            )
    if not line.children and line.level in _EXPECTED_CHILDREN:
        yield finding(
            Severity.ERROR,
            f"{line.level.noun} '{line.name}' tidak memiliki {_EXPECTED_CHILDREN[line.level]}: "
            f"tambahkan rinciannya (pagu dan realisasi dicatat di tingkat RO).",
        )
    over = fig.realisasi > fig.pagu
    if fig.pagu == 0 and fig.realisasi > 0:
        if not line.children:
            yield finding(
                Severity.ERROR,
                f"realisasi {rupiah(fig.realisasi)} tanpa pagu: isi pagu sesuai DIPA atau periksa realisasinya.",
                "pagu",
            )
    elif over and not parent_over:
        below = [c.code for c in line.walk() if c is not line and not c.children and c.figures.realisasi > c.figures.pagu]
        where = f" (terjadi pada {', '.join(below)})" if below else ""
        yield finding(
            Severity.WARNING,
            f"realisasi {rupiah(fig.realisasi)} melebihi pagu {rupiah(fig.pagu)} sebesar "
            f"{rupiah(-fig.sisa)} (penyerapan {percent(fig.ratio)}){where}. "
            "Periksa kembali data realisasi (SAKTI) dan jelaskan dalam narasi.",
            "realisasi",
        )
    if line.level == Level.SUB_OUTPUT:
        if not line.narrative:
            yield finding(
                Severity.WARNING,
                f"Sub. Output Kegiatan '{line.name}' belum memiliki narasi: tambahkan 'narasi' "
                "berisi uraian pelaksanaannya.",
            )
        if fig.pagu and fig.realisasi == 0:
            yield finding(
                Severity.INFO,
                f"pagu {rupiah(fig.pagu)} tanpa realisasi: pastikan narasi menjelaskan sebabnya (mis. diblokir).",
            )
        elif fig.pagu and fig.ratio is not None and fig.ratio < LOW_ABSORPTION:
            yield finding(
                Severity.INFO,
                f"penyerapan rendah ({percent(fig.ratio)}): pastikan narasi menjelaskan sebabnya.",
            )
        if fig.pagu == 0 and fig.realisasi == 0 and not line.children:
            yield finding(
                Severity.WARNING,
                "pagu dan realisasi sama-sama nol: hapus Sub. Output ini atau isi angkanya.",
            )
    for child in line.children:
        yield from _line(report, child, parent_over=over)
    siblings = Counter(c.name.casefold() for c in line.children)
    for name, n in siblings.items():
        if n > 1:
            yield finding(Severity.WARNING, f"ada {n} rincian bernama sama ('{name}'): periksa apakah tertulis dua kali.")


def _report_meta(report: Report) -> Iterator[Finding]:
    data = report.data
    meta = data.report
    if not data.office.logo:
        yield Finding(
            Severity.WARNING,
            "satker.logo",
            "sampul memakai logo netral karena logo kantor tidak diberikan: tambahkan "
            "'logo: logo-kpu.png' (berkas gambar di samping berkas ini) di bawah 'satker'.",
            _at(report, ("satker",)),
        )
    year_end = dt.date(data.year, 12, 31)
    if meta.date <= year_end:
        yield Finding(
            Severity.WARNING,
            "laporan.tanggal",
            f"laporan ditandatangani sebelum tahun anggaran {data.year} berakhir: periksa tanggalnya.",
            _at(report, ("laporan", "tanggal")),
        )
    if meta.request_letter.date > meta.date:
        yield Finding(
            Severity.WARNING,
            "laporan.surat_permintaan.tanggal",
            "surat permintaan bertanggal sesudah tanggal penandatanganan laporan: periksa kedua tanggal.",
            _at(report, ("laporan", "surat_permintaan", "tanggal")),
        )
    path = report.document.path
    if path is not None and Path(path).stem.isdigit() and int(Path(path).stem) != data.year:
        yield Finding(
            Severity.ERROR,
            "tahun",
            f"berkas bernama {Path(path).name} tetapi berisi tahun {data.year}: samakan nama berkas dan 'tahun'.",
            _at(report, ("tahun",)),
        )
    base = Path(path).parent if path is not None else Path.cwd()
    for key_path, name in _image_paths(report):
        wrong = images.problem(base, name)  # inside the input's folder, a real picture, a few MB at most
        if wrong:
            yield Finding(Severity.ERROR, ".".join(str(k) for k in key_path), wrong + ".", _at(report, key_path))


def _image_paths(report: Report) -> Iterator[tuple[tuple, str]]:
    data = report.data
    if data.office.logo:
        yield ("satker", "logo"), data.office.logo
    for i, image in enumerate(data.closing_images):
        yield ("gambar_penutup", i, "berkas"), image.file


def _organisation(report: Report) -> Iterator[Finding]:
    org = report.data.organisation
    signatory = report.data.report.signatory
    if signatory.title.casefold() == "sekretaris" and signatory.name != org.secretary:
        yield Finding(
            Severity.WARNING,
            "laporan.penandatangan.nama",
            f"penandatangan ({signatory.name}) berbeda dengan sekretaris di organisasi ({org.secretary}): "
            "samakan, atau tulis jabatan penandatangan (mis. Plh. Sekretaris).",
            _at(report, ("laporan", "penandatangan", "nama")),
        )
    people: Counter[str] = Counter()
    for sub in org.subdivisions:
        people[sub.head] += 1
        for group in sub.staff:
            people.update(group.names)
    for name, n in people.items():
        if n > 1:
            yield Finding(
                Severity.WARNING,
                "organisasi",
                f"'{name}' tercantum {n} kali dalam susunan organisasi: periksa apakah tertulis dua kali.",
                _at(report, ("organisasi", "subbagian")),
            )
