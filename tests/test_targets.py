"""Target-setting methods (scp.problem.targets)."""

from __future__ import annotations

import numpy as np
import pytest

import scp


def test_loglinear_targets_by_hand():
    from scp.problem.targets import loglinear_targets

    totals = np.array([50.0, 100.0, 1000.0, 10_000.0, 50_000.0, 2e6])
    t = loglinear_targets(totals, 100.0, 1.0, 10_000.0, 0.1, cap_amount=1e6, cap_target=1000.0)
    # shares: 1 below 100; ln-midpoint 1,000 -> 0.55; 0.1 from 10,000; capped above 1e6
    np.testing.assert_allclose(t, [50.0, 100.0, 550.0, 1000.0, 5000.0, 1000.0])
    with pytest.raises(scp.ScenarioError, match="upper_amount"):
        loglinear_targets(totals, 100.0, 1.0, 50.0, 0.1)
    with pytest.raises(scp.ScenarioError, match="both cap_amount and cap_target"):
        loglinear_targets(totals, 100.0, 1.0, 1000.0, 0.1, cap_amount=5.0)
    d = scp.PlanningData.from_arrays(cost=[1.0, 2.0], features={"a": [30.0, 20.0], "b": [500.0, 500.0]})
    p = scp.Problem(d).loglinear_targets(100.0, 1.0, 10_000.0, 0.1).relative_targets({"a": 0.5})
    np.testing.assert_allclose(p.resolved_targets(), [25.0, 550.0])  # "a" overridden, "b" at 1,000 -> 55%


def test_relative_targets_capped_at_an_amount():
    d = scp.PlanningData.from_arrays(cost=[1.0, 1.0, 1.0], features={"small": [1.0, 1.0, 0.0], "big": [500.0, 300.0, 200.0]})
    p = scp.Problem(d).relative_targets(0.5, cap=100.0)
    np.testing.assert_allclose(p.resolved_targets(), [1.0, 100.0])  # min(0.5 x total, 100)
    from scp.problem.targets import TargetSpec

    with pytest.raises(scp.ScenarioError, match="relative targets only"):
        TargetSpec("absolute", 5.0, "big", cap=3.0)


def test_rule_targets_by_category():
    from scp.problem.targets import rule_targets

    t = rule_targets({"leopard": "EN", "urial": "VU", "lynx": "LC"}, {"EN": 0.6, "VU": 0.4, "LC": 0.2, "CR": 1.0})
    assert t == {"leopard": 0.6, "urial": 0.4, "lynx": 0.2}
    with pytest.raises(scp.ScenarioError, match=r"no share for categories \['DD'\]"):
        rule_targets({"a": "DD"}, {"EN": 0.6})
    with pytest.raises(scp.ScenarioError, match="target_rules.shares.EN"):
        rule_targets({"a": "EN"}, {"EN": 1.5})
