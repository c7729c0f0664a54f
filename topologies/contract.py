"""The topology contract: what a registered topology provides, and what its calls yield.

A topology is a module of its own (`topologies/catalogue/many_to_one.py`, ...) registered in the
catalogue under its id. The catalogue holds a `Topology` spec per id, in the spirit of
Gymnasium's `EnvSpec`: the id, a one-line summary, the Config extras it reads, and the module,
imported only when something needs it (so listing the catalogue starts no TensorFlow).

The module provides:

    build(config) -> keras.Model          required: the model, with a shape comment on each line
    cost(config) -> Cost                  required: what a run will cost, from the sizes alone
                                          (topologies/cost.py): checked against the limit before
                                          anything is built, and read by the server to choose a lane
    check(config) -> None                 optional: raise ConfigError for sizes it cannot build
    calls(model, config, runner, **options) -> Iterator[Event], returning Facts
                                          optional: a protocol of several calls (stateful
                                          topologies); without it, the model is called once
    LAST_AXIS = {"to_vocab": "vocab"}     optional: what the last axis of a layer's output means,
                                          where it is not the layer's units (see layer_kinds)
    STEPS_INPUTS = ("x",)                 optional: the Inputs whose axis 1 is config.steps, given
                                          when build reads steps nowhere else; a model kept for
                                          other steps is then re-graphed, not built (topologies.engine.shelf)
    event_count(config, **options) -> int
                                          with calls: how many events it yields, so a step-through
                                          view knows the last one when it comes
    what_ran(trace) -> str                optional: what a multi-call protocol ran, in words and
                                          the run's sizes ("batch 10 · 5 steps fed in 2 calls: 2 + 3")

and a docstring that states the concept it teaches, with a worked example (an indented code
block) and a "Reference:" link; `Topology.concept_markdown` turns it into markdown for a page.

Every topology runs through `calls`, the single-call ones through `single_call` below, so a
trace is "run the events to the end" and a step-through view is "run them one click at a time".
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import itertools
import re
import textwrap
from collections.abc import Iterator
from types import ModuleType
from typing import Literal

from topologies import cost
from topologies.config import Config, ConfigError
from topologies.records import Facts, Trace


@dataclasses.dataclass(frozen=True)
class Event:
    """One step of a topology's protocol, yielded by `calls` after it happened."""

    kind: Literal["call", "epoch"]  # the model was called once and recorded | one epoch of training
    label: str  # the call's label ("batch 2", "step 7") or "epoch 3"
    loss: float | None = None  # after an epoch: the training loss


# A user's model states no cost of its own, as a catalogue topology does (topologies/cost.py), so
# its sizes are held to a rough budget instead: batch x steps x units x (units + features), about
# the multiply-adds of one recurrent layer over the batch. A compiled LSTM runs some 2e9 of them a
# second here; with a stack's own checks (topologies/own/model.py) it keeps a run near one second.
OWN_MODEL_BUDGET = 500_000_000


def recurrent_work(config: Config) -> int:
    """batch x steps x units x (units + features): roughly the multiply-adds of one recurrent layer
    over the whole batch, what OWN_MODEL_BUDGET counts."""
    return config.batch * config.steps * config.units * (config.units + config.features)


class OwnModel:
    """A user's own model (a typed stack, a saved file) as the engine sees a topology: called once
    on dummy data, with no extras and no protocol. Subclasses give `id`, `source`, `build(config)`
    and may refine `check` (calling this one first) and `what_ran`."""

    summary = "Your own model."
    extras: tuple[str, ...] = ()
    defaults: tuple = ()
    has_protocol = False

    @property
    def last_axis(self) -> dict[str, str]:
        return {}

    def default_config(self) -> Config:
        return Config()

    def check(self, config: Config) -> None:
        """Refuse sizes over OWN_MODEL_BUDGET in one sentence, offering the largest batch within it."""
        work = recurrent_work(config)
        if work > OWN_MODEL_BUDGET:
            largest_batch = OWN_MODEL_BUDGET // recurrent_work(dataclasses.replace(config, batch=1))
            raise ConfigError(
                f"batch x steps x units x (units + features) is {work:,}, above the "
                f"budget of {OWN_MODEL_BUDGET:,} that keeps a run near one second; shrink batch, steps or units.",
                fix={"batch": largest_batch} if largest_batch >= 1 else None,
            )

    def calls(self, model, config: Config, runner, **options) -> Iterator[Event]:
        return single_call(model, config, runner)

    def event_count(self, config: Config, **options) -> int:
        return 1

    def what_ran(self, trace: Trace) -> str:
        shape = trace.calls[0].input_shapes[0]
        return f"batch {shape[0]} · steps {shape[1]}" if len(shape) > 1 else f"batch {shape[0]}"


