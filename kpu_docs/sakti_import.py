"""``kpu-docs import``: take pagu and realisasi from a SAKTI realisation export into an input.

The input is edited as text, at the positions the YAML parser reports: only the figures that
change are rewritten, in the style they were written in (``"1.000"`` stays quoted text), and
new nodes are inserted as new lines. Comments, key order, quoting and narratives therefore
survive byte for byte. The result must load before it replaces the input; the write is
atomic and the previous file is kept as ``<name>.bak``.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .derive import derive
from .diff import diff, summary
from .errors import InputError, KpuDocsError
from .formatting import amount
from .load import Document, clean_text, load, loads
from .model import child_key
from .sakti import LABELS, PROGRAM, RO, Export, Row, read_export

FIGURES = ("pagu", "realisasi")
_PREFIXES = {0: "program ", 1: "kegiatan "}  # the report adds these words itself


def run_import(export_path: str | Path, input_path: str | Path, *, dry_run: bool = False) -> int:
    """Update ``input_path`` from the export; print the changes as ``kpu-docs diff`` does."""
    export_path, input_path = Path(export_path), Path(input_path)
    original = _read_input(input_path)
    old = loads(original, input_path)
    export = read_export(export_path, known=frozenset(_codes(old)))
    plan = plan_import(original, old, export)
    new = _reload(plan, input_path)
    changes = diff(derive(old), derive(new))
    for change in changes:
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
    print(f"{export_path} → {input_path}: {summary(changes)}; {len(plan.warnings)} peringatan; {outcome}")
    return 0


def _read_input(path: Path) -> str:
    if not path.is_file():
        raise KpuDocsError(f"berkas masukan {path} tidak ditemukan: periksa nama dan foldernya")
    try:
        with path.open(encoding="utf-8", newline="") as f:  # keep the file's own line endings
            return f.read()
    except UnicodeDecodeError:
        raise KpuDocsError(f"berkas masukan {path} bukan teks UTF-8: simpan ulang sebagai UTF-8") from None


def _codes(document: Document) -> list[str]:
    stack, codes = list(document.data.programs), []
    while stack:
        node = stack.pop()
        codes.append(node.code)
        stack += node.children
    return codes


# --- the input as written -----------------------------------------------------------------


@dataclass
class _Node:
    """A budget node of the input: its values and where it is written."""

    code: str
    name: str
    depth: int
    mapping: yaml.MappingNode
    old: dict[str, int | None]
    children: list[_Node] = field(default_factory=list)

    @property
    def line(self) -> int:
        return self.mapping.start_mark.line + 1

    @property
    def child_key(self) -> str:
        return child_key(self.depth)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def _entry(mapping: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if isinstance(mapping, yaml.MappingNode):
        for k, v in mapping.value:
            if k.value == key:
                return k, v
    return None


def _tree(text: str, document: Document) -> tuple[list[_Node], yaml.SequenceNode]:
    """The validated model beside the composed YAML (pure-Python loader: marks count characters)."""
    root = yaml.compose(clean_text(text)[0], Loader=yaml.SafeLoader)  # same length: positions hold
    programs = _entry(root, "program")[1]

    def build(mapping: yaml.MappingNode, model, depth: int) -> _Node:
        node = _Node(model.code, model.name, depth, mapping, {f: getattr(model, f) for f in FIGURES})
        entry = _entry(mapping, node.child_key)
        if entry and isinstance(entry[1], yaml.SequenceNode):
            node.children = [build(m, c, depth + 1) for m, c in zip(entry[1].value, model.children)]
        return node

    return [build(m, p, 0) for m, p in zip(programs.value, document.data.programs)], programs


# --- what to change -------------------------------------------------------------------------


@dataclass
class Plan:
    """The updated text, and what it is meant to contain."""

    text: str
    targets: dict[str, dict[str, int]]  # code → figure → new value
    added: list[str]
    warnings: list[str]
    notes: list[str]


class _Planner:
    def __init__(self, text: str, document: Document, export: Export):
        self.text, self.document, self.export = text, document, export
        self.programs, self.program_seq = _tree(text, document)
        self.index = {n.code: n for p in self.programs for n in p.walk()}
        self.warnings = list(export.warnings)
        self.notes: list[str] = []
        self.targets: dict[str, dict[str, int]] = {}
        self.edits: list[tuple[int, int, str]] = []
        self.additions: dict[str | None, list[Row]] = {}
        self.added: list[str] = []
        self.newline = "\r\n" if "\r\n" in text else "\n"

    def plan(self) -> Plan:
        if not any(self.export.row(code) for code in self.index):
            raise KpuDocsError(
                f"tidak satu pun kode di {self.export.path} ada di masukan: "
                "periksa bahwa ekspor ini milik satker dan tahun anggaran yang sama"
            )
        self._check_year()
        self._find_additions()
        self._report_missing()
        for program in self.programs:
            self._update(program)
        self._insert_additions()
        return Plan(self._apply(), self.targets, self.added, self.warnings, self.notes)

    def _check_year(self) -> None:
        year, years = self.document.data.year, self.export.years
        if years and year not in years:
            shown = ", ".join(str(y) for y in sorted(years))
            self.warnings.append(
                f"judul ekspor menyebut tahun {shown}, sedangkan masukan untuk tahun {year}: pastikan ekspornya benar"
            )

    # -- nodes only in the export, nodes only in the input --

    def _find_additions(self) -> None:
        ignored, unplaced = 0, set()
        for row in self.export.rows:
            if row.code in self.index:
                continue
            top, anchor = self._anchor(row)
            if anchor is None and top.level != PROGRAM:
                if top.code not in unplaced:
                    unplaced.add(top.code)
                    self.warnings.append(
                        f"{top.code} (baris {top.line} ekspor) tidak dapat ditambahkan: induknya "
                        f"{top.parent or '(tidak diketahui)'} tidak ada di masukan maupun di ekspor"
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

    def _anchor(self, row: Row) -> tuple[Row, _Node | None]:
        """The topmost export row missing from the input above ``row``, and the input node above it."""
        top = row
        while top.parent is not None and top.parent not in self.index:
            above = self.export.row(top.parent)
            if above is None:
                return top, None
            top = above
        return top, self.index.get(top.parent) if top.parent else None

    @staticmethod
    def _accepts_children(node: _Node) -> bool:
        """Figures are written down to the input's leaves (RO, or deeper where it has rincian)."""
        return bool(node.children) or node.depth < RO

    def _report_missing(self) -> None:
        levels = self.export.levels
        for node in self.index.values():
            if self.export.row(node.code) is None and (not node.children or node.depth in levels):
                kept = "" if node.children else ": angkanya tidak diubah"
                self.warnings.append(f"{node.code} ({node.name}, baris {node.line} masukan) tidak ada di ekspor{kept}")

    # -- figures --

    def _update(self, node: _Node) -> tuple[dict[str, int], bool]:
        """Rewrite the node's figures; return its new derived figures and whether anything below changed."""
        row = self.export.row(node.code)
        added = self.additions.get(node.code, [])
        if not node.children and not added:
            new = {f: self._exported(row, f, node.old[f]) for f in FIGURES}
            self._rewrite(node, new)
            return {f: new[f] or 0 for f in FIGURES}, new != node.old
        sums, changed = dict.fromkeys(FIGURES, 0), bool(added)
        for child in node.children:
            figures, child_changed = self._update(child)
            changed |= child_changed
            for f in FIGURES:
                sums[f] += figures[f]
        for row_added in added:
            for f, value in self._figures(row_added).items():
                sums[f] += value
        stated = {f: self._exported(row, f, sums[f] if changed else node.old[f]) if node.old[f] is not None else None
                  for f in FIGURES}
        self._rewrite(node, stated)
        return sums, changed

    def _exported(self, row: Row | None, key: str, fallback: int | None) -> int | None:
        value = getattr(row, key) if row else None
        if row and value is None and key not in row.invalid:
            self.warnings.append(f"{row.subject}: kolom {LABELS[key]} kosong; {key} tidak diambil dari ekspor")
        elif value is not None and value < 0:
            self.warnings.append(
                f"{row.subject}: {key} negatif ({value}) tidak dapat dipakai; {key} tidak diambil dari ekspor"
            )
            value = None
        return fallback if value is None else value

    def _rewrite(self, node: _Node, new: dict[str, int | None]) -> None:
        for key in FIGURES:
            if new[key] is None or new[key] == node.old[key]:
                continue
            key_node, value = _entry(node.mapping, key)
            if value.start_mark.index < key_node.end_mark.index:  # an alias (*x) points at another place
                self.warnings.append(
                    f"{node.code}: {key} ditulis sebagai alias YAML; ubah sendiri menjadi {amount(new[key])}"
                )
                continue
            start, end = value.start_mark.index, value.end_mark.index
            start += re.match(r"(?:[&!]\S*\s+)*", self.text[start:end]).end()  # keep an anchor or tag
            self.edits.append((start, end, _written(value, new[key])))
            self.targets.setdefault(node.code, {})[key] = new[key]

    def _figures(self, row: Row) -> dict[str, int]:
        kids = self._new_children(row)
        if kids:
            sums = dict.fromkeys(FIGURES, 0)
            for kid in kids:
                for f, value in self._figures(kid).items():
                    sums[f] += value
            return sums
        return {f: max(getattr(row, f) or 0, 0) for f in FIGURES}

    def _new_children(self, row: Row) -> list[Row]:
        return [c for c in self.export.children(row.code) if c.level <= RO] if row.level < RO else []

    # -- new nodes --

    def _insert_additions(self) -> None:
        offset = self._sequence_offset()
        for anchor_code, rows in self.additions.items():
            if anchor_code is None:
                self._insert(self.programs, self.program_seq, None, rows, offset)
            else:
                node = self.index[anchor_code]
                entry = _entry(node.mapping, node.child_key)
                self._insert(node.children, entry[1] if entry else None, node, rows, offset)

    def _insert(
        self, siblings: list[_Node], seq: yaml.Node | None, parent: _Node | None, rows: list[Row], offset: int
    ) -> None:
        rows = sorted(rows, key=lambda r: r.code)
        if not siblings:
            self._insert_new_list(parent, seq, rows, offset)
            return
        dash, gap = _dash(self.text, siblings[0].mapping)
        separated = any(_blank_before(self.text, _leading_start(self.text, s.mapping)) for s in siblings[1:])
        groups: dict[int, list[Row]] = {}
        for row in rows:
            at = next((i for i, s in enumerate(siblings) if s.code > row.code), len(siblings))
            groups.setdefault(at, []).append(row)
        for at, group in groups.items():
            block = self._block(group, dash, gap, offset, separated)
            if at < len(siblings):
                pos = _leading_start(self.text, siblings[at].mapping)
                self.edits.append((pos, pos, block + (self.newline if separated else "")))
            else:
                pos = _line_end(self.text, _content_end(self.text, siblings[-1].mapping))
                lead = self.newline if pos == len(self.text) and not self.text.endswith("\n") else ""
                self.edits.append((pos, pos, lead + (self.newline if separated else "") + block))

    def _insert_new_list(self, parent: _Node, seq: yaml.Node | None, rows: list[Row], offset: int) -> None:
        """A parent without children yet: write its list key (or fill its ``[]``)."""
        key_col = parent.mapping.start_mark.column
        if seq is not None:  # `key: []`: drop the brackets, write the items below
            self.edits.append((seq.start_mark.index, seq.end_mark.index, ""))
            pos, head = _line_end(self.text, seq.end_mark.index), ""
        else:
            pos = _line_end(self.text, _content_end(self.text, parent.mapping))
            head = " " * key_col + f"{parent.child_key}:" + self.newline
        lead = self.newline if pos == len(self.text) and not self.text.endswith("\n") else ""
        self.edits.append((pos, pos, lead + head + self._block(rows, key_col + offset, 2, offset, False)))

    def _block(self, rows: list[Row], dash: int, gap: int, offset: int, separated: bool) -> str:
        items = []
        for row in rows:
            has_ro = any(r.level == RO for r in self._subtree(row))
            note = ": narasi belum diisi" if has_ro else ""
            lines = [" " * dash + f"# Ditambahkan dari ekspor SAKTI {self.export.path.name} (baris {row.line}){note}."]
            lines += _render(self._item(row), dash, gap, offset)
            items.append(self.newline.join(lines) + self.newline)
        return (self.newline if separated else "").join(items)

    def _subtree(self, row: Row) -> list[Row]:
        return [row, *(r for kid in self._new_children(row) for r in self._subtree(kid))]

    def _item(self, row: Row) -> dict:
        self.added.append(row.code)
        item: dict = {"kode": row.code, "nama": self._name(row)}
        kids = self._new_children(row)
        for key in FIGURES:
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
            name = name[len(prefix):].strip()
        if not name:
            self.warnings.append(f"{row.subject}: Uraian kosong; isi nama {row.code} di masukan")
            name = f"(uraian {row.code} kosong di ekspor)"
        return name

    def _sequence_offset(self) -> int:
        """How far this file indents a list under its key (``output:`` / ``  - kode:``)."""
        for node in self.index.values():
            if node.children:
                key_node = _entry(node.mapping, node.child_key)[0]
                return max(0, _dash(self.text, node.children[0].mapping)[0] - key_node.start_mark.column)
        return 2

    def _apply(self) -> str:
        text = self.text
        for start, end, new in sorted(self.edits, key=lambda e: (e[0], e[1]), reverse=True):
            text = text[:start] + new + text[end:]
        return text


