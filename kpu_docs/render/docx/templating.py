"""Word templates: where the default lives, the sandboxed Jinja environment, and checks.

A template is a document someone may have sent you: it renders in a sandbox, with
strict undefined names, and the input's text is always data (autoescaped), never code.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import shutil
import time
import types
import zipfile
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import DictLoader, StrictUndefined, Template, nodes
from jinja2.runtime import LoopContext, Macro
from jinja2.sandbox import MAX_RANGE, ImmutableSandboxedEnvironment, SandboxedEnvironment, SecurityError

from kpu_docs.errors import OutputError, TemplateError

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
    return Path(__file__).resolve().parents[3] / source_dir / name


def resource(name: str) -> Path:
    """A file shipped in ``templates/``."""
    return _shipped("kpu_docs.templates", "templates", name)


def default_template() -> Path:
    return resource(DEFAULT_TEMPLATE)


# --- the sandbox --------------------------------------------------------------------------------

PLAIN_TYPES = (str, int, float, bool, type(None), list, tuple, dict)  # Markup is a str
MAX_TEXT = 1_000_000  # characters one operation may produce (the whole report is far smaller)
MAX_INT_BITS = 4_096  # an integer of ~1,200 digits: more than any figure a report holds
MAX_OUTPUT = 50_000_000  # characters one template part may render
RENDER_SECONDS = 60.0  # wall-clock budget of one report's rendering
MAX_TEMPLATE_BYTES = 150 * 2**20  # uncompressed size of a template's archive
MAX_TEMPLATE_ENTRIES = 2_000

_deadline: float | None = None  # set by ``time_limit`` for the render under way
_budget = RENDER_SECONDS


class TemplateLimitError(SecurityError):
    """A template that tried something outside what a report template may do."""


@contextmanager
def time_limit(seconds: float | None = None):
    """Bound the wall-clock time of the templates rendered inside this block."""
    global _deadline, _budget
    previous = _deadline, _budget
    _budget = RENDER_SECONDS if seconds is None else seconds
    _deadline = time.monotonic() + _budget
    try:
        yield
    finally:
        _deadline, _budget = previous


def _check_time() -> None:
    if _deadline is not None and time.monotonic() > _deadline:
        raise TemplateLimitError(
            f"templat melampaui batas waktu render ({_budget:g} detik): periksa perulangan (for) di templat"
        )


class _BoundedTemplate(Template):
    """Renders like Jinja's Template, counting what it writes and watching the clock."""

    def render(self, *args, **kwargs):
        ctx = self.new_context(dict(*args, **kwargs))
        out, size = [], 0
        try:
            for i, chunk in enumerate(self.root_render_func(ctx)):
                size += len(chunk)
                if size > MAX_OUTPUT:
                    raise TemplateLimitError(
                        f"templat menghasilkan lebih dari {MAX_OUTPUT:,} karakter: periksa perulangan di templat"
                    )
                if not i & 255:
                    _check_time()
                out.append(chunk)
        except Exception:
            self.environment.handle_exception()
        return "".join(out)


class _BoundedRange:
    """``range`` for templates: at most MAX_RANGE items, and a clock check per item."""

    def __init__(self, *args):
        for arg in args:
            if not isinstance(arg, int):
                raise TemplateLimitError("range() di templat hanya menerima bilangan bulat")
        self._range = range(*args)
        if len(self._range) > MAX_RANGE:
            raise TemplateLimitError(f"range() di templat paling banyak {MAX_RANGE:,} langkah")

    def __len__(self) -> int:
        return len(self._range)

    def __iter__(self):
        for i, value in enumerate(self._range):
            if not i & 1023:
                _check_time()
            yield value


def _size(value) -> int | None:
    return len(value) if isinstance(value, (str, list, tuple)) else None


