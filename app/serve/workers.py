"""Traces run in worker processes: one heavy request never stalls the others, and none runs on.

Every browser session is a thread of one Streamlit process, and Keras builds one model at a
time in a process. Run in the server itself, one student's two-second picture would hold up
every other student's, and a run cannot be stopped from another thread. So the pictures are
made in two worker processes, each with its own TensorFlow:

- the **light lane** takes requests the cost estimate (topologies/cost.py) puts under
  HEAVY_SECONDS, which is nearly every slider change: it is never behind a heavy request;
- the **heavy lane** takes the rest, one at a time; at most WAITING_LIMIT wait their turn, and
  one more is told, in one sentence, that the server is busy.

A request still running after DEADLINE_SECONDS, or whose worker grows past MEMORY_LIMIT_MB, is
stopped: its worker is killed and replaced, the request gets one sentence, and the next one is
served. Identical requests arriving together (a class opening the same link) share one run.

    pool().call(function, *arguments, heavy=False)   # function(*arguments), in a worker

`function` must be importable by name (a module-level function); its result and any Refusal it
raises come back pickled, a Refusal with its parts, so the user's text stays marked as quoted.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import sys
import threading
import time
import types

from topologies.config import ConfigError
from topologies.refusal import Refusal, quoted

DEADLINE_SECONDS = 10
MEMORY_LIMIT_MB = 2_000  # a worker's resident memory: about 700 MB of it is TensorFlow itself
WAITING_LIMIT = 4  # requests waiting for the heavy lane; the next one is told to try again
HEAVY_SECONDS = 0.25  # an estimate above this goes to the heavy lane
POLL_SECONDS = 0.02


class ServerBusy(ConfigError):
    """The request was not run, or was stopped: the sentence says why and what to do. A kind of
    ConfigError, since what to change is the sizes: every page already shows one as a sentence."""


STARTUP_SECONDS = 180  # loading TensorFlow, on a busy machine; not counted in a request's deadline


def _serve(connection) -> None:
    """A worker's whole life: load the engine, say so, then run each request it is sent and send
    back what came of it."""
    import topologies.engine.tracing  # noqa: F401 - TensorFlow and Keras, loaded before the first request

    # TensorFlow leaves ~350,000 objects that live as long as the process, and every full garbage
    # collection would walk them all: a 0.2-0.35 s pause on some request now and then. Frozen once
    # the engine is loaded, before any request, they are set aside for good and never walked. Only
    # here, in a process that runs nothing but the engine: in the Streamlit server, which runs
    # Streamlit's own threads and objects too, freezing is not known to be safe, so it is not done.
    gc.freeze()
    connection.send(("ready", None))
    while True:
        try:
            function, arguments = connection.recv()
        except EOFError:  # the server went away
            return
        try:
            answer = ("done", function(*arguments))
        except Refusal as refusal:
            answer = ("refused", refusal)
        except Exception as error:  # anything else is a bug: said in one line, never a traceback
            answer = ("failed", f"{type(error).__name__}: {error}")
        connection.send(answer)


def _resident_megabytes(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (FileNotFoundError, ProcessLookupError):
        return 0.0


class Lane:
    """One worker process and the requests that take turns on it."""

    def __init__(self, name: str, waiting_limit: int | None = None):
        self.name = name
        self.waiting_limit = waiting_limit
        self._turn = threading.Lock()  # one request at a time on this worker
        self._count_lock = threading.Lock()
        self._waiting = 0
        self._process = None
        self._connection = None
        self._ready = False

    def start(self) -> None:
        """Start the worker, if it is not running; it loads TensorFlow on its first request."""
        if self._process is not None and self._process.is_alive():
            return
        context = multiprocessing.get_context("spawn")  # a fork of a process running TensorFlow is unsafe
        self._connection, child_end = context.Pipe()
        self._process = context.Process(target=_serve, args=(child_end,), name=f"rnn-shapes-{self.name}", daemon=True)
        # A spawned process first runs the parent's __main__ module again. Under Streamlit that is
        # the app's own script (app/main.py): a worker must not run the app, so it is not told of it.
        main = sys.modules["__main__"]
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            self._process.start()
        finally:
            sys.modules["__main__"] = main
        child_end.close()
        self._ready = False

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(timeout=5)
        self._process = None

    def call(self, function, arguments: tuple, deadline: float):
        with self._count_lock:
            if self.waiting_limit is not None and self._waiting > self.waiting_limit:
                raise ServerBusy(
                    f"The server is drawing {self._waiting} large pictures already; "
                    "try again in a few seconds, or choose smaller sizes."
                )
            self._waiting += 1
        try:
            with self._turn:
                return self._run(function, arguments, deadline)
        finally:
            with self._count_lock:
                self._waiting -= 1

    def _run(self, function, arguments: tuple, deadline: float):
        self.start()
        if not self._ready:  # a new worker is still loading TensorFlow: its time is not the request's
            self._wait_for_answer(STARTUP_SECONDS, "its worker did not start")
            self._receive()
            self._ready = True
        self._connection.send((function, arguments))
        self._wait_for_answer(deadline, f"it was still running after {deadline:g} s")
        status, payload = self._receive()
        if status == "done":
            return payload
        if status == "refused":
            raise payload
        # A bug: said in one sentence, its text shown as code (it may hold a name from a user's file).
        raise ServerBusy("This picture could not be made, because of an error in RNN shapes: ", quoted(payload), ".")

    def _receive(self):
        """The worker's answer; if it died instead (the pipe closed), it is replaced, and said so."""
        try:
            return self._connection.recv()
        except (EOFError, OSError):
            self.stop()
            raise ServerBusy("This picture was stopped because its worker stopped; try again.") from None

    def _wait_for_answer(self, seconds: float, too_long: str) -> None:
        """Wait for the worker to answer; stop it, and say why in one sentence, if it dies, takes
        longer than `seconds`, or outgrows MEMORY_LIMIT_MB."""
        started = time.monotonic()
        while not self._connection.poll(POLL_SECONDS):
            problem = None
            if not self._process.is_alive():
                problem = "its worker stopped"
            elif time.monotonic() - started > seconds:
                problem = too_long
            elif _resident_megabytes(self._process.pid) > MEMORY_LIMIT_MB:
                problem = f"it used more than {MEMORY_LIMIT_MB:,} MB"
            if problem:
                self.stop()  # the next request starts a fresh worker
                raise ServerBusy(f"This picture was stopped because {problem}; choose smaller sizes and try again.")


