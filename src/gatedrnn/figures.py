"""Figures people would rather see than read, as PNG files written atomically (matplotlib, Agg).

Text in any script: matplotlib's own font (DejaVu) has no Hangul or CJK glyphs, and
gatedrnn's first readers study from Korean notes. So pyplot() puts an installed font that
has them (CJK_FONTS, the first found) after the generic family in ``font.family``, and
matplotlib (3.6 and later) takes each glyph from the first family in that list whose font
has it; monospace text asks for :func:`monospace_family` to get the same fallback. If no such
font is installed, save_figure says in one line what to install instead of leaving
empty boxes unexplained.
"""

import io
import os
import sys
import warnings

from .files import atomic_write_bytes
from .own_files import PNG_METADATA

# Fonts with Hangul (and, for most, CJK ideographs), as matplotlib names them, most complete first.
CJK_FONTS = (
    "Noto Sans CJK KR",
    "Noto Sans CJK JP",
    "Noto Sans KR",
    "Source Han Sans K",
    "NanumGothic",
    "NanumBarunGothic",
    "Malgun Gothic",
    "Apple SD Gothic Neo",
    "AppleGothic",
    "UnDotum",
    "Baekmuk Gulim",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
)
# File-name pieces of those fonts, to find ones installed after matplotlib cached its font list.
CJK_FILE_HINTS = (
    "notosanscjk",
    "notosanskr",
    "sourcehansans",
    "nanum",
    "malgun",
    "applegothic",
    "applesdgothic",
    "undotum",
    "baekmuk",
    "wqy-zenhei",
    "droidsansfallback",
)
INSTALL_HINT = "install a font that has them, e.g. fonts-noto-cjk or fonts-nanum (Debian/Ubuntu), then run again"
_configured = False
_missing_reported = False


def pyplot():
    """matplotlib.pyplot on the Agg backend: gatedrnn writes figure files and never needs a display."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _add_cjk_fallback(matplotlib)
    return plt


def cjk_font():
    """The name of an installed font with Hangul (see CJK_FONTS), or None."""
    from matplotlib import font_manager

    names = {font.name for font in font_manager.fontManager.ttflist}
    found = next((name for name in CJK_FONTS if name in names), None)
    if found is None:  # installed after matplotlib built its cache: register the files directly
        for path in font_manager.findSystemFonts():
            if any(hint in os.path.basename(path).lower().replace(" ", "") for hint in CJK_FILE_HINTS):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        names = {font.name for font in font_manager.fontManager.ttflist}
        found = next((name for name in CJK_FONTS if name in names), None)
    return found


def monospace_family():
    """The family list for monospace text: ["monospace"], then the Hangul font if one is installed."""
    font = cjk_font()
    return ["monospace"] + ([font] if font else [])


def _add_cjk_fallback(matplotlib):
    global _configured
    if _configured:
        return
    _configured = True
    font = cjk_font()
    if font is not None:
        families = list(matplotlib.rcParams["font.family"])
        if font not in families:
            families.append(font)  # after the usual font: its glyphs first, this font's for the rest
        matplotlib.rcParams["font.family"] = families


def save_figure(figure, path):
    """Render ``figure`` to PNG bytes, write them to ``path`` atomically and close the figure.

    Characters that no installed font has get one line on stderr saying what to install.
    """
    buffer = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.savefig(buffer, format="png", metadata=PNG_METADATA)
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    for other in (w for w in caught if "missing from font" not in str(w.message)):
        warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)
    if missing:
        _report_missing_glyphs(missing)
    pyplot().close(figure)
    atomic_write_bytes(path, buffer.getvalue())


def _report_missing_glyphs(messages):
    global _missing_reported
    if _missing_reported:
        return
    _missing_reported = True
    print(
        f"gatedrnn: note: {len(messages)} character(s) in a figure have no glyph in any installed font and show "
        f"as boxes; {INSTALL_HINT}",
        file=sys.stderr,
    )
