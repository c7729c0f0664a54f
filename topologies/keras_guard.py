"""One model at a time: the lock every Keras build and run takes, and the guard on clear_session.

Keras numbers layers from a process-wide counter and `clear_session()` resets global state, and
Streamlit runs each browser session in a thread of its own, so the engine builds and runs one
model at a time under `KERAS_LOCK`. It is re-entrant, because a trace holds it for the whole run
and each recorded call takes it too (a step-through view makes its calls one at a time, outside
any trace).

Importing this module changes nothing. A process in which something else may call
`clear_session()` from another thread (a Streamlit server does, after every script run) calls
`install_clear_session_guard()` once at start-up.
"""

from __future__ import annotations

import threading

from topologies.backend import load_keras

KERAS_LOCK = threading.RLock()


def install_clear_session_guard() -> None:
    """Make every keras.backend.clear_session(), ours or Streamlit's, wait for KERAS_LOCK.

    Streamlit calls it after every script run of every session, from that session's thread
    (streamlit/runtime/scriptrunner/script_runner.py, _clean_problem_modules). Clearing while
    another thread builds a model makes Keras count a stateful layer's state as weights.
    Installing twice is harmless.
    """
    keras = load_keras()
    original = keras.backend.clear_session
    if getattr(original, "waits_for_keras_lock", False):
        return

    def clear_session_under_the_lock(*args, **keywords):
        with KERAS_LOCK:
            return original(*args, **keywords)

    clear_session_under_the_lock.waits_for_keras_lock = True
    keras.backend.clear_session = clear_session_under_the_lock
    keras.utils.clear_session = clear_session_under_the_lock
