"""Review a derived report as a careful reviewer at KPU RI would: every finding at once."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction
from pathlib import Path

from kpu_docs.checks import prose
from kpu_docs.errors import Location, format_key_path
from kpu_docs.figures.derive import BudgetLine, Report
from kpu_docs.formatting import percent, rupiah
from kpu_docs.input import pictures
from kpu_docs.vocabulary import LEVELS, REPORTED, Level


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


# Every reported level above the RO must have children: "Output Kegiatan (KRO)" under a kegiatan.
_EXPECTED_CHILDREN = {lv.level: LEVELS[lv.level + 1].noun_abbreviated for lv in REPORTED[:-1]}


def validate(report: Report) -> list[Finding]:
    """All findings, errors first, then in input order: the load problems that left the
    model meaningful (errors) and its notices (info), the figures, the metadata, the
    organisation, the prose (see ``prose``), kendala, indicators and added sections."""
    findings = [
        *_loading(report),
        *_budget(report),
        *_report_meta(report),
        *_organisation(report),
        *_prose(report),
        *_obstacles(report),
        *_indicators(report),
        *_sections(report),
    ]
    return sorted(findings, key=lambda f: -f.severity.rank)


def validate_budget(report: Report) -> list[Finding]:
    """The findings on the budget tree and its narratives alone, for an input whose other parts
    cannot be loaded yet (``InputError.partial``): reported in the same run as the load problems."""
    findings = [*_budget(report), *_obstacles(report), *_prose(report, budget_only=True)]
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
    """Each funding source on its own: the DIPA, then each grant (subject ``hibah 1: CODE``)."""
    for s, source in enumerate(report.sources):
        prefix = f"hibah {s}: " if source.is_grant else ""
        for program in source.programs:
            yield from _line(report, program, parent_over=False, prefix=prefix)


def _line(
    report: Report, line: BudgetLine, parent_over: bool, prefix: str = "", explained_above: bool = False
) -> Iterator[Finding]:
    """The figures of one node and those below it. Realisasi above pagu is a warning, or only
    information where a kendala on the node, above or below it explains it."""

    def finding(severity: Severity, message: str, key: str | None = None) -> Finding:
        path = (*line.key_path, key) if key else line.key_path
        return Finding(severity, prefix + line.code, message, _at(report, path))

    fig = line.figures
    for key, stated, derived in (
        ("pagu", line.stated_pagu, fig.pagu),
        ("realisasi", line.stated_realisasi, fig.realisasi),
    ):
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
    explained = explained_above or bool(line.obstacles) or _explained_below(line)
    if fig.pagu == 0 and fig.realisasi > 0:
        if not line.children:
            yield finding(
                Severity.ERROR,
                f"realisasi {rupiah(fig.realisasi)} tanpa pagu: isi pagu sesuai DIPA atau periksa realisasinya.",
                "pagu",
            )
    elif over and not parent_over:
        below = [
            c.code for c in line.walk() if c is not line and not c.children and c.figures.realisasi > c.figures.pagu
        ]
        where = f" (terjadi pada {', '.join(below)})" if below else ""
        yield finding(
            Severity.INFO if explained else Severity.WARNING,
            f"realisasi {rupiah(fig.realisasi)} melebihi pagu {rupiah(fig.pagu)} sebesar "
            f"{rupiah(-fig.sisa)} (penyerapan {percent(fig.ratio)}){where}. "
            "Periksa kembali data realisasi (SAKTI) dan jelaskan dalam narasi"
            + (" (dijelaskan dalam kendala)." if explained else " atau dalam 'kendala' (kendala dan solusi)."),
            "realisasi",
        )
    if line.level == Level.SUB_OUTPUT:
        if not line.narrative:
            yield finding(
                Severity.WARNING,
                f"{line.level.noun} '{line.name}' belum memiliki narasi: tambahkan 'narasi' "
                "berisi uraian pelaksanaannya.",
            )
        if fig.pagu == 0 and fig.realisasi == 0 and not line.children:
            yield finding(
                Severity.WARNING,
                "pagu dan realisasi sama-sama nol: hapus Sub. Output ini atau isi angkanya.",
            )
    if not line.children and fig.blokir > fig.pagu:
        yield finding(
            Severity.ERROR,
            f"blokir {rupiah(fig.blokir)} melebihi pagu {rupiah(fig.pagu)}: periksa angka blokir dan pagu.",
            "blokir",
        )
    for child in line.children:
        yield from _line(
            report, child, parent_over=over, prefix=prefix, explained_above=explained_above or bool(line.obstacles)
        )
    siblings = Counter(c.name.casefold() for c in line.children)
    for name, n in siblings.items():
        if n > 1:
            yield finding(
                Severity.WARNING, f"ada {n} rincian bernama sama ('{name}'): periksa apakah tertulis dua kali."
            )


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
        wrong = pictures.problem(base, name)  # inside the input's folder, a real picture, a few MB at most
        if wrong:
            yield Finding(Severity.ERROR, ".".join(str(k) for k in key_path), wrong + ".", _at(report, key_path))


def _image_paths(report: Report) -> Iterator[tuple[tuple, str]]:
    data = report.data
    if data.office.logo:
        yield ("satker", "logo"), data.office.logo
    for i, image in enumerate(data.closing_images):
        yield ("gambar_penutup", i, "berkas"), image.file
    for i, section in enumerate(data.sections):
        for j, picture in enumerate(section.pictures):
            yield ("bab_tambahan", i, "gambar", j, "berkas"), picture.file
        for k, sub in enumerate(section.subsections):
            for j, picture in enumerate(sub.pictures):
                yield ("bab_tambahan", i, "subbab", k, "gambar", j, "berkas"), picture.file


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
    acknowledger = report.data.report.acknowledger
    chair = next((c.name for c in org.commissioners if c.title == "Ketua"), None)
    if acknowledger and chair and acknowledger.title.casefold().startswith("ketua") and acknowledger.name != chair:
        yield Finding(
            Severity.WARNING,
            "laporan.mengetahui.nama",
            f"penanda tangan 'Mengetahui' ({acknowledger.name}) berbeda dengan Ketua di komisioner ({chair}): "
            "samakan, atau tulis jabatannya (mis. Plh. Ketua).",
            _at(report, ("laporan", "mengetahui", "nama")),
        )
    people: Counter[str] = Counter()
    for division in org.divisions:
        people[division.head] += 1
    for sub in org.all_subdivisions:
        people[sub.head] += 1
    for group in org.staff_groups:
        people.update(group.names)
    for name, n in people.items():
        if n > 1:
            yield Finding(
                Severity.WARNING,
                "organisasi",
                f"'{name}' tercantum {n} kali dalam susunan organisasi: periksa apakah tertulis dua kali.",
                _at(report, ("organisasi", "bagian" if org.divisions else "subbagian")),
            )


# --- kendala dan solusi ------------------------------------------------------------------------

KENDALA_BELOW = Fraction(80, 100)  # absorption below this needs a kendala (issue 14; reviewers' practice)


def _obstacles(report: Report) -> Iterator[Finding]:
    """Absorption below 80 % that no kendala explains, per funding source (above 100 %: ``_line``).

    A kendala explains its own node, everything below it and everything above it; only the
    highest unexplained node is reported, naming the nodes below it that are also off."""
    for s, source in enumerate(report.sources):
        prefix = f"hibah {s}: " if source.is_grant else ""
        for program in source.programs:
            yield from _unexplained(report, program, prefix)


def _off(line: BudgetLine) -> bool:
    """Absorption below 80 %; above 100 % is the budget check's warning (``_line``)."""
    ratio = line.figures.ratio
    return ratio is not None and ratio < KENDALA_BELOW


