"""Server-rendered SVG charts (no script, no external assets): filings and alerts per week.

Text is escaped; the SVG is returned as ``markupsafe.Markup`` for a template to inline.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from markupsafe import Markup

W, H = 880, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 28, 44


def weekly_svg(series: Sequence[dict[str, Any]], lang: str = "zh") -> Markup:
    """Bars of complaints filed per week with alerts raised as a second bar beside them;
    one group per ``series`` item (``week``, ``filings``, ``alerts``)."""
    zh = lang == "zh"
    title = "每周投诉受理与预警" if zh else "Complaints filed and alerts raised per week"
    names = ("投诉", "预警") if zh else ("complaints", "alerts")
    top = max([1] + [max(int(s["filings"]), int(s["alerts"])) for s in series])
    top = -(-top // 4) * 4  # four whole-number gridline steps
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    slot = plot_w / max(1, len(series))
    bar = max(2.0, slot * 0.35)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" '
             f'height="{H}" role="img" aria-label="{escape(title)}" id="alerts-chart">',
             f'<title>{escape(title)}</title>',
             f'<text x="{LEFT}" y="16" font-size="13">{escape(title)}</text>']
    for i in range(5):  # gridlines with their values
        v = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#d0d5db" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" '
                     f'text-anchor="end">{v:.0f}</text>')
    for i, s in enumerate(series):
        x0 = LEFT + slot * i + (slot - 2 * bar) / 2
        for j, (key, colour) in enumerate((("filings", "#0b5cad"), ("alerts", "#b3261e"))):
            n = int(s[key])
            h = plot_h * n / top
            label = f"{s['week']} {names[j]} {n}"
            parts.append(f'<rect class="{key}" data-week="{escape(str(s["week"]))}" '
                         f'data-value="{n}" x="{x0 + j * bar:.1f}" '
                         f'y="{TOP + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                         f'fill="{colour}"><title>{escape(label)}</title></rect>')
        if i % 2 == 0:
            parts.append(f'<text x="{LEFT + slot * i + slot / 2:.1f}" y="{H - BOTTOM + 16}" '
                         f'font-size="11" text-anchor="middle">'
                         f'{escape(str(s["week"])[5:])}</text>')
    lx = W - RIGHT - 180
    for j, colour in enumerate(("#0b5cad", "#b3261e")):
        parts.append(f'<rect x="{lx + j * 90}" y="{H - 16}" width="10" height="10" '
                     f'fill="{colour}"/><text x="{lx + j * 90 + 14}" y="{H - 7}" '
                     f'font-size="11">{escape(names[j])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above
