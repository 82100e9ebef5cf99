"""The pipeline: load → derive → validate → render → write, for one input or many.

Nothing is published unless every file of an input was produced; one bad input never
stops the others.
"""

from __future__ import annotations

import datetime as dt
import gc
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kpu_docs.checks.validate import Finding, Severity, has_errors, validate
from kpu_docs.errors import InputError, KpuDocsError, PdfError, UsageError, os_error_message
from kpu_docs.figures.derive import Report, derive
from kpu_docs.input.load import load
from kpu_docs.publish import workers
from kpu_docs.publish.outputs import publish, staging
from kpu_docs.render.docx.report_docx import render_docx
from kpu_docs.render.docx.templating import checked_template
from kpu_docs.render.names import file_names, folder
from kpu_docs.render.xlsx.annex import write_annex
from kpu_docs.render.xlsx.check_file import write_check_file
from kpu_docs.render.zipping import fix_modes


@dataclass
class Result:
    """What happened to one input."""

    input: Path
    destination: Path | None = None
    office: str = ""
    year: int | None = None
    status: str = "gagal"  # "ok" | "gagal"
    reason: str = ""
    findings: list[str] = field(default_factory=list)
    n_errors: int = 0
    n_warnings: int = 0
    written: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    staged: list[Path] = field(default_factory=list)
    headings: list[tuple[int, str]] = field(default_factory=list)
    signed: dt.date | None = None  # the report's date: the only date written into the files
    digest: str = ""  # of the input's text as this build read it (Document.digest)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def find_inputs(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders searched for ``*.yaml`` / ``*.yml`` (all offices, all years)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.y*ml") if p.suffix in (".yaml", ".yml") and p.is_file())
        else:
            found.append(path)
    return found


def prepare(path: Path) -> tuple[Report, list[Finding]]:
    """Load, derive and validate one input (raises InputError). Load problems that leave a
    meaningful model come back as findings, beside validation's own."""
    report = derive(load(path, keep_going=True))
    return report, validate(report)


def stage(
    path: Path,
    out_root: Path,
    scratch: Path,
    template: Path | None,
    strict: bool = False,
    pages: dict[str, str] | None = None,
    previous: Path | None = None,
    compare: Path | None = None,
) -> Result:
    """Render one input's DOCX and XLSX into ``scratch``; never raises.

    ``previous``: the same office's previous year (a year-on-year sheet); ``compare``: an
    earlier version of this input (a "Perubahan" sheet)."""
    started = time.perf_counter()
    result = Result(input=path)
    try:
        report, findings = _prepare_frozen(path)
        data = report.data
        result.office, result.year, result.signed = data.office.name, data.year, data.report.date
        result.digest = report.document.digest
        result.destination = folder(out_root, data)
        result.findings = [str(f) for f in findings]
        result.n_errors = sum(f.severity is Severity.ERROR for f in findings)
        result.n_warnings = sum(f.severity is Severity.WARNING for f in findings)
        if has_errors(findings, strict):
            result.reason = "masukan memuat galat" + (" atau peringatan (--strict)" if strict else "")
            return result
        names = file_names(data)
        scratch.mkdir(parents=True, exist_ok=True)
        docx, xlsx, check = scratch / names["docx"], scratch / names["xlsx"], scratch / names["check"]
        entries = render_docx(report, docx, template, pages)
        changes = None
        if compare:
            from kpu_docs.checks.diff import diff

            changes = diff(prepare(compare)[0], report)
        write_annex(report, xlsx, changes=changes, previous=_previous_year(report, previous))
        write_check_file(report, findings, check, path)
        for workbook in (xlsx, check):
            fix_modes(workbook)  # the DOCX is zipped reproducibly by render_docx
        result.staged = [docx, xlsx, check]
        result.headings = [(e.level, e.text) for e in entries]
        result.status = "ok"
    except InputError as exc:
        result.reason = f"masukan tidak dapat dibaca ({len(exc.problems)} masalah)"
        result.findings = [str(p) for p in exc.problems]
    except KpuDocsError as exc:
        result.reason = str(exc)
    except MemoryError:
        result.reason = "kehabisan memori saat membuat laporan; tidak ada berkas yang ditulis"
    except OSError as exc:
        result.reason = os_error_message(exc)
    except Exception as exc:  # a bug must not stop the other inputs of a batch
        result.reason = f"kesalahan tak terduga: {type(exc).__name__}: {exc}"
    finally:
        gc.unfreeze()  # the input collectable again once this office is done
        result.seconds = time.perf_counter() - started
    return result


