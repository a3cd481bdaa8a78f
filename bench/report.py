"""Markdown tables from bench/work/results.json (pasted into bench/RESULTS.md with a reading)."""

from __future__ import annotations

import json
import sys

STAGES = ("load", "map", "lines", "store", "meta", "validate", "validate_pyshacl", "render_dumps", "render_exports", "publish", "load_store")


def _f(value, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def render(r: dict) -> str:
    m = r["machine"]
    lines = [f"Command: `{r['command']}` — commit {m['commit']}, {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB, "
             f"Python {m['python']}, load average at start {', '.join(f'{x:.1f}' for x in m['loadavg_at_start'])}.",
             "", "Versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()), ""]
    lines += ["## Input", "", "| scale | places | twinnings | events | actors | sources | YAML MB | gen s |", "|---|---|---|---|---|---|---|---|"]
    for scale, c in r.get("input", {}).items():
        lines.append(f"| {scale} | {c['places']} | {c['twinnings']} | {c['events']} | {c['actors']} | {c['sources']} | "
                     f"{c['bytes'] / 1e6:.1f} | {c['seconds']} |")
    if "build" in r:
        lines += ["", "## Build stages (wall s / CPU s / peak RSS MB)", "",
                  "| run | triples | " + " | ".join(STAGES) + " | total wall s |", "|---" * (len(STAGES) + 3) + "|"]
        for name, b in r["build"].items():
            if "stages" not in b:
                lines.append(f"| {name} | – | " + " | ".join("–" for _ in STAGES) + f" | {'timeout ' + str(b['timeout_s']) if 'timeout_s' in b else 'error'} |")
                continue
            st = b["stages"]
            cells = [f"{s['seconds']:.2f} / {s['cpu_seconds']:.2f} / {s['peak_rss_mb']:.0f}" if (s := st.get(k)) else "–" for k in STAGES]
            total = sum(st[k]["seconds"] for k in STAGES if k in st and k != "validate_pyshacl")
            lines.append(f"| {name} | {b['counts']['triples']} | " + " | ".join(cells) + f" | {total:.1f} |")
        lines += ["", "Violations found: " + "; ".join(f"{n}: {b.get('violations')}" for n, b in r["build"].items() if "violations" in b)]
    if "shacl_correctness" in r:
        lines += ["", "## SHACL on a seeded-bad graph", "", "| graph | faults | results per engine | agree with reference | seconds |", "|---|---|---|---|---|"]
        for label, c in r["shacl_correctness"].items():
            lines.append(f"| {label} | {c['faults']} | {c['results']} | {c['agree_with_reference']} | {c['seconds']} |")
    if "endpoint" in r:
        e = r["endpoint"]
        lines += ["", f"## SPARQL endpoints (scale x{e.get('scale')}, best-connected place {e['best_connected']})", ""]
        servers = {k: v for k, v in e["servers"].items() if "c1" in v}
        lines += ["| server | clients | requests | throughput req/s | p50 ms | p99 ms | errors | vs oxigraph | vs rdflib |", "|---|---|---|---|---|---|---|---|---|"]
        for name, s in servers.items():
            for c in ("c1", "c4"):
                x = s[c]
                ox_t = servers.get("oxigraph", {}).get(c, {}).get("throughput_rps")
                rd_t = servers.get("rdflib", {}).get(c, {}).get("throughput_rps")
                lines.append(f"| {name} | {x['clients']} | {x['requests']} | {x['throughput_rps']} | {x['p50_ms']} | {x['p99_ms']} | "
                             f"{x['errors']} | {_f(x['throughput_rps'] / ox_t if ox_t else None)} | {_f(x['throughput_rps'] / rd_t if rd_t else None)} |")
        for name, v in e["servers"].items():
            if "error" in v:
                lines.append(f"\n{name}: not measured: {v['error']}")
        names = list(servers)
        ml = e.get("maplib", {}).get("per_request", {})
        lines += ["", "Per query, 1 client: p50 / p99 ms" + (" (maplib: in-process, no HTTP)" if ml else ""), "",
                  "| query | " + " | ".join(names) + (" | maplib |" if ml else " |"), "|---" * (len(names) + 1 + bool(ml)) + "|"]
        for q in e["queries"]:
            if q.startswith("lookup:") and q != "lookup:0":
                continue
            row = [f"{s['c1']['per_request'].get(q, {}).get('p50_ms', '–')} / {s['c1']['per_request'].get(q, {}).get('p99_ms', '–')}"
                   + (f" ({s['c1']['per_request'][q]['errors']} err)" if s['c1']['per_request'].get(q, {}).get('errors') else "")
                   for s in servers.values()]
            if ml:
                m_ = ml.get(q, {})
                row.append(f"{m_.get('p50_ms')} / {m_.get('p99_ms')}" if not m_.get("error") else "unsupported")
            lines.append(f"| {q} | " + " | ".join(row) + " |")
        if ml:
            lines.append(f"\nmaplib load of the Turtle dump: {e['maplib'].get('load_s')} s")
            rows = e["maplib"].get("rows_vs_oxigraph", {})
            if rows:
                differ = {q: (v["maplib"], v["oxigraph"]) for q, v in rows.items() if not v["same"]}
                lines.append(f"maplib row counts equal to Oxigraph's on {len(rows) - len(differ)} of {len(rows)} queries"
                             + (f"; differ (maplib, oxigraph): {differ}" if differ else ""))
        twinkg = e["servers"].get("twinkg", {})
        if "pages" in twinkg:
            lines += ["", "## Pages and data (twinkg serve)", "", "| request | clients | n | p50 ms | p99 ms | errors |", "|---|---|---|---|---|---|"]
            for c in ("c1", "c4"):
                for name, x in twinkg["pages"][c]["per_request"].items():
                    lines.append(f"| {name} | {c[1:]} | {x['n']} | {x['p50_ms']} | {x['p99_ms']} | {x['errors']} |")
    if "enrich" in r:
        en = r["enrich"]
        lines += ["", "## Enrichment", ""]
        if "error" in en:
            lines.append(f"not measured: {en['error']}")
        else:
            lines += ["| cache | places with Q-id | requests | per 1,000 places | seconds | exit |", "|---|---|---|---|---|---|"]
            for run in ("cold", "warm"):
                x = en.get(run, {})
                lines.append(f"| {run} | {en['places_with_qid']} | {x.get('requests')} | {x.get('requests_per_1000_places')} | {x.get('seconds')} | {x.get('exit')} |")
    lines.append(f"\nTotal benchmark time: {r.get('total_seconds')} s")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(json.load(open(sys.argv[1]))))
