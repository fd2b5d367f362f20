"""The CJK font the charts are drawn with. ``make install`` brings Noto Sans SC (SIL Open Font
License) with the PyPI package ``pylopdf-fonts-zh-cn``; ``YUQING_CJK_FONT`` may name another
font file, and Debian's ``fonts-noto-cjk`` is used when present. A font is accepted only if it
has real glyphs for Chinese: a chart never shows boxes, it fails with a clear message instead.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

PROBE = "云和县政务舆情日报周月专考核通"
SYSTEM_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)


class FontMissing(RuntimeError):
    """No font that can draw Chinese; the message (Chinese) says how to install one."""


def covers(path: Path, text: str = PROBE) -> bool:
    """Whether the font has a glyph (not the missing-glyph box, index 0) for every character."""
    from matplotlib.ft2font import FT2Font

    try:
        font = FT2Font(str(path))
    except (OSError, RuntimeError):
        return False
    return all(font.get_char_index(ord(c)) != 0 for c in text)


def _candidates() -> list[Path]:
    found: list[Path] = []
    if os.environ.get("YUQING_CJK_FONT"):
        found.append(Path(os.environ["YUQING_CJK_FONT"]))
    try:
        import pylopdf_fonts_zh_cn

        found.append(pylopdf_fonts_zh_cn.sans_path())
    except ImportError:
        pass
    found.extend(Path(p) for p in SYSTEM_FONTS)
    return found


@lru_cache(maxsize=1)
def cjk_font() -> Path:
    """The first candidate font file that exists and draws Chinese."""
    for path in _candidates():
        if path.is_file() and covers(path):
            return path
    raise FontMissing("找不到可显示中文的字体，图表无法生成。请运行 make install（安装 pylopdf-fonts-zh-cn 字体包），"
                      "或安装 fonts-noto-cjk，或设置 YUQING_CJK_FONT 为字体文件路径。")


@lru_cache(maxsize=1)
def cjk_family() -> str:
    """Register the font with matplotlib once and return its family name."""
    from matplotlib import font_manager

    path = cjk_font()
    font_manager.fontManager.addfont(str(path))
    return str(font_manager.FontProperties(fname=str(path)).get_name())
