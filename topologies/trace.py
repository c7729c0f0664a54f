"""Build a topology's real Keras model, run dummy data through it, and record every tensor.

`trace(topology_id, config) -> Trace` is the only way shapes reach the app and the CLI. Nothing
in a Trace is computed from a formula: every shape is `array.shape` of a tensor that came out
of a real run. A Trace holds plain Python data only (tuples, ints, floats, strings), so it can
be cached, sent to the browser or written as JSON, and no Keras object escapes this module.

How a run is recorded: an *observer* is a second Functional model over the same graph whose
outputs are every layer's inputs and outputs. It shares the layers, so running it is running the
model, and one pass yields every intermediate tensor. A nested model (the autoencoder's encoder)
gets an observer of its own, run on the input the outer pass recorded for it.
"""

from __future__ import annotations

import dataclasses
import random
import threading

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from topologies.catalogue import CATALOGUE
from topologies.config import Config, ConfigError
from topologies.records import Axes, CallRecord, Facts, LayerActivity, LayerRecord, Shape, Trace, symbolic  # noqa: F401

# Numbers kept per vector of sample 0, for the picture's hover: enough to see, small to send.
VALUE_WIDTH = 8
# Eager Keras costs about 4 ms per time step here, a compiled function about 150 ms once and
# then a fraction of that: past this many steps through one callable, compile it.
EAGER_STEP_LIMIT = 32
# Keras numbers layers from a process-wide counter and clear_session() resets global state,
# and Streamlit runs each browser session in its own thread: build and run one model at a time.
# Re-entrant, because a trace holds it for the whole run and each recorded call takes it too
# (a step-through view makes its calls one at a time, outside any trace).
KERAS_LOCK = threading.RLock()


def _clear_session_under_the_lock(*args, _clear_session=keras.backend.clear_session, **keywords):
    """Streamlit calls keras.backend.clear_session() after every script run of every session,
    from that session's thread (streamlit/runtime/scriptrunner/script_runner.py,
    _clean_problem_modules). Clearing while another thread builds a model makes Keras count a
    stateful layer's state as weights. So every clear, ours or Streamlit's, waits for the lock."""
    with KERAS_LOCK:
        return _clear_session(*args, **keywords)


keras.backend.clear_session = _clear_session_under_the_lock
keras.utils.clear_session = _clear_session_under_the_lock
# Every model built leaves a little behind in Keras's global state (about 0.4 MB); clearing it
# now and then keeps a long-running server flat without paying clear_session() on every trace.
_TRACES_BETWEEN_CLEARS = 200
_traces_since_clear = 0

RECURRENT_CLASSES = ("LSTM", "GRU", "SimpleRNN")


def trace(topology_id: str, config: Config, **options) -> Trace:
    """Build `topology_id` for `config`, run it on seeded dummy data, and record every tensor.

    `options` go to a multi-call topology's `calls()`: the labs use them to break what the
    topology demonstrates (`shuffle=True` for stateful_batches, say) and measure the damage.
    """
    runner = start(topology_id, config)
    with KERAS_LOCK:
        if not runner.topology.is_multi_call:
            runner.call("run", runner.dummy_inputs())
            return runner.snapshot()
        events = runner.topology.module.calls(runner.model, config, runner, **options)
        while True:
            try:
                next(events)
            except StopIteration as finished:
                return runner.snapshot(finished.value or {})


def start(topology_id: str, config: Config) -> Runner:
    """Check the request, build the model, and hand back a Runner ready for its first call."""
    if topology_id not in CATALOGUE:
        raise ConfigError(f"topology is {topology_id!r}, but it must be one of {', '.join(CATALOGUE)}.")
    if not isinstance(config, Config):
        raise ConfigError(f"config is {config!r}, but it must be a topologies.Config.")
    topology = CATALOGUE[topology_id]
    topology.check(config)
    with KERAS_LOCK:
        _clear_keras_now_and_then()
        return Runner(topology_id, _build_seeded(topology.module.build, config), config)


def _build_seeded(build, config: Config) -> keras.Model:
    """Same request, same weights, same numbers: a shared link shows what its author saw.

    A Keras initializer without a seed draws one from Python's `random`, so seeding that for
    the build is enough. keras.utils.set_random_seed would also reseed TensorFlow, which
    throws away its cached kernels and makes every later eager op slower; and the caller's
    own `random` state is put back afterwards.
    """
    saved = random.getstate()
    random.seed(0)
    try:
        return build(config)
    finally:
        random.setstate(saved)


