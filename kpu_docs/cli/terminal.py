"""Text for the terminal: nothing from an input or a file name may control it."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe_text(text: str) -> str:
    """``text`` with control characters (terminal escapes, carriage returns, bidirectional
    overrides) shown as ``\\u001b``-style escapes (valid in JSON and Python strings too); newlines and tabs kept."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


class SafeText:
    """A text stream that escapes control characters in everything written to it, so that a
    name in an input or a file name cannot move the cursor, recolour or rewrite the screen.
    ``raw`` is the stream itself (the progress bar's own carriage return)."""

    def __init__(self, stream):
        self.raw = stream

    def write(self, text: str) -> int:
        return self.raw.write(safe_text(text))

    def __getattr__(self, name):
        return getattr(self.raw, name)
