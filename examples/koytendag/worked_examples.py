"""Regenerate every worked example of the Koytendag reference case with one command.

    python examples/koytendag/worked_examples.py            # ~15 minutes on 2 cores

1. What does a 30% network look like?             -> scenarios/koytendag_30x30.yaml
2. What does planning together across the border save, compared with two national plans, and
   what does asking 30% of each country (rather than of the whole landscape) cost?
                                                     -> koytendag_national.yaml, koytendag_30x30.yaml,
                                                        koytendag_joint_pooled.yaml
3. What does connectivity cost?                     -> koytendag_connectivity.yaml, and a boundary
                                                       penalty sweep (cost vs boundary length)

Writes ``examples/koytendag/results/worked_examples.md`` (the tables quoted in the README)
and the figures in ``examples/koytendag/figures/``. Every solution is verified by
scp.evaluate; all numbers below are measured from the selections themselves.
"""

from __future__ import annotations

import os
import sys
import time


HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

import koytendag  # noqa: E402


def solve(name: str, **overrides):
    """Load a scenario, optionally override keys of its document, solve and verify it."""
    import scp
    from scp.app.scenario.build import build_problem, load_data, solver_options
    from scp.app.scenario.load import load_document, merge, validate

    doc, _ = load_document(os.path.join(ROOT, "scenarios", f"{name}.yaml"))
    doc = merge(doc, overrides)
    s = validate(doc, name)
    data, marxan = load_data(s)
    problem = build_problem(s, data, marxan)
    t0 = time.perf_counter()
    sol = scp.solve(problem, **solver_options(s))  # as `scplan run` solves it (LP-guided warm start)
    assert sol.evaluation.feasible, sol.evaluation.violations
    return sol, time.perf_counter() - t0


def row(label: str, sol, seconds: float) -> list:
    ev = sol.evaluation
    cov = ev.coverage_by_jurisdiction
    return [label, f"{ev.cost:,.0f}", f"{sol.objective:,.0f}", f"{ev.n_selected:,}", f"{ev.coverage:.1%}",
            f"{cov.get('TKM', 0):.1%}", f"{cov.get('UZB', 0):.1%}", f"{ev.boundary_length / 1000:,.0f}",
            f"{len(ev.features) - ev.n_targets_missed}/{len(ev.features)}", f"{sol.gap:.3%}", f"{seconds:.0f}"]


HEAD = ["plan", "cost", "objective", "units", "coverage", "TKM", "UZB", "boundary (km)", "targets met",
        "gap", "solve (s)"]


def table(head, rows) -> str:
    return "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
                     + ["| " + " | ".join(map(str, r)) + " |" for r in rows])


