"""Where a build's time goes: cProfile of the sample's DOCX and XLSX builds and of a synthetic
input, top functions by cumulative time (kpu_docs and the libraries under it).

    python benchmarks/profile_build.py              # sample DOCX, sample XLSX, 1,000-RO input
    python benchmarks/profile_build.py --ro 4000 --top 25

Profiling slows Python code down (by about 1.5-2x here), so read the shares, not the seconds;
the seconds are in bench.py.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for entry in (str(ROOT), str(HERE)):
    if entry not in sys.path:
        sys.path.insert(0, entry)

from kpu_docs.publish.build import prepare  # noqa: E402
from kpu_docs.render.docx.report_docx import render_docx  # noqa: E402
from kpu_docs.render.xlsx.annex import write_annex  # noqa: E402
from synthetic import write_input  # noqa: E402

SAMPLE = ROOT / "inputs" / "kpu-kota-serang" / "2023.yaml"


def profile(title: str, fn, repeat: int, top: int) -> None:
    fn()  # warm-up: imports, template caches
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        fn()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative")
    # skip this script's own frames; keep kpu_docs and library functions
    stats.print_stats(r"^(?!.*profile_build)", top + 3)
    text = re.sub(r"\S*/(site-packages|lib/python3\.\d+)/", "", out.getvalue()).replace(str(ROOT) + "/", "")
    print(
        f"\n=== {title} (x{repeat}, total {stats.total_tt:.3f} s, {stats.total_tt / repeat * 1000:.1f} ms per build) ==="
    )
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("ncalls"))
    shown = [
        line
        for line in lines[start + 1 :]
        if line.strip() and "{built-in method builtins.exec}" not in line and "<lambda>" not in line
    ]
    print(lines[start])
    print("\n".join(shown[:top]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ro", type=int, default=1000, help="ROs in the synthetic input (default 1000)")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kpu-docs-prof-") as tmp_name:
        tmp = Path(tmp_name)
        report, findings = prepare(SAMPLE)

        def sample_docx():
            r, _ = prepare(SAMPLE)
            render_docx(r, tmp / "sample.docx")

        profile("sample DOCX: load+derive+validate+render_docx", sample_docx, 5, args.top)
        profile("sample XLSX: write_annex", lambda: write_annex(report, tmp / "sample.xlsx"), 10, args.top)

        path = write_input(tmp, args.ro, f"Profil {args.ro}")

        def synthetic_build():
            r, f = prepare(path)
            render_docx(r, tmp / "synthetic.docx")
            write_annex(r, tmp / "synthetic.xlsx")

        profile(f"synthetic {args.ro:,} RO: DOCX + XLSX", synthetic_build, 1, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
