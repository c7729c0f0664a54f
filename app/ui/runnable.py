"""The code behind a picture: the topology's own build(), wrapped so that it runs as it is.

Like Streamlit's "show the code", the page shows the very function that built the drawn model,
with the Config it was called with and a dummy batch of the measured input shape.
"""

from __future__ import annotations

import inspect

from topologies.catalogue import CATALOGUE
from topologies.config import Config


def runnable_code(topology_id: str, config: Config, first_input_shape: tuple, integer_input: bool) -> str:
    """The exact function that built the drawn model, wrapped so it runs as it is."""
    module = CATALOGUE[topology_id].module
    settings = ", ".join(f"{name}={value!r}" for name, value in config.to_dict().items())
    dummy = (
        f"np.random.randint(0, config.vocab, size={tuple(first_input_shape)})"
        if integer_input
        else f"np.random.rand(*{tuple(first_input_shape)}).astype('float32')"
    )
    return "\n".join(
        [
            "import keras",
            "import numpy as np",
            "from keras import layers",
            "from types import SimpleNamespace",
            "",
            f"config = SimpleNamespace({settings})",
            "",
            "",
            inspect.getsource(module.build).rstrip(),
            "",
            "",
            "model = build(config)",
            "model.summary()",
            f"outputs = model({dummy})",
            "for tensor in keras.tree.flatten(outputs):",
            "    print(tuple(tensor.shape))",
            "",
        ]
    )


def stack_code(stack, input_shape: tuple, dtype: str, batch: int, fixed_batch: int | None) -> str:
    """A user's stack as a Keras 3 script that builds it and prints the shapes it hands on."""

    def keras_code(call) -> str:
        parts = [keras_code(call.inner)] if call.inner else []
        parts += [repr(value) for value in call.args] + [f"{key}={value!r}" for key, value in call.keywords]
        return f"layers.{call.name}({', '.join(parts)})"

    batch_size = f", batch_size={fixed_batch}" if fixed_batch else ""
    run_shape = (fixed_batch or batch, *(5 if size is None else size for size in input_shape))
    dummy = (
        f"np.random.randint(0, 2, size={run_shape})"
        if dtype == "int32"
        else f"np.random.rand(*{run_shape}).astype('float32')"
    )
    return "\n".join(
        [
            "import keras",
            "import numpy as np",
            "from keras import layers",
            "",
            f"inputs = keras.Input(shape={tuple(input_shape)}{batch_size}, dtype={dtype!r})",
            "x = inputs",
            *(f"x = {keras_code(call)}(x)" for call in stack.layers),
            "model = keras.Model(inputs, x)",
            "model.summary()",
            f"outputs = model({dummy})",
            "for tensor in keras.tree.flatten(outputs):",
            "    print(tuple(tensor.shape))",
            "",
        ]
    )
