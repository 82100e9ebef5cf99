"""What a revision changed between two inputs: figures, nodes, narratives, organisation, metadata.

Budget nodes are matched by full code. Figures are compared where they are written:
leaves' pagu/realisasi, and the figures stated on parents; the grand totals follow.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import BaseModel

from kpu_docs.figures.derive import BudgetLine, Report
from kpu_docs.formatting import amount, date_id, percent
from kpu_docs.input.model import AnnualReportInput, Node
from kpu_docs.vocabulary import NARRATIVES

FIGURES = ("pagu", "realisasi", "blokir")


@dataclass(frozen=True)
class Change:
    """One difference. ``kind``: angka, ditambah, dihapus, nama, narasi, organisasi, metadata, total,
    indikator, bab_tambahan, penyerapan (a program's or the total's percentage as the report prints it,
    e.g. "99,52%")."""

    kind: str
    subject: str
    field: str = ""
    old: Any = None
    new: Any = None

    @property
    def difference(self) -> int | None:
        if isinstance(self.old, int) and isinstance(self.new, int) and not isinstance(self.old, bool):
            return self.new - self.old
        return None

    def describe(self) -> str:
        """One line in Indonesian, as ``kpu-docs diff`` prints it."""
        if self.kind in ("angka", "total"):
            old = "-" if self.old is None else amount(self.old)
            new = "-" if self.new is None else amount(self.new)
            delta = self.difference
            sign = "" if delta is None else f" ({'+' if delta >= 0 else '-'}{amount(abs(delta))})"
            return f"~ {self.subject} {self.field}: {old} → {new}{sign}"
        if self.kind == "ditambah":
            return f"+ {self.subject} {self.new}"
        if self.kind == "dihapus":
            return f"- {self.subject} {self.old}"
        if self.kind == "penyerapan":
            return f"~ {self.subject} penyerapan: {self.old} → {self.new}"
        field = f" {self.field}" if self.field else ""
        return f"~ {self.subject}{field}: {_show(self.old)} → {_show(self.new)}"

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["old"], out["new"] = _plain(self.old), _plain(self.new)
        out["difference"] = self.difference
        return out


def _show(value: Any) -> str:
    if value is None:
        return "(kosong)"
    if isinstance(value, dt.date):
        return date_id(value)
    if isinstance(value, (list, tuple)):
        return "; ".join(_show(v) for v in value) or "(kosong)"
    text = str(value)
    return f'"{text[:77]}…"' if len(text) > 80 else f'"{text}"'


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def diff(old: Report, new: Report) -> list[Change]:
    """Every change from ``old`` to ``new``, in reading order."""
    changes: list[Change] = []
    changes += _metadata(old.data, new.data)
    changes += _narratives(old.data, new.data)
    changes += _organisation(old.data, new.data)
    changes += _budget(old, new)
    changes += _grants(old, new)
    changes += _compare(
        "indikator",
        _flatten(old.data.indicators, "indikator_kinerja"),
        _flatten(new.data.indicators, "indikator_kinerja"),
    )
    changes += _compare(
        "bab_tambahan", _flatten(old.data.sections, "bab_tambahan"), _flatten(new.data.sections, "bab_tambahan")
    )
    return changes


def _nodes(programs, lines) -> dict[str, tuple[BudgetLine, Node]]:
    """Full code → (derived line, input node), within one funding source."""
    raw: dict[str, Node] = {}
    stack: list[Node] = list(programs)
    while stack:
        node = stack.pop()
        raw[node.code] = node
        stack += node.children
    return {line.code: (line, raw[line.code]) for line in lines}


def _grants(old: Report, new: Report) -> list[Change]:
    """Each grant's tree against the grant of the same name; grants added or removed whole."""
    before = {g.name: g for g in old.grants}
    after = {g.name: g for g in new.grants}
    changes: list[Change] = []
    for name, grant in after.items():
        if name not in before:
            f = grant.total
            changes.append(
                Change(
                    "ditambah",
                    f"hibah '{name}'",
                    "",
                    None,
                    f"{grant.source} (pagu {amount(f.pagu)}, realisasi {amount(f.realisasi)})",
                )
            )
            continue
        was = before[name]
        assert was.grant is not None and grant.grant is not None  # both are grants, found by name
        changes += _tree(
            _nodes(was.grant.programs, was.lines()), _nodes(grant.grant.programs, grant.lines()), f"hibah '{name}': "
        )
        for key in FIGURES[:2]:
            a, b = getattr(was.total, key), getattr(grant.total, key)
            if a != b:
                changes.append(Change("total", f"Jumlah hibah '{name}'", key, a, b))
        changes += _compare(
            "metadata",
            {f"hibah[{name}].sumber": was.source, f"hibah[{name}].nphd": _nphd(was)},
            {f"hibah[{name}].sumber": grant.source, f"hibah[{name}].nphd": _nphd(grant)},
        )
    for name, grant in before.items():
        if name not in after:
            changes.append(Change("dihapus", f"hibah '{name}'", "", grant.source, None))
    return changes


