"""input.yaml_nodes: finding an input's values where they are written."""

from __future__ import annotations

import yaml

from kpu_docs.input.yaml_nodes import entry, line_end, line_start, required, value_start


def test_a_value_starts_after_its_anchor_or_tag():
    text = "a: 1\npagu: &p !!int 2500\nb: *p\n"
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    _, value = required(root, "pagu")
    assert text[value_start(text, value) : value.end_mark.index] == "2500"
    _, plain = required(root, "a")
    assert value_start(text, plain) == plain.start_mark.index == 3
    assert entry(root, "tidak_ada") is None and entry(value, "pagu") is None


def test_line_bounds():
    text = "satu\ndua\ntiga"
    assert (line_start(text, 6), line_end(text, 6)) == (5, 9)
    assert (line_start(text, 11), line_end(text, 11)) == (9, len(text))
