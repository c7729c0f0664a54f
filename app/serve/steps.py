"""Step-through runs, made in a worker process and kept there: a page asks for "the run after N
events" and never holds a Keras model itself.

    stepped_data("one_to_many_stateful", Config(units=2), 3, {})   # Trace.to_dict() after 3 calls

A page that steps through a stateful model (the Stateful page) keeps only how many events it
has taken, and asks app.serve.traces.cached_steps for the Trace after that many; the live
Stepper (topologies.engine.stepper) stays here. The answer depends on nothing else: builds and
dummy data are seeded, so a stepper advanced N events from scratch gives exactly the snapshot
of one advanced an event at a time (tests/test_labs.py checks it).

Redoing the whole protocol for every click would retrain the forecast model (seconds, most of
it compiling its training step) to take one more step, so the worker keeps each run it has
started (a `KeptRun`): its stepper, to go further, and the snapshot after each event, to answer
for any event already passed. Sessions asking for the same run at different events share it. A
run that has finished lets its model go. The kept runs live in the worker's memory only, the
last KEPT_RUNS used; a worker that is replaced (app/serve/workers.py) starts again from scratch
and gives the same numbers.
"""

from __future__ import annotations

from collections import OrderedDict

from topologies.config import Config
from topologies.engine.stepper import Stepper
from topologies.records import Trace

KEPT_RUNS = 16  # a class stepping a few configurations; the kept records of a finished run: about 20 kB


class KeptRun:
    """One protocol as far as anyone has asked: the stepper, and a snapshot after each event that
    had made a call (before the first call a Trace has nothing to record)."""

    def __init__(self, topology_id: str, config: Config, options: dict):
        self.stepper: Stepper | None = Stepper(topology_id, config, **options)
        self.taken = 0  # events advanced so far
        self.snapshots: dict[int, Trace] = {}  # events taken -> the Trace at that moment

    def after(self, events: int) -> Trace:
        """The Trace after `events` events (the finished run, if the protocol has fewer)."""
        while self.taken < events and self.stepper is not None:
            self.stepper.advance()
            self.taken += 1
            if self.stepper.call_count:
                self.snapshots[self.taken] = self.stepper.snapshot()
            if self.stepper.finished:
                self.stepper = None  # nothing more to run: the model can go
        snapshot = self.snapshots.get(min(events, self.taken))
        if snapshot is None:
            raise ValueError(f"after {events} events the run has made no call yet, so there is nothing to draw")
        return snapshot


_runs: OrderedDict[tuple, KeptRun] = OrderedDict()


def stepped_data(topology_id: str, config: Config, events: int, options: dict) -> dict:
    """The Trace of `topology_id`'s protocol advanced `events` events, as plain data (Trace.to_dict):
    what a worker process sends back (app/serve/workers.py). `options` go to the topology's
    `calls()`, as for a trace (epochs=100 for forecast_stateful)."""
    key = (topology_id, config, tuple(sorted(options.items())))
    run = _runs.get(key)
    if run is None:
        run = _runs[key] = KeptRun(topology_id, config, options)
    _runs.move_to_end(key)
    while len(_runs) > KEPT_RUNS:
        _runs.popitem(last=False)  # the least recently asked for
    try:
        return run.after(events).to_dict()
    except Exception:
        del _runs[key]  # a run that failed part way is not kept: the next request starts afresh
        raise
