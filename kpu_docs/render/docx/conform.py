"""Put a rendered document's XML back into the order ECMA-376 prescribes.

A template re-saved by LibreOffice carries its schema slips into every report built from it:
``w:sectPr`` before ``w:pStyle`` in a paragraph's properties, the same property twice in a
``w:rPr``, ``w:val="true"`` where the row properties allow only ``on``/``off``. Word repairs
such a file or complains; this pass fixes them in the output without changing what they mean.
Sequences: ECMA-376 Part 1, CT_PPr (17.3.1.26), CT_RPr (17.3.2.28), CT_TrPr (17.4.82).
"""

from __future__ import annotations

from docx.oxml.ns import qn

_PPR = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd "
    "tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
    "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc "
    "textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
).split()
_RPR = (
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof "
    "snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText "
    "vertAlign rtl cs em lang eastAsianLayout specVanish oMath"
).split()
_ORDER = {
    qn("w:pPr"): {qn(f"w:{n}"): i for i, n in enumerate(_PPR)},
    qn("w:rPr"): {qn(f"w:{n}"): i for i, n in enumerate(_RPR)},
}
_ON_OFF_ONLY = {qn("w:cantSplit"), qn("w:tblHeader"), qn("w:hidden")}  # in w:trPr: "on" or "off" only
_VAL = qn("w:val")


def conform(root) -> None:
    """Reorder property children, drop repeated ones, and spell row on/off values as the schema allows."""
    for tag, order in _ORDER.items():
        for props in root.iter(tag):
            children = list(props)
            if not all(child.tag in order for child in children):
                continue  # something we do not know (an extension): leave the element as it is
            seen, kept = set(), []
            for child in children:
                if child.tag in seen:
                    props.remove(child)
                else:
                    seen.add(child.tag)
                    kept.append(child)
            ranked = sorted(kept, key=lambda child: order[child.tag])
            if ranked != kept:
                for child in kept:
                    props.remove(child)
                props.extend(ranked)
    for row in root.iter(qn("w:trPr")):
        for child in row:
            value = child.get(_VAL)
            if child.tag in _ON_OFF_ONLY and value in ("true", "1", "false", "0"):
                child.set(_VAL, "on" if value in ("true", "1") else "off")
