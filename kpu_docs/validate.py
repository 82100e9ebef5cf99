"""Review a derived report as a careful reviewer at KPU RI would: every finding at once."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from .derive import BudgetLine, Level, Report
from .errors import Location
from .formatting import number_words, percent, rupiah


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
    """All findings, errors first, then in input order."""
    findings = [*_budget(report), *_report_meta(report), *_organisation(report), *_typed_counts(report)]
    return sorted(findings, key=lambda f: -f.severity.rank)


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
        elif fig.pagu and fig.ratio < LOW_ABSORPTION:
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
    for key_path, name in _image_paths(report):
        if not report.document.resolve(name).is_file():
            yield Finding(
                Severity.ERROR,
                ".".join(str(k) for k in key_path),
                f"berkas gambar '{name}' tidak ditemukan (dicari relatif terhadap berkas masukan).",
                _at(report, key_path),
            )


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


_TYPED_COUNT = re.compile(r"\b(\d{1,3}(?:\.\d{3})*|\d+)\s*\(([a-z ]+)\)\s*(\w+)?", re.IGNORECASE)


def _narratives(report: Report) -> Iterator[tuple[tuple, str]]:
    data = report.data
    for key, attr in (("kata_pengantar", "foreword"), ("pendahuluan", "introduction"), ("penutup", "closing")):
        for i, text in enumerate(getattr(data.narratives, attr)):
            yield ("narasi", key, i), text
    for i, text in enumerate(data.organisation.legal_basis):
        yield ("organisasi", "tugas_fungsi", i), text
    for line in report.lines():
        for i, text in enumerate(line.narrative):
            yield (*line.key_path, "narasi", i), text


def _typed_counts(report: Report) -> Iterator[Finding]:
    """Counts typed into narratives: "3 (satu)" and "3 (tiga) program" when there are two."""
    programs = len(report.programs)
    for key_path, text in _narratives(report):
        for match in _TYPED_COUNT.finditer(text):
            digits, words, noun = match.group(1), " ".join(match.group(2).split()).lower(), (match.group(3) or "")
            n = int(digits.replace(".", ""))
            subject = ".".join(str(k) for k in key_path)
            if number_words(n) != words:
                yield Finding(Severity.WARNING, subject,
                              f"angka dan kata tidak sesuai: '{match.group(0).strip()}' ({n} ditulis "
                              f"'{number_words(n)}'). Perbaiki narasinya.", _at(report, key_path))
            elif noun.lower() == "program" and n != programs:
                yield Finding(Severity.WARNING, subject,
                              f"narasi menyebut {n} program, padahal data berisi {programs} program: "
                              "perbaiki narasinya.", _at(report, key_path))
