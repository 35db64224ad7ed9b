"""The report's content: sections of plain text and tables, every number formatted with its
unit (``fmt``), built from ``summary.json`` and ``features.csv`` alone.

The first screen answers a planner's questions: what was asked, what the plan achieves, what
it costs, what is binding (``Summary``); then coverage vs target and existing vs added per
jurisdiction, the objective split into its terms, the map, features as a share of their total
vs their target, and finally the formulation, solver details and provenance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .fmt import gap, num, pct, qty, status_text, unit_text

MET, SHORT = "✓ met", "✗ short"
BINDING_TOL = 1e-3
"""A target is called binding when the plan holds at most 0.1% more than it asks."""
FLOOR_TOL = 1e-2
"""A coverage floor is named when coverage is at most 1% (relative) above it: whole units rarely
land on a floor exactly."""


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    note: str = ""


@dataclass
class Text:
    paragraphs: list[str]


@dataclass
class Pre:
    text: str


@dataclass
class Image:
    file: str
    alt: str


def _features_frame(features: pd.DataFrame) -> pd.DataFrame:
    f = features.copy()
    if "target_share" not in f:
        f["target_share"] = np.where(f["total"] > 0, f["target"] / f["total"].where(f["total"] > 0), np.nan)
    if "unit" not in f:
        f["unit"] = ""
    f["unit"] = f["unit"].astype(object).where(f["unit"].notna(), "").astype(str)
    f["met"] = f["met"].astype(str).str.lower().isin(["true", "1", "yes"])
    return f


def binding_features(features: pd.DataFrame) -> list[str]:
    """Features held at their target (within :data:`BINDING_TOL`): the ones that shape the plan."""
    f = _features_frame(features)
    has = np.isfinite(f["target"].to_numpy(dtype=float)) & (f["target"].to_numpy(dtype=float) > 0)
    held, tgt = f["held"].to_numpy(dtype=float), f["target"].to_numpy(dtype=float)
    return [str(n) for n, h, t, k in zip(f["feature"], held, tgt, has) if k and h <= t * (1 + BINDING_TOL)]


def summary_text(s: dict, features: pd.DataFrame) -> list[str]:
    """Plain-language summary: asked, achieved, cost, binding, how sure."""
    units = s.get("units") or {}
    area_u, cost_u = units.get("area", ""), units.get("cost", "")
    f = _features_frame(features)
    n_t = int(np.isfinite(f["target"].to_numpy(dtype=float)).sum())
    shares = sorted({round(float(v), 4) for v in f["target_share"] if np.isfinite(v)})
    rows = s.get("by_jurisdiction") or []
    total = next((r for r in rows if r["jurisdiction"] == "total"), None)
    juris = [r for r in rows if r["jurisdiction"] != "total"]
    asked = []
    if s.get("objective_type", "min_set") == "min_set":
        asked.append(f"the least-cost plan in which {n_t} feature(s) reach their targets"
                     + (f" ({', '.join(pct(v) for v in shares[:4])}{' ...' if len(shares) > 4 else ''} of "
                        "each feature's total)" if shares else ""))
    else:
        asked.append(f"the plan with the best {s.get('objective_type', '').replace('_', ' ')} within the budget")
    floors = [(r["jurisdiction"], r["coverage_target"]) for r in rows if r.get("coverage_target")]
    if floors:
        asked.append("coverage of at least " + ", ".join(
            f"{pct(v)} of {'the whole region' if k == 'total' else k}" for k, v in floors))
    if total and total["existing_units"]:
        asked.append(f"the {total['existing_units']:,} existing reserve unit(s) kept")
    pens = [k for k, _ in (s.get("objective_terms") or []) if k.endswith("penalty")]
    if pens:
        asked.append("a " + " and a ".join(pens) + " in the objective")
    if s.get("decisions") in ("proportion", "semicontinuous"):
        asked.append("a managed share of each unit (proportion decisions: areas, costs and amounts count pro rata; "
                     "solution.csv gives each unit's share)")
    out = ["Asked for: " + "; ".join(asked) + "."]
    if total:
        got = (f"The plan protects {qty(total['selected_area'], area_u)} ({pct(total['coverage'])} of the region): "
               f"{qty(total['existing_area'], area_u)} of existing reserves and {qty(total['added_area'], area_u)} "
               f"added ({total['added_units']:,} unit(s)).")
        met = int(f["met"].sum())
        got += f" {met} of {len(f)} feature targets are met." if len(f) else ""
        out.append(got)
    short = [r for r in juris if r.get("coverage_met") is False]
    if juris:
        parts = [f"{r['jurisdiction']} {pct(r['coverage'])}"
                 + (f" (target {pct(r['coverage_target'])}{', BELOW TARGET' if r.get('coverage_met') is False else ''})"
                    if r.get("coverage_target") else "") for r in juris]
        line = "Coverage by jurisdiction: " + "; ".join(parts) + "."
        if short:
            line += (f" {', '.join(r['jurisdiction'] for r in short)} stay(s) below their coverage target: the "
                     "scenario sets no floor there, or a floor lower than the target shown.")
        elif not any(r.get("coverage_target") for r in juris):
            line += " No jurisdiction has its own coverage floor in this scenario; the shares follow cost and targets."
        out.append(line)
    terms = s.get("objective_terms") or []
    if total:
        cost = (f"It costs {qty(total['cost'], cost_u)} (existing reserves {qty(total['existing_cost'], cost_u)}, "
                f"added units {qty(total['added_cost'], cost_u)}).")
        if len(terms) > 2:
            cost += " Objective: " + objective_equation(terms, cost_u) + "."
        out.append(cost)
    binding = binding_features(features)
    tight = [f"{'the whole region' if k == 'total' else k} ({pct(r['coverage'])} for {pct(v)})" for k, v in floors
             for r in rows if r["jurisdiction"] == k and r["coverage"] <= v * (1 + FLOOR_TOL)]
    if binding or tight:
        out.append("What shapes the plan: " + "; ".join(
            ([f"targets held at exactly their level: {', '.join(binding[:8])}{' ...' if len(binding) > 8 else ''}"]
             if binding else []) + ([f"coverage floors at or just above their level: {', '.join(tight)}"]
                                    if tight else [])) + ".")
    out.append(f"How sure: {status_text(s.get('status'), s.get('gap'))}; best bound {num(s.get('bound'))}. "
               "Every number in this report was recomputed from the selection itself.")
    return out


def objective_equation(terms: list, cost_unit: str = "") -> str:
    """``cost 10,487 + boundary penalty 857 = objective 11,344``."""
    parts = []
    for k, (name, v) in enumerate(terms[:-1]):
        sign = "" if k == 0 else (" - " if v < 0 else " + ")
        parts.append(f"{sign}{name} {num(abs(v) if k else v)}")
    return "".join(parts) + f" = objective {num(terms[-1][1])}" + (f" ({unit_text(cost_unit)})" if cost_unit else "")


def jurisdiction_table(s: dict) -> Table | None:
    rows = s.get("by_jurisdiction") or []
    if not rows:
        return None
    u = s.get("units") or {}
    au, cu = unit_text(u.get("area")), unit_text(u.get("cost"))
    sfx = lambda x: f" ({x})" if x else ""  # noqa: E731
    header = ["jurisdiction", f"area{sfx(au)}", f"existing{sfx(au)}", f"added{sfx(au)}", "coverage", "target",
              "coverage vs target", f"existing cost{sfx(cu)}", f"added cost{sfx(cu)}", f"total cost{sfx(cu)}"]
    body = []
    for r in rows:
        mark = "-" if r.get("coverage_met") is None else (MET if r["coverage_met"] else SHORT)
        body.append([r["jurisdiction"], num(r["area"]), num(r["existing_area"]), num(r["added_area"]),
                     pct(r["coverage"]), pct(r.get("coverage_target")), mark, num(r["existing_cost"]),
                     num(r["added_cost"]), num(r["cost"])])
    return Table(header, body, "existing = locked-in units (reserves kept by the plan); added = units the plan adds; "
                               "target = the coverage floor the scenario sets (- where it sets none)")


def features_tables(s: dict, features: pd.DataFrame) -> list[Table]:
    f = _features_frame(features)
    by_j = s.get("features_by_jurisdiction") or {}
    labels = sorted({k for v in by_j.values() for k in v})
    header = ["feature", "unit", "total", "held", "held (% of total)", "target (% of total)", "met", "shortfall"]
    rows = []
    for r in f.itertuples(index=False):
        has = np.isfinite(r.target)
        rows.append([str(r.feature), unit_text(r.unit) or "-", num(r.total), num(r.held), pct(r.share_held),
                     pct(r.target_share) if has else "-", (MET if r.met else SHORT) if has else "-",
                     num(r.shortfall) if has else "-"])
    bases = s.get("relative_targets_base") or []
    words = {"planning_units": "the feature's total over the planning units",
             "all_data": "the feature's total over every cell with data, planning unit or not (relative_to: all_data)"}
    caption = ("total: over the planning units; relative targets are shares of "
               + " or of ".join(words[b] for b in bases if b in words)) if bases else None
    tables = [Table(header, rows, caption) if caption else Table(header, rows)]
    if labels:
        jrows = [[name] + [pct(by_j[name].get(k)) if by_j[name].get(k) is not None else "absent" for k in labels]
                 for name in f["feature"].astype(str) if name in by_j]
        tables.append(Table(["feature"] + [f"held in {k} (% of its total there)" for k in labels], jrows,
                            "the share of each feature's amount within a jurisdiction that the plan holds there"))
    return tables


def sections(s: dict, features: pd.DataFrame, map_file: str | None) -> list[tuple[str, object]]:
    """Report content as ``(heading, Text | Table | Pre | Image | list of those)``."""
    out: list[tuple[str, object]] = [("Summary", Text(summary_text(s, features)))]
    if s.get("description"):
        out.append(("Scenario", Text([str(s["description"])])))
    jt = jurisdiction_table(s)
    if jt:
        out.append(("Coverage and cost by jurisdiction" if len(jt.rows) > 1 else "Coverage and cost", jt))
    terms = s.get("objective_terms") or []
    if terms:
        cu = unit_text((s.get("units") or {}).get("cost"))
        out.append(("Objective", Table(["term", f"value{f' ({cu})' if cu else ''}"],
                                       [[k, num(v)] for k, v in terms], objective_equation(terms))))
    if map_file:
        out.append(("Map", Image(map_file, "map of the plan")))
    out.append(("Features", features_tables(s, features)))
    conn = connectivity_rows(s)
    if conn:
        out.append(("Connectivity", Table(["measure", "value"], conn)))
    form = [Text([s["formulation_words"]])] if s.get("formulation_words") else []
    out.append(("Formulation", form + [Pre(s.get("formulation", ""))]))
    out.append(("Solver", Table(["item", "value"], solver_rows(s))))
    out.append(("Inputs", Table(["item", "value"], [[str(k), num(v)] for k, v in s.get("inputs", [])])))
    prov = [["run date (UTC)", s.get("run_date", "-")], ["scenario file", s.get("scenario_source", "-")],
            ["input data digest (SHA-256)", s.get("data_digest", "-")],
            ["scenario + data digest", s.get("scenario_digest", "-")], ["model digest", s.get("model_digest", "-")]]
    prov += [[k, v] for k, v in (s.get("versions") or {}).items()]
    out.append(("Provenance", Table(["item", "value"], [[str(a), str(b)] for a, b in prov])))
    return out


def solver_rows(s: dict) -> list[list[str]]:
    u = s.get("units") or {}
    rows = [["status", status_text(s.get("status"), s.get("gap"))], ["objective", num(s.get("objective"))],
            ["best bound", num(s.get("bound"))], ["gap", gap(s.get("gap"))], ["solver", str(s.get("solver", "-"))],
            ["solve time", f"{num(round(float(s.get('runtime_s') or 0), 1))} s"],
            ["units selected", num(s.get("n_selected"))],
            ["boundary length", qty(s.get("boundary_length"), u.get("boundary"))]]
    ws = s.get("warm_start")
    if ws:
        rows += [["LP bound (warm start)", num(ws.get("lp_bound"))],
                 ["heuristic objective", num(ws.get("heuristic_objective"))]]
        if ws.get("neighbourhood_gain"):
            rows.append(["gain of the neighbourhood search",
                         f"{num(ws['neighbourhood_gain'])} in {num(round(float(ws.get('neighbourhood_s') or 0), 1))} s"])
    return rows


def connectivity_rows(s: dict) -> list[list[str]]:
    """Rows of the report's connectivity table: patches, and ECA/ProtConn when computed."""
    u = s.get("units") or {}
    au, lu = u.get("area"), u.get("boundary")
    rows: list[list[str]] = []
    pt = s.get("patches") or {}
    if pt:
        rows += [["patches", num(pt.get("n"))], ["largest patch", qty(pt.get("largest_area"), au)],
                 ["mean patch area", qty(pt.get("mean_area"), au)]]
    pc = s.get("protconn")
    if pc:
        rows += [["median dispersal distance", qty(pc["dispersal_distance"], lu)], ["ECA", qty(pc["eca"], au)],
                 ["Prot (% of region)", f"{float(pc['prot']):.1f}%"], ["ProtConn", f"{float(pc['protconn']):.1f}%"],
                 ["ProtUnconn", f"{float(pc['protunconn']):.1f}%"]]
        names = {"within": "ProtConn within patches",
                 "contig": "ProtConn between the sides of a patch cut by a border",
                 "unprot": "ProtConn through unprotected land"}
        rows += [[names.get(k, f"ProtConn {k}"), f"{float(v):.1f}%"] for k, v in pc["parts"].items()]
        for label, v in pc.get("by_jurisdiction", {}).items():
            rows += [[f"{label}: Prot / ProtConn", f"{v['prot']:.1f}% / {v['protconn']:.1f}%"],
                     [f"{label}: ProtConn national only / through other jurisdictions",
                      f"{v['protconn_national']:.1f}% / {v['protconn_trans']:.1f}%"]]
    return rows
