"""What the figures were measured on, and how much memory this process holds."""

from __future__ import annotations

import os
import platform

import keras
import tensorflow as tf


def resident_megabytes() -> float:
    """This process's resident set size (VmRSS in /proc/self/status), in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024  # the line reads "VmRSS:   123456 kB"
    raise RuntimeError("no VmRSS line in /proc/self/status")


def total_memory_gigabytes() -> float:
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    raise RuntimeError("no MemTotal line in /proc/meminfo")


def describe(load_at_start: float) -> list[str]:
    """One line per fact about the machine and the software versions."""
    return [
        f"nproc            {len(os.sched_getaffinity(0))} (of {os.cpu_count()} CPUs)",
        f"memory           {total_memory_gigabytes():.1f} GB",
        f"load average     {load_at_start:.2f} at start, {os.getloadavg()[0]:.2f} at end (1 minute)",
        f"python           {platform.python_version()}",
        f"tensorflow       {tf.__version__}",
        f"keras            {keras.__version__} (backend {keras.backend.backend()})",
    ]
