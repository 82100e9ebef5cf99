"""Nodes that are only in the export: which may be added (level and parent certain, the input
keeps that depth), and their insertion as new YAML lines in the file's own indentation."""

from __future__ import annotations

import bisect

import yaml

from kpu_docs.formatting import amount
from kpu_docs.input.yaml_nodes import entry as yaml_entry
from kpu_docs.input.yaml_nodes import line_end, required
from kpu_docs.vocabulary import child_key

from .export import PROGRAM, RO, Export, Row
from .yaml_text import InputNode, blank_before, content_end, leading_start, render
from .yaml_text import dash as item_dash

_PREFIXES = {0: "program ", 1: "kegiatan "}  # the report adds these words itself


class Additions:
    """Collects the export rows to add under input nodes, then writes them as edits."""

    def __init__(
        self,
        text: str,
        export: Export,
        programs: list[InputNode],
        program_seq,
        index: dict[str, InputNode],
        keys: tuple[str, ...],
        edits: list[tuple[int, int, str]],
        warnings: list[str],
        notes: list[str],
    ):
        self.text, self.export, self.programs, self.program_seq = text, export, programs, program_seq
        self.index, self.keys, self.edits, self.warnings, self.notes = index, keys, edits, warnings, notes
        self.additions: dict[str | None, list[Row]] = {}
        self.added: list[str] = []
        self.unplaced: list[str] = []
        self.newline = "\r\n" if "\r\n" in text else "\n"

    def find(self) -> None:
        ignored, unplaced = 0, set()
        for row in self.export.rows:
            if row.code in self.index:
                continue
            top, anchor = self._anchor(row)
            if anchor is None and top.level != PROGRAM:
                if top.code not in unplaced:
                    unplaced.add(top.code)
                    figures = ", ".join(f"{k} {amount(getattr(top, k) or 0)}" for k in self.keys)
                    self.unplaced.append(
                        f"{top.code} (baris {top.line} ekspor; {figures}) tidak dapat ditempatkan: induknya "
                        f"{top.parent or '(tidak diketahui)'} tidak ada di masukan maupun di ekspor "
                        "(dihapus oleh revisi DIPA?)"
                    )
            elif anchor is not None and not self._accepts_children(anchor):
                ignored += 1
            elif row is top:
                self.additions.setdefault(anchor.code if anchor else None, []).append(row)
            elif row.level > RO:
                ignored += 1
        if ignored:
            self.notes.append(
                f"{ignored} baris ekspor di bawah tingkat terbawah masukan (mis. komponen/akun) tidak ditulis; "
                "baris itu hanya dipakai untuk pemeriksaan jumlah"
            )

    def _anchor(self, row: Row) -> tuple[Row, InputNode | None]:
        """The topmost export row missing from the input above ``row``, and the input node above it."""
        top = row
        while top.parent is not None and top.parent not in self.index:
            above = self.export.row(top.parent)
            if above is None:
                return top, None
            top = above
        return top, self.index.get(top.parent) if top.parent else None

    @staticmethod
    def _accepts_children(node: InputNode) -> bool:
        """Figures are written down to the input's leaves (RO, or deeper where it has rincian)."""
        return bool(node.children) or node.depth < RO

    def figures(self, row: Row) -> dict[str, int]:
        kids = self._new_children(row)
        if kids:
            sums = dict.fromkeys(self.keys, 0)
            for kid in kids:
                for f, value in self.figures(kid).items():
                    sums[f] += value
            return sums
        return {f: max(getattr(row, f) or 0, 0) for f in self.keys}

    def _new_children(self, row: Row) -> list[Row]:
        return [c for c in self.export.children(row.code) if c.level <= RO] if row.level < RO else []

    # -- new nodes --

    def insert(self) -> None:
        offset = self._sequence_offset()
        for anchor_code, rows in self.additions.items():
            if anchor_code is None:
                self._insert(self.programs, self.program_seq, None, rows, offset)
            else:
                node = self.index[anchor_code]
                entry = yaml_entry(node.mapping, node.child_key)
                self._insert(node.children, entry[1] if entry else None, node, rows, offset)

    def _insert(
        self, siblings: list[InputNode], seq: yaml.Node | None, parent: InputNode | None, rows: list[Row], offset: int
    ) -> None:
        rows = sorted(rows, key=lambda r: r.code)
        if not siblings:
            assert parent is not None  # an input has programs: only a node can lack children
            self._insert_new_list(parent, seq, rows, offset)
            return
        dash, gap = item_dash(self.text, siblings[0].mapping)
        separated = any(blank_before(self.text, leading_start(self.text, s.mapping)) for s in siblings[1:])
        running, highest = [], ""
        for sibling in siblings:  # the first sibling above a code is the first where this maximum is
            highest = max(highest, sibling.code)
            running.append(highest)
        groups: dict[int, list[Row]] = {}
        for row in rows:
            groups.setdefault(bisect.bisect_right(running, row.code), []).append(row)
        for at, group in groups.items():
            block = self._block(group, dash, gap, offset, separated)
            if at < len(siblings):
                pos = leading_start(self.text, siblings[at].mapping)
                self.edits.append((pos, pos, block + (self.newline if separated else "")))
            else:
                pos = line_end(self.text, content_end(self.text, siblings[-1].mapping))
                lead = self.newline if pos == len(self.text) and not self.text.endswith("\n") else ""
                self.edits.append((pos, pos, lead + (self.newline if separated else "") + block))

    def _insert_new_list(self, parent: InputNode, seq: yaml.Node | None, rows: list[Row], offset: int) -> None:
        """A parent without children yet: write its list key (or fill its ``[]``)."""
        key_col = parent.mapping.start_mark.column
        if seq is not None:  # `key: []`: drop the brackets, write the items below
            self.edits.append((seq.start_mark.index, seq.end_mark.index, ""))
            pos, head = line_end(self.text, seq.end_mark.index), ""
        else:
            pos = line_end(self.text, content_end(self.text, parent.mapping))
            head = " " * key_col + f"{parent.child_key}:" + self.newline
        lead = self.newline if pos == len(self.text) and not self.text.endswith("\n") else ""
        self.edits.append((pos, pos, lead + head + self._block(rows, key_col + offset, 2, offset, False)))

    def _block(self, rows: list[Row], dash: int, gap: int, offset: int, separated: bool) -> str:
        items = []
        for row in rows:
            has_ro = any(r.level == RO for r in self._subtree(row))
            note = ": narasi belum diisi" if has_ro else ""
            lines = [" " * dash + f"# Ditambahkan dari ekspor SAKTI {self.export.path.name} (baris {row.line}){note}."]
            lines += render(self._item(row), dash, gap, offset)
            items.append(self.newline.join(lines) + self.newline)
        return (self.newline if separated else "").join(items)

    def _subtree(self, row: Row) -> list[Row]:
        return [row, *(r for kid in self._new_children(row) for r in self._subtree(kid))]

    def _item(self, row: Row) -> dict:
        self.added.append(row.code)
        item: dict = {"kode": row.code, "nama": self._name(row)}
        kids = self._new_children(row)
        for key in self.keys:
            value = getattr(row, key)
            if value is not None and value >= 0:
                item[key] = value
            elif not kids:
                self.warnings.append(f"{row.subject}: {key} kosong atau tidak sah; ditulis 0 pada {row.code} yang baru")
                item[key] = 0
        if kids:
            item[child_key(row.level)] = [self._item(k) for k in kids]
        elif row.level == RO:
            item["narasi"] = []
            self.warnings.append(
                f"{row.code} ({item['nama']}) ditambahkan dari ekspor (baris {row.line}): narasi kosong, "
                "tulis narasinya sebelum membuat laporan"
            )
        return item

    def _name(self, row: Row) -> str:
        name = row.name.strip()
        prefix = _PREFIXES.get(row.level)
        if prefix and name.lower().startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix) :].strip()
        if not name:
            self.warnings.append(f"{row.subject}: Uraian kosong; isi nama {row.code} di masukan")
            name = f"(uraian {row.code} kosong di ekspor)"
        return name

    def _sequence_offset(self) -> int:
        """How far this file indents a list under its key (``output:`` / ``  - kode:``)."""
        for node in self.index.values():
            if node.children:
                key_node = required(node.mapping, node.child_key)[0]
                return max(0, item_dash(self.text, node.children[0].mapping)[0] - key_node.start_mark.column)
        return 2