def plan_import(text: str, document: Document, export: Export) -> Plan:
    """The input's text with the export's figures and nodes; nothing is written."""
    return _Planner(text, document, export).plan()


# --- YAML text helpers -----------------------------------------------------------------------


def _written(value: yaml.ScalarNode, new: int) -> str:
    """``new`` in the style the old value was written in."""
    rp = "Rp" if value.value.strip().lower().startswith("rp") else ""
    if value.style in ('"', "'"):
        return f"{value.style}{rp}{amount(new)}{value.style}"
    if value.tag.endswith(":int"):
        return str(new)
    return f"Rp{amount(new)}" if rp and value.style is None else f'"{amount(new)}"'


def _scalar(value) -> str:
    if isinstance(value, int):
        return str(value)
    dumped = yaml.safe_dump({"k": value}, allow_unicode=True, width=1 << 20, default_flow_style=False)
    return dumped[3:].rstrip("\n")


def _render(item: dict, dash: int, gap: int, offset: int) -> list[str]:
    """A mapping as a block-sequence item, in the file's indentation."""
    lines = []
    for i, (key, value) in enumerate(item.items()):
        prefix = (" " * dash + "-" + " " * (gap - 1)) if i == 0 else " " * (dash + gap)
        if isinstance(value, list) and value:
            lines.append(f"{prefix}{key}:")
            for child in value:
                lines += _render(child, dash + gap + offset, gap, offset)
        elif isinstance(value, list):
            lines.append(f"{prefix}{key}: []")
        else:
            lines.append(f"{prefix}{key}: {_scalar(value)}")
    return lines


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


