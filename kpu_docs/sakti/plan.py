"""What an import changes in the input's text: figures, new nodes and the figures' source.

Nothing is written here. Figures are rewritten at their own characters, in the style they
were written in (``"1.000"`` stays quoted text); a parent's stated figures follow its
children. Input nodes the export lacks and export rows that cannot be placed are collected:
the importer refuses when they make the totals differ from the export's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from kpu_docs.errors import ImportRefused
from kpu_docs.formatting import amount
from kpu_docs.input.load import Document
from kpu_docs.input.yaml_nodes import required, value_start

from .additions import Additions
from .export import LABELS, Export, Row
from .source_block import SourceRecord, source_edits
from .yaml_text import InputNode, input_tree, written


@dataclass
class Plan:
    """The updated text, and what it is meant to contain."""

    text: str
    targets: dict[str, dict[str, int]]  # code → figure → new value
    added: list[str]
    warnings: list[str]
    notes: list[str]
    missing: list[str] = field(default_factory=list)  # input nodes the export lacks (their figures kept)
    unplaced: list[str] = field(default_factory=list)  # export rows with no place in the input


class Planner:
    def __init__(self, text: str, document: Document, export: Export, record: SourceRecord | None):
        self.text, self.document, self.export, self.record = text, document, export, record
        self.keys = ("pagu",) if export.pagu_only else ("pagu", "realisasi")
        self.programs, self.program_seq = input_tree(text, document)
        self.index = {n.code: n for p in self.programs for n in p.walk()}
        self.warnings = list(export.warnings)
        self.notes: list[str] = list(export.notes)
        self.targets: dict[str, dict[str, int]] = {}
        self.edits: list[tuple[int, int, str]] = []
        self.missing: list[str] = []
        self.new = Additions(
            text, export, self.programs, self.program_seq, self.index, self.keys, self.edits, self.warnings, self.notes
        )

    def plan(self) -> Plan:
        if not any(self.export.row(code) for code in self.index):
            raise ImportRefused(
                f"tidak satu pun kode di {self.export.path} ada di masukan: "
                "periksa bahwa ekspor ini milik satker dan tahun anggaran yang sama"
            )
        self._check_year()
        self.new.find()
        self._report_missing()
        for program in self.programs:
            self._update(program)
        self.new.insert()
        if self.record is not None:
            self.edits += source_edits(self.text, self.record, self.document)
        return Plan(
            self._apply(), self.targets, self.new.added, self.warnings, self.notes, self.missing, self.new.unplaced
        )

    def _check_year(self) -> None:
        year, years = self.document.data.year, self.export.years
        if years and year not in years:
            shown = ", ".join(str(y) for y in sorted(years))
            self.warnings.append(
                f"judul ekspor menyebut tahun {shown}, sedangkan masukan untuk tahun {year}: pastikan ekspornya benar"
            )

    def _report_missing(self) -> None:
        levels = self.export.levels
        for node in self.index.values():
            if self.export.row(node.code) is None and (not node.children or node.depth in levels):
                if node.children:
                    self.warnings.append(f"{node.code} ({node.name}, baris {node.line} masukan) tidak ada di ekspor")
                    continue
                figures = ", ".join(f"{k} {amount(node.old[k] or 0)}" for k in self.keys)
                self.missing.append(f"{node.code} ({node.name}, baris {node.line} masukan; {figures})")

    # -- figures --

    def _update(self, node: InputNode) -> tuple[dict[str, int], bool]:
        """Rewrite the node's figures; return its new derived figures and whether anything below changed."""
        row = self.export.row(node.code)
        added = self.new.additions.get(node.code, [])
        if not node.children and not added:
            new = {f: self._exported(row, f, node.old[f]) for f in self.keys}
            self._rewrite(node, new)
            return {f: new[f] or 0 for f in self.keys}, any(new[f] != node.old[f] for f in self.keys)
        sums, changed = dict.fromkeys(self.keys, 0), bool(added)
        for child in node.children:
            figures, child_changed = self._update(child)
            changed |= child_changed
            for f in self.keys:
                sums[f] += figures[f]
        for row_added in added:
            for f, value in self.new.figures(row_added).items():
                sums[f] += value
        stated = {
            f: self._exported(row, f, sums[f] if changed else node.old[f]) if node.old[f] is not None else None
            for f in self.keys
        }
        self._rewrite(node, stated)
        return sums, changed

    def _exported(self, row: Row | None, key: str, fallback: int | None) -> int | None:
        if row is None:
            return fallback
        value = getattr(row, key)
        if value is None:
            self.warnings.append(f"{row.subject}: kolom {LABELS[key]} kosong; {key} tidak diambil dari ekspor")
        elif value is not None and value < 0:
            self.warnings.append(
                f"{row.subject}: {key} negatif ({value}) tidak dapat dipakai; {key} tidak diambil dari ekspor"
            )
            value = None
        return fallback if value is None else value

    def _rewrite(self, node: InputNode, new: dict[str, int | None]) -> None:
        for key in self.keys:
            figure = new[key]
            if figure is None or figure == node.old[key]:
                continue
            key_node, value = required(node.mapping, key)  # a figure that changes is written there
            assert isinstance(value, yaml.ScalarNode)  # a figure in an input that loaded
            if value.start_mark.index < key_node.end_mark.index:  # an alias (*x) points at another place
                self.warnings.append(
                    f"{node.code}: {key} ditulis sebagai alias YAML; ubah sendiri menjadi {amount(figure)}"
                )
                continue
            start, end = value_start(self.text, value), value.end_mark.index  # an anchor or tag kept
            self.edits.append((start, end, written(value, figure)))
            self.targets.setdefault(node.code, {})[key] = figure

    def _apply(self) -> str:
        parts, last = [], len(self.text)
        for start, end, new in sorted(self.edits, key=lambda e: (e[0], e[1]), reverse=True):
            parts.append(self.text[end:last])
            parts.append(new)
            last = start
        parts.append(self.text[:last])
        return "".join(reversed(parts))


def plan_import(text: str, document: Document, export: Export, record: SourceRecord | None = None) -> Plan:
    """The input's text with the export's figures, nodes and source record; nothing is written."""
    return Planner(text, document, export, record).plan()
