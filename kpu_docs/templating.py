"""Word templates: where the default lives, the sandboxed Jinja environment, and checks.

A template is a document someone may have sent you: it renders in a sandbox, with
strict undefined names, and the input's text is always data (autoescaped), never code.
"""

from __future__ import annotations

import functools
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import DictLoader, StrictUndefined, nodes
from jinja2.sandbox import SandboxedEnvironment

from .errors import KpuDocsError

DEFAULT_TEMPLATE = "laporan_tahunan.docx"
NEUTRAL_LOGO = "logo_netral.png"


def _shipped(package: str, source_dir: str, name: str) -> Path:
    """A data file: package data when installed, else from the source tree."""
    try:
        path = Path(str(resources.files(package) / name))
        if path.is_file():
            return path
    except ModuleNotFoundError:  # running from a source tree without installing
        pass
    return Path(__file__).resolve().parent.parent / source_dir / name


def resource(name: str) -> Path:
    """A file shipped in ``templates/``."""
    return _shipped("kpu_docs.templates", "templates", name)


def default_template() -> Path:
    return resource(DEFAULT_TEMPLATE)


class _Environment(SandboxedEnvironment):
    """Compiles each distinct template source once: docxtpl hands over the same document XML
    for every report built with one template, and compiling it costs more than rendering."""

    CACHE_SIZE = 16

    def __init__(self, **options):
        super().__init__(**options)
        self._compiled: dict[str, Any] = {}

    def from_string(self, source, globals=None, template_class=None):
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            if len(self._compiled) >= self.CACHE_SIZE:
                self._compiled.pop(next(iter(self._compiled)))
            template = self._compiled[source] = super().from_string(source)
        return template


@functools.cache
def environment() -> SandboxedEnvironment:
    """Jinja for templates: sandboxed, strict about undefined names, autoescaping."""
    env = _Environment(undefined=StrictUndefined, autoescape=True, loader=DictLoader({}))
    for name in ("lipsum", "cycler", "joiner", "namespace"):
        env.globals.pop(name, None)
    return env


def export(directory: Path) -> Path:
    """Copy the default template to ``directory`` for editing; never overwrite."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / DEFAULT_TEMPLATE
    if target.exists():
        raise KpuDocsError(f"{target} sudah ada: pilih folder lain atau hapus berkas itu lebih dulu")
    shutil.copyfile(default_template(), target)
    return target


# --- checking a template against the data -------------------------------------------------------


def template_paths(template: Path) -> set[str]:
    """Every dotted data path the template reads, loop variables resolved to their list
    (``c.pagu_rp`` inside ``for c in capaian`` → ``capaian[].pagu_rp``)."""
    from docx import Document

    tpl = DocxTemplate(str(template))
    doc = Document(str(template))
    xml = tpl.patch_xml(tpl.xml_to_string(doc.element.body))
    for rel in doc.part.rels.values():
        if rel.reltype in (tpl.HEADER_URI, tpl.FOOTER_URI):
            xml += tpl.patch_xml(rel.target_part.blob.decode("utf-8"))
    paths: set[str] = set()
    _collect(environment().parse(xml), {}, paths)
    return paths


def _collect(node: nodes.Node, scope: dict[str, str], out: set[str]) -> None:
    """Walk the AST, resolving loop variables to the list they iterate over."""
    if isinstance(node, nodes.For):
        _collect(node.iter, scope, out)
        base = _path(node.iter, scope)
        inner = dict(scope)
        for target in node.target.find_all(nodes.Name) if not isinstance(node.target, nodes.Name) else [node.target]:
            inner[target.name] = f"{base}[]" if base else "?"
        inner["loop"] = "loop"
        for child in (*node.body, *node.else_):
            _collect(child, inner, out)
        if node.test is not None:
            _collect(node.test, inner, out)
        return
    if isinstance(node, (nodes.Getattr, nodes.Name, nodes.Getitem)):
        path = _path(node, scope)
        if path and not path.startswith("loop"):
            out.add(path)
        if isinstance(node, nodes.Getitem):
            _collect(node.arg, scope, out)
        return
    for child in node.iter_child_nodes():
        _collect(child, scope, out)


def _path(node: nodes.Node, scope: dict[str, str]) -> str | None:
    if isinstance(node, nodes.Name):
        return scope.get(node.name, node.name)
    if isinstance(node, nodes.Getattr):
        base = _path(node.node, scope)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        base = _path(node.node, scope)
        return f"{base}.{node.arg.value}" if base else None
    if isinstance(node, nodes.Filter):
        return _path(node.node, scope)
    return None


def data_paths(context: dict[str, Any], prefix: str = "") -> set[str]:
    """Every dotted path the context offers; list items as ``name[]``."""
    out: set[str] = set()
    for key, value in context.items():
        path = f"{prefix}{key}"
        out.add(path)
        if isinstance(value, dict):
            out |= data_paths(value, f"{path}.")
        elif isinstance(value, list):
            out.add(f"{path}[]")
            for item in value:
                if isinstance(item, dict):
                    out |= data_paths(item, f"{path}[].")
    return out


def check(template: Path, context: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(tags naming nothing in the data, data the template never uses)."""
    used = template_paths(template)
    offered = data_paths(context)
    unknown = sorted(p for p in used if p not in offered and not p.startswith("?"))
    leaves = {p for p in offered if not any(o.startswith((p + ".", p + "[]")) for o in offered if o != p)}
    unused = sorted(p for p in leaves if p not in used and not any(p.startswith(u + ".") for u in used))
    return unknown, unused


def sample_input() -> Path:
    """The shipped sample input (KPU Kota Serang 2023)."""
    return _shipped("kpu_docs.samples", "inputs/kpu-kota-serang", "2023.yaml")


def block_sample_input() -> Path:
    """The shipped sample that uses every optional block (KPU Provinsi Contoh 2024: grants,
    indicators, kendala, Bagian, two signatories, added sections)."""
    return _shipped("kpu_docs.samples_provinsi", "inputs/kpu-provinsi-contoh", "2024.yaml")
