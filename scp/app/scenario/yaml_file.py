"""Reading scenario and sweep YAML files safely: a size limit, the C parser where available,
duplicate keys refused with both line numbers, and errors that name the file, line and column."""

from __future__ import annotations

import os

import yaml

from ...errors import ScenarioError

MAX_BYTES = 1 << 20
"""Scenario and sweep files are small documents; anything larger than 1 MiB is refused before
parsing (long lists of ids or targets belong in a CSV file that the scenario names)."""

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StrictLoader(_Base):  # type: ignore[misc,valid-type]
    """Safe YAML loader (C parser when PyYAML has it) that refuses duplicate keys."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: the base constructor reports it
                continue
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first at line {first.line + 1}, again at line "
                    f"{key_node.start_mark.line + 1}); keep one of them", key_node.start_mark)
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, StrictLoader.construct_mapping)


def read_yaml_file(path: str, what: str = "scenario file"):
    """The parsed content of the YAML file ``path`` (``None`` when empty)."""
    if os.path.isdir(path):
        raise ScenarioError(f"{path} is a folder; give the {what} (a .yaml file)", "(file)")
    if not os.path.isfile(path):
        raise ScenarioError(f"{what} {path} not found", "(file)")
    size = os.path.getsize(path)
    if size > MAX_BYTES:
        raise ScenarioError(f"{path}: {size / 2**20:.1f} MiB is larger than the {MAX_BYTES >> 20} MiB a {what} may "
                            "have; put long lists (unit ids, per-feature targets) in a CSV file and name it", "(file)")
    try:
        with open(path, "rb") as fh:
            text = fh.read().decode("utf-8")
        return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ScenarioError(f"{path}: not valid YAML{where}: {exc.problem}", "(yaml)") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})", "(yaml)") from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise ScenarioError(f"{path}: not valid YAML: {exc}", "(yaml)") from None
