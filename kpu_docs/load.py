"""Load an input file: YAML → the model, refusing bad input with file, line and key path.

Every problem found is reported at once. Structural rules that a reader of one value
cannot see (duplicate codes, a child code that does not extend its parent's) are
checked here too, so nothing downstream ever sees an inconsistent tree.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from .errors import InputError, KeyPath, Location, Problem, format_key_path
from .model import AnnualReportInput, Detail, Kegiatan, Node, Output, SubOutput, child_key

try:  # the C loader is several times faster; fall back where libyaml is absent
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


@dataclass(frozen=True)
class Document:
    """A loaded input: the validated model and a way back to lines in its file."""

    path: Path | None
    data: AnnualReportInput
    lines: LineMap

    def location(self, key_path: KeyPath) -> Location:
        return Location(self.path, self.lines.line(key_path), key_path)

    def resolve(self, name: str) -> Path:
        """A file named in the input (logo, images), relative to the input's folder."""
        base = self.path.parent if self.path else Path.cwd()
        return (base / name).resolve()


class LineMap:
    """Finds the 1-based line of a key path in the composed YAML node tree."""

    def __init__(self, root: yaml.Node | None):
        self._root = root

    def line(self, key_path: KeyPath) -> int | None:
        return self._find(key_path)[0]

    def source_text(self, key_path: KeyPath) -> str | None:
        """The scalar as written in the file (``1.000``, not YAML's 1.0)."""
        line, node, complete = self._find(key_path)
        return node.value if complete and isinstance(node, yaml.ScalarNode) else None

    def _find(self, key_path: KeyPath) -> tuple[int | None, yaml.Node | None, bool]:
        node = self._root
        if node is None:
            return None, None, False
        line = node.start_mark.line + 1
        for part in key_path:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                for key, value in node.value:
                    if key.value == part:
                        line, node = key.start_mark.line + 1, value
                        break
                else:
                    return line, node, False  # missing key: point at the mapping that lacks it
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                return line, node, False
        return line, node, True


def load(path: str | Path) -> Document:
    """Read and validate an input file; raise InputError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([Problem(Location(path), "berkas tidak ditemukan: periksa nama dan foldernya")]) from None
    except UnicodeDecodeError:
        raise InputError([Problem(Location(path), "berkas bukan teks UTF-8: simpan ulang sebagai UTF-8")]) from None
    return loads(text, path)


def loads(text: str, path: Path | None = None) -> Document:
    """Validate YAML text; ``path`` is only used in messages."""
    root, raw = _parse(text, path)
    lines = LineMap(root)
    problems = _duplicate_keys(root, path, ())
    if not isinstance(raw, dict):
        problems.append(Problem(Location(path, 1), "isi berkas harus berupa pemetaan kunci: nilai (mulai dengan satker:, tahun:, …)"))
        raise InputError(problems)
    try:
        data = AnnualReportInput.model_validate(raw)
    except ValidationError as exc:
        problems += [_problem(err, path, lines) for err in exc.errors()]
        raise InputError(problems) from None
    problems += [Problem(Location(path, lines.line(kp), kp), msg) for kp, msg in _tree_problems(data)]
    if problems:
        raise InputError(problems)
    return Document(path, data, lines)


def _parse(text: str, path: Path | None) -> tuple[yaml.Node | None, object]:
    """Parse once: the node tree (kept for line numbers) and the data built from it."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or "YAML tidak sah"
        raise InputError(
            [
                Problem(
                    Location(path, line),
                    f"YAML tidak sah ({what}). Periksa indentasi (spasi, bukan tab), tanda ':' setelah "
                    "setiap kunci, dan tanda kutip pada teks yang memuat ':' atau '#'",
                )
            ]
        ) from None
    finally:
        loader.dispose()


def _duplicate_keys(node: yaml.Node | None, path: Path | None, key_path: KeyPath) -> list[Problem]:
    problems: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                problems.append(
                    Problem(
                        Location(path, key.start_mark.line + 1, (*key_path, key.value)),
                        f"kunci '{key.value}' ditulis dua kali: hapus salah satunya",
                    )
                )
            seen.add(key.value)
            problems += _duplicate_keys(value, path, (*key_path, key.value))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            problems += _duplicate_keys(item, path, (*key_path, i))
    return problems


# --- pydantic errors → Indonesian problems ----------------------------------------------------


