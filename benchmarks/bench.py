"""kpu-docs benchmark: how long a build takes on this machine, each figure as a ratio
against a bare baseline measured in the same run: bare docxtpl / xlsxwriter writing the
same documents, the documents' earlier zipping, input size, batch size, LibreOffice one
process per file, and a bare interpreter's start-up.

    python benchmarks/bench.py            # full run (1,000 to 25,000 RO; a few minutes on 2 cores)
    python benchmarks/bench.py --quick    # shorter: up to 10,000 RO, 30 offices, fewer repeats
    python benchmarks/bench.py --no-pdf   # skip the LibreOffice section

This is a measurement script, not a test: it prints one table and exits 0 whatever the
numbers are (1 only when a build fails). Every file goes into a temporary folder that is
removed at the end.
"""

from __future__ import annotations

import argparse
import gc
import json
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

from docx.shared import Mm  # noqa: E402
from docxtpl import DocxTemplate, InlineImage  # noqa: E402

from bare_xlsx import read_annex, write_bare  # noqa: E402
from kpu_docs.publish import pdf as pdf_mod  # noqa: E402
from kpu_docs.publish.build import build, prepare  # noqa: E402
from kpu_docs.render.docx.context import build_context  # noqa: E402
from kpu_docs.render.docx.report_docx import render_docx  # noqa: E402
from kpu_docs.render.docx.templating import NEUTRAL_LOGO, default_template, environment, resource  # noqa: E402
from kpu_docs.render.xlsx.annex import write_annex  # noqa: E402
from synthetic import count_ro, synthetic_input, write_input  # noqa: E402

SAMPLE = ROOT / "inputs" / "kpu-kota-serang" / "2023.yaml"
SATKER = 552  # every KPU satker (KPU RI excluded): 38 provinsi + 514 kabupaten/kota
TARGET_OVERHEAD = 1.5
TARGET_EXPONENT = 1.05
TARGET_BATCH_SECONDS = 300.0
TARGET_PDF_BATCH_SECONDS = 360.0
TARGET_PDF_ADDED = 0.5  # seconds of --pdf per report
TARGET_PDF_BATCHING = 3.5  # one LibreOffice process per file / ours
TARGET_ZIP_SAVING = 0.20
TARGET_STARTUP = 0.4
TYPICAL_RO = 30


# --- timing --------------------------------------------------------------------------------


def best_pair(ours: Callable[[], object], bare: Callable[[], object], runs: int) -> tuple[float, float]:
    """Best wall times of ``ours`` and ``bare``, run alternately after one warm-up each, so
    that a busy moment of a shared machine hits both alike."""
    ours(), bare()
    best_ours = best_bare = math.inf
    for _ in range(runs):
        gc.collect()
        best_ours = min(best_ours, timed(ours)[0])
        best_bare = min(best_bare, timed(bare)[0])
    return best_ours, best_bare


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
        w2 = max((len(r.value) for r in rows if r.target or r.ok is not None), default=0)
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


def count_cells(xlsx: Path) -> tuple[int, int]:
    got = read_annex(xlsx)
    return got.n_cells, got.n_formulas


# --- the sections -------------------------------------------------------------------------------


def ours_docx(path: Path, out: Path) -> None:
    report, _ = prepare(path)
    render_docx(report, out)


def docx_breakdown(context: dict, report, out: Path, runs: int) -> dict[str, float]:
    """Best time of each step of render_docx, run one after the other, with kpu-docs' own
    docxtpl subclass (informational; uses kpu_docs internals, so it is skipped if they change)."""
    try:
        from kpu_docs.render.docx.docxtemplate import Template  # report_docx's class (was report_docx._Template)
        from kpu_docs.render.docx.toc import fill_toc
        from kpu_docs.render.zipping import drop_unused_parts, save_docx
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
        tpl = Template(str(default_template()))
        ctx = dict(context, logo=InlineImage(tpl, str(resource(NEUTRAL_LOGO)), width=Mm(45)), closing_images=[])
        step("render", lambda: tpl.render(ctx, jinja_env=environment(), autoescape=True))
        step("toc.fill_toc", lambda: fill_toc(tpl.docx, {}))
        step("save", lambda: (drop_unused_parts(tpl.docx), save_docx(tpl.docx, out)))
    return best