class _Environment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, stricter: a template sees plain data only (text, numbers,
    lists, dicts) and may call nothing but its macros, ``range`` and the plain data's own
    methods; arithmetic that would take unbounded memory or time is refused; rendering has
    a time budget (``time_limit``) and an output cap.

    Each distinct template source is compiled once: docxtpl hands over the same document
    XML for every report built with one template, and compiling costs more than rendering."""

    CACHE_SIZE = 16
    template_class = _BoundedTemplate
    intercepted_binops = frozenset(["**", "*", "+", "%", "//", "/"])
    _UNSAFE_ON_TEXT = frozenset(["format", "format_map"])  # width specs build huge strings

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
            template = self._compiled[source] = self._from_bytecode(source)
        return template

    def is_safe_attribute(self, obj, attr, value):
        if isinstance(obj, LoopContext):
            return not attr.startswith("_")
        if not isinstance(obj, PLAIN_TYPES):
            return False
        if isinstance(obj, str) and attr in self._UNSAFE_ON_TEXT:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def is_safe_callable(self, obj):
        if not super().is_safe_callable(obj):
            return False
        if isinstance(obj, (Macro, LoopContext)) or obj is _BoundedRange:  # macros, recursive loops
            return True
        owner = getattr(obj, "__self__", None)
        if isinstance(obj, (types.BuiltinMethodType, types.MethodType)):
            return isinstance(owner, PLAIN_TYPES + (LoopContext,)) and not isinstance(owner, type)
        return False

    def unsafe_undefined(self, obj, attribute):
        return self.undefined(
            f"templat mencoba membaca '{attribute}' dari objek {type(obj).__name__}: templat hanya boleh "
            "membaca data laporan (teks, angka, daftar)",
            name=attribute,
            obj=obj,
            exc=SecurityError,
        )

    def call(__self, __context, __obj, *args, **kwargs):
        _check_time()
        if not __self.is_safe_callable(__obj):
            raise SecurityError(
                f"templat mencoba memanggil {getattr(__obj, '__name__', type(__obj).__name__)!s}: templat hanya "
                "boleh memanggil makronya sendiri, range() dan metode teks/daftar"
            )
        if any(isinstance(a, int) and abs(a) > MAX_TEXT for a in (*args, *kwargs.values())):
            raise TemplateLimitError(f"argumen terlalu besar di templat (paling besar {MAX_TEXT:,})")
        if isinstance(getattr(__obj, "__self__", None), str) and getattr(__obj, "__name__", "") == "replace":
            _check_replace(__obj.__self__, *args, **kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj, attribute):
        _check_time()
        return super().getattr(obj, attribute)

    def call_binop(self, context, operator, left, right):
        _check_time()
        _check_binop(operator, left, right)
        try:
            return super().call_binop(context, operator, left, right)
        except (ArithmeticError, ValueError) as exc:
            raise TemplateLimitError(
                f"perhitungan di templat gagal ({left!r:.40} {operator} {right!r:.40}): {exc}"
            ) from None

    def _from_bytecode(self, source: str):
        """Compile ``source``, or load its compiled code from Jinja's own bytecode cache (a
        folder only this user may write, checked by Jinja; keyed by the source's hash, so an
        edited template is compiled again). Saves a fresh process the compile (start-up)."""
        cache = _bytecode_cache()
        if cache is None:
            return super().from_string(source)
        try:
            bucket = cache.get_bucket(self, hashlib.sha1(source.encode("utf-8")).hexdigest(), None, source)
        except Exception:  # an unusable cache folder must never stop a build
            return super().from_string(source)
        if bucket.code is None:
            bucket.code = self.compile(source)
            try:
                cache.set_bucket(bucket)
            except OSError:
                pass
        return self.template_class.from_code(self, bucket.code, self.make_globals(None), None)


def _check_binop(operator: str, left, right) -> None:
    """Refuse an operation whose result would be absurdly large, before computing it."""
    too_big = False
    if operator == "**":
        if isinstance(left, int) and isinstance(right, int):
            too_big = right > 0 and abs(left) > 1 and max(abs(left).bit_length() - 1, 1) * right > MAX_INT_BITS
        elif isinstance(right, (int, float)) and abs(right) > 1_000:
            too_big = True
    elif operator == "*":
        sizes = (_size(left), _size(right))
        if isinstance(left, int) and isinstance(right, int):
            too_big = left.bit_length() + right.bit_length() > MAX_INT_BITS
        elif sizes[0] is not None and isinstance(right, int):
            too_big = sizes[0] * right > MAX_TEXT
        elif sizes[1] is not None and isinstance(left, int):
            too_big = sizes[1] * left > MAX_TEXT
    elif operator == "+":
        left_size, right_size = _size(left), _size(right)
        if left_size is not None and right_size is not None:
            too_big = left_size + right_size > MAX_TEXT
        elif isinstance(left, int) and isinstance(right, int):
            too_big = max(left.bit_length(), right.bit_length()) > MAX_INT_BITS
    elif operator == "%" and isinstance(left, str):
        too_big = bool(re.search(r"%[-#0 +]*(\*|\d{5,}|\d*\.(\*|\d{5,}))", left))
    if too_big:
        raise TemplateLimitError(
            f"operasi '{operator}' di templat akan menghasilkan nilai yang terlalu besar "
            f"(paling banyak {MAX_TEXT:,} karakter atau {MAX_INT_BITS} bit): sederhanakan templat"
        )


def _check_replace(text, old="", new="", count=-1, *_, **__) -> None:
    """Refuse ``text.replace(old, new)`` whose result would exceed MAX_TEXT, before building it."""
    if not all(isinstance(v, str) for v in (text, old, new)) or len(new) <= len(old):
        return
    times = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    if len(text) + times * (len(new) - len(old)) > MAX_TEXT:
        raise TemplateLimitError(
            f"replace() di templat akan menghasilkan teks yang terlalu besar (paling banyak {MAX_TEXT:,} karakter): "
            "sederhanakan templat"
        )


def _bounded_replace(inner):
    @functools.wraps(inner)  # keeps Jinja's pass_eval_context mark
    def bounded(eval_ctx, value, old, new, count=None):
        _check_replace(str(value), str(old), str(new), -1 if count is None else count)
        return inner(eval_ctx, value, old, new, count)

    return bounded


def _bounded_filter(inner):
    """A filter whose numeric arguments (widths, counts) are capped at MAX_TEXT."""

    @functools.wraps(inner)
    def bounded(*args, **kwargs):
        if any(isinstance(a, int) and abs(a) > MAX_TEXT for a in (*args, *kwargs.values())):
            raise TemplateLimitError(f"argumen filter terlalu besar di templat (paling besar {MAX_TEXT:,})")
        return inner(*args, **kwargs)

    return bounded


def _bounded_format(inner):
    @functools.wraps(inner)
    def bounded(value, *args, **kwargs):
        _check_binop("%", value, args)
        return inner(value, *args, **kwargs)

    return bounded


@functools.cache
def _bytecode_cache():
    from jinja2 import FileSystemBytecodeCache

    try:
        return FileSystemBytecodeCache()  # <tmp>/_jinja2-cache-<uid>, private to the user
    except Exception:  # no usable temporary folder: compile every time
        return None


@functools.cache
def environment() -> SandboxedEnvironment:
    """Jinja for templates: sandboxed (see ``_Environment``), strict about undefined names,
    autoescaping."""
    env = _Environment(undefined=StrictUndefined, autoescape=True, loader=DictLoader({}))
    for name in ("lipsum", "cycler", "joiner", "namespace", "dict"):
        env.globals.pop(name, None)
    env.globals["range"] = _BoundedRange
    for name in ("center", "indent", "wordwrap", "truncate", "batch", "slice"):
        env.filters[name] = _bounded_filter(env.filters[name])
    env.filters["format"] = _bounded_format(env.filters["format"])
    env.filters["replace"] = _bounded_replace(env.filters["replace"])
    return env


def check_archive(template: Path, data: bytes | None = None) -> None:
    """Refuse a template whose archive would unpack to more than MAX_TEMPLATE_BYTES or holds
    more than MAX_TEMPLATE_ENTRIES parts (a zip bomb), before anything is decompressed.
    ``data``: the template's bytes, when already read (``template`` then only names it).

    Raises KpuDocsError."""
    try:
        with zipfile.ZipFile(template if data is None else io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (OSError, zipfile.BadZipFile) as exc:
        raise TemplateError(f"{template}: bukan templat .docx yang dapat dibaca ({exc})") from None
    total = sum(e.file_size for e in entries)
    if len(entries) > MAX_TEMPLATE_ENTRIES or total > MAX_TEMPLATE_BYTES:
        raise TemplateError(
            f"{template}: arsip templat terlalu besar bila dibuka ({len(entries)} bagian, {total / 2**20:,.0f} MB; "
            f"paling banyak {MAX_TEMPLATE_ENTRIES} bagian dan {MAX_TEMPLATE_BYTES // 2**20} MB): "
            "bukan templat Word biasa"
        )


_CHECKED: dict[bytes, None] = {}  # SHA-256 of template contents that passed, oldest first
MAX_CHECKED = 64


def read_template(template: Path) -> bytes:
    """The template's bytes (at most MAX_TEMPLATE_BYTES). Raises KpuDocsError."""
    try:
        with open(template, "rb") as f:
            data = f.read(MAX_TEMPLATE_BYTES + 1)
    except OSError as exc:
        raise TemplateError(f"{template}: bukan templat .docx yang dapat dibaca ({exc})") from None
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateError(
            f"{template}: berkas templat terlalu besar (lebih dari {MAX_TEMPLATE_BYTES // 2**20} MB): "
            "bukan templat Word biasa"
        )
    return data


