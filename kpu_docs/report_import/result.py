"""What was read from one report: the draft's data, its comments, what was not read, findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KeyPath = tuple[Any, ...]

ERROR, WARNING = "galat", "peringatan"

# Kinds of inconsistency (DOMAIN.md, "What goes wrong when it is typed by hand").
TABLE_VS_TEXT = "tabel-vs-teks"
TABLE_SHIFTED = "tabel-bergeser"
COUNT = "jumlah-rincian"
PERCENT = "persentase"
CODE = "kode"
UNREADABLE = "tidak-terbaca"
NAME = "nama"


@dataclass(frozen=True)
class Finding:
    """Something the report says that does not hold, found while reading it."""

    severity: str
    kind: str
    subject: str  # a full code or a key path
    message: str
    where: str


@dataclass
class Reading:
    """What was read from one report."""

    source: str
    data: dict[str, Any]
    comments: dict[KeyPath, list[str]] = field(default_factory=dict)
    unread: list[tuple[str, str]] = field(default_factory=list)  # (where, what)
    findings: list[Finding] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # code or key path -> where in the report
    written: dict[str, tuple[str, str]] = field(default_factory=dict)  # completed program code -> (as written, where)

    def comment(self, path: KeyPath, text: str) -> None:
        self.comments.setdefault(tuple(path), []).append(text)

    def find(self, severity: str, kind: str, subject: str, message: str, where: str) -> None:
        self.findings.append(Finding(severity, kind, subject, message, where))

    def missing(self, path: KeyPath, where: str, what: str) -> None:
        self.unread.append((where, what))
        self.comment(path, f"TIDAK TERBACA: {what}")
