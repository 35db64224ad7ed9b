"""Helpers shared by the scripts in ``benchmarks/``."""

from __future__ import annotations

import importlib.metadata as md
import os
import platform


def markdown_table(head: list[str], rows: list[list]) -> str:
    """A Markdown table of ``rows`` under ``head``."""
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(str(v) for v in r) + " |" for r in rows])


def write_text(path: str, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temporary file, then rename)."""
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path + ".tmp", "w") as fh:
        fh.write(text + "\n")
    os.replace(path + ".tmp", path)


def publish(settings: str, head: list[str], rows: list[list], out: str | None) -> str:
    """Print a benchmark table headed by the machine line and ``settings``; write it to ``out`` too."""
    text = "\n".join([f"Machine: {machine_line()}", settings, "", markdown_table(head, rows)])
    print(text)
    if out:
        write_text(out, text)
    return text


def machine_line() -> str:
    """One line describing the machine and the solver versions."""
    def v(pkg: str) -> str:
        try:
            return md.version(pkg)
        except md.PackageNotFoundError:
            return "-"

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, Python {platform.python_version()}, "
            f"highspy {v('highspy')}, pyscipopt {v('pyscipopt')}, PuLP {v('pulp')} (bundled CBC 2.10.3)")
