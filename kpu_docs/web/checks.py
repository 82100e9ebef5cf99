"""One input as the page shows it: load → derive → validate, the same functions as the CLI.

``check_text`` runs the pipeline on a text (the file with the page's unsaved edits) and turns
the result into plain data for the page: every node's figures, formatted the Indonesian way,
and every finding with the form field it concerns.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kpu_docs.checks.validate import Finding, Severity, validate
from kpu_docs.errors import InputError, format_key_path
from kpu_docs.figures.derive import Report, derive
from kpu_docs.formatting import amount, percent
from kpu_docs.input.load import loads


@dataclass
class Checked:
    """The outcome for one text: a report and findings, or the loader's problems."""

    report: Report | None
    findings: list[Finding] = field(default_factory=list)
    problems: list = field(default_factory=list)  # errors.Problem when the text does not load

    @property
    def counts(self) -> Counter:
        counts = Counter(f.severity.value for f in self.findings)
        counts["galat"] += len(self.problems)
        return counts


def check_text(text: str, path: Path) -> Checked:
    """Load, derive and validate ``text`` as if it were the file at ``path``."""
    try:
        report = derive(loads(text, path))
    except InputError as exc:
        return Checked(None, problems=list(exc.problems))
    return Checked(report, validate(report))


def figures(report: Report) -> dict[str, dict[str, str]]:
    """Row id (the node's key path) → pagu, realisasi, sisa and % as the report prints them."""
    out = {}
    for line in report.lines():
        f = line.figures
        out[format_key_path(line.key_path)] = {
            "pagu": amount(f.pagu),
            "realisasi": amount(f.realisasi),
            "sisa": amount(f.sisa),
            "persen": percent(f.ratio),
        }
    total = report.total
    out["total"] = {
        "pagu": amount(total.pagu),
        "realisasi": amount(total.realisasi),
        "sisa": amount(total.sisa),
        "persen": percent(total.ratio),
    }
    return out


def findings_json(checked: Checked) -> list[dict]:
    """Findings (or load problems) for the page, each with the field or row it concerns."""
    out = []
    for problem in checked.problems:
        out.append(
            {
                "severity": "galat",
                "subject": format_key_path(problem.location.path),
                "message": problem.message,
                "line": problem.location.line,
                "target": format_key_path(problem.location.path),
            }
        )
    for finding in checked.findings:
        out.append(
            {
                "severity": finding.severity.value,
                "subject": finding.subject,
                "message": finding.message,
                "line": finding.location.line,
                "target": format_key_path(finding.location.path),
            }
        )
    return out


SEVERITY_ORDER = [s.value for s in Severity]
