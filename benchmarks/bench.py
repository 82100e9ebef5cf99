"""kpu-docs benchmark: how long a build takes on this machine, and where it stands
against bare docxtpl / xlsxwriter, input size, batch size and LibreOffice batching.

    python benchmarks/bench.py            # full run (about 2-3 minutes on 2 cores)
    python benchmarks/bench.py --quick    # shorter: no 10,000-RO input, 30 offices, fewer repeats
    python benchmarks/bench.py --no-pdf   # skip the LibreOffice section

This is a measurement script, not a test: it prints one table and exits 0 whatever the
numbers are (1 only when a build fails). Every file goes into a temporary folder that is
removed at the end.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for entry in (str(ROOT), str(HERE)):  # run from a checkout without installing
    if entry not in sys.path:
        sys.path.insert(0, entry)

import xlsxwriter  # noqa: E402
from docx.shared import Mm  # noqa: E402
from docxtpl import DocxTemplate, InlineImage  # noqa: E402

from kpu_docs import pdf as pdf_mod  # noqa: E402
from kpu_docs.annex import write_annex  # noqa: E402
from kpu_docs.build import build, prepare  # noqa: E402
from kpu_docs.context import build_context  # noqa: E402
from kpu_docs.report_docx import render_docx  # noqa: E402
from kpu_docs.templating import NEUTRAL_LOGO, default_template, environment, resource  # noqa: E402

from synthetic import count_ro, synthetic_input, write_input  # noqa: E402

SAMPLE = ROOT / "inputs" / "kpu-kota-serang" / "2023.yaml"
SATKER = 552  # every KPU satker (KPU RI excluded): 38 provinsi + 514 kabupaten/kota
TARGET_OVERHEAD = 1.5
TARGET_EXPONENT = 1.1
TARGET_BATCH_SECONDS = 300.0
TYPICAL_RO = 30


# --- timing --------------------------------------------------------------------------------


def best_of(fn: Callable[[], object], runs: int, warmup: bool = True) -> float:
    """Best wall time of ``runs`` calls (perf_counter), after one untimed warm-up call."""
    if warmup:
        fn()
    best = math.inf
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    gc.collect()
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def loglog_slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log(y) against log(x): the growth exponent."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


# --- the table -------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    value: str
    target: str = ""
    ok: bool | None = None


class Table:
    def __init__(self) -> None:
        self.sections: list[tuple[str, list[Row]]] = []

    def section(self, title: str) -> list[Row]:
        rows: list[Row] = []
        self.sections.append((title, rows))
        return rows

    def render(self) -> str:
        rows = [r for _, rs in self.sections for r in rs]
        w1 = max(len(r.label) for r in rows)
        w2 = max(len(r.value) for r in rows if r.target or r.ok is not None)
        w3 = max(len(r.target) for r in rows)
        width = w1 + w2 + w3 + 10
        out = []
        for title, rs in self.sections:
            out += ["", title, "-" * width]
            for r in rs:
                if not r.target and r.ok is None:
                    out.append(f"  {r.label:<{w1}}  {r.value}".rstrip())
                    continue
                mark = "" if r.ok is None else ("✓" if r.ok else "✗")
                out.append(f"  {r.label:<{w1}}  {r.value:<{w2}}  {r.target:<{w3}}  {mark}".rstrip())
        return "\n".join(out)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else f"{seconds:,.2f} s"


def sec(seconds: float) -> str:
    return f"{seconds:,.2f} s"


# --- bare baselines ---------------------------------------------------------------------------


def bare_docx(context: dict, out: Path) -> None:
    """Bare docxtpl: the default template rendered with a precomputed context, then saved.
    Only the images are made here, as they belong to the template instance."""
    tpl = DocxTemplate(str(default_template()))
    ctx = dict(context)
    ctx["logo"] = InlineImage(tpl, str(resource(NEUTRAL_LOGO)), width=Mm(45))
    ctx["closing_images"] = []
    tpl.render(ctx, jinja_env=environment(), autoescape=True)
    tpl.save(str(out))


@dataclass
class Cells:
    """Every non-empty cell of an annex workbook, as (row, col, kind, content, cached value)."""

    cells: list[tuple[int, int, str, object, object]]

    @property
    def formulas(self) -> int:
        return sum(kind == "f" for _, _, kind, _, _ in self.cells)


def annex_cells(xlsx: Path) -> Cells:
    """Read back what write_annex wrote (formulas and their cached values), all sheets stacked
    into one sheet's rows. Done once, untimed: this is the bare writer's precomputed data."""
    from openpyxl import load_workbook

    formulas = load_workbook(xlsx)
    values = load_workbook(xlsx, data_only=True)
    cells = []
    offset = 0
    for sheet in formulas.worksheets:
        cached = values[sheet.title]
        last = 0
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                r, c = offset + cell.row - 1, cell.column - 1
                last = max(last, cell.row)
                if cell.data_type == "f":
                    cells.append((r, c, "f", str(getattr(cell.value, "text", cell.value)), cached[cell.coordinate].value))
                elif isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    cells.append((r, c, "n", cell.value, None))
                else:
                    cells.append((r, c, "s", str(cell.value), None))
        offset += last + 1
    return Cells(cells)


def count_cells(xlsx: Path) -> tuple[int, int]:
    got = annex_cells(xlsx)
    return len(got.cells), got.formulas


def bare_xlsx(cells: Cells, out: Path) -> None:
    """Bare xlsxwriter: one worksheet, the annex's cells (the tree rows' codes, names, numbers
    and SUM/sisa/% formulas with their cached values, and the other sheets' cells below them)
    written from a precomputed list with two number formats. No derivation, no styling logic."""
    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False, "in_memory": True}
    workbook = xlsxwriter.Workbook(str(out), options)
    sheet = workbook.add_worksheet("Lampiran")
    amount = workbook.add_format({"num_format": "#,##0", "border": 1})
    text = workbook.add_format({"border": 1})
    for row, col, kind, content, value in cells.cells:
        if kind == "f":
            sheet.write_formula(row, col, content, amount, "" if value is None else value)
        elif kind == "n":
            sheet.write_number(row, col, content, amount)
        else:
            sheet.write_string(row, col, content, text)
    workbook.close()


# --- the sections -------------------------------------------------------------------------------


def ours_docx(path: Path, out: Path) -> None:
    report, _ = prepare(path)
    render_docx(report, out)


def docx_breakdown(context: dict, report, out: Path, runs: int) -> dict[str, float]:
    """Best time of each step of render_docx, run one after the other (informational; uses
    kpu_docs internals, so it is skipped if they change)."""
    try:
        from kpu_docs.toc import fill_toc
    except ImportError:
        return {}
    best: dict[str, float] = {}

    def step(name: str, fn: Callable[[], object]) -> object:
        started = time.perf_counter()
        value = fn()
        best[name] = min(best.get(name, math.inf), time.perf_counter() - started)
        return value

    for _ in range(runs + 1):
        step("load+derive+validate", lambda: prepare(SAMPLE))
        step("build_context", lambda: build_context(report))
        tpl = DocxTemplate(str(default_template()))
        ctx = dict(context, logo=InlineImage(tpl, str(resource(NEUTRAL_LOGO)), width=Mm(45)), closing_images=[])
        step("docxtpl render", lambda: tpl.render(ctx, jinja_env=environment(), autoescape=True))
        step("toc.fill_toc", lambda: fill_toc(tpl.docx, {}))
        step("save", lambda: tpl.save(str(out)))
    return best


def section_sample(table: Table, tmp: Path, runs: int) -> None:
    report, findings = prepare(SAMPLE)
    n_ro = sum(1 for line in report.lines() if line.level == 3)
    docx, xlsx = tmp / "ours.docx", tmp / "ours.xlsx"
    t_docx = best_of(lambda: ours_docx(SAMPLE, docx), runs)
    t_xlsx = best_of(lambda: write_annex(report, xlsx), runs)

    context = build_context(report)
    cells = annex_cells(xlsx)
    bare_d, bare_x = tmp / "bare.docx", tmp / "bare.xlsx"
    t_bare_docx = best_of(lambda: bare_docx(context, bare_d), runs)
    t_bare_xlsx = best_of(lambda: bare_xlsx(cells, bare_x), runs)
    ours_cells, bare_cells = count_cells(xlsx), count_cells(bare_x)

    rows = table.section(f"1-2. Sample KPU Kota Serang 2023 ({n_ro} RO), in-process, best of {runs} after a warm-up")
    rows.append(Row("DOCX ours: load+derive+validate+render_docx", ms(t_docx)))
    breakdown = docx_breakdown(context, report, tmp / "parts.docx", runs)
    if breakdown:
        rows.append(Row("  DOCX ours, step by step (best of each)", ", ".join(f"{k} {ms(v)}" for k, v in breakdown.items())))
    rows.append(Row("DOCX bare docxtpl: render(precomputed ctx)+save", ms(t_bare_docx)))
    r = t_docx / t_bare_docx
    rows.append(Row("DOCX overhead ours/bare", f"{r:.2f}×", f"< {TARGET_OVERHEAD}×", r < TARGET_OVERHEAD))
    rows.append(Row("XLSX ours: write_annex", ms(t_xlsx)))
    rows.append(Row("XLSX bare xlsxwriter: same cells, one sheet", ms(t_bare_xlsx)))
    r = t_xlsx / t_bare_xlsx
    rows.append(Row("XLSX overhead ours/bare", f"{r:.2f}×", f"< {TARGET_OVERHEAD}×", r < TARGET_OVERHEAD))
    rows.append(Row("  cells written ours / bare (of which formulas)",
                    f"{ours_cells[0]} / {bare_cells[0]} ({ours_cells[1]} / {bare_cells[1]})",
                    "equal", ours_cells == bare_cells))
    total_ours, total_bare = t_docx + t_xlsx, t_bare_docx + t_bare_xlsx
    r = total_ours / total_bare
    rows.append(Row("DOCX+XLSX ours / bare", f"{ms(total_ours)} / {ms(total_bare)} = {r:.2f}×",
                    f"< {TARGET_OVERHEAD}×", r < TARGET_OVERHEAD))


def section_scaling(table: Table, tmp: Path, sizes: list[int], runs_for: Callable[[int], int]) -> None:
    results = []
    for n in sizes:
        path = write_input(tmp / "scaling", n, f"Skala {n}")
        runs = runs_for(n)
        docx, xlsx = tmp / f"s{n}.docx", tmp / f"s{n}.xlsx"
        warmup = runs > 1 and n < 10_000  # the sample section already warmed imports and caches
        t_docx = best_of(lambda: ours_docx(path, docx), runs, warmup=warmup)
        report, findings = prepare(path)
        if findings:
            raise SystemExit(f"synthetic input with {n} RO has findings: {findings[0]}")
        t_xlsx = best_of(lambda: write_annex(report, xlsx), runs, warmup=warmup)
        results.append((n, t_docx, t_xlsx, runs, path.stat().st_size))
        del report, findings

    rows = table.section("3. Synthetic inputs: build time by number of RO (DOCX = load+derive+validate+render_docx)")
    for n, t_docx, t_xlsx, runs, size in results:
        rows.append(Row(f"{n:>6,} RO  ({size / 1e6:5.2f} MB YAML, best of {runs})",
                        f"DOCX {ms(t_docx):>10}  XLSX {ms(t_xlsx):>10}  total {ms(t_docx + t_xlsx):>10}"))
    ns = [r[0] for r in results]
    fits = {
        "DOCX": [r[1] for r in results],
        "XLSX": [r[2] for r in results],
        "total": [r[1] + r[2] for r in results],
    }
    for name, ts in fits.items():
        k = loglog_slope(ns, ts)
        local = math.log(ts[-1] / ts[-2]) / math.log(ns[-1] / ns[-2])
        rows.append(Row(f"growth exponent {name}: fit over {ns[0]:,}..{ns[-1]:,} RO",
                        f"{k:.2f}", f"≤ {TARGET_EXPONENT} (linear)", k <= TARGET_EXPONENT))
        rows.append(Row(f"  local slope {name} {ns[-2]:,} → {ns[-1]:,} RO",
                        f"{local:.2f}", f"≤ {TARGET_EXPONENT} (linear)", local <= TARGET_EXPONENT))
    per_ro = (results[-1][1] + results[-1][2]) / ns[-1]
    rows.append(Row(f"  marginal cost per RO at {ns[-1]:,} RO", ms(per_ro)))


def section_batch(table: Table, tmp: Path, offices: int) -> bool:
    folder = tmp / "batch-inputs"
    paths = [write_input(folder, TYPICAL_RO, f"Contoh {i + 1:03d}", seed=i) for i in range(offices)]
    rows = table.section(f"4. Batch: {offices} synthetic offices of {TYPICAL_RO} RO through build(paths, out, jobs=N), no PDF")
    ok = True
    rates = {}
    for jobs in (1, 2):
        out = tmp / f"batch-out-j{jobs}"
        seconds, results = timed(lambda: build(paths, out, jobs=jobs))
        failed = [r for r in results if not r.ok]
        ok &= not failed
        folders = len({r.destination for r in results if r.ok})
        rate = offices / seconds
        rates[jobs] = rate
        note = "" if not failed else f"  {len(failed)} FAILED: {failed[0].reason}"
        rows.append(Row(f"-j{jobs}: {offices} offices ({folders} output folders)",
                        f"{sec(seconds)}  {rate:5.2f} offices/s{note}"))
    rows.append(Row("  speed-up -j2 / -j1", f"{rates[2] / rates[1]:.2f}×", "ideal 2× on 2 cores"))
    ceiling = parallel_ceiling(6 if offices < 100 else 12)
    rows.append(Row("  machine's own ceiling: CPU loop, 2 processes / 1 (measured just after)", f"{ceiling:.2f}×"))
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    eta = SATKER / rates[2]
    rows.append(Row(f"{SATKER} offices (every KPU satker) at -j2 on {cpus} cores, extrapolated",
                    f"{sec(eta)} ({eta / 60:.1f} min)", "< 5 min", eta < TARGET_BATCH_SECONDS))
    return ok


def section_pdf(table: Table, tmp: Path, n_files: int) -> None:
    rows = table.section(f"5. PDF through LibreOffice: {n_files} report DOCX of {TYPICAL_RO} RO")
    if pdf_mod.soffice() is None:
        rows.append(Row("LibreOffice (soffice) not found: skipped", "-"))
        return
    files = []
    for i in range(n_files):
        path = write_input(tmp / "pdf-inputs", TYPICAL_RO, f"Pdf {i + 1:03d}", seed=100 + i)
        report, _ = prepare(path)
        out = tmp / "pdf-docx" / f"laporan-{i + 1:03d}.docx"
        out.parent.mkdir(parents=True, exist_ok=True)
        render_docx(report, out)
        files.append(out)
    pdf_mod.convert(files[:1], tmp / "pdf-warmup")  # untimed: loads LibreOffice into the page cache
    t_each, _ = timed(lambda: [pdf_mod.convert([f], tmp / "pdf-each") for f in files])
    t_batch, _ = timed(lambda: pdf_mod.convert(files, tmp / "pdf-batch"))
    rows.append(Row("one LibreOffice process per file", f"{sec(t_each)}  ({sec(t_each / n_files)}/file)"))
    rows.append(Row("one LibreOffice process for all (batched)", f"{sec(t_batch)}  ({sec(t_batch / n_files)}/file)"))
    r = t_each / t_batch
    rows.append(Row("per-file / batched", f"{r:.2f}×", "> 1× (batching pays)", r > 1))


# --- main ------------------------------------------------------------------------------------


def libreoffice_version() -> str:
    exe = pdf_mod.soffice()
    if exe is None:
        return "not installed"
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
        return out.split("\n")[0][:60] or "?"
    except Exception as exc:  # noqa: BLE001 - informational only
        return f"? ({type(exc).__name__})"


def _spin(_: int = 0) -> float:
    """A fixed amount of pure-Python CPU work; returns its duration."""
    started = time.perf_counter()
    total = 0
    for i in range(2_000_000):
        total += i * i
    return time.perf_counter() - started


def parallel_ceiling(tasks: int = 12) -> float:
    """Speed-up of 2 worker processes over 1 on plain CPU work: what -j2 can hope for here
    (shared virtual CPUs often give less than 2x under sustained load)."""
    from concurrent.futures import ProcessPoolExecutor

    serial = tasks * min(_spin() for _ in range(tasks))  # best case for one process
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(_spin, range(2)))  # start the workers
        started = time.perf_counter()
        list(pool.map(_spin, range(2 * tasks)))
        parallel = time.perf_counter() - started
    return 2 * serial / parallel


def machine(table: Table, quick: bool, no_pdf: bool) -> None:
    from importlib.metadata import version

    rows = table.section("Machine")
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    rows.append(Row("CPU count (os.cpu_count / usable)", f"{os.cpu_count()} / {affinity}"))
    rows.append(Row("CPU", (platform.processor() or platform.machine())[:60]))
    rows.append(Row("Python", f"{platform.python_implementation()} {platform.python_version()}"))
    rows.append(Row("OS", platform.platform()[:60]))
    libs = ", ".join(f"{name} {version(name)}" for name in ("docxtpl", "python-docx", "XlsxWriter", "pydantic", "PyYAML"))
    rows.append(Row("libraries", libs))
    if not no_pdf:
        rows.append(Row("LibreOffice", libreoffice_version()))
    rows.append(Row("mode", "quick" if quick else "full"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="shorter run: no 10,000-RO input, 30 offices, fewer repeats")
    parser.add_argument("--no-pdf", action="store_true", help="skip the LibreOffice section")
    args = parser.parse_args(argv)

    quick = args.quick
    runs = 3 if quick else 7
    sizes = [10, 100, 1_000] if quick else [10, 100, 1_000, 10_000]
    offices = 30 if quick else 100
    n_pdf = 4 if quick else 6

    def runs_for(n: int) -> int:
        if n >= 10_000:
            return 2
        if n >= 1_000:
            return 2 if quick else 3
        return 3 if quick else 5

    assert count_ro(synthetic_input(TYPICAL_RO)) == TYPICAL_RO
    table = Table()
    started = time.perf_counter()
    ok = True
    with tempfile.TemporaryDirectory(prefix="kpu-docs-bench-") as tmp_name:
        tmp = Path(tmp_name)
        machine(table, quick, args.no_pdf)
        steps = [
            ("sample", lambda: section_sample(table, tmp, runs)),
            ("scaling", lambda: section_scaling(table, tmp, sizes, runs_for)),
            ("batch", lambda: section_batch(table, tmp, offices)),
        ]
        if not args.no_pdf:
            steps.append(("pdf", lambda: section_pdf(table, tmp, n_pdf)))
        for name, step in steps:
            t0 = time.perf_counter()
            print(f"[bench] {name} …", end=" ", file=sys.stderr, flush=True)
            ok &= step() is not False
            print(f"{time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    print(f"kpu-docs benchmark ({'quick' if quick else 'full'} run, {time.perf_counter() - started:.0f} s wall)")
    print(table.render())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
