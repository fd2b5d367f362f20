"""Charts of the overview as SVG built on the server: no script, no outside library, so they
render under the strict CSP and on an intranet without internet. Labels are escaped; colours
are presentation attributes (the CSP forbids inline style)."""

from __future__ import annotations

from datetime import date

from markupsafe import Markup, escape

PALETTE = ["#14325c", "#c8102e", "#d9822b", "#3b7d3b", "#6a4c93", "#1982c4", "#8ac926", "#ff595e",
           "#6d6875", "#b5838d", "#2a9d8f", "#e9c46a", "#264653", "#f4a261", "#9d0208", "#8d96a3"]
GRADE_COLOURS = {"特别重大": "#7a0010", "重大": "#c8102e", "较大": "#d9822b", "一般": "#3b7d3b"}


def stacked_days(days: list[date], series: dict[str, list[int]], colours: dict[str, str] | None = None,
                 width: int = 560, height: int = 240) -> Markup:
    """Stacked columns per day, one colour per series, with a legend underneath."""
    names = sorted(series, key=lambda s: -sum(series[s]))
    totals = [sum(series[s][i] for s in names) for i in range(len(days))]
    top = max(totals, default=0) or 1
    left, plot_h = 36, height - 40
    step = (width - left - 8) / max(len(days), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 18 * ((len(names) + 3) // 4)}" '
             f'role="img" font-size="11" font-family="sans-serif">',
             f'<text x="2" y="12" fill="#5f6b7a">{top}</text><text x="2" y="{plot_h + 4}" fill="#5f6b7a">0</text>',
             f'<line x1="{left}" y1="{plot_h}" x2="{width - 8}" y2="{plot_h}" stroke="#b8c2cf"/>']
    for i, day in enumerate(days):
        y = float(plot_h)
        for k, name in enumerate(names):
            h = series[name][i] / top * (plot_h - 10)
            if h > 0:
                colour = (colours or {}).get(name, PALETTE[k % len(PALETTE)])
                parts.append(f'<rect x="{left + i * step + 2:.1f}" y="{y - h:.1f}" width="{step - 4:.1f}" '
                             f'height="{h:.1f}" fill="{colour}"><title>{escape(name)} {day:%m-%d}：'
                             f'{series[name][i]}</title></rect>')
                y -= h
        if i % max(len(days) // 7, 1) == 0:
            parts.append(f'<text x="{left + i * step + 2:.1f}" y="{plot_h + 15}" fill="#5f6b7a">{day:%m-%d}</text>')
    for k, name in enumerate(names):
        x, y = 8 + (k % 4) * (width // 4), height + 18 * (k // 4)
        colour = (colours or {}).get(name, PALETTE[k % len(PALETTE)])
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{x + 14}" y="{y}" fill="#1d2433">{escape(name)}（{sum(series[name])}）</text>')
    if not names:
        parts.append(f'<text x="{width // 2 - 30}" y="{plot_h // 2}" fill="#5f6b7a">暂无数据</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def horizontal_bars(rows: list[tuple[str, int, int]], width: int = 560) -> Markup:
    """One bar per unit: open items, the returned part in red."""
    rows = rows[:20]
    top = max((n for _, n, _ in rows), default=0) or 1
    label_w, bar_h = 150, 18
    height = max(len(rows), 1) * (bar_h + 6) + 24
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'font-size="11" font-family="sans-serif">']
    for i, (unit, n, returned) in enumerate(rows):
        y = i * (bar_h + 6) + 4
        w = n / top * (width - label_w - 50)
        r = returned / top * (width - label_w - 50)
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" fill="#1d2433">{escape(unit)}</text>'
                     f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#14325c"/>'
                     f'<rect x="{label_w}" y="{y}" width="{r:.1f}" height="{bar_h}" fill="#c8102e"/>'
                     f'<text x="{label_w + w + 4:.1f}" y="{y + 13}" fill="#1d2433">{n}</text>')
    legend_y = height - 6
    parts.append(f'<rect x="{label_w}" y="{legend_y - 9}" width="10" height="10" fill="#14325c"/>'
                 f'<text x="{label_w + 14}" y="{legend_y}">在办</text>'
                 f'<rect x="{label_w + 60}" y="{legend_y - 9}" width="10" height="10" fill="#c8102e"/>'
                 f'<text x="{label_w + 74}" y="{legend_y}">已退回待改派</text>')
    if not rows:
        parts.append(f'<text x="{label_w}" y="16" fill="#5f6b7a">暂无在办事项</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
