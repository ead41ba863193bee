"""The standard forms rendered from Jinja2 templates to HTML, and from that HTML to PDF with WeasyPrint.

Datetimes in a context are timezone-aware and already local (Asia/Ho_Chi_Minh): the filters print
them as they are. The PDF embeds Noto Serif from the `fontpkg-noto-serif` package, or the system's
DejaVu Serif where that package is missing; both cover Vietnamese. Noto Serif is prepared once into
the font cache, the folder `configure(font_cache=...)` names (the app factory passes the setting
MOTCUA_FONT_CACHE), else the temporary directory.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

try:
    import fontpkg
except ImportError:  # the system font is the fallback
    fontpkg = None

# Circular 03/2025/TT-VPCP, Appendix I, in its order: forms 01 to 07.
FORMS = ("receipt", "supplement-request", "refusal", "apology-extension", "stop-notice", "process-control",
         "tracking-book")
FORM_NUMBERS = {form: f"{number:02d}" for number, form in enumerate(FORMS, start=1)}

FONT_FAMILY = "MotCua Serif"
PACKAGED_FONT_FAMILY = "Noto Serif"
SYSTEM_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
SYSTEM_FONT_FILES = (
    ("DejaVuSerif.ttf", "400", "normal"),
    ("DejaVuSerif-Bold.ttf", "700", "normal"),
    ("DejaVuSerif-Italic.ttf", "400", "italic"),
    ("DejaVuSerif-BoldItalic.ttf", "700", "italic"),
)
STATIC_WEIGHTS = (400, 700)
STATIC_STYLE_NAMES = {("normal", 400): "Regular", ("normal", 700): "Bold",
                      ("italic", 400): "Italic", ("italic", 700): "BoldItalic"}
# Basic Latin, Latin-1, Latin Extended-A, Ơ/Ư, combining marks, Vietnamese letters, punctuation, đồng and euro,
# numero, arrows, minus, less/greater or equal. Other characters fall back to the system's fonts.
STATIC_FONT_UNICODES = ((0x20, 0x7E), (0xA0, 0x17F), (0x1A0, 0x1B0), (0x300, 0x36F), (0x1EA0, 0x1EF9),
                        (0x2002, 0x2027), (0x2030, 0x203A), (0x20AB, 0x20AC), (0x2116, 0x2116), (0x2190, 0x2193),
                        (0x2212, 0x2212), (0x2264, 0x2265))
# Vietnamese text is normalised to precomposed letters, so the fonts need no shaping tables (which WeasyPrint
# would otherwise decode again for every PDF).
LAYOUT_TABLES = ["GSUB", "GPOS", "GDEF"]
STATIC_FONT_RECIPE = ";".join([",".join(f"{first:x}-{last:x}" for first, last in STATIC_FONT_UNICODES),
                               ",".join(LAYOUT_TABLES), ",".join(map(str, STATIC_WEIGHTS))])
BLANK = "........................"
VERDICTS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}


_font_cache: Path | None = None  # set by configure()


class FontUnavailableError(RuntimeError):
    """Neither the packaged font nor the system fallback font is installed."""


def configure(*, font_cache: Path | None) -> None:
    """Where this process prepares the embedded fonts (Settings.font_cache); None: the temporary directory."""
    global _font_cache
    if font_cache != _font_cache:
        _font_cache = font_cache
        font_faces.cache_clear()


@dataclass(frozen=True)
class FontFace:
    """One font file, declared to WeasyPrint as an @font-face of FONT_FAMILY."""

    path: Path
    weight: str
    style: str

    def css(self) -> str:
        return (f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{self.path.as_uri()}"); '
                f"font-weight: {self.weight}; font-style: {self.style}; }}")


def render_html(form: str, context: dict) -> str:
    """The form as a standalone HTML document (styles inlined, no external resources)."""
    return environment().get_template(template_name(form)).render(context)


def render_pdf(form: str, context: dict) -> bytes:
    """The form as an A4 PDF with its font embedded; FontUnavailableError if no usable font is installed."""
    return template_pdf(template_name(form), context)


def template_pdf(template: str, context: dict) -> bytes:
    """Any template of this folder (a form, a result under results/) as an A4 PDF with its font embedded."""
    from weasyprint import CSS, HTML  # imported on first use: it takes half a second, which every process paid
    from weasyprint.text.fonts import FontConfiguration

    html = environment().get_template(template).render(context)
    font_config = FontConfiguration()
    fonts = CSS(string=font_face_css(font_faces()), font_config=font_config)
    return HTML(string=html).write_pdf(stylesheets=[fonts], font_config=font_config)


def template_name(form: str) -> str:
    """The template file of a form; ValueError for a form that does not exist."""
    if form not in FORMS:
        raise ValueError(f"unknown form {form!r}; known forms: {', '.join(FORMS)}")
    return form.replace("-", "_") + ".html"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("workflows.printable", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=precomposed,
    )
    env.filters.update(
        hm_date=hm_date,
        date_vi=date_vi,
        long_date=long_date,
        datetime_vi=datetime_vi,
        money=money,
        verdict=verdict,
    )
    env.globals["blank"] = BLANK
    return env


# --- filters --------------------------------------------------------------------------------

def precomposed(value):
    """Every printed value in Unicode NFC: Vietnamese typed as base letters plus combining marks becomes
    the precomposed letters that the embedded font draws without shaping tables."""
    if isinstance(value, Markup):
        return Markup(unicodedata.normalize("NFC", value))
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    return value


def hm_date(value: datetime | None) -> str:
    """'14 giờ 05 phút, ngày 03 tháng 12 năm 2026'; '' for None."""
    if value is None:
        return ""
    return f"{value:%H} giờ {value:%M} phút, {long_date(value)}"


def date_vi(value: date | None) -> str:
    """'03/12/2026'; '' for None."""
    return "" if value is None else f"{value:%d/%m/%Y}"


def long_date(value: date | None) -> str:
    """'ngày 03 tháng 12 năm 2026'; '' for None."""
    return "" if value is None else f"ngày {value:%d} tháng {value:%m} năm {value:%Y}"


def datetime_vi(value: datetime | None) -> str:
    """'14:05 03/12/2026', short enough for a table cell; '' for None."""
    return "" if value is None else f"{value:%H:%M} {value:%d/%m/%Y}"


def money(value: int) -> str:
    """'50.000 đồng'; 'Không thu phí' for 0."""
    if not value:
        return "Không thu phí"
    return f"{value:,} đồng".replace(",", ".")


def verdict(value: str | None) -> str:
    """'Trước hạn' / 'Đúng hạn' / 'Quá hạn' for 'early' / 'on_time' / 'late'; '' for None."""
    if value is None:
        return ""
    if value not in VERDICTS:
        raise ValueError(f"unknown verdict {value!r}; known verdicts: {', '.join(VERDICTS)}")
    return VERDICTS[value]


# --- fonts ----------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def font_faces() -> tuple[FontFace, ...]:
    """The font files the PDF embeds, found (and for Noto Serif, prepared) once per process."""
    return resolve_font_faces()


def resolve_font_faces() -> tuple[FontFace, ...]:
    """Noto Serif from its pip package, else the system DejaVu Serif; FontUnavailableError if neither."""
    faces = packaged_font_faces() or system_font_faces()
    if not faces:
        raise FontUnavailableError(
            f"No font with Vietnamese coverage for the printable forms: install the Python package "
            f"'fontpkg-noto-serif' (a dependency of motcua: run 'pip install -e .') or the system "
            f"DejaVu fonts ('apt-get install fonts-dejavu-core', expected in {SYSTEM_FONT_DIR})."
        )
    return faces


def packaged_font_faces() -> tuple[FontFace, ...]:
    """Noto Serif regular, bold, italic and bold italic, or () if the package is not installed.

    The package ships variable fonts, which WeasyPrint would instantiate and subset again for every PDF
    (seconds each). They are turned once into small static fonts in the font cache; where no cache
    directory can be written, the variable files are used as they are.
    """
    sources = _packaged_font_files()
    if not sources:
        return ()
    directory = font_cache_dir()
    if directory is None:
        return tuple(FontFace(path, "100 900", style) for style, path in sources.items())
    return tuple(face for style, source in sources.items() for face in _static_faces(source, style, directory))


def system_font_faces(directory: Path | None = None) -> tuple[FontFace, ...]:
    """DejaVu Serif in its four styles, or () if its regular file is missing."""
    directory = SYSTEM_FONT_DIR if directory is None else directory
    faces = tuple(FontFace(directory / name, weight, style) for name, weight, style in SYSTEM_FONT_FILES
                  if (directory / name).is_file())
    return faces if any(face.path.name == SYSTEM_FONT_FILES[0][0] for face in faces) else ()


def font_cache_dir() -> Path | None:
    """The configured font cache, else the temporary directory's; None if neither can be written."""
    for directory in filter(None, (_font_cache, Path(tempfile.gettempdir()) / "motcua-fonts")):
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(directory, os.W_OK):
            return directory
    return None


