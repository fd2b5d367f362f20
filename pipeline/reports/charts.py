"""Charts for the reports, drawn with matplotlib (Agg, no pyplot state) in the project's CJK
font (``fonts.cjk_font``) and returned as PNG bytes. Pure functions of their numbers: the
composers decide what to draw, the renderers only embed the pictures.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from pipeline.reports.fonts import cjk_family

BLUE = "#2f5597"
RED = "#c00000"
GREY = "#7f7f7f"
PALETTE = ("#2f5597", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6", "#a9d18e", "#f4b183", "#8faadc", "#bfbfbf")
DPI = 200
CM = 1 / 2.54


def render(draw: Callable[[Axes], None], width_cm: float = 16.0, height_cm: float = 7.0) -> bytes:
    """One chart as PNG: ``draw`` fills the axes; the font is the CJK one, minus signs ASCII."""
    style: Any = {"font.family": [cjk_family()], "axes.unicode_minus": False, "font.size": 9,
             "axes.spines.top": False, "axes.spines.right": False, "axes.edgecolor": GREY,
             "axes.grid": True, "grid.color": "#d9d9d9", "grid.linewidth": 0.6, "axes.axisbelow": True}
    with rc_context(style):
        fig = Figure(figsize=(width_cm * CM, height_cm * CM), dpi=DPI)
        ax = fig.add_subplot()
        draw(ax)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=DPI, facecolor="white")
    return out.getvalue()


def _sparse_ticks(ax: Axes, labels: Sequence[str], width_cm: float = 16.0) -> None:
    """At most as many labels as fit side by side (a CJK character is about 0.3 cm at 9 pt, plus a
    gap); long labels are turned 45° and thinned to what fits turned."""
    widest = max((sum(2 if ord(c) > 0x2E80 else 1 for c in label) for label in labels), default=1) * 0.16 + 0.4
    fit = max(2, int(width_cm * 0.85 / widest))
    turned = fit < min(len(labels), 8)
    if turned:
        fit = max(2, int(width_cm * 0.85 / 0.55))
    step = max(1, -(-len(labels) // fit))
    ax.set_xticks(range(0, len(labels), step), [labels[i] for i in range(0, len(labels), step)],
                  rotation=45 if turned else 0, ha="right" if turned else "center")


def _counts_axis(ax: Axes) -> None:
    """A count axis has whole-number ticks (never 0.2 of a post)."""
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))


def trend_chart(labels: Sequence[str], values: Sequence[int], ylabel: str = "信息量（条）",
                cumulative: bool = False) -> bytes:
    """Bars per hour or day, the peak in red and labelled; optionally the running total as a line."""

    def draw(ax: Axes) -> None:
        peak = max(values, default=0)
        colors = [RED if v == peak and peak > 0 else BLUE for v in values]
        ax.bar(range(len(values)), values, color=colors, width=0.7)
        ax.set_xlim(-0.8, max(len(values), 8) - 0.2)  # a few bars stay bars, not a wall
        _sparse_ticks(ax, labels)
        ax.set_ylabel(ylabel)
        _counts_axis(ax)
        ax.grid(axis="x", visible=False)
        if peak > 0:
            i = list(values).index(peak)
            ax.annotate(f"峰值 {peak}", (i, peak), xytext=(0, 3), textcoords="offset points", ha="center",
                        color=RED, fontsize=8)
            ax.set_ylim(0, peak * 1.18)
        else:
            ax.set_ylim(0, 1)
        if cumulative and values:
            twin = ax.twinx()
            running = [sum(values[: i + 1]) for i in range(len(values))]
            twin.plot(range(len(values)), running, color=GREY, linewidth=1.2, marker=".", label="累计")
            twin.set_ylabel("累计（条）")
            _counts_axis(twin)
            twin.grid(visible=False)
            twin.set_ylim(0, running[-1] * 1.1 or 1)

    return render(draw)


def bar_chart(names: Sequence[str], values: Sequence[float], xlabel: str, percent: bool = False) -> bytes:
    """Horizontal bars, the first name at the top; values written at the bars' ends."""
    height = max(4.0, 1.2 + 0.75 * len(names))

    def draw(ax: Axes) -> None:
        ys = list(range(len(names)))[::-1]
        ax.barh(ys, values, color=[PALETTE[i % len(PALETTE)] for i in range(len(values))], height=0.6)
        ax.set_yticks(ys, list(names))
        ax.set_xlabel(xlabel)
        if not percent:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
        ax.grid(axis="y", visible=False)
        top = max(values, default=0) or 1
        ax.set_xlim(0, (1.0 if percent else top) * 1.15)
        for y, v in zip(ys, values, strict=True):
            ax.text(v + top * 0.01, y, f"{v * 100:.1f}%" if percent else f"{v:g}", va="center", fontsize=8)

    return render(draw, height_cm=height)


def share_chart(names: Sequence[str], values: Sequence[int]) -> bytes:
    """A ring of shares (platforms), the legend beside it with counts and percentages."""
    total = sum(values) or 1

    def draw(ax: Axes) -> None:
        ax.grid(visible=False)
        wedges, _ = ax.pie(values, colors=PALETTE[: len(values)], startangle=90, counterclock=False,
                           wedgeprops={"width": 0.42, "edgecolor": "white"})
        ax.legend(wedges, [f"{n}  {v}条（{v / total * 100:.1f}%）" for n, v in zip(names, values, strict=True)],
                  loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
        ax.set_aspect("equal")

    return render(draw, height_cm=6.5)


def tree_chart(lines: Sequence[tuple[int, str]]) -> bytes:
    """A repost tree from its pre-order lines (depth, account): one row per account, indented by
    its level, joined to its parent by an elbow line with an arrow toward the reposter."""
    height = max(3.0, 1.0 + 0.62 * len(lines))
    deepest = max((d for d, _ in lines), default=0)

    def draw(ax: Axes) -> None:
        ax.axis("off")
        parents: dict[int, int] = {}
        for row, (depth, account) in enumerate(lines):
            y = -row
            if depth:
                p = parents[depth - 1]
                ax.annotate("", (depth - 0.05, y), xytext=(depth - 1 + 0.1, -p), arrowprops={
                    "arrowstyle": "->", "color": GREY, "connectionstyle": "angle,angleA=-90,angleB=180,rad=0",
                    "linewidth": 0.8})
            ax.text(depth, y, account, va="center", ha="left", fontsize=9,
                    bbox={"boxstyle": "round,pad=0.3", "facecolor": "#dae3f3" if depth else "#f8cbad",
                          "edgecolor": BLUE if depth else RED, "linewidth": 0.6})
            parents[depth] = row
        ax.set_xlim(-0.2, deepest + 3.2)
        ax.set_ylim(-len(lines) + 0.4, 0.6)

    return render(draw, height_cm=height)
