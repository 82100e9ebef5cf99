"""Terminal feedback for batches: a progress bar and the closing summary table."""

from __future__ import annotations

import sys

from kpu_docs.cli.terminal import safe_text
from kpu_docs.publish.build import Result


class Progress:
    """A one-line progress bar on stderr (only when it is a terminal)."""

    def __init__(self, total: int, enabled: bool = True):
        self.total, self.done = total, 0
        self.enabled = enabled and sys.stderr.isatty()

    def step(self, result: Result) -> None:
        self.done += 1
        if self.enabled:
            width = 30
            filled = width * self.done // self.total
            stream = getattr(sys.stderr, "raw", sys.stderr)  # past SafeText: the bar's own \r
            name = safe_text(result.input.name)[:30]
            stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {name:30}")
            stream.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def summary_table(results: list[Result]) -> str:
    """Office, year, status, time, findings: one row per input; the text ends with a newline."""
    rows = [("Kantor", "Tahun", "Status", "Waktu", "Temuan", "Keterangan")]
    for r in results:
        rows.append(
            (
                r.office or str(r.input),
                str(r.year or "-"),
                "ok" if r.ok else "GAGAL",
                f"{r.seconds:.2f} d",
                f"{r.n_errors} galat, {r.n_warnings} peringatan",
                "" if r.ok else r.reason,
            )
        )
    rows = [tuple(safe_text(cell) for cell in row) for row in rows]  # type: ignore[misc]  # same width, cleaned
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    failed = sum(not r.ok for r in results)
    lines.append(f"{len(results) - failed} berhasil, {failed} gagal")
    if any(r.ok for r in results):
        lines.append(
            "Hasil pemeriksaan otomatis setiap kantor: pemeriksaan-<tahun>-<satker>.xlsx di folder "
            "keluarannya (catatan internal, tidak dikirim)."
        )
    return "\n".join(lines) + "\n"
