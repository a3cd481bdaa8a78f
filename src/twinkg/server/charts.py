"""Bar charts as inline SVG (no script, no external resources): geometry computed here, drawn by a template macro.

Every chart says what it counts: titles on both axes, a value axis with ticks and grid lines at round numbers,
the value of each bar beside it, and a label for every category (or for every k-th year where they would not fit).
A chart with many categories is drawn wider rather than with bars too thin to label: its page scrolls it in its
own box (`.chart-scroll`)."""

from __future__ import annotations

import math
from typing import Any

Bar = tuple[str, int]

CHAR_WIDTH = 6.2
"""Pixels a digit or letter of the charts' 10-11 px text takes (an estimate, for fitting labels)."""
MIN_BAR = 16
"""The narrowest bar of a column chart: wide enough for its value written above it."""


def nice_step(top: int, most: int = 6) -> int:
    """The smallest round step (1, 2, 5 × 10^k) that divides 0…top into at most `most` intervals."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if math.ceil(max(top, 1) / (m * step)) <= most:
                return m * step
        step *= 10


def value_ticks(top_value: int, length: float, most: int = 6) -> tuple[int, list[dict[str, Any]]]:
    """The top of a value axis (a multiple of a round step, at least the largest value) and its ticks: value and
    offset from the axis's zero along `length` pixels."""
    step = nice_step(top_value, most)
    top = max(step, math.ceil(top_value / step) * step)
    return top, [{"value": f"{v:,}", "at": round(v / top * length, 1)} for v in range(0, top + 1, step)]


def _label_every(ticks: list[str], slot: float) -> int:
    """Label every k-th category (k = 1, 2, 5, 10 …) so that labels sit at least their own width apart."""
    widest = max((len(t) for t in ticks), default=1) * CHAR_WIDTH + 8
    k = 1
    while k * slot < widest:
        k = {1: 2, 2: 5}.get(k, k * 2)
    return k


def columns(chart_id: str, title: str, series: dict[str, list[Bar]], x_title: str, y_title: str,
            note: str = "", height: int = 280) -> dict[str, Any]:
    """Vertical bars over an ordered axis (decades, years); several series side by side per category.

    Every category of any series is a slot; a bar is drawn for each non-zero value, its value written above it."""
    ticks = sorted(dict.fromkeys(label for bars in series.values() for label, _ in bars))
    values = {name: dict(bars) for name, bars in series.items()}
    left, right, top_pad, bottom = 62, 12, 22, 56
    slot = max(720 - left - right, len(ticks) * len(series) * MIN_BAR / 0.8) / max(1, len(ticks))
    width = round(left + right + slot * max(1, len(ticks)))
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    top, y_ticks = value_ticks(max([v for bars in series.values() for _, v in bars] or [1]), plot_h)
    base = top_pad + plot_h
    bar_w = slot * 0.8 / max(1, len(series))
    rects = []
    for i, tick in enumerate(ticks):
        for j, name in enumerate(series):
            value = values[name].get(tick, 0)
            if value:
                h = value / top * plot_h
                x = left + i * slot + slot * 0.1 + j * bar_w
                rects.append({"x": round(x, 1), "y": round(base - h, 1), "w": round(bar_w, 1), "h": round(h, 1),
                              "series": name, "label": tick, "value": f"{value:,}", "cx": round(x + bar_w / 2, 1)})
    every = _label_every(ticks, slot)
    numeric = all(t.rstrip("s").isdigit() for t in ticks)

    def labelled(i: int, tick: str) -> bool:
        """Years and decades are labelled at round numbers (every 2nd: 1950, 1952 …), other categories every k-th."""
        if not numeric:
            return i % every == 0
        return int(tick.rstrip("s")) % (every * (10 if tick.endswith("s") else 1)) == 0

    labels = [{"x": round(left + (i + 0.5) * slot, 1), "text": t} for i, t in enumerate(ticks) if labelled(i, t)]
    return {"id": chart_id, "title": title, "note": note, "width": width, "height": height, "bars": rects,
            "x_labels": labels, "y_ticks": [{"value": t["value"], "y": round(base - t["at"], 1)} for t in y_ticks],
            "axis": {"left": left, "right": width - right, "top": top_pad, "base": base, "mid_x": round(left + plot_w / 2, 1),
                     "mid_y": round(top_pad + plot_h / 2, 1)},
            "x_title": x_title, "y_title": y_title, "series": list(series), "vertical": True}


def rows(chart_id: str, title: str, bars: list[Bar], category_title: str, value_title: str, note: str = "",
         width: int = 720) -> dict[str, Any]:
    """Horizontal bars for categories with long names (countries, country pairs, shares), largest first as given;
    the category and value titles head the two columns, each bar has its value beside it."""
    label_w = min(300, max(90, round(max((len(b[0]) for b in bars), default=4) * CHAR_WIDTH + 12)))
    bar_h, gap, head = 16, 4, 22
    plot_w = width - label_w - 70
    top = max([v for _, v in bars] or [1])
    rects = [{"x": label_w, "y": head + i * (bar_h + gap), "w": round(max(1.0, v / top * plot_w), 1), "h": bar_h,
              "label": label, "value": f"{v:,}", "series": ""} for i, (label, v) in enumerate(bars) if v]
    return {"id": chart_id, "title": title, "note": note, "width": width,
            "height": head + max(bar_h, len(rects) * (bar_h + gap)), "bars": rects, "vertical": False,
            "label_w": label_w, "category_title": category_title, "value_title": value_title}
