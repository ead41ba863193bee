"""The font of the visible signature stamp: the printable forms' regular face, at 1000 units per em.

pyHanko 0.38 writes a TrueType font's glyph widths (`/W`) in font units, while PDF reads them in
thousandths of the text size: with a font of 2048 units per em (DejaVu, the Debian fallback) every
glyph is spaced twice too wide and the stamp's lines run out of their box. Noto Serif (the forms'
font) already has 1000 units per em; any other font is rescaled once, with fontTools, into the font
cache, the same folder the forms' fonts are prepared in.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem

from workflows.printable import render

UNITS_PER_EM = 1000


@lru_cache(maxsize=4)
def stamp_font(font_cache: Path | None = None) -> Path:
    """A regular face with Vietnamese letters at 1000 units per em (prepared on first use)."""
    regular = next(face.path for face in render.font_faces()
                   if face.weight.startswith("400") and face.style == "normal")
    return at_thousand_units(regular, font_cache or render.font_cache_dir())


def at_thousand_units(source: Path, directory: Path | None) -> Path:
    """`source` itself when it has 1000 units per em, else its rescaled copy in `directory`."""
    font = TTFont(source)
    if font["head"].unitsPerEm == UNITS_PER_EM:
        return source
    if directory is None:
        raise render.FontUnavailableError(f"{source} must be rescaled to {UNITS_PER_EM} units per em for the "
                                          "signature stamp, and no font cache folder can be written")
    stat = source.stat()
    key = hashlib.sha256(f"{UNITS_PER_EM}:{source}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:12]
    target = directory / f"{source.stem}-{UNITS_PER_EM}upem-{key}.ttf"
    if not target.is_file():
        scale_upem(font, UNITS_PER_EM)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=target.stem, suffix=".part")
        os.close(handle)
        try:  # written beside the target and renamed: concurrent workers never read half a file
            font.save(temporary)
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)
    return target
