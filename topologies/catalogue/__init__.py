"""The catalogue: one entry per topology, in the order the syllabus teaches them.

Read it as a table of contents. Each entry names a module of its own (`topologies/catalogue/<id>.py`,
holding `build(config)` and a docstring with the concept, as `topologies.contract` describes),
says in one line what it teaches, and lists the Config extras it reads. The modules are imported
only when a topology is built or its concept is shown, so `python -m topologies list` and the
app's sidebar start without TensorFlow.
"""

from __future__ import annotations

from topologies.contract import Topology

CATALOGUE: dict[str, Topology] = {}


def register(topology_id: str, summary: str, extras: tuple[str, ...] = (), **defaults) -> None:
    if topology_id in CATALOGUE:
        raise ValueError(f"topology {topology_id!r} is registered twice")
    CATALOGUE[topology_id] = Topology(topology_id, summary, extras, tuple(defaults.items()))


# --- one layer, three ways to hand on its steps ---
register(
    "many_to_many",
    "An output at every step: return_sequences=True gives (batch, steps, units).",
    extras=("any_length",),
)
register(
    "many_to_one",
    "Only the last step is handed on: return_sequences=False gives (batch, units).",
    extras=("any_length",),
)
register(
    "one_to_many_repeat",
    "One vector in, a sequence out: RepeatVector copies the input to every step.",
)
register(
    "one_to_many_stateful",
    "Feed each output back as the next input, one stateful call per step (units = features).",
    units=2,  # = features
)

# --- stateful=True: sequences that continue across calls ---
register(
    "stateful_batches",
    "A sequence fed in consecutive pieces: stateful=True carries the state from batch to batch.",
    extras=("chunks",),
)
register(
    "forecast_stateful",
    "Train on next-step targets, prime on the known part, then feed each forecast back.",
    extras=("horizon",),
)

# --- from a long series to (samples, steps, features) ---
register(
    "sliding_windows",
    "Cut one long series into overlapping windows, each an independent sequence: (windows, steps, features).",
)

# --- several layers ---
register(
    "stacked",
    "Layers on layers: all but the last return sequences so the next has steps to read.",
    extras=("depth", "any_length"),
)
register(
    "autoencoder",
    "Many-to-one encoder, then RepeatVector one-to-many decoder: output shape = input shape.",
    extras=("depth",),
)
register(
    "time_distributed",
    "The same Dense layer at every step: TimeDistributed gives (batch, steps, dense).",
    extras=("dense", "any_length"),
)
register(
    "text_generator",
    "Token ids -> Embedding -> two recurrent layers -> a softmax over the vocabulary per step.",
    extras=("vocab", "any_length"),
)

# --- beyond the syllabus's pictures: states and directions ---
register(
    "return_state",
    "The outputs plus the final states: LSTM hands on (sequence, h, c), GRU and SimpleRNN (sequence, h).",
    extras=("any_length",),
)
register(
    "bidirectional",
    "A forward and a backward layer, both reading x_t, joined: (batch, steps, 2 x units).",
    extras=("merge_mode", "any_length"),
)

# --- Functional graphs: two inputs, and one cell called step by step ---
register(
    "seq2seq",
    "An encoder's final state starts a decoder: many to many with different lengths, (batch, target_steps, features).",
    extras=("target_steps",),
)
register(
    "cell_loop",
    "One cell called once per step in a Functional graph, its output and state handed back to itself.",
    units=2,  # = features
)