def _clear_keras_now_and_then() -> None:
    global _traces_since_clear
    _traces_since_clear += 1
    if _traces_since_clear >= _TRACES_BETWEEN_CLEARS:
        keras.backend.clear_session()
        _traces_since_clear = 0


class Runner:
    """Runs one model for a topology and records each call. Topology modules drive it:

    runner.reset()                       # reset every stateful layer before the next call
    outputs = runner.call("batch 1", x)  # run and record; returns the model's outputs
    runner.run_unrecorded(twin, x)       # run another model without recording it
    runner.snapshot()                    # everything recorded so far, as a Trace
    """

    def __init__(self, topology_id: str, model: keras.Model, config: Config):
        self.topology = CATALOGUE[topology_id]
        self.model = model
        self.config = config
        self.calls: list[CallRecord] = []
        self.reset_pending = False
        self._random = np.random.default_rng(0)
        self._observer = _Observer(model)

    def random(self, shape: Shape) -> np.ndarray:
        """Seeded standard-normal dummy data, float32."""
        return self._random.standard_normal(shape).astype("float32")

    def dummy_inputs(self) -> list[np.ndarray]:
        """One array per model input, with None sizes filled in from the config."""
        arrays = []
        for tensor in self.model.inputs:
            batch, *rest = tensor.shape
            shape = (batch or self.config.batch, *(size or self.config.steps for size in rest))
            if "int" in str(tensor.dtype):
                arrays.append(self._random.integers(0, self.config.vocab, shape).astype("int32"))
            else:
                arrays.append(self.random(shape))
        return arrays

    def reset(self) -> None:
        with KERAS_LOCK:
            for layer in _stateful_layers(self.model):
                layer.reset_states()
        self.reset_pending = True

    def call(self, label: str, inputs: np.ndarray | list[np.ndarray]) -> list[np.ndarray]:
        """Run the model once on `inputs`, record every layer, and return the model's outputs."""
        inputs = inputs if isinstance(inputs, list) else [inputs]
        input_axes = [_model_input_axes(array) for array in inputs]
        with KERAS_LOCK:
            initial_states = {layer.name: _sample_zero_state(layer) for layer in _stateful_layers(self.model)}
            observation = self._observer.observe(inputs, input_axes, initial_states)
        self.calls.append(
            CallRecord(
                label=label,
                input_shapes=tuple(tuple(array.shape) for array in inputs),
                output_shapes=tuple(tuple(array.shape) for array in observation.outputs),
                reset_before=self.reset_pending,
                layers=tuple(observation.activities),
                input_axes=tuple(input_axes),
                output_axes=tuple(observation.output_axes),
            )
        )
        self.reset_pending = False
        return observation.outputs

    def run_unrecorded(self, model: keras.Model, inputs: np.ndarray) -> list[np.ndarray]:
        with KERAS_LOCK:
            return _as_arrays(_Executor(model)(inputs))

    def snapshot(self, facts: dict | None = None) -> Trace:
        return Trace(
            topology=self.topology.id,
            config=self.config,
            layers=tuple(_layer_records(self.model)),
            calls=tuple(self.calls),
            reset_after=self.reset_pending,
            facts=Facts(**(facts or {})),
        )


class _Executor:
    """Calls a Keras model or layer eagerly, switching to a compiled function once it has run
    more than EAGER_STEP_LIMIT steps: the same numbers either way, whichever is cheaper."""

    def __init__(self, function):
        self._function = function
        self._compiled = None
        self._steps_run = 0

    def __call__(self, inputs, **keywords):
        first = keras.tree.flatten(inputs)[0]
        self._steps_run += first.shape[1] if first.ndim > 1 else 1
        if self._steps_run <= EAGER_STEP_LIMIT:
            return self._function(inputs, **keywords)
        if self._compiled is None:
            self._compiled = tf.function(self._function, reduce_retracing=True)
        return self._compiled(inputs, **keywords)


