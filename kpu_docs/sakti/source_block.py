"""The figures' source in the input: ``kode_satker`` and the ``sumber_data`` record, as text edits."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from kpu_docs.input.load import Document
from kpu_docs.input.yaml_nodes import compose_input, entry, line_end, line_start, required

from .export import Source
from .yaml_text import content_end, scalar


@dataclass(frozen=True)
class SourceRecord:
    """What ``sumber_data`` records: report, period, basis, satker, file name, SHA-256, import date."""

    source: Source
    file: str
    sha256: str
    imported: dt.date

    @classmethod
    def of(cls, path: Path, source: Source, today: dt.date | None = None) -> SourceRecord:
        digest = hashlib.sha256()
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 16), b""):
                digest.update(block)
        return cls(source, path.name, digest.hexdigest(), today or dt.date.today())

    def mapping(self) -> dict[str, object]:
        s = self.source
        items = {
            "sistem": "SAKTI",
            "laporan": s.report,
            "periode": s.period,
            "basis": s.basis,
            "satker": s.satker,
            "berkas": self.file,
            "sha256": self.sha256,
            "tanggal_impor": self.imported,
        }
        return {k: v for k, v in items.items() if v}


def source_edits(text: str, record: SourceRecord, document: Document) -> list[tuple[int, int, str]]:
    """Edits that write ``kode_satker`` (when missing) and replace or append ``sumber_data``.
    A record of the same file (same SHA-256) is left as it is."""
    root = compose_input(text)
    newline = "\r\n" if "\r\n" in text else "\n"
    edits = []
    data = document.data
    if record.source.satker and not data.satker_code:
        year_key = required(root, "tahun")[0]
        pos = line_start(text, year_key.start_mark.index)
        edits.append((pos, pos, f'kode_satker: "{record.source.satker}"{newline}{newline}'))
    old = data.data_source
    if old is not None and old.sha256 == record.sha256:
        return edits
    lines = ["sumber_data:  # diisi oleh kpu-docs import; jangan diubah dengan tangan"]
    lines += [
        f"  {key}: {scalar(value if not isinstance(value, dt.date) else value)}"
        for key, value in record.mapping().items()
    ]
    block = newline.join(lines) + newline
    found = entry(root, "sumber_data")
    if found is not None:
        start = line_start(text, found[0].start_mark.index)
        end = line_end(text, content_end(text, found[1]))
        edits.append((start, end, block))
    else:
        end = len(text)
        lead = "" if text.endswith("\n") else newline
        edits.append((end, end, lead + newline + block))
    return edits
