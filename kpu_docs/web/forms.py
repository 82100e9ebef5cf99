"""Forms generated from the input's schema (``model.AnnualReportInput``), and the way back.

A field is named by its key path (``laporan.penandatangan.nama``, ``narasi.pendahuluan[2]``);
its kind (text, paragraph, date, choice, money, …) comes from the model's annotations, never
from the browser. ``parse`` turns what the browser sent into ``yaml_edit.Edit``s with the same
readers as the loader (``formatting.parse_amount`` for Rupiah).
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from kpu_docs.errors import KeyPath, format_key_path
from kpu_docs.formatting import parse_amount
from kpu_docs.input.model import AnnualReportInput, Money
from kpu_docs.vocabulary import NARRATIVES

from .yaml_edit import Edit

# Labels for the staff (Indonesian); a key not listed is shown as its own words.
LABELS = {
    "satker": "Satuan kerja (satker)",
    "tingkat": "Tingkat",
    "wilayah": "Wilayah",
    "nama_singkat": "Nama singkat",
    "nama_lengkap": "Nama lengkap",
    "logo": "Berkas logo",
    "tahun": "Tahun anggaran",
    "laporan": "Laporan",
    "surat_permintaan": "Surat permintaan laporan",
    "nomor": "Nomor surat",
    "tanggal": "Tanggal",
    "pengirim": "Pengirim",
    "tempat": "Tempat penandatanganan",
    "penandatangan": "Penandatangan",
    "jabatan": "Jabatan",
    "nama": "Nama",
    "nip": "NIP",
    "narasi": "Narasi",
    **{section.key: section.title for section in NARRATIVES},
    "organisasi": "Organisasi",
    "tugas_fungsi": "Tugas dan fungsi (dasar hukum)",
    "sekretaris": "Sekretaris",
    "subbagian": "Subbagian",
    "tugas": "Tugas",
    "kepala": "Kepala subbagian",
    "staf": "Staf",
    "status": "Status",
    "peran": "Peran",
    "jabatan_fungsional": "Jabatan fungsional",
    "uraian": "Uraian",
    "pejabat": "Pejabat fungsional",
    "gambar_penutup": "Gambar penutup",
    "berkas": "Berkas gambar",
    "keterangan": "Keterangan",
    "slogan": "Slogan halaman penutup",
}
SECTIONS = [  # (id, title, top-level keys)
    ("identitas", "Satker dan surat", ("satker", "tahun", "laporan", "slogan")),
    ("narasi", "Narasi", ("narasi",)),
    ("organisasi", "Organisasi", ("organisasi",)),
]
NAME_LISTS = {"nama", "pejabat"}  # lists of people's names; every other list of text is paragraphs
READ_ONLY = {("tahun",)}  # the file's name carries the year; change it with "Tahun berikutnya"
SKIPPED = {"$schema", "program", "gambar_penutup"}  # the budget has its own table


@dataclass
class Field:
    """One form element: a value (``kind`` text/paragraph/date/choice/money/int) or a group."""

    kind: str
    path: KeyPath
    label: str
    value: Any = None
    required: bool = False
    hint: str = ""
    choices: tuple[str, ...] = ()
    children: list[Field] = field(default_factory=list)

    @property
    def name(self) -> str:
        return format_key_path(self.path)


def _label(key: str) -> str:
    return LABELS.get(key, key.replace("_", " ").capitalize())


def _unwrap(annotation) -> tuple[Any, bool]:
    """(inner type, optional?) of ``X | None``."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _base(annotation):
    """Strip ``Annotated[...]``."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _is_money(annotation) -> bool:
    return annotation == Money


def kind_of(annotation) -> str:
    """The form kind of a model annotation."""
    inner, _ = _unwrap(annotation)
    if _is_money(inner):
        return "money"
    base = _base(inner)
    if typing.get_origin(base) is Literal:
        return "choice"
    if typing.get_origin(base) is list:
        item = typing.get_args(base)[0]
        if isinstance(_base(item), type) and issubclass(_base(item), BaseModel):
            return "list"
        return "texts"
    if base is dt.date:
        return "date"
    if base is int:
        return "int"
    if isinstance(base, type) and issubclass(base, BaseModel):
        return "group"
    return "text"


def model_fields(model: BaseModel, path: KeyPath = ()) -> list[Field]:
    """The form of a validated model, in the model's field order, keyed by YAML alias."""
    out = []
    for name, info in type(model).model_fields.items():
        key = info.alias or name
        if not path and key in SKIPPED:
            continue
        value = getattr(model, name)
        kp = (*path, key)
        kind = kind_of(info.annotation)
        if kind == "texts":
            kind = "names" if key in NAME_LISTS else "paragraphs"
        required = info.is_required()
        hint = info.description or ""
        if kind == "group":
            if value is None:
                continue  # an absent optional group (e.g. jabatan_fungsional) is added in the YAML
            out.append(Field("group", kp, _label(key), children=model_fields(value, kp), hint=hint))
        elif kind == "list":
            items = [
                Field("group", (*kp, i), _item_label(key, i, v), children=model_fields(v, (*kp, i)))
                for i, v in enumerate(value or [])
            ]
            out.append(Field("list", kp, _label(key), children=items, hint=hint))
        elif kind in ("paragraphs", "names"):
            item_kind, noun = ("paragraph", "Paragraf") if kind == "paragraphs" else ("text", "Nama")
            items = [Field(item_kind, (*kp, i), f"{noun} {i + 1}", v, True) for i, v in enumerate(value or [])]
            out.append(Field(kind, kp, _label(key), children=items, hint=hint))
        else:
            choices = typing.get_args(_base(_unwrap(info.annotation)[0])) if kind == "choice" else ()
            shown = value.isoformat() if isinstance(value, dt.date) else ("" if value is None else str(value))
            out.append(Field(kind, kp, _label(key), shown, required, hint, tuple(choices)))
    return out


