"""The input as written: its budget nodes beside the composed YAML, and helpers that edit the
text at the positions the parser reports, so comments, quoting and key order survive."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from kpu_docs.formatting import amount
from kpu_docs.input.load import Document
from kpu_docs.input.yaml_nodes import compose_input, entry, line_start, required
from kpu_docs.vocabulary import child_key

FIGURES = ("pagu", "realisasi")


@dataclass
class InputNode:
    """A budget node of the input: its values and where it is written."""

    code: str
    name: str
    depth: int
    mapping: yaml.MappingNode
    old: dict[str, int | None]
    children: list[InputNode] = field(default_factory=list)

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


def input_tree(text: str, document: Document) -> tuple[list[InputNode], yaml.SequenceNode]:
    """The validated model beside the composed YAML (pure-Python loader: marks count characters)."""
    root = compose_input(text)
    programs = required(root, "program")[1]
    assert isinstance(programs, yaml.SequenceNode), "the programs of an input that loaded are a list"

    def build(mapping: yaml.MappingNode, model, depth: int) -> InputNode:
        node = InputNode(model.code, model.name, depth, mapping, {f: getattr(model, f) for f in FIGURES})
        found = entry(mapping, node.child_key)
        if found and isinstance(found[1], yaml.SequenceNode):
            node.children = [build(m, c, depth + 1) for m, c in zip(found[1].value, model.children)]
        return node

    return [build(m, p, 0) for m, p in zip(programs.value, document.data.programs)], programs


# --- YAML text helpers -----------------------------------------------------------------------


def written(value: yaml.ScalarNode, new: int) -> str:
    """``new`` in the style the old value was written in."""
    rp = "Rp" if value.value.strip().lower().startswith("rp") else ""
    if value.style in ('"', "'"):
        return f"{value.style}{rp}{amount(new)}{value.style}"
    if value.tag.endswith(":int"):
        return str(new)
    return f"Rp{amount(new)}" if rp and value.style is None else f'"{amount(new)}"'


def scalar(value) -> str:
    if isinstance(value, int):
        return str(value)
    dumped = yaml.safe_dump({"k": value}, allow_unicode=True, width=1 << 20, default_flow_style=False)
    return dumped[3:].rstrip("\n")


def render(item: dict, dash: int, gap: int, offset: int) -> list[str]:
    """A mapping as a block-sequence item, in the file's indentation."""
    lines = []
    for i, (key, value) in enumerate(item.items()):
        prefix = (" " * dash + "-" + " " * (gap - 1)) if i == 0 else " " * (dash + gap)
        if isinstance(value, list) and value:
            lines.append(f"{prefix}{key}:")
            for child in value:
                lines += render(child, dash + gap + offset, gap, offset)
        elif isinstance(value, list):
            lines.append(f"{prefix}{key}: []")
        else:
            lines.append(f"{prefix}{key}: {scalar(value)}")
    return lines


def dash(text: str, mapping: yaml.MappingNode) -> tuple[int, int]:
    """Column of an item's ``-`` and the distance from it to the item's keys."""
    start = line_start(text, mapping.start_mark.index)
    prefix = text[start : mapping.start_mark.index]
    if prefix.strip() == "-":
        dash = prefix.index("-")
        return dash, len(prefix) - dash
    return max(0, mapping.start_mark.column - 2), 2


def leading_start(text: str, mapping: yaml.MappingNode) -> int:
    """Start of an item's line, above the comment lines that introduce it."""
    pos = line_start(text, mapping.start_mark.index)
    while pos > 0:
        above = line_start(text, pos - 1)
        if not text[above:pos].strip().startswith("#"):
            break
        pos = above
    return pos


def blank_before(text: str, pos: int) -> bool:
    return pos > 0 and text[line_start(text, pos - 1) : pos].strip() == ""


def content_end(text: str, node: yaml.Node) -> int:
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