def is_checked(data: bytes) -> bool:
    """Whether a template with exactly these bytes passed the checks in this process."""
    return hashlib.sha256(data).digest() in _CHECKED


def _remember(data: bytes) -> None:
    if len(_CHECKED) >= MAX_CHECKED:
        _CHECKED.pop(next(iter(_CHECKED)))
    _CHECKED[hashlib.sha256(data).digest()] = None


def checked_template(template: Path) -> bytes:
    """The template's bytes, read once, refused unless they pass ``check_archive`` and
    ``check_references``. The checks run once per distinct content in a process (a batch
    renders the same template for every office; a template edited meanwhile is checked
    again). Raises KpuDocsError."""
    data = read_template(template)
    if not is_checked(data):
        check_references(template, data)
        _remember(data)
    return data


def check_loaded_template(template: Path, data: bytes, document) -> None:
    """``check_references`` for a template python-docx has just loaded from ``data`` (after
    ``check_archive``), reading the XML parts python-docx parsed from its trees instead of
    parsing them again (the styles alone are a third of a megabyte); the other parts and
    every relationship file are read from the archive as ``external_references`` reads them.
    Remembered like ``checked_template``. Raises KpuDocsError."""
    from docx.opc.part import XmlPart

    trees = {
        part.partname.membername: part.element for part in document.part.package.parts if isinstance(part, XmlPart)
    }
    _refuse_references(template, external_references(template, data, trees))
    _remember(data)