def section_sample(table: Table, tmp: Path, runs: int) -> None:
    report, findings = prepare(SAMPLE)
    n_ro = sum(1 for line in report.lines() if line.level == 3)
    docx, xlsx = tmp / "ours.docx", tmp / "ours.xlsx"
    write_annex(report, xlsx)
    context = build_context(report)
    annex = read_annex(xlsx)
    bare_d, bare_x = tmp / "bare.docx", tmp / "bare.xlsx"
    t_docx, t_bare_docx = best_pair(lambda: ours_docx(SAMPLE, docx), lambda: bare_docx(context, bare_d), runs)
    t_xlsx, t_bare_xlsx = best_pair(lambda: write_annex(report, xlsx), lambda: write_bare(annex, bare_x), runs)
    ours_cells, bare_cells = count_cells(xlsx), count_cells(bare_x)

    rows = table.section(
        f"1-2. Sample KPU Kota Serang 2023 ({n_ro} RO), in-process, best of {runs}, ours and bare alternately"
    )
    rows.append(Row("DOCX ours: load+derive+validate+render_docx", ms(t_docx)))
    breakdown = docx_breakdown(context, report, tmp / "parts.docx", runs)
    if breakdown:
        rows.append(
            Row("  DOCX ours, step by step (best of each)", ", ".join(f"{k} {ms(v)}" for k, v in breakdown.items()))
        )
    rows.append(Row("DOCX bare docxtpl: render(precomputed ctx)+save", ms(t_bare_docx)))
    r = t_docx / t_bare_docx
    rows.append(Row("DOCX overhead ours/bare", f"{r:.2f}×", f"< {TARGET_OVERHEAD}×", r < TARGET_OVERHEAD))
    rows.append(Row("XLSX ours: write_annex", ms(t_xlsx)))
    rows.append(Row("XLSX bare xlsxwriter: same sheets, cells, formats, chart, print setup", ms(t_bare_xlsx)))
    r = t_xlsx / t_bare_xlsx
    rows.append(Row("XLSX overhead ours/bare", f"{r:.2f}×", f"≤ {TARGET_OVERHEAD}×", r <= TARGET_OVERHEAD))
    rows.append(
        Row(
            "  cells written ours / bare (of which formulas)",
            f"{ours_cells[0]} / {bare_cells[0]} ({ours_cells[1]} / {bare_cells[1]})",
            "equal",
            ours_cells == bare_cells,
        )
    )
    total_ours, total_bare = t_docx + t_xlsx, t_bare_docx + t_bare_xlsx
    r = total_ours / total_bare
    rows.append(
        Row(
            "DOCX+XLSX ours / bare",
            f"{ms(total_ours)} / {ms(total_bare)} = {r:.2f}×",
            f"< {TARGET_OVERHEAD}×",
            r < TARGET_OVERHEAD,
        )
    )


ISSUE_17_BASE = "4ce092a"  # main when issue 17 ("a cheaper build per office") was filed
_STAGE_TIMER = """
import sys, time
from pathlib import Path
from kpu_docs.build import stage
path, out, runs = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
stage(path, out, out / "stage", None)
best = min(
    (lambda t: (stage(path, out, out / "stage", None), time.perf_counter() - t)[1])(time.perf_counter())
    for _ in range(runs)
)
print(best)
"""


