"""Charts of the overview as SVG built on the server: no script, no outside library, so they
render under the strict CSP and on an intranet without internet. Labels are escaped; colours
are presentation attributes (the CSP forbids inline style). Each SVG has its natural size in
pixels (the page scrolls it sideways on a narrow screen rather than shrinking it), so its text
is ``FONT_PX`` pixels on every screen; count axes carry whole numbers only."""

from __future__ import annotations

from datetime import date

from markupsafe import Markup, escape

PALETTE = ["#14325c", "#c8102e", "#d9822b", "#3b7d3b", "#6a4c93", "#1982c4", "#8ac926", "#ff595e",
           "#6d6875", "#b5838d", "#2a9d8f", "#e9c46a", "#264653", "#f4a261", "#9d0208", "#8d96a3"]
GRADE_COLOURS = {"特别重大": "#7a0010", "重大": "#c8102e", "较大": "#d9822b", "一般": "#3b7d3b"}
FONT_PX = 13
LINE = FONT_PX + 8


def count_ticks(top: int, most: int = 5) -> list[int]:
    """Whole-number ticks from 0 up to at least ``top``: at most ``most`` steps of 1, 2 or 5
    times a power of ten (a count axis never shows 2.5 posts)."""
    top, step = max(top, 1), 1
    while True:
        for k in (1, 2, 5):
            if -(-top // (step * k)) <= most:
                return list(range(0, -(-top // (step * k)) * step * k + 1, step * k))
        step *= 10


def _svg(width: int, height: int) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" font-size="{FONT_PX}" font-family="sans-serif">')


def _legend(names: list[str], series: dict[str, list[int]], colours: dict[str, str] | None, width: int,
            top: int) -> list[str]:
    parts, per_row = [], 3
    for k, name in enumerate(names):
        x, y = 8 + (k % per_row) * (width // per_row), top + LINE * (k // per_row)
        colour = (colours or {}).get(name, PALETTE[k % len(PALETTE)])
        parts.append(f'<rect x="{x}" y="{y - 11}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 16}" y="{y}" fill="#1d2433">{escape(name)}（{sum(series[name])}）</text>')
    return parts


def stacked_days(days: list[date], series: dict[str, list[int]], colours: dict[str, str] | None = None,
                 width: int = 600, height: int = 260) -> Markup:
    """Stacked columns per day, one colour per series, a whole-number count axis, a legend underneath."""
    names = sorted(series, key=lambda s: -sum(series[s]))
    totals = [sum(series[s][i] for s in names) for i in range(len(days))]
    ticks = count_ticks(max(totals, default=0))
    top, left, plot_top, plot_h = ticks[-1], 44, 10, height - 40
    step = (width - left - 8) / max(len(days), 1)
    scale = lambda n: (plot_h - plot_top) * n / top  # noqa: E731
    parts = [_svg(width, height + LINE * ((len(names) + 2) // 3))]
    for t in ticks:
        y = plot_h - scale(t)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 8}" y2="{y:.1f}" stroke="#e3e8ef"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#5f6b7a">{t}</text>')
    for i, day in enumerate(days):
        y = float(plot_h)
        for k, name in enumerate(names):
            h = scale(series[name][i])
            if h > 0:
                colour = (colours or {}).get(name, PALETTE[k % len(PALETTE)])
                parts.append(f'<rect x="{left + i * step + 2:.1f}" y="{y - h:.1f}" width="{step - 4:.1f}" '
                             f'height="{h:.1f}" fill="{colour}"><title>{escape(name)} {day:%m-%d}：'
                             f'{series[name][i]}</title></rect>')
                y -= h
        if i % max(len(days) // 7, 1) == 0:
            parts.append(f'<text x="{left + i * step + 2:.1f}" y="{plot_h + 18}" fill="#5f6b7a">{day:%m-%d}</text>')
    parts.append(f'<line x1="{left}" y1="{plot_h}" x2="{width - 8}" y2="{plot_h}" stroke="#b8c2cf"/>')
    parts += _legend(names, series, colours, width, height + 8)
    if not names:
        parts.append(f'<text x="{width // 2 - 30}" y="{plot_h // 2}" fill="#5f6b7a">暂无数据</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def horizontal_bars(rows: list[tuple[str, int, int]], width: int = 600) -> Markup:
    """One bar per unit: open items, the returned part in red, each bar's whole count beside it."""
    rows = rows[:20]
    top = max((n for _, n, _ in rows), default=0) or 1
    label_w, bar_h = 170, 20
    height = max(len(rows), 1) * (bar_h + 6) + 30
    parts = [_svg(width, height)]
    for i, (unit, n, returned) in enumerate(rows):
        y = i * (bar_h + 6) + 4
        w = n / top * (width - label_w - 50)
        r = returned / top * (width - label_w - 50)
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" fill="#1d2433">{escape(unit)}</text>'
                     f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#14325c"/>'
                     f'<rect x="{label_w}" y="{y}" width="{r:.1f}" height="{bar_h}" fill="#c8102e"/>'
                     f'<text x="{label_w + w + 4:.1f}" y="{y + 15}" fill="#1d2433">{n}</text>')
    legend_y = height - 8
    parts.append(f'<rect x="{label_w}" y="{legend_y - 11}" width="12" height="12" fill="#14325c"/>'
                 f'<text x="{label_w + 16}" y="{legend_y}">在办</text>'
                 f'<rect x="{label_w + 70}" y="{legend_y - 11}" width="12" height="12" fill="#c8102e"/>'
                 f'<text x="{label_w + 86}" y="{legend_y}">已退回待改派</text>')
    if not rows:
        parts.append(f'<text x="{label_w}" y="18" fill="#5f6b7a">暂无在办事项</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
