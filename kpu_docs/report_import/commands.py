"""``kpu-docs import-report`` and ``kpu-docs audit``: thin runs over the reading, draft and validator."""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kpu_docs.checks.validate import validate
from kpu_docs.errors import InputError, KpuDocsError, UsageError
from kpu_docs.figures.derive import derive
from kpu_docs.input.load import loads
from kpu_docs.vocabulary import Level, dict_children, walk

from . import read_report
from .draft import render, slug, write_new
from .extract import FORMATS
from .result import ERROR, UNREADABLE, WARNING, Reading
from .result import Finding as ReadingFinding


def import_report(report: Path, out: Path | None) -> int:
    """Write the draft input of ``report`` to ``out`` (default ``inputs/<satker>/<tahun>.yaml``).

    Returns 0 when the draft loads, 1 when it was written but still needs values filled in.
    Raises KpuDocsError (nothing written) for an unreadable report or an existing ``out``."""
    reading = read_report(report)
    text = render(reading)
    if out is None:
        name = slug(reading.data)
        if name is None or not reading.data.get("tahun"):
            raise UsageError(f"{report}: nama kantor atau tahun tidak terbaca; sebutkan berkas tujuan dengan --out")
        out = Path("inputs") / name / f"{reading.data['tahun']}.yaml"
    problems = _load_problems(text, out)
    write_new(out, text)
    print(f"{report} → {out}: {_counts(reading)}")
    findings = [f for f in reading.findings if f.kind != UNREADABLE]
    if findings:
        print(
            f"{len(findings)} ketidaksesuaian di dalam laporan dicatat sebagai komentar (lihat: kpu-docs audit {report})"
        )
    if reading.unread:
        print("Tidak terbaca atau tidak diimpor (isi atau periksa sendiri):")
        for where, what in reading.unread:
            print(f"  {where}: {what}")
    if problems:
        print(f"Draf belum dapat dipakai sampai {len(problems)} isian ini dilengkapi:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"Draf dapat dimuat; periksa dengan: kpu-docs validate {out}")
    return 0


def _load_problems(text: str, path: Path) -> list[str]:
    try:
        loads(text, path)
    except InputError as exc:
        return [str(p) for p in exc.problems]
    return []


def _counts(reading: Reading) -> str:
    levels = Counter(step.level for program in reading.data.get("program", []) for step in walk(program, dict_children))
    org = reading.data.get("organisasi") or {}
    people = {org.get("sekretaris")} | {s.get("kepala") for s in org.get("subbagian", [])}
    people |= {n for s in org.get("subbagian", []) for g in s.get("staf", []) for n in g["nama"]}
    people |= set((org.get("jabatan_fungsional") or {}).get("pejabat", []))
    people.discard(None)
    return (
        f"{levels[Level.PROGRAM]} program, {levels[Level.KEGIATAN]} kegiatan, {levels[Level.OUTPUT]} output, "
        f"{levels[Level.SUB_OUTPUT]} sub-output; "
        f"{len(org.get('subbagian', []))} subbagian, {len(people)} orang"
    )


# --- audit ------------------------------------------------------------------------------------


@dataclass
class Audit:
    """The findings of one report: the reading's and the validator's, placed in the report."""

    file: str
    office: str = ""
    year: int | None = None
    findings: list[ReadingFinding] = field(default_factory=list)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)


def find_reports(paths: list[Path]) -> list[Path]:
    """The reports named, and those in the folders named (sub-folders too). A link in a folder
    that leads out of it (an archive unpacked with symbolic links) is kept, to be refused by
    ``audit_report``: a folder's reports are read, never a file elsewhere."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in FORMATS and not p.name.startswith(("~$", "."))
            )
        else:
            found.append(path)
    return found


def _leaves_its_folder(path: Path, folders: list[Path]) -> bool:
    real = path.resolve()
    return not any(real.is_relative_to(f.resolve()) for f in folders if path.is_relative_to(f))


NOT_IN_THE_TEXT = {"satker.logo"}  # a report's text never names its logo file: no finding to make


def audit_report(path: Path) -> Audit:
    """Read one report and validate what was read; never raises for a bad report."""
    result = Audit(str(path))
    try:
        reading = read_report(path)
    except KpuDocsError as exc:
        result.findings.append(ReadingFinding(ERROR, UNREADABLE, "berkas", str(exc).split(": ", 1)[-1], str(path)))
        return result
    office = reading.data.get("satker") or {}
    if office.get("tingkat"):
        result.office = f"KPU {office['tingkat'].title()} {office['wilayah']}"
    result.year = reading.data.get("tahun")
    result.findings += reading.findings
    try:
        document = loads(render(reading), None)
    except InputError:
        for where, what in reading.unread:
            if not any(f.kind == UNREADABLE and f.where == where for f in reading.findings):
                result.findings.append(ReadingFinding(ERROR, UNREADABLE, "laporan", f"tidak terbaca: {what}", where))
        result.findings.append(
            ReadingFinding(
                WARNING,
                UNREADABLE,
                "laporan",
                "pemeriksaan jumlah tidak dijalankan karena ada isian yang tidak terbaca",
                str(path),
            )
        )
        return result
    for f in validate(derive(document)):
        if f.subject in NOT_IN_THE_TEXT:
            continue
        where = reading.sources.get(f.subject, reading.sources.get(f.subject.split("[")[0], str(path)))
        result.findings.append(ReadingFinding(f.severity.value, "validasi", f.subject, f.message, where))
    order = {ERROR: 0, WARNING: 1}
    result.findings.sort(key=lambda f: order.get(f.severity, 2))
    return result


def audit(paths: list[Path], as_json: bool = False) -> int:
    """Print every finding of every report, then a summary table; 1 when any report has errors."""
    reports = find_reports(paths)
    if not reports:
        raise UsageError("tidak ada laporan (.docx, .pdf, .txt) yang ditemukan")
    folders = [p for p in paths if p.is_dir()]
    results = []
    for report in reports:
        if any(report.is_relative_to(f) for f in folders) and _leaves_its_folder(report, folders):
            result = Audit(str(report))
            result.findings.append(
                ReadingFinding(
                    ERROR,
                    UNREADABLE,
                    "berkas",
                    f"tautan ke berkas di luar folder ({report.resolve()}) tidak dibaca; "
                    "salin laporannya ke dalam folder",
                    str(report),
                )
            )
            results.append(result)
        else:
            results.append(audit_report(report))
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "file": r.file,
                        "office": r.office,
                        "year": r.year,
                        "errors": r.count(ERROR),
                        "warnings": r.count(WARNING),
                        "findings": [asdict(f) for f in r.findings],
                    }
                    for r in results
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for r in results:
            for f in r.findings:
                print(f"{r.file}: {f.where}: {f.severity.upper()} {f.subject}: {f.message}")
        print(summary_table(results))
    return 1 if any(r.count(ERROR) for r in results) else 0


def summary_table(results: list[Audit]) -> str:
    rows = [("Laporan", "Kantor", "Tahun", "Galat", "Peringatan", "Info")]
    for r in results:
        info = len(r.findings) - r.count(ERROR) - r.count(WARNING)
        rows.append(
            (
                Path(r.file).name,
                r.office or "?",
                str(r.year or "?"),
                str(r.count(ERROR)),
                str(r.count(WARNING)),
                str(info),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    total_errors = sum(r.count(ERROR) for r in results)
    lines.append(f"{len(results)} laporan, {total_errors} galat, {sum(r.count(WARNING) for r in results)} peringatan")
    return "\n".join(lines)