def export(directory: Path) -> Path:
    """Copy the default template to ``directory`` for editing; never overwrite."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / DEFAULT_TEMPLATE
    if target.exists():
        raise OutputError(f"{target} sudah ada: pilih folder lain atau hapus berkas itu lebih dulu")
    shutil.copyfile(default_template(), target)
    return target


# --- checking a template against the data -------------------------------------------------------


def template_paths(template: Path) -> set[str]:
    """Every dotted data path the template reads, loop variables resolved to their list
    (``c.pagu_rp`` inside ``for c in capaian`` → ``capaian[].pagu_rp``)."""
    from docx import Document
    from jinja2 import TemplateSyntaxError

    check_archive(template)
    try:
        tpl = DocxTemplate(str(template))
        doc = Document(str(template))
        xml = tpl.patch_xml(tpl.xml_to_string(doc.element.body))
        for rel in doc.part.rels.values():
            if rel.reltype in (tpl.HEADER_URI, tpl.FOOTER_URI):
                xml += tpl.patch_xml(rel.target_part.blob.decode("utf-8"))
    except Exception as exc:  # not a sound .docx: say so, with its name (as build does)
        raise TemplateError(f"{template}: bukan templat .docx yang dapat dibaca ({exc})") from None
    try:
        parsed = environment().parse(xml)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"{template}: templat tidak sah ({exc.message})") from None
    paths: set[str] = set()
    _collect(parsed, {}, paths)
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
    if isinstance(node, nodes.Filter) and node.node is not None:
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


# --- references to anything outside the document ---------------------------------------------------

_FIELD_FETCHES = re.compile(
    r"\b(INCLUDETEXT|INCLUDEPICTURE|INCLUDE|LINK|DDE|DDEAUTO|IMPORT|RD|DATABASE)\b", re.IGNORECASE
)
_SAFE_LINK = re.compile(r"^(https?:|mailto:|#)", re.IGNORECASE)
ATTACHED_TEMPLATE = "/attachedTemplate"  # Word's note of the .dotx a file was made from: dropped


def _local(name) -> str:
    return name.rsplit("}", 1)[-1] if isinstance(name, str) else ""


def _xml(data: bytes):
    """A part parsed as XML, as Word and LibreOffice read it (any prefix, either quote,
    character references resolved), never fetching anything; None when it does not parse."""
    from lxml import etree

    try:
        return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except etree.XMLSyntaxError:
        return None


_FIELD_PARTS = ("{*}fldChar", "{*}instrText", "{*}fldSimple")  # in any namespace (or none)


def _field_codes(root) -> list[str]:
    """Each field's code: a complex field's ``instrText`` pieces joined as Word joins them
    (without a separator: ``INCL`` + ``UDETEXT`` is INCLUDETEXT), a nested field's code
    inside its parent's; and each simple field's ``instr``."""
    codes: list[str] = []
    open_fields: list[list[str]] = []
    for element in root.iter(*_FIELD_PARTS):  # in document order
        local = _local(element.tag)
        if local == "fldChar":
            kind = next((v for k, v in element.attrib.items() if _local(k) == "fldCharType"), "")
            if kind == "begin":
                open_fields.append([])
            elif kind == "end" and open_fields:
                code = "".join(open_fields.pop())
                codes.append(code)
                if open_fields:
                    open_fields[-1].append(code)
        elif local == "instrText":
            (open_fields[-1] if open_fields else codes).append(element.text or "")
        elif local == "fldSimple":
            codes += [v for k, v in element.attrib.items() if _local(k) == "instr"]
    codes += ["".join(parts) for parts in open_fields]  # a field never closed
    return codes


def _field_findings(name: str, root) -> list[str]:
    """What in one parsed XML part would fetch something: a fetching field, an imported chunk
    (``altChunk``, whatever its relationship's type) and a document type declaration (Word
    writes none: its entities could spell a field code the scan cannot read, its external
    subset is itself a fetch)."""
    found = [f"{name}: deklarasi DTD (DOCTYPE)"] if root.getroottree().docinfo.doctype else []
    found += [
        f"{name}: kolom (field) {match.group(1).upper()}"
        for code in _field_codes(root)
        for match in _FIELD_FETCHES.finditer(code)
    ]
    if next(root.iter("{*}altChunk"), None) is not None:
        found.append(f"{name}: potongan dokumen sisipan (altChunk)")
    return found


def _must_parse(name: str) -> bool:
    """A Word part that has to be XML (a template where it is not is refused)."""
    return name.startswith("word/") and name.endswith(".xml")


def _may_be_xml(name: str, head: bytes) -> bool:
    """A part worth parsing as XML: named .xml, or starting like markup. Word reads a part by
    its content type, not its name or folder (the main document may be ``doc/x.bin``), so
    every part that is XML is scanned, not only ``word/*.xml``."""
    return name.endswith(".xml") or head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"


def _relationship_findings(name: str, kind: str, target: str, external: bool) -> list[str]:
    found = []
    if kind.endswith("/aFChunk"):  # imported HTML/RTF may fetch files
        found.append(f"{name}: potongan dokumen sisipan (altChunk) {target[:120]}")
    if external and not (kind.endswith("/hyperlink") and _SAFE_LINK.match(target.strip())):
        found.append(f"{name}: tautan {kind.rsplit('/', 1)[-1]} ke {target[:120]}")
    return found


def external_references(docx: Path, data: bytes | None = None, trees: dict | None = None) -> list[str]:
    """What in a .docx would make Word or LibreOffice fetch something from outside it: an
    external relationship other than a web/mail hyperlink (a picture linked to
    ``file:///…``, an OLE link, a frame) and fetching fields (INCLUDETEXT, INCLUDEPICTURE,
    LINK, DDE…), imported chunks (altChunk) and document type declarations. One description
    per finding, empty when there is none. Every part that is XML is read, wherever it lies
    (Word finds the main document by relationship, not by folder); parts are read as XML (not
    matched as text), so that neither another prefix, single quotes, character references
    nor a field code split across runs hides anything. ``data``: the file's bytes, when already read (``docx`` then only names it);
    ``trees``: parts already parsed from them (name in the archive → XML element).
    Raises KpuDocsError for a part that does not parse."""
    found = []
    with zipfile.ZipFile(docx if data is None else io.BytesIO(data)) as archive:
        for info in archive.infolist():
            name = info.filename
            is_rels = name.endswith(".rels")
            root = (trees or {}).get(name) if not is_rels else None
            if root is None:
                blob = archive.read(info)
                if not is_rels and not _may_be_xml(name, blob[:64]):
                    continue
                root = _xml(blob)
            if root is None:
                if not (is_rels or _must_parse(name)):
                    continue  # not XML (a picture, a binary): nothing Word reads fields from
                raise TemplateError(f"{docx}: bukan templat .docx yang dapat dibaca (bagian {name} bukan XML yang sah)")
            if is_rels:
                for rel in root.iter("{*}Relationship"):
                    attrs = {_local(k): v for k, v in rel.attrib.items()}
                    external = attrs.get("TargetMode", "").strip().casefold() == "external"
                    found += _relationship_findings(name, attrs.get("Type", ""), attrs.get("Target", ""), external)
            else:
                found += _field_findings(name, root)
    return found


def document_references(document) -> list[str]:
    """``external_references`` of the .docx a python-docx ``Document`` is about to be saved as
    (``zipping.save_docx``), read from its parts in memory: the XML trees that will be
    serialized and the relationships that will be written, in the order they will be
    written, without writing, re-reading or re-parsing the file. Raises KpuDocsError for a
    part (kept as bytes) that does not parse."""
    from docx.opc.part import XmlPart

    package = document.part.package
    found = _package_rels_findings("_rels/.rels", package.rels)
    for part in package.parts:
        name = part.partname.membername
        root = None
        if isinstance(part, XmlPart):
            root = part.element
        elif _may_be_xml(name, part.blob[:64]):
            root = _xml(part.blob)
            if root is None and _must_parse(name):
                raise TemplateError(f"bukan templat .docx yang dapat dibaca (bagian {name} bukan XML yang sah)")
        if root is not None:
            found += _field_findings(name, root)
        if part.rels:
            found += _package_rels_findings(part.partname.rels_uri.membername, part.rels)
    return found


def _package_rels_findings(name: str, rels) -> list[str]:
    found = []
    for rel in rels.values():
        found += _relationship_findings(name, rel.reltype, rel.target_ref, rel.is_external)
    return found


def drop_attached_template(document) -> None:
    """Remove Word's link to the template a document was made from (python-docx Document)."""
    from docx.oxml.ns import qn

    part = document.part._settings_part
    for rid, rel in list(part.rels.items()):
        if rel.is_external and rel.reltype.endswith(ATTACHED_TEMPLATE):
            part.rels.pop(rid)
    for element in part.element.findall(qn("w:attachedTemplate")):
        part.element.remove(element)


def check_references(template: Path, data: bytes | None = None) -> None:
    """Refuse a template that links to anything outside itself (see ``external_references``);
    its note of an attached .dotx is allowed (it is dropped at rendering). ``data``: the
    template's bytes, when already read. Raises KpuDocsError."""
    check_archive(template, data)  # a readable archive of modest size, before reading its parts
    _refuse_references(template, external_references(template, data))


def _refuse_references(template: Path, found: list[str]) -> None:
    found = [f for f in found if "attachedTemplate" not in f]
    if found:
        raise TemplateError(
            f"{template}: templat memuat tautan ke berkas atau program di luar dokumen ({'; '.join(found[:3])}): "
            "hapus gambar/objek bertaut dan kolom INCLUDE/LINK/DDE, lalu sisipkan gambarnya langsung"
        )
