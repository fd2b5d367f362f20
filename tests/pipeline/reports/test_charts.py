"""Chinese in charts is drawn with real glyphs of the project's own CJK font, never the
missing-glyph box: the font has the glyphs, a chart renders without matplotlib's missing-glyph
warning (which a font without them does raise), and a drawn character differs from the box."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import pytest
from matplotlib.ft2font import FT2Font
from PIL import Image

from pipeline.reports import charts, fonts
from pipeline.reports.fonts import FontMissing, cjk_font, covers

TEXT = "云和县涉云和信息量走势峰值累计微博网络问政"


def _glyph(font: Path, char: str) -> np.ndarray:
    ft = FT2Font(str(font))
    ft.set_size(48, 72)
    ft.set_text(char, 0.0)
    ft.draw_glyphs_to_bitmap()
    return np.asarray(ft.get_image())


def test_the_project_font_comes_from_the_install_and_has_the_glyphs() -> None:
    path = cjk_font()
    assert "site-packages" in str(path) or "dist-packages" in str(path)   # pylopdf-fonts-zh-cn, from make install
    assert covers(path, TEXT)
    with pytest.warns(UserWarning, match="missing from font"):
        box = _glyph(path, "\ue000")        # a private-use character: the font's missing-glyph box
    for char in "舆情云和":
        assert not np.array_equal(_glyph(path, char), box)


def test_a_chart_renders_chinese_without_missing_glyphs() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # "Glyph … missing from font(s)" would fail here
        png = charts.trend_chart([f"{h}时" for h in range(24)], list(range(24)), ylabel="信息量（条）")
        charts.share_chart(["微博", "网络问政"], [3, 1])
        charts.bar_chart(["县住房和城乡建设局", "赤石乡"], [0.5, 1.0], "按时率", percent=True)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width > 1000


def test_the_check_catches_a_font_without_chinese() -> None:
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    dejavu = font_manager.findfont("DejaVu Sans")
    assert not covers(Path(dejavu), TEXT)
    fig = Figure()
    fig.text(0.1, 0.5, TEXT, fontproperties=font_manager.FontProperties(fname=dejavu))
    with pytest.warns(UserWarning, match="missing from font"):
        fig.savefig(io.BytesIO(), format="png")


def test_no_usable_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from matplotlib import font_manager

    monkeypatch.setattr(fonts, "_candidates", lambda: [tmp_path / "none.otf", Path(font_manager.findfont("DejaVu Sans"))])
    fonts.cjk_font.cache_clear()
    try:
        with pytest.raises(FontMissing, match="make install"):
            fonts.cjk_font()
    finally:
        fonts.cjk_font.cache_clear()


def test_count_axes_have_whole_ticks_and_labels_are_thinned_to_fit() -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(16 / 2.54, 7 / 2.54))
    ax = fig.add_subplot()
    ax.bar(range(3), [0, 1, 2])
    charts._counts_axis(ax)
    fig.canvas.draw()
    assert all(float(t).is_integer() for t in ax.get_yticks())          # never 0.2 of a post
    labels = [f"11月{d}日" for d in range(1, 31)]
    charts._sparse_ticks(ax, labels)
    shown = [t.get_text() for t in ax.get_xticklabels()]
    assert 2 <= len(shown) <= 12 and shown[0] == "11月1日"                 # a month's days do not run together
    charts._sparse_ticks(ax, [f"{h:02d}时" for h in range(24)])
    assert len(ax.get_xticklabels()) >= 8


def test_a_repost_tree_is_drawn() -> None:
    png = charts.tree_chart([(0, "丽水身边事（微博）"), (1, "云和同城（微博）"), (2, "浙南生活观察（微博）"), (0, "梯田守望者（论坛）")])
    assert png.startswith(b"\x89PNG") and len(png) > 5000
