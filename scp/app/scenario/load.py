"""Load a scenario YAML file: parse, follow ``extends:``, resolve paths, validate.

Every problem is reported as a :class:`~scp.errors.ScenarioError` naming the file and
the YAML path (``targets.markhor.relative``), with a did-you-mean for unknown keys.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import os
import typing
from dataclasses import dataclass

from pydantic import BaseModel, ValidationError

from ...errors import ScenarioError
from .schema import Scenario
from .yaml_file import read_yaml_file

# keys whose values are file paths, resolved relative to the file that names them
PATH_KEYS = [("data", "grid", "path"), ("data", "grid", "feature_path"), ("data", "vector", "path"),
             ("data", "tables", "pu"),
             ("data", "tables", "rij"), ("data", "tables", "boundary"), ("data", "marxan"),
             ("connectivity", "path"), ("target_rules", "file"), ("target_methods", "file"), ("objective", "tree"), ("outputs", "places"),
             ("outputs", "dir")]
MAX_EXTENDS = 20


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with where it came from and its content digest."""

    scenario: Scenario
    source: str
    document: dict
    chain: tuple[str, ...]

    @property
    def inputs(self) -> tuple[str, ...]:
        """Every file this scenario reads: its YAML files (with ``extends:``) and its data."""
        return tuple(self.chain) + (self.source,) + tuple(p for _, p in input_files(self.scenario))

    @property
    def digest(self) -> str:
        """SHA-256 of the validated scenario and of the content of every input file it names."""
        h = hashlib.sha256(json.dumps(self.scenario.model_dump(mode="json"), sort_keys=True).encode())
        self._hash_inputs(h)
        return h.hexdigest()

    @property
    def data_digest(self) -> str:
        """SHA-256 of the content of the input data files alone (the same data give the same
        digest whatever the scenario asks of them)."""
        h = hashlib.sha256()
        self._hash_inputs(h)
        return h.hexdigest()

    def _hash_inputs(self, h) -> None:
        for keys in PATH_KEYS[:-1]:
            p = _get(self.document, keys)
            if isinstance(p, str) and os.path.isfile(p):
                with open(p, "rb") as fh:
                    for block in iter(lambda: fh.read(1 << 20), b""):
                        h.update(block)
            elif isinstance(p, str) and os.path.isdir(p):
                for root, _, files in sorted(os.walk(p)):
                    for f in sorted(files):
                        with open(os.path.join(root, f), "rb") as fh:
                            h.update(f.encode() + fh.read())


def _get(doc, keys):
    for k in keys:
        if not isinstance(doc, dict) or k not in doc:
            return None
        doc = doc[k]
    return doc


def read_yaml(path: str) -> dict:
    """Parse one YAML file into a mapping, with errors that give the file, line and column."""
    doc = read_yaml_file(path, "scenario file")
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise ScenarioError(f"{path}: a scenario must be a mapping of keys (name:, data:, targets: ...), "
                            f"found {type(doc).__name__}", "(top level)")
    return doc


def _resolve_paths(doc: dict, base: str) -> dict:
    doc = copy.deepcopy(doc)
    for keys in PATH_KEYS:
        parent = _get(doc, keys[:-1]) if len(keys) > 1 else doc
        if isinstance(parent, dict) and isinstance(parent.get(keys[-1]), str):
            value = os.path.expanduser(parent[keys[-1]])
            parent[keys[-1]] = os.path.normpath(value if os.path.isabs(value) else os.path.join(base, value))
    return doc


def merge(base: dict, override: dict) -> dict:
    """Deep merge: mappings merge key by key; any other value in ``override`` replaces."""
    out = copy.deepcopy(base)
    for k, v in override.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def load_document(path: str) -> tuple[dict, tuple[str, ...]]:
    """The merged document of ``path`` and every scenario it extends (paths resolved)."""
    chain: list[str] = []
    docs: list[dict] = []
    current = os.path.abspath(path)
    while True:
        if current in chain:
            raise ScenarioError(f"{path}: 'extends' forms a cycle: {' -> '.join(chain + [current])}", "extends")
        if len(chain) >= MAX_EXTENDS:
            raise ScenarioError(f"{path}: more than {MAX_EXTENDS} levels of 'extends'", "extends")
        chain.append(current)
        doc = read_yaml(current)
        parent = doc.pop("extends", None)
        docs.append(_resolve_paths(doc, os.path.dirname(current)))
        if parent is None:
            break
        if not isinstance(parent, str) or not parent.strip():
            raise ScenarioError(f"{current}: must name one scenario file, found {parent!r}", "extends")
        nxt = os.path.expanduser(parent)
        current = os.path.normpath(nxt if os.path.isabs(nxt) else os.path.join(os.path.dirname(current), nxt))
        if not os.path.isfile(current):
            raise ScenarioError(f"{chain[-1]}: extended scenario {current} not found", "extends")
    merged: dict = {}
    for d in reversed(docs):
        merged = merge(merged, d)
    return merged, tuple(chain)


