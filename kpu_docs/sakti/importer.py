"""``kpu-docs import``: take pagu and realisasi from a SAKTI export into an input, or write nothing.

Order: read the input → read the export (refused when it does not add up) → check the satker →
plan the text edit → reload it → reconcile the imported tree with the export's ``JUMLAH
SELURUHNYA`` to the Rupiah → show the totals and the changes → write atomically, keeping
every earlier backup.
"""

from __future__ import annotations

import difflib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from kpu_docs.checks.diff import Change, diff, summary
from kpu_docs.errors import ImportRefused, KpuDocsError
from kpu_docs.figures.derive import Report, derive
from kpu_docs.formatting import amount
from kpu_docs.input.load import Document, encoding_notice, loads
from kpu_docs.input.model import Node
from kpu_docs.vocabulary import Level

from .export import RO, TOTAL_LABEL, Export
from .plan import Plan, plan_import
from .read import read_export
from .source_block import SourceRecord
from .writing import read_input, reload, write_atomic


class NotReconciled(ImportRefused):
    """Nothing is written; ``totals`` is the export's totals table, to show before the reason."""

    def __init__(self, message: str, totals: str):
        super().__init__(message)
        self.totals = totals


@dataclass
class PreparedImport:
    """An import checked end to end and not yet written: what ``kpu-docs import`` shows, and
    what ``kpu-docs serve`` previews before the user confirms."""

    original: str  # the input's text as read
    export: Export
    plan: Plan  # plan.text: the input's text after the import
    old: Report
    new: Report
    totals: str  # the export's own totals beside the totals read (a small table)
    changes: list[Change]
    encoding: str | None = None  # the input's encoding when not UTF-8 (written back as UTF-8)


def prepare_import(export_path: str | Path, input_path: str | Path, *, thousands: bool | None = None) -> PreparedImport:
    """Read, place and reconcile; write nothing.

    Raises NotReconciled (with the totals table) when the export does not reconcile with
    itself or when the imported tree's totals differ from the export's ``JUMLAH SELURUHNYA``."""
    export_path, input_path = Path(export_path), Path(input_path)
    original, encoding = read_input(input_path)
    old = loads(original, input_path)
    export = read_export(export_path, known=frozenset(_codes(old)), thousands=thousands)
    if export.errors:
        raise NotReconciled(
            f"{export_path} tidak dapat diimpor; {input_path} tidak diubah:\n- " + "\n- ".join(export.errors),
            _totals(export, None),
        )
    _check_satker(old, export, input_path)
    plan = plan_import(original, old, export, SourceRecord.of(export_path, export.source))
    new = reload(plan, input_path)
    derived_old, derived_new = derive(old), derive(new)
    totals = _totals(export, derived_new)
    try:
        _reconcile(export, plan, derived_new, input_path)
    except KpuDocsError as exc:
        raise NotReconciled(str(exc), totals) from None
    return PreparedImport(
        original, export, plan, derived_old, derived_new, totals, diff(derived_old, derived_new), encoding
    )


def run_import(
    export_path: str | Path, input_path: str | Path, *, dry_run: bool = False, thousands: bool | None = None
) -> int:
    """Update ``input_path`` from the export; print totals and changes. Returns the exit code (0).

    Raises KpuDocsError (nothing written) where ``prepare_import`` refuses."""
    export_path, input_path = Path(export_path), Path(input_path)
    try:
        prepared = prepare_import(export_path, input_path, thousands=thousands)
    except NotReconciled as exc:
        print(exc.totals)  # the totals come first, even when the import is refused
        raise ImportRefused(str(exc)) from None
    original, plan = prepared.original, prepared.plan
    if prepared.encoding:
        print(f"catatan: {encoding_notice(input_path, prepared.encoding)}", file=sys.stderr)
    print(prepared.totals)
    if dry_run:
        sys.stdout.writelines(
            difflib.unified_diff(
                original.splitlines(keepends=True),
                plan.text.splitlines(keepends=True),
                fromfile=str(input_path),
                tofile=f"{input_path} (setelah impor)",
            )
        )
    for change in prepared.changes:
        print(change.describe())
    for warning in plan.warnings:
        print(f"peringatan: {warning}", file=sys.stderr)
    for note in plan.notes:
        print(f"catatan: {note}", file=sys.stderr)
    if dry_run:
        outcome = "--dry-run: tidak ada berkas yang ditulis"
    elif plan.text == original:
        outcome = "berkas tidak diubah"
    else:
        backup = write_atomic(input_path.resolve(), plan.text, original)
        outcome = f"{input_path} diperbarui (cadangan: {backup.name})"
        if prepared.encoding:
            outcome += f"; ditulis sebagai UTF-8, aslinya ({prepared.encoding}) tetap utuh di {backup.name}"
    print(f"{export_path} → {input_path}: {summary(prepared.changes)}; {len(plan.warnings)} peringatan; {outcome}")
    return 0


