"""Server-side SVG charts: readable without JavaScript and in print."""
from __future__ import annotations

from html import escape

PALETTE = ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b")


def _color(value: int, peak: int) -> str:
    if value <= 0 or peak <= 0:
        return PALETTE[0]
    return PALETTE[min(len(PALETTE) - 1, 1 + int((len(PALETTE) - 2) * value / peak))]


def heat_map(labels: list[str], matrix: list[list[int]], link=None, cell: int = 26,
             confirmed: list[list[int]] | None = None) -> str:
    """A unit × unit heat map; the diagonal (a unit with itself) is left blank. `confirmed` (same
    shape) marks cells with Bureau-confirmed re-collections: an orange corner with the count in its
    tooltip, so the mark survives black-and-white print as a shape, not only as a colour."""
    n = len(labels)
    # room for the longest label (12 px a character): at the left, and above the columns where it
    # is turned 60° (it then reaches half its length to the right of its column)
    longest = 12 * max((len(label) for label in labels), default=0)
    left, top, right = max(170, longest + 12), max(150, round(longest * 0.87) + 16), round(longest * 0.5) + 10
    peak = max((matrix[i][j] for i in range(n) for j in range(n) if i != j), default=0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="单位间共同采集数据元热力图" '
             f'width="{left + n * cell + right}" height="{top + n * cell + 10}" font-size="12" '
             f'font-family="Noto Sans CJK SC, Microsoft YaHei, sans-serif">']
    for i, label in enumerate(labels):
        y = top + i * cell + cell * 0.65
        parts.append(f'<text x="{left - 6}" y="{y:.0f}" text-anchor="end">{escape(label)}</text>')
        x = left + i * cell + cell * 0.6
        parts.append(f'<text transform="translate({x:.0f},{top - 6}) rotate(-60)">{escape(label)}</text>')
    for i in range(n):
        for j in range(n):
            value = matrix[i][j]
            x, y = left + j * cell, top + i * cell
            if i == j:
                parts.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="#eee" stroke="#fff"/>')
                continue
            rect = (f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{_color(value, peak)}" '
                    f'stroke="#fff"><title>{escape(labels[i])} × {escape(labels[j])}：{value} 个共同数据元</title></rect>')
            text = (f'<text x="{x + cell / 2:.0f}" y="{y + cell * 0.68:.0f}" text-anchor="middle" '
                    f'fill="{"#fff" if value > peak * 0.6 else "#222"}">{value or ""}</text>')
            sure = confirmed[i][j] if confirmed else 0
            if sure:
                text += (f'<polygon class="confirmed" points="{x + cell - 11},{y} {x + cell},{y} {x + cell},{y + 11}" '
                         f'fill="#e6550d"><title>{escape(labels[i])} 已确认重复采集 {escape(labels[j])} 的数据：'
                         f'{sure} 条</title></polygon>')
            href = link(i, j) if link and (value or sure) else None
            parts.append(f'<a href="{escape(href)}">{rect}{text}</a>' if href else rect + text)
    parts.append("</svg>")
    return "".join(parts)


def text_width(text: str, size: int = 12) -> int:
    """Approximate rendered width: a CJK character is one em, Latin and digits about 0.6 em."""
    return int(sum(size if ord(c) > 0x2E7F else size * 0.6 for c in text)) + 1


def bar_chart(rows: list[tuple[str, int, str | None]], width: int = 520, bar: int = 22, unit: str = "") -> str:
    """Horizontal bars: (label, value, link). The label column is as wide as the longest label, so no
    label is cut; the SVG scales down (viewBox) when its box is narrower."""
    peak = max((v for _, v, _ in rows), default=0) or 1
    left = max([text_width(label) + 12 for label, _, _ in rows] + [60])
    value_room = text_width(f"{peak}{unit}") + 10
    width = max(width, left + 160 + value_room)
    height = len(rows) * (bar + 6) + 6
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-size="12" font-family="Noto Sans CJK SC, Microsoft YaHei, sans-serif">']
    for index, (label, value, href) in enumerate(rows):
        y = 4 + index * (bar + 6)
        length = (width - left - value_room) * value / peak
        body = (f'<text x="{left - 6}" y="{y + bar * 0.7:.0f}" text-anchor="end">{escape(label)}</text>'
                f'<rect x="{left}" y="{y}" width="{max(length, 1):.0f}" height="{bar}" fill="#2171b5">'
                f'<title>{escape(label)}：{value}{escape(unit)}</title></rect>'
                f'<text x="{left + length + 4:.0f}" y="{y + bar * 0.7:.0f}">{value}{escape(unit)}</text>')
        parts.append(f'<a href="{escape(href)}">{body}</a>' if href else body)
    parts.append("</svg>")
    return "".join(parts)