def earlier_code(tmp: Path) -> Path | None:
    """The package as it was at ISSUE_17_BASE (``git archive`` of this checkout), or None
    without git or that commit (e.g. a source archive)."""
    target = tmp / f"kpu-docs-{ISSUE_17_BASE}"
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", ISSUE_17_BASE, "kpu_docs", "templates", "inputs"],
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    target.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def section_office(table: Table, tmp: Path, runs: int) -> None:
    """One office of the batch (30 RO): ``build.stage`` as it is vs the same stage as it was
    when issue 17 was filed (commit ISSUE_17_BASE, which did less: no hardening, no XML
    conformance, no DAFTAR TABEL), each best of ``runs`` after a warm-up, alternated twice."""
    from kpu_docs.publish.build import stage

    path = write_input(tmp / "office", TYPICAL_RO, "Kantor")
    out = tmp / "office-out"
    out.mkdir(parents=True, exist_ok=True)
    earlier = earlier_code(tmp)
    rows = table.section(f"3. One office of the batch ({TYPICAL_RO} RO): DOCX+XLSX+check file, best of {runs}")

    def ours() -> float:
        stage(path, out, out / "stage", None)
        return min(timed(lambda: stage(path, out, out / "stage", None))[0] for _ in range(runs))

    failed: list[str] = []

    def theirs() -> float:
        env = {**os.environ, "PYTHONPATH": str(earlier)}
        done = subprocess.run(
            [sys.executable, "-c", _STAGE_TIMER, str(path), str(tmp / "office-earlier"), str(runs)],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp,
        )
        try:
            return float(done.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            failed.append((done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1][:100])
            return math.nan

    if earlier is None:
        rows.append(Row("ours: build.stage", ms(ours())))
        rows.append(Row(f"baseline: commit {ISSUE_17_BASE} unavailable (no git history here)", "–"))
        return
    a, b = min(ours(), ours()), min(theirs(), theirs())
    if failed:  # the old code no longer runs here (a dependency changed): say why, claim nothing
        rows.append(Row("ours: build.stage", ms(a)))
        rows.append(Row(f"baseline: commit {ISSUE_17_BASE} failed: {failed[0]}", "–"))
        return
    rows.append(Row("ours: build.stage (every check of today included)", ms(a)))
    rows.append(Row(f"baseline: build.stage when issue 17 was filed (commit {ISSUE_17_BASE}), same input", ms(b)))
    saving = 1 - a / b
    rows.append(
        Row("time saved per office", f"{saving:.0%}", f"≥ {TARGET_ZIP_SAVING:.0%}", saving >= TARGET_ZIP_SAVING)
    )


def child_build(n: int, folder: Path) -> dict:
    """In a fresh process: warm up on a small input, then build one input of ``n`` RO once
    through ``build.stage`` (load, derive, validate, DOCX, XLSX: what a batch does per office);
    its time and the process's peak memory."""
    import resource as res

    from kpu_docs.publish.build import stage

    small = write_input(folder / "warm", 10, "Hangat")
    stage(small, folder / "out", folder / "warm-scratch", None)
    path = write_input(folder / "in", n, f"Skala {n}")
    size = path.stat().st_size
    gc.collect()
    seconds, result = timed(lambda: stage(path, folder / "out", folder / "scratch", None))
    if not result.ok:
        raise SystemExit(f"{n} RO: {result.reason}")
    return {"n": n, "seconds": seconds, "yaml": size, "rss_kib": _peak_kib(res)}


def _peak_kib(res) -> int:
    """This process's own peak resident memory: Linux's VmHWM, which starts afresh at exec;
    ``ru_maxrss`` carries over the forking parent's size (a large bench parent would hide a
    small child's peak)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return res.getrusage(res.RUSAGE_SELF).ru_maxrss


def run_child(n: int, tmp: Path) -> dict:
    folder = tmp / f"child-{n}"
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, __file__, "--child", str(n), str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"build of {n} RO failed: {done.stderr[-800:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def section_scaling(table: Table, tmp: Path, sizes: list[int]) -> None:
    baseline = run_child(10, tmp)  # the same process with a 10-RO input: what does not grow
    results = [run_child(n, tmp) for n in sizes]
    rows = table.section("4. Growth: build.stage of one input per size, each in a fresh process after a warm-up")
    rows.append(
        Row(
            f"{10:>6,} RO  (baseline: fixed costs; peak memory {baseline['rss_kib'] / 1024:,.0f} MiB)",
            ms(baseline["seconds"]),
        )
    )
    for r in results:
        rows.append(
            Row(
                f"{r['n']:>6,} RO  ({r['yaml'] / 1e6:5.2f} MB YAML, peak memory {r['rss_kib'] / 1024:,.0f} MiB)",
                f"{ms(r['seconds'])}  ({ms(r['seconds'] / r['n'])} per RO)",
            )
        )
    ns = [r["n"] for r in results]
    ts = [r["seconds"] for r in results]
    k = loglog_slope(ns, ts)
    rows.append(
        Row(
            f"growth exponent: fit over {ns[0]:,}..{ns[-1]:,} RO",
            f"{k:.2f}",
            f"≤ {TARGET_EXPONENT} (linear)",
            k <= TARGET_EXPONENT,
        )
    )
    local = math.log(ts[-1] / ts[-2]) / math.log(ns[-1] / ns[-2])
    rows.append(Row(f"  local slope {ns[-2]:,} → {ns[-1]:,} RO", f"{local:.2f}"))
    per_ro = (results[-1]["rss_kib"] - results[0]["rss_kib"]) / (ns[-1] - ns[0])
    rows.append(Row(f"memory per RO (peak, {ns[0]:,} → {ns[-1]:,} RO)", f"{per_ro:.1f} KiB", "linear, ≈ 18 KiB"))
    if len(results) > 2:
        mids = [(results[i + 1]["rss_kib"] - results[i]["rss_kib"]) / (ns[i + 1] - ns[i]) for i in range(len(ns) - 1)]
        rows.append(Row("  memory per RO between successive sizes", " / ".join(f"{m:.1f}" for m in mids) + " KiB"))


def section_batch(table: Table, tmp: Path, offices: int) -> tuple[bool, float]:
    folder = tmp / "batch-inputs"
    paths = [write_input(folder, TYPICAL_RO, f"Contoh {i + 1:03d}", seed=i) for i in range(offices)]
    rows = table.section(
        f"5. Batch: {offices} synthetic offices of {TYPICAL_RO} RO through build(paths, out, jobs=N), no PDF"
    )
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
        rows.append(
            Row(
                f"-j{jobs}: {offices} offices ({folders} output folders)",
                f"{sec(seconds)}  {rate:5.2f} offices/s{note}",
            )
        )
    rows.append(Row("  speed-up -j2 / -j1", f"{rates[2] / rates[1]:.2f}×", "ideal 2× on 2 cores"))
    ceiling = parallel_ceiling(6 if offices < 100 else 12)
    rows.append(Row("  machine's own ceiling: CPU loop, 2 processes / 1 (measured just after)", f"{ceiling:.2f}×"))
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    eta = SATKER / rates[2]
    rows.append(
        Row(
            f"{SATKER} offices (every KPU satker) at -j2 on {cpus} cores, extrapolated",
            f"{sec(eta)} ({eta / 60:.1f} min)",
            "< 5 min",
            eta < TARGET_BATCH_SECONDS,
        )
    )
    return ok, eta


def section_pdf(table: Table, tmp: Path, n_files: int, batch_eta: float) -> bool:
    rows = table.section(
        f"6. PDF: {n_files} offices of {TYPICAL_RO} RO, build --pdf vs one LibreOffice process per file"
    )
    if pdf_mod.soffice() is None:
        rows.append(Row("LibreOffice (soffice) not found: skipped", "-"))
        return True
    paths = [write_input(tmp / "pdf-inputs", TYPICAL_RO, f"Pdf {i + 1:03d}", seed=100 + i) for i in range(n_files)]
    warm = build(paths[:1], tmp / "pdf-warm", pdf=True, jobs=1)  # untimed: LibreOffice into the page cache
    ok = all(r.ok for r in warm)
    t_plain, _ = timed(lambda: build(paths, tmp / "pdf-plain", jobs=1))
    t_pdf, results = timed(lambda: build(paths, tmp / "pdf-ours", pdf=True, jobs=1))
    t_plain1, _ = timed(lambda: build(paths[:1], tmp / "pdf-plain1", jobs=1))
    t_pdf1, _ = timed(lambda: build(paths[:1], tmp / "pdf-ours1", pdf=True, jobs=1))
    ok &= all(r.ok and any(p.suffix == ".pdf" for p in r.written) for r in results)
    files = [next((tmp / "pdf-plain" / r.destination.relative_to(tmp / "pdf-ours")).glob("*.docx")) for r in results]
    t_each, _ = timed(lambda: [pdf_mod.convert([f], tmp / "pdf-each") for f in files])
    uno = pdf_mod.uno_python() is not None
    added_all, added_one = t_pdf - t_plain, t_pdf1 - t_plain1
    marginal = max(added_all - added_one, 0.0) / (n_files - 1)  # per report once LibreOffice runs
    each = t_each / n_files
    rows.append(Row("build, no PDF (-j1)", f"{sec(t_plain)}  ({sec(t_plain / n_files)}/office)"))
    rows.append(
        Row(
            f"build --pdf (-j1), {'one LibreOffice pass through UNO' if uno else 'two passes (no UNO)'}",
            f"{sec(t_pdf)}  ({sec(t_pdf / n_files)}/office)",
        )
    )
    rows.append(Row(f"added cost of --pdf: 1 office / {n_files} offices", f"{sec(added_one)} / {sec(added_all)}"))
    rows.append(
        Row(
            "added cost of --pdf per report in a batch (marginal)",
            sec(marginal),
            f"≤ {TARGET_PDF_ADDED} s",
            marginal <= TARGET_PDF_ADDED,
        )
    )
    rows.append(
        Row("baseline: one LibreOffice process per file (plain --convert-to pdf)", f"{sec(t_each)}  ({sec(each)}/file)")
    )
    r = each / marginal if marginal > 0 else math.inf
    rows.append(
        Row(
            "per-file LibreOffice / our marginal cost per report",
            f"{r:.2f}×",
            f"≥ {TARGET_PDF_BATCHING}×",
            r >= TARGET_PDF_BATCHING,
        )
    )
    eta = batch_eta + added_one + (SATKER - 1) * marginal
    rows.append(
        Row(
            f"{SATKER} offices with PDF: batch without PDF (-j2, above) + LibreOffice once + {SATKER - 1} × marginal",
            f"{sec(eta)} ({eta / 60:.1f} min)",
            "< 6 min",
            eta < TARGET_PDF_BATCH_SECONDS,
        )
    )
    return ok


def section_startup(table: Table, tmp: Path, runs: int) -> None:
    """A single rebuild from the command line (nothing changed), against a bare interpreter
    and against importing the libraries a build needs, each a fresh process, best of ``runs``."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # byte-code caches as an installed copy has them
    out = tmp / "startup"

    def best(cmd: list[str]) -> float:
        subprocess.run(cmd, capture_output=True, env=env)  # warm: page cache, byte-code caches
        fastest = math.inf
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(cmd, capture_output=True, env=env)
            fastest = min(fastest, time.perf_counter() - started)
        return fastest

    exe = [sys.executable]
    bare = best(exe + ["-c", "pass"])
    libs = best(exe + ["-c", "import docxtpl, docx, xlsxwriter, pydantic, yaml, babel.numbers, jinja2.sandbox"])
    ours = best(exe + ["-m", "kpu_docs", "build", str(SAMPLE), "--out", str(out), "-q"])
    check = subprocess.run(
        exe + ["-m", "kpu_docs", "build", str(SAMPLE), "--out", str(out)], capture_output=True, text=True, env=env
    )
    rows = table.section(f"7. Start-up: fresh processes, best of {runs}")
    rows.append(Row("bare interpreter: python -c pass", ms(bare)))
    rows.append(Row("importing the libraries a build uses (docxtpl, xlsxwriter, pydantic, …)", ms(libs)))
    note = "" if "tidak berubah" in check.stdout else "  (REBUILD CHANGED A FILE?)"
    rows.append(
        Row(
            "kpu-docs build <sample> (a rebuild: nothing changes)",
            ms(ours) + note,
            f"≤ {TARGET_STARTUP} s",
            ours <= TARGET_STARTUP,
        )
    )
    rows.append(Row("  ours / bare interpreter, ours / library imports", f"{ours / bare:.1f}×, {ours / libs:.2f}×"))


# --- main ------------------------------------------------------------------------------------


def libreoffice_version() -> str:
    exe = pdf_mod.soffice()
    if exe is None:
        return "not installed"
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
        return out.split("\n")[0][:60] or "?"
    except Exception as exc:
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
    libs = ", ".join(
        f"{name} {version(name)}" for name in ("docxtpl", "python-docx", "XlsxWriter", "pydantic", "PyYAML")
    )
    rows.append(Row("libraries", libs))
    if not no_pdf:
        rows.append(Row("LibreOffice", libreoffice_version()))
    rows.append(Row("mode", "quick" if quick else "full"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="shorter run: up to 10,000 RO, 30 offices, fewer repeats")
    parser.add_argument("--no-pdf", action="store_true", help="skip the LibreOffice section")
    parser.add_argument("--child", nargs=2, metavar=("N", "DIR"), help=argparse.SUPPRESS)  # one growth measurement
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child_build(int(args.child[0]), Path(args.child[1]))))
        return 0

    quick = args.quick
    runs = 5 if quick else 15
    # 25,000 RO is the largest synthetic input within load's 16 MB bound (30,000 RO is 18.7 MB)
    sizes = [1_000, 3_000, 10_000] if quick else [1_000, 3_000, 10_000, 25_000]
    offices = 30 if quick else 100
    n_pdf = 4 if quick else 8

    assert count_ro(synthetic_input(TYPICAL_RO)) == TYPICAL_RO
    table = Table()
    started = time.perf_counter()
    ok = True
    eta = [0.0]
    with tempfile.TemporaryDirectory(prefix="kpu-docs-bench-") as tmp_name:
        tmp = Path(tmp_name)
        machine(table, quick, args.no_pdf)

        def batch() -> bool:
            done, eta[0] = section_batch(table, tmp, offices)
            return done

        steps = [
            ("sample", lambda: section_sample(table, tmp, runs)),
            ("office", lambda: section_office(table, tmp, runs * 2)),
            ("growth", lambda: section_scaling(table, tmp, sizes)),
            ("batch", batch),
        ]
        if not args.no_pdf:
            steps.append(("pdf", lambda: section_pdf(table, tmp, n_pdf, eta[0])))
        steps.append(("start-up", lambda: section_startup(table, tmp, 5 if quick else 10)))
        for name, step in steps:
            t0 = time.perf_counter()
            print(f"[bench] {name} …", end=" ", file=sys.stderr, flush=True)
            ok &= step() is not False
            print(f"{time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"kpu-docs benchmark ({'quick' if quick else 'full'} run, {time.perf_counter() - started:.0f} s wall, "
        f"load average {load:.1f} at the end)"
    )
    print(table.render())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
