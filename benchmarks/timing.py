"""Timing a fresh pkm process as a user would start it: wall time and its CPU time.

Wall time on this shared machine follows the other jobs on it; the CPU time (user +
system) of the process mostly does not, so the start-up benchmarks report both.
"""

from __future__ import annotations

import os
import resource
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any


def installed_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a timed pkm: bytecode cached as after an install (a session's
    PYTHONDONTWRITEBYTECODE would make every run compile pkm's sources again, ~40 ms),
    and no PKM_DB from the caller."""
    env = dict(os.environ if base is None else base)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PKM_DB", None)
    return env


def children_cpu() -> float:
    """CPU seconds used so far by the children this process has waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(run: Callable[[], Any]) -> tuple[float, float]:
    """(wall, CPU) seconds of ``run``, which starts one process and waits for it."""
    cpu = children_cpu()
    started = time.perf_counter()
    run()
    return time.perf_counter() - started, children_cpu() - cpu


def run_timed(args: Sequence[str], env: Mapping[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of ``args`` with its output to a pipe, read to the end."""
    return timed(lambda: subprocess.run(args, env=env, capture_output=True, check=True))
