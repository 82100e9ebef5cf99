"""A checked picture's Word XML: placed by kpu-docs, outside the template, so a template only
ever sees its finished XML (escaped markup), never an object it could call. Which pictures
may be used is ``input/pictures.py``."""

from __future__ import annotations

import io

from kpu_docs.input.pictures import Picture

_RID = "rIdKpuDocsImage"


def inline_xml(tpl, picture: Picture, width, names: tuple[str, ...] = ()) -> str:
    """The run XML that shows ``picture`` at ``width`` (height from its aspect ratio), placed
    where a template writes the tag. The picture's part is related from the document body,
    and from each header and footer whose XML mentions one of ``names`` (the context keys
    that carry it), under the same relationship id, so the tag works there too.

    ``tpl`` is a DocxTemplate, loaded (``init_docx``) and not yet rendered."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.shape import CT_Inline

    tpl.init_docx()
    body = tpl.docx.part
    image_part = body.package.get_or_add_image_part(io.BytesIO(picture.data))
    users = [
        rel.target_part
        for rel in list(body.rels.values())
        if rel.reltype in (tpl.HEADER_URI, tpl.FOOTER_URI)
        and not rel.is_external
        and any(name in rel.target_part.blob.decode("utf-8", "replace") for name in names)
    ]
    rid = body.relate_to(image_part, RT.IMAGE)
    if any(rid in part.rels and part.rels[rid].target_part is not image_part for part in users):
        rid = f"{_RID}{sum(r.rId.startswith(_RID) for r in body.rels.values()) + 1}"  # free everywhere
        body.load_rel(RT.IMAGE, image_part, rid)
    for part in users:
        if rid not in part.rels:
            part.load_rel(RT.IMAGE, image_part, rid)
    cx, cy = image_part.image.scaled_dimensions(width, None)
    inline = CT_Inline.new_pic_inline(body.next_id, rid, picture.path.name, cx, cy)
    return f'</w:t></w:r><w:r><w:drawing>{inline.xml}</w:drawing></w:r><w:r><w:t xml:space="preserve">'
