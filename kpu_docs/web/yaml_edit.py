"""Value-level edits of an input's YAML text: change, add or remove one scalar, nothing else.

Like ``kpu-docs import``, the text is edited at the positions the YAML parser reports, so
comments, key order, quoting and every untouched value stay byte for byte. A figure keeps the
style it was written in (``"1.000"`` stays quoted text; the rule is the import's own,
``sakti.yaml_text.written``); a paragraph written as a folded block (``>-``) stays one.
Every edit is checked by reading the result back: a text that does not say what was meant is
refused (``EditError``), never written.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from dataclasses import dataclass
from typing import Any

import yaml

from kpu_docs.errors import KeyPath
from kpu_docs.input.yaml_nodes import line_end, line_start, value_start
from kpu_docs.sakti.yaml_text import written as written_amount  # the import's rule for a figure's style

_FastLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, where PyYAML was built with it

MAX_EDITS = 5000  # one page's fields; bounds the cost of a request
FOLD_WIDTH = 80


class EditError(ValueError):
    """An edit that cannot be made; the message says which field and why (Indonesian)."""


@dataclass(frozen=True)
class Edit:
    """Set ``path`` to ``value`` (int Rupiah, str, date, or None to remove an optional key)."""

    path: KeyPath
    value: int | str | dt.date | None


def apply_edits(text: str, edits: list[Edit]) -> str:
    """``text`` with every edit made; raises EditError (nothing changed) when one cannot be.

    Scalars are replaced in place; a key missing from a block mapping is added as a new line
    after the mapping's last entry; ``None`` removes a key written on one line."""
    if len(edits) > MAX_EDITS:
        raise EditError(f"terlalu banyak perubahan sekaligus ({len(edits)}); simpan bertahap")
    if not edits:
        return text
    root = _compose(text)
    changes: list[tuple[int, int, str]] = []
    appends: dict[KeyPath, list[Edit]] = {}
    emptied = _emptied_lists(root, edits)
    for seq_path in emptied:
        changes.append(_empty_list(text, root, seq_path))
    for edit in edits:
        parent, _, value = find(root, edit.path)
        if edit.path[:-1] in emptied:
            continue
        new_list = (
            value is None
            and isinstance(edit.path[-1], int)
            and len(edit.path) > 1
            and not isinstance(parent, yaml.SequenceNode)
            and find(root, edit.path[:-1])[2] is None
            and isinstance(find(root, edit.path[:-2])[2], yaml.MappingNode)
        )
        if (isinstance(parent, yaml.SequenceNode) and value is None or new_list) and edit.value is not None:
            appends.setdefault(edit.path[:-1], []).append(edit)
        else:
            changes.append(_change(text, root, edit))
    for seq_path, items in appends.items():
        changes.append(_append(text, root, seq_path, sorted(items, key=lambda e: e.path[-1])))
    changes.sort(key=lambda c: (c[0], c[1]), reverse=True)
    last_start = None
    for start, end, _ in changes:
        if last_start is not None and end > last_start:
            raise EditError("dua perubahan mengenai tempat yang sama dalam berkas; simpan satu per satu")
        last_start = start
    out = text
    for start, end, new in changes:
        out = out[:start] + new + out[end:]
    _check(out, edits)
    return out


