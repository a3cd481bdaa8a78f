// Element builders: every piece of the page is made with these, never from HTML strings, so data can hold
// anything (`<script>`, quotes) and the page needs no inline script or style (it runs under `script-src 'self'`).
const SVG = "http://www.w3.org/2000/svg";

export function el(tag, text, attrs) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

export function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}

/** An SVG element as a link to `href` (an <a> holding it), or the element itself when it has nowhere to go. */
export function linked(node, href) {
  if (!href) return node;
  const a = svg("a", { href });
  a.appendChild(node);
  return a;
}
