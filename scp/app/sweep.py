"""Scenario sweeps: many variants of one scenario solved in parallel on dask.distributed.

A sweep file names a base scenario and the variants to run::

    scenario: koytendag_30x30.yaml      # the base scenario (path relative to this file)
    name: koytendag_blm
    vary:                               # every combination of these dotted keys
      boundary.penalty: [0, 0.00025, 0.0005, 0.001]
    variants:                           # and/or named variants (overrides merged into the base)
      national: {targets_within: jurisdiction}
    tradeoff: {x: boundary_length, y: cost}
    workers: 2                          # local cluster size (default: CPU count)
    outputs: {dir: ../results/koytendag_blm}

Each variant is a complete ``scplan run`` (its own results folder under ``variants/``, written
atomically by the worker). The sweep folder gets ``sweep.csv`` and ``sweep.md`` (one row per
variant, rewritten as each variant finishes, so nothing finished is lost if the sweep is
stopped), and ``tradeoff.png`` (the trade-off curve with its elbow marked). A variant that
fails is a row with its error; the others go on. Variants run with one solver thread each
unless they say otherwise. With ``--scheduler ADDRESS`` the variants run on an existing
cluster, whose workers must see the same files (data and output folder) at the same paths.

The elbow is the point of the curve farthest from the chord joining its two ends, with both
axes scaled to [0, 1] (Satopää et al. 2011, "kneedle").
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from ..errors import ScenarioError, ScpError
from .outputs import ResultsFolder, atomic_write
from .scenario.yaml_file import read_yaml_file

ROW_FIELDS = ["variant", "status", "cost", "objective", "boundary_length", "n_selected", "coverage", "gap",
              "runtime_s", "n_patches", "protconn", "error", "folder"]


@dataclass
class Sweep:
    """A parsed sweep file (see module docstring)."""

    path: str
    name: str
    scenario: str
    variants: list[tuple[str, dict]]
    tradeoff: tuple[str, str] = ("boundary_length", "cost")
    workers: int | None = None
    out: str | None = None
    document: dict = field(default_factory=dict)


def _set(doc: dict, dotted: str, value) -> dict:
    keys = dotted.split(".")
    cur = doc
    for k in keys[:-1]:
        cur = cur.setdefault(k, {})
        if not isinstance(cur, dict):
            raise ScenarioError(f"{k!r} is not a mapping in {dotted!r}", f"vary.{dotted}")
    cur[keys[-1]] = value
    return doc


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", name).strip("_") or "variant"


def load_sweep(path: str) -> Sweep:
    """Read and check a sweep file; errors name the key."""
    doc = read_yaml_file(path, "sweep file") or {}
    if not isinstance(doc, dict):
        raise ScenarioError(f"{path}: expected a mapping of keys")
    known = {"scenario", "name", "vary", "variants", "tradeoff", "workers", "outputs"}
    unknown = sorted(set(doc) - known)
    if unknown:
        raise ScenarioError(f"unknown key(s) {unknown}; a sweep has {sorted(known)}", unknown[0])
    base = os.path.dirname(os.path.abspath(path))
    if "scenario" not in doc:
        raise ScenarioError("missing: the base scenario file", "scenario")
    scenario = os.path.normpath(os.path.join(base, str(doc["scenario"])))
    if not os.path.isfile(scenario):
        raise ScenarioError(f"file {scenario} not found (paths resolve relative to the sweep file)", "scenario")
    variants: list[tuple[str, dict]] = []
    vary = doc.get("vary") or {}
    if not isinstance(vary, dict) or any(not isinstance(v, list) or not v for v in vary.values()):
        raise ScenarioError("expected a mapping of dotted keys to non-empty lists of values", "vary")
    keys = list(vary)
    for combo in itertools.product(*(vary[k] for k in keys)):
        over: dict = {}
        for k, v in zip(keys, combo):
            _set(over, k, v)
        variants.append((",".join(f"{k}={v}" for k, v in zip(keys, combo)), over))
    named = doc.get("variants") or {}
    if not isinstance(named, dict) or any(not isinstance(v, dict) for v in named.values()):
        raise ScenarioError("expected a mapping of variant names to scenario overrides", "variants")
    variants += [(str(k), v) for k, v in named.items()]
    if not variants:
        raise ScenarioError("nothing to run: give 'vary' and/or 'variants'", "vary")
    names = [_safe(n) for n, _ in variants]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ScenarioError(f"variant names {dup} are used twice", "variants")
    tr = doc.get("tradeoff") or {}
    tradeoff = (str(tr.get("x", "boundary_length")), str(tr.get("y", "cost")))
    for axis, v in zip("xy", tradeoff):
        if v not in ROW_FIELDS or v in ("variant", "status", "error", "folder"):
            raise ScenarioError(f"{v!r} is not a numeric result; use one of "
                                f"{[f for f in ROW_FIELDS if f not in ('variant', 'status', 'error', 'folder')]}",
                                f"tradeoff.{axis}")
    workers = doc.get("workers")
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise ScenarioError(f"{workers!r} must be a whole number >= 1", "workers")
    out = (doc.get("outputs") or {}).get("dir")
    if out is not None:
        out = os.path.normpath(os.path.join(base, str(out)))
    name = str(doc.get("name") or os.path.splitext(os.path.basename(path))[0])
    return Sweep(path=os.path.abspath(path), name=name, scenario=scenario, variants=variants, tradeoff=tradeoff,
                 workers=workers, out=out, document=doc)


def failed_row(name: str, exc: BaseException) -> dict:
    """The row of a variant that failed, with its error on one line."""
    text = " ".join(str(exc).split())
    return {"variant": name, "status": "failed", "error": f"{type(exc).__name__}: {text}"[:500], "folder": ""}


def run_variant_row(scenario: str, sweep_path: str, name: str, overrides: dict, out: str) -> dict:
    """:func:`run_variant`, with any error turned into a failed row (runs on a worker)."""
    try:
        return run_variant(scenario, sweep_path, name, overrides, out)
    except Exception as exc:  # reported in the sweep table; the other variants go on
        return failed_row(name, exc)


def run_variant(scenario: str, sweep_path: str, name: str, overrides: dict, out: str) -> dict:
    """Run one variant (on a worker): merge, validate, solve, write its folder; a result row."""
    import io

    from .scenario.load import LoadedScenario, _resolve_paths, check_files, load_document, merge, validate
    from .scenario.run import run_scenario

    doc, chain = load_document(scenario)
    over = _resolve_paths(overrides, os.path.dirname(sweep_path))
    doc = merge(doc, over)
    doc.setdefault("solver", {})
    if doc["solver"].get("threads") is None:
        doc["solver"]["threads"] = 1
    doc["name"] = f"{doc.get('name', 'scenario')}_{_safe(name)}"
    source = f"{sweep_path}#{name}"
    s = validate(doc, source)
    check_files(s, source)
    loaded = LoadedScenario(scenario=s, source=source, document=doc, chain=chain)
    t0 = time.perf_counter()
    sol, folder = run_scenario(loaded, out=out, overwrite=True, log=io.StringIO())
    ev = sol.evaluation
    row = {"variant": name, "status": sol.status.value, "cost": ev.cost, "objective": sol.objective,
           "boundary_length": ev.boundary_length, "n_selected": ev.n_selected, "coverage": ev.coverage,
           "gap": sol.gap, "runtime_s": time.perf_counter() - t0, "n_patches": ev.n_patches, "protconn": None,
           "error": "", "folder": out, "units": {k: sol.problem.data.unit(k) for k in ("cost", "boundary")}}
    summary = os.path.join(out, "summary.json")
    if os.path.isfile(summary):
        import json

        with open(summary) as fh:
            pc = json.load(fh).get("protconn")
        row["protconn"] = pc["protconn"] if pc else None
    return row


def axis_label(column: str, units: dict) -> str:
    """``cost (index x km²)``, ``boundary length (m)``, ``coverage (share of the region)``..."""
    from .report.fmt import unit_text

    unit = {"cost": units.get("cost"), "objective": units.get("cost"), "boundary_length": units.get("boundary"),
            "coverage": "share of the region", "protconn": "% of the region", "runtime_s": "s",
            "gap": "relative", "n_selected": "units", "n_patches": "patches"}.get(column)
    name = column.replace("_s", "").replace("_", " ") if column == "runtime_s" else column.replace("_", " ")
    return f"{name} ({unit_text(unit)})" if unit else name


def elbow(x, y) -> int | None:
    """Index of the elbow of a curve (see module docstring); None with fewer than 3 points."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.size < 3:
        return None
    order = np.argsort(x)
    xs, ys = x[order], y[order]
    span_x, span_y = np.ptp(xs), np.ptp(ys)
    if span_x == 0 or span_y == 0:
        return None
    u, v = (xs - xs[0]) / span_x, (ys - ys[0]) / span_y
    du, dv = u[-1] - u[0], v[-1] - v[0]
    dist = np.abs(du * (v - v[0]) - dv * (u - u[0])) / np.hypot(du, dv)
    k = int(np.argmax(dist))
    return int(order[k]) if dist[k] > 0 else None


