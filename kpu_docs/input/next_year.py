"""Start next year's input from this year's: structure, organisation and metadata carried
over; figures and narratives emptied for the office to fill in.

The new file is last year's text with only those values edited in place, found by their
exact position (PyYAML marks), like ``kpu-docs import`` does. Every other byte is kept: comments,
quoting, key order, indentation and line breaks of long values. Comments *inside* an emptied
narrative list go with the paragraphs they described; comments after it stay.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from kpu_docs.errors import OutputError, UsageError
from kpu_docs.input.atomic import write_file
from kpu_docs.input.load import load, loads
from kpu_docs.input.yaml_nodes import compose_input
from kpu_docs.input.yaml_nodes import entry as _item
from kpu_docs.input.yaml_nodes import required as _must
from kpu_docs.vocabulary import CHILD_KEYS, NARRATIVES

NARRATIVE_KEYS = tuple(s.key for s in NARRATIVES if s.emptied_next_year)
FIGURE_KEYS = ("pagu", "realisasi", "blokir")
LETTER_NOTE = "periksa tanggal dan nomor surat untuk tahun baru"
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def start_next_year(previous: Path, year: int, out: Path | None = None) -> Path:
    """Write the new input and return its path; refuse to overwrite an existing file.

    Raises InputError when ``previous`` does not load, OutputError when the target exists."""
    load(previous)  # refuse to start from an input that does not load
    target = out or previous.parent / f"{year}.yaml"
    if target.exists():
        raise OutputError(f"{target} sudah ada: kpu-docs tidak menimpa masukan. Hapus atau pilih --out lain.")
    raw = previous.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:  # load accepted it as Windows-1252, with a notice; written back as UTF-8
        text = raw.decode("cp1252")
    text = next_year_text(text, year)  # line ends kept as written
    loads(text, target)  # the result must load before it is written
    _write_new(target, text)
    return target


def next_year_text(text: str, year: int) -> str:
    """Last year's input text → next year's: ``tahun`` set, the report's dates moved by the same
    number of years, narratives, RO narratives, kendala and added sections' paragraphs emptied
    (``[]``), leaf pagu/realisasi/blokir set to 0 in the DIPA and each grant, figures stated on
    parents removed, indicators' realisasi moved to ``realisasi_tahun_lalu`` (where written) and
    set to 0; ``sumber_data`` removed. ``text`` must be an input that loads."""
    root = compose_input(text)
    edits = _Edits(text)
    _, tahun = _must(root, "tahun")
    shift = year - int(tahun.value)
    edits.replace(tahun, str(year))
    report = _must(root, "laporan")[1]
    letter_key, _ = _must(report, "surat_permintaan")
    _shift_dates(report, shift, edits)
    edits.note(letter_key, LETTER_NOTE)
    narratives = _must(root, "narasi")[1]
    for key in NARRATIVE_KEYS:
        found = _item(narratives, key)
        if found:
            edits.empty(*found)
    source = _item(root, "sumber_data")  # where last year's figures came from (kpu-docs import)
    if source:
        edits.remove(root, *source)
    for program in _must(root, "program")[1].value:
        _empty_figures(program, edits)
    grants = _item(root, "hibah")
    for grant in grants[1].value if grants else ():
        for program in _must(grant, "program")[1].value:
            _empty_figures(program, edits)
    _next_indicators(root, edits)
    sections = _item(root, "bab_tambahan")
    for section in sections[1].value if sections else ():
        subsections = _item(section, "subbab")
        for body in [section, *(subsections[1].value if subsections else ())]:
            found = _item(body, "paragraf")
            if found:
                edits.empty(*found)
    return edits.apply()


def _next_indicators(root: yaml.Node, edits: _Edits) -> None:
    """This year's realisasi becomes last year's (where the key is written); realisasi set to 0."""
    goals = _item(root, "indikator_kinerja")
    for goal in goals[1].value if goals else ():
        for indicator in _must(goal, "indikator")[1].value:
            _, actual = _must(indicator, "realisasi")
            previous = _item(indicator, "realisasi_tahun_lalu")
            if previous:  # as written, quotes included ("71,8" must stay quoted in a flow mapping)
                edits.replace(previous[1], edits.text[actual.start_mark.index : actual.end_mark.index])
            edits.replace(actual, "0")


def _shift_dates(node: yaml.Node, years: int, edits: _Edits) -> None:
    for _, value in node.value if isinstance(node, yaml.MappingNode) else ():
        if isinstance(value, yaml.MappingNode):
            _shift_dates(value, years, edits)
        elif isinstance(value, yaml.ScalarNode) and (date := _DATE.match(value.value)):
            y, m, d = map(int, date.groups())
            if not dt.MINYEAR <= y + years <= dt.MAXYEAR:
                raise UsageError(
                    f"baris {value.start_mark.line + 1}: tanggal {value.value} tidak dapat dipindah "
                    f"{years} tahun; perbaiki tanggalnya (mis. {2000 + years + 24}-01-31)"
                )
            try:
                moved = dt.date(y + years, m, d)
            except ValueError:  # 29 February
                moved = dt.date(y + years, m, 28)
            edits.replace(value, moved.isoformat(), inner=True)


def _empty_figures(node: yaml.Node, edits: _Edits) -> None:
    children = [c for key in CHILD_KEYS if (found := _item(node, key)) for c in found[1].value]
    for key in FIGURE_KEYS:
        found = _item(node, key)
        if found and children:
            edits.remove(node, *found)  # stated parent figures would be last year's
        elif found:
            edits.replace(found[1], "0")
    for child in children:
        _empty_figures(child, edits)
    for key in ("narasi", "kendala"):  # last year's text, and last year's obstacles
        found = _item(node, key)
        if found:
            edits.empty(*found)


class _Edits:
    """Replacements of character ranges of ``text``, applied from the end."""

    def __init__(self, text: str):
        self.text = text
        self._edits: list[tuple[int, int, str]] = []

    def _add(self, start: int, end: int, new: str) -> None:
        self._edits.append((start, end, new))

    def replace(self, value: yaml.Node, new: str, inner: bool = False) -> None:
        """Replace a scalar; ``inner``: only its characters, keeping any quotes around them."""
        start, end = value.start_mark.index, value.end_mark.index
        if inner:
            written = self.text[start:end]
            offset = written.find(value.value)
            start, end = start + offset, start + offset + len(value.value)
        self._add(start, end, new)

    def empty(self, key: yaml.Node, value: yaml.Node) -> None:
        """``key: [...]`` → ``key: []``; blank lines and comments after the list stay."""
        assert isinstance(value, yaml.CollectionNode), "a list in an input that loaded"
        start, end = value.start_mark.index, value.end_mark.index
        if not value.flow_style:  # a block list's range runs on to the next token
            column = key.start_mark.column
            lines = self.text[start:end].split("\n")
            while len(lines) > 1 and (
                not lines[-1].strip() or (lines[-1].lstrip().startswith("#") and _indent(lines[-1]) <= column)
            ):
                lines.pop()
            end = start + len("\n".join(lines).rstrip())
        before = self.text[key.end_mark.index : start]
        if before.strip() == ":":  # nothing but the colon and line breaks: write the [] after it
            self._add(key.end_mark.index, end, ": []")
        else:
            self._add(start, end, "[]")

    def remove(self, mapping: yaml.Node, key: yaml.Node, value: yaml.Node) -> None:
        """Remove ``key: value`` from a mapping: its whole line(s) in block style."""
        assert isinstance(mapping, yaml.MappingNode), "only a mapping has keys"
        line_start = self.text.rfind("\n", 0, key.start_mark.index) + 1
        if value.end_mark.column == 0:  # a block collection ends where the next line begins
            line_end = value.end_mark.index
        else:
            line_end = self.text.find("\n", value.end_mark.index)
            line_end = len(self.text) if line_end < 0 else line_end + 1
        if not mapping.flow_style and not self.text[line_start : key.start_mark.index].strip():
            self._add(line_start, line_end, "")
            return
        keys = [k for k, _ in mapping.value]
        i = keys.index(key)
        if i + 1 < len(keys):  # `- pagu: 1` or `{pagu: 1, realisasi: 2}`: up to the next key
            self._add(key.start_mark.index, keys[i + 1].start_mark.index, "")
        else:
            self._add(mapping.value[i - 1][1].end_mark.index, value.end_mark.index, "")

    def note(self, key: yaml.Node, comment: str) -> None:
        """A comment at the end of ``key``'s line, unless that line already has one."""
        line_end = self.text.find("\n", key.end_mark.index)
        line_end = len(self.text) if line_end < 0 else line_end
        if "#" not in self.text[key.end_mark.index : line_end]:
            at = len(self.text[:line_end].rstrip())
            self._add(at, at, f"  # {comment}")

    def apply(self) -> str:
        text = self.text
        previous_start = len(text) + 1
        for start, end, new in sorted(self._edits, reverse=True):
            if end > previous_start:
                raise AssertionError(f"overlapping edits at {start}")  # a bug, not an input problem
            text = text[:start] + new + text[end:]
            previous_start = start
        return text


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _write_new(target: Path, text: str) -> None:
    """Create ``target`` atomically, failing if it appeared meanwhile."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_file(target, text, create_only=True)  # never overwrite
    except FileExistsError:
        raise OutputError(f"{target} sudah ada: kpu-docs tidak menimpa masukan.") from None
