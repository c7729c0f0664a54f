"""The two sides of every time ratio: what the app does, and bare Keras doing the same model."""

from __future__ import annotations

import dataclasses
import time

import keras
import numpy as np

from app.diagram import draw
from topologies import CATALOGUE, Config, Trace, trace
from topologies.engine import shelf


def elapsed(function, *arguments):
    """Call `function(*arguments)`; return its result and the seconds it took."""
    start = time.perf_counter()
    result = function(*arguments)
    return result, time.perf_counter() - start


@dataclasses.dataclass(frozen=True)
class AppRun:
    """One fresh trace and its drawing, as the app makes them for a config it has not seen."""

    trace: Trace
    figure: object  # plotly.graph_objects.Figure
    trace_seconds: float
    draw_seconds: float

    @property
    def seconds(self) -> float:
        return self.trace_seconds + self.draw_seconds


@dataclasses.dataclass(frozen=True)
class KerasRun:
    """Bare Keras: build the model, then one more step (one call, or plot_model)."""

    build_seconds: float
    use_seconds: float

    @property
    def seconds(self) -> float:
        return self.build_seconds + self.use_seconds


def trace_and_draw(topology_id: str, config: Config, reuse: bool = False) -> AppRun:
    """Trace the topology for the config, then draw the trace, timing each: the app's path, uncached.

    A fresh trace builds its model (the shelf is emptied first); with `reuse`, a model kept from an
    earlier request that differed only in batch serves, as in a worker (topologies.engine.shelf)."""
    if not reuse:
        shelf.empty()
    result, trace_seconds = elapsed(trace, topology_id, config)
    figure, draw_seconds = elapsed(draw, result)
    return AppRun(result, figure, trace_seconds, draw_seconds)


def build_and_call(topology_id: str, config: Config, input_shapes=None) -> KerasRun:
    """Build the topology's model and call it once on zeros of `input_shapes` (a trace's first
    call); without them, of the model's own input shapes, None read as the config's batch or steps."""
    model, build_seconds = elapsed(CATALOGUE[topology_id].module.build, config)
    if input_shapes is None:
        input_shapes = [
            (batch or config.batch, *(size or config.steps for size in rest))
            for batch, *rest in (tensor.shape for tensor in model.inputs)
        ]
    inputs = [np.zeros(shape, dtype=tensor.dtype) for shape, tensor in zip(input_shapes, model.inputs)]
    _, call_seconds = elapsed(model, inputs[0] if len(inputs) == 1 else inputs)
    return KerasRun(build_seconds, call_seconds)


def build_and_plot(topology_id: str, config: Config, to_file: str) -> KerasRun:
    """Build the topology's model and draw it with keras.utils.plot_model, shapes shown."""
    model, build_seconds = elapsed(CATALOGUE[topology_id].module.build, config)
    start = time.perf_counter()
    keras.utils.plot_model(model, to_file=to_file, show_shapes=True)
    return KerasRun(build_seconds, time.perf_counter() - start)