def _write_tables(folder: str, rows: list[dict]) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=ROW_FIELDS)
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in ROW_FIELDS})
    atomic_write(os.path.join(folder, "sweep.csv"), buf.getvalue())
    head = ["variant", "status", "cost", "objective", "boundary", "units", "coverage", "gap", "patches",
            "ProtConn", "time (s)", "error"]

    def num(v, fmt):
        return "-" if v is None or (isinstance(v, float) and not np.isfinite(v)) else format(v, fmt)

    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        lines.append("| " + " | ".join([
            r["variant"], r["status"], num(r.get("cost"), ",.2f"), num(r.get("objective"), ",.2f"),
            num(r.get("boundary_length"), ",.0f"), num(r.get("n_selected"), ","), num(r.get("coverage"), ".1%"),
            num(r.get("gap"), ".3%"), num(r.get("n_patches"), ","), num(r.get("protconn"), ".2f"),
            num(r.get("runtime_s"), ".1f"), (r.get("error") or "").replace("|", "/").replace("\n", " ")[:200]]) + " |")
    atomic_write(os.path.join(folder, "sweep.md"), "\n".join(lines) + "\n")


def plot_tradeoff(rows: list[dict], x: str, y: str, path: str, title: str) -> int | None:
    """Trade-off plot of the finished variants with the elbow marked; returns the elbow's row index."""
    ok = [r for r in rows if r["status"] != "failed" and r.get(x) is not None and r.get(y) is not None]
    if len(ok) < 2:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = np.array([r[x] for r in ok], dtype=float)
    ys = np.array([r[y] for r in ok], dtype=float)
    order = np.argsort(xs)
    k = elbow(xs, ys)
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    ax.plot(xs[order], ys[order], "o-", color="#2b6cb0")
    for r, a, b in zip(ok, xs, ys):
        ax.annotate(r["variant"], (a, b), textcoords="offset points", xytext=(4, 4), fontsize=7)
    if k is not None:
        ax.plot([xs[k]], [ys[k]], marker="*", color="#c53030", markersize=16, linestyle="none",
                label=f"elbow: {ok[k]['variant']}")
        ax.legend(fontsize=8)
    units = next((r["units"] for r in ok if r.get("units")), {})
    ax.set_xlabel(axis_label(x, units))
    ax.set_ylabel(axis_label(y, units))
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return rows.index(ok[k]) if k is not None else None


