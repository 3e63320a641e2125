"""The cores indexing may use, and how it shares them between decoding and the model.

torch's intra-op threads wait for one another at the end of every operation, so one of them
sharing a core with a decoding thread or with another process holds up all of them (issue 25:
240 photos took 124 s instead of 12 s with torch's threads and the decoders on two busy cores).
The model therefore gets the cores that are left once the decoders have theirs, counting only
the cores this process may run on (its affinity) that no other process keeps busy.
"""

from __future__ import annotations

import os
import time

# On a CPU a decoder keeps up with about 1.5 cores of model: a 12 MP JPEG costs about as much to
# decode at 1/8 scale as the model costs on one core, and the model gains less than linearly
# from more threads.
CPU_DECODE_SHARE = 0.4


def allowed_cores() -> int:
    """Cores this process may run on (a taskset or a container's cpuset counts)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def plan(free: int, accelerated: bool) -> tuple[int, int]:
    """(decoding threads, torch threads) for ``free`` cores: on a GPU the cores decode and one
    feeds the device; on a CPU the decoders take their share and the model the rest."""
    free = max(1, free)
    decoders = max(1, free - 1) if accelerated else max(1, round(free * CPU_DECODE_SHARE))
    return decoders, max(1, free - decoders)


class CoreMeter:
    """Cores that other processes leave free, from the kernel's per-core counters between two
    readings, less this process's own CPU time (Linux; elsewhere every allowed core is free)."""

    def __init__(self):
        self.cores = allowed_cores()
        self._cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
        self._last = self._reading()

    def free(self, least_interval: float = 0.2) -> int:
        """Free cores since the last call (or since this meter was made), waiting until at
        least ``least_interval`` seconds have passed for a reading worth having."""
        if self._last is None:
            return self.cores
        wait = least_interval - (time.monotonic() - self._last[0])
        if wait > 0:
            time.sleep(wait)
        now = self._reading()
        (then_wall, then_busy, then_own), (wall, busy, own) = self._last, now
        self._last = now
        seconds = max(wall - then_wall, 1e-3)
        others = (busy - then_busy - (own - then_own)) / seconds  # cores busy with other processes
        return min(self.cores, max(1, self.cores - round(max(0.0, others))))

    def _reading(self) -> tuple[float, float, float] | None:
        """(monotonic time, busy CPU seconds of the allowed cores, this process's CPU seconds)."""
        if self._cpus is None:
            return None
        try:
            with open("/proc/stat") as f:
                lines = f.read().splitlines()
        except OSError:
            return None
        ticks = 0
        for line in lines:
            name, *fields = line.split()
            if name.startswith("cpu") and name[3:].isdigit() and int(name[3:]) in self._cpus:
                user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
                ticks += user + nice + system + irq + softirq + steal
        return time.monotonic(), ticks / os.sysconf("SC_CLK_TCK"), time.process_time()