class _Observer:
    """Runs a model so that every layer's inputs and outputs come back, not only the model's.

    A model with no nested models runs once as an observer model whose outputs are all its
    tensors. A model that holds models (the autoencoder) runs one top-level layer at a time
    instead, each nested model through its own observer, so that no layer runs twice.
    """

    def __init__(self, model: keras.Model):
        self.model = model
        self.layers = [layer for layer in model.layers if not isinstance(layer, layers.InputLayer)]
        tensors: list = []
        position: dict[int, int] = {}

        def positions_of(structure) -> list[int]:
            indices = []
            for tensor in keras.tree.flatten(structure):
                if id(tensor) not in position:
                    position[id(tensor)] = len(tensors)
                    tensors.append(tensor)
                indices.append(position[id(tensor)])
            return indices

        # A layer's last inbound node is its call in this graph; `layer.input` would give a
        # nested model's own input tensor instead of the tensor this graph feeds it.
        nodes = {layer.name: layer._inbound_nodes[-1] for layer in self.layers}
        self.input_positions = {name: positions_of(node.input_tensors) for name, node in nodes.items()}
        self.output_positions = {name: positions_of(node.output_tensors) for name, node in nodes.items()}
        self.model_input_positions = positions_of(model.inputs)
        self.model_output_positions = positions_of(model.outputs)
        self.nested = {layer.name: _Observer(layer) for layer in self.layers if isinstance(layer, keras.Model)}
        if self.nested:
            self._layer_runs = {layer.name: _Executor(layer) for layer in self.layers}
        else:
            self._run = _Executor(keras.Model(model.inputs, tensors, name=f"{model.name}_observer"))

    def observe(self, inputs: list[np.ndarray], input_axes: list[Axes], initial_states: dict) -> Observation:
        """Run once; return the model's outputs and one LayerActivity per layer, nested included.

        Axis names travel through the graph the way shapes do: each layer names its output
        axes from its kind and the names of its input axes.
        """
        if self.nested:
            arrays = dict(zip(self.model_input_positions, inputs))
        else:
            arrays = dict(enumerate(_as_arrays(self._run(inputs))))
        axes: dict[int, Axes] = dict(zip(self.model_input_positions, input_axes))
        activities = []
        for layer in self.layers:
            layer_inputs = [arrays[i] for i in self.input_positions[layer.name]]
            layer_input_axes = [axes[i] for i in self.input_positions[layer.name]]
            nested: list[LayerActivity] = []
            if layer.name in self.nested:
                inner = self.nested[layer.name].observe(layer_inputs, layer_input_axes, initial_states)
                arrays.update(zip(self.output_positions[layer.name], inner.outputs))
                layer_output_axes = inner.output_axes
                nested = inner.activities
            else:
                if self.nested:
                    single = layer_inputs[0] if len(layer_inputs) == 1 else layer_inputs
                    arrays.update(
                        zip(self.output_positions[layer.name], _as_arrays(self._layer_runs[layer.name](single)))
                    )
                layer_output_axes = _output_axes(layer, layer_input_axes, len(self.output_positions[layer.name]))
            layer_outputs = [arrays[i] for i in self.output_positions[layer.name]]
            axes.update(zip(self.output_positions[layer.name], layer_output_axes))
            activities.append(
                _activity(
                    layer,
                    layer_inputs,
                    layer_outputs,
                    initial_states.get(layer.name),
                    layer_input_axes,
                    layer_output_axes,
                )
            )
            activities.extend(nested)
        return Observation(
            outputs=[arrays[i] for i in self.model_output_positions],
            output_axes=[axes[i] for i in self.model_output_positions],
            activities=activities,
        )


@dataclasses.dataclass
class Observation:
    outputs: list[np.ndarray]
    output_axes: list[Axes]
    activities: list[LayerActivity]


def _as_arrays(outputs) -> list[np.ndarray]:
    return [np.asarray(tensor) for tensor in keras.tree.flatten(outputs)]


def _all_layers(model: keras.Model, parent: str | None = None):
    """Every layer with the name of the model holding it, depth first, inputs left out."""
    for layer in model.layers:
        if isinstance(layer, layers.InputLayer):
            continue
        yield layer, parent
        if isinstance(layer, keras.Model):
            yield from _all_layers(layer, layer.name)


def _stateful_layers(model: keras.Model) -> list:
    return [layer for layer, _ in _all_layers(model) if getattr(layer, "stateful", False)]


def _sample_zero_state(layer) -> list[np.ndarray] | None:
    """The state a stateful layer holds for sample 0 before the next call."""
    if not getattr(layer, "states", None):
        return None
    return [np.asarray(state)[0:1] for state in layer.states]


