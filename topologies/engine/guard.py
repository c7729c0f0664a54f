"""One model at a time: the lock every Keras build and run takes, and the guard on clear_session.

Keras numbers layers from a process-wide counter and `clear_session()` resets global state, and
Streamlit runs each browser session in a thread of its own, so the engine builds and runs one
model at a time under `KERAS_LOCK`. It is re-entrant, because a trace holds it for the whole run
and each recorded call takes it too (a step-through view makes its calls one at a time, outside
any trace).

Importing this module changes nothing. A process in which something else may call
`clear_session()` from another thread (a Streamlit server does, after every script run) calls
`install_clear_session_guard()` once at start-up; there, a bare clear_session() no longer
collects garbage (see the function).
"""

from __future__ import annotations

import threading

from topologies.engine.backend import load_keras

KERAS_LOCK = threading.RLock()


def install_clear_session_guard() -> None:
    """Make every keras.backend.clear_session(), ours or Streamlit's, wait for KERAS_LOCK, and
    make a bare call skip the full garbage collection.

    Streamlit calls it bare after every script run of every session, from that session's thread
    (streamlit/runtime/scriptrunner/script_runner.py, _clean_problem_modules). Clearing while
    another thread builds a model makes Keras count a stateful layer's state as weights, hence
    the lock.

    Keras's clear_session() then runs gc.collect(), and in a process holding TensorFlow a full
    collection walks its ~350,000 objects: 0.2-0.3 s on 2 cores, with the interpreter held, so
    every other session's run waited too. That was two thirds of a slider change's server time.
    Streamlit's own state reset is what it asks for and still happens; the collection is left to
    Python's collector, which runs when enough new objects pile up. A caller that wants it asks
    for it: topologies.engine.run.clear_keras() passes free_memory=True. Installing twice is harmless.
    """
    keras = load_keras()
    original = keras.backend.clear_session
    if getattr(original, "waits_for_keras_lock", False):
        return

    def clear_session_under_the_lock(free_memory: bool = False):
        with KERAS_LOCK:
            return original(free_memory=free_memory)

    clear_session_under_the_lock.waits_for_keras_lock = True
    keras.backend.clear_session = clear_session_under_the_lock
    keras.utils.clear_session = clear_session_under_the_lock
