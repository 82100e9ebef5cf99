"""Load an input file: YAML → the model, refusing bad input with file, line and key path.

Every problem found is reported at once: the file's bytes (encoding, control characters),
the YAML as written (numbers YAML 1.1 misreads, text cut by a ``#``, aliases that expand
without bound, absurd lengths), the model (pydantic) and the budget tree's codes.
Problems that still leave a meaningful model (a misread number, a cut sentence) are
kept on the ``Document`` so that ``validate`` can list them beside its own findings;
the others raise ``InputError`` at once.
"""

from __future__ import annotations

import calendar
import dataclasses
import difflib
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from kpu_docs.errors import InputError, KeyPath, Location, Problem, format_key_path
from kpu_docs.formatting import MONTHS
from kpu_docs.input.model import AnnualReportInput, Program
from kpu_docs.vocabulary import (
    ANY_SEGMENT,
    ANY_SHAPE,
    LEVELS,
    NARRATIVES,
    PROGRAM_CODE,
    Level,
    code_prefix,
    dict_children,
    walk,
)

try:  # the C loader is several times faster; fall back where libyaml is absent
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

# Bounds on what one input may cost (hostile or mistaken files): see DOMAIN.md for sizes
# of real reports (a few hundred RO, paragraphs of a few hundred words).
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_TEXT_CHARS = 30_000  # one scalar: ~4,000 words; below Excel's 32,767 characters per cell
MAX_NODES = 500_000  # YAML nodes after expanding aliases (billion laughs)
TEXT_PER_NODE = 64  # characters counted as one node: aliased text expands to at most ~32 MB
MAX_INT_DIGITS = 30  # longer plain integers are kept as text and refused by the model
MAX_DEPTH = 100  # nesting; a real input is about 10 deep (libyaml's composer crashes near 50,000)


@dataclass(frozen=True)
class Document:
    """A loaded input: the validated model and a way back to lines in its file.

    ``problems``: errors that left the model meaningful (e.g. an octal ``pagu`` read as
    decimal); ``validate`` reports them as errors. ``notices``: what was assumed or
    replaced (the encoding, a control character), reported as information."""

    path: Path | None
    data: AnnualReportInput
    lines: LineMap
    problems: tuple[Problem, ...] = ()
    notices: tuple[Problem, ...] = ()
    digest: str = ""  # SHA-256 (hex) of the file's text as read (``load``: UTF-8, "\n" line ends); "" for a text given

    def location(self, key_path: KeyPath) -> Location:
        return Location(self.path, self.lines.line(key_path), key_path)

    def resolve(self, name: str) -> Path:
        """A file named in the input (logo, images), relative to the input's folder."""
        base = self.path.parent if self.path else Path.cwd()
        return (base / name).resolve()


class LineMap:
    """Finds the 1-based line of a key path (or of words in a text) in the composed YAML."""

    def __init__(self, root: yaml.Node | None, text: str = ""):
        self._root = root
        self._source = text.split("\n") if text else []

    def line(self, key_path: KeyPath) -> int | None:
        return self._find(key_path)[0]

    def block_mapping(self, key_path: KeyPath) -> bool:
        """Is the value at ``key_path`` a block mapping (``a: b`` typed as text), not a flow ``{a: b}``?"""
        _, node, complete = self._find(key_path)
        return complete and isinstance(node, yaml.MappingNode) and not node.flow_style

    def source_text(self, key_path: KeyPath) -> str | None:
        """The scalar as written in the file (``1.000``, not YAML's 1.0)."""
        line, node, complete = self._find(key_path)
        return node.value if complete and isinstance(node, yaml.ScalarNode) else None

    def text_line(self, key_path: KeyPath, fragment: str) -> int | None:
        """The line where ``fragment`` (words quoted from the text at ``key_path``) starts.

        A folded paragraph spans several lines, so the fragment is matched word by word
        across line breaks, from the scalar's first line to its last."""
        line, node, complete = self._find(key_path)
        words = fragment.split()[:6]
        if not complete or not isinstance(node, yaml.ScalarNode) or not self._source or not words:
            return line
        first, last = node.start_mark.line, min(node.end_mark.line, len(self._source) - 1)
        starts, parts, offset = [], [], 0
        for i in range(first, last + 1):
            starts.append(offset)
            parts.append(self._source[i])
            offset += len(self._source[i]) + 1
        match = re.search(r"\s+".join(re.escape(w) for w in words), "\n".join(parts))
        if match is None:
            return line
        return first + 1 + sum(1 for s in starts[1:] if s <= match.start())

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


# --- reading the file ---------------------------------------------------------------------------


