"""Markdown and HTML reports, rendered from the files of a results folder.

The report is a pure function of ``summary.json`` (which records the inputs and the
formulation) and ``features.csv``, so ``scplan report DIR`` can re-render it without
solving again.
"""

from __future__ import annotations

import html
import json
import os

import numpy as np
import pandas as pd

from .outputs import atomic_write

FEATURE_COLUMNS = ["feature", "total", "target", "held", "share_held", "met", "shortfall"]


def features_table(evaluation) -> pd.DataFrame:
    """One row per feature: total, target, held, share held, met, shortfall."""
    rows = [[f.name, f.total, f.target, f.held, f.held / f.total if f.total else 0.0, bool(f.met), f.shortfall]
            for f in evaluation.features]
    return pd.DataFrame(rows, columns=FEATURE_COLUMNS)


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


def _pct(v) -> str:
    return "-" if v is None or not np.isfinite(v) else f"{v:.2%}"


def sections(summary: dict, features: pd.DataFrame, map_file: str | None) -> list[tuple[str, object]]:
    """Report content as ``(heading, body)``; a body is text or a ``(header, rows)`` table."""
    s = summary
    cov = s.get("coverage", {})
    results = [("status", s.get("status")), ("objective", s.get("objective")), ("best bound", s.get("bound")),
               ("gap", _pct(s.get("gap") if s.get("gap") is not None else float("nan"))), ("cost", s.get("cost")),
               ("units selected", s.get("n_selected")), ("area selected", s.get("area_selected"))]
    results += [(f"coverage ({k})", _pct(v)) for k, v in cov.items()]
    results += [("targets met", f"{len(features) - int(s.get('n_targets_missed', 0))} of {len(features)}"),
                ("boundary length", s.get("boundary_length")), ("solver", s.get("solver")),
                ("solve time (s)", s.get("runtime_s"))]
    out: list[tuple[str, object]] = []
    if s.get("description"):
        out.append(("Scenario", str(s["description"])))
    out += [("Inputs", (["item", "value"], [[k, v] for k, v in s.get("inputs", [])])),
            ("Formulation", s.get("formulation", "")),
            ("Results", (["measure", "value"], results))]
    if map_file:
        out.append(("Map", f"![selection map]({map_file})"))
    conn = connectivity_rows(s)
    if conn:
        out.append(("Connectivity", (["measure", "value"], conn)))
    rows = features[FEATURE_COLUMNS].values.tolist() if len(features) else []
    out.append(("Features", (["feature", "total", "target", "held", "share held", "met", "shortfall"], rows)))
    prov = [["scenario digest", s.get("scenario_digest")], ["model digest", s.get("model_digest")]]
    prov += [[k, v] for k, v in (s.get("versions") or {}).items()]
    out.append(("Provenance", (["item", "value"], prov)))
    return out


def connectivity_rows(s: dict) -> list[list[object]]:
    """Rows of the report's connectivity table: patches, and ECA/ProtConn when computed."""
    rows: list[list[object]] = []
    pt = s.get("patches") or {}
    if pt:
        rows += [["patches", pt.get("n")], ["largest patch (area)", pt.get("largest_area")],
                 ["mean patch area", pt.get("mean_area")]]
    pc = s.get("protconn")
    if pc:
        rows += [["median dispersal distance", pc["dispersal_distance"]], ["ECA (area)", pc["eca"]],
                 ["Prot (% of region)", pc["prot"]], ["ProtConn (%)", pc["protconn"]],
                 ["ProtUnconn (%)", pc["protunconn"]]]
        names = {"within": "ProtConn within patches (%)",
                 "contig": "ProtConn between the sides of a patch cut by a border (%)",
                 "unprot": "ProtConn through unprotected land (%)"}
        rows += [[names.get(k, f"ProtConn {k} (%)"), v] for k, v in pc["parts"].items()]
        for label, v in pc.get("by_jurisdiction", {}).items():
            rows += [[f"{label}: Prot / ProtConn (%)", f"{v['prot']:.2f} / {v['protconn']:.2f}"],
                     [f"{label}: ProtConn national only / through other jurisdictions (%)",
                      f"{v['protconn_national']:.2f} / {v['protconn_trans']:.2f}"]]
    return rows


def _md_table(header, rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_num(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)


STYLE = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}"
         "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;"
         "text-align:right}th{background:#f0f0f0}td:first-child{text-align:left}pre{background:#f7f7f7;padding:1em}")


def write_report(folder: str, summary: dict, features: pd.DataFrame, title: str,
                 map_file: str | None = None) -> tuple[str, str]:
    """Write ``report.md`` and ``report.html`` into ``folder``; returns their paths."""
    md = [f"# {title}", ""]
    body = [f"<h1>{html.escape(title)}</h1>"]
    for heading, content in sections(summary, features, map_file):
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
            md += ["```", content, "```", ""] if heading == "Formulation" else [content, ""]
            body.append(f"<pre>{html.escape(content)}</pre>" if heading == "Formulation"
                        else f"<p>{html.escape(content)}</p>")
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>" + "\n".join(body) + "</body></html>\n")
    md_path, html_path = os.path.join(folder, "report.md"), os.path.join(folder, "report.html")
    atomic_write(md_path, "\n".join(md))  # replaces a link at the target, never writes through it
    atomic_write(html_path, page)
    return md_path, html_path


def report_from_folder(folder: str) -> tuple[str, str]:
    """Re-render ``report.md``/``report.html`` from ``summary.json`` and ``features.csv``."""
    from ..errors import DataError

    spath, fpath = os.path.join(folder, "summary.json"), os.path.join(folder, "features.csv")
    for p in (spath, fpath):
        if not os.path.isfile(p):
            raise DataError(f"{p} not found; is {folder} a results folder written by 'scplan run'?")
    with open(spath, "rb") as fh:
        try:
            summary = json.loads(fh.read().decode("utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DataError(f"{spath}: not valid JSON ({exc})") from None
    if not isinstance(summary, dict):
        raise DataError(f"{spath}: expected a JSON object as 'scplan run' writes it, found {type(summary).__name__}")
    try:
        features = pd.read_csv(fpath)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"{fpath}: not a readable CSV table ({str(exc).splitlines()[0] if str(exc) else exc!r})") from None
    missing = [c for c in FEATURE_COLUMNS if c not in features.columns]
    if missing:
        raise DataError(f"{fpath}: missing column(s) {missing}")
    map_file = "map.png" if os.path.isfile(os.path.join(folder, "map.png")) else None
    try:
        return write_report(folder, summary, features,
                            summary.get("title") or f"Scenario {summary.get('scenario')}", map_file)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise DataError(f"{folder}: summary.json or features.csv is not as 'scplan run' writes it "
                        f"({type(exc).__name__}: {exc}); run the scenario again to rewrite them") from None
