"""Canonical, line-oriented view of an OOXML package (.docx / .xlsx) for golden-file tests.

In XlsxWriter's manner (its tests compare each part of a generated workbook with one saved by
Excel, after sorting and normalising): two files are "the same output" when they hold the same
parts with the same content, whatever the zip container says.

What is ignored, because it is not content:
- the zip container: entry order, timestamps, compression method and level, file attributes;
- in XML: the XML declaration, attribute order, namespace-declaration placement, and whitespace
  *between* elements where no element carries text (``xml:space="preserve"`` text is kept
  exactly, as is every text node that is not pure indentation).

Volatile fields: the builds are reproducible (the only dates written are the input's report
date, see README "Rebuilds are byte-identical"), so no date is blanked. A date taken from the
clock would therefore show up as a golden failure, which is the point. Binary parts (images,
the thumbnail) are compared by SHA-256 and size.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

XML_SUFFIXES = (".xml", ".rels", ".vml")


def parts(path: Path) -> dict[str, list[str]]:
    """Part name → its canonical lines, for every part of the package at ``path``."""
    with zipfile.ZipFile(path) as archive:
        return {name: part_lines(name, archive.read(name)) for name in sorted(archive.namelist())}


def part_lines(name: str, data: bytes) -> list[str]:
    """One part in canonical form: XML pretty-printed one element per line, others hashed."""
    if name.endswith(XML_SUFFIXES) or name == "[Content_Types].xml":
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        root = etree.fromstring(data, parser)
        return list(_element(root, 0))
    return [f"binary sha256={hashlib.sha256(data).hexdigest()} size={len(data)}"]


def _qname(node: etree._Element, name: str) -> str:
    """``{uri}local`` → ``prefix:local`` using the prefixes in scope (readable diffs)."""
    if not name.startswith("{"):
        return name
    uri, local = name[1:].split("}", 1)
    if uri == "http://www.w3.org/XML/1998/namespace":
        return f"xml:{local}"
    for prefix, known in node.nsmap.items():
        if known == uri:
            return f"{prefix}:{local}" if prefix else local
    return f"{{{uri}}}{local}"


def _text(text: str | None) -> str | None:
    """Text worth a line: None for pure indentation between elements."""
    if text is None or (not text.strip() and "\n" in text):
        return None
    return repr(text)


def _element(node: etree._Element, depth: int) -> Iterator[str]:
    pad = "  " * depth
    if not isinstance(node.tag, str):  # comment or processing instruction
        yield (
            f"{pad}<!-- {node.text!r} -->"
            if isinstance(node, etree._Comment)
            else f"{pad}<?{node.target} {node.text!r}?>"
        )
    else:
        tag = _qname(node, node.tag)
        inherited = node.getparent().nsmap if node.getparent() is not None else {}
        declared = sorted((p or "", u) for p, u in node.nsmap.items() if inherited.get(p) != u)
        attrs = "".join(f' xmlns{":" + p if p else ""}="{u}"' for p, u in declared)
        attrs += "".join(
            f' {_qname(node, k)}="{v}"' for k, v in sorted(node.attrib.items(), key=lambda kv: _qname(node, kv[0]))
        )
        text = _text(node.text) if len(node) else (repr(node.text) if node.text else None)
        if not len(node):
            yield f"{pad}<{tag}{attrs}>{text}</{tag}>" if text is not None else f"{pad}<{tag}{attrs}/>"
        else:
            yield f"{pad}<{tag}{attrs}>"
            if text is not None:
                yield f"{pad}  {text}"
            for child in node:
                yield from _element(child, depth + 1)
            yield f"{pad}</{tag}>"
    tail = _text(node.tail) if depth else None
    if tail is not None:
        yield f"{pad}{tail}"


def first_difference(
    expected: dict[str, list[str]], actual: dict[str, list[str]], context: int = 3, limit: int = 40
) -> str | None:
    """A readable account of the first differences between two packages, or None if equal."""
    import difflib

    report: list[str] = []
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    if missing:
        report.append(f"parts missing from the new build: {', '.join(missing)}")
    if extra:
        report.append(f"parts only in the new build: {', '.join(extra)}")
    changed = [name for name in sorted(set(expected) & set(actual)) if expected[name] != actual[name]]
    for name in changed:
        diff = list(
            difflib.unified_diff(
                expected[name], actual[name], f"reference/{name}", f"build/{name}", n=context, lineterm=""
            )
        )
        report.append(f"part {name} differs:")
        report += diff[:limit]
        if len(diff) > limit:
            report.append(f"... ({len(diff) - limit} more diff lines in {name})")
        break  # the first differing part is enough to start from
    if len(changed) > 1:
        report.append(f"also differing: {', '.join(changed[1:])}")
    return "\n".join(report) if report else None


if __name__ == "__main__":  # python -m tests.golden.normalise FILE [PART]: print the canonical form
    import sys

    dumped = parts(Path(sys.argv[1]))
    for part_name, lines in dumped.items():
        if len(sys.argv) < 3 or part_name == sys.argv[2]:
            print(f"=== {part_name}")
            print("\n".join(lines))
