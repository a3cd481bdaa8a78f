// Search as you type in every page's header: suggestions from /search.json under the box (an ARIA combobox:
// arrows move, Enter opens the chosen place or, with none chosen, the full search page, Escape closes the list).
// Without JavaScript the box is a plain form to /search. Built with DOM calls only (the data can hold anything).
const input = document.getElementById("site-q");
const list = document.getElementById("site-q-list");
let active = -1;
let shown = [];
let pending = null;
let timer = 0;

function option(s, i) {
  const li = document.createElement("li");
  li.id = `site-q-${i}`;
  li.setAttribute("role", "option");
  li.setAttribute("aria-selected", "false");
  const a = document.createElement("a");
  a.href = s.href;
  a.tabIndex = -1;
  const name = document.createElement("span");
  name.className = "sg-name";
  name.textContent = s.label;
  a.append(name);
  const facts = [s.country || s.countryCode, s.type, `${s.links} link${s.links === 1 ? "" : "s"}`,
    s.wikidata].filter(Boolean);
  const info = document.createElement("span");
  info.className = "sg-facts";
  info.textContent = facts.join(" · ");
  a.append(" ", info);
  if (s.matched) {
    const how = { former: "former name", alternative: "also", undetermined: "name of undetermined language" };
    const m = document.createElement("span");
    m.className = "sg-matched";
    m.textContent = `${how[s.matched.how] || "name"}: ${s.matched.name}` +
      (s.matched.period ? ` (${s.matched.period})` : "") + (s.matched.lang && s.matched.lang !== "und" ? ` @${s.matched.lang}` : "");
    a.append(m);
  }
  li.append(a);
  li.addEventListener("mousedown", (e) => e.preventDefault());  // keep the focus in the box until the link opens
  return li;
}

function close() {
  list.hidden = true;
  list.replaceChildren();
  input.setAttribute("aria-expanded", "false");
  input.removeAttribute("aria-activedescendant");
  active = -1;
  shown = [];
}

function choose(i) {
  const items = list.querySelectorAll("[role=option]");
  if (!items.length) return;
  active = (i + items.length) % items.length;
  items.forEach((li, n) => li.setAttribute("aria-selected", String(n === active)));
  input.setAttribute("aria-activedescendant", items[active].id);
  items[active].scrollIntoView({ block: "nearest" });
}

function show(data) {
  shown = data.suggestions;
  list.replaceChildren(...shown.map(option));
  const all = document.createElement("li");
  all.className = "sg-all";
  all.id = "site-q-all";
  all.setAttribute("role", "option");
  all.setAttribute("aria-selected", "false");
  all.addEventListener("mousedown", (e) => e.preventDefault());
  const a = document.createElement("a");
  a.href = data.all;
  a.tabIndex = -1;
  a.textContent = shown.length ? `All places matching “${data.q}”` : `No suggestion for “${data.q}”: search every name`;
  all.append(a);
  list.append(all);
  list.hidden = false;
  input.setAttribute("aria-expanded", "true");
  active = -1;
  input.removeAttribute("aria-activedescendant");
}

async function lookup() {
  const q = input.value.trim();
  if (pending) pending.abort();
  if (!q) { close(); return; }
  pending = new AbortController();
  try {
    const r = await fetch(`/search.json?q=${encodeURIComponent(q)}`, { signal: pending.signal });
    if (!r.ok) return;
    const data = await r.json();
    if (input.value.trim() === data.q && document.activeElement === input) show(data);
  } catch (e) {
    if (e.name !== "AbortError") close();
  }
}

if (input && list) {
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  input.autocomplete = "off";
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(lookup, 120); });
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (list.hidden) { lookup(); return; }
      e.preventDefault();
      choose(active + (e.key === "ArrowDown" ? 1 : -1));
    } else if (e.key === "Enter" && active >= 0 && !list.hidden) {
      e.preventDefault();
      const link = list.querySelectorAll("[role=option]")[active].querySelector("a");
      if (link) window.location.assign(link.href);
    } else if (e.key === "Escape" && !list.hidden) {
      e.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
}