class Pool:
    """The two lanes, and the requests now running (identical ones share one run)."""

    def __init__(self):
        self.light = Lane("light")
        self.heavy = Lane("heavy", waiting_limit=WAITING_LIMIT)
        self._running: dict[bytes, _Shared] = {}
        self._running_lock = threading.Lock()

    def start(self) -> None:
        self.light.start()
        self.heavy.start()

    def call(self, function, *arguments, heavy: bool = False, deadline: float = DEADLINE_SECONDS):
        key = pickle.dumps((function, arguments))
        with self._running_lock:
            shared = self._running.get(key)
            leader = shared is None
            if leader:
                shared = self._running[key] = _Shared()
        if not leader:
            return shared.wait()
        try:
            shared.result = (self.heavy if heavy else self.light).call(function, arguments, deadline)
        except BaseException as error:
            shared.error = error
            raise
        finally:
            with self._running_lock:
                del self._running[key]
            shared.done.set()
        return shared.result


class _Shared:
    """One run that several identical requests wait for."""

    def __init__(self):
        self.done = threading.Event()
        self.result = None
        self.error: BaseException | None = None

    def wait(self):
        self.done.wait()
        if self.error is not None:
            raise self.error
        return self.result


_POOL_LOCK = threading.Lock()
_pool: Pool | None = None


def pool() -> Pool:
    """The process's pool, started on first use. Many sessions ask for it at once when a class
    opens a link on a fresh server (each in its own thread): exactly one pool is made, and the
    others wait for it, rather than each starting two workers that load TensorFlow."""
    global _pool
    with _POOL_LOCK:
        if _pool is None:
            _pool = Pool()
            _pool.start()
        return _pool