# ---------------------------------------------------------------- one layer in one call


def _kind(layer) -> str:
    class_name = type(layer).__name__
    if class_name in RECURRENT_CLASSES:
        return "recurrent"
    if isinstance(layer, keras.Model):
        return "model"
    return {
        "Bidirectional": "bidirectional",
        "RepeatVector": "repeat",
        "TimeDistributed": "time_distributed",
        "Dense": "dense",
        "Embedding": "embedding",
        "Activation": "activation",
    }.get(class_name, "other")


def _model_input_axes(array: np.ndarray) -> Axes:
    """Token ids are (batch, steps); a single vector per sequence is (batch, features)."""
    if array.ndim == 3:
        return ("batch", "steps", "features")
    if np.issubdtype(array.dtype, np.integer):
        return ("batch", "steps")
    return ("batch", "features")


def _output_axes(layer, input_axes: list[Axes], count: int) -> list[Axes]:
    """Name the axes of a layer's outputs from its kind and the names of its input axes."""
    kind = _kind(layer)
    # A topology names what a layer's outputs are ("vocab", "features") in the layer's name
    # after "to_"; otherwise they are its units.
    meaning = layer.name.split("to_", 1)[1] if "to_" in layer.name else None
    if kind == "recurrent":
        units = meaning or "units"
        handed_on = ("batch", "steps", units) if layer.return_sequences else ("batch", units)
        return [handed_on] + [("batch", units)] * (count - 1)
    if kind == "bidirectional":
        return [("batch", "steps", "2 x units")]
    if kind == "embedding":
        return [input_axes[0] + ("features",)]
    if kind == "repeat":
        return [(input_axes[0][0], "steps", *input_axes[0][1:])]
    if kind in ("dense", "time_distributed"):
        return [input_axes[0][:-1] + (meaning or "dense",)]
    return list(input_axes[:count])


def _activity(
    layer,
    inputs: list[np.ndarray],
    outputs: list[np.ndarray],
    initial_state,
    input_axes: list[Axes],
    output_axes: list[Axes],
) -> LayerActivity:
    kind = _kind(layer)
    roles = ["y"]
    values = {"x": _sample(inputs[0]), "y": _sample(outputs[0])}
    if kind == "recurrent":
        if layer.return_state:
            roles += ["h", "c"][: len(outputs) - 1]
            # The returned final states: "h_final", and "c_final" for an LSTM.
            values.update({f"{role}_final": _sample(array) for role, array in zip(roles[1:], outputs[1:])})
        # With return_sequences=True the layer's output at step t is h_t itself; otherwise
        # only the last h_t comes out, and the others are recovered by running the layer's
        # own cell (same weights) over sample 0 with every step returned.
        states = outputs[0] if layer.return_sequences else _state_sequence(layer, inputs[0][0:1], initial_state)
        values["h"] = _sample(states)
    if kind == "bidirectional":
        half = outputs[0].shape[-1] // 2
        values["h_forward"] = _sample(outputs[0][..., :half])
        values["h_backward"] = _sample(outputs[0][..., half:])
    return LayerActivity(
        layer=layer.name,
        input_shapes=tuple(tuple(array.shape) for array in inputs),
        output_shapes=tuple(tuple(array.shape) for array in outputs),
        output_roles=tuple(roles) if len(roles) == len(outputs) else ("y",) * len(outputs),
        input_axes=tuple(input_axes),
        output_axes=tuple(output_axes),
        values=values,
    )


def _state_sequence(layer, sample_input: np.ndarray, initial_state) -> np.ndarray:
    """h_t at every step for one sample, from the layer's own cell: (1, steps, units)."""
    probe = layers.RNN(layer.cell, return_sequences=True)
    if initial_state is None:
        return np.asarray(_Executor(probe)(sample_input))
    return np.asarray(_Executor(probe)(sample_input, initial_state=initial_state))


def _sample(array: np.ndarray) -> list:
    """Sample 0, each vector cut to VALUE_WIDTH numbers and rounded: small enough to hover."""
    first = np.asarray(array)[0]
    if first.ndim == 0:
        return [round(float(first), 4)]
    return np.round(first[..., :VALUE_WIDTH].astype("float64"), 4).tolist()


