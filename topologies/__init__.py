"""Every recurrent topology of the syllabus, built as a real Keras model and traced on dummy data.

    from topologies import CATALOGUE, Config, trace
    result = trace("many_to_one", Config(batch=32, steps=10, features=8, units=4))
    result.output_shapes      # ((32, 4),)

`CATALOGUE` is the table of contents: one entry per topology, in teaching order. Each entry's
module holds `build(config) -> keras.Model` and a docstring stating the concept it teaches.
"""

import contextlib
import os

# The traces rely on TensorFlow's compiled functions; pin the backend before Keras loads.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@contextlib.contextmanager
def _native_stderr_silenced():
    """TensorFlow's C++ start-up prints notes ("Could not find cuda drivers") straight to file
    descriptor 2, whatever TF_CPP_MIN_LOG_LEVEL says. The CLI promises one line on stderr for
    bad input, so the descriptor points at /dev/null while TensorFlow loads."""
    saved = os.dup(2)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


with _native_stderr_silenced():
    import keras  # noqa: F401

from topologies.catalogue import CATALOGUE, Topology  # noqa: E402
from topologies.config import CELLS, LIMITS, Config, ConfigError, parse_config  # noqa: E402
from topologies.trace import Trace, trace  # noqa: E402

__all__ = ["CATALOGUE", "CELLS", "LIMITS", "Config", "ConfigError", "Topology", "Trace", "parse_config", "trace"]