def _client(scheduler: str | None, workers: int | None):
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ScpError("sweeps run on dask.distributed: pip install 'scp[distributed]'") from None
    if scheduler:
        return Client(scheduler), None
    cluster = LocalCluster(n_workers=workers or max(1, os.cpu_count() or 1), threads_per_worker=1,
                           processes=True, dashboard_address=":0")
    return Client(cluster), cluster


def run_sweep(sweep: Sweep, out: str | None = None, overwrite: bool = False, scheduler: str | None = None,
              workers: int | None = None, log=None) -> tuple[list[dict], str]:
    """Run every variant on dask.distributed; returns the rows (in sweep order) and the folder.

    The sweep folder is a :class:`~scp.app.outputs.ResultsFolder`: everything is written into a
    hidden temporary folder (``sweep.csv``/``sweep.md`` rewritten there as each variant finishes)
    and moved into place at the end, so a sweep that fails or is stopped never costs the previous
    results; what a stopped sweep had finished is kept as ``<out>.interrupted-<run id>``."""
    log = log or sys.stderr
    out = os.path.abspath(out or sweep.out or os.path.join("results", sweep.name))
    folder = ResultsFolder(out, overwrite=overwrite, inputs=(sweep.path, sweep.scenario), keep_partial=True)
    rows = [{"variant": n, "status": "pending", "error": "", "folder": ""} for n, _ in sweep.variants]
    try:
        with folder as tmp:
            os.makedirs(os.path.join(tmp, "variants"))
            print(f"sweep {sweep.name}: writing to {tmp} (moved to {out} at the end)", file=log, flush=True)
            _run_variants(sweep, rows, tmp, scheduler, workers, log)
            for r in rows:
                if r.get("folder"):
                    r["folder"] = os.path.join(out, os.path.relpath(r["folder"], tmp))
            _write_tables(tmp, rows)
            x, y = sweep.tradeoff
            k = plot_tradeoff(rows, x, y, os.path.join(tmp, "tradeoff.png"), f"{sweep.name}: {y} vs {x}")
            if k is not None:
                print(f"elbow of {y} vs {x}: {rows[k]['variant']}", file=log)
    except BaseException:
        kept = getattr(folder, "kept", None)
        if kept:
            print(f"sweep stopped; the variants it finished are in {kept}", file=log, flush=True)
        raise
    return rows, out


