"""Markdown and HTML reports, rendered from the files of a results folder.

The report is a pure function of ``summary.json`` (which records the inputs, the
formulation and the facts of :mod:`.facts`) and ``features.csv``, so ``scplan report DIR``
re-renders it without solving again. The HTML file is self-contained (the map is embedded)
and prints on A4.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re

import pandas as pd

from ..outputs import atomic_write
from .content import SHORT, Image, Pre, Table, Text, sections
from .facts import FEATURE_COLUMNS

STYLE = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;max-width:62em;margin:2em auto;
 padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.1em}.sub{color:#666;margin-top:0}
h2{font-size:1.2em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
td,th{border:1px solid #ccc;padding:.25em .6em;vertical-align:top}
th{background:#f0f0f0;font-weight:600}
.n{text-align:right;font-variant-numeric:tabular-nums}.t{text-align:left}
.short{color:#b00020;font-weight:600}.met{color:#1b7a3a}
.note{color:#555;font-size:.88em;margin-top:-.2em}
pre{background:#f7f7f7;padding:1em;white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85em}
img{max-width:100%;height:auto}
.summary p{margin:.4em 0}
@page{size:A4;margin:14mm}
@media print{body{max-width:none;margin:0;padding:0;font-size:9.5pt}h2{break-after:avoid}
 table,img,pre{break-inside:avoid}a{color:inherit;text-decoration:none}}
"""

SUMMARY_KEYS = ("scenario", "status", "objective", "cost", "n_selected")
SUMMARY_TYPES = {"scenario": str, "status": str, "objective": (int, float), "cost": (int, float),
                 "n_selected": int, "coverage": dict, "units": dict, "by_jurisdiction": list,
                 "features_by_jurisdiction": dict, "objective_terms": list, "inputs": list}

NUMERIC = re.compile(r"^[-+]?[\d,]*\.?\d+(e[-+]?\d+)?\s*(%|s|[^\s\d]{0,12}²?)?$")


def _is_numeric(cell: str) -> bool:
    return bool(NUMERIC.match(cell.strip())) or cell.strip() == "-"


def _html_table(t: Table) -> str:
    # a column is numeric (right-aligned, header too) when all its non-empty cells are numbers
    ncol = len(t.header)
    numeric = [all(_is_numeric(str(r[c])) for r in t.rows) and any(str(r[c]).strip() != "-" for r in t.rows)
               for c in range(ncol)] if t.rows else [False] * ncol
    cls = lambda c: "n" if numeric[c] else "t"  # noqa: E731

    def td(c, v):
        v = str(v)
        extra = " short" if v.startswith(SHORT[0]) else (" met" if v.startswith("✓") else "")
        return f'<td class="{cls(c)}{extra}">{html.escape(v)}</td>'

    head = "".join(f'<th class="{cls(c)}">{html.escape(h)}</th>' for c, h in enumerate(t.header))
    body = "".join("<tr>" + "".join(td(c, v) for c, v in enumerate(r)) + "</tr>" for r in t.rows)
    note = f'<p class="note">{html.escape(t.note)}</p>' if t.note else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}"


def _md_table(t: Table) -> str:
    esc = lambda v: str(v).replace("|", "\\|")  # noqa: E731
    lines = ["| " + " | ".join(map(esc, t.header)) + " |", "|" + "---|" * len(t.header)]
    lines += ["| " + " | ".join(esc(v) for v in r) + " |" for r in t.rows]
    return "\n".join(lines) + (f"\n\n_{t.note}_" if t.note else "")


def _image_uri(folder: str, file: str) -> str:
    path = os.path.join(folder, file)
    with open(path, "rb") as fh:
        return "data:image/png;base64," + base64.b64encode(fh.read()).decode("ascii")


def _render(folder: str, heading: str, item, md: list[str], body: list[str]) -> None:
    if isinstance(item, list):
        for part in item:
            _render(folder, heading, part, md, body)
    elif isinstance(item, Table):
        md += [_md_table(item), ""]
        body.append(_html_table(item))
    elif isinstance(item, Text):
        md += [p + "\n" for p in item.paragraphs]
        css = ' class="summary"' if heading == "Summary" else ""
        body.append(f"<div{css}>" + "".join(f"<p>{html.escape(p)}</p>" for p in item.paragraphs) + "</div>")
    elif isinstance(item, Pre):
        md += ["```", item.text, "```", ""]
        body.append(f"<pre>{html.escape(item.text)}</pre>")
    elif isinstance(item, Image):
        md += [f"![{item.alt}]({item.file})", ""]
        body.append(f'<img src="{_image_uri(folder, item.file)}" alt="{html.escape(item.alt)}">')


def write_report(folder: str, summary: dict, features: pd.DataFrame, title: str,
                 map_file: str | None = None) -> tuple[str, str]:
    """Write ``report.md`` and ``report.html`` (self-contained) into ``folder``; returns their paths."""
    sub = " · ".join(x for x in (f"scenario {summary.get('scenario')}" if summary.get("scenario") else "",
                                 f"run {summary['run_date'][:16].replace('T', ' ')} UTC" if summary.get("run_date")
                                 else "") if x)
    return write_sections(folder, title, sub, sections(summary, features, map_file))


def write_sections(folder: str, title: str, sub: str, parts) -> tuple[str, str]:
    """``report.md`` and the self-contained ``report.html`` of ``parts`` = (heading, content) with
    content a :class:`Table`, :class:`Text`, :class:`Pre`, :class:`Image` or a list of them."""
    md = [f"# {title}", "", f"_{sub}_" if sub else "", ""]
    body = [f"<h1>{html.escape(title)}</h1>", f'<p class="sub">{html.escape(sub)}</p>' if sub else ""]
    for heading, content in parts:
        md += [f"## {heading}", ""]
        body.append(f"<h2>{html.escape(heading)}</h2>")
        _render(folder, heading, content, md, body)
    page = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>" + "\n".join(body) + "</body></html>\n")
    md_path, html_path = os.path.join(folder, "report.md"), os.path.join(folder, "report.html")
    atomic_write(md_path, "\n".join(md))  # replaces a link at the target, never writes through it
    atomic_write(html_path, page)
    return md_path, html_path


def report_from_folder(folder: str) -> tuple[str, str]:
    """Re-render ``report.md``/``report.html`` from ``summary.json`` and ``features.csv``."""
    from ...errors import DataError

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
    missing = [k for k in SUMMARY_KEYS if k not in summary]
    wrong = [k for k, t in SUMMARY_TYPES.items() if k in summary and summary[k] is not None
             and not isinstance(summary[k], t)]
    if missing or wrong:
        raise DataError(f"{spath}: not as 'scplan run' writes it ("
                        + "; ".join(([f"missing {missing}"] if missing else [])
                                    + ([f"wrong type for {wrong}"] if wrong else []))
                        + "); run the scenario again to rewrite it")
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