def _budget(old: Report, new: Report) -> list[Change]:
    before = _nodes(old.data.programs, old.lines())
    changes = _tree(before, _nodes(new.data.programs, new.lines()))
    for key in FIGURES[:2]:
        was, now = getattr(old.total, key), getattr(new.total, key)
        if was != now:
            changes.append(Change("total", "Jumlah seluruhnya", key, was, now))
    # penyerapan as the report prints it (formatting.percent: the one rounding rule)
    pairs = [(p.code, before[p.code][0].figures, p.figures) for p in new.programs if p.code in before]
    for subject, was, now in [*pairs, ("Jumlah seluruhnya", old.total, new.total)]:
        if percent(was.ratio) != percent(now.ratio):
            changes.append(Change("penyerapan", subject, "penyerapan", percent(was.ratio), percent(now.ratio)))
    return changes


def _tree(before: dict, after: dict, prefix: str = "") -> list[Change]:
    changes: list[Change] = []
    for code, (line, node) in after.items():
        code = prefix + code
        if code.removeprefix(prefix) not in before:
            f = line.figures
            changes.append(
                Change(
                    "ditambah", code, "", None, f"{line.name} (pagu {amount(f.pagu)}, realisasi {amount(f.realisasi)})"
                )
            )
            continue
        old_line, old_node = before[code.removeprefix(prefix)]
        if old_line.name != line.name:
            changes.append(Change("nama", code, "nama", old_line.name, line.name))
        for key in FIGURES:
            was, now = getattr(old_node, key, None), getattr(node, key, None)
            if was != now:
                changes.append(Change("angka", code, key, was, now))
        if old_line.narrative != line.narrative:
            changes += _paragraphs(code, "narasi", old_line.narrative, line.narrative)
        if old_line.obstacles != line.obstacles:
            for field, attr in (("kendala", "obstacle"), ("solusi", "solution")):
                changes += _paragraphs(
                    code,
                    field,
                    [getattr(o, attr) for o in old_line.obstacles],
                    [getattr(o, attr) for o in line.obstacles],
                )
    for code, (line, _) in before.items():
        if code not in after:
            changes.append(Change("dihapus", prefix + code, "", line.name, None))
    return changes


def _paragraphs(
    subject: str, field: str, old: tuple[str, ...] | list[str], new: tuple[str, ...] | list[str]
) -> list[Change]:
    changes = []
    for i in range(max(len(old), len(new))):
        was = old[i] if i < len(old) else None
        now = new[i] if i < len(new) else None
        if was != now:
            changes.append(Change("narasi", subject, f"{field} paragraf {i + 1}", was, now))
    return changes


def _narratives(old: AnnualReportInput, new: AnnualReportInput) -> list[Change]:
    changes = []
    for s in NARRATIVES:
        changes += _paragraphs(
            f"narasi.{s.key}", "", getattr(old.narratives, s.attribute), getattr(new.narratives, s.attribute)
        )
    return [Change(c.kind, c.subject, c.field.strip(), c.old, c.new) for c in changes]


def _flatten(value: Any, prefix: str) -> dict[str, Any]:
    """A model as ``{"laporan.tempat": "Serang", …}`` keyed by its YAML aliases."""
    if isinstance(value, BaseModel):
        out: dict[str, Any] = {}
        for name, field in type(value).model_fields.items():
            out |= _flatten(getattr(value, name), f"{prefix}.{field.alias or name}")
        return out
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        out = {}
        for i, item in enumerate(value):
            label = getattr(item, "name", None) or str(i + 1)
            out |= _flatten(item, f"{prefix}[{label}]")
        return out
    return {prefix: tuple(value) if isinstance(value, list) else value}


def _empty(value: Any) -> bool:
    return value is None or value == () or value == ""


def _compare(kind: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes = []
    for key in [*old, *(k for k in new if k not in old)]:
        # an absent field and an empty list both print "(kosong)": not a change (an added section listed
        # "paragraf: (kosong) → (kosong)" for each list it left out)
        if old.get(key) != new.get(key) and not (_empty(old.get(key)) and _empty(new.get(key))):
            changes.append(Change(kind, key, "", old.get(key), new.get(key)))
    return changes


def _metadata(old: AnnualReportInput, new: AnnualReportInput) -> list[Change]:
    def pick(d: AnnualReportInput) -> dict[str, object]:
        return {
            **_flatten(d.office, "satker"),
            "tahun": d.year,
            **_flatten(d.report, "laporan"),
            "slogan": d.slogan,
            **_flatten(d.closing_images, "gambar_penutup"),
        }

    return _compare("metadata", pick(old), pick(new))


def _organisation(old: AnnualReportInput, new: AnnualReportInput) -> list[Change]:
    return _compare("organisasi", _flatten(old.organisation, "organisasi"), _flatten(new.organisation, "organisasi"))


def summary(changes: list[Change]) -> str:
    """``3 angka, 1 ditambah, …`` or ``tidak ada perubahan``."""
    if not changes:
        return "tidak ada perubahan"
    counts: dict[str, int] = {}
    for change in changes:
        counts[change.kind] = counts.get(change.kind, 0) + 1
    return ", ".join(f"{n} {kind}" for kind, n in counts.items())


def _nphd(grant) -> str | None:
    agreement = grant.grant.agreement
    return f"{agreement.number} ({agreement.date.isoformat()})" if agreement else None
