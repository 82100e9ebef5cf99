"""Pictures named in an input (``satker.logo``, ``gambar_penutup[].berkas``): where they may
be and what they must be (their Word XML is ``render/docx/images.py``).

An input may come from someone else: the file it names must stay inside the input's
folder (after following symlinks), be a real picture of a kind Word shows, and be small
enough to read. The picture is placed by kpu-docs, outside the template, so a template
only ever sees its finished XML (escaped markup), never an object it could call.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from kpu_docs.errors import ImageError, KpuDocsError

MAX_IMAGE_BYTES = 5 * 2**20  # a logo or a photo for print: a few MB at most
MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs: 40 megapixels is a large photo
FORMATS = {"PNG": "png", "JPEG": "jpeg", "GIF": "gif", "BMP": "bmp", "TIFF": "tiff"}  # what Word shows


@dataclass(frozen=True)
class Picture:
    """A checked picture: its path and the bytes that were checked (read once)."""

    path: Path
    data: bytes


def problem(base: Path, name: str) -> str | None:
    """Why ``name`` (relative to the folder ``base``) cannot be used as a picture, in
    Indonesian; None when it can."""
    try:
        load_picture(base, name)
    except KpuDocsError as exc:
        return str(exc)
    return None


def load_picture(base: Path, name: str) -> Picture:
    """Resolve ``name`` inside ``base`` and check it is a real, modest picture.

    Raises ImageError (Indonesian, names the file) when the path leaves ``base``, the
    file is missing, larger than MAX_IMAGE_BYTES, or does not decode as PNG, JPEG, GIF,
    BMP or TIFF."""
    from PIL import Image, UnidentifiedImageError

    root = base.resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root):
        raise ImageError(
            f"berkas gambar '{name}' berada di luar folder berkas masukan ({root}): salin gambarnya ke folder "
            "itu (atau subfoldernya) dan tulis nama relatifnya, mis. gambar/logo.png"
        )
    if not path.is_file():
        raise ImageError(f"berkas gambar '{name}' tidak ditemukan (dicari relatif terhadap berkas masukan)")
    size = path.stat().st_size
    if size > MAX_IMAGE_BYTES:
        raise ImageError(
            f"berkas gambar '{name}' terlalu besar ({size / 2**20:.1f} MB; paling besar "
            f"{MAX_IMAGE_BYTES // 2**20} MB): perkecil gambarnya"
        )
    with path.open("rb") as f:
        data = f.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:  # grew after the check
        raise ImageError(f"berkas gambar '{name}' terlalu besar (paling besar {MAX_IMAGE_BYTES // 2**20} MB)")
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            if kind not in FORMATS:
                raise ImageError(
                    f"berkas gambar '{name}' berformat {kind}, yang tidak dapat ditampilkan Word: simpan sebagai PNG atau JPEG"
                )
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ImageError(f"berkas gambar '{name}' terlalu besar ({image.width}×{image.height} piksel)")
            image.load()  # decode for real: a truncated or forged file fails here
    except KpuDocsError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ImageError(
            f"berkas gambar '{name}' bukan gambar yang dapat dibaca ({type(exc).__name__}): simpan ulang sebagai PNG atau JPEG"
        ) from None
    return Picture(path, data)