def _explained_below(line: BudgetLine) -> bool:
    return any(node.obstacles for node in line.walk() if node.level <= Level.SUB_OUTPUT)


def _unexplained(report: Report, line: BudgetLine, prefix: str) -> Iterator[Finding]:
    if line.level > Level.SUB_OUTPUT or line.obstacles:
        return  # a kendala here explains this node and all below it
    if _off(line) and not _explained_below(line):
        below = [c.code for c in line.walk() if c is not line and c.level <= Level.SUB_OUTPUT and _off(c)]
        where = f"; juga pada {', '.join(below[:5])}{' …' if len(below) > 5 else ''}" if below else ""
        yield Finding(
            Severity.WARNING,
            prefix + line.code,
            f"penyerapan {percent(line.figures.ratio)} (di bawah 80%) tanpa penjelasan{where}. Tambahkan 'kendala' "
            "berisi kendala dan solusi pada butir ini (atau pada rincian yang menyebabkannya).",
            _at(report, line.key_path),
        )
        return
    for child in line.children:
        yield from _unexplained(report, child, prefix)


# --- indicators and added sections ----------------------------------------------------------------


def _indicators(report: Report) -> Iterator[Finding]:
    from kpu_docs.figures.indicators import rows

    for row in rows(report.data.indicators):
        if row.capaian is None:
            yield Finding(
                Severity.WARNING,
                ".".join(map(str, row.key_path)),
                f"target indikator '{row.indicator.name}' bernilai 0: capaian tidak dapat dihitung. Periksa targetnya.",
                _at(report, (*row.key_path, "target")),
            )


def _sections(report: Report) -> Iterator[Finding]:
    from kpu_docs.figures.sections import CHAPTER_KEYS, anchor_problem

    for i, section in enumerate(report.data.sections):
        key = ("bab_tambahan", i, "sebelum" if section.before else "sesudah")
        problem = anchor_problem(section.anchor, report)
        if problem:
            yield Finding(Severity.ERROR, ".".join(map(str, key)), problem + ".", _at(report, key))
        elif section.subsections and section.anchor not in CHAPTER_KEYS:
            yield Finding(
                Severity.ERROR,
                f"bab_tambahan.{i}.subbab",
                f"'{section.title}' diletakkan sebagai subbab (di '{section.anchor}'), sehingga tidak "
                "dapat berisi 'subbab': letakkan sebelum/sesudah sebuah bab, atau pindahkan isinya.",
                _at(report, ("bab_tambahan", i, "subbab")),
            )