def single_call(model, config: Config, runner) -> Iterator[Event]:
    """The protocol of every single-call topology: one call on seeded dummy data."""
    runner.call("run", runner.dummy_inputs())
    yield Event("call", "run")
    return Facts()


@dataclasses.dataclass(frozen=True)
class Topology:
    """One registered topology: its id, what it teaches in a line, the extras it reads."""

    id: str
    summary: str  # one line, shown in `python -m topologies list` and the sidebar
    extras: tuple[str, ...] = ()  # Config fields beyond the four sizes and the cell
    defaults: tuple[tuple[str, object], ...] = ()  # where its defaults differ from Config's

    def default_config(self) -> Config:
        """Config's defaults, bent where this topology needs it: it always opens on a picture."""
        return Config(**dict(self.defaults))

    @functools.cached_property
    def module(self) -> ModuleType:
        """The module that builds it, imported on first use (it imports Keras)."""
        from topologies.engine.backend import load_keras

        load_keras()
        return importlib.import_module(f"topologies.catalogue.{self.id}")

    @property
    def concept(self) -> str:
        """The module docstring: the idea this topology teaches, with a worked example."""
        return self.module.__doc__

    @property
    def concept_markdown(self) -> str:
        """The concept as markdown: paragraphs reflowed, the example as a Python code block,
        the reference as a link."""
        return docstring_markdown(self.concept)

    @property
    def has_protocol(self) -> bool:
        """True when the topology runs a protocol of its own (`calls`): several calls in a row (the
        stateful topologies), training, or data of its own (sliding_windows' windows); otherwise
        the model is called once on dummy data."""
        return hasattr(self.module, "calls")

    @property
    def last_axis(self) -> dict[str, str]:
        """Layer name -> what the last axis of its output means, where it is not its units."""
        return getattr(self.module, "LAST_AXIS", {})

    @property
    def steps_inputs(self) -> tuple[str, ...]:
        """The names of the Inputs whose axis 1 is config.steps, where nothing else in the build
        reads steps; empty where a change of steps needs a build (RepeatVector(steps), say)."""
        return getattr(self.module, "STEPS_INPUTS", ())

    def event_count(self, config: Config, **options) -> int:
        """How many events one run of the protocol yields: 1 for a single call."""
        return self.module.event_count(config, **options) if self.has_protocol else 1

    def what_ran(self, trace: Trace) -> str:
        """The run in words, with its measured sizes: the title of the picture and of the table."""
        if hasattr(self.module, "what_ran"):
            return self.module.what_ran(trace)
        shape = trace.calls[0].input_shapes[0]  # (batch, steps, features), (batch, steps) or (batch, features)
        steps = shape[1] if len(shape) == 3 or trace.calls[0].input_axes[0][-1] == "steps" else trace.config.steps
        if trace.config.any_length:
            return f"batch {shape[0]} · steps None (any length), {steps} in this run"
        return f"batch {shape[0]} · steps {steps}"

    def build(self, config: Config):
        return self.module.build(config)

    def calls(self, model, config: Config, runner, **options) -> Iterator[Event]:
        """The events of one trace; `options` break a multi-call protocol on purpose (the labs)."""
        if not self.has_protocol:
            if options:
                raise ConfigError(f"{self.id} runs in a single call and takes no options, not {sorted(options)}.")
            return single_call(model, config, runner)
        return self.module.calls(model, config, runner, **options)

    def check(self, config: Config) -> None:
        """Raise ConfigError for a combination of sizes this topology cannot build."""
        if config.any_length and "any_length" not in self.extras:
            raise ConfigError(
                f"any_length is true, but {self.id} needs a fixed number of steps, so any_length must be false.",
                fix={"any_length": False},
            )
        if hasattr(self.module, "check"):
            self.module.check(config)
        # What the run will cost, from the sizes alone (topologies/cost.py): nothing is built yet.
        cost.check(self.module.cost, config)


def docstring_markdown(docstring: str) -> str:
    """A topology docstring as markdown.

    The docstring's layout is the contract: prose paragraphs separated by blank lines, one
    example block indented by four spaces, and a last paragraph "Reference: <url>".
    """
    blocks: list[str] = []
    paragraphs = inspect.cleandoc(docstring).split("\n\n")
    # Consecutive indented paragraphs are one example with blank lines of its own.
    for is_code, group in itertools.groupby(paragraphs, key=lambda paragraph: paragraph.startswith("    ")):
        if is_code:
            blocks.append("```python\n" + "\n\n".join(textwrap.dedent(part) for part in group) + "\n```")
            continue
        for paragraph in group:
            if paragraph.startswith("Reference: "):
                url = paragraph.removeprefix("Reference: ").strip()
                blocks.append(f"Reference: [{url}]({url})")
            else:
                blocks.append(re.sub(r"\s*\n\s*", " ", paragraph.strip()))
    return "\n\n".join(blocks)
