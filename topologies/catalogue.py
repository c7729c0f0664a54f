"""The catalogue: one entry per topology, in the order the syllabus teaches them."""

from __future__ import annotations

import dataclasses
import importlib
from types import ModuleType

from topologies.config import Config, ConfigError


@dataclasses.dataclass(frozen=True)
class Topology:
    """One topology: its id, the module that builds it, and the Config extras it reads."""

    id: str
    module: ModuleType
    extras: tuple[str, ...] = ()  # Config fields beyond the four sizes and the cell

    @property
    def summary(self) -> str:
        return self.module.SUMMARY

    @property
    def concept(self) -> str:
        """The module docstring: the idea this topology teaches, with a worked example."""
        return self.module.__doc__

    @property
    def is_multi_call(self) -> bool:
        """True when the model is called several times in a row (stateful topologies): the
        module's `calls(model, config, runner)` is a generator that yields after each step of
        its protocol, so a trace runs it to the end and a step-through view one step a click."""
        return hasattr(self.module, "calls")

    def check(self, config: Config) -> None:
        """Raise ConfigError for a combination of sizes this topology cannot build."""
        if config.any_length and "any_length" not in self.extras:
            raise ConfigError(
                f"any_length is true, but {self.id} needs a fixed number of steps, so any_length must be false."
            )
        if hasattr(self.module, "check"):
            self.module.check(config)


CATALOGUE: dict[str, Topology] = {}


def register(topology_id: str, extras: tuple[str, ...] = ()) -> None:
    if topology_id in CATALOGUE:
        raise ValueError(f"topology {topology_id!r} is registered twice")
    module = importlib.import_module(f"topologies.{topology_id}")
    CATALOGUE[topology_id] = Topology(topology_id, module, extras)


# --- one layer, three ways to hand on its steps ---
register("many_to_many", extras=("any_length",))
register("many_to_one", extras=("any_length",))
register("one_to_many_repeat")
register("one_to_many_stateful")

# --- stateful=True: sequences that continue across calls ---
register("stateful_batches", extras=("chunks",))
register("forecast_stateful", extras=("horizon",))

# --- from a long series to (samples, steps, features) ---
register("sliding_windows")

# --- several layers ---
register("stacked", extras=("depth", "any_length"))
register("autoencoder", extras=("depth",))
register("time_distributed", extras=("dense", "any_length"))
register("text_generator", extras=("vocab", "any_length"))

# --- beyond the syllabus's pictures: states and directions ---
register("return_state", extras=("any_length",))
register("bidirectional", extras=("any_length",))
