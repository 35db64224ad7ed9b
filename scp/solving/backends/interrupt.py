"""Stopping a solve on request (Ctrl-C, SIGTERM) within a second or two.

Python runs a signal handler only between bytecodes; while a solver works in C the handler
waits. scp's HiGHS runs therefore carry callbacks (MIP, simplex and interior point) that look at
one flag, :data:`STOP`, and ask HiGHS to stop when it is set; the handler installed by
:func:`stop_on_signals` sets the flag and, outside such a callback, raises :class:`Interrupted`
at once. After a stopped run the backend calls :func:`raise_if_stopped`, so the interruption
reaches the caller, whose ``with`` blocks clean up (no half-written results).
"""

from __future__ import annotations

import contextlib
import signal
import threading

STOP = threading.Event()
"""Set when a stop was requested; solver callbacks poll it."""

_state = {"signum": None, "callback_depth": 0}


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal (``signum``: SIGINT or SIGTERM)."""

    def __init__(self, signum: int | None = None) -> None:
        super().__init__(signal.Signals(signum).name if signum else "stop requested")
        self.signum = signum


def request_stop(signum: int | None = None) -> None:
    """Ask the running solve (and the run around it) to stop."""
    _state["signum"] = signum
    STOP.set()


def raise_if_stopped() -> None:
    """Raise :class:`Interrupted` when a stop was requested."""
    if STOP.is_set():
        raise Interrupted(_state["signum"])


@contextlib.contextmanager
def inside_callback():
    """Mark a solver callback: a signal arriving now only sets the flag (the solver then stops
    and :func:`raise_if_stopped` raises after it has returned)."""
    _state["callback_depth"] += 1
    try:
        yield
    finally:
        _state["callback_depth"] -= 1


def _handler(signum, frame) -> None:
    request_stop(signum)
    if _state["callback_depth"] == 0:
        raise Interrupted(signum)


@contextlib.contextmanager
def stop_on_signals():
    """Within the block, SIGINT and SIGTERM stop the run (see module docstring); the previous
    handlers are restored after it. Only the main thread can install handlers; elsewhere this
    does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    STOP.clear()
    _state["signum"] = None
    previous = {s: signal.signal(s, _handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
        STOP.clear()