def _unwrap(tp):
    """The model/dict/list type a field annotation leads to (Optional and Union unwrapped)."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        for a in typing.get_args(tp):
            u = _unwrap(a)
            if isinstance(u, type) and issubclass(u, BaseModel) or typing.get_origin(u) in (dict, list):
                return u
        return None
    return tp


def _fields_at(loc: tuple) -> list[str]:
    """Valid keys of the mapping at ``loc`` in the schema (for did-you-mean)."""
    tp = Scenario
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(str(part))
            if field is None:
                return []
            tp = field.annotation
        elif typing.get_origin(tp) in (dict, list):
            tp = typing.get_args(tp)[-1]
        else:
            return []
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(tp.model_fields)
    return []


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's union-branch tags (``function-after[...]``, ``float``...) from a location."""
    return tuple(p for p in loc if isinstance(p, int) or not (("[" in p and "]" in p) or p in (
        "float", "int", "str", "bool", "list", "dict", "none", "literal['all']")))


def _message(err: dict) -> tuple[str, str]:
    loc = _clean_loc(tuple(err.get("loc", ())))
    path = ".".join(str(p) for p in loc)
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else "?"
        valid = _fields_at(loc[:-1])
        close = difflib.get_close_matches(key, valid, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else (f"; valid keys: {', '.join(valid)}" if valid else "")
        return path, f"unknown key {key!r}{hint}"
    if kind == "missing":
        return path, "required key is missing"
    msg = str(err.get("msg", "invalid value"))
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    value = err.get("input")
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    if len(shown) > 60:
        shown = shown[:57] + "..."
    if kind.endswith("_type") or kind.endswith("_parsing") or kind == "literal_error":
        return path, f"{shown}: {msg}"
    return path, msg


def validate(document: dict, source: str = "<scenario>") -> Scenario:
    """Validate a merged document against the schema; errors name every bad YAML path."""
    if isinstance(document, dict) and ("vary" in document or "variants" in document) and "data" not in document:
        raise ScenarioError(f"{source} is a sweep file (it has 'vary'/'variants'); run it with "
                            f"'scplan sweep {source}'", "(top level)")
    try:
        return Scenario.model_validate(document)
    except ValidationError as exc:
        errors = exc.errors()
        messages = [_message(e) for e in errors]
        # a union tried several branches: keep the most specific error per location
        keep: dict[str, str] = {}
        for (path, msg), e in zip(messages, errors):
            specific = not e.get("type", "").endswith("_type")
            if path not in keep or specific:
                keep[path] = msg
        paths = sorted(keep)
        text = "\n".join(f"  {p or '(top level)'}: {keep[p]}" for p in paths)
        raise ScenarioError(f"{source}: invalid scenario\n{text}", paths[0] if paths else None) from None
    except (TypeError, ValueError, RecursionError) as exc:
        raise ScenarioError(f"{source}: invalid scenario ({exc})", "(top level)") from None


def input_files(scenario: Scenario) -> list[tuple[str, str]]:
    """``(YAML key, path)`` of every input file or folder the scenario names."""
    d = scenario.data
    found = []
    if d.grid:
        found += [("data.grid.path", d.grid.path), ("data.grid.feature_path", d.grid.feature_path)]
    if d.vector:
        found.append(("data.vector.path", d.vector.path))
    if d.tables:
        found += [("data.tables.pu", d.tables.pu), ("data.tables.rij", d.tables.rij),
                  ("data.tables.boundary", d.tables.boundary)]
    if scenario.connectivity:
        found.append(("connectivity.path", scenario.connectivity.path))
    if scenario.target_rules:
        found.append(("target_rules.file", scenario.target_rules.file))
    if scenario.target_methods and scenario.target_methods.file:
        found.append(("target_methods.file", scenario.target_methods.file))
    if scenario.objective.tree:
        found.append(("objective.tree", scenario.objective.tree))
    if d.marxan is not None:
        found.append(("data.marxan", d.marxan))
    return [(k, p) for k, p in found if p is not None]


def check_files(scenario: Scenario, source: str) -> None:
    """Every input path exists (and is a file, or for ``data.marxan`` a project); the error names
    the key and the resolved path."""
    for key, p in input_files(scenario):
        if key == "data.marxan":
            if not os.path.exists(p):
                raise ScenarioError(f"Marxan project {p} not found", key)
        elif os.path.isdir(p):
            raise ScenarioError(f"{p} is a folder; this key needs a file (paths resolve relative to the YAML "
                                f"file that names them); check the path in {source}", key)
        elif not os.path.isfile(p):
            raise ScenarioError(f"file {p} not found (paths resolve relative to the YAML file that names them); "
                                f"check the path in {source}", key)


def load_scenario(path: str, check_inputs: bool = True) -> LoadedScenario:
    """Load, merge, validate and (optionally) check the input files of a scenario."""
    doc, chain = load_document(path)
    scenario = validate(doc, path)
    if check_inputs:
        check_files(scenario, path)
    return LoadedScenario(scenario=scenario, source=os.path.abspath(path), document=doc, chain=chain)
