() => {
  const parse = (c) => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, under) => { const a = top[3]; return [0,1,2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]); };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255, 1];
    for (const l of layers.reverse()) bg = over(l, bg);
    return bg;
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim()) continue;
    const el = n.parentElement;
    if (!el || seen.has(el)) continue; seen.add(el);
    if (el.closest("script, style, template, title, desc, noscript, [hidden]")) continue;
    if (el.closest("button:disabled, [aria-disabled=true]")) continue;
    const st = getComputedStyle(el);
    if (st.visibility !== "visible" || st.display === "none" || !el.getClientRects().length) continue;
    const svgText = el instanceof SVGElement;
    let fg = parse(svgText ? st.fill : st.color);
    if (!fg) continue;
    let opacity = 1; for (let e = el; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
    const bg = svgText ? (el.closest("svg.map") ? [255,255,255,1] : background(el.closest("svg"))) : background(el);
    fg = [fg[0], fg[1], fg[2], fg[3] * opacity];
    const size = parseFloat(st.fontSize), bold = Number(st.fontWeight) >= 700;
    out.push({ sel: el.tagName.toLowerCase() + (el.getAttribute("class") ? "." + el.getAttribute("class").trim().split(/\s+/).join(".") : ""),
               text: n.textContent.trim().slice(0, 30), fg: over(fg, bg), bg, large: size >= 24 || (bold && size >= 18.66) });
  }
  return out;
}
