"""The draft input as YAML text, with the reading's comments, and its safe writing.

The emitter is small and fixed (mappings, lists, text, whole Rupiah, dates, empty values) so
that a comment can be put above any key or list item. Its output is parsed back and compared
with the data before anything is written.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from pathlib import Path
from typing import Any

import yaml

from kpu_docs.errors import KpuDocsError, OutputError
from kpu_docs.input.atomic import write_file

from .result import KeyPath, Reading

WIDTH = 88


def slug(data: dict[str, Any]) -> str | None:
    """``kpu-kota-serang`` from satker (the folder name the samples use)."""
    office = data.get("satker") or {}
    if not office.get("tingkat") or not office.get("wilayah"):
        return None
    return re.sub(r"[^a-z0-9]+", "-", f"kpu {office['tingkat']} {office['wilayah']}".lower()).strip("-")


def render(reading: Reading) -> str:
    """The draft's YAML text."""
    lines = [
        "# yaml-language-server: $schema=../../schema/laporan-tahunan.schema.json",
        "#",
        f"# Draf masukan dari laporan: {Path(reading.source).name}",
        "# Dibuat oleh `kpu-docs import-report`. Periksa setiap komentar; angka yang tidak",
        "# terbaca dibiarkan kosong. Angka program/kegiatan/output adalah angka yang",
        "# dinyatakan laporan; `kpu-docs validate` membandingkannya dengan jumlah rinciannya.",
        "",
    ]
    data = reading.data
    order = ["satker", "tahun", "laporan", "narasi", "organisasi", "program", "slogan"]
    for key in order:
        if key in data:
            lines += _entry(reading, (key,), key, data[key], 0)
            lines.append("")
    if reading.unread:
        lines.append("# Tidak terbaca atau tidak diimpor (isi atau periksa sendiri):")
        for where, what in reading.unread:
            lines += _comment_lines(f"- {where}: {what}", 0)
    text = "\n".join(lines).rstrip() + "\n"
    parsed = yaml.safe_load(text)
    if parsed != _plain(data):
        raise KpuDocsError(
            "draf YAML tidak sama dengan data yang dibaca (galat internal); tidak ada berkas yang ditulis"
        )
    return text


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _comment_lines(text: str, indent: int) -> list[str]:
    pad = " " * indent
    out = []
    for para in text.split("\n"):
        out += [f"{pad}# {line}" for line in textwrap.wrap(para, WIDTH - indent - 2, break_long_words=False) or [""]]
    return out


def _comments(reading: Reading, path: KeyPath, indent: int) -> list[str]:
    out: list[str] = []
    for note in reading.comments.get(tuple(path), []):
        out += _comment_lines(note, indent)
    return out


def _entry(reading: Reading, path: KeyPath, key: str, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    out = _comments(reading, path, indent)
    if isinstance(value, dict):
        out.append(f"{pad}{key}:")
        for k, v in value.items():
            out += _entry(reading, (*path, k), k, v, indent + 2)
    elif isinstance(value, list):
        if not value:
            out.append(f"{pad}{key}: []")
        elif _flow(value) and len(f"{pad}{key}: [{', '.join(value)}]") <= WIDTH:
            out.append(f"{pad}{key}: [{', '.join(value)}]")  # names: nama: [A, B], as in the samples
        else:
            out.append(f"{pad}{key}:")
            for i, item in enumerate(value):
                out += _item(reading, (*path, i), item, indent + 2)
    else:
        out += _scalar_lines(f"{pad}{key}:", value, indent)
    return out


def _item(reading: Reading, path: KeyPath, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    out = _comments(reading, path, indent)
    if isinstance(value, dict):
        first = True
        for k, v in value.items():
            sub = _entry(reading, (*path, k), k, v, indent + 2)
            if first:
                # "- key: …": the first key shares the dash's line (its comments go above the dash)
                head = [line for line in sub if line.strip().startswith("#")]
                body = [line for line in sub if not line.strip().startswith("#")]
                out = out[: len(out)] + head
                out.append(f"{pad}- {body[0][indent + 2 :]}")
                out += body[1:]
                first = False
            else:
                out += sub
        if first:
            out.append(f"{pad}- {{}}")
    else:
        out += _scalar_lines(f"{pad}-", value, indent)
    return out


def _scalar_lines(head: str, value: Any, indent: int) -> list[str]:
    if value is None:
        return [head]
    if isinstance(value, bool):
        raise TypeError("no booleans in a draft")
    if isinstance(value, int):
        return [f"{head} {value}"]
    if isinstance(value, dt.date):
        return [f"{head} {value.isoformat()}"]
    text = str(value)
    plain = f"{head} {text}"
    if len(plain) <= WIDTH and _reads_back(text):
        return [plain]
    if len(plain) > WIDTH and _foldable(text):
        body = textwrap.wrap(text, WIDTH - indent - 2, break_long_words=False, break_on_hyphens=False)
        return [f"{head} >-", *(" " * (indent + 2) + line for line in body)]
    return [f"{head} {json.dumps(text, ensure_ascii=False)}"]


def _flow(items: list) -> bool:
    return all(isinstance(i, str) and re.fullmatch(r"[A-Za-z][A-Za-z .'-]*", i) and _reads_back(i) for i in items)


def _reads_back(text: str) -> bool:
    try:
        return yaml.safe_load(f"k: {text}") == {"k": text}
    except yaml.YAMLError:
        return False


def _foldable(text: str) -> bool:
    """Folded style gives the text back exactly: single spaces, no line breaks or edges."""
    return text == text.strip() and "  " not in text and "\n" not in text and "\t" not in text and text != ""


# --- writing ---------------------------------------------------------------------------------


def write_new(path: Path, text: str) -> None:
    """Write ``text`` to a new file ``path`` atomically; never replace an existing file."""
    path = Path(path)
    if path.exists():
        raise OutputError(
            f"{path} sudah ada: draf tidak menimpa berkas. Pilih nama lain dengan --out, "
            "atau pindahkan berkas lama dulu"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_file(path, text, create_only=True)  # also when the name is taken meanwhile
    except FileExistsError:
        raise OutputError(f"{path} sudah ada: draf tidak menimpa berkas") from None
