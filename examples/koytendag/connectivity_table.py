"""Cost vs ProtConn table of the Koytendag connectivity sweep, with the transboundary parts.

    scplan sweep scenarios/sweeps/koytendag_connectivity.yaml     # or: make sweep
    python examples/koytendag/connectivity_table.py [results/koytendag_connectivity_sweep]

Reads the sweep folder (sweep.csv and every variant's summary.json) and writes
``examples/koytendag/results/connectivity_sweep.md``. All numbers come from the selections
(scp.evaluate and scp.protconn), not from the solver.
"""

from __future__ import annotations

import csv
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    folder = argv[0] if argv else os.path.join(ROOT, "results", "koytendag_connectivity_sweep")
    with open(os.path.join(folder, "sweep.csv")) as fh:
        rows = list(csv.DictReader(fh))
    head = ["connectivity penalty", "status", "gap", "cost", "cost vs penalty 0", "kernel links lost", "patches",
            "Prot %", "ProtConn %", "TKM ProtConn % (trans)", "UZB ProtConn % (trans)", "solve (s)"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    base = None
    for r in rows:
        if r["status"] == "failed":
            out.append(f"| {r['variant']} | failed | | | | | | | | | | {r['error']} |")
            continue
        with open(os.path.join(r["folder"], "summary.json")) as fh:
            s = json.load(fh)
        pen = float(r["variant"].split("=")[1]) if "=" in r["variant"] else float("nan")
        cost = float(s["cost"])
        base = cost if base is None else base
        lost = s["penalties"].get("connectivity:scenario", 0.0) / pen if pen > 0 else float("nan")
        pc = s["protconn"]
        j = pc["by_jurisdiction"]
        out.append("| " + " | ".join([
            f"{pen:g}", s["status"], f"{s['gap']:.2%}", f"{cost:,.0f}", f"{(cost - base) / base:+.1%}",
            "-" if pen == 0 else f"{lost:,.0f}", f"{s['patches']['n']}", f"{pc['prot']:.1f}", f"{pc['protconn']:.1f}",
            f"{j['TKM']['protconn']:.1f} ({j['TKM']['protconn_trans']:.2f})",
            f"{j['UZB']['protconn']:.1f} ({j['UZB']['protconn_trans']:.2f})", f"{float(r['runtime_s']):.0f}"]) + " |")
    from scp.app.bench import write_text

    text = "\n".join(out)
    path = os.path.join(HERE, "results", "connectivity_sweep.md")
    write_text(path, text)
    print(text)
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
