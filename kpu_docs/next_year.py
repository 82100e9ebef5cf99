"""Start next year's input from this year's: structure, organisation and metadata carried
over; figures and narratives emptied for the office to fill in. Comments survive."""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from .errors import KpuDocsError
from .load import clean_text, load, loads, read_input
from .model import CHILD_KEYS

NARRATIVE_KEYS = ("kata_pengantar", "pendahuluan", "penutup")


def round_trip_yaml() -> YAML:
    """ruamel.yaml set up to keep comments, quoting and the sample's indentation."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def start_next_year(previous: Path, year: int, out: Path | None = None) -> Path:
    """Write the new input and return its path; refuse to overwrite an existing file."""
    load(previous)  # refuse to start from an input that does not load
    target = out or previous.parent / f"{year}.yaml"
    if target.exists():
        raise KpuDocsError(f"{target} sudah ada: kpu-docs tidak menimpa masukan. Hapus atau pilih --out lain.")
    yaml = round_trip_yaml()
    text, _ = read_input(previous)  # UTF-8 or Windows-1252, as load read it
    data = yaml.load(clean_text(text)[0])  # control characters replaced as load replaced them
    shift = year - int(data["tahun"])
    data["tahun"] = year
    _shift_dates(data["laporan"], shift)
    data["laporan"].yaml_add_eol_comment("periksa tanggal dan nomor surat untuk tahun baru", "surat_permintaan")
    for key in NARRATIVE_KEYS:
        data["narasi"][key] = CommentedSeq()
    for program in data["program"]:
        _empty_figures(program)
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    text = buffer.getvalue()
    loads(text, target)  # the result must load before it is written
    _write_new(target, text)
    return target


def _shift_dates(node: CommentedMap, years: int) -> None:
    for key, value in node.items():
        if isinstance(value, CommentedMap):
            _shift_dates(value, years)
        elif isinstance(value, dt.date):
            try:
                node[key] = value.replace(year=value.year + years)
            except ValueError:  # 29 February
                node[key] = value.replace(year=value.year + years, day=28)


def _empty_figures(node: CommentedMap) -> None:
    children = [c for key in CHILD_KEYS for c in node.get(key, [])]
    if children:
        for key in ("pagu", "realisasi"):
            node.pop(key, None)  # stated parent figures would be last year's
        for child in children:
            _empty_figures(child)
    else:
        node["pagu"] = 0
        node["realisasi"] = 0
    if "narasi" in node:
        node["narasi"] = CommentedSeq()


def _write_new(target: Path, text: str) -> None:
    """Create ``target`` atomically, failing if it appeared meanwhile."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".kpu-docs-", suffix=".yaml", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.link(tmp, target)  # fails if target exists: never overwrite
    except FileExistsError:
        raise KpuDocsError(f"{target} sudah ada: kpu-docs tidak menimpa masukan.") from None
    finally:
        os.unlink(tmp)