def main() -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from scp.app.maps import plot_selection

    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    figs = os.path.join(HERE, "figures")
    os.makedirs(figs, exist_ok=True)
    t0 = time.perf_counter()
    info = koytendag.write(os.path.join(HERE, "data"), 1.0)
    gen_s = time.perf_counter() - t0
    out = [f"Data: `koytendag_1km.nc`, digest `{info['digest'][:16]}`, generated in {gen_s:.1f} s.", ""]

    from scp.app.maps import MapContext
    from scp.app.scenario.context import read_places

    print("1/4 joint 30x30 plan ...", flush=True)
    joint, tj = solve("koytendag_30x30")
    d = joint.problem.data
    import xarray as xr

    with xr.open_dataset(os.path.join(HERE, "data", "koytendag_1km.nc")) as ds:
        elevation = ds["elevation"].values.ravel()[d.grid.flat_index]
    context = MapContext(elevation, read_places(os.path.join(HERE, "data", "places.csv"), d))
    plot_selection(joint, os.path.join(figs, "joint_30x30.png"), title="Joint 30x30 plan (koytendag_30x30)",
                   context=context)
    print("2/4 pooled joint plan and two national plans ...", flush=True)
    pooled, tp = solve("koytendag_joint_pooled")
    national, tn = solve("koytendag_national")
    plot_selection(national, os.path.join(figs, "national_30x30.png"),
                   title="Two national plans (koytendag_national)", context=context)
    plot_selection(pooled, os.path.join(figs, "joint_pooled.png"),
                   title="Joint plan, 30% of the whole landscape (koytendag_joint_pooled)", context=context)
    saving = national.objective - joint.objective
    floor = joint.objective - pooled.objective
    out += ["## Joint plan vs two national plans, and 30% per country vs 30% pooled", "",
            table(HEAD, [row("joint, 30% of the whole landscape (koytendag_joint_pooled)", pooled, tp),
                         row("joint, 30% of each country (koytendag_30x30, the reference)", joint, tj),
                         row("two national plans (koytendag_national)", national, tn)]),
            "", f"Planning together saves {saving:,.0f} objective units ({saving / national.objective:.1%}) "
                f"and {national.cost - joint.cost:,.0f} cost units ({(national.cost - joint.cost) / national.cost:.1%}) "
                "against two national plans.",
            f"Asking 30% of each country rather than 30% of the whole landscape costs {floor:,.0f} objective units "
            f"({floor / pooled.objective:.2%}) and {joint.cost - pooled.cost:,.0f} cost units "
            f"({(joint.cost - pooled.cost) / pooled.cost:.2%}); both within their proven gaps "
            f"({pooled.gap:.3%}, {joint.gap:.3%}).", ""]

    print("3/4 markhor connectivity ...", flush=True)
    conn, tc = solve("koytendag_connectivity")
    plot_selection(conn, os.path.join(figs, "connectivity.png"), title="Joint plan with markhor connectivity",
                   context=context)
    lost = conn.evaluation.penalties.get("connectivity:scenario", float("nan"))
    from scp.results.evaluate import cut_weight
    import scipy.sparse as sp

    C = sp.load_npz(os.path.join(HERE, "data", "markhor_connectivity_1km.npz"))
    lost_joint = cut_weight((C + C.T) * 0.5, joint.selection.astype(float))
    out += ["## What does connectivity cost?", "", table(HEAD + ["markhor links lost"], [
        row("joint (koytendag_30x30)", joint, tj) + [f"{lost_joint:,.1f}"],
        row("with markhor connectivity", conn, tc) + [f"{lost / 0.5:,.1f}"]]), ""]

    print("4/4 boundary penalty sweep ...", flush=True)
    sweep = []
    for pen in (0.0, 0.00025, 0.0005, 0.001):
        sol, ts = solve("koytendag_30x30", boundary={"penalty": pen})
        sweep.append((pen, sol, ts))
        print(f"   penalty {pen:g}: cost {sol.cost:,.0f}, boundary {sol.evaluation.boundary_length / 1000:,.0f} km",
              flush=True)
    out += ["## Boundary penalty trade-off", "",
            table(["penalty per m", "cost", "boundary (km)", "units", "gap", "solve (s)"],
                  [[f"{p:g}", f"{s.cost:,.0f}", f"{s.evaluation.boundary_length / 1000:,.0f}",
                    f"{s.evaluation.n_selected:,}", f"{s.gap:.3%}", f"{t:.0f}"] for p, s, t in sweep]), ""]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot([s.evaluation.boundary_length / 1000 for _, s, _ in sweep], [s.cost for _, s, _ in sweep], "o-")
    for p, s, _ in sweep:
        ax.annotate(f"{p:g}", (s.evaluation.boundary_length / 1000, s.cost), textcoords="offset points", xytext=(5, 5))
    ax.set_xlabel("boundary length of the network (km)")
    ax.set_ylabel("cost (index)")
    ax.set_title("Koytendag 30x30: cost vs compactness\n(labels: boundary penalty per m)", fontsize=10)
    fig.tight_layout()
    fig.savefig(os.path.join(figs, "blm_tradeoff.png"), dpi=100)
    from scp.app.bench import write_text

    text = "\n".join(out)
    path = os.path.join(HERE, "results", "worked_examples.md")
    write_text(path, text)
    print(text)
    print(f"written: {path} and figures in {figs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
