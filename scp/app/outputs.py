"""Results folders written atomically.

Everything is written into a hidden temporary folder beside the target and renamed
into place at the end, so a results folder is either complete or absent: a failed run
leaves nothing half-written, and an existing folder is never replaced unless
``overwrite`` is given.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile

import numpy as np

from ..errors import ScpError


class OutputExists(ScpError, FileExistsError):
    """The results folder exists and overwriting was not requested."""


def _jsonable(v):
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return f if math.isfinite(f) else None
    if isinstance(v, np.bool_):
        return bool(v)
    return v


class ResultsFolder:
    """Context manager: ``with ResultsFolder(out, overwrite) as tmp: ...write into tmp...``."""

    def __init__(self, path: str, overwrite: bool = False) -> None:
        self.path = os.path.abspath(path)
        self.overwrite = overwrite
        if os.path.exists(self.path) and not overwrite:
            raise OutputExists(f"{path}: results folder already exists; choose another --out or pass --overwrite")
        self.tmp: str | None = None

    def __enter__(self) -> str:
        parent = os.path.dirname(self.path)
        os.makedirs(parent, exist_ok=True)
        self.tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(self.path)}.", dir=parent)
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> None:
        assert self.tmp is not None
        if exc_type is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return
        os.chmod(self.tmp, 0o755)
        if os.path.exists(self.path):
            old = self.path + ".old"
            shutil.rmtree(old, ignore_errors=True)
            os.replace(self.path, old)
            os.replace(self.tmp, self.path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(self.tmp, self.path)


def write_json(path: str, payload: dict) -> None:
    """Write JSON with NaN/inf as null and numpy scalars converted."""
    with open(path, "w") as fh:
        json.dump(_jsonable(payload), fh, indent=2, sort_keys=False)
        fh.write("\n")