def font_face_css(faces: tuple[FontFace, ...]) -> str:
    return "\n".join(face.css() for face in faces)


def _packaged_font_files() -> dict[str, Path]:
    """The variable Noto Serif file of each style ('normal', 'italic'), from fontpkg-noto-serif."""
    if fontpkg is None:
        return {}
    try:
        family = fontpkg.family(PACKAGED_FONT_FAMILY)
    except fontpkg.FontpkgError:
        return {}
    return {file.style: file.path for file in family.files if file.variable and file.path.is_file()}


def _static_faces(source: Path, style: str, directory: Path) -> tuple[FontFace, ...]:
    """Static instances of a variable font at STATIC_WEIGHTS, limited to the characters of Vietnamese text."""
    stat = source.stat()
    key = hashlib.sha256(f"{STATIC_FONT_RECIPE}:{source}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()
    targets = {weight: directory / f"NotoSerif-{STATIC_STYLE_NAMES[style, weight]}-{key[:12]}.ttf"
               for weight in STATIC_WEIGHTS}
    missing = {weight: target for weight, target in targets.items() if not target.is_file()}
    if missing:
        # Instances made by another installation (another virtualenv, an older package version) are
        # left alone: a server of that installation may be rendering with them right now. They are
        # named by their source's key and small (about 50 KB each).
        _write_static_instances(source, missing)
    return tuple(FontFace(target, str(weight), style) for weight, target in targets.items())


def _write_static_instances(source: Path, targets: dict[int, Path]) -> None:
    font = TTFont(source)
    for tag in LAYOUT_TABLES:  # dropped before subsetting, which would otherwise decode them
        if tag in font:
            del font[tag]
    options = subset.Options()
    options.notdef_outline = True
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[code for first, last in STATIC_FONT_UNICODES for code in range(first, last + 1)])
    subsetter.subset(font)
    subsetted = BytesIO()
    font.save(subsetted)
    for weight, target in targets.items():
        variable = TTFont(BytesIO(subsetted.getvalue()))  # reloading is cheaper than the instancer's deep copy
        _save_atomically(instancer.instantiateVariableFont(variable, {"wght": weight, "wdth": 100}, inplace=True),
                         target)


def _save_atomically(font: TTFont, target: Path) -> None:
    """Write next to the target and rename, so that concurrent workers never read half a file."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=target.stem, suffix=".part")
    os.close(handle)
    try:
        font.save(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