def _compose(text: str) -> yaml.Node:
    # libyaml's marks count characters as Python does (30× faster than the pure-Python composer),
    # except that it does not count a byte-order mark; the result is read back in _check anyway.
    loader = _FastLoader if not text.startswith("\ufeff") else yaml.SafeLoader
    try:
        root = yaml.compose(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise EditError(f"berkas YAML tidak dapat dibaca untuk disunting: {exc}") from None
    if not isinstance(root, yaml.MappingNode):
        raise EditError("berkas YAML bukan pemetaan kunci: nilai")
    return root


def find(root: yaml.Node, path: KeyPath) -> tuple[yaml.Node | None, yaml.Node | None, yaml.Node | None]:
    """(parent collection, key node, value node) at ``path``; the value is None when absent."""
    node, parent, key_node = root, None, None
    for i, part in enumerate(path):
        parent, key_node = node, None
        if (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and i == len(path) - 1
            and len(node.value) <= part < len(node.value) + MAX_EDITS
        ):
            return parent, None, None  # one past the end: an item to append
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            hit = next(((k, v) for k, v in node.value if k.value == part), None)
            if hit is None:
                return parent, None, None
            key_node, node = hit
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
        else:
            return None, None, None
    return parent, key_node, node


def _where(path: KeyPath) -> str:
    from kpu_docs.errors import format_key_path

    return format_key_path(path)


def _change(text: str, root: yaml.Node, edit: Edit) -> tuple[int, int, str]:
    parent, key_node, value = find(root, edit.path)
    if parent is None:
        raise EditError(f"{_where(edit.path)}: bagian ini tidak ada di berkas")
    if value is None:
        if edit.value is None:
            return (0, 0, "")
        if isinstance(edit.path[-1], int):
            raise EditError(f"{_where(edit.path)}: bagian ini tidak ada di berkas")
        return _add_key(text, parent, str(edit.path[-1]), edit.value, edit.path)
    if not isinstance(value, yaml.ScalarNode):
        raise EditError(f"{_where(edit.path)}: bukan satu nilai; tidak dapat disunting di sini")
    if key_node is not None and value.start_mark.index < key_node.end_mark.index:
        raise EditError(f"{_where(edit.path)}: ditulis sebagai alias YAML; ubah di editor teks")
    if edit.value is None:
        if isinstance(parent, yaml.SequenceNode):
            return _remove_item(text, parent, value, edit.path)
        assert key_node is not None  # a mapping's value has its key
        return _remove_key(text, parent, key_node, value, edit.path)
    start, end = value_start(text, value), value.end_mark.index  # an anchor or tag kept
    if value.style in ("|", ">"):
        end = _block_end(text, value)
    return start, end, _render(text, value, edit.value)


def _render(text: str, old: yaml.ScalarNode, new: Any) -> str:
    if isinstance(new, bool):
        raise EditError("nilai ya/tidak tidak dipakai di berkas masukan")
    if isinstance(new, int):
        if old.tag.endswith(":int") or old.style in ('"', "'") or _is_money_text(old.value):
            return written_amount(old, new)
        return str(new)
    if isinstance(new, dt.date):
        return new.isoformat()
    if old.style == ">":
        folded = _folded(text, old, new)
        if folded is not None:
            return folded
        return _quoted(new)
    return _plain_or_quoted(new, old.style)


def _is_money_text(value: str) -> bool:
    return bool(re.fullmatch(r"\s*(Rp\.?\s?)?\d{1,3}(\.\d{3})*(,00|,-)?\s*", value))


# What YAML 1.1 (PyYAML) reads as a line break inside a scalar: only escaped in "..." is it kept
LINE_BREAKS = re.compile("[\n\r\x85\u2028\u2029]")


def _plain_or_quoted(value: str, style: str | None) -> str:
    if style in (None, "") and _plain_ok(value):
        return value
    if style == "'" and not LINE_BREAKS.search(value):
        return "'" + value.replace("'", "''") + "'"
    return _quoted(value)


def _plain_ok(value: str) -> bool:
    if not value or value != value.strip() or LINE_BREAKS.search(value):
        return False
    try:
        return yaml.safe_load(value) == value and ": " not in value and " #" not in value
    except yaml.YAMLError:
        return False


def _quoted(value: str) -> str:
    dumped = yaml.safe_dump(value, default_style='"', allow_unicode=True, width=1 << 20)
    return dumped.rstrip("\n").removesuffix("\n...")


def _folded(text: str, old: yaml.ScalarNode, new: str) -> str | None:
    """``new`` as a folded block in the old block's header and indentation, or None if it cannot be."""
    if not new or new != new.strip() or LINE_BREAKS.search(new) or "  " in new or "\t" in new:
        return None
    header_end = text.find("\n", old.start_mark.index)
    header = text[old.start_mark.index : header_end].rstrip()
    if header not in (">-", ">"):
        return None
    body_start = header_end + 1
    indent = len(text[body_start:]) - len(text[body_start:].lstrip(" "))
    newline = "\r\n" if text[header_end - 1 : header_end] == "\r" else "\n"
    width = max(20, FOLD_WIDTH - indent)
    lines = textwrap.wrap(new, width=width, break_long_words=False, break_on_hyphens=False)
    out = header + newline + newline.join(" " * indent + line for line in lines)
    if header == ">":
        out += newline
    return out


def _block_end(text: str, node: yaml.ScalarNode) -> int:
    """End of a block scalar's last content character (not the blank lines or comments after it)."""
    end = node.end_mark.index
    while end > node.start_mark.index and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def _add_key(text: str, mapping: yaml.Node, key: str, value: Any, path: KeyPath) -> tuple[int, int, str]:
    if not isinstance(mapping, yaml.MappingNode) or not mapping.value:
        raise EditError(f"{_where(path)}: tidak dapat ditambahkan di sini")
    if isinstance(value, dt.date):
        rendered = value.isoformat()
    elif isinstance(value, int):
        rendered = str(value)
    else:
        rendered = value if _plain_ok(value) else _quoted(value)
    if mapping.flow_style:
        close = mapping.end_mark.index - 1
        return close, close, f", {key}: {rendered}"
    first_key, _ = mapping.value[0]
    # after the last entry's content (a nested collection ends where its last scalar ends)
    last = mapping.value[-1][1]
    while isinstance(last, (yaml.MappingNode, yaml.SequenceNode)) and not last.flow_style and last.value:
        last = last.value[-1][1] if isinstance(last, yaml.MappingNode) else last.value[-1]
    end = _block_end(text, last) if isinstance(last, yaml.ScalarNode) else last.end_mark.index
    pos = line_end(text, end)
    newline = "\r\n" if "\r\n" in text else "\n"
    lead = newline if pos == len(text) and not text.endswith("\n") else ""
    return pos, pos, f"{lead}{' ' * first_key.start_mark.column}{key}: {rendered}{newline}"


def _remove_key(
    text: str, mapping: yaml.Node, key_node: yaml.Node, value: yaml.ScalarNode, path: KeyPath
) -> tuple[int, int, str]:
    if not isinstance(mapping, yaml.MappingNode) or mapping.flow_style or key_node is None:
        raise EditError(f"{_where(path)}: tidak dapat dikosongkan di sini; ubah di editor teks")
    if value.style in ("|", ">") or value.end_mark.line != key_node.start_mark.line:
        raise EditError(f"{_where(path)}: nilai beberapa baris tidak dapat dikosongkan di sini")
    start = line_start(text, key_node.start_mark.index)
    if text[start : key_node.start_mark.index].strip():  # `- key: value`: the item's first key
        raise EditError(f"{_where(path)}: kunci pertama sebuah butir tidak dapat dihapus")
    return start, line_end(text, value.end_mark.index), ""


def _shifted(path: KeyPath, removed: list[KeyPath]) -> KeyPath:
    """Where ``path`` is after the list items in ``removed`` were deleted."""
    out = list(path)
    for i, part in enumerate(path):
        if isinstance(part, int):
            out[i] = part - sum(
                1
                for r in removed
                if len(r) == i + 1 and tuple(r[:i]) == tuple(path[:i]) and isinstance(n := r[i], int) and n < part
            )
    return tuple(out)


def _check(text: str, edits: list[Edit]) -> None:
    """The edited text reads back as meant: every edited value, and nothing else broken."""
    try:
        data = yaml.load(text, Loader=_FastLoader)
    except yaml.YAMLError as exc:
        raise EditError(f"hasil penyuntingan bukan YAML yang sah ({exc}); berkas tidak diubah") from None
    removed = [e.path for e in edits if e.value is None and isinstance(e.path[-1], int)]
    for edit in edits:
        if edit.path in removed:
            continue
        path = _shifted(edit.path, removed)
        node: Any = data
        for part in path[:-1]:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                node = None
        last = path[-1]
        if edit.value is None:
            ok = isinstance(node, dict) and last not in node
        else:
            if isinstance(node, dict):
                got = node.get(last)
            elif isinstance(node, list) and isinstance(last, int) and last < len(node):
                got = node[last]
            else:
                got = None
            if isinstance(edit.value, int) and isinstance(got, str):
                from kpu_docs.formatting import parse_amount

                try:
                    got = parse_amount(got)
                except ValueError:
                    pass
            ok = got == edit.value
        if not ok:
            raise EditError(
                f"{_where(edit.path)}: penyuntingan tidak menghasilkan nilai yang dimaksud; berkas tidak diubah"
            )


def _item_text(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return value if _plain_ok(value) else _quoted(value)


def _append(text: str, root: yaml.Node, seq_path: KeyPath, items: list[Edit]) -> tuple[int, int, str]:
    """New items at the end of a list (``narasi.penutup[3]`` when it has three), in its style."""
    owner, _, seq = find(root, seq_path)
    if seq is None and isinstance(owner, yaml.MappingNode):  # `narasi:` not written yet
        if [e.path[-1] for e in items] != list(range(len(items))):
            raise EditError(f"{_where(seq_path)}: butir baru harus ditambahkan berurutan")
        values = _new_texts(items, seq_path)
        pos, _, line = _add_key(text, owner, str(seq_path[-1]), "x", seq_path)
        newline = "\r\n" if "\r\n" in text else "\n"
        head = line.split("x" + newline)[0].rstrip() if line.endswith("x" + newline) else line
        key_col = len(head) - len(head.lstrip(" \r\n"))
        return pos, pos, head + newline + _block_items(values, key_col + 2, newline, folded=True)
    if not isinstance(seq, yaml.SequenceNode):
        raise EditError(f"{_where(seq_path)}: bukan daftar")
    if [e.path[-1] for e in items] != list(range(len(seq.value), len(seq.value) + len(items))):
        raise EditError(f"{_where(seq_path)}: butir baru harus ditambahkan berurutan di akhir daftar")
    values = _new_texts(items, seq_path)
    newline = "\r\n" if "\r\n" in text else "\n"
    line = text[line_start(text, seq.start_mark.index) : seq.start_mark.index]
    if seq.flow_style and seq.value:  # [A, B] → [A, B, C]
        close = seq.end_mark.index - 1
        return close, close, "".join(f", {_flow_item(v)}" for v in values)
    if seq.flow_style:  # `key: []` → a block list under the key
        key_col = len(line) - len(line.lstrip(" -"))
        dash = key_col + 2
        body = _block_items(values, dash, newline, folded=len(values[0]) > 60)
        start = seq.start_mark.index
        while start > 0 and text[start - 1] == " ":
            start -= 1
        return start, seq.end_mark.index, newline + body.rstrip("\r\n")
    first = seq.value[0]
    dash = first.start_mark.column - 2
    folded = isinstance(first, yaml.ScalarNode) and first.style == ">"
    last = seq.value[-1]
    end = _block_end(text, last) if isinstance(last, yaml.ScalarNode) else last.end_mark.index
    pos = line_end(text, end)
    lead = newline if pos == len(text) and not text.endswith("\n") else ""
    return pos, pos, lead + _block_items(values, dash, newline, folded)


def _new_texts(items: list[Edit], seq_path: KeyPath) -> list[str]:
    """New list items' values: each a text that is not empty (EditError otherwise)."""
    values = [e.value for e in items]
    texts = [v for v in values if isinstance(v, str) and v]
    if len(texts) != len(values):
        raise EditError(f"{_where(seq_path)}: butir baru harus berupa teks yang tidak kosong")
    return texts


def _flow_item(value: str) -> str:
    return value if _plain_ok(value) and not re.search(r"[,\[\]{}]", value) else _quoted(value)


def _block_items(values: list[str], dash: int, newline: str, folded: bool) -> str:
    out = ""
    for value in values:
        body = None
        if folded and "  " not in value and value == value.strip():
            lines = textwrap.wrap(
                value, width=max(20, FOLD_WIDTH - dash - 2), break_long_words=False, break_on_hyphens=False
            )
            body = ">-" + newline + newline.join(" " * (dash + 2) + line for line in lines)
        out += " " * dash + "- " + (body if body is not None else _item_text(value)) + newline
    return out


def _emptied_lists(root: yaml.Node, edits: list[Edit]) -> set[KeyPath]:
    """Block lists whose every item is removed (they become ``[]``)."""
    removed: dict[KeyPath, set[int]] = {}
    for edit in edits:
        if edit.value is None and edit.path and isinstance(edit.path[-1], int):
            removed.setdefault(edit.path[:-1], set()).add(edit.path[-1])
    out = set()
    for seq_path, indexes in removed.items():
        _, _, seq = find(root, seq_path)
        if isinstance(seq, yaml.SequenceNode) and not seq.flow_style and indexes >= set(range(len(seq.value))):
            if any(e.path[:-1] == seq_path and e.value is not None for e in edits):
                raise EditError(f"{_where(seq_path)}: hapus semua butir dan tambah butir baru dalam dua kali simpan")
            out.add(seq_path)
    return out


def _empty_list(text: str, root: yaml.Node, seq_path: KeyPath) -> tuple[int, int, str]:
    _, _, seq = find(root, seq_path)
    assert isinstance(seq, yaml.SequenceNode)  # see _emptied_lists
    first, last = seq.value[0], seq.value[-1]
    start = line_start(text, first.start_mark.index)
    key_line_end = start - 1
    if key_line_end <= 0 or not text[line_start(text, key_line_end) : key_line_end].rstrip("\r").endswith(":"):
        raise EditError(f"{_where(seq_path)}: daftar ini tidak dapat dikosongkan di sini; ubah di editor teks")
    end = line_end(text, _block_end(text, last) if isinstance(last, yaml.ScalarNode) else last.end_mark.index)
    cr = 1 if text[key_line_end - 1] == "\r" else 0
    return key_line_end - cr, end, " []" + text[key_line_end - cr : key_line_end + 1]


def _remove_item(text: str, seq: yaml.SequenceNode, value: yaml.Node, path: KeyPath) -> tuple[int, int, str]:
    """Delete one item of a list: its lines in a block list, its entry in ``[A, B]``."""
    if seq.flow_style:
        rest = [v for v in seq.value if v is not value]
        if not all(isinstance(v, yaml.ScalarNode) for v in rest):
            raise EditError(f"{_where(path)}: tidak dapat dihapus di sini; ubah di editor teks")
        inner = ", ".join(text[v.start_mark.index : v.end_mark.index] for v in rest)
        return seq.start_mark.index, seq.end_mark.index, f"[{inner}]"
    start = line_start(text, value.start_mark.index)
    if text[start : value.start_mark.index].strip() != "-":
        raise EditError(f"{_where(path)}: tidak dapat dihapus di sini; ubah di editor teks")
    end = _block_end(text, value) if isinstance(value, yaml.ScalarNode) else value.end_mark.index
    end = line_end(text, end)
    if len(seq.value) == 1:  # the list becomes empty: `key:` + its only item → `key: []`
        key_line_end = start - 1  # the newline ending the key's own line
        if key_line_end <= 0 or not text[line_start(text, key_line_end) : key_line_end].rstrip("\r").endswith(":"):
            raise EditError(f"{_where(path)}: butir terakhir tidak dapat dihapus di sini; ubah di editor teks")
        cr = 1 if text[key_line_end - 1] == "\r" else 0
        newline = text[key_line_end - cr : key_line_end + 1]
        return key_line_end - cr, end, " []" + newline
    return start, end, ""


# --- whole items of a list of mappings (a subbagian, a staff group) -------------------------------


def _content_end(text: str, node: yaml.Node) -> int:
    """End of the last character a node really contains (not the comments or blank lines after it)."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
        node = node.value[-1][1] if isinstance(node, yaml.MappingNode) else node.value[-1]
    if isinstance(node, yaml.ScalarNode):
        return _block_end(text, node)
    return node.end_mark.index


def _render_item(item: dict, dash: int, newline: str) -> str:
    lines = []
    for i, (key, value) in enumerate(item.items()):
        prefix = " " * dash + "- " if i == 0 else " " * (dash + 2)
        if isinstance(value, list):
            rendered = "[" + ", ".join(_flow_item(v) for v in value) + "]"
        else:
            rendered = _item_text(value)
        lines.append(f"{prefix}{key}: {rendered}")
    return newline.join(lines) + newline


def append_item(text: str, seq_path: KeyPath, item: dict) -> str:
    """``text`` with ``item`` (a mapping of scalars and lists of text) added at the end of the
    list at ``seq_path``; the list key is written when it is missing or ``[]``."""
    root = _compose(text)
    owner, _, seq = find(root, seq_path)
    newline = "\r\n" if "\r\n" in text else "\n"
    if seq is None or (isinstance(seq, yaml.SequenceNode) and not seq.value):
        if not isinstance(owner, yaml.MappingNode) or not owner.value:
            raise EditError(f"{_where(seq_path)}: daftar tidak dapat ditambahkan di sini")
        key_col = owner.value[0][0].start_mark.column
        block = _render_item(item, key_col + 2, newline)
        if seq is None:
            pos = line_end(text, _content_end(text, owner))
            lead = newline if pos == len(text) and not text.endswith("\n") else ""
            out = text[:pos] + lead + " " * key_col + f"{seq_path[-1]}:" + newline + block + text[pos:]
        else:  # `key: []`
            start = seq.start_mark.index
            while start > 0 and text[start - 1] == " ":
                start -= 1
            end = line_end(text, seq.end_mark.index)
            out = text[:start] + newline + block + text[end:]
    elif isinstance(seq, yaml.SequenceNode) and not seq.flow_style:
        dash = seq.value[0].start_mark.column - 2
        pos = line_end(text, _content_end(text, seq.value[-1]))
        lead = newline if pos == len(text) and not text.endswith("\n") else ""
        out = text[:pos] + lead + _render_item(item, dash, newline) + text[pos:]
    else:
        raise EditError(f"{_where(seq_path)}: daftar ini ditulis sebaris; tambahkan butirnya di editor teks")
    _compose(out)
    return out


def remove_item(text: str, path: KeyPath) -> str:
    """``text`` without the list item at ``path``, with the comment lines directly above it."""
    root = _compose(text)
    seq, _, item = find(root, path)
    if not isinstance(seq, yaml.SequenceNode) or item is None or seq.flow_style:
        raise EditError(f"{_where(path)}: butir ini tidak dapat dihapus di sini")
    if len(seq.value) == 1:
        return (
            apply_edits(text, [Edit(path, None)])
            if isinstance(item, yaml.ScalarNode)
            else _replace_only_item(text, seq, item, path)
        )
    start = line_start(text, item.start_mark.index)
    if text[start : item.start_mark.index].strip() != "-":
        raise EditError(f"{_where(path)}: butir ini tidak dapat dihapus di sini")
    while start > 0:  # its own comment lines
        above = line_start(text, start - 1)
        if not text[above:start].strip().startswith("#"):
            break
        start = above
    end = line_end(text, _content_end(text, item))
    return text[:start] + text[end:]


def _replace_only_item(text: str, seq: yaml.SequenceNode, item: yaml.Node, path: KeyPath) -> str:
    start = line_start(text, item.start_mark.index)
    key_line_end = start - 1
    if key_line_end <= 0 or not text[line_start(text, key_line_end) : key_line_end].rstrip("\r").endswith(":"):
        raise EditError(f"{_where(path)}: butir terakhir tidak dapat dihapus di sini; ubah di editor teks")
    end = line_end(text, _content_end(text, item))
    cr = 1 if text[key_line_end - 1] == "\r" else 0
    return text[: key_line_end - cr] + " []" + text[key_line_end - cr : key_line_end + 1] + text[end:]