def _item_label(key: str, index: int, item: BaseModel) -> str:
    """``Subbagian 2: Subbagian Teknis …``; ``Staf 1: PPNPN Pramubakti``."""
    label = f"{_label(key)} {index + 1}"
    name = getattr(item, "name", None)
    if name:
        return f"{label}: {name}"
    if hasattr(item, "status"):
        role = getattr(item, "role", None)
        return f"{label}: {item.status}" + (f" {role}" if role else "")
    return label


def sections(data: AnnualReportInput) -> list[tuple[str, str, list[Field]]]:
    fields = model_fields(data)
    by_key = {f.path[0]: f for f in fields}
    return [(sid, title, [by_key[k] for k in keys if k in by_key]) for sid, title, keys in SECTIONS]


# --- from the browser back to edits -----------------------------------------------------------

_PART = re.compile(r"\[(\d{1,6})\]|\.?([A-Za-z_$][A-Za-z0-9_]{0,40})")


def parse_path(name: str) -> KeyPath | None:
    """``program[0].kegiatan[1].pagu`` → ("program", 0, "kegiatan", 1, "pagu"); None if malformed."""
    if len(name) > 400:
        return None
    parts: list[str | int] = []
    pos = 0
    while pos < len(name):
        m = _PART.match(name, pos)
        if not m or (m.group(2) and pos > 0 and not name[pos] == "."):
            return None
        parts.append(int(m.group(1)) if m.group(1) is not None else m.group(2))
        pos = m.end()
    return tuple(parts) or None


def _annotation_at(path: KeyPath):
    """The model annotation at a key path, or None when the path names nothing in the schema."""
    model: Any = AnnualReportInput
    annotation = None
    for part in path:
        if isinstance(part, int):
            base = _base(_unwrap(annotation)[0]) if annotation is not None else None
            if typing.get_origin(base) is not list:
                return None
            annotation = typing.get_args(base)[0]
            item = _base(annotation)
            model = item if isinstance(item, type) and issubclass(item, BaseModel) else None
            continue
        if model is None:
            return None
        hit = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
        if hit is None:
            return None
        annotation = hit.annotation
        inner = _base(_unwrap(annotation)[0])
        model = inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None
    return annotation


