"""python -m bench.corners [--fit] [--cells LSTM,SimpleRNN]: the costliest requests the app allows.

For every topology and cell, the corners of the allowed sizes are searched: starting from the
smallest sizes, one size is pushed to the largest value the topology accepts (its own limits and
the cost estimate of topologies/cost.py), then each other size in turn. Each corner is traced and
drawn; the bench prints its seconds and its peak extra memory (the process's high-water mark,
reset before each corner), the worst corner per topology, and whether every corner meets the
goals: at most 2 s and 300 MB.

--fit measures a spread of configurations with the cost limit switched off, and fits the
seconds-per-term coefficients of topologies/cost.py (least squares, per cell) to them.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

import numpy as np

from bench.timing import elapsed
from topologies import CATALOGUE, CELLS, LIMITS, Config, ConfigError, cost, trace

SECONDS_GOAL = 2.0
MEGABYTES_GOAL = 300


def _status(field: str) -> int:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field))
    return int(line.split()[1]) // 1024  # kB -> MB


def measured(topology_id: str, config: Config) -> tuple[float, int]:
    """Seconds to trace and draw `config`, and the peak memory it added, in MB."""
    from app.diagram import draw

    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # resets the high-water mark (VmHWM) to the current size
    before = _status("VmRSS")
    result, trace_seconds = elapsed(trace, topology_id, config)
    _, draw_seconds = elapsed(draw, result)
    return trace_seconds + draw_seconds, _status("VmHWM") - before


def _sizes(topology_id: str) -> list[str]:
    return ["batch", "steps", "features", "units", *(name for name in CATALOGUE[topology_id].extras if name in LIMITS)]


def _accepted(topology_id: str, values: dict) -> Config | None:
    """The config if the topology accepts it. A refusal that ties units to features (the feedback
    loop) is applied once; any other refusal (a cost over the limit offering a smaller batch) is
    not, or pushing one size would quietly shrink another."""
    topology = CATALOGUE[topology_id]
    for _ in range(2):
        try:
            config = Config(**values)
            topology.check(config)
            return config
        except ConfigError as error:
            if set(error.fix) != {"units"}:
                return None
            values = {**values, **error.fix}
    return None


def _push(topology_id: str, values: dict, field: str) -> dict:
    """`values` with `field` raised to the largest value the topology accepts (by halving)."""
    low, high = values[field], LIMITS[field][1]
    if _accepted(topology_id, {**values, field: high}):
        return dataclasses.asdict(_accepted(topology_id, {**values, field: high}))
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if _accepted(topology_id, {**values, field: middle}) else (low, middle)
    return dataclasses.asdict(_accepted(topology_id, {**values, field: low}))


def corners(topology_id: str, cell: str) -> list[Config]:
    """Each size pushed first, then the others in order; and all pushed in the reverse order."""
    sizes = _sizes(topology_id)
    smallest = {name: LIMITS[name][0] for name in sizes} | {"cell": cell, "steps": 2, "chunks": 1}
    start = dataclasses.asdict(_accepted(topology_id, smallest))
    orders = [[first, *(name for name in sizes if name != first)] for first in sizes] + [sizes[::-1]]
    found = []
    for order in orders:
        values = start
        for name in order:
            values = _push(topology_id, values, name)
        config = Config(**values)
        if config not in found:
            found.append(config)
    return found


def run_corners(cells: list[str], topology_ids: list[str]) -> bool:
    worst_overall = []
    for topology_id in topology_ids:
        results = []
        for cell in cells:
            for config in corners(topology_id, cell):
                seconds, megabytes = measured(topology_id, config)
                results.append((seconds, megabytes, config))
                print(f"  {topology_id} {_describe(config)}: {seconds:.2f} s, +{megabytes} MB", file=sys.stderr)
        slowest = max(results, key=lambda result: result[0])
        largest = max(results, key=lambda result: result[1])
        worst_overall += [slowest, largest]
        print(
            f"{topology_id:<22} {len(results):>3} corners  slowest {slowest[0]:5.2f} s ({_describe(slowest[2])})"
            f"  largest +{largest[1]:>5} MB ({_describe(largest[2])})",
            flush=True,
        )
    seconds = max(result[0] for result in worst_overall)
    megabytes = max(result[1] for result in worst_overall)
    meets = seconds <= SECONDS_GOAL and megabytes <= MEGABYTES_GOAL
    print(
        f"worst corner: {seconds:.2f} s (goal {SECONDS_GOAL} s), +{megabytes} MB (goal {MEGABYTES_GOAL} MB): "
        f"{'meets' if meets else 'MISSES'} the goals"
    )
    return meets


def _describe(config: Config) -> str:
    base = Config()
    return " ".join(
        f"{f.name}={getattr(config, f.name)}"
        for f in dataclasses.fields(Config)
        if getattr(config, f.name) != getattr(base, f.name) or f.name in ("batch", "steps")
    )


def fit(cells: list[str]) -> None:
    """Measure corners of the space without the cost limit, and fit seconds per term, per cell."""
    original = cost.check
    cost.check = lambda *arguments: None  # the bench measures beyond the limit, to calibrate it
    try:
        rng = np.random.default_rng(0)
        for cell in cells:
            rows, seconds = [], []
            for topology_id in CATALOGUE:
                for config in _spread(topology_id, cell, rng):
                    took, megabytes = measured(topology_id, config)
                    terms = CATALOGUE[topology_id].module.cost(config)
                    print(f"  {topology_id} {_describe(config)}: {took:.2f} s +{megabytes} MB {terms}", file=sys.stderr)
                    rows.append([getattr(terms, name) for name in cost.TERMS])
                    seconds.append(took)
            coefficients, *_ = np.linalg.lstsq(np.array(rows, dtype=float), np.array(seconds), rcond=None)
            predicted = np.array(rows, dtype=float) @ np.clip(coefficients, 0, None)
            worst = np.max(np.abs(predicted - seconds))
            named = ", ".join(f'"{name}": {max(value, 0):.2e}' for name, value in zip(cost.TERMS, coefficients))
            print(f'"{cell}": {{{named}}},  # {len(seconds)} runs, worst error {worst:.2f} s', flush=True)
    finally:
        cost.check = original


def _spread(topology_id: str, cell: str, rng) -> list[Config]:
    """Sizes from small to heavy, each term dominant in some of them."""
    configs = []
    # (batch, steps, features, units): each term leads in some of them.
    for batch, steps, features, units in [
        (1024, 1000, 1, 1),
        (1, 1000, 1, 1),
        (1024, 100, 256, 1),
        (256, 100, 8, 128),
        (64, 200, 1, 180),
        (1024, 10, 256, 32),
        (10, 5, 4, 4),
        (512, 500, 64, 1),
        (1, 300, 1, 1),
        (128, 300, 16, 16),
    ]:
        values = {"cell": cell, "batch": batch, "steps": steps, "features": features, "units": units}
        if topology_id == "forecast_stateful":
            values["steps"] = min(steps, 200)
        if topology_id == "one_to_many_stateful":
            values["steps"], values["units"] = min(steps, 100), features
        if topology_id == "stateful_batches":
            values["chunks"] = int(rng.integers(1, 21))
        try:
            config = Config(**values)
            CATALOGUE[topology_id].check(config)  # the topology's own limits (the cost's are off)
        except ConfigError:
            continue
        configs.append(config)
    return configs


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.corners", description=__doc__)
    parser.add_argument("--fit", action="store_true", help="fit the cost coefficients instead")
    parser.add_argument("--cells", default=",".join(CELLS), help="comma-separated cells (default: all three)")
    parser.add_argument("--topologies", default=",".join(CATALOGUE), help="comma-separated ids (default: all)")
    arguments = parser.parse_args()
    cells = arguments.cells.split(",")
    if arguments.fit:
        fit(cells)
    else:
        sys.exit(0 if run_corners(cells, arguments.topologies.split(",")) else 1)


if __name__ == "__main__":
    main()
