"""Keras on TensorFlow, loaded once and quietly, only when something needs it.

Importing `topologies` costs nothing: the records, the config and the catalogue's table of
contents are plain Python. A model is built only after `load_keras()`, which the catalogue calls
before it imports a topology module and the engine calls before it builds.
"""

import contextlib
import os
import threading

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


_LOADING = threading.Lock()  # one thread imports Keras; the others wait for the whole module
_keras = None


def load_keras():
    """Import Keras (and TensorFlow under it) with the start-up notes silenced; return keras.

    Safe from many threads at once: a Streamlit server runs each browser session in a thread of
    its own, and a class opening one link together on a fresh server calls this from all of
    them. Keras is in sys.modules from the moment its import starts, long before it is complete,
    so only the thread that finished the import may hand it on."""
    global _keras
    if _keras is None:
        with _LOADING:
            if _keras is None:
                with _native_stderr_silenced():
                    import keras
                _keras = keras
    return _keras