def parse(form: dict[str, str]) -> tuple[list[Edit], dict[str, str]]:
    """Edits from ``{field name: text}``; and messages for the fields that could not be read."""
    edits, errors = [], {}
    for name, raw in form.items():
        path = parse_path(name)
        annotation = _annotation_at(path) if path else None
        if path is None or annotation is None or path in READ_ONLY or (path and path[0] in ("$schema",)):
            errors[name] = "bidang ini tidak dapat disunting di halaman"
            continue
        if not isinstance(raw, str) or len(raw) > 20000:
            errors[name] = "isi bidang terlalu panjang"
            continue
        kind = kind_of(annotation) if not isinstance(path[-1], int) else _item_kind(path)
        optional = _unwrap(annotation)[1] or _has_default(path)
        text = raw.strip()
        if kind == "paragraph":
            text = " ".join(raw.split())
        if text == "":
            if isinstance(path[-1], int) or optional:  # an emptied paragraph or name is deleted
                edits.append(Edit(path, None))
            else:
                edits.append(Edit(path, ""))  # the loader then says, at its line, that it must be filled
            continue
        try:
            if kind == "money":
                value: Any = parse_amount(text)
            elif kind == "date":
                value = dt.date.fromisoformat(text)
            elif kind == "int":
                value = int(text)
            elif kind == "choice":
                choices = typing.get_args(_base(_unwrap(annotation)[0]))
                if text not in choices:
                    raise ValueError(f"pilih salah satu dari {', '.join(choices)}")
                value = text
            else:
                value = text
        except ValueError as exc:
            message = str(exc)
            if kind == "date":
                message = "tanggal tidak sah: pilih tanggal atau tulis YYYY-MM-DD, mis. 2024-01-31"
            errors[name] = message
            continue
        edits.append(Edit(path, value))
    return edits, errors


def _item_kind(path: KeyPath) -> str:
    return "text" if len(path) > 1 and path[-2] in NAME_LISTS else "paragraph"


def _has_default(path: KeyPath) -> bool:
    """A model field that may be left out (``nip``, a parent's stated ``pagu``)."""
    if not path or isinstance(path[-1], int):
        return False
    owner: Any = AnnualReportInput
    for part in path[:-1]:
        if isinstance(part, int):
            continue
        info = next((f for n, f in owner.model_fields.items() if (f.alias or n) == part), None)
        if info is None:
            return False
        inner = _base(_unwrap(info.annotation)[0])
        if typing.get_origin(inner) is list:
            inner = _base(typing.get_args(inner)[0])
        owner = inner
        if not (isinstance(owner, type) and issubclass(owner, BaseModel)):
            return False
    info = next((f for n, f in owner.model_fields.items() if (f.alias or n) == path[-1]), None)
    return info is not None and not info.is_required()


def list_item_model(path: KeyPath):
    """The model of the items of the list at ``path`` (``organisasi.subbagian``), or None."""
    annotation = _annotation_at(path) if path else None
    if annotation is None or kind_of(annotation) != "list":
        return None
    if path[0] == "program":  # budget nodes come from the DIPA: SAKTI import or the YAML
        return None
    return _base(typing.get_args(_base(_unwrap(annotation)[0]))[0])


def placeholder(model: type[BaseModel]) -> dict:
    """A new item with only its required keys, filled with ``(isi …)`` for the staff to replace."""
    item: dict = {}
    for name, info in model.model_fields.items():
        if not info.is_required():
            continue
        key = info.alias or name
        kind = kind_of(info.annotation)
        if kind == "choice":
            item[key] = typing.get_args(_base(_unwrap(info.annotation)[0]))[0]
        elif kind == "texts":
            item[key] = [f"(isi {_label(key).lower()})"] if key in NAME_LISTS else []
        elif kind == "text":
            item[key] = f"(isi {_label(key).lower()})"
        else:
            return {}  # nested required groups are not made here
    return item
