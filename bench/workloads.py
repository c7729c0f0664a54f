"""The configs each figure runs: defaults, a user's slider sweep, many distinct configs, the heaviest."""

from __future__ import annotations

import dataclasses
import random

from app.ui.links import DEFAULT_TOPOLOGY
from topologies import CATALOGUE, CELLS, LIMITS, Config, ConfigError
from topologies.contract import recurrent_work

# The values a user drags a size slider to.
SLIDER_STOPS = {
    "batch": (1, 2, 4, 8, 10, 16, 32, 64, 128),
    "steps": (1, 2, 3, 5, 8, 10, 20, 50, 100),
    "units": (1, 2, 4, 8, 16, 32, 64, 128),
}
WIDGETS = ("batch", "steps", "units", "cell", "topology")


def default_config(topology_id: str) -> Config:
    """The topology's own defaults (the feedback loops need units = features)."""
    return CATALOGUE[topology_id].default_config()


def is_allowed(topology_id: str, config: Config) -> bool:
    """True when the topology accepts the config, as the app checks it before tracing."""
    try:
        CATALOGUE[topology_id].check(config)
    except ConfigError:
        return False
    return True


def slider_sweep(changes: int, seed: int = 0) -> list[tuple[str, Config, str]]:
    """`changes` single-widget changes from the app's defaults, each a (topology, config, what changed).

    Each change moves one widget: a size to another of its SLIDER_STOPS, or another cell or topology.
    A change the app would refuse (a ConfigError) is not made; another is drawn instead.
    """
    chooser = random.Random(seed)
    topology_id, config = DEFAULT_TOPOLOGY, Config()
    sweep = []
    while len(sweep) < changes:
        widget = chooser.choice(WIDGETS)
        next_topology, next_config = topology_id, config
        if widget == "topology":
            next_topology = chooser.choice([other for other in CATALOGUE if other != topology_id])
            value = next_topology
        elif widget == "cell":
            value = chooser.choice([cell for cell in CELLS if cell != config.cell])
            next_config = dataclasses.replace(config, cell=value)
        else:
            value = chooser.choice([stop for stop in SLIDER_STOPS[widget] if stop != getattr(config, widget)])
            next_config = dataclasses.replace(config, **{widget: value})
        if not is_allowed(next_topology, next_config):
            continue
        topology_id, config = next_topology, next_config
        sweep.append((topology_id, config, f"{widget} -> {value}"))
    return sweep


def distinct_configs(count: int) -> list[tuple[str, Config]]:
    """`count` small configs, no two alike: every topology in turn, batch growing each round."""
    ids = list(CATALOGUE)
    configs = []
    for index in range(count):
        topology_id = ids[index % len(ids)]
        round_number = index // len(ids)
        units = 1 + round_number % 16
        # batch alone makes every config of a topology new; steps and units vary the shapes.
        config = Config(batch=1 + round_number, steps=2 + round_number % 9, units=units)
        if "units" in dict(CATALOGUE[topology_id].defaults):  # a feedback loop: units = features
            config = dataclasses.replace(config, features=units)
        configs.append((topology_id, config))
    return configs


def heaviest_config(topology_id: str) -> Config:
    """The most recurrent work `topology_id` accepts at default features: for every units, the
    longest steps it takes with batch 1, then the largest batch at those steps (the cost estimate
    decides); of those, the one with the most recurrent_work."""
    candidates = []
    for units in range(1, LIMITS["units"][1] + 1, 7):
        steps = _largest(topology_id, Config(batch=1, units=units), "steps")
        if steps is None:
            continue
        batch = _largest(topology_id, Config(batch=1, steps=steps, units=units), "batch")
        candidates.append(Config(batch=batch, steps=steps, units=units))
    return max(candidates, key=lambda config: (recurrent_work(config), config.units))


def _largest(topology_id: str, config: Config, field: str) -> int | None:
    """The largest value of `field` the topology accepts with the rest of `config`, by halving."""

    def accepted(value: int) -> bool:
        return is_allowed(topology_id, dataclasses.replace(config, **{field: value}))

    low, high = LIMITS[field]
    if not accepted(low):
        return None
    if accepted(high):
        return high
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if accepted(middle) else (low, middle)
    return low
