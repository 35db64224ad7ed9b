"""Phylogenetic diversity and endemism objectives: Newick trees, compile, brute force, YAML."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import scp
from scp.data.phylogeny import parse_newick
from scp.errors import DataError, ScenarioError
from scp.model import compile_problem

TREE = "((a:2,b:1.5):3,(c:1,'d e':0.5)cd:4);"


def data(seed: int = 0) -> scp.PlanningData:
    rng = np.random.default_rng(seed)
    n = 8
    return scp.PlanningData.from_arrays(cost=rng.uniform(1, 5, n).round(2),
                                        features={f: rng.uniform(0, 3, n).round(2) * (rng.random(n) < 0.6)
                                                  for f in ("a", "b", "c", "d e")})


def test_newick_branches_and_errors():
    t = parse_newick(TREE)
    assert t.tips == ("a", "b", "c", "d e")
    np.testing.assert_allclose(t.lengths, [2, 1.5, 3, 1, 0.5, 4])  # the root has no length: no branch
    assert t.below == ((0,), (1,), (0, 1), (2,), (3,), (2, 3))
    T = t.branch_matrix(["d e", "c", "b", "a"]).toarray()
    assert T[0].tolist() == [0, 0, 0, 0, 1, 1] and T[3].tolist() == [1, 0, 1, 0, 0, 0]
    for bad, msg in (("(a:1,b:2)", "ends with"), ("(a:1,a:2);", "twice"), ("(a:x,b:1);", "not a number"),
                     ("(a:1,b:1)c);", "unexpected")):
        with pytest.raises(DataError, match=msg):
            parse_newick(bad)
    with pytest.raises(DataError, match="not in the tree"):
        t.branch_matrix(["a", "b", "c"] + ["zz"])


def brute_force(p) -> float:
    best = -np.inf
    for bits in itertools.product((0, 1), repeat=p.data.n_pu):
        ev = scp.evaluate(p, np.array(bits))
        if ev.feasible:
            best = max(best, ev.objective)
    return best


@pytest.mark.parametrize("endemism", [False, True])
@pytest.mark.parametrize("seed", range(3))
def test_optimum_equals_enumeration(seed, endemism):
    d = data(seed)
    base = scp.Problem(d).relative_targets(0.5)
    p = base.max_phylo_endemism(6.0, TREE) if endemism else base.max_phylo_diversity(6.0, TREE)
    sol = scp.solve(p)
    assert sol.status is scp.Status.OPTIMAL and sol.objective == pytest.approx(brute_force(p), abs=1e-9)


def test_objective_counts_a_branch_once_when_any_feature_below_meets_its_target():
    d = scp.PlanningData.from_arrays(cost=[1.0, 1.0, 1.0, 1.0], features={
        "a": [1.0, 0, 0, 0], "b": [0, 1.0, 0, 0], "c": [0, 0, 1.0, 0], "d e": [0, 0, 0, 1.0]})
    p = scp.Problem(d).relative_targets(1.0).max_phylo_diversity(1.0, TREE)
    tie = 0.01 * 0.5 / 4.0  # s = 0.01 min v_b / sum c
    assert scp.evaluate(p, [1, 0, 0, 0]).objective == pytest.approx(2 + 3 - tie)
    assert scp.evaluate(p, [0, 0, 1, 0]).objective == pytest.approx(1 + 4 - tie)
    sol = scp.solve(p)  # one unit: c's side of the tree (5) ties with a's (5): cheapest equal -> objective 5 - tie
    assert sol.objective == pytest.approx(5 - tie)
    e = scp.Problem(d).relative_targets(1.0).max_phylo_endemism(1.0, TREE)
    # endemism: branch cd (length 4) is held by c and d e together (total 2): 2 per unit amount
    assert scp.evaluate(e, [0, 0, 1, 0]).objective == pytest.approx(1 / 1 + 4 / 2 - 0.01 * 0.5 / 4.0)


def test_tree_must_match_features_and_targets_are_needed():
    d = data()
    with pytest.raises(ScenarioError, match="objective.tree"):
        scp.Problem(d).max_phylo_diversity(5.0, "(a:1,b:1);")
    with pytest.raises(ScenarioError, match="needs a target"):
        compile_problem(scp.Problem(d).relative_targets({"a": 0.3}).max_phylo_diversity(5.0, TREE))


def test_phylo_objective_from_yaml(tmp_path):
    from scenario_fixtures import base_document, write_scenario
    from scp.app.scenario.build import build_problem, load_data
    from scp.app.scenario.load import load_scenario

    (tmp_path / "tree.nwk").write_text("((lowland:1,woodland:2):1,markhor:5);\n")
    doc = base_document()
    doc.pop("coverage")
    doc["objective"] = {"type": "max_phylo_endemism", "budget": 50.0, "tree": "tree.nwk"}
    s = load_scenario(write_scenario(str(tmp_path), doc)).scenario
    p = build_problem(s, load_data(s)[0])
    assert p.objective.name == "max_phylo_endemism"
    sol = scp.solve(p, time_limit=60)
    assert sol.evaluation.feasible and sol.evaluation.cost <= 50.0 + 1e-6
    doc["objective"] = {"type": "max_phylo_diversity", "budget": 50.0}
    with pytest.raises(ScenarioError, match="tree"):
        load_scenario(write_scenario(str(tmp_path), doc, "bad.yaml"))


def test_compile_has_a_met_column_per_feature_and_a_branch_column_per_branch():
    d = data(1)
    p = scp.Problem(d).relative_targets(0.5).max_phylo_diversity(6.0, TREE)
    m = compile_problem(p)
    met, branch = m.cols("met"), m.cols("branch")
    assert met.stop - met.start == 4 and branch.stop - branch.start == 6
    assert m.integrality[met].all() and not m.integrality[branch].any()
    np.testing.assert_allclose(-m.c[branch], parse_newick(TREE).lengths)  # maximised as a negated minimum
    rows = m.A[m.rows("branch")].toarray()
    assert (rows[:, branch] == np.eye(6)).all() and m.sense == -1
