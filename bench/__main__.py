"""python -m bench [--quick]: run the six figures, then print them as one table and the machine."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from bench import figures, machine


def table(measurements: list[figures.Measurement]) -> list[str]:
    """One row per figure (value, goal, met), its details indented beneath."""
    lines = [f"{'#':<2} {'figure':<42} {'measured':>9}  {'goal':<9} meets", "-" * 72]
    for measurement in measurements:
        meets = {True: "yes", False: "NO", None: "n/a"}[measurement.meets]
        lines.append(
            f"{measurement.number:<2} {measurement.title:<42} {measurement.measured:>9}  {measurement.goal:<9} {meets}"
        )
        lines.extend(f"     {detail}" for detail in measurement.details)
    return lines


def commit() -> str:
    """The commit measured, marked "-dirty" when tracked files differ from it."""
    described = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=Path(__file__).parent, capture_output=True, text=True
    )
    return described.stdout.strip() or "unknown (not a git checkout)"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats and traces: checks the bench works")
    arguments = parser.parse_args()
    settings = figures.QUICK if arguments.quick else figures.FULL
    load_at_start = os.getloadavg()[0]
    measured_commit = commit()  # the code was imported just now; a commit made mid-run is not what ran
    started = time.perf_counter()
    measurements = []
    for figure in figures.ALL:
        print(f"running {figure.__name__} ...", file=sys.stderr, flush=True)
        measurements.append(figure(settings))
    commit_at_end = commit()
    if commit_at_end != measured_commit:
        measured_commit += f" (the checkout changed to {commit_at_end} during the run)"
    missed = [str(measurement.number) for measurement in measurements if measurement.meets is False]
    lines = [
        f"RNN shapes bench ({'quick' if arguments.quick else 'full'}) at commit {measured_commit}: {settings}",
        "",
        *table(measurements),
        "",
        f"goals missed: {', '.join(missed) or 'none'}; took {time.perf_counter() - started:.0f} s",
        "",
        *machine.describe(load_at_start),
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