def _run_variants(sweep: Sweep, rows: list[dict], out: str, scheduler: str | None, workers: int | None,
                  log) -> None:
    _write_tables(out, rows)
    client, cluster = _client(scheduler, workers or sweep.workers)
    t0 = time.perf_counter()
    try:
        from dask.distributed import as_completed

        print(f"sweep {sweep.name}: {len(rows)} variants on {len(client.scheduler_info()['workers'])} worker(s)"
              f" ({scheduler or 'local cluster'})", file=log, flush=True)
        futures = {}
        for k, (name, over) in enumerate(sweep.variants):
            folder = os.path.join(out, "variants", _safe(name))
            fut = client.submit(run_variant_row, sweep.scenario, sweep.path, name, over, folder, pure=False,
                                key=f"variant-{k}-{_safe(name)}")
            futures[fut] = k
        done = 0
        for fut in as_completed(list(futures)):
            k = futures[fut]
            name = sweep.variants[k][0]
            try:
                rows[k] = fut.result()
            except Exception as exc:  # the worker itself died (memory, killed): recorded, the others go on
                rows[k] = failed_row(name, exc)
            r = rows[k]
            if r["status"] == "failed":
                msg = f"FAILED: {r['error'][:300]}"
            else:
                msg = f"cost {r['cost']:,.2f}, status {r['status']}, {r['runtime_s']:.1f} s"
            done += 1
            _write_tables(out, rows)
            print(f"  [{done}/{len(rows)}] {time.perf_counter() - t0:7.1f} s  {name}: {msg}", file=log, flush=True)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
