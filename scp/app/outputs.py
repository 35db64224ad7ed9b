"""Results folders and files, written so that a user's files are never lost.

* A results folder is written into a hidden temporary folder beside the target
  (``.NAME.scp-tmp-PID-XXXX``) and moved into place at the end, so it is either complete or
  absent. It carries a marker file (:data:`MARKER`: scp version, run id, time) by which scp
  recognises its own folders.
* ``overwrite`` replaces only a folder that carries the marker; any other existing path (a
  folder of other files, an input file) is refused with a message naming it. Output paths that
  are the working directory, one of its parents, the file system root or the home folder, or
  that hold an input file, are refused before anything runs.
* The final move is a no-replace rename: a folder that appeared at the target meanwhile (another
  run) is reported and kept, and the new results stay beside it under a visible name. When
  replacing, the old folder is first moved to a unique hidden name and removed only after the
  new one is in place.
* The output location is probed for writability before any work. Temporary folders left by
  runs that were killed (their process no longer exists) are removed by the next run into the
  same place.
* Single files go through :func:`atomic_write` (temporary file in the same folder, fsync,
  ``os.replace``): a symbolic link at the target is replaced, never followed.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime
import errno
import json
import math
import os
import re
import shutil
import tempfile
import uuid

import numpy as np

from .._version import __version__
from ..errors import ScpError

MARKER = ".scp-results.json"
"""The file inside every results folder scp writes; ``overwrite`` replaces only such folders."""


class OutputExists(ScpError, FileExistsError):
    """The results folder exists and overwriting was not requested (or is not allowed)."""


class OutputError(ScpError):
    """The output location cannot be used (not writable, unsafe, or not scp's to replace)."""


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


def atomic_write(path: str, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, fsync, then
    ``os.replace``: readers see the old or the new file, never half of one, and a link at
    ``path`` is replaced, not followed."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_json(path: str, payload: dict) -> None:
    """Write JSON (atomically) with NaN/inf as null and numpy scalars converted."""
    atomic_write(path, json.dumps(_jsonable(payload), indent=2, sort_keys=False) + "\n")


def is_results_folder(path: str) -> bool:
    """Whether ``path`` is a real folder (not a link) that carries scp's marker."""
    return os.path.isdir(path) and not os.path.islink(path) and os.path.isfile(os.path.join(path, MARKER))


def check_output_path(path: str, inputs: tuple[str, ...] = (), what: str = "results folder") -> str:
    """The absolute output path, after refusing paths that would put a user's files at risk:
    the working directory or one of its parents, the root or home folder, an input file, or a
    folder that holds an input file."""
    target = os.path.realpath(os.path.abspath(path))
    cwd = os.path.realpath(os.getcwd())
    home = os.path.realpath(os.path.expanduser("~"))
    if target in (os.path.realpath(os.sep), home) or cwd == target or cwd.startswith(target.rstrip(os.sep) + os.sep):
        raise OutputError(f"{path}: the {what} would be {target}, which is the working directory, one of its "
                          "parents, the root or the home folder; give a scenario name or --out that names a "
                          "new folder (e.g. results/my_plan)")
    for f in inputs:
        real = os.path.realpath(os.path.abspath(f))
        if real == target or real.startswith(target.rstrip(os.sep) + os.sep):
            raise OutputError(f"{path}: the {what} would replace the input {f}; choose another --out")
    return os.path.abspath(path)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(target: str) -> list[str]:
    """Remove the hidden temporary folders of earlier runs into ``target`` whose process has ended
    (a previous results folder that such a run had moved aside is put back when ``target`` is
    missing)."""
    parent, name = os.path.split(target)
    pattern = re.compile(re.escape(f".{name}.scp-") + r"(?:tmp|old)-(\d+)-\w+$")
    removed = []
    try:
        entries = os.listdir(parent)
    except OSError:
        return removed
    for entry in sorted(entries):
        m = pattern.match(entry)
        full = os.path.join(parent, entry)
        if not m or os.path.islink(full) or not os.path.isdir(full) or _pid_alive(int(m.group(1))):
            continue
        if ".scp-old-" in entry and not os.path.lexists(target):
            # a run died while replacing: these are the previous results, put them back (or
            # leave them where they are if that fails; they are never deleted here)
            with contextlib.suppress(OSError):
                os.rename(full, target)
            continue
        shutil.rmtree(full, ignore_errors=True)
        removed.append(full)
    return removed


def probe_writable(folder: str) -> None:
    """Create ``folder`` if needed and check that a file can be written in it (clear error if not)."""
    try:
        os.makedirs(folder, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".scp-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write results there ({exc.strerror or exc}); choose another --out "
                          "or fix the folder's permissions or free space") from None


_RENAME_NOREPLACE = 1


def rename_no_replace(src: str, dst: str) -> None:
    """Rename ``src`` to ``dst``, failing with :class:`FileExistsError` when ``dst`` exists
    (atomic ``renameat2(RENAME_NOREPLACE)`` on Linux; elsewhere a check just before the rename)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        renameat2 = None
    if renameat2 is not None:
        at_fdcwd = -100
        if renameat2(at_fdcwd, os.fsencode(src), at_fdcwd, os.fsencode(dst), _RENAME_NOREPLACE) == 0:
            return
        err = ctypes.get_errno()
        if err == errno.EEXIST:
            raise FileExistsError(errno.EEXIST, "exists", dst)
        if err not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
            raise OSError(err, os.strerror(err), dst)
    if os.path.lexists(dst):
        raise FileExistsError(errno.EEXIST, "exists", dst)
    os.rename(src, dst)


class ResultsFolder:
    """Context manager: ``with ResultsFolder(out, overwrite, inputs=...) as tmp: ...write into tmp...``.

    The checks (safe path, existing folder, writability, stale temporaries) run when it is
    created, before any loading or solving; see the module docstring for the guarantees.
    ``keep_partial``: on an error or interruption, keep what was written as a visible
    ``<out>.interrupted-<run id>`` folder instead of removing it (sweeps).
    """

    def __init__(self, path: str, overwrite: bool = False, inputs: tuple[str, ...] = (),
                 keep_partial: bool = False) -> None:
        self.path = check_output_path(path, inputs)
        self.overwrite = overwrite
        self.keep_partial = keep_partial
        self.run_id = uuid.uuid4().hex[:12]
        if os.path.lexists(self.path):
            if not overwrite:
                raise OutputExists(f"{path}: results folder already exists; choose another --out or pass --overwrite")
            if not is_results_folder(self.path):
                raise OutputError(f"{path}: exists and is not a results folder written by scp (no {MARKER}); "
                                  "--overwrite replaces only scp's own results folders. Move it away or choose "
                                  "another --out")
        self.parent = os.path.dirname(self.path)
        probe_writable(self.parent)
        remove_stale_temporaries(self.path)
        self.tmp: str | None = None

    def _hidden(self, kind: str) -> str:
        return os.path.join(self.parent, f".{os.path.basename(self.path)}.scp-{kind}-{os.getpid()}-"
                                         f"{uuid.uuid4().hex[:8]}")

    def __enter__(self) -> str:
        self.tmp = self._hidden("tmp")
        os.mkdir(self.tmp)
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> None:
        assert self.tmp is not None
        if exc_type is not None:
            if self.keep_partial and os.path.isdir(self.tmp):
                kept = f"{self.path}.interrupted-{self.run_id}"
                with contextlib.suppress(OSError):
                    os.rename(self.tmp, kept)
                    self.kept = kept
                    return
            shutil.rmtree(self.tmp, ignore_errors=True)
            return
        try:
            self._place()
        except BaseException:
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise

    def _place(self) -> None:
        write_json(os.path.join(self.tmp, MARKER), {
            "scp_version": __version__, "run_id": self.run_id,
            "written": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")})
        os.chmod(self.tmp, 0o755)
        old = None
        if os.path.lexists(self.path) and self.overwrite:
            if not is_results_folder(self.path):
                raise OutputError(f"{self.path}: appeared during the run and is not scp's results folder; "
                                  "nothing was replaced")
            old = self._hidden("old")
            os.rename(self.path, old)  # a unique name: nothing of the user's is replaced
        try:
            rename_no_replace(self.tmp, self.path)
        except FileExistsError:
            if old is not None:
                with contextlib.suppress(OSError):
                    os.rename(old, self.path)
            kept = f"{self.path}.{self.run_id}"
            os.rename(self.tmp, kept)
            raise OutputExists(f"{self.path}: a folder appeared there during the run (another run?); it was kept, "
                               f"and these results were written to {kept}") from None
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
