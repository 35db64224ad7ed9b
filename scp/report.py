"""Markdown and HTML reports of a solved problem (no template engine needed)."""

from __future__ import annotations

import html
import os

import numpy as np


def _num(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if not np.isfinite(f):
            return "-"
        return f"{f:,.2f}" if abs(f) >= 100 else f"{f:.4g}"
    return str(v)


def sections(solution, title: str, inputs: list[tuple[str, object]], formulation: str,
             map_file: str | None) -> list[tuple[str, object]]:
    """Report content as ``(heading, body)`` pairs; a body is text or a table (header, rows)."""
    ev = solution.evaluation
    s = solution.summary()
    results = [("status", s["status"]), ("objective", s["objective"]), ("best bound", s["bound"]),
               ("gap", f"{s['gap']:.3%}" if np.isfinite(s["gap"]) else "-"), ("cost", s["cost"]),
               ("units selected", s["n_selected"]), ("area selected", s["area_selected"]),
               ("coverage (total)", f"{ev.coverage:.2%}")]
    results += [(f"coverage ({k})", f"{v:.2%}") for k, v in ev.coverage_by_jurisdiction.items()]
    results += [("targets met", f"{len(ev.features) - ev.n_targets_missed} of {len(ev.features)}"),
                ("boundary length", s["boundary_length"]), ("solver", s["solver"]),
                ("solve time (s)", s["runtime_s"])]
    feats = [[f.name, f.total, f.target, f.held, f.held / f.total if f.total else 0.0, f.met, f.shortfall]
             for f in ev.features]
    out: list[tuple[str, object]] = [
        ("Inputs", (["item", "value"], [[k, v] for k, v in inputs])),
        ("Formulation", formulation),
        ("Results", (["measure", "value"], results)),
    ]
    if map_file:
        out.append(("Map", f"![selection map]({map_file})"))
    out.append(("Features", (["feature", "total", "target", "held", "share held", "met", "shortfall"], feats)))
    out.append(("Provenance", (["item", "value"], [["model digest", s["model_digest"]]]
                              + [[k, v] for k, v in s["versions"].items()])))
    return out


def _md_table(header, rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_num(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)


def write_report(folder: str, solution, title: str, inputs: list[tuple[str, object]], formulation: str,
                 map_file: str | None = None) -> tuple[str, str]:
    """Write ``report.md`` and ``report.html`` into ``folder``; returns their paths."""
    parts = sections(solution, title, inputs, formulation, map_file)
    md = [f"# {title}", ""]
    body = [f"<h1>{html.escape(title)}</h1>"]
    for heading, content in parts:
        md += [f"## {heading}", ""]
        body.append(f"<h2>{html.escape(heading)}</h2>")
        if isinstance(content, tuple):
            header, rows = content
            md += [_md_table(header, rows), ""]
            body.append("<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>"
                        + "".join("<tr>" + "".join(f"<td>{html.escape(_num(v))}</td>" for v in r) + "</tr>"
                                  for r in rows) + "</table>")
        elif content.startswith("!["):
            md += [content, ""]
            body.append(f'<img src="{html.escape(map_file or "")}" alt="selection map" style="max-width:100%">')
        else:
            md += [content, ""]
            body.append(f"<pre>{html.escape(content)}</pre>")
    style = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}"
             "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;"
             "text-align:right}th{background:#f0f0f0}td:first-child{text-align:left}pre{background:#f7f7f7;padding:1em}")
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{style}</style></head><body>" + "\n".join(body) + "</body></html>\n")
    md_path, html_path = os.path.join(folder, "report.md"), os.path.join(folder, "report.html")
    with open(md_path, "w") as fh:
        fh.write("\n".join(md))
    with open(html_path, "w") as fh:
        fh.write(page)
    return md_path, html_path