# ---------------------------------------------------------------- what a layer is


def _layer_records(model: keras.Model) -> list[LayerRecord]:
    return [
        LayerRecord(
            name=layer.name,
            class_name=type(layer).__name__,
            kind=_kind(layer),
            code=_code(layer),
            parent=parent,
            settings=_settings(layer),
            params=int(layer.count_params()),
            formula=_formula(layer),
        )
        for layer, parent in _all_layers(model)
    ]


def _settings(layer) -> dict:
    kind = _kind(layer)
    if kind == "recurrent":
        return {
            "cell": type(layer).__name__,
            "units": int(layer.units),
            "return_sequences": bool(layer.return_sequences),
            "return_state": bool(layer.return_state),
            "stateful": bool(layer.stateful),
        }
    if kind == "bidirectional":
        return {**_settings(layer.forward_layer), "merge_mode": layer.merge_mode}
    if kind == "time_distributed":
        return {"inner": _code(layer.layer)}
    if kind == "dense":
        return {"units": int(layer.units)}
    if kind == "repeat":
        return {"steps": int(layer.n)}
    if kind == "embedding":
        return {"vocab": int(layer.input_dim), "features": int(layer.output_dim)}
    if kind == "activation":
        return {"activation": layer.activation.__name__}
    return {}


def _code(layer) -> str:
    kind = _kind(layer)
    if kind == "recurrent":
        flags = [name for name in ("return_sequences", "return_state", "stateful") if getattr(layer, name)]
        return f"{type(layer).__name__}({', '.join([str(layer.units)] + [f'{flag}=True' for flag in flags])})"
    if kind == "bidirectional":
        return f"Bidirectional({_code(layer.forward_layer)})"
    if kind == "time_distributed":
        return f"TimeDistributed({_code(layer.layer)})"
    if kind == "dense":
        return f"Dense({layer.units})"
    if kind == "repeat":
        return f"RepeatVector({layer.n})"
    if kind == "embedding":
        return f"Embedding({layer.input_dim}, {layer.output_dim})"
    if kind == "activation":
        return f'Activation("{layer.activation.__name__}")'
    if kind == "model":
        return f'Model(name="{layer.name}")'
    return type(layer).__name__


def _input_width(layer) -> int:
    return int(layer.input.shape[-1]) if not isinstance(layer.input, list) else int(layer.input[0].shape[-1])


def _formula(layer) -> str:
    """The textbook count of a layer's weights, written out with this layer's numbers."""
    kind = _kind(layer)
    if kind == "recurrent":
        return _recurrent_formula(type(layer).__name__, int(layer.units), _input_width(layer))
    if kind == "bidirectional":
        inner = layer.forward_layer
        one = _recurrent_formula(type(inner).__name__, int(inner.units), _input_width(layer))
        return f"2 x [{one}] = {2 * _recurrent_count(type(inner).__name__, int(inner.units), _input_width(layer))}"
    if kind == "time_distributed":
        return f"{_dense_formula(int(layer.layer.units), _input_width(layer))}, once for every step"
    if kind == "dense":
        return _dense_formula(int(layer.units), _input_width(layer))
    if kind == "embedding":
        return f"vocab x features = {layer.input_dim} x {layer.output_dim} = {layer.input_dim * layer.output_dim}"
    if kind == "model":
        return f"sum of its layers = {layer.count_params()}"
    return "no weights = 0"


def _recurrent_count(cell: str, units: int, inputs: int) -> int:
    gates, biases = {"LSTM": (4, 1), "GRU": (3, 2), "SimpleRNN": (1, 1)}[cell]
    return gates * units * (inputs + units + biases)


def _recurrent_formula(cell: str, units: int, inputs: int) -> str:
    total = _recurrent_count(cell, units, inputs)
    if cell == "LSTM":
        return f"4 x units x (inputs + units + 1) = 4 x {units} x ({inputs} + {units} + 1) = {total}"
    if cell == "GRU":
        return f"3 x units x (inputs + units + 2) = 3 x {units} x ({inputs} + {units} + 2) = {total}"
    return f"units x (inputs + units + 1) = {units} x ({inputs} + {units} + 1) = {total}"


def _dense_formula(units: int, inputs: int) -> str:
    return f"units x (inputs + 1) = {units} x ({inputs} + 1) = {units * (inputs + 1)}"
