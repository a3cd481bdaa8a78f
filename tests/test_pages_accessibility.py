"""Accessibility: WCAG AA contrast of every text colour (from the stylesheets, and as Chromium computes it on every
kind of page), a skip link and a focus ring for keyboards, a visible hint for leaving the query editor with the
keyboard (and that Escape then Tab does leave it), a favicon, page titles without repetition."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.browser import at_rest
from support.processes import Server
from test_pages_phone import page_paths

from twinkg.server import render

pytestmark = [pytest.mark.slow, pytest.mark.browser]

STATIC = Path(render.__file__).parent / "static"
STYLESHEETS = [STATIC / "style.css", STATIC / "query" / "query.css"]
COMPUTED = (Path(__file__).parent / "pages_contrast.js").read_text()
"""A script for the page: every element holding text, with its colour and the background it is drawn on (both
computed by the browser, alpha and opacity blended), and whether its text is large in WCAG's sense."""

AA, AA_LARGE = 4.5, 3.0
GRAPHIC = re.compile(r"\.tl-(bar|track|mark)\b")
"""Classes of elements that hold no text (the timeline's bars and marks): their background is a graphic."""
HEX = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")


def rgb(text: str) -> tuple[int, int, int]:
    h = HEX.search(text)
    assert h, f"not a hex colour: {text}"
    digits = h.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def luminance(c: tuple[float, ...]) -> float:
    def channel(v: float) -> float:
        v = v / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2])


def contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """WCAG 2's contrast ratio, 1 to 21."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def rules(css: str) -> list[tuple[str, dict[str, str]]]:
    """(selector, declarations) of every rule, those inside @media blocks too (innermost braces only)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    out = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        decls = {}
        for decl in body.split(";"):
            if ":" in decl:
                name, value = decl.split(":", 1)
                decls[name.strip()] = value.strip()
        out.append((selector.strip().split("\n")[-1].strip(), decls))
    return out


def resolved(value: str, variables: dict[str, str]) -> str:
    return re.sub(r"var\((--[\w-]+)\)", lambda m: variables[m.group(1)], value)


def test_contrast_ratio_is_computed_as_wcag_says() -> None:
    assert round(contrast((0, 0, 0), (255, 255, 255)), 2) == 21.0
    assert round(contrast(rgb("#777"), rgb("#fff")), 2) == 4.48  # the classic near miss
    assert contrast(rgb("#1c8a3c"), rgb("#fbfcfe")) < AA  # the green of establishment events before this check


def test_every_text_colour_in_the_stylesheets_meets_aa() -> None:
    """Each `color` against the background its rule sets, or else against the page's backgrounds; each rule that
    sets a background without a colour against the ink its text inherits; SVG text fills against the page and the
    maps' sea."""
    all_rules = [r for sheet in STYLESHEETS for r in rules(sheet.read_text())]
    variables = {k: v for sel, decls in all_rules if sel == ":root" for k, v in decls.items() if k.startswith("--")}
    page = [rgb(variables["--bg"]), rgb("#fff")]
    ink = rgb(variables["--ink"])
    failures = []
    checked = 0
    for selector, decls in all_rules:
        background = decls.get("background-color") or decls.get("background")
        behind = [rgb(resolved(background, variables))] if background and HEX.search(resolved(background, variables)) \
            else page
        texts = []
        if "color" in decls and HEX.search(resolved(decls["color"], variables)):
            texts.append(rgb(resolved(decls["color"], variables)))
        elif background and behind is not page and not GRAPHIC.search(selector):
            texts.append(ink)
        last = selector.split(",")[-1].split()[-1] if selector.split() else ""
        if "fill" in decls and ("text" in last or re.search(r"\.(value|bar-value|bar-label|axis-title|graticule)\b", last)):
            texts.append(rgb(resolved(decls["fill"], variables)))
            behind = [*page, rgb("#eef4fb")]
        for fg in texts:
            for bg in behind:
                checked += 1
                if contrast(fg, bg) < AA:
                    failures.append(f"{selector}: {fg} on {bg} is {contrast(fg, bg):.2f}:1")
    assert checked > 20
    assert failures == []


def test_every_text_on_every_page_meets_aa(curated_server: Server, new_context: Callable[..., Any]) -> None:
    failures: dict[tuple[str, str], str] = {}
    urls = {name: curated_server.url + path for name, path in page_paths(curated_server).items()}
    for name, page in at_rest(new_context(viewport={"width": 1280, "height": 900}), urls).items():
        items = page.evaluate(COMPUTED)
        assert items, name
        for item in items:
            ratio = contrast(item["fg"], item["bg"])
            if ratio < (AA_LARGE if item["large"] else AA):
                failures.setdefault((item["sel"], str([round(x) for x in item["fg"][:3]])),
                                    f"{name}: {item['text']!r} at {ratio:.2f}:1")
    assert failures == {}


def test_keyboard_skip_link_focus_ring_and_titles(curated_server: Server, new_page: Callable[..., Any]) -> None:
    page = new_page(viewport={"width": 1280, "height": 900})
    titles = {}
    for name, path in page_paths(curated_server).items():
        page.goto(curated_server.url + path)
        titles[name] = page.title()
        icon = page.locator('link[rel="icon"]')
        assert icon.count() == 1, name
    page.goto(curated_server.url + "/page/id/place/coventry")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to the content"
    box = skip.bounding_box()
    assert box and box["y"] >= 0 and box["width"] > 0  # shown once focused
    ring = skip.evaluate("e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth,"
                         " getComputedStyle(e).outlineColor]")
    assert ring[0] != "none" and float(ring[1].rstrip("px")) >= 2
    colour = tuple(int(x) for x in re.findall(r"\d+", ring[2])[:3])
    assert contrast(colour, rgb("#fbfcfe")) >= 3.0  # WCAG 2.2 focus appearance: 3:1 against what is around
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside the content, not the header's links
    assert page.evaluate("document.activeElement.closest('main') !== null")
    favicon = curated_server.get(page.locator('link[rel="icon"]').get_attribute("href") or "")
    assert favicon.status_code == 200 and favicon.headers["content-type"].startswith("image/svg+xml")
    for name, title in titles.items():
        parts = [p.strip() for p in title.split("·")]
        assert title.lower().count("twinkg") == 1, (name, title)
        assert len(parts) == len(set(parts)) and all(parts), (name, title)


def test_the_editor_says_how_to_leave_it_and_escape_tab_does(curated_server: Server, new_page: Callable[..., Any]) -> None:
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto(curated_server.url + "/query")
    hint = page.locator("#editor-hint")
    hint.wait_for(state="visible")
    assert "Esc then Tab leaves the editor" in " ".join(hint.inner_text().split())
    editor = page.locator(".cm-content")
    editor.click()
    in_editor = "document.activeElement.classList.contains('editor-host')"  # the editor lives in a shadow root
    assert page.evaluate(in_editor)
    page.keyboard.press("Tab")  # Tab alone indents: focus stays in the editor
    assert page.evaluate(in_editor)
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert not page.evaluate(in_editor)
    assert page.evaluate("document.activeElement.id") == "run"
