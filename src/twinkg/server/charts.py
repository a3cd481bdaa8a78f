"""Bar charts as inline SVG (no script, no external resources): geometry computed here, drawn by a template macro."""

from __future__ import annotations

from typing import Any

Bar = tuple[str, int]


def _nice_max(value: int) -> int:
    """A round upper end for the value axis (1, 2, 5 × 10^k)."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if value <= m * step:
                return m * step
        step *= 10


def columns(chart_id: str, title: str, series: dict[str, list[Bar]], width: int = 720, height: int = 240) -> dict[str, Any]:
    """Vertical bars over an ordered axis (decades, years); several series side by side per tick.

    Every category of the first series is a tick; a bar is drawn for each non-zero value."""
    ticks = list(dict.fromkeys(label for bars in series.values() for label, _ in bars))
    ticks.sort()
    values = {name: dict(bars) for name, bars in series.items()}
    top = _nice_max(max([v for bars in series.values() for _, v in bars] or [1]))
    left, bottom, right = 40, 36, 10
    plot_w, plot_h = width - left - right, height - bottom - 10
    slot = plot_w / max(1, len(ticks))
    bar_w = max(1.0, slot * 0.8 / max(1, len(series)))
    rects = []
    for i, tick in enumerate(ticks):
        for j, name in enumerate(series):
            value = values[name].get(tick, 0)
            if value:
                h = value / top * plot_h
                rects.append({"x": round(left + i * slot + slot * 0.1 + j * bar_w, 1), "y": round(10 + plot_h - h, 1),
                              "w": round(bar_w, 1), "h": round(h, 1), "series": name, "label": tick, "value": value})
    every = max(1, len(ticks) // 12)
    labels = [{"x": round(left + (i + 0.5) * slot, 1), "text": t} for i, t in enumerate(ticks) if i % every == 0]
    return {"id": chart_id, "title": title, "width": width, "height": height, "bars": rects, "x_labels": labels,
            "axis": {"x1": left, "y1": 10 + plot_h, "x2": width - right, "top": top, "top_y": 10, "left": left},
            "series": list(series), "vertical": True}


def rows(chart_id: str, title: str, bars: list[Bar], width: int = 720) -> dict[str, Any]:
    """Horizontal bars for categories with long names (countries, country pairs, shares), largest first as given."""
    label_w, bar_h, gap = 170, 16, 4
    top = max([v for _, v in bars] or [1])
    plot_w = width - label_w - 60
    rects = [{"x": label_w, "y": i * (bar_h + gap), "w": round(max(1.0, v / top * plot_w), 1), "h": bar_h,
              "label": label, "value": v, "series": ""} for i, (label, v) in enumerate(bars) if v]
    return {"id": chart_id, "title": title, "width": width, "height": max(bar_h, len(rects) * (bar_h + gap)),
            "bars": rects, "vertical": False, "label_w": label_w}