def _dash(text: str, mapping: yaml.MappingNode) -> tuple[int, int]:
    """Column of an item's ``-`` and the distance from it to the item's keys."""
    start = _line_start(text, mapping.start_mark.index)
    prefix = text[start:mapping.start_mark.index]
    if prefix.strip() == "-":
        dash = prefix.index("-")
        return dash, len(prefix) - dash
    return max(0, mapping.start_mark.column - 2), 2


def _leading_start(text: str, mapping: yaml.MappingNode) -> int:
    """Start of an item's line, above the comment lines that introduce it."""
    pos = _line_start(text, mapping.start_mark.index)
    while pos > 0:
        above = _line_start(text, pos - 1)
        if not text[above:pos].strip().startswith("#"):
            break
        pos = above
    return pos


def _blank_before(text: str, pos: int) -> bool:
    return pos > 0 and text[_line_start(text, pos - 1):pos].strip() == ""


def _content_end(text: str, node: yaml.Node) -> int:
    """End of the last character a block collection really contains (not its trailing comments)."""
    end = 0
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
        if isinstance(node, yaml.MappingNode):
            key, node = node.value[-1]
            end = max(end, key.end_mark.index)
        else:
            node = node.value[-1]
    end = max(end, node.end_mark.index)
    while end > 0 and text[end - 1] in " \t\r\n":
        end -= 1
    return end


