"""Every recurrent topology of the syllabus, built as a real Keras model and traced on dummy data.

    from topologies import CATALOGUE, Config, trace
    result = trace("many_to_one", Config(batch=32, steps=10, features=8, units=4))
    result.output_shapes      # ((32, 4),)

How a request becomes a Trace, folder by folder:

    config.py            Config(batch=32, ...) is checked the moment it is made (each field's range)
    catalogue/           CATALOGUE["many_to_one"] is a Topology (contract.py): id, summary, extras;
                         catalogue/<id>.py: check(config), build(config) -> keras.Model, and for
                         the stateful ones a calls(...) protocol that yields an Event per call
    own/                 a user's model: a typed stack (stack.py, parsed, never evaluated), its
                         build (model.py), or a .keras file read with limits (keras_file.py)
    engine/run.py        start() checks, builds with seeded weights, and hands back a Runner
    engine/observe.py    each runner.call() runs an observer model: every layer's tensors in one pass
    layer_kinds.py       one table says what each kind of layer is: code, settings, formula, axes
    engine/stepper.py    a Stepper runs the protocol an event at a time; engine/tracing.py to the end
    records.py           what comes out: a Trace of plain frozen records, no Keras (to_dict/from_dict)

The top-level modules are plain data and load no Keras; engine/ and own/model.py do.

Importing this package is cheap: `trace` (and with it TensorFlow) loads on first use.
"""

from topologies.catalogue import CATALOGUE
from topologies.config import CELLS, LIMITS, MERGE_MODES, Config, ConfigError, parse_config
from topologies.contract import Event, Topology
from topologies.records import Facts, Trace

__all__ = [
    "CATALOGUE",
    "CELLS",
    "LIMITS",
    "MERGE_MODES",
    "Config",
    "ConfigError",
    "Event",
    "Facts",
    "Topology",
    "Trace",
    "parse_config",
    "trace",
]


def __getattr__(name: str):
    """`trace` imports Keras, so it is handed on only when asked for (and then kept)."""
    if name == "trace":
        from topologies.engine.backend import load_keras

        load_keras()
        from topologies.engine.tracing import trace

        globals()["trace"] = trace
        return trace
    raise AttributeError(f"module 'topologies' has no attribute {name!r}")
