"""Reading the input's text and writing it back: checked, atomic, with every backup kept."""

from __future__ import annotations

from pathlib import Path

from kpu_docs.errors import ImportRefused, InputError, OutputError
from kpu_docs.input.atomic import write_file
from kpu_docs.input.load import Document, load, loads, read_text_as_typed
from kpu_docs.input.model import Node


def read_input(path: Path) -> tuple[str, str | None]:
    """The input as text, its own line endings kept, and the encoding assumed when not UTF-8.

    Decoded as ``load`` decodes it (UTF-8, else Windows-1252). Raises ImportRefused when
    missing, too large or undecodable."""
    text, encoding, _ = _read(path)
    return text, encoding


def _read(path: Path) -> tuple[str, str | None, bytes]:
    if not path.is_file():
        raise ImportRefused(f"berkas masukan {path} tidak ditemukan: periksa nama dan foldernya")
    try:
        return read_text_as_typed(path)
    except InputError as exc:
        raise ImportRefused("; ".join(str(p) for p in exc.problems)) from None


def reload(plan, path: Path) -> Document:
    """The updated text must load and say what the plan meant; otherwise nothing is written."""
    try:
        document = loads(plan.text, path)
    except InputError as exc:
        raise ImportRefused(
            f"hasil impor ke {path} tidak dapat dibaca kembali (berkas tidak diubah):\n"
            + "\n".join(str(p) for p in exc.problems)
        ) from None
    nodes: dict[str, Node] = {}
    stack: list[Node] = list(document.data.programs)
    while stack:
        node = stack.pop()
        nodes[node.code] = node
        stack += node.children
    wrong = [
        code
        for code, figures in plan.targets.items()
        if code not in nodes or any(getattr(nodes[code], k) != v for k, v in figures.items())
    ]
    wrong += [code for code in plan.added if code not in nodes]
    if wrong:
        raise ImportRefused(
            f"penyuntingan {path} tidak menghasilkan angka yang dimaksud ({', '.join(wrong)}); berkas tidak diubah"
        )
    return document


def write_atomic(path: Path, text: str, expected: str) -> Path:
    """Replace ``path`` by ``text`` atomically, keeping the previous file as a new backup.

    Backups are never overwritten: ``<name>.bak``, then ``<name>.bak.1``, ``.bak.2``, … so the
    hand-typed original survives any number of imports. ``expected`` is the content the edit
    was made from: if the file changed meanwhile, refuse. ``text`` is written as UTF-8 (an
    input typed in Windows-1252 is converted; its backup keeps the original bytes).
    Returns the backup's path."""

    def check(tmp: Path) -> None:
        try:
            load(tmp)
        except InputError as exc:
            raise OutputError(f"hasil impor tidak dapat dibaca kembali; {path} tidak diubah: {exc}") from None
        if _read(path)[0] != expected:
            raise OutputError(f"{path} berubah selama impor; tidak ditulis. Jalankan impor sekali lagi")

    backup = write_file(path, text, backup=True, check=check)
    assert backup is not None  # backup=True
    return backup