# --- checking and writing ------------------------------------------------------------------


def _reload(plan: Plan, path: Path) -> Document:
    """The updated text must load and say what the plan meant; otherwise nothing is written."""
    try:
        document = loads(plan.text, path)
    except InputError as exc:
        raise KpuDocsError(
            f"hasil impor ke {path} tidak dapat dibaca kembali (berkas tidak diubah):\n"
            + "\n".join(str(p) for p in exc.problems)
        ) from None
    nodes = {}
    stack = list(document.data.programs)
    while stack:
        node = stack.pop()
        nodes[node.code] = node
        stack += node.children
    wrong = [code for code, figures in plan.targets.items()
             if code not in nodes or any(getattr(nodes[code], k) != v for k, v in figures.items())]
    wrong += [code for code in plan.added if code not in nodes]
    if wrong:
        raise KpuDocsError(
            f"penyuntingan {path} tidak menghasilkan angka yang dimaksud ({', '.join(wrong)}); berkas tidak diubah"
        )
    return document


def write_atomic(path: Path, text: str, expected: str) -> Path:
    """Replace ``path`` by ``text`` atomically, keeping the previous file as ``<name>.bak``.

    ``expected`` is the content the edit was made from: if the file changed meanwhile, refuse."""
    backup = path.with_name(path.name + ".bak")
    tmp = _write_temp(path, lambda f: f.write(text))
    try:
        shutil.copymode(path, tmp)
        try:
            load(tmp)
        except InputError as exc:
            raise KpuDocsError(f"hasil impor tidak dapat dibaca kembali; {path} tidak diubah: {exc}") from None
        if _read_input(path) != expected:
            raise KpuDocsError(f"{path} berubah selama impor; tidak ditulis. Jalankan impor sekali lagi")
        saved = _write_temp(path, lambda f: f.write(expected))
        shutil.copymode(path, saved)
        os.replace(saved, backup)
        os.replace(tmp, path)
        _sync_folder(path.parent)
    finally:
        tmp.unlink(missing_ok=True)
    return backup


def _write_temp(path: Path, write) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
