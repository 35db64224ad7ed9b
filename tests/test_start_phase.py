"""The heuristic phase's local-search rounds (scp/solving/start_phase.py)."""

from __future__ import annotations

import numpy as np

import scp
from scp.solving import start_phase
from scp.solving.heuristic import Start
from scp.solving.local_search import LocalSearchResult


def _problem() -> scp.Problem:
    data = scp.PlanningData.from_arrays(cost=np.arange(1.0, 9.0), features={"f": np.ones(8)})
    return scp.Problem(data).absolute_targets({"f": 2.0})


def _start(problem, selection) -> Start:
    ev = scp.evaluate(problem, selection)
    return Start(np.asarray(selection, dtype=np.float64), ev.objective, 3.0, 0.1, 0.1)


def _fake_search(calls, drop_one: bool):
    """A stand-in for the compiled search: drops the most expensive selected unit (a verified
    gain while the target still holds) or returns the selection unchanged (no gain)."""
    def search(problem, selection, **kwargs):
        sel = np.asarray(selection, dtype=bool).copy()
        calls.append(int(sel.sum()))
        if drop_one and sel.sum() > 2:
            sel[np.flatnonzero(sel)[-1]] = False
        return LocalSearchResult(sel, 0.0, 0.0, 1, 0.01, 1)
    return search


def test_rounds_stop_after_a_round_without_gain(monkeypatch):
    problem = _problem()
    calls: list[int] = []
    monkeypatch.setattr(start_phase, "local_search", _fake_search(calls, drop_one=False))
    start = _start(problem, np.ones(8, bool))
    out = start_phase.improved(problem, start, None, rounds=((10, 0.1), (20, 0.5), (30, 0.5)))
    assert calls == [8]  # the second and third rounds never ran
    assert out.objective == scp.evaluate(problem, np.ones(8, bool)).objective
    assert out.local_search_gain == 0.0


def test_rounds_go_on_while_they_gain_and_keep_only_verified_gains(monkeypatch):
    problem = _problem()
    calls: list[int] = []
    monkeypatch.setattr(start_phase, "local_search", _fake_search(calls, drop_one=True))
    start = _start(problem, np.ones(8, bool))
    before = start.objective
    out = start_phase.improved(problem, start, None, rounds=((10, 0.1), (20, 0.5), (30, 0.5)))
    assert calls == [8, 7, 6]
    ev = scp.evaluate(problem, out.selection > 0.5)
    assert ev.feasible and out.selection.sum() == 5
    assert np.isclose(out.objective, ev.objective)
    assert np.isclose(out.local_search_gain, before - ev.objective)