def read_input(path: str | Path) -> tuple[str, str | None]:
    """The file's text with ``\n`` line ends, and the encoding assumed when it is not UTF-8.

    See ``read_text_as_typed``. Raises InputError for a missing, oversized or undecodable file."""
    text, encoding = read_text_as_typed(path)[:2]
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


def read_text_as_typed(path: str | Path) -> tuple[str, str | None, bytes]:
    """(text with its own line ends and BOM, encoding assumed when not UTF-8, the raw bytes).

    UTF-8 first; otherwise Windows-1252, what Notepad on an office PC writes. Raises
    InputError for a missing, oversized (``MAX_FILE_BYTES``) or undecodable file."""
    path = Path(path)
    try:
        # O_NONBLOCK: a FIFO or a device given as the input must not block the command for ever
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as f:
            mode = os.fstat(f.fileno()).st_mode
            if stat.S_ISDIR(mode):
                raise IsADirectoryError
            if not stat.S_ISREG(mode):
                raise InputError(
                    [
                        Problem(
                            Location(path),
                            "ini bukan berkas biasa (pipa atau perangkat): beri nama berkas masukan .yaml",
                        )
                    ]
                )
            raw = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise InputError([Problem(Location(path), "berkas tidak ditemukan: periksa nama dan foldernya")]) from None
    except IsADirectoryError:
        raise InputError([Problem(Location(path), "ini folder, bukan berkas masukan YAML")]) from None
    except OSError as exc:
        raise InputError([Problem(Location(path), f"berkas tidak dapat dibaca ({exc.strerror})")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(
            [
                Problem(
                    Location(path),
                    f"berkas lebih besar dari {MAX_FILE_BYTES // 2**20} MB: "
                    "ini bukan masukan laporan tahunan yang wajar",
                )
            ]
        )
    encoding = None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text, encoding = raw.decode("cp1252"), "Windows-1252"
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise InputError(
                [
                    Problem(
                        Location(path, line), "berkas bukan teks UTF-8 maupun Windows-1252: simpan ulang sebagai UTF-8"
                    )
                ]
            ) from None
    return text, encoding, raw


def encoding_notice(path: Path, encoding: str) -> Problem:
    """The notice that a file was read in ``encoding`` (not UTF-8), for every command."""
    return Problem(
        Location(path),
        f"berkas bukan UTF-8; dibaca sebagai {encoding} (ANSI, bawaan Notepad "
        "di Windows). Periksa huruf seperti é, “ ” dan –, lalu simpan sebagai UTF-8",
    )


def load(path: str | Path, *, keep_going: bool = False) -> Document:
    """Read and validate an input file; raise InputError listing every problem.

    With ``keep_going``, problems that leave a meaningful model are returned on the
    Document (``problems``) instead of raised, so that validation can report them together
    with its own findings."""
    path = Path(path)
    text, encoding = read_input(path)
    notices = [encoding_notice(path, encoding)] if encoding else []
    document = loads(text, path, keep_going=keep_going, notices=notices)
    # of the text as read, not the bytes: a file saved again with other line ends, a byte-order
    # mark or in ANSI says the same and builds the same report
    return dataclasses.replace(document, digest=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())


def loads(
    text: str, path: Path | None = None, *, keep_going: bool = False, notices: list[Problem] | None = None
) -> Document:
    """Validate YAML text; ``path`` is only used in messages. See ``load``."""
    notices = list(notices or [])
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    text, soft = _control_characters(text, path, notices)
    _bound_flow_nesting(text, path)
    root = _compose(text, path)
    lines = LineMap(root, text)
    _bound_expansion(root, text, path)
    soft += _scalar_problems(root, text, path)
    raw = _construct(root, text, path)
    hard = []
    if not isinstance(raw, dict):
        hard.append(
            Problem(
                Location(path, 1), "isi berkas harus berupa pemetaan kunci: nilai (mulai dengan satker:, tahun:, …)"
            )
        )
        raise InputError(soft + hard, notices)
    hard += _strings(raw, path, lines, notices)
    seen = {p.location.path for p in soft + hard}
    errors: list = []
    data: AnnualReportInput | None
    try:
        data = AnnualReportInput.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
        hard += [p for p in (_problem(err, path, lines) for err in errors) if p.location.path not in seen]
        data = None
    tree = _tree_problems(raw)
    hard += [Problem(Location(path, lines.line(kp), kp), msg) for kp, msg in tree]
    if hard or (soft and not keep_going) or data is None:
        error = InputError(_in_file_order(soft + hard), _in_file_order(notices))
        if keep_going and not tree and not any(e["loc"][:1] == ("program",) for e in errors):
            error.partial = _budget_only(raw, path, lines)
        raise error
    return Document(path, data, lines, tuple(_in_file_order(soft)), tuple(_in_file_order(notices)))


def _budget_only(raw: dict, path: Path | None, lines: LineMap) -> Document | None:
    """The budget tree alone, when it is sound but another part of the input is not: its
    figures can still be checked (``validate.validate_budget``) in the same run."""
    try:
        programs = TypeAdapter(list[Program]).validate_python(raw.get("program"))
    except ValidationError:
        return None
    year = raw.get("tahun") if isinstance(raw.get("tahun"), int) else None
    return Document(path, AnnualReportInput.model_construct(programs=programs, year=year), lines)


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: p.location.line or 0)


# --- characters ------------------------------------------------------------------------------------

# Word's manual line break (Shift+Enter) and page break arrive as VT and FF: a space.
_AS_SPACE = {"\x0b": "pemisah baris manual dari Word", "\x0c": "pemisah halaman dari Word"}
# U+FFFE and U+FFFF (reachable through YAML escapes) are not allowed in XML: Word and Excel
# files holding them are refused by the writers, so they are refused here like C0.
_C0 = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def _describe(char: str) -> str:
    return f"U+{ord(char):04X}"


def _replacement(char: str) -> str | None:
    """What a control character pasted into the input stands for, or None to refuse it.

    U+0080–U+009F are Windows-1252 bytes read as Latin-1 (U+0096 is an en dash)."""
    if char in _AS_SPACE:
        return " "
    if "\x80" <= char <= "\x9f":
        try:
            return bytes([ord(char)]).decode("cp1252")
        except UnicodeDecodeError:
            return None
    return None


def clean_text(text: str) -> tuple[str, list[tuple[int, str, str | None]]]:
    """``text`` with pasted control characters replaced, and each one found as
    (offset, character, replacement or None where it is refused; it then becomes a space).

    The same rule for the raw file and for strings written with YAML escapes (``"\\x0b"``),
    so every field is treated alike. The length never changes, so positions still hold."""
    found: list[tuple[int, str, str | None]] = []

    def swap(match: re.Match) -> str:
        char = match.group(0)
        new = _replacement(char)
        found.append((match.start(), char, new))
        return new if new is not None else " "

    if not _C0.search(text):
        return text, found
    return _C0.sub(swap, text), found


MAX_LISTED = 50  # control characters listed one by one; the rest are counted


def _control_characters(text: str, path: Path | None, notices: list[Problem]) -> tuple[str, list[Problem]]:
    """Replace (with a notice) or refuse (with line and column) control characters in the file."""
    cleaned, found = clean_text(text)
    problems: list[Problem] = []
    line, line_start, scanned = 1, 0, 0
    for start, char, new in found[:MAX_LISTED]:
        line += text.count("\n", scanned, start)  # incremental: linear in the file's length
        line_start = text.rfind("\n", 0, start) + 1
        scanned = start
        column = start - line_start + 1
        where = Location(path, line)
        if new is None:
            problems.append(
                Problem(
                    where,
                    f"karakter kendali {_describe(char)} di kolom {column} tidak dapat "
                    "dicetak: hapus karakter itu (biasanya tersalin dari Word atau PDF)",
                )
            )
        else:
            what = _AS_SPACE.get(char, f"huruf Windows-1252 yang terbaca keliru, menjadi '{new}'")
            notices.append(
                Problem(
                    where,
                    f"karakter kendali {_describe(char)} di kolom {column} ({what}) diganti "
                    f"dengan {'spasi' if new == ' ' else repr(new)}",
                )
            )
    rest = found[MAX_LISTED:]
    if rest:
        refused = sum(1 for _, _, new in rest if new is None)
        summary = f"dan {len(rest)} karakter kendali lain sesudahnya ({refused} tidak dapat dicetak)"
        (problems if refused else notices).append(Problem(Location(path), summary))
    return cleaned, problems


# --- YAML ---------------------------------------------------------------------------------------


class _Loader(_BaseLoader):
    """The safe loader, with constructors that never raise on what a user may type."""


def _timestamp(loader: yaml.constructor.SafeConstructor, node: yaml.ScalarNode) -> Any:
    """An impossible date (2024-02-30) stays text, refused by the model with its line."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return node.value


def _int(loader: yaml.constructor.SafeConstructor, node: yaml.ScalarNode) -> Any:
    """Integers as YAML 1.1 reads them, except: a leading zero is read as decimal (and
    reported by ``_scalar_problems``), and a number too long to be meaningful stays text."""
    value = node.value.replace("_", "")
    digits = value.lstrip("+-")
    if len(digits) > MAX_INT_DIGITS:
        return node.value
    if re.fullmatch(r"0[0-9]+", digits):
        return int(value, 10)
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:
        return node.value


# types-PyYAML types add_constructor for BaseConstructor subclasses only, not SafeConstructor's
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)  # type: ignore[type-var]
_Loader.add_constructor("tag:yaml.org,2002:int", _int)  # type: ignore[type-var]


def _compose(text: str, path: Path | None) -> yaml.Node | None:
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = _yaml_problem(exc.problem or "")
        raise InputError(
            [
                Problem(
                    Location(path, line),
                    f"YAML tidak sah ({what}). Periksa indentasi (spasi, bukan tab), tanda ':' setelah "
                    "setiap kunci, dan tanda kutip pada teks yang memuat ':' atau '#'",
                )
            ]
        ) from None
    except yaml.YAMLError as exc:  # a reader error: a character YAML does not accept
        position = getattr(exc, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else None
        char = getattr(exc, "character", None)
        what = f"karakter {_describe(chr(char) if isinstance(char, int) else str(char))}" if char is not None else "isi"
        raise InputError(
            [Problem(Location(path, line), f"YAML tidak sah: {what} tidak diterima YAML; hapus karakter itu")]
        ) from None
    finally:
        loader.dispose()


_YAML_PROBLEMS = (  # libyaml's words → what the user sees
    ("mapping values are not allowed", "ada ': ' di tengah nilai; teks yang memuat ': ' harus dalam tanda kutip"),
    ("did not find expected key", "indentasi tidak rata atau tanda '- ' tidak pada tempatnya"),
    ("could not find expected ':'", "tanda ':' tidak ditemukan setelah kunci"),
    ("did not find expected '-' indicator", "butir daftar harus diawali '- ' dengan indentasi yang sama"),
    (
        "found character that cannot start any token",
        "ada karakter yang tidak boleh mengawali nilai (tab, '@' atau '`'); "
        "gunakan spasi untuk indentasi, atau tanda kutip",
    ),
    ("found unexpected end of stream", "berkas berakhir di tengah nilai: tanda kutip atau kurung belum ditutup"),
    ("found undefined alias", "alias (*nama) tanpa jangkar (&nama) yang sesuai"),
    ("found duplicate anchor", "jangkar (&nama) yang sama dipakai dua kali"),
    ("did not find expected ',' or ']'", "daftar [ … ] belum ditutup atau tanpa koma"),
    ("did not find expected ',' or '}'", "pemetaan { … } belum ditutup atau tanpa koma"),
    (
        "found unknown escape character",
        "escape dengan '\\' tidak dikenal dalam tanda kutip ganda; gunakan tanda kutip tunggal",
    ),
    ("found invalid Unicode character escape code", "escape Unicode tidak sah dalam tanda kutip ganda"),
    ("found a tab character", "ada tab: gunakan spasi untuk indentasi"),
    ("expected a single document", "berkas hanya boleh berisi satu dokumen (hapus baris '---' tambahan)"),
    ("found unexpected ':'", "tanda ':' tidak pada tempatnya"),
    ("block sequence entries are not allowed", "butir daftar ('- ') tidak boleh di sini; periksa indentasi"),
)


def _yaml_problem(problem: str) -> str:
    return next((ours for theirs, ours in _YAML_PROBLEMS if theirs in problem), "susunan YAML tidak dapat dibaca")


def _construct(root: yaml.Node | None, text: str, path: Path | None) -> object:
    if root is None:
        return None
    loader = _Loader("")
    try:
        return loader.construct_document(root)
    except yaml.YAMLError as exc:  # a tag such as !!python/object: the safe loader never builds it
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            [
                Problem(
                    Location(path, mark.line + 1 if mark else None),
                    "YAML tidak sah: tag khusus (diawali '!') tidak diterima; tulis nilai biasa",
                )
            ]
        ) from None
    except RecursionError:
        raise InputError([Problem(Location(path), "YAML bersarang terlalu dalam")]) from None
    finally:
        loader.dispose()


def _too_deep(line: int | None, path: Path | None) -> InputError:
    return InputError(
        [
            Problem(
                Location(path, line),
                f"YAML bersarang lebih dari {MAX_DEPTH} tingkat: ini bukan "
                "masukan laporan tahunan yang wajar; periksa tanda [ dan {",
            )
        ]
    )


def _bound_flow_nesting(text: str, path: Path | None) -> None:
    """Refuse ``[[[[…`` before libyaml composes it (its recursive composer would crash the
    process). Counting every bracket, even inside text, over-estimates the depth: safe."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth = 0
    for i, char in enumerate(text):
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(text.count("\n", 0, i) + 1, path)
        elif char in "]}" and depth:
            depth -= 1


_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)


def _bound_expansion(root: yaml.Node | None, text: str, path: Path | None) -> None:
    """Refuse aliases that refer to themselves or expand beyond MAX_NODES (billion laughs).

    Each distinct node is sized once (memoised), so the check costs the size of the file,
    not of its expansion."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if depth > MAX_DEPTH:
            raise _too_deep(node.start_mark.line + 1, path)
        if key in active:
            raise InputError(
                [
                    Problem(
                        Location(path, node.start_mark.line + 1),
                        "alias YAML (*nama) merujuk ke dirinya sendiri: tulis isinya langsung",
                    )
                ]
            )
        active.add(key)
        total = 1
        if isinstance(node, yaml.ScalarNode):  # text counts by its length: aliases to a long paragraph
            total += len(node.value) // TEXT_PER_NODE
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            children = []
        for child in children:
            total += size(child, depth + 1)
            if total > MAX_NODES:
                raise InputError(
                    [
                        Problem(
                            Location(path, node.start_mark.line + 1),
                            f"alias YAML (&nama/*nama) mengembang menjadi lebih dari {MAX_NODES:,} "
                            "unsur: tulis isinya langsung tanpa alias".replace(",", "."),
                        )
                    ]
                )
        active.discard(key)
        sizes[key] = total
        return total

    if root is None:
        return
    if "&" not in text and max((len(m) for m in _INDENT.findall(text)), default=0) <= MAX_DEPTH // 2:
        return  # no anchor, so no alias; and too shallow to matter (depth <= 2 x indent + flow depth)
    try:
        size(root, 0)
    except RecursionError:
        raise InputError([Problem(Location(path), "YAML bersarang terlalu dalam")]) from None


_PARAGRAPH_KEYS = frozenset({*(s.key for s in NARRATIVES), "tugas_fungsi", "tugas", "uraian", "narasi"})
_NOT_TEXT_KEYS = frozenset(
    {"kode", "logo", "berkas", "$schema", "pagu", "realisasi", "tahun", "tanggal", "tingkat", "status"}
)
_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?")


def _scalar_problems(root: yaml.Node | None, text: str, path: Path | None) -> list[Problem]:
    """What YAML reads differently from what was meant, and what is too long, per scalar.

    Also duplicate keys, which YAML would silently resolve to the last one."""
    problems: list[Problem] = []
    source = text.split("\n")

    def at(node: yaml.Node, key_path: KeyPath) -> Location:
        return Location(path, node.start_mark.line + 1, key_path)

    def visit(node: yaml.Node, key_path: KeyPath, key: str | None, in_list: bool) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for k, v in node.value:
                name = str(k.value)
                if name in seen:
                    problems.append(
                        Problem(
                            Location(path, k.start_mark.line + 1, (*key_path, name)),
                            f"kunci '{name}' ditulis dua kali: hapus salah satunya",
                        )
                    )
                seen.add(name)
                visit(v, (*key_path, name), name, False)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                visit(item, (*key_path, i), key, True)
        elif isinstance(node, yaml.ScalarNode):
            scalar(node, key_path, key, in_list)

    def scalar(node: yaml.ScalarNode, key_path: KeyPath, key: str | None, in_list: bool) -> None:
        value = node.value
        plain = not node.style
        if len(value) > MAX_TEXT_CHARS:
            problems.append(
                Problem(
                    at(node, key_path),
                    f"teks sepanjang {len(value):,} karakter melebihi batas "
                    f"{MAX_TEXT_CHARS:,}: pecah menjadi beberapa paragraf".replace(",", "."),
                )
            )
            return
        if not plain:
            return
        digits = value.lstrip("+-")
        if len(digits) > MAX_INT_DIGITS:
            pass  # kept as text by _int: the model refuses it as too large, without int() on it
        elif node.tag == "tag:yaml.org,2002:int":
            if re.fullmatch(r"0[0-9_]+", digits):
                problems.append(
                    Problem(
                        at(node, key_path),
                        (
                            f"{value} diawali angka 0: YAML membacanya sebagai bilangan oktal "
                            f"({_octal(digits)}), bukan {int(digits.replace('_', ''))}. Tulis tanpa 0 di depan "
                            f"({int(digits.replace('_', ''))}) atau, bila angka 0 itu memang bagian dari teks, dalam tanda kutip"
                        ),
                    )
                )
            elif re.fullmatch(r"0[xXoObB].*", digits):
                problems.append(
                    Problem(
                        at(node, key_path),
                        f"{value} dibaca YAML sebagai bilangan heksadesimal/"
                        "biner: tulis bilangan desimal biasa, atau dalam tanda kutip bila berupa teks",
                    )
                )
            elif _SEXAGESIMAL.fullmatch(value):
                problems.append(
                    Problem(
                        at(node, key_path),
                        f"{value} dibaca YAML sebagai bilangan basis 60 "
                        f"({_base60(value)}): "
                        "tulis dalam tanda kutip bila berupa teks atau jam",
                    )
                )
        elif key in ("pagu", "realisasi") and re.fullmatch(r"0[0-9]+", value):
            problems.append(
                Problem(
                    at(node, key_path),
                    (
                        f"{value} diawali angka 0: YAML 1.1 membaca angka seperti ini sebagai oktal atau teks, jadi bisa "
                        f"terbaca lain dari yang dimaksud. Tulis tanpa 0 di depan ({int(value)})"
                    ),
                )
            )
        elif node.tag == "tag:yaml.org,2002:float" and _SEXAGESIMAL.fullmatch(value):
            problems.append(
                Problem(at(node, key_path), f"{value} dibaca YAML sebagai bilangan basis 60: tulis dalam tanda kutip")
            )
        if key in _NOT_TEXT_KEYS or node.tag != "tag:yaml.org,2002:str":
            return
        cut = _comment_after(node, source)
        if cut is not None and (key in _PARAGRAPH_KEYS and in_list or not cut.startswith("# ")):
            problems.append(
                Problem(
                    at(node, key_path),
                    (
                        f"teks terpotong oleh tanda '#': YAML membaca '{_clip(cut)}' sebagai komentar, sehingga yang "
                        f"terbaca hanya '…{_clip(value[-40:])}'. Tulis seluruh teks dalam tanda kutip "
                        "(\"…\") atau sebagai blok '>-' di baris berikutnya; komentar sungguhan tulis di baris sendiri"
                    ),
                )
            )

    if root is not None:
        visit(root, (), None, False)
    return problems


def _base60(value: str) -> str:
    total = 0.0
    for part in value.lstrip("+-").split(":"):
        total = total * 60 + float(part.replace("_", "") or 0)
    return f"{total:g}"


def _octal(digits: str) -> str:
    try:
        return str(int(digits.replace("_", ""), 8))
    except ValueError:  # 08, 09: YAML 1.1 reads these as text or base 60; still not meant
        return "bukan bilangan desimal"


def _clip(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _comment_after(node: yaml.ScalarNode, source: list[str]) -> str | None:
    """The comment right after the plain scalar (``… 2023 #2 …``), if any, as written.

    A comment ends a plain scalar, so it can only sit on the scalar's last line, right after
    its end mark; that line may hold only the last few words of a multi-line paragraph."""
    if node.end_mark.line >= len(source):
        return None
    line = source[node.end_mark.line]
    match = re.match(r"[ \t]+#", line[node.end_mark.column :])
    if match:
        return line[node.end_mark.column :].strip()
    # the mark counts characters of the stream YAML read; if it misses, match the text instead
    match = re.search(r"[ \t]#", line)
    if not match:
        return None
    before = " ".join(line[: match.start()].split())
    value = " ".join(node.value.split())
    tail = value[-20:]
    if not tail or not before:
        return None
    if before.endswith(tail) or (node.start_mark.line < node.end_mark.line and value.endswith(before)):
        return line[match.start() :].strip()
    return None


# --- strings after YAML: escapes, lengths that documents cannot hold --------------------------------


def _strings(raw: object, path: Path | None, lines: LineMap, notices: list[Problem]) -> list[Problem]:
    """Control characters written as YAML escapes ("\\x0b"), treated as in the raw file.

    Replacement happens in place in the constructed data, before the model sees it."""
    problems: list[Problem] = []

    def fix(value: str, key_path: KeyPath) -> str:
        new, found = clean_text(value)
        where = Location(path, lines.line(key_path), key_path)
        chars = ", ".join(sorted({_describe(c) for _, c, _ in found}))
        if any(r is None for _, _, r in found):
            problems.append(
                Problem(
                    where, f"karakter kendali {chars} (ditulis sebagai escape) tidak dapat dicetak: hapus dari teks ini"
                )
            )
        else:
            spaces = all(r == " " for _, _, r in found)
            notices.append(
                Problem(
                    where,
                    f"karakter kendali {chars} ({len(found)}×) diganti dengan "
                    f"{'spasi' if spaces else 'huruf yang dimaksud (Windows-1252)'}",
                )
            )
        return new

    def walk(value: object, key_path: KeyPath, depth: int = 0) -> object:
        if isinstance(value, str):
            return fix(value, key_path) if _C0.search(value) else value
        if isinstance(value, dict):
            for k in list(value):
                value[k] = walk(value[k], (*key_path, str(k)), depth + 1)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                value[i] = walk(item, (*key_path, i), depth + 1)
        return value

    walk(raw, ())
    return problems


# --- pydantic errors → Indonesian problems ----------------------------------------------------


def _all_aliases(model: type[BaseModel], seen: set[type] | None = None) -> set[str]:
    seen = seen if seen is not None else set()
    if model in seen:
        return set()
    seen.add(model)
    names = set()
    for name, fld in model.model_fields.items():
        names.add(fld.alias or name)
        for arg in _types_in(fld.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                names |= _all_aliases(arg, seen)
    return names


def _types_in(annotation) -> list:
    args = getattr(annotation, "__args__", None)
    if not args:
        return [annotation]
    return [t for a in args for t in _types_in(a)]


_KNOWN_KEYS = sorted(_all_aliases(AnnualReportInput))

_YAML_READS = {bool: "nilai benar/salah", int: "bilangan", float: "bilangan pecahan", type(None): "kosong"}


def _problem(err: Any, path: Path | None, lines: LineMap) -> Problem:
    """One pydantic error as an Indonesian message; every type gets one, none leaks English."""
    loc = tuple(err["loc"])
    kind = err["type"]
    given = err.get("input")
    written = lines.source_text(loc)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        close = difflib.get_close_matches(key, _KNOWN_KEYS, n=1, cutoff=0.6)
        hint = f"; maksud Anda '{close[0]}'?" if close else ": hapus kunci ini atau periksa ejaannya"
        message = f"kunci '{key}' tidak dikenal{hint}"
    elif kind == "missing":
        message = f"'{loc[-1]}' wajib diisi: tambahkan kunci ini"
    elif kind == "value_error":
        message = str(err["ctx"]["error"])
        if isinstance(given, float) and written is not None:
            message = message.replace(f"({given!r})", f"({written} dibaca sebagai {given!r})")
    elif kind == "literal_error":
        expected = str(err["ctx"]["expected"]).replace(" or ", " atau ")  # pydantic joins with English "or"
        message = f"nilai '{given}' tidak dikenal: tulis salah satu dari {expected}"
    elif kind.startswith("date") or kind.startswith("datetime"):
        message = (
            f"tanggal '{written or given}' tidak sah{_date_reason(written or given)}: tulis tanggal yang ada "
            "sebagai YYYY-MM-DD, mis. 2024-01-31"
        )
    elif kind in ("string_type", "string_too_short"):
        reads = _YAML_READS.get(type(given))
        if kind == "string_type" and isinstance(given, dict) and len(given) == 1 and lines.block_mapping(loc):
            key = _clip(str(next(iter(given))))
            message = (
                f"YAML membaca '{key}: …' sebagai kunci dan nilainya, karena titik dua yang diikuti spasi "
                "(': ') menandai kunci. Tulis seluruh paragraf dalam tanda kutip (\"…\") atau sebagai blok "
                "'>-' di baris berikutnya"
            )
        elif kind == "string_type" and reads and written:
            message = f'YAML membaca {written} sebagai {reads}, padahal di sini harus teks: tulis dalam tanda kutip ("{written}")'
        else:
            message = "harus berupa teks yang tidak kosong (gunakan tanda kutip bila perlu)"
    elif kind == "string_too_long":
        message = (
            f"teks terlalu panjang ({len(str(given))} karakter; paling banyak {err['ctx']['max_length']}): "
            "Word menolak teks sepanjang ini di properti dokumen. Singkatkan"
        )
    elif kind == "list_type":
        message = "harus berupa daftar (setiap butir diawali '- ')"
    elif kind == "too_short":
        message = "daftar ini tidak boleh kosong"
    elif kind == "too_long":  # a list over its bound (kolom of an added table: 8)
        limits = err.get("ctx") or {}
        message = (
            f"daftar terlalu panjang ({limits.get('actual_length')} butir; paling banyak "
            f"{limits.get('max_length')}): bagi menjadi beberapa"
        )
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        message = "harus berupa pemetaan kunci: nilai"
    elif kind.startswith(("int", "greater", "less", "float", "decimal")):
        limits = err.get("ctx") or {}
        bound = next(
            (
                f" ({word} {limits[k]})"
                for k, word in (
                    ("ge", "paling kecil"),
                    ("le", "paling besar"),
                    ("gt", "lebih dari"),
                    ("lt", "kurang dari"),
                )
                if k in limits
            ),
            "",
        )
        message = f"bilangan bulat tidak sah: '{written or given}'{bound}"
    elif kind == "bool_type" or kind.startswith("bool"):
        message = "harus berupa true atau false"
    else:
        message = (
            f"nilai '{_clip(str(written or given))}' tidak sah di sini; periksa bentuknya terhadap contoh di README"
        )
    line = lines.line(loc)
    return Problem(Location(path, line, loc), message)


def _date_reason(value: object) -> str:
    """Why ``2024-02-30`` is not a date: ``(Februari 2024 hanya sampai tanggal 29)``."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", str(value).strip())
    if not match:
        return ""
    year, month, day = map(int, match.groups())
    if not 1 <= month <= 12:
        hint = f"; maksud Anda {year}-{day:02d}-{month:02d}?" if 1 <= day <= 12 else ""
        return f" (bulan {month} tidak ada{hint})"
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        return f" ({MONTHS[month - 1].capitalize()} {year} hanya sampai tanggal {last})"
    return ""


# --- the tree's own rules ----------------------------------------------------------------------

_PROGRAM_CODE = PROGRAM_CODE
# The last segment's shape (vocabulary.LEVELS) down to RO; below it any one segment: the
# input's rincian may stop at any depth.
_SEGMENT = {lv.level: (lv.pattern, f"{lv.shape}, mis. {lv.example}") for lv in LEVELS[Level.KEGIATAN : Level.KOMPONEN]}
_SEGMENT[Level.KOMPONEN] = (re.compile(rf"^{ANY_SEGMENT}$"), f"{ANY_SHAPE}, mis. {LEVELS[Level.KOMPONEN].example}")


def _tree_problems(raw: dict) -> list[tuple[KeyPath, str]]:
    """Codes: well formed, extending their parent's, unique in the whole tree.

    Read from the constructed YAML, not the model, so that these are reported together
    with the model's own problems (a missing 'nama' does not hide a duplicate code)."""
    problems: list[tuple[KeyPath, str]] = []
    seen: dict[str, KeyPath] = {}

    def code_of(node: object) -> str | None:
        code = node.get("kode") if isinstance(node, dict) else None
        return code.strip() if isinstance(code, str) and code.strip() else None

    def visit_tree(program: object, key_path: KeyPath) -> None:
        for step in walk(program, dict_children):
            codes = [c for c in map(code_of, (*step.parents, step.node)) if c is not None]
            if len(codes) <= len(step.parents):
                continue  # a node without a code: its children cannot be checked against it
            parent_code = code_prefix(len(codes) - 2, codes[-2]) if len(codes) > 1 else None
            visit(codes[-1], parent_code, (*key_path, *step.key_path), len(step.parents))

    def visit(code: str, parent_code: str | None, key_path: KeyPath, depth: int) -> None:
        if parent_code is None:
            if not _PROGRAM_CODE.match(code):
                example = LEVELS[Level.PROGRAM].example
                problems.append(
                    ((*key_path, "kode"), f"kode program '{code}' tidak sah: tulis lengkap, mis. {example}")
                )
        else:
            pattern, example = _SEGMENT[Level(min(depth, Level.KOMPONEN))]
            head, _, last = code.rpartition(".")
            if head != parent_code:
                problems.append(
                    (
                        (*key_path, "kode"),
                        f"kode '{code}' tidak melanjutkan kode induknya "
                        f"'{parent_code}': tulis kode lengkap yang diawali '{parent_code}.'",
                    )
                )
            elif not pattern.match(last):
                problems.append(((*key_path, "kode"), f"segmen terakhir kode '{code}' harus {example}"))
        if code in seen:
            problems.append(
                (
                    (*key_path, "kode"),
                    f"kode '{code}' sudah dipakai di {format_key_path(seen[code])}: setiap kode harus unik",
                )
            )
        seen.setdefault(code, key_path)

    programs = raw.get("program")
    if isinstance(programs, list):
        for i, program in enumerate(programs):
            visit_tree(program, ("program", i))
    grants = raw.get("hibah")
    for g, grant in enumerate(grants if isinstance(grants, list) else []):
        # each grant's tree on its own: its codes may repeat the DIPA's
        programs = grant.get("program") if isinstance(grant, dict) else None
        if isinstance(programs, list):
            seen = {}
            for i, program in enumerate(programs):
                visit_tree(program, ("hibah", g, "program", i))
    return problems