def _prepare_frozen(path: Path) -> tuple[Report, list[Finding]]:
    """``prepare`` with the garbage collector off, then one collection over what it made and
    the survivors (the loaded input) frozen out of later collections until the caller's
    ``gc.unfreeze()``. Collecting while the input loads walks the growing input again and
    again and finds nothing: half the time of loading 10,000 RO, and growing faster than
    the input; the one pass at the end frees loading's leftovers before rendering starts."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return prepare(path)
    finally:
        gc.collect(0)  # one pass over what loading made (all still young): its cyclic leftovers freed
        gc.freeze()
        if collecting:
            gc.enable()


def _previous_year(report: Report, path: Path | None) -> Report | None:
    """The previous year's report, if ``path`` really is this office's previous year."""
    if path is None:
        return None
    try:
        previous, _ = prepare(path)
    except InputError:  # reported as that input's own failure; this year is still built
        return None
    same_office = previous.data.office.name == report.data.office.name
    return previous if same_office and previous.data.year == report.data.year - 1 else None


def previous_years(inputs: list[Path]) -> dict[Path, Path]:
    """Input → the same office's previous-year input among ``inputs`` (``<office>/<year>.yaml``)."""
    known = {p.resolve() for p in inputs}
    out = {}
    for path in inputs:
        if path.stem.isdigit():
            candidate = path.with_name(f"{int(path.stem) - 1}{path.suffix}")
            if candidate.resolve() in known:
                out[path] = candidate
    return out


def build(
    inputs: list[Path],
    out_root: Path,
    template: Path | None = None,
    *,
    pdf: bool = False,
    jobs: int = 1,
    strict: bool = False,
    compare: Path | None = None,
    progress: Callable[[Result], None] | None = None,
    notices: Callable[[str], None] | None = None,
) -> list[Result]:
    """Build every input; publish each one that fully succeeded."""
    if compare is not None:
        if len(inputs) != 1:
            raise UsageError("--compare membandingkan satu masukan dengan versi lamanya: berikan tepat satu INPUT")
        prepare(compare)  # a bad old version is refused, with its location, before any work
    if template is not None:  # a template that cannot be used is refused once, not once per input
        checked_template(template)  # and the workers, forked after, know it is checked
    previous = previous_years(inputs)
    with staging(out_root) as scratch:
        tasks = [
            (path, out_root, scratch / f"{i:05d}", template, strict, None, previous.get(path), compare)
            for i, path in enumerate(inputs)
        ]
        results = _run(tasks, jobs, progress)
        _refuse_collisions(results)
        if pdf:
            _add_pdfs([(r, t) for r, t in zip(results, tasks) if r.ok], notices)
        for result in results:
            if result.ok:
                _publish(result)
            result.staged = []
    return results


def _signed(result: Result) -> dt.date:
    """The report's date of a loaded result (set with the input, before any PDF is made)."""
    assert result.signed is not None, "PDF made before the input was loaded"
    return result.signed


def _publish(result: Result) -> None:
    """Publish one input's files; a failure fails this input only."""
    assert result.destination is not None, "published before the input was loaded"
    try:
        result.written = publish(result.staged, result.destination, owned=_owned_names(result.staged))
    except KpuDocsError as exc:
        result.status, result.reason = "gagal", str(exc)
    except OSError as exc:
        result.status, result.reason = "gagal", os_error_message(exc)


def _owned_names(staged: list[Path]) -> set[str]:
    """Every file name kpu-docs writes for the input whose files are ``staged``."""
    stem = staged[0].stem  # laporan-tahunan-<year>-<slug>
    return {f"{stem}.docx", f"{stem}.pdf", stem.replace("laporan-tahunan-", "lampiran-", 1) + ".xlsx"}


def _stage_task(task) -> Result:
    return stage(*task)


def _failed(task, reason: str) -> Result:
    return Result(input=task[0], reason=reason)


def _run(tasks, jobs: int, progress) -> list[Result]:
    """Each input in a worker process with bounded memory and time (``workers``)."""
    return workers.run(_stage_task, tasks, jobs, _failed, progress)


def _refuse_collisions(results: list[Result]) -> None:
    """Two inputs for the same office and year would overwrite each other: refuse both."""
    by_destination: dict[Path, list[Result]] = {}
    for result in results:
        if result.destination is not None:
            by_destination.setdefault(result.destination, []).append(result)
    for destination, group in by_destination.items():
        if len(group) > 1:
            for result in group:
                others = [str(r.input) for r in group if r is not result]
                named = others[0] if len(others) == 1 else f"{others[0]} dan {len(others) - 1} masukan lain"
                result.status = "gagal"
                result.reason = (
                    f"{named} juga menulis ke {destination} (kantor dan tahun yang sama): "
                    "satu kantor dan tahun satu berkas masukan; periksa nama satker dan tahunnya"
                )
                result.staged = []


