// Maps you can explore, offline: every inline map (svg.map[data-zoom]) zooms and pans by changing its viewBox.
// Buttons (+, −, whole map), the mouse wheel, dragging (mouse, pen or one finger once zoomed in) and, with the map
// focused, the keyboard (+ and −, arrows, 0). Dots and labels keep their size on screen, and the labels are placed
// again at each zoom: the higher-ranked first (the order of the document), any that would overlap one already
// shown is hidden (its name stays on the dot's tooltip). No library, nothing from elsewhere.
const MAX_ZOOM = 32;

function labelsPlaced(map, k, view) {
  const boxes = [];
  for (const text of map.querySelectorAll("text.label")) {
    text.classList.remove("hidden");
    const b = text.getBBox();
    const pad = -1.5 / k;  // a text box holds the whole line height: glyphs a little apart do not clash
    const box = { x1: b.x - pad, y1: b.y - pad, x2: b.x + b.width + pad, y2: b.y + b.height + pad };
    const outside = box.x2 < view.x || box.x1 > view.x + view.w || box.y2 < view.y || box.y1 > view.y + view.h;
    if (outside) continue;  // out of sight: it takes no room from the labels in sight
    const clash = boxes.some((o) => box.x1 < o.x2 && o.x1 < box.x2 && box.y1 < o.y2 && o.y1 < box.y2);
    if (clash) text.classList.add("hidden");
    else boxes.push(box);
  }
}

/** Make one map explorable (the home page's script calls it for the network map it draws inline). */
export function explore(map) {
  map.classList.add("explored");
  const [x0, y0, w0, h0] = map.getAttribute("viewBox").split(/\s+/).map(Number);
  let view = { x: x0, y: y0, w: w0, h: h0 };
  const marks = [...map.querySelectorAll("circle[r]")].map((c) => [c, Number(c.getAttribute("r"))]);
  const texts = [...map.querySelectorAll("text.label")].map((t) => [t, Number(t.getAttribute("x")),
    Number(t.getAttribute("y")), Number(t.dataset.dx || 0), Number(t.dataset.dy || 0)]);

  function apply() {
    const k = w0 / view.w;
    map.setAttribute("viewBox", `${view.x.toFixed(2)} ${view.y.toFixed(2)} ${view.w.toFixed(2)} ${view.h.toFixed(2)}`);
    map.style.setProperty("--zoom", k);
    map.classList.toggle("zoomed", k > 1.001);
    for (const [c, r] of marks) c.setAttribute("r", (r / k).toFixed(2));
    // each label keeps its distance from its dot on screen: its anchor is the dot, its offset shrinks with the zoom
    for (const [t, x, y, dx, dy] of texts) {
      t.setAttribute("x", (x - dx + dx / k).toFixed(2));
      t.setAttribute("y", (y - dy + dy / k).toFixed(2));
    }
    labelsPlaced(map, k, view);
    status.textContent = k > 1.001 ? `zoom ×${k.toFixed(1)}` : "";
  }

  function clamp() {
    view.w = Math.min(w0, Math.max(w0 / MAX_ZOOM, view.w));
    view.h = view.w * h0 / w0;
    view.x = Math.min(x0 + w0 - view.w, Math.max(x0, view.x));
    view.y = Math.min(y0 + h0 - view.h, Math.max(y0, view.y));
  }

  function zoom(factor, cx = view.x + view.w / 2, cy = view.y + view.h / 2) {
    const w = view.w / factor;
    view = { x: cx - (cx - view.x) * w / view.w, y: cy - (cy - view.y) * w / view.w, w, h: w * h0 / w0 };
    clamp();
    apply();
  }

  function toMap(clientX, clientY) {
    const r = map.getBoundingClientRect();
    return [view.x + (clientX - r.left) / r.width * view.w, view.y + (clientY - r.top) / r.height * view.h];
  }

  const bar = document.createElement("div");
  bar.className = "map-controls";
  const button = (text, label, run) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "secondary";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.addEventListener("click", run);
    bar.append(b);
  };
  button("+", "Zoom in", () => zoom(2));
  button("−", "Zoom out", () => zoom(0.5));
  button("Whole map", "Show the whole map", () => { view = { x: x0, y: y0, w: w0, h: h0 }; apply(); });
  const status = document.createElement("span");
  status.className = "note";
  status.setAttribute("aria-live", "polite");
  bar.append(status);
  const hint = document.createElement("span");
  hint.className = "note";
  hint.textContent = "Wheel or +/− to zoom, drag or arrows to move; a dot opens its place.";
  bar.append(hint);
  map.before(bar);

  map.setAttribute("tabindex", "0");
  map.addEventListener("wheel", (e) => {
    if (!e.deltaY) return;
    e.preventDefault();
    zoom(e.deltaY < 0 ? 1.25 : 0.8, ...toMap(e.clientX, e.clientY));
  }, { passive: false });
  let drag = null;
  map.addEventListener("pointerdown", (e) => {
    if (view.w >= w0 || e.button !== 0) return;  // nothing to move at the whole map: a finger scrolls the page
    drag = { id: e.pointerId, x: e.clientX, y: e.clientY, view: { ...view }, moved: false };
  });
  map.addEventListener("pointermove", (e) => {
    if (!drag || e.pointerId !== drag.id) return;
    const r = map.getBoundingClientRect();
    const dx = (e.clientX - drag.x) / r.width * view.w, dy = (e.clientY - drag.y) / r.height * view.h;
    if (!drag.moved && Math.hypot(e.clientX - drag.x, e.clientY - drag.y) < 4) return;
    if (!drag.moved) map.setPointerCapture(e.pointerId);
    drag.moved = true;
    view = { ...drag.view, x: drag.view.x - dx, y: drag.view.y - dy };
    clamp();
    apply();
  });
  const end = (e) => {
    if (drag && drag.moved) map.addEventListener("click", (c) => c.preventDefault(), { once: true, capture: true });
    if (drag && map.hasPointerCapture(e.pointerId)) map.releasePointerCapture(e.pointerId);
    drag = null;
  };
  map.addEventListener("pointerup", end);
  map.addEventListener("pointercancel", end);
  map.addEventListener("keydown", (e) => {
    const step = view.w / 8;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (e.key === "+" || e.key === "=") zoom(2);
    else if (e.key === "-") zoom(0.5);
    else if (e.key === "0") { view = { x: x0, y: y0, w: w0, h: h0 }; apply(); }
    else if (moves[e.key]) { view.x += moves[e.key][0]; view.y += moves[e.key][1]; clamp(); apply(); }
    else return;
    e.preventDefault();
  });
  apply();
}

document.querySelectorAll("svg.map[data-zoom]:not(.explored)").forEach(explore);
