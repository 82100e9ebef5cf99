"""How long reading a SAKTI export takes: a 5,000-row GLP039 (.xlsx and ';' CSV) and a
10,000-row export in segment form (bare 3-digit komponen under every RO, the case a naive
look-ahead makes quadratic). Target: under 1 s for 5,000 rows.

    python benchmarks/bench_sakti.py

A measurement script, not a test: it prints a table and exits 0 whatever the numbers are.
The exports are built with the tests' fixture writers (tests/glp039.py), as SAKTI.md describes.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import glp039  # noqa: E402
from tests.test_sakti_import import N, table, write_csv  # noqa: E402

from kpu_docs.sakti import read_export  # noqa: E402

TARGET_SECONDS = 1.0


def synthetic_tree(rows: int) -> list[N]:
    """One program of kegiatan/KRO/RO with komponen, sub-komponen and akun, about ``rows`` rows."""
    program = N("076.01.CQ", "Penyelenggaraan Pemilu dalam Proses Konsolidasi Demokrasi")
    count, k = 1, 0
    while count < rows:
        k += 1
        kegiatan = N(f"CQ.{6700 + k}", f"Kegiatan {k}")
        program.kids.append(kegiatan)
        count += 1
        for kro_code in ("QGE", "QGF"):
            kro = N(f"{kegiatan.code}.{kro_code}", f"KRO {kro_code}")
            kegiatan.kids.append(kro)
            count += 1
            for r in range(1, 6):
                ro = N(f"{kro.code}.{r:03d}", f"RO {r}")
                kro.kids.append(ro)
                count += 1
                for c in range(51, 55):
                    komponen = N(f"{ro.code}.{c:03d}", f"Komponen {c}")
                    sub = N(f"{komponen.code}.0A", "Sub komponen")
                    komponen.kids.append(sub)
                    ro.kids.append(komponen)
                    for a in range(5):
                        sub.kids.append(N(f"{sub.code}.52{a}211", f"Belanja {a}", 1_000_000 + a * 7_919, 900_000 + a))
                    count += 7
    return [program]


def best_of(fn, runs: int = 3) -> float:
    fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> int:
    tree = synthetic_tree(5_000)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        sheet = glp039.rows(tree, repeat_header_after=2_000, continuation=False)
        lines = len(sheet)
        xlsx = glp039.write_xlsx(folder / "glp039.xlsx", sheet)
        csv = glp039.write_csv(folder / "glp039.csv", sheet)
        big = synthetic_tree(10_000)
        segments = write_csv(folder / "segments.csv", table(big, segments=True))
        known = {"076.01.CQ"}
        results = []
        for label, path, rows in (
            ("GLP039 .xlsx", xlsx, lines),
            ("GLP039 ';' CSV", csv, lines),
            ("segment form CSV", segments, sum(1 for _ in open(segments, encoding="utf-8-sig"))),
        ):
            export = read_export(path, known=known)
            assert not export.errors, export.errors[:3]
            results.append((label, rows, len(export.rows), best_of(lambda: read_export(path, known=known))))
    print(f"{'export':<20} {'rows':>7} {'placed':>7} {'read':>8}  target")
    for label, rows, placed, seconds in results:
        target = f"< {TARGET_SECONDS:.0f} s per 5,000 rows" if rows < 7_000 else "linear"
        print(f"{label:<20} {rows:>7,} {placed:>7,} {seconds * 1000:>6.0f} ms  {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