def _add_pdfs(jobs: list[tuple[Result, tuple]], notices) -> None:
    """PDFs for the whole batch. With UNO: one LibreOffice pass numbers each table of contents
    and reports the printed page numbers; only the Word file is then rendered again with them.
    Without UNO: two plain passes (the older method), with a notice. A report LibreOffice
    cannot convert, or whose PDF cannot be published, fails alone."""
    if not jobs:
        return
    from kpu_docs.publish import pdf as pdf_mod  # only --pdf needs it

    if pdf_mod.soffice() is None:
        if notices:
            notices(pdf_mod.INSTALL_HINT)
        return
    scratch = jobs[0][0].staged[0].parent.parent
    if pdf_mod.uno_python() is None:
        if notices:
            notices(pdf_mod.NO_UNO_NOTICE)
        _add_pdfs_two_passes(jobs, scratch)
        return
    pending = list(jobs)
    try:
        # results come as LibreOffice writes them: each is finished here while it converts the next
        for done in pdf_mod.convert_numbered([r.staged[0] for r, _ in jobs], scratch / "pdf"):
            result, task = pending.pop(0)
            try:
                if done.error:
                    raise PdfError(f"LibreOffice gagal membuat PDF: {done.error}")
                pages = pdf_mod.heading_labels(result.headings, pdf_mod.outline(done.pdf), done.labels, done.toc)
                _render_docx_again(result, task, pages)
                target = result.staged[0].with_suffix(".pdf")
                shutil.move(done.pdf, target)
                pdf_mod.set_page_labels(target, done.numbers)
                pdf_mod.stabilize(target, _signed(result))
                result.staged.append(target)
            except Exception as exc:  # one office's PDF failing must not stop the others
                _pdf_failed(result, exc)
    except KpuDocsError as exc:  # LibreOffice as a whole failed: the offices not yet done go the older way,
        if pending and notices:  # where a file LibreOffice cannot convert fails alone
            notices(f"{exc}; sisa {len(pending)} laporan dibuat dengan dua kali jalan LibreOffice")
        _add_pdfs_two_passes(pending, scratch)


def _pdf_failed(result: Result, exc: Exception) -> None:
    if isinstance(exc, KpuDocsError):
        reason = str(exc)
    elif isinstance(exc, OSError):  # e.g. the disk filled up
        reason = os_error_message(exc)
    else:
        reason = f"kesalahan tak terduga: {type(exc).__name__}: {exc}"
    result.status, result.reason, result.staged = "gagal", reason, []


def _render_docx_again(result: Result, task: tuple, pages: dict[str, str]) -> None:
    """Only the Word file, now with the table of contents' page numbers."""
    path, template = task[0], task[3]
    report = derive(load(path, keep_going=True))
    if report.document.digest != result.digest:  # edited meanwhile: Word and PDF would not match the annex
        raise KpuDocsError(f"{path.name} diubah selama PDF dibuat; laporan ini tidak diterbitkan. Jalankan build lagi")
    render_docx(report, result.staged[0], template, pages)


def _add_pdfs_two_passes(jobs: list[tuple[Result, tuple]], scratch: Path) -> None:
    """Without UNO: convert, read the numbers from the first PDF, render the Word file again
    and convert it again."""
    from kpu_docs.publish import pdf as pdf_mod

    first = _convert([r for r, _ in jobs], scratch / "pdf-pass-1")
    for (result, task), draft in zip(jobs, first):
        if draft is None:
            continue
        try:
            texts = pdf_mod.page_texts(draft)
            pages = pdf_mod.heading_labels(
                result.headings, pdf_mod.outline(draft), pdf_mod.footer_labels(texts), texts=texts
            )
            _render_docx_again(result, task, pages)
        except Exception as exc:
            _pdf_failed(result, exc)
    ok = [r for r, _ in jobs if r.ok]
    for result, final in zip(ok, _convert(ok, scratch / "pdf-pass-2")):
        if final is None:
            continue
        target = result.staged[0].with_suffix(".pdf")
        try:
            shutil.move(final, target)
            pdf_mod.stabilize(target, _signed(result))
        except OSError as exc:  # e.g. the disk filled up: this report fails, the others go on
            result.status, result.reason = "gagal", os_error_message(exc)
            continue
        result.staged.append(target)


def _convert(results: list[Result], outdir: Path) -> list[Path | None]:
    """Each result's DOCX to PDF in one LibreOffice run; when that run fails, each file
    alone, so that one report LibreOffice cannot convert fails alone (status "gagal")."""
    from kpu_docs.publish import pdf as pdf_mod

    if not results:
        return []
    if len(results) > 1:
        try:
            return list(pdf_mod.convert([r.staged[0] for r in results], outdir))
        except KpuDocsError:
            pass  # find which report LibreOffice fails on
    out: list[Path | None] = []
    for result in results:
        try:
            (pdf,) = pdf_mod.convert([result.staged[0]], outdir / result.staged[0].stem)
            out.append(pdf)
        except KpuDocsError as exc:
            result.status, result.reason = "gagal", f"PDF tidak dapat dibuat: {exc}"
            out.append(None)
    return out