def _codes(document: Document) -> list[str]:
    stack: list[Node] = list(document.data.programs)
    codes = []
    while stack:
        node = stack.pop()
        codes.append(node.code)
        stack += node.children
    return codes


def _check_satker(document: Document, export: Export, input_path: Path) -> None:
    mine, theirs = document.data.satker_code, export.source.satker
    office = document.data.office
    if not mine and export.source.satker_name and not _same_office(export.source.satker_name, office):
        raise KpuDocsError(
            f"{export.path} adalah ekspor satker {theirs} ({export.source.satker_name}), sedangkan {input_path} milik "
            f"{office.name}; tidak ada yang ditulis. Unduh ekspor {office.name} dari SAKTI (bila ekspor ini memang "
            f'milik kantor ini dengan nama lain, tulis kode_satker: "{theirs}" di {input_path}, lalu impor lagi)'
        )
    if mine and theirs and mine != theirs:
        name = f" ({export.source.satker_name})" if export.source.satker_name else ""
        raise ImportRefused(
            f"{export.path} adalah ekspor satker {theirs}{name}, sedangkan {input_path} milik satker {mine} "
            f"({document.data.office.name}); tidak ada yang ditulis. Unduh ekspor satker {mine} dari SAKTI"
        )


def _same_office(satker_name: str, office) -> bool:
    """Whether SAKTI's satker name (``KPU KOTA SERANG``, ``KOMISI PEMILIHAN UMUM KAB. SERANG``) can
    be the input's office: its region is in it, and no other level (Kota Serang is not Kabupaten Serang)."""
    words = re.sub(r"[^a-z0-9]+", " ", satker_name.lower()).split()
    region = re.sub(r"[^a-z0-9]+", " ", office.region.lower()).split()
    if not any(words[i : i + len(region)] == region for i in range(len(words))):
        return False
    levels = {"kota": "kota", "kabupaten": "kabupaten", "kab": "kabupaten", "provinsi": "provinsi", "prov": "provinsi"}
    named = {levels[w] for w in words if w in levels}
    return not named or office.level in named


def _ro_count(report) -> int:
    return sum(1 for p in report.programs for line in p.walk() if line.level == Level.SUB_OUTPUT)


def _totals(export: Export, report) -> str:
    """The export's own totals beside the totals read, first thing shown. Without ``report``
    (the export does not add up), the totals read are the sums of the export's programs."""
    total = export.total
    ro = sum(1 for r in export.rows if r.level == RO)
    stated = ("-", "-") if total is None else (amount(total.pagu or 0), amount(total.realisasi or 0))
    rows: list[tuple[str, ...]] = [
        ("", "pagu", "realisasi", "RO"),
        (f"ekspor ({TOTAL_LABEL}, baris {total.line})" if total else f"ekspor (tanpa {TOTAL_LABEL})", *stated, str(ro)),
    ]
    if report is None:
        sums = [amount(sum(getattr(r, k) or 0 for r in export.roots)) for k in ("pagu", "realisasi")]
        rows.append(("terbaca (jumlah program)", *sums, str(ro)))
    else:
        rows.append(("hasil impor", amount(report.total.pagu), amount(report.total.realisasi), str(_ro_count(report))))
    if export.pagu_only:
        rows = [(a, b, "-" if i else c, d) for i, (a, b, c, d) in enumerate(rows)]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join(
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows
    )


def _reconcile(export: Export, plan: Plan, report, input_path: Path) -> None:
    """The imported tree must equal the export's JUMLAH SELURUHNYA, to the Rupiah."""
    keys = ("pagu",) if export.pagu_only else ("pagu", "realisasi")
    differences = []
    for key in keys:
        want, got = getattr(export.total, key) or 0, getattr(report.total, key)
        if want != got:
            differences.append(
                f"{key}: ekspor {amount(want)}, hasil impor {amount(got)} (selisih {amount(got - want)})"
            )
    if not differences:
        plan.warnings += [f"tidak ada di ekspor, angkanya tidak diubah: {m}" for m in plan.missing]
        plan.warnings += [f"tidak ditempatkan: {u}" for u in plan.unplaced]
        return
    lines = [f"jumlah hasil impor tidak sama dengan {TOTAL_LABEL} ekspor; {input_path} tidak diubah:"]
    lines += [f"- {d}" for d in differences]
    if plan.missing:
        lines.append("- ada di masukan tetapi tidak di ekspor (hapus dari masukan bila dihapus revisi DIPA):")
        lines += [f"    {m}" for m in plan.missing]
    if plan.unplaced:
        lines.append("- ada di ekspor tetapi tidak dapat ditempatkan di masukan:")
        lines += [f"    {u}" for u in plan.unplaced]
    raise ImportRefused("\n".join(lines))
