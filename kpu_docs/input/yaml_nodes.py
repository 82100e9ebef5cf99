"""An input's composed YAML, for the commands that edit its text in place (``new``, ``import``,
the web page): PyYAML nodes carry their positions in the text, so a value can be replaced
where it is written and every other byte (comments, quoting, key order) kept."""

from __future__ import annotations

import re

import yaml

from kpu_docs.input.load import clean_text


def compose_input(text: str) -> yaml.MappingNode:
    """The root mapping of an input's text, composed by the pure-Python loader (its marks count
    characters of ``text``; ``clean_text`` keeps the length). ``text`` must be an input that
    loads: anything else is a bug (AssertionError)."""
    root = yaml.compose(clean_text(text)[0], Loader=yaml.SafeLoader)
    assert isinstance(root, yaml.MappingNode), "an input that loads is a mapping"
    return root


def entry(mapping: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    """(key node, value node) of ``key`` in a mapping node; None when absent or not a mapping."""
    if isinstance(mapping, yaml.MappingNode):
        for k, v in mapping.value:
            if k.value == key:
                return k, v
    return None


def required(mapping: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node]:
    """``entry`` for a key the input has (it loaded, so its schema put it there); AssertionError
    otherwise (a bug, not an input problem)."""
    found = entry(mapping, key)
    assert found is not None, f"{key!r} missing from an input that loaded"
    return found


_PROPERTIES = re.compile(r"(?:[&!]\S*\s+)*")  # a node's anchor (&x) and tag (!t), before its value


def value_start(text: str, node: yaml.Node) -> int:
    """Where ``node``'s own characters start in ``text``: after any anchor or tag written before them."""
    properties = _PROPERTIES.match(text, node.start_mark.index, node.end_mark.index)
    assert properties is not None  # the pattern matches "" at least
    return properties.end()


def line_start(text: str, index: int) -> int:
    """Where the line holding ``index`` starts."""
    return text.rfind("\n", 0, index) + 1


def line_end(text: str, index: int) -> int:
    """Just after the line break ending the line holding ``index`` (the text's end on the last line)."""
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1
