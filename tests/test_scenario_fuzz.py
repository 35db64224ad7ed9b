"""Fuzzing the scenario loader: random and mutated documents never give a raw traceback,
only a ScenarioError that names where the problem is."""

from __future__ import annotations

import copy
import os
import tempfile

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenario_fixtures import base_document, write_landscape
from scp import ScenarioError
from scp.app.scenario.build import build_problem, load_data
from scp.app.scenario.load import load_scenario

FOLDER = tempfile.mkdtemp(prefix="scp-fuzz-")
write_landscape(FOLDER)

junk = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), st.sampled_from(["all", "cost", "country", "markhor", "data/land.nc", "highs", "-1", ""]),
    st.lists(st.one_of(st.integers(), st.text(max_size=5)), max_size=3),
    st.dictionaries(st.text(max_size=6), st.one_of(st.integers(), st.floats(0, 1), st.none()), max_size=3),
)


def paths(doc, prefix=()):
    out = []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.append(prefix + (k,))
            out += paths(v, prefix + (k,))
    return out


@st.composite
def mutated(draw):
    doc = copy.deepcopy(base_document())
    for _ in range(draw(st.integers(1, 4))):
        ps = paths(doc)
        if not ps:
            break
        path = draw(st.sampled_from(ps))
        parent = doc
        for k in path[:-1]:
            parent = parent[k]
        if not isinstance(parent, dict) or path[-1] not in parent:
            continue
        action = draw(st.sampled_from(["delete", "replace", "rename", "add"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = draw(junk)
        elif action == "rename":
            parent[str(path[-1]) + draw(st.text(min_size=1, max_size=2))] = parent.pop(path[-1])
        else:
            parent[draw(st.text(min_size=1, max_size=8))] = draw(junk)
    return doc


def load_and_build(text: str) -> None:
    path = os.path.join(FOLDER, "fuzz.yaml")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    try:
        loaded = load_scenario(path)
        data, marxan = load_data(loaded.scenario)
        build_problem(loaded.scenario, data, marxan)
    except ScenarioError as exc:
        assert exc.path, f"ScenarioError without a path: {exc}"


SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


@settings(max_examples=300, **SETTINGS)
@given(mutated())
def test_mutated_documents_fail_only_with_scenario_errors(doc):
    load_and_build(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))


@settings(max_examples=200, **SETTINGS)
@given(st.text(max_size=200))
def test_random_text_fails_only_with_scenario_errors(text):
    load_and_build(text)


@settings(max_examples=100, **SETTINGS)
@given(st.lists(st.sampled_from(["name: x\n", "data:\n", "  grid:\n", "    path: data/land.nc\n", "  marxan: .\n",
                                 "targets: {default: 0.3}\n", "extends: fuzz.yaml\n", "extends: [a]\n", "- 1\n",
                                 "solver: {gap: .nan}\n", "coverage: {total: .inf}\n", "&a [*a]\n", "{\n", "\t"]),
                max_size=8))
def test_yaml_fragments_fail_only_with_scenario_errors(lines):
    load_and_build("".join(lines))