def _all_aliases(model: type[BaseModel], seen: set[type] | None = None) -> set[str]:
    seen = seen if seen is not None else set()
    if model in seen:
        return set()
    seen.add(model)
    names = set()
    for name, field in model.model_fields.items():
        names.add(field.alias or name)
        for arg in _types_in(field.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                names |= _all_aliases(arg, seen)
    return names


def _types_in(annotation) -> list:
    args = getattr(annotation, "__args__", None)
    if not args:
        return [annotation]
    return [t for a in args for t in _types_in(a)]


_KNOWN_KEYS = sorted(_all_aliases(AnnualReportInput))


def _problem(err: dict, path: Path | None, lines: LineMap) -> Problem:
    loc = tuple(err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        close = difflib.get_close_matches(key, _KNOWN_KEYS, n=1, cutoff=0.6)
        hint = f"; maksud Anda '{close[0]}'?" if close else ": hapus kunci ini atau periksa ejaannya"
        message = f"kunci '{key}' tidak dikenal{hint}"
    elif kind == "missing":
        message = f"'{loc[-1]}' wajib diisi: tambahkan kunci ini"
    elif kind == "value_error":
        message = str(err["ctx"]["error"])
        written = lines.source_text(loc)
        if isinstance(err.get("input"), float) and written is not None:
            message = message.replace(f"({err['input']!r})", f"({written} dibaca sebagai {err['input']!r})")
    elif kind == "literal_error":
        message = f"nilai '{err.get('input')}' tidak dikenal: tulis salah satu dari {err['ctx']['expected']}"
    elif kind.startswith("date"):
        message = "tanggal tidak sah: tulis sebagai YYYY-MM-DD, mis. 2024-01-31"
    elif kind in ("string_type", "string_too_short"):
        message = "harus berupa teks yang tidak kosong (gunakan tanda kutip bila perlu)"
    elif kind == "list_type":
        message = "harus berupa daftar (setiap butir diawali '- ')"
    elif kind == "too_short":
        message = "daftar ini tidak boleh kosong"
    elif kind in ("model_type", "dict_type"):
        message = "harus berupa pemetaan kunci: nilai"
    elif kind.startswith("int") or kind.startswith("greater") or kind.startswith("less"):
        message = f"bilangan tidak sah ({err['msg']})"
    else:
        message = err["msg"]
    line = lines.line(loc)
    return Problem(Location(path, line, loc), message)


# --- the tree's own rules ----------------------------------------------------------------------

_PROGRAM_CODE = re.compile(r"^\d{3}\.\d{2}\.[A-Z]{2}$")
_SEGMENT = {
    Kegiatan: (re.compile(r"^\d{4}$"), "empat angka, mis. CQ.6709"),
    Output: (re.compile(r"^[A-Z]{3}$"), "tiga huruf kapital, mis. CQ.6709.QGE"),
    SubOutput: (re.compile(r"^\d{3}$"), "tiga angka, mis. CQ.6709.QGE.001"),
    Detail: (re.compile(r"^[A-Za-z0-9]{1,6}$"), "satu segmen huruf/angka, mis. CQ.6709.QGE.001.051"),
}


def _tree_problems(data: AnnualReportInput) -> list[tuple[KeyPath, str]]:
    """Codes: well formed, extending their parent's, unique in the whole tree."""
    problems: list[tuple[KeyPath, str]] = []
    seen: dict[str, KeyPath] = {}

    def visit(node: Node, parent_code: str | None, key_path: KeyPath, depth: int) -> None:
        code = node.code
        if parent_code is None:
            if not _PROGRAM_CODE.match(code):
                problems.append(((*key_path, "kode"), f"kode program '{code}' tidak sah: tulis lengkap, mis. 076.01.CQ"))
            prefix = code.rsplit(".", 1)[-1]
        else:
            pattern, example = _SEGMENT[type(node)]
            head, _, last = code.rpartition(".")
            if head != parent_code:
                problems.append(
                    (
                        (*key_path, "kode"),
                        f"kode '{code}' tidak melanjutkan kode induknya '{parent_code}': "
                        f"tulis kode lengkap yang diawali '{parent_code}.'",
                    )
                )
            elif not pattern.match(last):
                problems.append(((*key_path, "kode"), f"segmen terakhir kode '{code}' harus {example}"))
            prefix = code
        if code in seen:
            problems.append(
                ((*key_path, "kode"), f"kode '{code}' sudah dipakai di {format_key_path(seen[code])}: setiap kode harus unik")
            )
        seen.setdefault(code, key_path)
        for i, child in enumerate(node.children):
            visit(child, prefix, (*key_path, child_key(depth), i), depth + 1)

    for i, program in enumerate(data.programs):
        visit(program, None, ("program", i), 0)
    for g, grant in enumerate(data.grants):  # each grant's tree on its own: its codes may repeat the DIPA's
        seen = {}
        for i, program in enumerate(grant.programs):
            visit(program, None, ("hibah", g, "program", i), 0)
    return problems
