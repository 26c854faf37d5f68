"""Peak memory of a benchmark worker process."""

from __future__ import annotations

import resource
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's own peak RSS in MB.

    Not ``ru_maxrss``: Linux carries it over from the parent at fork, so a worker started
    by a benchmark that had just built a large store would report the parent's memory.
    ``VmHWM`` belongs to the process's own address space, which exec starts afresh.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
