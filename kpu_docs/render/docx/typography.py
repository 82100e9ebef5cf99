"""Line breaking in running text: what a justified Indonesian paragraph needs.

- A paragraph's own line breaks (a ``\\n``, the hard wraps of a YAML ``|`` block) are joined:
  a justified line that ends in a manual break is stretched across the page, differently
  in Word and LibreOffice.
- Letter and decree numbers (``3203/PR.03-SD/01/2023``) never break at their hyphens: those
  become non-breaking hyphens (U+2011, written as ``w:noBreakHyphen`` in the DOCX).
- Long compounds joined by ``/`` (``Provinsi/Komisi``) may break after the slash (a zero-width
  space, U+200B), so that justified lines do not open wide gaps. Web addresses are left alone.
"""

from __future__ import annotations

import re

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

NO_BREAK_HYPHEN = "\u2011"
BREAK_OPPORTUNITY = "\u200b"

# A token with a digit, a slash and a hyphen: a letter or decree number.
_NUMBER_TOKEN = re.compile(r"[^\s/]*(?=[^\s]*\d)(?=[^\s]*/)(?=[^\s]*-)[^\s]+")
_SLASH = re.compile(r"(?<=[^\W_])/(?=[^\W_])")
_ADDRESS = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def prose(text: str) -> str:
    """One paragraph of running text: line breaks joined, numbers kept whole, slashes breakable."""
    text = " ".join(text.split())
    if "/" not in text:  # no number token, no slash to break after: nothing more to do (most text)
        return text
    text = _NUMBER_TOKEN.sub(lambda m: m.group(0).replace("-", NO_BREAK_HYPHEN), text)
    parts = _ADDRESS.split(text)
    addresses = _ADDRESS.findall(text)
    out = [_SLASH.sub("/" + BREAK_OPPORTUNITY, parts[0])]
    for address, rest in zip(addresses, parts[1:]):
        out += [address, _SLASH.sub("/" + BREAK_OPPORTUNITY, rest)]
    return "".join(out)


def paragraphs(texts) -> list[str]:
    """``prose`` applied to each paragraph of a list."""
    return [prose(t) for t in texts]


def no_break_hyphens(body) -> None:
    """Write each U+2011 of the rendered document as Word's own ``w:noBreakHyphen`` element
    (a font without the U+2011 glyph would otherwise show a box)."""
    for t in list(body.iter(qn("w:t"))):
        if not t.text or NO_BREAK_HYPHEN not in t.text:
            continue
        pieces = t.text.split(NO_BREAK_HYPHEN)
        t.text = pieces[0]
        anchor = t
        for piece in pieces[1:]:
            hyphen = OxmlElement("w:noBreakHyphen")
            anchor.addnext(hyphen)
            anchor = hyphen
            if piece:
                new = OxmlElement("w:t")
                new.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                new.text = piece
                anchor.addnext(new)
                anchor = new
