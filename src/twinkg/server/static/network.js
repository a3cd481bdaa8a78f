// The home page's network map, made explorable: the page shows /network.svg as an image (it works without
// script); this script reads that document and draws the same places and links inline, where they zoom and pan
// (static/mapzoom.js) and each dot links to its place. Every element is made with DOM calls from the attributes
// and texts of the parsed document, never by inserting its markup, and a dot links only to an address of this
// site or an http(s) one.
import { explore } from "/static/mapzoom.js";

const SVG = "http://www.w3.org/2000/svg";

function make(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text) e.textContent = text;
  return e;
}

async function inline(figure) {
  const response = await fetch(figure.dataset.src);
  if (!response.ok) return;
  const source = new DOMParser().parseFromString(await response.text(), "image/svg+xml").documentElement;
  if (source.namespaceURI !== SVG || source.localName !== "svg") return;  // not a map: the image stays
  const viewBox = source.getAttribute("viewBox") || "";
  const [, , width, height] = viewBox.split(/\s+/).map(Number);
  if (!(width > 0 && height > 0)) return;
  const map = make("svg", { class: "map network", "data-zoom": "", viewBox: `0 0 ${width} ${height}`, width, height,
    role: "img", "aria-label": figure.querySelector("img").getAttribute("alt") });
  map.append(make("rect", { class: "sea", width, height }));
  const frame = source.querySelector("g[transform]");
  if (frame) {
    const g = make("g", { transform: frame.getAttribute("transform") });
    g.append(make("image", { class: "basemap", href: "/map/basemap.svg", preserveAspectRatio: "none",
      width: figure.dataset.basemapWidth, height: figure.dataset.basemapHeight }));
    map.append(g);
  }
  const links = source.querySelector("path.links");
  if (links) map.append(make("path", { class: "link", d: links.getAttribute("d") || "" }));
  const dots = make("g", { class: "markers" });
  for (const circle of source.querySelectorAll("circle")) {
    const dot = make("circle", { class: "marker partner", cx: circle.getAttribute("cx"), cy: circle.getAttribute("cy"),
      r: 1.5 });
    const title = circle.querySelector("title");
    if (title) dot.append(make("title", {}, title.textContent));
    const link = circle.parentNode.localName === "a" ? circle.parentNode.getAttribute("href") || "" : "";
    if (/^(\/|https?:\/\/)/i.test(link)) {
      const a = make("a", { href: link });
      a.append(dot);
      dots.append(a);
    } else {
      dots.append(dot);
    }
  }
  map.append(dots);
  figure.replaceWith(map);
  explore(map);
}

const figure = document.getElementById("network-figure");
if (figure) inline(figure).catch(() => { /* the image stays: the map without zoom */ });
