"""Who used the machine while a figure ran: CPU seconds per kind of process, read from /proc.

    with CpuSplit(server_pid) as split:
        ...                      # a class of 20 browser sessions on the server
    split.line()                 # "CPU over 290 s (580 core-seconds): browsers 410 s, server 95 s, ..."

A class of 20 Chromium sessions shares the machine with the server it measures. When the
browsers take most of the cores, a slow repaint or a timeout says more about the machine than
about the app; this line says which it was. Every process's user and system time is sampled
twice a second (a process that ends between two samples loses at most half a second), and only
what was used inside the window counts. Linux only: elsewhere the line says it has nothing.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

SAMPLE_SECONDS = 0.5
PROC = Path("/proc")
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100  # /proc counts CPU in ticks
KINDS = ("browsers (Chromium, Playwright)", "Streamlit server", "TF workers", "harness", "other")


def _cpu_seconds_and_parent(pid: str) -> tuple[float, int] | None:
    """User + system CPU seconds of a process so far, and its parent's pid; None once it is gone."""
    try:
        stat = (PROC / pid / "stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (name) ": state is fields[0]
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND, int(fields[1])


def _command(pid: str) -> str:
    try:
        return (PROC / pid / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class CpuSplit:
    """CPU seconds per kind of process over a `with` block, the Streamlit server known by its pid."""

    def __init__(self, server_pid: int):
        self.server_pid = server_pid
        self._start: dict[str, float] = {}  # what each process had used before the window
        self._latest: dict[str, float] = {}
        self._kind: dict[str, str] = {}
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample_until_stopped, daemon=True)
        self.seconds = 0.0

    def __enter__(self) -> CpuSplit:
        self._started = time.perf_counter()
        self._sample(first=True)
        self._sampler.start()
        return self

    def __exit__(self, *exception) -> None:
        self._stop.set()
        self._sampler.join()
        self._sample()
        self.seconds = time.perf_counter() - self._started

    def _sample_until_stopped(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self._sample()

    def _sample(self, first: bool = False) -> None:
        if not PROC.is_dir():
            return
        for entry in PROC.iterdir():
            if not entry.name.isdigit():
                continue
            read = _cpu_seconds_and_parent(entry.name)
            if read is None:
                continue
            used, parent = read
            if entry.name not in self._kind:
                self._kind[entry.name] = self._kind_of(int(entry.name), parent, _command(entry.name))
                self._start[entry.name] = used if first else 0.0  # born inside the window: all of it counts
            self._latest[entry.name] = used

    def _kind_of(self, pid: int, parent: int, command: str) -> str:
        if pid == self.server_pid:
            return KINDS[1]
        if parent == self.server_pid and "multiprocessing" in command:
            return KINDS[2]
        if pid == os.getpid():
            return KINDS[3]
        if "chrom" in command or "playwright" in command:
            return KINDS[0]
        return KINDS[4]

    def by_kind(self) -> dict[str, float]:
        """CPU seconds used inside the window, per kind."""
        totals = dict.fromkeys(KINDS, 0.0)
        for pid, used in self._latest.items():
            totals[self._kind[pid]] += used - self._start[pid]
        return totals

    def line(self) -> str:
        totals = self.by_kind()
        if not any(totals.values()):
            return "CPU split: nothing read (no /proc here)"
        available = self.seconds * (os.cpu_count() or 1)
        parts = ", ".join(f"{kind} {seconds:.0f} s" for kind, seconds in totals.items())
        idle = available - sum(totals.values())
        return f"CPU over {self.seconds:.0f} s ({available:.0f} core-seconds): {parts}; idle {max(idle, 0):.0f} s"
